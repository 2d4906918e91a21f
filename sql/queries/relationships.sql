-- name: relationships.on_day
-- Every pair's status on a day, optionally for one country, one status or one trend.
SELECT r.* FROM relationship_periods p JOIN period_rows r USING (id)
WHERE p.valid_from <= $1 AND (p.valid_to IS NULL OR p.valid_to > $1)
  AND ($2::text IS NULL OR p.country_a = $2 OR p.country_b = $2)
  AND ($3::text IS NULL OR p.status = $3)
  AND ($4::text IS NULL OR p.trend = $4)
  AND ($5::text IS NULL OR (p.country_a, p.country_b) > (left($5, 2), right($5, 2)))
ORDER BY p.country_a, p.country_b
LIMIT $6;

-- name: relationships.history
SELECT r.* FROM relationship_periods p JOIN period_rows r USING (id)
WHERE p.country_a = $1 AND p.country_b = $2
ORDER BY p.valid_from;

-- name: relationships.get
SELECT * FROM period_rows WHERE id = $1;

-- name: relationships.lock
-- The period's current revision, locked until the writing transaction ends.
SELECT revision FROM relationship_periods WHERE id = $1 FOR UPDATE;

-- name: relationships.delete
DELETE FROM relationship_periods WHERE id = $1;

-- name: relationships.known
-- Every period as known at a past moment ($1): the last revision of each recorded by then.
WITH known AS (
    SELECT DISTINCT ON (r.item_id) revision_snapshot(r.collection, r.item_id, r.op, r.snapshot) AS s
    FROM revisions r
    WHERE r.collection = 'relationship-periods' AND r.recorded_at <= $1
    ORDER BY r.item_id, r.revision DESC
)
SELECT s AS snapshot FROM known
WHERE s IS NOT NULL AND ($2::text IS NULL OR s->>'pair' = $2)
ORDER BY s->>'pair', (s->>'valid_from')::date;
