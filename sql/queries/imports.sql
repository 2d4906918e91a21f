-- name: imports.create_staging
-- Session-local staging tables, created once per connection and emptied at every commit.
-- JSON travels as text: COPY speaks the binary protocol, where jsonb needs no codec as text.
-- `line` ties each staged row to the input record it came from. The filter arrays of events and
-- deals (countries, pairs, initiators, targets, actor_ids) and their sectors travel as array
-- literals: COPY sends text in a third of the time it takes to encode arrays. Each item table is
-- keyed by id (a load gives an id once): the reference checks probe it, so a row estimate gone
-- wrong (the statistics come from a sample) costs a lookup per row, not a scan of the staged
-- items per row. Ids compare byte by byte, as in the tables they are written to (migration 0013).
CREATE TEMP TABLE IF NOT EXISTS stage_sources (
    line int NOT NULL, id text COLLATE "C" NOT NULL, url text, title text, publisher text,
    original_publisher text, published_on date, language text, disclosures text[], notes text,
    PRIMARY KEY (id)
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_actors (
    line int NOT NULL, id text COLLATE "C" NOT NULL, kind text, name text, aliases text[], country text,
    role text, description text, parent_id text COLLATE "C", external_ids text, PRIMARY KEY (id)
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_events (
    line int NOT NULL, id text COLLATE "C" NOT NULL, type text, cameo_code text, title text, summary text,
    status text, start_date date, start_precision text, end_date date, end_precision text,
    date_inferred boolean, date_note text, location_name text, location_country text,
    related_event_id text COLLATE "C", relation text, sectors text, quantities text, external_ids text,
    num_mentions int, num_sources int, num_articles int, avg_tone float8, location_lat float8,
    location_lon float8, countries text, pairs text, initiators text, targets text, actor_ids text,
    PRIMARY KEY (id)
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_deals (
    line int NOT NULL, id text COLLATE "C" NOT NULL, kind text, title text, summary text, status text,
    signed_on date, date_precision text, date_inferred boolean, date_note text, count int, amount numeric,
    currency text, value_text text, value_basis text, value_qualifier text, value_period text,
    horizon_years numeric, value_usd numeric, usd_method text, usd_rate numeric, usd_rate_date date,
    usd_note text, event_id text COLLATE "C", part_of text COLLATE "C", sectors text, countries text,
    pairs text, actor_ids text, PRIMARY KEY (id)
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_periods (
    line int NOT NULL, id text COLLATE "C" NOT NULL, country_a text, country_b text, valid_from date,
    valid_from_precision text, valid_to date, status text, trend text, summary text, PRIMARY KEY (id)
) ON COMMIT DELETE ROWS;
-- Members: participants of events and parties of deals. Links: citations and period drivers.
CREATE TEMP TABLE IF NOT EXISTS stage_members (
    line int NOT NULL, collection text COLLATE "C" NOT NULL, item_id text COLLATE "C" NOT NULL,
    ordinal int NOT NULL, role text, country text, actor_id text COLLATE "C"
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_citations (
    line int NOT NULL, collection text COLLATE "C" NOT NULL, item_id text COLLATE "C" NOT NULL,
    ordinal int NOT NULL, source_id text COLLATE "C" NOT NULL, attribution text
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_drivers (
    line int NOT NULL, period_id text COLLATE "C" NOT NULL, ordinal int NOT NULL,
    event_id text COLLATE "C" NOT NULL
) ON COMMIT DELETE ROWS;
-- Stored items whose staged members, citations or drivers differ from the stored ones.
CREATE TEMP TABLE IF NOT EXISTS stage_relinked (
    collection text COLLATE "C" NOT NULL, item_id text COLLATE "C" NOT NULL,
    PRIMARY KEY (collection, item_id)
) ON COMMIT DELETE ROWS;
-- Staged items that are new or differ from the stored ones in any way. `unseen`: the database
-- holds neither a row nor a revision of it (a first write, whose revision needs no comparison);
-- `relinked`: its members, citations or drivers are written.
CREATE TEMP TABLE IF NOT EXISTS stage_changes (
    collection text COLLATE "C" NOT NULL, item_id text COLLATE "C" NOT NULL, unseen boolean NOT NULL,
    relinked boolean NOT NULL, PRIMARY KEY (collection, item_id)
) ON COMMIT DELETE ROWS;
-- Empty even when an earlier batch ran in this same transaction.
TRUNCATE stage_sources, stage_actors, stage_events, stage_deals, stage_periods, stage_members, stage_citations,
         stage_drivers, stage_relinked, stage_changes;

-- name: imports.broken_references
-- Staged rows that point at something neither stored nor staged: (line, reason).
SELECT c.line, format('%s[%s].source_id: no source %L', 'sources', c.ordinal, c.source_id) AS reason
FROM stage_citations c
WHERE NOT EXISTS (SELECT 1 FROM sources s WHERE s.id = c.source_id)
  AND NOT EXISTS (SELECT 1 FROM stage_sources s WHERE s.id = c.source_id)
UNION ALL
SELECT m.line, format('%s[%s].actor_id: no actor %L', CASE m.collection WHEN 'events' THEN 'participants'
                      ELSE 'parties' END, m.ordinal, m.actor_id)
FROM stage_members m
WHERE m.actor_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM actors a WHERE a.id = m.actor_id)
  AND NOT EXISTS (SELECT 1 FROM stage_actors a WHERE a.id = m.actor_id)
UNION ALL
SELECT a.line, format('parent_id: no actor %L', a.parent_id)
FROM stage_actors a
WHERE a.parent_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM actors x WHERE x.id = a.parent_id)
  AND NOT EXISTS (SELECT 1 FROM stage_actors x WHERE x.id = a.parent_id)
UNION ALL
SELECT e.line, format('related_event_id: no event %L', e.related_event_id)
FROM stage_events e
WHERE e.related_event_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM events x WHERE x.id = e.related_event_id)
  AND NOT EXISTS (SELECT 1 FROM stage_events x WHERE x.id = e.related_event_id)
UNION ALL
SELECT e.line, format('cameo_code: no CAMEO code %L', e.cameo_code)
FROM stage_events e
WHERE e.cameo_code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM cameo_codes c WHERE c.code = e.cameo_code)
UNION ALL
SELECT d.line, format('value.currency: %L is not an ISO 4217 currency', d.currency)
FROM stage_deals d
WHERE d.currency IS NOT NULL AND NOT EXISTS (SELECT 1 FROM currencies c WHERE c.code = d.currency)
UNION ALL
SELECT d.line, format('event_id: no event %L', d.event_id)
FROM stage_deals d
WHERE d.event_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM events x WHERE x.id = d.event_id)
  AND NOT EXISTS (SELECT 1 FROM stage_events x WHERE x.id = d.event_id)
UNION ALL
SELECT d.line, format('part_of: no deal %L', d.part_of)
FROM stage_deals d
WHERE d.part_of IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM deals x WHERE x.id = d.part_of)
  AND NOT EXISTS (SELECT 1 FROM stage_deals x WHERE x.id = d.part_of)
