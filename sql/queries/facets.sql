-- name: facets.budget
-- Bound the statements of the current transaction to what is left of a request's facet budget
-- ($1 ms), never beyond the statement timeout already in force (0 there means none).
SELECT set_config('statement_timeout',
                  (CASE WHEN s.setting::int = 0 THEN $1::int ELSE least($1::int, s.setting::int) END)::text,
                  true)
FROM pg_settings s
WHERE s.name = 'statement_timeout';
