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

-- name: actors.upsert
INSERT INTO actors (id, kind, name, aliases, country, role, description, parent_id, external_ids)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (id) DO UPDATE SET
    kind = excluded.kind, name = excluded.name, aliases = excluded.aliases, country = excluded.country,
    role = excluded.role, description = excluded.description, parent_id = excluded.parent_id,
    external_ids = excluded.external_ids, updated_at = now()
WHERE (actors.kind, actors.name, actors.aliases, actors.country, actors.role, actors.description,
       actors.parent_id, actors.external_ids)
   IS DISTINCT FROM
      (excluded.kind, excluded.name, excluded.aliases, excluded.country, excluded.role, excluded.description,
       excluded.parent_id, excluded.external_ids);

-- name: actors.clear_sources
DELETE FROM actor_sources WHERE actor_id = $1;

-- name: actors.add_source
INSERT INTO actor_sources (actor_id, source_id, attribution, ordinal) VALUES ($1, $2, $3, $4);
