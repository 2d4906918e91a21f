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

-- name: relationships.upsert
INSERT INTO relationship_periods (id, country_a, country_b, valid_from, valid_from_precision, valid_to, status,
                                  trend, summary)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (id) DO UPDATE SET
    country_a = excluded.country_a, country_b = excluded.country_b, valid_from = excluded.valid_from,
    valid_from_precision = excluded.valid_from_precision, valid_to = excluded.valid_to,
    status = excluded.status, trend = excluded.trend, summary = excluded.summary, updated_at = now()
WHERE (relationship_periods.country_a, relationship_periods.country_b, relationship_periods.valid_from,
       relationship_periods.valid_from_precision, relationship_periods.valid_to, relationship_periods.status,
       relationship_periods.trend, relationship_periods.summary)
   IS DISTINCT FROM
      (excluded.country_a, excluded.country_b, excluded.valid_from, excluded.valid_from_precision,
       excluded.valid_to, excluded.status, excluded.trend, excluded.summary);

-- name: relationships.clear_events
DELETE FROM period_events WHERE period_id = $1;

-- name: relationships.add_event
INSERT INTO period_events (period_id, event_id, ordinal) VALUES ($1, $2, $3);

-- name: relationships.clear_sources
DELETE FROM period_sources WHERE period_id = $1;

-- name: relationships.add_source
INSERT INTO period_sources (period_id, source_id, attribution, ordinal) VALUES ($1, $2, $3, $4);
