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
      AND ($11::text IS NULL OR e.search @@ websearch_to_tsquery('english', $11))
      AND ($12::date IS NULL OR (e.start_date, e.id) < ($12, $13::text))
    ORDER BY e.start_date DESC, e.id DESC
    LIMIT $14
)
SELECT r.* FROM page JOIN event_rows r USING (id)
ORDER BY page.start_date DESC, page.id DESC;

-- name: events.refresh_links
-- Recompute the filter arrays of the given events from their participants.
UPDATE events e
SET countries = coalesce(x.countries, '{}'), pairs = coalesce(x.pairs, '{}'),
    initiators = coalesce(x.initiators, '{}'), targets = coalesce(x.targets, '{}'),
    actor_ids = coalesce(x.actor_ids, '{}')
FROM (
    SELECT ev.id,
           (SELECT array_agg(DISTINCT p.country ORDER BY p.country) FROM event_participants p
             WHERE p.event_id = ev.id AND p.country IS NOT NULL) AS countries,
           (SELECT array_agg(DISTINCT p1.country || '-' || p2.country ORDER BY p1.country || '-' || p2.country)
              FROM event_participants p1 JOIN event_participants p2
                ON p2.event_id = p1.event_id AND p1.country < p2.country
             WHERE p1.event_id = ev.id) AS pairs,
           (SELECT array_agg(DISTINCT p.country ORDER BY p.country) FROM event_participants p
             WHERE p.event_id = ev.id AND p.role = 'initiator' AND p.country IS NOT NULL) AS initiators,
           (SELECT array_agg(DISTINCT p.country ORDER BY p.country) FROM event_participants p
             WHERE p.event_id = ev.id AND p.role = 'target' AND p.country IS NOT NULL) AS targets,
           (SELECT array_agg(DISTINCT p.actor_id ORDER BY p.actor_id) FROM event_participants p
             WHERE p.event_id = ev.id AND p.actor_id IS NOT NULL) AS actor_ids
    FROM events ev WHERE ev.id = ANY($1::text[])
) x
WHERE e.id = x.id;

-- name: events.upsert
INSERT INTO events (id, type, cameo_code, title, summary, status, start_date, start_precision, end_date,
                    end_precision, date_inferred, date_note, location_name, location_country,
                    related_event_id, relation, sectors, quantities)
VALUES ($1, $2, coalesce($3, (SELECT cameo_code FROM event_types WHERE id = $2)), $4, $5, $6, $7, $8, $9,
        $10, $11, $12, $13, $14, $15, $16, $17, $18)
ON CONFLICT (id) DO UPDATE SET
    type = excluded.type, cameo_code = excluded.cameo_code, title = excluded.title,
    summary = excluded.summary, status = excluded.status, start_date = excluded.start_date,
    start_precision = excluded.start_precision, end_date = excluded.end_date,
    end_precision = excluded.end_precision, date_inferred = excluded.date_inferred,
    date_note = excluded.date_note, location_name = excluded.location_name,
    location_country = excluded.location_country, related_event_id = excluded.related_event_id,
    relation = excluded.relation, sectors = excluded.sectors, quantities = excluded.quantities,
    updated_at = now()
WHERE (events.type, events.cameo_code, events.title, events.summary, events.status, events.start_date,
       events.start_precision, events.end_date, events.end_precision, events.date_inferred, events.date_note,
       events.location_name, events.location_country, events.related_event_id, events.relation,
       events.sectors, events.quantities)
   IS DISTINCT FROM
      (excluded.type, excluded.cameo_code, excluded.title, excluded.summary, excluded.status,
       excluded.start_date, excluded.start_precision, excluded.end_date, excluded.end_precision,
       excluded.date_inferred, excluded.date_note, excluded.location_name, excluded.location_country,
       excluded.related_event_id, excluded.relation, excluded.sectors, excluded.quantities);

-- name: events.clear_participants
DELETE FROM event_participants WHERE event_id = $1;

-- name: events.add_participant
INSERT INTO event_participants (event_id, ordinal, role, country, actor_id) VALUES ($1, $2, $3, $4, $5);

-- name: events.clear_sources
DELETE FROM event_sources WHERE event_id = $1;

-- name: events.add_source
INSERT INTO event_sources (event_id, source_id, attribution, ordinal) VALUES ($1, $2, $3, $4);