UNION ALL
SELECT l.line, format('event_ids[%s]: no event %L', l.ordinal, l.event_id)
FROM stage_drivers l
WHERE NOT EXISTS (SELECT 1 FROM events x WHERE x.id = l.event_id)
  AND NOT EXISTS (SELECT 1 FROM stage_events x WHERE x.id = l.event_id);

-- name: imports.overlapping_periods
-- Staged periods that overlap another period of their pair. A stored open period that starts
-- earlier is not an overlap when the staged one is open too: it will be closed by it.
SELECT p.line, format('valid_from: overlaps period %L of %s', o.id, p.country_a || '-' || p.country_b) AS reason
FROM stage_periods p
JOIN relationship_periods o
  ON o.country_a = p.country_a AND o.country_b = p.country_b AND o.id <> p.id
 AND daterange(o.valid_from, o.valid_to) && daterange(p.valid_from, p.valid_to)
WHERE NOT EXISTS (SELECT 1 FROM stage_periods s WHERE s.id = o.id)
  AND NOT (o.valid_to IS NULL AND p.valid_to IS NULL AND o.valid_from < p.valid_from)
UNION ALL
SELECT p.line, format('valid_from: overlaps period %L given on line %s', o.id, o.line)
FROM stage_periods p
JOIN stage_periods o
  ON o.country_a = p.country_a AND o.country_b = p.country_b AND o.line < p.line
 AND daterange(o.valid_from, o.valid_to) && daterange(p.valid_from, p.valid_to);

-- name: imports.drop_lines
-- Remove every staged row of the given input lines.
WITH a AS (DELETE FROM stage_sources WHERE line = ANY($1::int[])),
     b AS (DELETE FROM stage_actors WHERE line = ANY($1::int[])),
     c AS (DELETE FROM stage_events WHERE line = ANY($1::int[])),
     d AS (DELETE FROM stage_deals WHERE line = ANY($1::int[])),
     e AS (DELETE FROM stage_periods WHERE line = ANY($1::int[])),
     f AS (DELETE FROM stage_members WHERE line = ANY($1::int[])),
     g AS (DELETE FROM stage_drivers WHERE line = ANY($1::int[]))
DELETE FROM stage_citations WHERE line = ANY($1::int[]);

-- name: imports.close_open_periods
-- A new open period closes the stored open period of its pair that began before it.
UPDATE relationship_periods o SET valid_to = p.valid_from
FROM stage_periods p
WHERE o.country_a = p.country_a AND o.country_b = p.country_b AND o.valid_to IS NULL
  AND p.valid_to IS NULL AND o.valid_from < p.valid_from
  AND NOT EXISTS (SELECT 1 FROM stage_periods s WHERE s.id = o.id);

-- name: imports.upsert_sources
-- $1, here and in the other upserts: the load's fresh collections. Every staged item of one is
-- new, so all are written without looking up the load's changes (find_changed lists them all).
INSERT INTO sources (id, url, title, publisher, original_publisher, published_on, language, disclosures, notes)
SELECT id, url, title, publisher, original_publisher, published_on, language, disclosures, notes
FROM stage_sources
WHERE 'sources' = ANY ($1) OR id IN (SELECT item_id FROM stage_changes WHERE collection = 'sources')
ON CONFLICT (id) DO UPDATE SET
    url = excluded.url, title = excluded.title, publisher = excluded.publisher,
    original_publisher = excluded.original_publisher, published_on = excluded.published_on,
    language = excluded.language, disclosures = excluded.disclosures, notes = excluded.notes
