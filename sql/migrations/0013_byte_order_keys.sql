-- Identifiers, codes and pairs compare byte by byte (collation "C"). They are all ASCII, so
-- their order is the same as under a UTF-8 collation, but a comparison is a memcmp rather than
-- a call into the C library's collation, and sorts may use abbreviated keys. Every primary key,
-- link key, filter array and pair index is built and probed with such comparisons: a bulk load
-- of a million records spent a sixth less time with them, most of it in index builds, in the
-- events upsert and in counting the rollups. Words people read (names, titles) keep the
-- database's collation.
--
-- A column that a view or a function body reads cannot change its collation, so the views, the
-- functions whose bodies read a table, and whatever reads those, are set aside and made again
-- from their own definitions afterwards.

CREATE TEMP TABLE set_aside (oid oid, kind char, name text, definition text) ON COMMIT DROP;

WITH RECURSIVE reached (classid, objid) AS (
    SELECT 'pg_class'::regclass::oid, c.oid
    FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'v'
    UNION
    SELECT 'pg_proc'::regclass::oid, d.objid
    FROM pg_depend d JOIN pg_class c ON c.oid = d.refobjid
    WHERE d.classid = 'pg_proc'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid <> 0
      AND c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
    UNION
    SELECT CASE WHEN d.classid = 'pg_rewrite'::regclass THEN 'pg_class'::regclass::oid ELSE d.classid END,
           CASE WHEN d.classid = 'pg_rewrite'::regclass THEN r.ev_class ELSE d.objid END
    FROM reached x
    JOIN pg_depend d ON d.refclassid = x.classid AND d.refobjid = x.objid AND d.deptype = 'n'
    LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
    WHERE d.classid IN ('pg_rewrite'::regclass, 'pg_proc'::regclass)
)
INSERT INTO set_aside
SELECT c.oid, 'v', c.oid::regclass::text, format('CREATE VIEW %s AS %s', c.oid::regclass, pg_get_viewdef(c.oid))
FROM reached x JOIN pg_class c ON x.classid = 'pg_class'::regclass AND c.oid = x.objid
WHERE c.relkind = 'v'
UNION ALL
SELECT p.oid, 'f', p.oid::regprocedure::text, pg_get_functiondef(p.oid)
FROM reached x JOIN pg_proc p ON x.classid = 'pg_proc'::regclass AND p.oid = x.objid;

DO $$
DECLARE
    item record;
BEGIN
    FOR item IN SELECT * FROM set_aside ORDER BY oid DESC LOOP
        EXECUTE format('DROP %s IF EXISTS %s CASCADE', CASE item.kind WHEN 'v' THEN 'VIEW' ELSE 'FUNCTION' END,
                       item.name);
    END LOOP;
END $$;

-- Each table altered once, keeping every column's type: the reference tables first, then the
-- tables that point at them.
DO $$
DECLARE
    altered record;
BEGIN
    FOR altered IN
        SELECT split_part(k.name, '.', 1) AS tab,
               string_agg(format('ALTER COLUMN %I TYPE %s COLLATE "C"', a.attname,
                                 format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY k.n) AS clauses
        FROM unnest(ARRAY[
            'countries.code', 'country_aliases.code', 'country_codes.alpha2', 'currencies.code', 'sectors.id',
            'cameo_codes.code', 'event_types.id', 'event_types.cameo_code',
            'sources.id', 'actors.id', 'actors.parent_id', 'actors.country', 'actor_sources.actor_id',
            'actor_sources.source_id',
            'events.id', 'events.type', 'events.cameo_code', 'events.location_country',
            'events.related_event_id', 'events.sectors', 'events.countries', 'events.pairs', 'events.initiators', 'events.targets',
            'events.actor_ids', 'event_participants.event_id', 'event_participants.role',
            'event_participants.country', 'event_participants.actor_id', 'event_sources.event_id',
            'event_sources.source_id',
            'deals.id', 'deals.kind', 'deals.currency', 'deals.event_id', 'deals.part_of', 'deals.sectors',
            'deals.countries', 'deals.pairs', 'deals.actor_ids', 'deal_parties.deal_id', 'deal_parties.role',
            'deal_parties.country', 'deal_parties.actor_id', 'deal_sources.deal_id', 'deal_sources.source_id',
            'relationship_periods.id', 'relationship_periods.country_a', 'relationship_periods.country_b',
            'period_events.period_id', 'period_events.event_id', 'period_sources.period_id',
            'period_sources.source_id',
            'revisions.collection', 'revisions.item_id',
            'pair_days.pair', 'pair_deal_days.pair', 'pair_activity.pair', 'pair_activity.country_a',
            'pair_activity.country_b'
        ]) WITH ORDINALITY AS k (name, n)
        JOIN pg_attribute a ON a.attrelid = split_part(k.name, '.', 1)::regclass
                           AND a.attname = split_part(k.name, '.', 2)
        GROUP BY 1 ORDER BY min(k.n)
    LOOP
        EXECUTE format('ALTER TABLE %I %s', altered.tab, altered.clauses);
    END LOOP;
END $$;

-- The set-aside objects again, each once everything it reads exists (a few rounds at most).
DO $$
DECLARE
    item    record;
    pending integer;
    made    integer;
BEGIN
    LOOP
        SELECT count(*) INTO pending FROM set_aside;
        EXIT WHEN pending = 0;
        made := 0;
        FOR item IN SELECT * FROM set_aside ORDER BY oid LOOP
            BEGIN
                EXECUTE item.definition;
                DELETE FROM set_aside WHERE oid = item.oid AND kind = item.kind;
                made := made + 1;
            EXCEPTION WHEN undefined_table OR undefined_function THEN
                NULL;  -- reads something not made again yet: next round
            END;
        END LOOP;
        IF made = 0 THEN
            RAISE EXCEPTION 'could not make again: %', (SELECT string_agg(name, ', ') FROM set_aside);
        END IF;
    END LOOP;
END $$;
