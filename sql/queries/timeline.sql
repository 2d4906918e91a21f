-- name: timeline.buckets
-- A pair's daily tallies (pair_days, kept by triggers on events) summed per bucket, with the
-- decayed sums the relationship index needs ($6 = tau in days), each day weighted by
-- exp((day - anchor) / tau). The anchor is the bucket's as_of: its last day, or today ($5) for
-- the bucket in progress, whose days after today form a group of their own anchored at its last
-- day. Days before the first bucket ($2) form one group (bucket NULL) anchored the day before it.
-- The clamp at -700 keeps exp() from underflowing; such weights are below 1e-304 anyway.
WITH step AS (
    SELECT ('1 ' || $4::text)::interval AS step  -- parsed once, not per row
), tallies AS (
    -- date_trunc on a timestamp, not a timestamptz: no time-zone work per row
    SELECT t.*, date_trunc($4::text, t.day::timestamp)::date AS start,
           (date_trunc($4::text, t.day::timestamp) + s.step)::date - 1 AS last_day
    FROM pair_days t, step s
    WHERE t.pair = $1 AND t.day <= $3
), anchored AS (
    SELECT t.*, CASE WHEN t.day < $2 THEN NULL ELSE t.start END AS bucket, t.day > $5::date AS after_today,
           CASE WHEN t.day < $2 THEN $2::date - 1
                WHEN t.day <= $5 AND $5 < t.last_day THEN $5
                ELSE t.last_day END AS anchor
    FROM tallies t
), weighted AS MATERIALIZED (
    -- Materialised so that each row's anchor and weight are computed once, not per aggregate.
    SELECT a.*, exp(greatest((a.day - a.anchor) / $6::float8, -700)) AS w FROM anchored a
)
SELECT bucket, after_today, min(anchor) AS anchor,
       sum(events)::int AS events,
       sum(verbal_cooperation)::int AS verbal_cooperation, sum(material_cooperation)::int AS material_cooperation,
       sum(verbal_conflict)::int AS verbal_conflict, sum(material_conflict)::int AS material_conflict,
       sum(a_to_b)::int AS a_to_b, sum(b_to_a)::int AS b_to_a,
       sum(goldstein_tenths) / 10.0::float8 AS goldstein,
       sum(events * w) AS weight, sum(goldstein_tenths * w) / 10 AS total,
       sum(a_to_b * w) AS weight_a_to_b, sum(goldstein_tenths_a_to_b * w) / 10 AS total_a_to_b,
       sum(b_to_a * w) AS weight_b_to_a, sum(goldstein_tenths_b_to_a * w) / 10 AS total_b_to_a
FROM weighted
GROUP BY bucket, after_today
ORDER BY min(anchor), bucket NULLS FIRST;

-- name: timeline.index_on
-- The relationship index's sums on one day ($2), over all of a pair's tallies up to it ($3 = tau).
WITH weighted AS MATERIALIZED (
    SELECT t.*, exp(greatest((t.day - $2::date) / $3::float8, -700)) AS w
    FROM pair_days t
    WHERE t.pair = $1 AND t.day <= $2
)
SELECT coalesce(sum(events), 0)::int AS events, coalesce(sum(events * w), 0) AS weight,
       coalesce(sum(goldstein_tenths * w) / 10, 0) AS total,
       coalesce(sum(a_to_b), 0)::int AS events_a_to_b, coalesce(sum(a_to_b * w), 0) AS weight_a_to_b,
       coalesce(sum(goldstein_tenths_a_to_b * w) / 10, 0) AS total_a_to_b,
       coalesce(sum(b_to_a), 0)::int AS events_b_to_a, coalesce(sum(b_to_a * w), 0) AS weight_b_to_a,
       coalesce(sum(goldstein_tenths_b_to_a * w) / 10, 0) AS total_b_to_a
FROM weighted;

-- name: timeline.deals
-- A pair's deals per bucket ($4) between two days: counts and USD values from pair_deal_days
-- (kept by triggers on deals), plus the value of deals inside a batch that carries none, as in
-- pairs.deal_totals. Targets and ceilings are kept apart from actual and estimated totals.
WITH parts AS (
    SELECT date_trunc($4::text, r.day::timestamp)::date AS bucket, r.deals, r.deal_usd, r.deal_usd_targets
    FROM pair_deal_days r
    WHERE r.pair = $1 AND r.day BETWEEN $2 AND $3
    UNION ALL
    SELECT date_trunc($4::text, d.signed_on::timestamp)::date, 0,
           CASE WHEN d.value_basis IN ('actual_total', 'estimate') THEN d.value_usd ELSE 0 END,
           CASE WHEN d.value_basis IN ('target', 'ceiling') THEN d.value_usd ELSE 0 END
    FROM deals d
    WHERE d.pairs @> ARRAY[$1::text] AND d.part_of IS NOT NULL AND d.signed_on BETWEEN $2 AND $3
      AND d.value_usd IS NOT NULL
      -- the batch looked up by key: a join would hash the whole deals table
      AND (SELECT b.value_usd FROM deals b WHERE b.id = d.part_of) IS NULL
)
SELECT bucket, sum(deals)::int AS deals, sum(deal_usd)::text AS deal_usd,
       sum(deal_usd_targets)::text AS deal_usd_targets
FROM parts
GROUP BY bucket
ORDER BY bucket;

-- name: timeline.first_day
-- The pair's earliest dated fact: an event, a deal or a status period.
SELECT least((SELECT min(day) FROM pair_days WHERE pair = $1),
             (SELECT min(signed_on) FROM deals WHERE pairs @> ARRAY[$1::text]),
             (SELECT min(valid_from) FROM relationship_periods
              WHERE country_a = left($1, 2) AND country_b = right($1, 2)));