WHERE (sources.url, sources.title, sources.publisher, sources.original_publisher, sources.published_on,
       sources.language, sources.disclosures, sources.notes)
   IS DISTINCT FROM
      (excluded.url, excluded.title, excluded.publisher, excluded.original_publisher, excluded.published_on,
       excluded.language, excluded.disclosures, excluded.notes);

-- name: imports.upsert_actors
INSERT INTO actors (id, kind, name, aliases, country, role, description, parent_id, external_ids)
SELECT id, kind, name, aliases, country, role, description, parent_id, external_ids::jsonb
FROM stage_actors
WHERE 'actors' = ANY ($1) OR id IN (SELECT item_id FROM stage_changes WHERE collection = 'actors')
ON CONFLICT (id) DO UPDATE SET
    kind = excluded.kind, name = excluded.name, aliases = excluded.aliases, country = excluded.country,
    role = excluded.role, description = excluded.description, parent_id = excluded.parent_id,
    external_ids = excluded.external_ids
WHERE (actors.kind, actors.name, actors.aliases, actors.country, actors.role, actors.description,
       actors.parent_id, actors.external_ids)
   IS DISTINCT FROM
      (excluded.kind, excluded.name, excluded.aliases, excluded.country, excluded.role, excluded.description,
       excluded.parent_id, excluded.external_ids);

-- name: imports.upsert_events
-- Events with the filter arrays staged from their participants, so each row is written once,
-- complete.
INSERT INTO events (id, type, cameo_code, title, summary, status, start_date, start_precision, end_date,
                    end_precision, date_inferred, date_note, location_name, location_country,
                    related_event_id, relation, sectors, quantities, external_ids, num_mentions, num_sources,
                    num_articles, avg_tone, location_lat, location_lon, countries, pairs, initiators, targets,
                    actor_ids)
SELECT s.id, s.type, coalesce(s.cameo_code, t.cameo_code), s.title, s.summary, s.status, s.start_date,
       s.start_precision, s.end_date, s.end_precision, s.date_inferred, s.date_note, s.location_name,
       s.location_country, s.related_event_id, s.relation, s.sectors::text[], s.quantities::jsonb,
       coalesce(s.external_ids::jsonb, '{}'), s.num_mentions, s.num_sources, s.num_articles, s.avg_tone,
       s.location_lat, s.location_lon, s.countries::text[], s.pairs::text[], s.initiators::text[],
       s.targets::text[], s.actor_ids::text[]
FROM stage_events s
JOIN event_types t ON t.id = s.type
WHERE 'events' = ANY ($1) OR s.id IN (SELECT item_id FROM stage_changes WHERE collection = 'events')
ON CONFLICT (id) DO UPDATE SET
    type = excluded.type, cameo_code = excluded.cameo_code, title = excluded.title,
    summary = excluded.summary, status = excluded.status, start_date = excluded.start_date,
    start_precision = excluded.start_precision, end_date = excluded.end_date,
    end_precision = excluded.end_precision, date_inferred = excluded.date_inferred,
    date_note = excluded.date_note, location_name = excluded.location_name,
    location_country = excluded.location_country, related_event_id = excluded.related_event_id,
    relation = excluded.relation, sectors = excluded.sectors, quantities = excluded.quantities,
    external_ids = excluded.external_ids, num_mentions = excluded.num_mentions,
    num_sources = excluded.num_sources, num_articles = excluded.num_articles, avg_tone = excluded.avg_tone,
    location_lat = excluded.location_lat, location_lon = excluded.location_lon, countries = excluded.countries, pairs = excluded.pairs, initiators = excluded.initiators,
    targets = excluded.targets, actor_ids = excluded.actor_ids
WHERE (events.type, events.cameo_code, events.title, events.summary, events.status, events.start_date,
       events.start_precision, events.end_date, events.end_precision, events.date_inferred, events.date_note,
       events.location_name, events.location_country, events.related_event_id, events.relation,
       events.sectors, events.quantities, events.external_ids, events.num_mentions, events.num_sources,
       events.num_articles, events.avg_tone, events.location_lat, events.location_lon, events.countries,
       events.pairs, events.initiators, events.targets, events.actor_ids)
   IS DISTINCT FROM
      (excluded.type, excluded.cameo_code, excluded.title, excluded.summary, excluded.status,
       excluded.start_date, excluded.start_precision, excluded.end_date, excluded.end_precision,
       excluded.date_inferred, excluded.date_note, excluded.location_name, excluded.location_country,
       excluded.related_event_id, excluded.relation, excluded.sectors, excluded.quantities, excluded.external_ids,
       excluded.num_mentions, excluded.num_sources, excluded.num_articles, excluded.avg_tone, excluded.location_lat,
       excluded.location_lon, excluded.countries, excluded.pairs, excluded.initiators, excluded.targets,
       excluded.actor_ids);

-- name: imports.upsert_deals
-- Deals with the filter arrays staged from their parties.
INSERT INTO deals (id, kind, title, summary, status, signed_on, date_precision, date_inferred, date_note, count,
                   amount, currency, value_text, value_basis, value_qualifier, value_period, horizon_years,
                   value_usd, usd_method, usd_rate, usd_rate_date, usd_note, event_id, part_of, sectors, countries,
                   pairs, actor_ids)
