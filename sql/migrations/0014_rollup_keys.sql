-- Counting a rollup again (resume_rollup, at the end of a reload) wrote its rows with the primary
-- key and the empty-day index kept up row by row, which took half the time of the insert. They
-- are set aside while the rows go in and built once after them, as a reload does with the
-- tables it fills. The counting itself is unchanged, under a name that says what it does.

ALTER FUNCTION rebuild_pair_days() RENAME TO count_pair_days;
ALTER FUNCTION rebuild_pair_deal_days() RENAME TO count_pair_deal_days;

-- Only where the caller may lock the rollup exclusively: TRUNCATE takes that lock anyway.
CREATE FUNCTION rebuild_rollup(rollup regclass) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    rebuild text[];
BEGIN
    EXECUTE format('TRUNCATE %s', rollup);
    rebuild := coalesce(drop_secondary_indexes(ARRAY[rollup], 0), '{}')
               || drop_unreferenced_keys(ARRAY[rollup]);
    IF rollup = 'pair_days'::regclass THEN
        PERFORM count_pair_days();
    ELSIF rollup = 'pair_deal_days'::regclass THEN
        PERFORM count_pair_deal_days();
    ELSE
        RAISE EXCEPTION '% is not a rollup', rollup;
    END IF;
    PERFORM create_indexes(rebuild);
END $$;

CREATE FUNCTION rebuild_pair_days() RETURNS void
    LANGUAGE sql AS $$ SELECT rebuild_rollup('pair_days') $$;

CREATE FUNCTION rebuild_pair_deal_days() RETURNS void
    LANGUAGE sql AS $$ SELECT rebuild_rollup('pair_deal_days') $$;
