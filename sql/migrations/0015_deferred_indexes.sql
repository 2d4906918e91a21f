-- The secondary indexes a bulk load set aside, left to be built after the load commits. The
-- rows are committed together with the data, so an index that has not been built yet (the
-- process was stopped halfway through) is still listed here; whoever comes next builds it:
-- the next load, `detente db migrate`, or the service when it starts. Only plain, non-unique
-- indexes are deferred: keys and unique constraints are always built inside the load.
CREATE TABLE deferred_indexes (
    name        text COLLATE "C" PRIMARY KEY,
    table_name  text COLLATE "C" NOT NULL,
    definition  text NOT NULL CHECK (definition LIKE 'CREATE INDEX %'),
    deferred_at timestamptz NOT NULL DEFAULT now()
);