SELECT id, kind, title, summary, status, signed_on, date_precision, date_inferred, date_note, count,
       amount, currency, value_text, value_basis, value_qualifier, value_period, horizon_years,
       value_usd, usd_method, usd_rate, usd_rate_date, usd_note, event_id, part_of, sectors::text[],
       s.countries::text[], s.pairs::text[], s.actor_ids::text[]
FROM stage_deals s
WHERE 'deals' = ANY ($1) OR s.id IN (SELECT item_id FROM stage_changes WHERE collection = 'deals')
ON CONFLICT (id) DO UPDATE SET
    kind = excluded.kind, title = excluded.title, summary = excluded.summary, status = excluded.status,
    signed_on = excluded.signed_on, date_precision = excluded.date_precision,
    date_inferred = excluded.date_inferred, date_note = excluded.date_note, count = excluded.count,
    amount = excluded.amount, currency = excluded.currency, value_text = excluded.value_text,
    value_basis = excluded.value_basis, value_qualifier = excluded.value_qualifier,
    value_period = excluded.value_period, horizon_years = excluded.horizon_years,
    value_usd = excluded.value_usd, usd_method = excluded.usd_method, usd_rate = excluded.usd_rate,
    usd_rate_date = excluded.usd_rate_date, usd_note = excluded.usd_note, event_id = excluded.event_id,
    part_of = excluded.part_of, sectors = excluded.sectors, countries = excluded.countries,
    pairs = excluded.pairs, actor_ids = excluded.actor_ids
WHERE (deals.kind, deals.title, deals.summary, deals.status, deals.signed_on, deals.date_precision,
       deals.date_inferred, deals.date_note, deals.count, deals.amount, deals.currency, deals.value_text,
       deals.value_basis, deals.value_qualifier, deals.value_period, deals.horizon_years, deals.value_usd,
       deals.usd_method, deals.usd_rate, deals.usd_rate_date, deals.usd_note, deals.event_id, deals.part_of,
       deals.sectors, deals.countries, deals.pairs, deals.actor_ids)
   IS DISTINCT FROM
      (excluded.kind, excluded.title, excluded.summary, excluded.status, excluded.signed_on,
       excluded.date_precision, excluded.date_inferred, excluded.date_note, excluded.count, excluded.amount,
       excluded.currency, excluded.value_text, excluded.value_basis, excluded.value_qualifier,
       excluded.value_period, excluded.horizon_years, excluded.value_usd, excluded.usd_method,
       excluded.usd_rate, excluded.usd_rate_date, excluded.usd_note, excluded.event_id, excluded.part_of,
       excluded.sectors, excluded.countries, excluded.pairs, excluded.actor_ids);

-- name: imports.upsert_periods
INSERT INTO relationship_periods (id, country_a, country_b, valid_from, valid_from_precision, valid_to, status,
                                  trend, summary)
SELECT id, country_a, country_b, valid_from, valid_from_precision, valid_to, status, trend, summary
FROM stage_periods
WHERE 'relationship-periods' = ANY ($1)
   OR id IN (SELECT item_id FROM stage_changes WHERE collection = 'relationship-periods')
ON CONFLICT (id) DO UPDATE SET
    country_a = excluded.country_a, country_b = excluded.country_b, valid_from = excluded.valid_from,
    valid_from_precision = excluded.valid_from_precision, valid_to = excluded.valid_to,
    status = excluded.status, trend = excluded.trend, summary = excluded.summary
WHERE (relationship_periods.country_a, relationship_periods.country_b, relationship_periods.valid_from,
       relationship_periods.valid_from_precision, relationship_periods.valid_to, relationship_periods.status,
       relationship_periods.trend, relationship_periods.summary)
   IS DISTINCT FROM
      (excluded.country_a, excluded.country_b, excluded.valid_from, excluded.valid_from_precision,
       excluded.valid_to, excluded.status, excluded.trend, excluded.summary);

