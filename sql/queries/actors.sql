-- name: actors.get
SELECT * FROM actor_rows WHERE id = $1;

-- name: actors.list
WITH page AS (
    SELECT a.id, a.name
    FROM actors a
    WHERE ($1::text IS NULL OR a.country = $1)
      AND ($2::text IS NULL OR a.kind = $2)
      AND ($3::text IS NULL OR a.search @@ websearch_to_tsquery('simple', $3))
      AND ($4::text IS NULL OR (a.name, a.id) > ($4, $5::text))
    ORDER BY a.name, a.id
    LIMIT $6
)
SELECT r.* FROM page JOIN actor_rows r USING (id)
ORDER BY page.name, page.id;

-- name: actors.lock
-- The item's current revision, locked until the writing transaction ends.
SELECT revision FROM actors WHERE id = $1 FOR UPDATE;

-- name: actors.delete
DELETE FROM actors WHERE id = $1;
