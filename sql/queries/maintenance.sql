-- name: maintenance.analyze
-- Fresh planner statistics after a bulk load, which autovacuum would only gather later: until
-- then list queries are planned for tables of the old size (and JIT-compiled on stale costs).
ANALYZE;

-- name: maintenance.statement_timeout
-- Read back once a transaction that lifted the statement timeout is over (a migration, an index
-- build), so that the client's own bound follows the session's timeout again (db.BoundedConnection).
SELECT current_setting('statement_timeout');