-- name: imports.find_relinked
-- Which stored items the staged records give other members, citations or drivers than they
-- have: only those get their links rewritten, so re-importing unchanged data rewrites nothing.
-- (A new item is written with all its links: see find_changed.) Links are matched on their
-- item and ordinal, which is unique on both sides, so a link that is missing on either side or
-- differs in any value shows up as one row of a join; no per-item lists are built.
-- $1: the fresh collections of the load (see find_changed), which hold nothing to compare with.
-- Stored items are found by one key lookup per staged item (LATERAL ... LIMIT 1 keeps it so): a
-- batch of a large load is a tenth of the table or less, which a join would read whole.
WITH kept AS MATERIALIZED (
    SELECT 'actors' AS collection, s.id FROM stage_actors s
    CROSS JOIN LATERAL (SELECT FROM actors t WHERE t.id = s.id LIMIT 1) t WHERE NOT 'actors' = ANY ($1)
    UNION ALL
    SELECT 'events', s.id FROM stage_events s
    CROSS JOIN LATERAL (SELECT FROM events t WHERE t.id = s.id LIMIT 1) t WHERE NOT 'events' = ANY ($1)
    UNION ALL
    SELECT 'deals', s.id FROM stage_deals s
    CROSS JOIN LATERAL (SELECT FROM deals t WHERE t.id = s.id LIMIT 1) t WHERE NOT 'deals' = ANY ($1)
    UNION ALL
    SELECT 'relationship-periods', s.id FROM stage_periods s
    CROSS JOIN LATERAL (SELECT FROM relationship_periods t WHERE t.id = s.id LIMIT 1) t
    WHERE NOT 'relationship-periods' = ANY ($1)
), members AS (
    SELECT m.collection, m.item_id, m.ordinal, m.role, m.country, m.actor_id
    FROM stage_members m JOIN kept k ON k.collection = m.collection AND k.id = m.item_id
), citations AS (
    SELECT c.collection, c.item_id, c.ordinal, c.source_id, c.attribution
    FROM stage_citations c JOIN kept k ON k.collection = c.collection AND k.id = c.item_id
), stored_members AS (
    SELECT 'events' AS collection, t.event_id AS item_id, t.ordinal::int AS ordinal, t.role, t.country::text AS country,
           t.actor_id
    FROM event_participants t JOIN kept k ON k.collection = 'events' AND k.id = t.event_id
    UNION ALL
    SELECT 'deals', t.deal_id, t.ordinal, t.role, t.country::text, t.actor_id
    FROM deal_parties t JOIN kept k ON k.collection = 'deals' AND k.id = t.deal_id
), stored_citations AS (
    SELECT 'events' AS collection, t.event_id AS item_id, t.ordinal::int AS ordinal, t.source_id, t.attribution
    FROM event_sources t JOIN kept k ON k.collection = 'events' AND k.id = t.event_id
    UNION ALL
    SELECT 'deals', t.deal_id, t.ordinal, t.source_id, t.attribution
    FROM deal_sources t JOIN kept k ON k.collection = 'deals' AND k.id = t.deal_id
    UNION ALL
    SELECT 'actors', t.actor_id, t.ordinal, t.source_id, t.attribution
    FROM actor_sources t JOIN kept k ON k.collection = 'actors' AND k.id = t.actor_id
    UNION ALL
    SELECT 'relationship-periods', t.period_id, t.ordinal, t.source_id, t.attribution
    FROM period_sources t JOIN kept k ON k.collection = 'relationship-periods' AND k.id = t.period_id
), drivers AS (
    SELECT d.period_id, d.ordinal, d.event_id
    FROM stage_drivers d JOIN kept k ON k.collection = 'relationship-periods' AND k.id = d.period_id
), stored_drivers AS (
    SELECT t.period_id, t.ordinal::int AS ordinal, t.event_id
    FROM period_events t JOIN kept k ON k.collection = 'relationship-periods' AND k.id = t.period_id
)
INSERT INTO stage_relinked (collection, item_id)
SELECT coalesce(s.collection, t.collection), coalesce(s.item_id, t.item_id)
FROM members s
FULL JOIN stored_members t ON t.collection = s.collection AND t.item_id = s.item_id AND t.ordinal = s.ordinal
WHERE s.item_id IS NULL OR t.item_id IS NULL
   OR (s.role, s.country, s.actor_id) IS DISTINCT FROM (t.role, t.country, t.actor_id)
UNION
SELECT coalesce(s.collection, t.collection), coalesce(s.item_id, t.item_id)
FROM citations s
FULL JOIN stored_citations t ON t.collection = s.collection AND t.item_id = s.item_id AND t.ordinal = s.ordinal
WHERE s.item_id IS NULL OR t.item_id IS NULL
   OR (s.source_id, s.attribution) IS DISTINCT FROM (t.source_id, t.attribution)
UNION
SELECT 'relationship-periods', coalesce(s.period_id, t.period_id)
FROM drivers s
FULL JOIN stored_drivers t ON t.period_id = s.period_id AND t.ordinal = s.ordinal
WHERE s.period_id IS NULL OR t.period_id IS NULL OR s.event_id IS DISTINCT FROM t.event_id;

-- name: imports.find_changed
-- Staged items the upserts below will write: new ones, ones whose own columns differ from the
-- stored row (the same comparisons as the upserts make) and relinked ones (run find_relinked
-- first). Only these, and what embeds them, can get a revision. Each item is found once: the
-- branches are disjoint, so no deduplication pass over a large load is needed.
-- $1: the load's fresh collections, which held neither an item nor a revision when it began.
-- Every staged item of one is unseen, since a load gives each id once, and nothing is looked up.
-- Other items are looked up by key, one staged item at a time (see find_relinked).
INSERT INTO stage_changes (collection, item_id, unseen, relinked)
SELECT x.collection, x.item_id,
       x.fresh OR NOT x.stored
                  AND NOT EXISTS (SELECT FROM revisions r WHERE r.collection = x.collection AND r.item_id = x.item_id),
       NOT x.stored OR x.relinked
