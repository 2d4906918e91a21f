-- name: maintenance.analyze
-- Fresh planner statistics after a bulk load, which autovacuum would only gather later: until
-- then list queries are planned for tables of the old size (and JIT-compiled on stale costs).
ANALYZE;
