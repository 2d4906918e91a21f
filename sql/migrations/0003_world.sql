-- The facts the service serves: sources, actors, events, deals and relationship-status periods.

INSERT INTO event_types (id, name, cameo_code, plover_type, description) VALUES
    ('statement', 'Statement', '010', NULL, 'A public statement, announcement or policy remark.'),
    ('summit', 'Summit', '040', 'CONSULT', 'A meeting of heads of state or government.'),
    ('visit', 'Visit', '042', 'CONSULT', 'An official or business visit to another country.'),
    ('negotiation', 'Negotiation', '046', 'CONSULT', 'Talks towards an agreement.'),
    ('agreement_signed', 'Agreement signed', '057', 'AGREE', 'A formal agreement, MOU or treaty signed.'),
    ('trade_mission', 'Trade mission', '061', 'COOPERATE',
     'A trade mission, export promotion or investment attraction event.'),
    ('economic_cooperation', 'Economic cooperation', '061', 'COOPERATE',
     'Material economic cooperation not covered by a deal record.'),
    ('opposition', 'Protest or opposition', '111', 'ACCUSE',
     'A government or organisation criticises or objects to another party''s action.'),
    ('protest', 'Demonstration', '141', 'PROTEST', 'A street protest or demonstration.'),
    ('threat', 'Threat', '130', 'THREATEN', 'A threat, including a conditional threat of force.'),
    ('postponement', 'Postponement', '160', 'SANCTION',
     'A planned meeting, visit or exchange is put off; relations are scaled down.'),
    ('cancellation', 'Cancellation', '160', 'SANCTION', 'A planned meeting, visit or exchange is called off.'),
    ('sanction', 'Sanction', '163', 'SANCTION', 'Sanctions imposed on a country, body or person.'),
    ('export_control', 'Export control', '163', 'SANCTION',
     'A ban or licence requirement on exports to a country or to some of its end users.'),
    ('boycott', 'Boycott', '163', 'SANCTION', 'An official or unofficial boycott of another country''s goods.'),
    ('military_deployment', 'Military deployment', '154', 'MOBILIZE',
     'Forces or weapons systems deployed or reinforced.');

ALTER TABLE event_types ADD FOREIGN KEY (cameo_code) REFERENCES cameo_codes;

-- Text joining for generated search columns (array_to_string is only STABLE).
CREATE FUNCTION join_words(text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN coalesce(array_to_string($1, ' '), '');

-- The first day after a date given with a precision: 2017 (year) ends before 2018-01-01.
CREATE FUNCTION precision_end(d date, p text) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (d + CASE p WHEN 'day' THEN interval '1 day' WHEN 'week' THEN interval '7 days'
                       WHEN 'month' THEN interval '1 month' ELSE interval '1 year' END)::date;

-- The days an event covers: its dates widened by their precision; open-ended while ongoing.
CREATE FUNCTION event_span(start_date date, start_precision text, end_date date, end_precision text,
                           status text) RETURNS daterange
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN daterange(start_date,
                     CASE WHEN end_date IS NOT NULL THEN precision_end(end_date, end_precision)
                          WHEN status = 'ongoing' THEN NULL
                          ELSE precision_end(start_date, start_precision) END);

CREATE FUNCTION relationship_rank(status text) RETURNS smallint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (array_position(ARRAY['hostile', 'frozen', 'strained', 'normal', 'cordial', 'close'], status) - 1);

CREATE TABLE sources (
    id                 text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,127}$'),
    url                text CHECK (url ~ '^https?://'),
    title              text NOT NULL CHECK (title <> ''),
    publisher          text NOT NULL CHECK (publisher <> ''),
    original_publisher text,
    published_on       date NOT NULL,
    language           text NOT NULL DEFAULT 'en',
    disclosures        text[] NOT NULL DEFAULT '{}',
    notes              text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    revision           integer NOT NULL DEFAULT 1 CHECK (revision >= 1)
);
CREATE INDEX sources_published ON sources (published_on DESC, id DESC);