FROM (
    SELECT 'sources' AS collection, id AS item_id, false AS stored, false AS relinked, true AS fresh
    FROM stage_sources WHERE 'sources' = ANY ($1)
    UNION ALL
    SELECT 'actors', id, false, false, true FROM stage_actors WHERE 'actors' = ANY ($1)
    UNION ALL
    SELECT 'events', id, false, false, true FROM stage_events WHERE 'events' = ANY ($1)
    UNION ALL
    SELECT 'deals', id, false, false, true FROM stage_deals WHERE 'deals' = ANY ($1)
    UNION ALL
    SELECT 'relationship-periods', id, false, false, true FROM stage_periods WHERE 'relationship-periods' = ANY ($1)
    UNION ALL
    SELECT 'sources', s.id, t.id IS NOT NULL, false, false
    FROM stage_sources s LEFT JOIN LATERAL (SELECT * FROM sources t WHERE t.id = s.id LIMIT 1) t ON true
    WHERE NOT 'sources' = ANY ($1) AND (t.id IS NULL
       OR (t.url, t.title, t.publisher, t.original_publisher, t.published_on, t.language, t.disclosures, t.notes)
          IS DISTINCT FROM
          (s.url, s.title, s.publisher, s.original_publisher, s.published_on, s.language, s.disclosures, s.notes))
    UNION ALL
    SELECT 'actors', s.id, t.id IS NOT NULL, l.item_id IS NOT NULL, false
    FROM stage_actors s LEFT JOIN LATERAL (SELECT * FROM actors t WHERE t.id = s.id LIMIT 1) t ON true
    LEFT JOIN stage_relinked l ON l.collection = 'actors' AND l.item_id = s.id
    WHERE NOT 'actors' = ANY ($1) AND (t.id IS NULL OR l.item_id IS NOT NULL
       OR (t.kind, t.name, t.aliases, t.country::text, t.role, t.description, t.parent_id, t.external_ids)
          IS DISTINCT FROM
          (s.kind, s.name, s.aliases, s.country, s.role, s.description, s.parent_id, s.external_ids::jsonb))
    UNION ALL
    SELECT 'events', s.id, t.id IS NOT NULL, l.item_id IS NOT NULL, false
    FROM stage_events s JOIN event_types et ON et.id = s.type LEFT JOIN LATERAL (SELECT * FROM events t WHERE t.id = s.id LIMIT 1) t ON true
    LEFT JOIN stage_relinked l ON l.collection = 'events' AND l.item_id = s.id
    WHERE NOT 'events' = ANY ($1) AND (t.id IS NULL OR l.item_id IS NOT NULL
       OR (t.type, t.cameo_code, t.title, t.summary, t.status, t.start_date, t.start_precision, t.end_date,
           t.end_precision, t.date_inferred, t.date_note, t.location_name, t.location_country::text,
           t.related_event_id, t.relation, t.sectors, t.quantities, t.external_ids, t.num_mentions, t.num_sources,
           t.num_articles, t.avg_tone, t.location_lat, t.location_lon)
          IS DISTINCT FROM
          (s.type, coalesce(s.cameo_code, et.cameo_code), s.title, s.summary, s.status, s.start_date,
           s.start_precision, s.end_date, s.end_precision, s.date_inferred, s.date_note, s.location_name,
           s.location_country, s.related_event_id, s.relation, s.sectors::text[], s.quantities::jsonb,
           coalesce(s.external_ids::jsonb, '{}'), s.num_mentions, s.num_sources, s.num_articles, s.avg_tone,
           s.location_lat, s.location_lon))
    UNION ALL
    SELECT 'deals', s.id, t.id IS NOT NULL, l.item_id IS NOT NULL, false
    FROM stage_deals s LEFT JOIN LATERAL (SELECT * FROM deals t WHERE t.id = s.id LIMIT 1) t ON true
    LEFT JOIN stage_relinked l ON l.collection = 'deals' AND l.item_id = s.id
    WHERE NOT 'deals' = ANY ($1) AND (t.id IS NULL OR l.item_id IS NOT NULL
       OR (t.kind, t.title, t.summary, t.status, t.signed_on, t.date_precision, t.date_inferred, t.date_note, t.count,
           t.amount, t.currency::text, t.value_text, t.value_basis, t.value_qualifier, t.value_period, t.horizon_years,
           t.value_usd, t.usd_method, t.usd_rate, t.usd_rate_date, t.usd_note, t.event_id, t.part_of, t.sectors)
          IS DISTINCT FROM
          (s.kind, s.title, s.summary, s.status, s.signed_on, s.date_precision, s.date_inferred, s.date_note, s.count,
           s.amount, s.currency, s.value_text, s.value_basis, s.value_qualifier, s.value_period, s.horizon_years,
           s.value_usd, s.usd_method, s.usd_rate, s.usd_rate_date, s.usd_note, s.event_id, s.part_of, s.sectors::text[]))
    UNION ALL
    SELECT 'relationship-periods', s.id, t.id IS NOT NULL, l.item_id IS NOT NULL, false
    FROM stage_periods s LEFT JOIN LATERAL (SELECT * FROM relationship_periods t WHERE t.id = s.id LIMIT 1) t ON true
    LEFT JOIN stage_relinked l ON l.collection = 'relationship-periods' AND l.item_id = s.id
    WHERE NOT 'relationship-periods' = ANY ($1) AND (t.id IS NULL OR l.item_id IS NOT NULL
       OR (t.country_a::text, t.country_b::text, t.valid_from, t.valid_from_precision, t.valid_to, t.status, t.trend,
           t.summary)
          IS DISTINCT FROM
          (s.country_a, s.country_b, s.valid_from, s.valid_from_precision, s.valid_to, s.status, s.trend, s.summary))
) x
-- In key order: the temporary table's primary key then grows at its right edge.
ORDER BY 1, 2;

