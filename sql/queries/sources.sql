-- name: sources.get
SELECT id, url, title, publisher, original_publisher, published_on, language, disclosures, notes,
       created_at, updated_at
FROM sources WHERE id = $1;

-- name: sources.list
SELECT id, url, title, publisher, original_publisher, published_on, language, disclosures, notes,
       created_at, updated_at
FROM sources
WHERE ($1::date IS NULL OR (published_on, id) < ($1, $2::text))
ORDER BY published_on DESC, id DESC
LIMIT $3;

-- name: sources.upsert
INSERT INTO sources (id, url, title, publisher, original_publisher, published_on, language, disclosures, notes)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (id) DO UPDATE SET
    url = excluded.url, title = excluded.title, publisher = excluded.publisher,
    original_publisher = excluded.original_publisher, published_on = excluded.published_on,
    language = excluded.language, disclosures = excluded.disclosures, notes = excluded.notes,
    updated_at = now()
WHERE (sources.url, sources.title, sources.publisher, sources.original_publisher, sources.published_on,
       sources.language, sources.disclosures, sources.notes)
   IS DISTINCT FROM
      (excluded.url, excluded.title, excluded.publisher, excluded.original_publisher, excluded.published_on,
       excluded.language, excluded.disclosures, excluded.notes);
