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

ALTER TABLE countries ALTER COLUMN code TYPE char(2) COLLATE "C";
ALTER TABLE country_aliases ALTER COLUMN code TYPE char(2) COLLATE "C";
ALTER TABLE country_codes ALTER COLUMN alpha2 TYPE char(2) COLLATE "C";
ALTER TABLE currencies ALTER COLUMN code TYPE char(3) COLLATE "C";
ALTER TABLE sectors ALTER COLUMN id TYPE text COLLATE "C";
ALTER TABLE cameo_codes ALTER COLUMN code TYPE text COLLATE "C";
ALTER TABLE event_types ALTER COLUMN id TYPE text COLLATE "C",
    ALTER COLUMN cameo_code TYPE text COLLATE "C";

ALTER TABLE sources ALTER COLUMN id TYPE text COLLATE "C";
ALTER TABLE actors ALTER COLUMN id TYPE text COLLATE "C",
    ALTER COLUMN parent_id TYPE text COLLATE "C",
    ALTER COLUMN country TYPE char(2) COLLATE "C";
ALTER TABLE actor_sources ALTER COLUMN actor_id TYPE text COLLATE "C",
    ALTER COLUMN source_id TYPE text COLLATE "C";

ALTER TABLE events ALTER COLUMN id TYPE text COLLATE "C",
    ALTER COLUMN type TYPE text COLLATE "C",
    ALTER COLUMN cameo_code TYPE text COLLATE "C",
    ALTER COLUMN location_country TYPE char(2) COLLATE "C",
    ALTER COLUMN related_event_id TYPE text COLLATE "C",
    ALTER COLUMN sectors TYPE text[] COLLATE "C",
    ALTER COLUMN countries TYPE text[] COLLATE "C",
    ALTER COLUMN pairs TYPE text[] COLLATE "C",
    ALTER COLUMN initiators TYPE text[] COLLATE "C",
    ALTER COLUMN targets TYPE text[] COLLATE "C",
    ALTER COLUMN actor_ids TYPE text[] COLLATE "C";
ALTER TABLE event_participants ALTER COLUMN event_id TYPE text COLLATE "C",
    ALTER COLUMN role TYPE text COLLATE "C",
    ALTER COLUMN country TYPE char(2) COLLATE "C",
    ALTER COLUMN actor_id TYPE text COLLATE "C";
ALTER TABLE event_sources ALTER COLUMN event_id TYPE text COLLATE "C",
    ALTER COLUMN source_id TYPE text COLLATE "C";

ALTER TABLE deals ALTER COLUMN id TYPE text COLLATE "C",
    ALTER COLUMN kind TYPE text COLLATE "C",
    ALTER COLUMN currency TYPE char(3) COLLATE "C",
    ALTER COLUMN event_id TYPE text COLLATE "C",
    ALTER COLUMN part_of TYPE text COLLATE "C",
    ALTER COLUMN sectors TYPE text[] COLLATE "C",
    ALTER COLUMN countries TYPE text[] COLLATE "C",
    ALTER COLUMN pairs TYPE text[] COLLATE "C",
    ALTER COLUMN actor_ids TYPE text[] COLLATE "C";
ALTER TABLE deal_parties ALTER COLUMN deal_id TYPE text COLLATE "C",
    ALTER COLUMN role TYPE text COLLATE "C",
    ALTER COLUMN country TYPE char(2) COLLATE "C",
    ALTER COLUMN actor_id TYPE text COLLATE "C";
ALTER TABLE deal_sources ALTER COLUMN deal_id TYPE text COLLATE "C",
    ALTER COLUMN source_id TYPE text COLLATE "C";

ALTER TABLE relationship_periods ALTER COLUMN id TYPE text COLLATE "C",
    ALTER COLUMN country_a TYPE char(2) COLLATE "C",
    ALTER COLUMN country_b TYPE char(2) COLLATE "C";
ALTER TABLE period_events ALTER COLUMN period_id TYPE text COLLATE "C",
    ALTER COLUMN event_id TYPE text COLLATE "C";
ALTER TABLE period_sources ALTER COLUMN period_id TYPE text COLLATE "C",
    ALTER COLUMN source_id TYPE text COLLATE "C";

ALTER TABLE revisions ALTER COLUMN collection TYPE text COLLATE "C",
    ALTER COLUMN item_id TYPE text COLLATE "C";

ALTER TABLE pair_days ALTER COLUMN pair TYPE text COLLATE "C";
ALTER TABLE pair_deal_days ALTER COLUMN pair TYPE text COLLATE "C";
ALTER TABLE pair_activity ALTER COLUMN pair TYPE text COLLATE "C",
    ALTER COLUMN country_a TYPE char(2) COLLATE "C",
    ALTER COLUMN country_b TYPE char(2) COLLATE "C";

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