CREATE TABLE actors (
    id           text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,127}$'),
    kind         text NOT NULL CHECK (kind IN ('person', 'company', 'government_body', 'business_association',
                                              'province', 'military', 'media', 'organisation')),
    name         text NOT NULL CHECK (name <> ''),
    aliases      text[] NOT NULL DEFAULT '{}',
    country      char(2) REFERENCES countries,
    role         text,
    description  text NOT NULL DEFAULT '',
    parent_id    text REFERENCES actors DEFERRABLE INITIALLY DEFERRED,
    external_ids jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(external_ids) = 'object'),
    search       tsvector GENERATED ALWAYS AS (
                     to_tsvector('simple', name || ' ' || join_words(aliases))) STORED,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    revision     integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
    CHECK (parent_id <> id)
);
CREATE INDEX actors_name ON actors (name, id);
CREATE INDEX actors_country ON actors (country, name, id);
CREATE INDEX actors_search ON actors USING gin (search);

CREATE TABLE actor_sources (
    actor_id    text NOT NULL REFERENCES actors ON DELETE CASCADE,
    source_id   text NOT NULL REFERENCES sources,
    attribution text,
    ordinal     smallint NOT NULL,
    PRIMARY KEY (actor_id, source_id)
);

CREATE TABLE events (
    id               text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,127}$'),
    type             text NOT NULL REFERENCES event_types,
    cameo_code       text NOT NULL REFERENCES cameo_codes,
    title            text NOT NULL CHECK (title <> ''),
    summary          text NOT NULL DEFAULT '',
    status           text NOT NULL CHECK (status IN ('scheduled', 'occurred', 'ongoing', 'postponed', 'cancelled')),
    start_date       date NOT NULL,
    start_precision  text NOT NULL CHECK (start_precision IN ('day', 'week', 'month', 'year')),
    end_date         date,
    end_precision    text CHECK (end_precision IN ('day', 'week', 'month', 'year')),
    date_inferred    boolean NOT NULL DEFAULT false,
    date_note        text,
    location_name    text,
    location_country char(2) REFERENCES countries,
    related_event_id text REFERENCES events DEFERRABLE INITIALLY DEFERRED,
    relation         text CHECK (relation IN ('postpones', 'reschedules', 'replaces', 'responds_to', 'part_of')),
    sectors          text[] NOT NULL DEFAULT '{}',
    quantities       jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(quantities) = 'array'),
    -- Derived from the participants when an event is written (imports.upsert_events); they let one
    -- GIN index answer country, pair, direction and actor filters.
    countries        text[] NOT NULL DEFAULT '{}',
    pairs            text[] NOT NULL DEFAULT '{}',
    initiators       text[] NOT NULL DEFAULT '{}',
    targets          text[] NOT NULL DEFAULT '{}',
    actor_ids        text[] NOT NULL DEFAULT '{}',
    span             daterange NOT NULL GENERATED ALWAYS AS (
                         event_span(start_date, start_precision, end_date, end_precision, status)) STORED,
    search           tsvector GENERATED ALWAYS AS (
                         to_tsvector('english', title || ' ' || summary || ' ' || coalesce(location_name, '')))
                         STORED,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    revision         integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
    CHECK (end_date IS NULL OR end_date >= start_date),
    CHECK ((end_date IS NULL) = (end_precision IS NULL)),
    CHECK ((related_event_id IS NULL) = (relation IS NULL)),
    CHECK (related_event_id <> id)
);
CREATE INDEX events_date ON events (start_date DESC, id DESC);
CREATE INDEX events_type_date ON events (type, start_date DESC, id DESC);
CREATE INDEX events_countries ON events USING gin (countries);
CREATE INDEX events_pairs ON events USING gin (pairs);
CREATE INDEX events_initiators ON events USING gin (initiators);
CREATE INDEX events_targets ON events USING gin (targets);
CREATE INDEX events_actor_ids ON events USING gin (actor_ids);
CREATE INDEX events_sectors ON events USING gin (sectors);
CREATE INDEX events_span ON events USING gist (span);
CREATE INDEX events_search ON events USING gin (search);
CREATE INDEX events_related ON events (related_event_id) WHERE related_event_id IS NOT NULL;

CREATE TABLE event_participants (
    event_id text NOT NULL REFERENCES events ON DELETE CASCADE,
    ordinal  smallint NOT NULL,
    role     text NOT NULL CHECK (role IN ('initiator', 'target', 'host', 'participant', 'affected')),
    country  char(2) REFERENCES countries,
    actor_id text REFERENCES actors,
    PRIMARY KEY (event_id, ordinal),
    UNIQUE NULLS NOT DISTINCT (event_id, role, country, actor_id),
    CHECK (country IS NOT NULL OR actor_id IS NOT NULL)
);
CREATE INDEX event_participants_actor ON event_participants (actor_id) WHERE actor_id IS NOT NULL;

