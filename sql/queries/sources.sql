-- name: sources.get
SELECT * FROM source_rows WHERE id = $1;

-- name: sources.list
SELECT * FROM source_rows
WHERE ($1::date IS NULL OR (published_on, id) < ($1, $2::text))
ORDER BY published_on DESC, id DESC
LIMIT $3;

-- name: sources.lock
-- The item's current revision, locked until the writing transaction ends.
SELECT revision FROM sources WHERE id = $1 FOR UPDATE;

-- name: sources.delete
DELETE FROM sources WHERE id = $1;
