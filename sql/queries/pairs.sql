-- name: pairs.list
-- Every pair with events, deals or a curated status; most recent activity first.
SELECT a.pair, a.country_a, a.country_b,
       coalesce(ca.common_name, ca.name) || ' – ' || coalesce(cb.common_name, cb.name) AS name,
       a.event_count, a.deal_count, a.last_activity, cur.status, cur.trend
FROM pair_activity a
JOIN countries ca ON ca.code = a.country_a
JOIN countries cb ON cb.code = a.country_b
LEFT JOIN relationship_periods cur
       ON cur.country_a = a.country_a AND cur.country_b = a.country_b
      AND cur.valid_from <= $2 AND (cur.valid_to IS NULL OR cur.valid_to > $2)
WHERE ($1::text IS NULL OR a.country_a = $1 OR a.country_b = $1)
  AND ($3::date IS NULL OR (a.last_activity, a.pair) < ($3, $4::text))
ORDER BY a.last_activity DESC, a.pair DESC
LIMIT $5;

-- name: pairs.refresh
-- Recompute the activity of the given pairs (pass every pair a write touched, before and after).
WITH wanted AS (
    SELECT DISTINCT unnest($1::text[]) AS pair
), counted AS (
    SELECT w.pair,
           (SELECT count(*) FROM events e WHERE e.pairs @> ARRAY[w.pair])::int AS event_count,
           (SELECT count(*) FROM deals d WHERE d.pairs @> ARRAY[w.pair])::int AS deal_count,
           greatest((SELECT max(e.start_date) FROM events e WHERE e.pairs @> ARRAY[w.pair]),
                    (SELECT max(d.signed_on) FROM deals d WHERE d.pairs @> ARRAY[w.pair]),
                    (SELECT max(p.valid_from) FROM relationship_periods p
                      WHERE p.country_a = left(w.pair, 2) AND p.country_b = right(w.pair, 2))) AS last_activity
    FROM wanted w
), removed AS (
    DELETE FROM pair_activity a USING counted c
    WHERE a.pair = c.pair AND c.last_activity IS NULL
)
INSERT INTO pair_activity (pair, country_a, country_b, event_count, deal_count, last_activity)
SELECT pair, left(pair, 2), right(pair, 2), event_count, deal_count, last_activity
FROM counted WHERE last_activity IS NOT NULL
ON CONFLICT (pair) DO UPDATE SET
    event_count = excluded.event_count, deal_count = excluded.deal_count,
    last_activity = excluded.last_activity;

-- name: pairs.touched
-- Every pair the given events, deals and periods belong to.
SELECT coalesce(array_agg(DISTINCT pair), '{}') FROM (
    SELECT unnest(pairs) AS pair FROM events WHERE id = ANY($1::text[])
    UNION ALL SELECT unnest(pairs) FROM deals WHERE id = ANY($2::text[])
    UNION ALL SELECT country_a || '-' || country_b FROM relationship_periods WHERE id = ANY($3::text[])
) touched;

-- name: pairs.counts
SELECT (SELECT count(*) FROM events WHERE pairs @> ARRAY[$1::text])::int AS events,
       (SELECT count(*) FROM deals WHERE pairs @> ARRAY[$1::text])::int AS deals,
       (SELECT coalesce(sum(count), 0) FROM deals WHERE pairs @> ARRAY[$1::text] AND part_of IS NULL)::int
           AS instruments;

-- name: pairs.deal_totals
-- USD totals by kind, year and basis. A deal inside a batch (part_of) adds its value only when
-- the batch carries none, and its count never, so nothing is counted twice.
SELECT d.kind, extract(year FROM d.signed_on)::int AS year, d.value_basis AS basis,
       count(*)::int AS deals,
       coalesce(sum(d.count) FILTER (WHERE d.part_of IS NULL), 0)::int AS instruments,
       -- as text: asyncpg's binary numeric would come back as Decimal('4.411E+7')
       coalesce(sum(d.value_usd) FILTER (WHERE parent.value_usd IS NULL), 0)::text AS total_usd,
       count(*) FILTER (WHERE d.amount IS NOT NULL AND d.value_usd IS NULL)::int AS without_usd
FROM deals d
LEFT JOIN deals parent ON parent.id = d.part_of
WHERE d.pairs @> ARRAY[$1::text]
GROUP BY 1, 2, 3
ORDER BY year DESC, kind, basis NULLS LAST;
