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
), ev AS (
    SELECT w.pair, count(*)::int AS n, max(e.start_date) AS last
    FROM wanted w JOIN events e ON e.pairs @> ARRAY[w.pair]
    GROUP BY w.pair
), dl AS (
    SELECT w.pair, count(*)::int AS n, max(d.signed_on) AS last
    FROM wanted w JOIN deals d ON d.pairs @> ARRAY[w.pair]
    GROUP BY w.pair
), pr AS (
    SELECT w.pair, max(p.valid_from) AS last
    FROM wanted w JOIN relationship_periods p ON p.country_a = left(w.pair, 2) AND p.country_b = right(w.pair, 2)
    GROUP BY w.pair
), counted AS (
    SELECT w.pair, coalesce(ev.n, 0) AS event_count, coalesce(dl.n, 0) AS deal_count,
           greatest(ev.last, dl.last, pr.last) AS last_activity
    FROM wanted w LEFT JOIN ev USING (pair) LEFT JOIN dl USING (pair) LEFT JOIN pr USING (pair)
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
-- Event and deal counts come from pair_activity, which every write keeps exact: counting a busy
-- pair's rows here read tens of thousands of heap pages per request.
SELECT coalesce((SELECT event_count FROM pair_activity WHERE pair = $1), 0) AS events,
       coalesce((SELECT deal_count FROM pair_activity WHERE pair = $1), 0) AS deals,
       (SELECT coalesce(sum(count), 0) FROM deals WHERE pairs @> ARRAY[$1::text] AND part_of IS NULL)::int
           AS instruments;

-- name: pairs.deal_totals
-- USD totals by kind, year and basis. A deal inside a batch (part_of) adds its value only when
-- the batch carries none, and its count never, so nothing is counted twice. The batch's value is
-- looked up per member by key: a join let the planner hash every deal in the table.
WITH pair_deals AS (
    SELECT d.kind, d.signed_on, d.value_basis, d.count, d.part_of, d.amount, d.value_usd,
           CASE WHEN d.part_of IS NOT NULL
                THEN (SELECT parent.value_usd FROM deals parent WHERE parent.id = d.part_of)
           END AS batch_usd
    FROM deals d
    WHERE d.pairs @> ARRAY[$1::text]
)
SELECT kind, extract(year FROM signed_on)::int AS year, value_basis AS basis,
       count(*)::int AS deals,
       coalesce(sum(count) FILTER (WHERE part_of IS NULL), 0)::int AS instruments,
       -- as text: asyncpg's binary numeric would come back as Decimal('4.411E+7')
       coalesce(sum(value_usd) FILTER (WHERE batch_usd IS NULL), 0)::text AS total_usd,
       count(*) FILTER (WHERE amount IS NOT NULL AND value_usd IS NULL)::int AS without_usd
FROM pair_deals
GROUP BY 1, 2, 3
ORDER BY year DESC, kind, basis NULLS LAST;

-- name: pairs.rebuild
-- Recompute every pair's activity in one pass: cheaper than pair by pair after a bulk load.
WITH activity AS (
    SELECT p.pair, 1 AS is_event, 0 AS is_deal, e.start_date AS day
    FROM events e CROSS JOIN LATERAL unnest(e.pairs) AS p (pair)
    UNION ALL
    SELECT p.pair, 0, 1, d.signed_on FROM deals d CROSS JOIN LATERAL unnest(d.pairs) AS p (pair)
    UNION ALL
    SELECT country_a || '-' || country_b, 0, 0, valid_from FROM relationship_periods
), counted AS (
    SELECT pair, sum(is_event)::int AS event_count, sum(is_deal)::int AS deal_count, max(day) AS last_activity
    FROM activity GROUP BY pair
), removed AS (
    DELETE FROM pair_activity a WHERE NOT EXISTS (SELECT 1 FROM counted c WHERE c.pair = a.pair)
)
INSERT INTO pair_activity (pair, country_a, country_b, event_count, deal_count, last_activity)
SELECT pair, left(pair, 2), right(pair, 2), event_count, deal_count, last_activity FROM counted
ON CONFLICT (pair) DO UPDATE SET
    event_count = excluded.event_count, deal_count = excluded.deal_count,
    last_activity = excluded.last_activity;
