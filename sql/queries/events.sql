-- name: events.get
SELECT * FROM event_rows WHERE id = $1;

-- name: events.list
-- Filters are optional: a NULL parameter switches its condition off. The page is chosen on
-- the events table alone; the heavy projection runs only for the rows returned.
WITH page AS (
    SELECT e.id, e.start_date
    FROM events e
    WHERE ($1::text IS NULL OR e.countries @> ARRAY[$1::text])
      AND ($2::text IS NULL OR e.pairs @> ARRAY[$2::text])
      AND ($3::text IS NULL OR e.initiators @> ARRAY[$3::text])
      AND ($4::text IS NULL OR e.targets @> ARRAY[$4::text])
      AND ($5::text IS NULL OR e.type = $5)
      AND ($6::text IS NULL OR e.actor_ids @> ARRAY[$6::text])
      AND ($7::text IS NULL OR e.sectors @> ARRAY[$7::text])
      AND ($8::text IS NULL OR e.status = $8)
      AND (($9::date IS NULL AND $10::date IS NULL) OR e.span && daterange($9, $10, '[]'))
      -- Implied by the overlap (a span starts on start_date), and lets the date index start its
      -- walk at the window's end instead of at the newest event.
      AND ($10::date IS NULL OR e.start_date <= $10)
      AND ($11::text IS NULL OR e.search @@ websearch_to_tsquery('english', $11))
      AND ($12::date IS NULL OR (e.start_date, e.id) < ($12, $13::text))
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
-- applied to each event's last revision recorded by then.
WITH known AS (
    SELECT DISTINCT ON (r.item_id) r.item_id AS id, revision_snapshot(r.collection, r.item_id, r.op, r.snapshot) AS s
    FROM revisions r
    WHERE r.collection = 'events' AND r.recorded_at <= $15
    ORDER BY r.item_id, r.revision DESC
), live AS (
    SELECT id, s, (s->>'start_date')::date AS start_date FROM known WHERE s IS NOT NULL
)
SELECT s AS snapshot FROM live
WHERE ($1::text IS NULL OR s->'participants' @> jsonb_build_array(jsonb_build_object('country', $1::text)))
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
       OR event_span(start_date, s->>'start_precision', (s->>'end_date')::date, s->>'end_precision', s->>'status')
          && daterange($9, $10, '[]'))
  AND ($11::text IS NULL
       OR to_tsvector('english', (s->>'title') || ' ' || (s->>'summary') || ' ' || coalesce(s->>'location_name', ''))
          @@ websearch_to_tsquery('english', $11))
  AND ($12::date IS NULL OR (start_date, id) < ($12, $13::text))
ORDER BY start_date DESC, id DESC
LIMIT $14;

-- name: events.facets
-- Counts of each value of the facets named in $12 over every event events.list would return
-- for the same filters ($1-$11, kept in step with it), each facet cut to its $13 most frequent
-- values (ties by value), years to the $13 latest. Each facet asked for is its own aggregate over
-- the filtered rows, so a filter's index serves it and the scan may run in parallel; a facet not
-- asked for is cut off by its one-time filter and never read.
WITH matched AS NOT MATERIALIZED (
    SELECT e.type, e.status, e.start_date, e.countries, e.sectors
    FROM events e
    WHERE ($1::text IS NULL OR e.countries @> ARRAY[$1::text])
      AND ($2::text IS NULL OR e.pairs @> ARRAY[$2::text])
      AND ($3::text IS NULL OR e.initiators @> ARRAY[$3::text])
      AND ($4::text IS NULL OR e.targets @> ARRAY[$4::text])
      AND ($5::text IS NULL OR e.type = $5)
      AND ($6::text IS NULL OR e.actor_ids @> ARRAY[$6::text])
      AND ($7::text IS NULL OR e.sectors @> ARRAY[$7::text])
      AND ($8::text IS NULL OR e.status = $8)
      AND (($9::date IS NULL AND $10::date IS NULL) OR e.span && daterange($9, $10, '[]'))
      AND ($11::text IS NULL OR e.search @@ websearch_to_tsquery('english', $11))
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
