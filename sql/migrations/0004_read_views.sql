-- Read shapes: one row per item with its participants, parties and citations folded in as JSON.
-- Column names are the wire field names.

-- Both look up one row by primary key. Written as functions, each is an index probe per
-- member or citation; as joins in the views the planner hashes the whole table for every item.
CREATE FUNCTION citation(source_id text, attribution text) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT jsonb_build_object(
                'source_id', s.id, 'title', s.title, 'publisher', s.publisher,
                'original_publisher', s.original_publisher, 'published_on', s.published_on, 'url', s.url,
                'attribution', attribution)
            FROM sources s WHERE s.id = source_id);

CREATE FUNCTION actor_name(actor_id text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (SELECT a.name FROM actors a WHERE a.id = actor_id);

CREATE VIEW event_rows AS
SELECT e.id, e.type, e.title, e.summary, e.status, e.status = 'ongoing' AS ongoing,
       e.start_date, e.start_precision, e.end_date, e.end_precision, e.date_inferred, e.date_note,
       e.location_name, e.location_country, e.related_event_id, e.relation,
       e.cameo_code, c.label AS cameo_label, c.goldstein::float8 AS goldstein, c.quad_class::int AS quad_class,
       t.plover_type, e.sectors, e.quantities,
       coalesce((SELECT jsonb_agg(jsonb_build_object('role', p.role, 'country', p.country,
                                                     'actor_id', p.actor_id, 'actor_name', actor_name(p.actor_id))
                                  ORDER BY p.ordinal)
                 FROM event_participants p
                 WHERE p.event_id = e.id), '[]') AS participants,
       coalesce((SELECT jsonb_agg(citation(l.source_id, l.attribution) ORDER BY l.ordinal)
                 FROM event_sources l
                 WHERE l.event_id = e.id), '[]') AS sources,
       ARRAY(SELECT d.id FROM deals d WHERE d.event_id = e.id ORDER BY d.id) AS deal_ids,
       e.created_at, e.updated_at, e.revision
FROM events e
JOIN cameo_codes c ON c.code = e.cameo_code
JOIN event_types t ON t.id = e.type;

CREATE VIEW deal_rows AS
SELECT d.id, d.kind, d.title, d.summary, d.status, d.signed_on, d.date_precision, d.date_inferred,
       d.date_note, d.count,
       CASE WHEN d.amount IS NOT NULL THEN jsonb_build_object(
           'amount', d.amount::text, 'currency', d.currency, 'text', d.value_text, 'basis', d.value_basis,
           'qualifier', coalesce(d.value_qualifier, 'exact'), 'period', coalesce(d.value_period, 'total'),
           'horizon_years', d.horizon_years::text, 'usd', d.value_usd::text, 'usd_method', d.usd_method,
           'usd_rate', d.usd_rate::text, 'usd_rate_date', d.usd_rate_date, 'usd_note', d.usd_note)
       END AS value,
       d.event_id, d.part_of, d.sectors,
       coalesce((SELECT jsonb_agg(jsonb_build_object('role', p.role, 'country', p.country,
                                                     'actor_id', p.actor_id, 'actor_name', actor_name(p.actor_id))
                                  ORDER BY p.ordinal)
                 FROM deal_parties p
                 WHERE p.deal_id = d.id), '[]') AS parties,
       coalesce((SELECT jsonb_agg(citation(l.source_id, l.attribution) ORDER BY l.ordinal)
                 FROM deal_sources l
                 WHERE l.deal_id = d.id), '[]') AS sources,
       d.created_at, d.updated_at, d.revision
FROM deals d;

CREATE VIEW period_rows AS
SELECT p.id, p.country_a || '-' || p.country_b AS pair, p.country_a, p.country_b,
       p.valid_from, p.valid_from_precision, p.valid_to, p.status,
       relationship_rank(p.status)::int AS status_rank, p.trend, p.summary,
       coalesce((SELECT jsonb_agg(jsonb_build_object('id', e.id, 'title', e.title, 'start_date', e.start_date)
                                  ORDER BY l.ordinal)
                 FROM period_events l JOIN events e ON e.id = l.event_id
                 WHERE l.period_id = p.id), '[]') AS events,
       coalesce((SELECT jsonb_agg(citation(l.source_id, l.attribution) ORDER BY l.ordinal)
                 FROM period_sources l
                 WHERE l.period_id = p.id), '[]') AS sources,
       p.created_at, p.updated_at, p.revision
FROM relationship_periods p;

CREATE VIEW actor_rows AS
SELECT a.id, a.kind, a.name, a.aliases, a.country, a.role, a.description, a.parent_id, a.external_ids,
       coalesce((SELECT jsonb_agg(citation(l.source_id, l.attribution) ORDER BY l.ordinal)
                 FROM actor_sources l
                 WHERE l.actor_id = a.id), '[]') AS sources,
       a.created_at, a.updated_at, a.revision
FROM actors a;

CREATE VIEW source_rows AS
SELECT s.id, s.url, s.title, s.publisher, s.original_publisher, s.published_on, s.language, s.disclosures,
       s.notes, s.created_at, s.updated_at, s.revision
FROM sources s;