CREATE TABLE event_sources (
    event_id    text NOT NULL REFERENCES events ON DELETE CASCADE,
    source_id   text NOT NULL REFERENCES sources,
    attribution text,
    ordinal     smallint NOT NULL,
    PRIMARY KEY (event_id, source_id)
);
CREATE INDEX event_sources_source ON event_sources (source_id);

CREATE TABLE deals (
    id              text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,127}$'),
    kind            text NOT NULL CHECK (kind IN ('export_contract', 'import_contract', 'mou', 'investment',
                                                 'joint_venture', 'trade_agreement', 'loan', 'procurement',
                                                 'licence', 'other')),
    title           text NOT NULL CHECK (title <> ''),
    summary         text NOT NULL DEFAULT '',
    status          text NOT NULL CHECK (status IN ('announced', 'signed', 'in_force', 'completed', 'suspended',
                                                   'cancelled')),
    signed_on       date NOT NULL,
    date_precision  text NOT NULL CHECK (date_precision IN ('day', 'week', 'month', 'year')),
    date_inferred   boolean NOT NULL DEFAULT false,
    date_note       text,
    count           integer NOT NULL DEFAULT 1 CHECK (count >= 1),
    amount          numeric CHECK (amount >= 0),
    currency        char(3) REFERENCES currencies,
    value_text      text,
    value_basis     text CHECK (value_basis IN ('actual_total', 'target', 'ceiling', 'estimate')),
    value_qualifier text CHECK (value_qualifier IN ('exact', 'approximately', 'at_least', 'at_most')),
    value_period    text CHECK (value_period IN ('total', 'annual')),
    horizon_years   numeric CHECK (horizon_years > 0),
    value_usd       numeric CHECK (value_usd >= 0),
    usd_method      text CHECK (usd_method IN ('reported', 'ecb')),
    usd_rate        numeric CHECK (usd_rate > 0),
    usd_rate_date   date,
    usd_note        text,
    event_id        text REFERENCES events,
    part_of         text REFERENCES deals DEFERRABLE INITIALLY DEFERRED,
    sectors         text[] NOT NULL DEFAULT '{}',
    countries       text[] NOT NULL DEFAULT '{}',
    pairs           text[] NOT NULL DEFAULT '{}',
    actor_ids       text[] NOT NULL DEFAULT '{}',
    search          tsvector GENERATED ALWAYS AS (
                        to_tsvector('english', title || ' ' || summary || ' ' || coalesce(value_text, ''))) STORED,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    revision        integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
    CHECK ((amount IS NULL) = (currency IS NULL)),
    CHECK ((amount IS NULL) = (value_basis IS NULL)),
    CHECK ((value_usd IS NULL) = (usd_method IS NULL)),
    CHECK (value_usd IS NULL OR amount IS NOT NULL),
    CHECK (usd_method IS DISTINCT FROM 'ecb' OR (usd_rate IS NOT NULL AND usd_rate_date IS NOT NULL)),
    CHECK (part_of <> id)
);
CREATE INDEX deals_date ON deals (signed_on DESC, id DESC);
CREATE INDEX deals_kind_date ON deals (kind, signed_on DESC, id DESC);
CREATE INDEX deals_value_usd ON deals (value_usd);
CREATE INDEX deals_countries ON deals USING gin (countries);
CREATE INDEX deals_pairs ON deals USING gin (pairs);
CREATE INDEX deals_actor_ids ON deals USING gin (actor_ids);
CREATE INDEX deals_sectors ON deals USING gin (sectors);
CREATE INDEX deals_search ON deals USING gin (search);
CREATE INDEX deals_event ON deals (event_id) WHERE event_id IS NOT NULL;
CREATE INDEX deals_part_of ON deals (part_of) WHERE part_of IS NOT NULL;

CREATE TABLE deal_parties (
    deal_id  text NOT NULL REFERENCES deals ON DELETE CASCADE,
    ordinal  smallint NOT NULL,
    role     text NOT NULL CHECK (role IN ('exporter', 'importer', 'buyer', 'seller', 'investor', 'recipient',
                                           'partner', 'lender', 'borrower')),
    country  char(2) REFERENCES countries,
    actor_id text REFERENCES actors,
    PRIMARY KEY (deal_id, ordinal),
    UNIQUE NULLS NOT DISTINCT (deal_id, role, country, actor_id),
    CHECK (country IS NOT NULL OR actor_id IS NOT NULL)
);
CREATE INDEX deal_parties_actor ON deal_parties (actor_id) WHERE actor_id IS NOT NULL;

