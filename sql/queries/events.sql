-- name: events.get
SELECT * FROM event_rows WHERE id = $1;

-- name: events.list
-- Filters are optional: a NULL parameter switches its condition off (matching_events, migration
-- 0016). The page is chosen on the events table alone; the heavy projection runs only for the
-- rows returned.
WITH page AS (
    SELECT e.id, e.start_date
    FROM matching_events($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) e
    WHERE ($12::date IS NULL OR (e.start_date, e.id) < ($12, $13::text))
    ORDER BY e.start_date DESC, e.id DESC
    LIMIT $14
)
SELECT r.* FROM page JOIN event_rows r USING (id)
ORDER BY page.start_date DESC, page.id DESC;

-- name: events.lock
-- The item's current revision, locked until the writing transaction ends.
SELECT revision FROM events WHERE id = $1 FOR UPDATE;

-- name: events.delete
DELETE FROM events WHERE id = $1;

-- name: events.list_known
-- events.list as the service would have answered at a past moment ($15): the same filters,
-- applied to what each event served then. An event with no revision recorded since served what
-- its live row serves now (its latest revision keeps no copy of it), so those are picked from
-- the events table with events.list's own filters and indexes. Only the events changed, created
-- or deleted since are read from their last revision by then, and only those are filtered on
-- the copy. Each part gives its first page; the page is the first of the two together.
WITH unchanged AS (
    SELECT e.id, e.start_date, NULL::jsonb AS s
    FROM matching_events($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) e
    WHERE ($12::date IS NULL OR (e.start_date, e.id) < ($12, $13::text))
      AND NOT EXISTS (SELECT FROM revised_since('events', $15) l WHERE l.id = e.id)
      -- known by then: it has a revision from before the moment
      AND EXISTS (SELECT FROM revisions r
                  WHERE r.collection = 'events' AND r.item_id = e.id AND r.recorded_at <= $15)
    ORDER BY e.start_date DESC, e.id DESC
    LIMIT $14
), changed AS (
    SELECT id, (s->>'start_date')::date AS start_date, s FROM served_then('events', $15)
    WHERE s IS NOT NULL
      AND ($1::text IS NULL OR s->'participants' @> jsonb_build_array(jsonb_build_object('country', $1::text)))
      AND ($2::text IS NULL
           OR (s->'participants' @> jsonb_build_array(jsonb_build_object('country', left($2::text, 2)))
               AND s->'participants' @> jsonb_build_array(jsonb_build_object('country', right($2::text, 2)))))
      AND ($3::text IS NULL
           OR s->'participants' @> jsonb_build_array(jsonb_build_object('role', 'initiator', 'country', $3::text)))
      AND ($4::text IS NULL
           OR s->'participants' @> jsonb_build_array(jsonb_build_object('role', 'target', 'country', $4::text)))
      AND ($5::text IS NULL OR s->>'type' = $5)
      AND ($6::text IS NULL OR s->'participants' @> jsonb_build_array(jsonb_build_object('actor_id', $6::text)))
      AND ($7::text IS NULL OR s->'sectors' ? $7)
      AND ($8::text IS NULL OR s->>'status' = $8)
      AND (($9::date IS NULL AND $10::date IS NULL)
           OR event_span((s->>'start_date')::date, s->>'start_precision', (s->>'end_date')::date,
                         s->>'end_precision', s->>'status')
              && daterange($9, $10, '[]'))
      AND ($11::text IS NULL
           OR to_tsvector('english', (s->>'title') || ' ' || (s->>'summary') || ' ' || coalesce(s->>'location_name', ''))
              @@ websearch_to_tsquery('english', $11))
      AND ($12::date IS NULL OR ((s->>'start_date')::date, id) < ($12, $13::text))
    ORDER BY 2 DESC, id DESC
    LIMIT $14
), page AS (
    SELECT * FROM unchanged
    UNION ALL
    SELECT * FROM changed
    ORDER BY start_date DESC, id DESC
    LIMIT $14
)
SELECT coalesce(s, live_snapshot('events', id)) AS snapshot FROM page ORDER BY start_date DESC, id DESC;

-- name: events.facets
-- Counts of each value of the facets named in $12 over every event events.list would return
-- for the same filters ($1-$11, matching_events), each facet cut to its $13 most frequent
-- values (ties by value), years to the $13 latest. Each facet asked for is its own aggregate over
-- the filtered rows, so a filter's index serves it and the scan may run in parallel; a facet not
-- asked for is cut off by its one-time filter and never read.
WITH matched AS NOT MATERIALIZED (
    SELECT e.type, e.status, e.start_date, e.countries, e.sectors
    FROM matching_events($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) e
), counted AS (
    SELECT 'type' AS facet, type AS value, count(*) AS count
    FROM matched WHERE 'type' = ANY($12::text[]) GROUP BY type
    UNION ALL
    SELECT 'status', status, count(*) FROM matched WHERE 'status' = ANY($12::text[]) GROUP BY status
    UNION ALL
    SELECT 'year', y::text, count(*)
    FROM (SELECT extract(year FROM start_date)::int AS y FROM matched WHERE 'year' = ANY($12::text[])) AS years
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
