-- Pair timelines: what happened between two countries, day by day, kept current by triggers so
-- that a timeline or a relationship index reads a few thousand rows instead of every event.

-- One pair's share of one event: the event counts for every pair of countries taking part.
CREATE TYPE pair_contribution AS (
    pair       text,
    day        date,
    quad_class smallint,
    a_to_b     boolean,
    b_to_a     boolean,
    tenths     integer  -- the Goldstein score times ten: CAMEO gives it to one decimal
);

-- Only events that took place count: scheduled, postponed and cancelled ones did not (the
-- postponement itself is an event of its own). An event is dated on its first day; a pair's
-- direction is a -> b when a is among the initiators and b among the targets.
CREATE FUNCTION pair_contributions(e events) RETURNS SETOF pair_contribution
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT p.pair, e.start_date, c.quad_class::smallint,
           e.initiators @> ARRAY[left(p.pair, 2)] AND e.targets @> ARRAY[right(p.pair, 2)],
           e.initiators @> ARRAY[right(p.pair, 2)] AND e.targets @> ARRAY[left(p.pair, 2)],
           -- a code without a score counts as neutral
           (coalesce(c.goldstein, 0) * 10)::int
    FROM unnest(e.pairs) AS p (pair)
    JOIN cameo_codes c ON c.code = e.cameo_code
    WHERE e.status IN ('occurred', 'ongoing')
$$;

CREATE TABLE pair_days (
    pair                 text NOT NULL CHECK (pair ~ '^[A-Z]{2}-[A-Z]{2}$'),
    day                  date NOT NULL,
    -- No CHECK (events >= 0): a removal arrives as a proposed row with negative counts, and
    -- INSERT ... ON CONFLICT checks constraints on it before it finds the row it updates.
    events               integer NOT NULL,
    verbal_cooperation   integer NOT NULL,
    material_cooperation integer NOT NULL,
    verbal_conflict      integer NOT NULL,
    material_conflict    integer NOT NULL,
    a_to_b               integer NOT NULL,
    b_to_a               integer NOT NULL,
    -- Goldstein sums in tenths: exact, so that adding and removing never drifts, and cheap to
    -- read (a numeric would have to be converted to float8 row by row).
    goldstein_tenths        integer NOT NULL,
    goldstein_tenths_a_to_b integer NOT NULL,
    goldstein_tenths_b_to_a integer NOT NULL,
    PRIMARY KEY (pair, day)
);
-- Rows whose last event went away, found without scanning the table.
CREATE INDEX pair_days_empty ON pair_days (pair) WHERE events = 0;

-- Add the contributions in `added` and take away those in `removed`, one row per pair and day.
-- Rows are locked in key order so that concurrent writers cannot deadlock on them.
CREATE FUNCTION pair_days_apply(added pair_contribution[], removed pair_contribution[]) RETURNS void
    LANGUAGE sql AS $$
    WITH delta AS (
        SELECT c.*, 1 AS sign FROM unnest(added) c
        UNION ALL
        SELECT c.*, -1 FROM unnest(removed) c
    ), summed AS (
        SELECT pair, day,
               sum(sign)::int AS events,
               sum(sign) FILTER (WHERE quad_class = 1)::int AS q1,
               sum(sign) FILTER (WHERE quad_class = 2)::int AS q2,
               sum(sign) FILTER (WHERE quad_class = 3)::int AS q3,
               sum(sign) FILTER (WHERE quad_class = 4)::int AS q4,
               sum(sign) FILTER (WHERE a_to_b)::int AS ab,
               sum(sign) FILTER (WHERE b_to_a)::int AS ba,
               sum(sign * tenths)::int AS g,
               sum(sign * tenths) FILTER (WHERE a_to_b)::int AS gab,
               sum(sign * tenths) FILTER (WHERE b_to_a)::int AS gba
        FROM delta GROUP BY pair, day
    )
    INSERT INTO pair_days AS d (pair, day, events, verbal_cooperation, material_cooperation,
                                verbal_conflict, material_conflict, a_to_b, b_to_a, goldstein_tenths,
                                goldstein_tenths_a_to_b, goldstein_tenths_b_to_a)
    SELECT pair, day, events, coalesce(q1, 0), coalesce(q2, 0), coalesce(q3, 0), coalesce(q4, 0),
           coalesce(ab, 0), coalesce(ba, 0), g, coalesce(gab, 0), coalesce(gba, 0)
    FROM summed
    -- An edit that leaves a pair's counts and sums as they were writes nothing.
    WHERE events <> 0 OR q1 <> 0 OR q2 <> 0 OR q3 <> 0 OR q4 <> 0 OR ab <> 0 OR ba <> 0
       OR g <> 0 OR gab <> 0 OR gba <> 0
    ORDER BY pair, day
    ON CONFLICT (pair, day) DO UPDATE SET
        events = d.events + excluded.events,
        verbal_cooperation = d.verbal_cooperation + excluded.verbal_cooperation,
        material_cooperation = d.material_cooperation + excluded.material_cooperation,
        verbal_conflict = d.verbal_conflict + excluded.verbal_conflict,
        material_conflict = d.material_conflict + excluded.material_conflict,
        a_to_b = d.a_to_b + excluded.a_to_b,
        b_to_a = d.b_to_a + excluded.b_to_a,
        goldstein_tenths = d.goldstein_tenths + excluded.goldstein_tenths,
        goldstein_tenths_a_to_b = d.goldstein_tenths_a_to_b + excluded.goldstein_tenths_a_to_b,
        goldstein_tenths_b_to_a = d.goldstein_tenths_b_to_a + excluded.goldstein_tenths_b_to_a;
    -- A second statement, so that it sees the rows the first one emptied.
    DELETE FROM pair_days WHERE events = 0;