-- name: imports.fresh_collections
-- The collections that hold neither an item nor a revision (a deleted item keeps its history).
SELECT array_remove(ARRAY[
    CASE WHEN NOT EXISTS (SELECT FROM sources) AND NOT EXISTS (SELECT FROM revisions WHERE collection = 'sources')
         THEN 'sources' END,
    CASE WHEN NOT EXISTS (SELECT FROM actors) AND NOT EXISTS (SELECT FROM revisions WHERE collection = 'actors')
         THEN 'actors' END,
    CASE WHEN NOT EXISTS (SELECT FROM events) AND NOT EXISTS (SELECT FROM revisions WHERE collection = 'events')
         THEN 'events' END,
    CASE WHEN NOT EXISTS (SELECT FROM deals) AND NOT EXISTS (SELECT FROM revisions WHERE collection = 'deals')
         THEN 'deals' END,
    CASE WHEN NOT EXISTS (SELECT FROM relationship_periods)
              AND NOT EXISTS (SELECT FROM revisions WHERE collection = 'relationship-periods')
         THEN 'relationship-periods' END
], NULL);

-- name: imports.changed_counts
-- How many items of each collection the load writes.
SELECT collection, count(*) AS items FROM stage_changes GROUP BY collection;

-- name: imports.reached
-- Every item the staged changes reach directly whose revision must be worked out by comparison:
-- the changed items that are not unseen (all of them when $1), the events their deals hang on
-- before and after, and the open periods a staged open period will close.
SELECT collection, item_id, unseen FROM stage_changes WHERE $1 OR NOT unseen
UNION ALL
SELECT x.collection, x.item_id, false FROM (
    SELECT 'events' AS collection, d.event_id AS item_id
    FROM deals d JOIN stage_changes c ON c.collection = 'deals' AND c.item_id = d.id
    WHERE d.event_id IS NOT NULL
    UNION
    SELECT 'events', s.event_id
    FROM stage_deals s JOIN stage_changes c ON c.collection = 'deals' AND c.item_id = s.id
    WHERE s.event_id IS NOT NULL
    UNION
    SELECT 'relationship-periods', o.id
    FROM relationship_periods o JOIN stage_periods p ON o.country_a = p.country_a AND o.country_b = p.country_b
    WHERE o.valid_to IS NULL AND p.valid_to IS NULL AND o.valid_from < p.valid_from
) x
WHERE NOT EXISTS (SELECT FROM stage_changes c WHERE c.collection = x.collection AND c.item_id = x.item_id);

-- name: imports.record_unseen
-- The first revision of every unseen item: it was just inserted at revision 1, so there is
-- nothing to compare. Collection by collection, as revisions.record orders them.
-- Returns how many each collection got.
WITH recorded AS (
    INSERT INTO revisions (collection, item_id, revision, op, key_name)
    SELECT collection, item_id, 1, 'create', $1
    FROM stage_changes WHERE unseen
    ORDER BY array_position(ARRAY['sources', 'actors', 'events', 'deals', 'relationship-periods'], collection),
             item_id
    RETURNING collection
)
SELECT collection, count(*) AS items FROM recorded GROUP BY collection;

-- name: imports.replace_links
-- Remove the members, citations and drivers of the items whose links change.
WITH p_del AS (DELETE FROM event_participants t USING stage_relinked r
               WHERE r.collection = 'events' AND t.event_id = r.item_id),
     d_del AS (DELETE FROM deal_parties t USING stage_relinked r WHERE r.collection = 'deals' AND t.deal_id = r.item_id),
     es_del AS (DELETE FROM event_sources t USING stage_relinked r
                WHERE r.collection = 'events' AND t.event_id = r.item_id),
     ds_del AS (DELETE FROM deal_sources t USING stage_relinked r WHERE r.collection = 'deals' AND t.deal_id = r.item_id),
     as_del AS (DELETE FROM actor_sources t USING stage_relinked r
                WHERE r.collection = 'actors' AND t.actor_id = r.item_id),
     ps_del AS (DELETE FROM period_sources t USING stage_relinked r
                WHERE r.collection = 'relationship-periods' AND t.period_id = r.item_id)
DELETE FROM period_events t USING stage_relinked r
WHERE r.collection = 'relationship-periods' AND t.period_id = r.item_id;

-- name: imports.insert_links
-- Write the staged members, citations and drivers of the items whose links change.
-- $1: the load's fresh collections. Every staged item of one is new, so all its links are
-- written, with no lookup of its changes (a third of this statement on a large load).
WITH m AS NOT MATERIALIZED (
    SELECT s.* FROM stage_members s
    WHERE s.collection = ANY ($1)
       OR EXISTS (SELECT FROM stage_changes r
                  WHERE r.collection = s.collection AND r.item_id = s.item_id AND r.relinked)
), c AS NOT MATERIALIZED (
    SELECT s.* FROM stage_citations s
    WHERE s.collection = ANY ($1)
       OR EXISTS (SELECT FROM stage_changes r
                  WHERE r.collection = s.collection AND r.item_id = s.item_id AND r.relinked)
), p AS (
    INSERT INTO event_participants (event_id, ordinal, role, country, actor_id)
    SELECT item_id, ordinal, role, country, actor_id FROM m WHERE collection = 'events'
), d AS (
    INSERT INTO deal_parties (deal_id, ordinal, role, country, actor_id)
    SELECT item_id, ordinal, role, country, actor_id FROM m WHERE collection = 'deals'
), es AS (
    INSERT INTO event_sources (event_id, source_id, attribution, ordinal)
    SELECT item_id, source_id, attribution, ordinal FROM c WHERE collection = 'events'
), ds AS (
    INSERT INTO deal_sources (deal_id, source_id, attribution, ordinal)
    SELECT item_id, source_id, attribution, ordinal FROM c WHERE collection = 'deals'
), acs AS (
    INSERT INTO actor_sources (actor_id, source_id, attribution, ordinal)
    SELECT item_id, source_id, attribution, ordinal FROM c WHERE collection = 'actors'
), ps AS (
    INSERT INTO period_sources (period_id, source_id, attribution, ordinal)
    SELECT item_id, source_id, attribution, ordinal FROM c WHERE collection = 'relationship-periods'
)
INSERT INTO period_events (period_id, event_id, ordinal)
SELECT s.period_id, s.event_id, s.ordinal
FROM stage_drivers s
WHERE 'relationship-periods' = ANY ($1)
   OR EXISTS (SELECT FROM stage_changes r
              WHERE r.collection = 'relationship-periods' AND r.item_id = s.period_id AND r.relinked);