CREATE TABLE deal_sources (
    deal_id     text NOT NULL REFERENCES deals ON DELETE CASCADE,
    source_id   text NOT NULL REFERENCES sources,
    attribution text,
    ordinal     smallint NOT NULL,
    PRIMARY KEY (deal_id, source_id)
);
CREATE INDEX deal_sources_source ON deal_sources (source_id);

-- A pair's status over time: [valid_from, valid_to), valid_to NULL while the period is open.
CREATE TABLE relationship_periods (
    id                   text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,127}$'),
    country_a            char(2) NOT NULL REFERENCES countries,
    country_b            char(2) NOT NULL REFERENCES countries,
    valid_from           date NOT NULL,
    valid_from_precision text NOT NULL DEFAULT 'day'
                             CHECK (valid_from_precision IN ('day', 'week', 'month', 'year')),
    valid_to             date,
    status               text NOT NULL CHECK (status IN ('hostile', 'frozen', 'strained', 'normal', 'cordial',
                                                         'close')),
    trend                text NOT NULL CHECK (trend IN ('deteriorating', 'steady', 'improving')),
    summary              text NOT NULL CHECK (summary <> ''),
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    revision             integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
    CHECK (country_a < country_b),
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX relationship_periods_pair_from ON relationship_periods (country_a, country_b, valid_from);
CREATE INDEX relationship_periods_b ON relationship_periods (country_b, country_a, valid_from);

-- Periods of one pair never overlap. An exclusion constraint would need btree_gist, which the
-- embedded PostgreSQL lacks, so a deferred trigger checks it under a per-pair lock instead.
CREATE FUNCTION relationship_periods_no_overlap() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('relationship:' || NEW.country_a || '-' || NEW.country_b));
    IF EXISTS (
        SELECT 1 FROM relationship_periods p
        WHERE p.country_a = NEW.country_a AND p.country_b = NEW.country_b AND p.id <> NEW.id
          AND daterange(p.valid_from, p.valid_to) && daterange(NEW.valid_from, NEW.valid_to)
    ) THEN
        RAISE EXCEPTION 'relationship periods of % overlap', NEW.country_a || '-' || NEW.country_b
            USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'relationship_periods_no_overlap';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER relationship_periods_no_overlap
    AFTER INSERT OR UPDATE ON relationship_periods
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION relationship_periods_no_overlap();

CREATE TABLE period_events (
    period_id text NOT NULL REFERENCES relationship_periods ON DELETE CASCADE,
    event_id  text NOT NULL REFERENCES events,
    ordinal   smallint NOT NULL,
    PRIMARY KEY (period_id, event_id)
);
CREATE INDEX period_events_event ON period_events (event_id);

CREATE TABLE period_sources (
    period_id   text NOT NULL REFERENCES relationship_periods ON DELETE CASCADE,
    source_id   text NOT NULL REFERENCES sources,
    attribution text,
    ordinal     smallint NOT NULL,
    PRIMARY KEY (period_id, source_id)
);

-- Activity per pair, kept current by pairs.refresh after writes, so that /v1/pairs lists pairs
-- by recent activity from an index instead of aggregating every event on each request.
CREATE TABLE pair_activity (
    pair          text PRIMARY KEY CHECK (pair ~ '^[A-Z]{2}-[A-Z]{2}$'),
    country_a     char(2) NOT NULL REFERENCES countries,
    country_b     char(2) NOT NULL REFERENCES countries,
    event_count   integer NOT NULL CHECK (event_count >= 0),
    deal_count    integer NOT NULL CHECK (deal_count >= 0),
    last_activity date NOT NULL,
    CHECK (country_a < country_b),
    CHECK (pair = country_a || '-' || country_b)
);
CREATE INDEX pair_activity_recent ON pair_activity (last_activity DESC, pair DESC);
CREATE INDEX pair_activity_a ON pair_activity (country_a, last_activity DESC, pair DESC);
CREATE INDEX pair_activity_b ON pair_activity (country_b, last_activity DESC, pair DESC);
