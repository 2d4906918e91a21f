-- name: indexes.defer
-- Indexes (name, table, definition) that a load set aside, to build after it commits. A later
-- load may set aside an index again before it was built: the newest definition wins.
INSERT INTO deferred_indexes (name, table_name, definition)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
ON CONFLICT (name) DO UPDATE SET table_name = excluded.table_name, definition = excluded.definition,
                                 deferred_at = now();

-- name: indexes.any_deferred
SELECT EXISTS (SELECT FROM deferred_indexes);

-- name: indexes.build_settings
-- For one build's transaction: no statement timeout (a build over a million rows takes
-- seconds), room to sort in memory (GIN builds of a million rows took as long with 32 MB as with
-- 512 MB; two sessions hold it at once), and no parallel workers, since the builds already run
-- side by side, one per core.
SELECT set_config('statement_timeout', '0', true), set_config('maintenance_work_mem', '256MB', true),
       set_config('max_parallel_maintenance_workers', '0', true);

-- name: indexes.next
-- The next index to build, locked so that no other builder takes it. The slowest first: GIN,
-- GiST and SP-GiST builds use one core from start to end, then the largest tables.
SELECT name, definition, to_regclass(name) IS NOT NULL AS present
FROM deferred_indexes
ORDER BY definition ~ ' USING (gin|gist|spgist) ' DESC,
         pg_relation_size(to_regclass(table_name)) DESC NULLS LAST, name
LIMIT 1
FOR UPDATE SKIP LOCKED;

-- name: indexes.built
DELETE FROM deferred_indexes WHERE name = $1;
