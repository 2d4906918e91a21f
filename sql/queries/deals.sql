-- name: deals.get
SELECT * FROM deal_rows WHERE id = $1;

-- name: deals.list
-- Optional filters as in events.list (matching_deals); the page is picked on deals alone, then
-- projected.
WITH page AS (
    SELECT d.id, d.signed_on
    FROM matching_deals($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) d
    WHERE ($12::date IS NULL OR (d.signed_on, d.id) < ($12, $13::text))
    ORDER BY d.signed_on DESC, d.id DESC
    LIMIT $14
)
SELECT r.* FROM page JOIN deal_rows r USING (id)
ORDER BY page.signed_on DESC, page.id DESC;

-- name: deals.lock
-- The item's current revision, locked until the writing transaction ends.
SELECT revision FROM deals WHERE id = $1 FOR UPDATE;

-- name: deals.delete
DELETE FROM deals WHERE id = $1;

-- name: deals.list_known
-- deals.list as the service would have answered at a past moment ($15), the way events.list_known
-- answers: deals with no revision since from the live table, the others from their copies.
WITH unchanged AS (
    SELECT d.id, d.signed_on, NULL::jsonb AS s
    FROM matching_deals($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) d
    WHERE ($12::date IS NULL OR (d.signed_on, d.id) < ($12, $13::text))
      AND NOT EXISTS (SELECT FROM revised_since('deals', $15) l WHERE l.id = d.id)
      AND EXISTS (SELECT FROM revisions r
                  WHERE r.collection = 'deals' AND r.item_id = d.id AND r.recorded_at <= $15)
    ORDER BY d.signed_on DESC, d.id DESC
    LIMIT $14
), changed AS (
    SELECT id, (s->>'signed_on')::date AS signed_on, s FROM served_then('deals', $15)
    WHERE s IS NOT NULL
      AND ($1::text IS NULL OR s->'parties' @> jsonb_build_array(jsonb_build_object('country', $1::text)))
      AND ($2::text IS NULL
           OR (s->'parties' @> jsonb_build_array(jsonb_build_object('country', left($2::text, 2)))
               AND s->'parties' @> jsonb_build_array(jsonb_build_object('country', right($2::text, 2)))))
      AND ($3::text IS NULL OR s->>'kind' = $3)
      AND ($4::text IS NULL OR s->'sectors' ? $4)
      AND ($5::text IS NULL OR s->>'status' = $5)
      AND ($6::text IS NULL OR s->'parties' @> jsonb_build_array(jsonb_build_object('actor_id', $6::text)))
      AND ($7::numeric IS NULL OR (s->'value'->>'usd')::numeric >= $7)
      AND ($8::numeric IS NULL OR (s->'value'->>'usd')::numeric <= $8)
      AND ($9::date IS NULL OR (s->>'signed_on')::date >= $9)
      AND ($10::date IS NULL OR (s->>'signed_on')::date <= $10)
      AND ($11::text IS NULL
           OR to_tsvector('english', (s->>'title') || ' ' || (s->>'summary') || ' ' || coalesce(s->'value'->>'text', ''))
              @@ websearch_to_tsquery('english', $11))
      AND ($12::date IS NULL OR ((s->>'signed_on')::date, id) < ($12, $13::text))
    ORDER BY 2 DESC, id DESC
    LIMIT $14
), page AS (
    SELECT * FROM unchanged
    UNION ALL
    SELECT * FROM changed
    ORDER BY signed_on DESC, id DESC
    LIMIT $14
)
SELECT coalesce(s, live_snapshot('deals', id)) AS snapshot FROM page ORDER BY signed_on DESC, id DESC;

-- name: deals.facets
-- events.facets for deals: the facets named in $12 over every deal deals.list would return for
-- the same filters ($1-$11), each cut to its $13 most frequent values, years to the $13 latest.
WITH matched AS NOT MATERIALIZED (
    SELECT d.kind, d.status, d.signed_on, d.countries, d.sectors
    FROM matching_deals($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) d
), counted AS (
    SELECT 'kind' AS facet, kind AS value, count(*) AS count
    FROM matched WHERE 'kind' = ANY($12::text[]) GROUP BY kind
    UNION ALL
    SELECT 'status', status, count(*) FROM matched WHERE 'status' = ANY($12::text[]) GROUP BY status
    UNION ALL
    SELECT 'year', y::text, count(*)
    FROM (SELECT extract(year FROM signed_on)::int AS y FROM matched WHERE 'year' = ANY($12::text[])) AS years
    GROUP BY y
    UNION ALL
    SELECT 'country', v, count(*)
    FROM (SELECT unnest(countries) AS v FROM matched WHERE 'country' = ANY($12::text[])) AS listed
    GROUP BY v
    UNION ALL
    SELECT 'sector', v, count(*)
    FROM (SELECT unnest(sectors) AS v FROM matched WHERE 'sector' = ANY($12::text[])) AS listed
    GROUP BY v
), ranked AS (
    SELECT facet, value, count,
           row_number() OVER (PARTITION BY facet
                              ORDER BY CASE WHEN facet = 'year' THEN value::int END DESC, count DESC, value)
               AS rank
    FROM counted
)
SELECT facet, value, count FROM ranked WHERE rank <= $13 ORDER BY facet, rank;
