-- name: pairs.list
-- Every pair with events, deals or a curated status; most recent activity first.
WITH activity AS (
    SELECT unnest(e.pairs) AS pair, e.start_date AS day, 1 AS is_event, 0 AS is_deal FROM events e
    UNION ALL
    SELECT unnest(d.pairs), d.signed_on, 0, 1 FROM deals d
    UNION ALL
    SELECT p.country_a || '-' || p.country_b, p.valid_from, 0, 0 FROM relationship_periods p
), totals AS (
    SELECT pair, max(day) AS last_activity, sum(is_event)::int AS event_count, sum(is_deal)::int AS deal_count
    FROM activity
    WHERE $1::text IS NULL OR left(pair, 2) = $1 OR right(pair, 2) = $1
    GROUP BY pair
)
SELECT t.pair, left(t.pair, 2) AS country_a, right(t.pair, 2) AS country_b,
       coalesce(ca.common_name, ca.name) || ' – ' || coalesce(cb.common_name, cb.name) AS name,
       t.event_count, t.deal_count, t.last_activity, cur.status, cur.trend
FROM totals t
JOIN countries ca ON ca.code = left(t.pair, 2)
JOIN countries cb ON cb.code = right(t.pair, 2)
LEFT JOIN relationship_periods cur
       ON cur.country_a = left(t.pair, 2) AND cur.country_b = right(t.pair, 2)
      AND cur.valid_from <= $2 AND (cur.valid_to IS NULL OR cur.valid_to > $2)
WHERE ($3::date IS NULL OR (t.last_activity, t.pair) < ($3, $4::text))
ORDER BY t.last_activity DESC, t.pair DESC
LIMIT $5;

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
       coalesce(sum(d.value_usd) FILTER (WHERE parent.value_usd IS NULL), 0) AS total_usd,
       count(*) FILTER (WHERE d.amount IS NOT NULL AND d.value_usd IS NULL)::int AS without_usd
FROM deals d
LEFT JOIN deals parent ON parent.id = d.part_of
WHERE d.pairs @> ARRAY[$1::text]
GROUP BY 1, 2, 3
ORDER BY year DESC, kind, basis NULLS LAST;