-- name: imports.may_skip_row_checks
-- Whether this role may turn off row-level foreign key triggers for its transaction.
SELECT current_setting('is_superuser') = 'on' OR has_parameter_privilege('session_replication_role', 'SET');

-- name: imports.row_checks
-- 'replica' skips foreign key triggers until 'origin' turns them back on (this transaction only).
SELECT set_config('session_replication_role', $1, true);

-- name: imports.lock_references
-- What staged rows point at, locked as a foreign key check would lock it, so that no other
-- transaction can delete it before this one commits.
WITH s AS (
    SELECT 1 FROM sources WHERE id IN (SELECT source_id FROM stage_citations) FOR KEY SHARE
), a AS (
    SELECT 1 FROM actors
    WHERE id IN (SELECT actor_id FROM stage_members UNION SELECT parent_id FROM stage_actors)
    FOR KEY SHARE
), e AS (
    SELECT 1 FROM events
    WHERE id IN (SELECT related_event_id FROM stage_events UNION SELECT event_id FROM stage_deals
                 UNION SELECT event_id FROM stage_drivers)
    FOR KEY SHARE
), d AS (
    SELECT 1 FROM deals WHERE id IN (SELECT part_of FROM stage_deals) FOR KEY SHARE
)
SELECT (SELECT count(*) FROM s) + (SELECT count(*) FROM a) + (SELECT count(*) FROM e) + (SELECT count(*) FROM d);

-- name: imports.statement_timeout
-- Bulk loads run statements longer than a request may; this holds for their transaction only.
SELECT set_config('statement_timeout', $1, true);

-- name: imports.analyze_staging
-- Fresh statistics, so the checks below join the staged rows by hash, not row by row. Row
-- counts and rough distinct counts are all they need: see imports.statistics_target.
ANALYZE stage_sources, stage_actors, stage_events, stage_deals, stage_periods, stage_members, stage_citations,
        stage_drivers;

-- name: imports.statistics_target
-- Set how many rows ANALYZE samples (300 per unit) for this transaction; returns the setting it
-- replaces. A staging table needs a tenth of the usual sample, which takes a fifth of the time.
SELECT s.setting, set_config('default_statistics_target', $1, true)
FROM pg_settings s WHERE s.name = 'default_statistics_target';

-- name: imports.analyze_written
-- After a large load the planner must know the tables grew, or it plans the rest for empty ones.
ANALYZE sources, actors, events, deals, relationship_periods, event_participants, deal_parties,
        event_sources, deal_sources;

-- name: imports.bulk_memory
-- A large load sorts and hashes hundreds of thousands of rows per statement and may rebuild
-- indexes: room enough to do it in memory, for this transaction only.
SELECT set_config('work_mem', '256MB', true), set_config('maintenance_work_mem', '512MB', true);

-- name: imports.table_rows
-- How many rows each table holds, from the planner's statistics (0 when never counted).
SELECT c.oid::regclass::text AS name, greatest(c.reltuples, 0)::bigint AS rows
FROM pg_class c WHERE c.oid = ANY ($1::text[]::regclass[]);

-- name: imports.drop_secondary_indexes
SELECT drop_secondary_indexes($1::text[]::regclass[], $2);

-- name: imports.create_indexes
SELECT create_indexes($1::text[]);

-- name: imports.run_deferred_checks
-- Run now the deferred checks (references to events and deals, period overlaps) that rows written
-- with row checks on have queued for the commit: PostgreSQL refuses to alter a table with checks
-- still queued on it, as pausing or resuming its rollup does. defer_checks follows it.
SET CONSTRAINTS ALL IMMEDIATE;

-- name: imports.defer_checks
-- Later writes are checked at commit again: every deferrable constraint here is initially deferred.
SET CONSTRAINTS ALL DEFERRED;

-- name: imports.pause_rollup
-- Only inside a load that holds the table exclusively (drop_secondary_indexes): resume_rollup
-- counts its rollup again before the transaction ends.
SELECT pause_rollup($1::text::regclass);

-- name: imports.resume_rollup
SELECT resume_rollup($1::text::regclass);


-- name: imports.drop_unreferenced_keys
-- Only after drop_secondary_indexes has locked the tables.
SELECT drop_unreferenced_keys($1::text[]::regclass[]);
