-- name: migrations.lock
SELECT pg_advisory_lock($1);

-- name: migrations.unlock
SELECT pg_advisory_unlock($1);

-- name: migrations.bookkeeping
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- name: migrations.table_exists
SELECT to_regclass('schema_migrations') IS NOT NULL;

-- name: migrations.applied
SELECT version, checksum FROM schema_migrations ORDER BY version;

-- name: migrations.record
INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3);

-- name: migrations.unbounded
-- A migration may rebuild the keys and indexes of large tables (0013 rebuilt every id index of
-- a million-event database): the request-sized statement timeout does not hold inside it.
SELECT set_config('statement_timeout', '0', true);
