-- name: event_types.list
-- Every type with its CAMEO coding; a handful of rows, so no paging.
SELECT t.id, t.name, t.description, t.cameo_code, c.label AS cameo_label, c.goldstein::float8 AS goldstein,
       c.quad_class::int AS quad_class, t.plover_type
FROM event_types t JOIN cameo_codes c ON c.code = t.cameo_code
ORDER BY t.cameo_code, t.id;

-- name: event_types.get
SELECT t.id, t.name, t.description, t.cameo_code, c.label AS cameo_label, c.goldstein::float8 AS goldstein,
       c.quad_class::int AS quad_class, t.plover_type
FROM event_types t JOIN cameo_codes c ON c.code = t.cameo_code
WHERE t.id = $1;