$$;

-- Statement-level triggers see every changed row at once, so a bulk import costs one pass.
CREATE FUNCTION pair_days_track() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM pair_days_apply(ARRAY(SELECT c FROM new_rows n, pair_contributions(n) c), '{}');
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM pair_days_apply(ARRAY(SELECT c FROM new_rows n, pair_contributions(n) c),
                                ARRAY(SELECT c FROM old_rows o, pair_contributions(o) c));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM pair_days_apply('{}', ARRAY(SELECT c FROM old_rows o, pair_contributions(o) c));
    ELSE
        TRUNCATE pair_days;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER pair_days_insert AFTER INSERT ON events
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pair_days_track();
CREATE TRIGGER pair_days_update AFTER UPDATE ON events
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pair_days_track();
CREATE TRIGGER pair_days_delete AFTER DELETE ON events
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION pair_days_track();
CREATE TRIGGER pair_days_truncate AFTER TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION pair_days_track();

-- The events already stored.
SELECT pair_days_apply(ARRAY(SELECT c FROM events e, pair_contributions(e) c), '{}');


-- Deals the same way, per pair and signing day: how many, and the USD value of actual and
-- estimated totals apart from targets and ceilings. A deal inside a batch (part_of) counts here
-- but adds no value: whether it should depends on its batch, so timeline.deals adds those few
-- at read time, from the partial index below.
CREATE TYPE deal_contribution AS (
    pair        text,
    day         date,
    usd         numeric,
    usd_targets numeric
);

CREATE FUNCTION deal_contributions(d deals) RETURNS SETOF deal_contribution
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT p.pair, d.signed_on,
           CASE WHEN d.part_of IS NULL AND d.value_basis IN ('actual_total', 'estimate') THEN d.value_usd END,
           CASE WHEN d.part_of IS NULL AND d.value_basis IN ('target', 'ceiling') THEN d.value_usd END
    FROM unnest(d.pairs) AS p (pair)
$$;

CREATE TABLE pair_deal_days (
    pair             text NOT NULL CHECK (pair ~ '^[A-Z]{2}-[A-Z]{2}$'),
    day              date NOT NULL,
    deals            integer NOT NULL,
    deal_usd         numeric NOT NULL,
    deal_usd_targets numeric NOT NULL,
    PRIMARY KEY (pair, day)
);
CREATE INDEX pair_deal_days_empty ON pair_deal_days (pair) WHERE deals = 0;
CREATE INDEX deals_batch_members ON deals USING gin (pairs) WHERE part_of IS NOT NULL;

CREATE FUNCTION pair_deal_days_apply(added deal_contribution[], removed deal_contribution[]) RETURNS void
    LANGUAGE sql AS $$
    WITH delta AS (
        SELECT c.*, 1 AS sign FROM unnest(added) c
        UNION ALL
        SELECT c.*, -1 FROM unnest(removed) c
    ), summed AS (
        SELECT pair, day, sum(sign)::int AS deals, coalesce(sum(sign * usd), 0) AS usd,
               coalesce(sum(sign * usd_targets), 0) AS usd_targets
        FROM delta GROUP BY pair, day
    )
    INSERT INTO pair_deal_days AS d (pair, day, deals, deal_usd, deal_usd_targets)
    SELECT pair, day, deals, usd, usd_targets FROM summed
    WHERE deals <> 0 OR usd <> 0 OR usd_targets <> 0
    ORDER BY pair, day
    ON CONFLICT (pair, day) DO UPDATE SET
        deals = d.deals + excluded.deals,
        deal_usd = d.deal_usd + excluded.deal_usd,
        deal_usd_targets = d.deal_usd_targets + excluded.deal_usd_targets;
    DELETE FROM pair_deal_days WHERE deals = 0;
$$;

CREATE FUNCTION pair_deal_days_track() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM pair_deal_days_apply(ARRAY(SELECT c FROM new_rows n, deal_contributions(n) c), '{}');
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM pair_deal_days_apply(ARRAY(SELECT c FROM new_rows n, deal_contributions(n) c),
                                     ARRAY(SELECT c FROM old_rows o, deal_contributions(o) c));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM pair_deal_days_apply('{}', ARRAY(SELECT c FROM old_rows o, deal_contributions(o) c));
    ELSE
        TRUNCATE pair_deal_days;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER pair_deal_days_insert AFTER INSERT ON deals
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pair_deal_days_track();
CREATE TRIGGER pair_deal_days_update AFTER UPDATE ON deals
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pair_deal_days_track();
CREATE TRIGGER pair_deal_days_delete AFTER DELETE ON deals
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION pair_deal_days_track();
CREATE TRIGGER pair_deal_days_truncate AFTER TRUNCATE ON deals
    FOR EACH STATEMENT EXECUTE FUNCTION pair_deal_days_track();

SELECT pair_deal_days_apply(ARRAY(SELECT c FROM deals d, deal_contributions(d) c), '{}');
