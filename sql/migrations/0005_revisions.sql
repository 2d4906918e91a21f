-- Writes: API keys, item revisions (the change feed and record-time reads), idempotent POSTs.

CREATE TABLE api_keys (
    name       text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    scope      text NOT NULL CHECK (scope IN ('read', 'write', 'admin')),
    key_hash   bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

-- One row per change of an item as served: its full representation after the change (NULL
-- for a delete). Diffs are derived from consecutive snapshots. `txid` orders the change feed:
-- a reader only takes rows of transactions older than every one still running, so no change
-- can appear behind a cursor that has passed it.
CREATE TABLE revisions (
    seq         bigserial PRIMARY KEY,
    txid        xid8 NOT NULL DEFAULT pg_current_xact_id(),
    collection  text NOT NULL CHECK (collection IN ('sources', 'actors', 'events', 'deals',
                                                    'relationship-periods')),
    item_id     text NOT NULL,
    revision    integer NOT NULL CHECK (revision >= 1),
    op          text NOT NULL CHECK (op IN ('create', 'update', 'delete')),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    key_name    text NOT NULL,
    snapshot    jsonb,
    UNIQUE (collection, item_id, revision),
    CHECK ((op = 'delete') = (snapshot IS NULL))
);
CREATE INDEX revisions_feed ON revisions (txid, seq);
CREATE INDEX revisions_known ON revisions (collection, recorded_at, item_id, revision);

CREATE TABLE idempotency_keys (
    key_name     text NOT NULL,
    idem_key     text NOT NULL CHECK (length(idem_key) BETWEEN 1 AND 200),
    request_hash bytea NOT NULL,
    status       integer,
    headers      jsonb,
    body         bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (key_name, idem_key)
);

-- Record a revision for every item of a collection whose served representation changed since
-- its last revision (created, updated, or gone). Unchanged items get none, so re-applying the
-- same data records nothing. The view and table names come from the fixed mapping below only.
CREATE FUNCTION record_revisions(p_collection text, p_ids text[], p_key text)
    RETURNS TABLE (item_id text, revision integer, op text)
    LANGUAGE plpgsql AS $$
DECLARE
    v_view  text;
    v_table text;
BEGIN
    SELECT m.view_name, m.table_name INTO v_view, v_table
    FROM (VALUES ('sources', 'source_rows', 'sources'),
                 ('actors', 'actor_rows', 'actors'),
                 ('events', 'event_rows', 'events'),
                 ('deals', 'deal_rows', 'deals'),
                 ('relationship-periods', 'period_rows', 'relationship_periods')) AS m (collection, view_name, table_name)
    WHERE m.collection = p_collection;
    IF v_view IS NULL THEN
        RAISE EXCEPTION 'unknown collection %', p_collection;
    END IF;
    RETURN QUERY EXECUTE format($sql$
        WITH ids AS (
            SELECT DISTINCT unnest($1) AS id
        ), cur AS (
            SELECT v.id, to_jsonb(v) AS snap FROM ids JOIN %1$I v USING (id)
        ), last AS (
            SELECT DISTINCT ON (r.item_id) r.item_id, r.revision, r.snapshot
            FROM ids JOIN revisions r ON r.collection = $2 AND r.item_id = ids.id
            ORDER BY r.item_id, r.revision DESC
        ), changed AS (
            SELECT coalesce(cur.id, last.item_id) AS id, coalesce(last.revision, 0) + 1 AS revision, cur.snap,
                   CASE WHEN cur.id IS NULL THEN 'delete'
                        WHEN last.snapshot IS NULL THEN 'create' ELSE 'update' END AS op
            FROM cur FULL JOIN last ON last.item_id = cur.id
            WHERE (cur.snap - 'revision' - 'updated_at') IS DISTINCT FROM (last.snapshot - 'revision' - 'updated_at')
        ), bumped AS (
            -- A row written in this transaction already holds these values (a new row starts at
            -- revision 1, stamped now()); rewriting it would only churn its indexes.
            UPDATE %2$I t SET revision = c.revision, updated_at = now()
            FROM changed c WHERE t.id = c.id AND (t.revision, t.updated_at) IS DISTINCT FROM (c.revision, now())
        )
        INSERT INTO revisions AS r (collection, item_id, revision, op, key_name, snapshot)
        SELECT $2, c.id, c.revision, c.op, $3,
               c.snap || jsonb_build_object('revision', c.revision, 'updated_at', now())
        FROM changed c ORDER BY c.id
        RETURNING r.item_id, r.revision, r.op
    $sql$, v_view, v_table) USING p_ids, p_collection, p_key;
END $$;

-- Items whose representation embeds the given items: citations show source titles, participants
-- actor names, periods their driver events, events the deals signed at them.
CREATE FUNCTION revision_dependents(p_collection text, p_ids text[])
    RETURNS TABLE (collection text, item_id text)
    LANGUAGE sql STABLE AS $$
    SELECT 'events', l.event_id FROM event_sources l WHERE p_collection = 'sources' AND l.source_id = ANY(p_ids)
    UNION SELECT 'deals', l.deal_id FROM deal_sources l WHERE p_collection = 'sources' AND l.source_id = ANY(p_ids)
    UNION SELECT 'relationship-periods', l.period_id FROM period_sources l
          WHERE p_collection = 'sources' AND l.source_id = ANY(p_ids)
    UNION SELECT 'actors', l.actor_id FROM actor_sources l WHERE p_collection = 'sources' AND l.source_id = ANY(p_ids)
    UNION SELECT 'events', p.event_id FROM event_participants p WHERE p_collection = 'actors' AND p.actor_id = ANY(p_ids)
    UNION SELECT 'deals', p.deal_id FROM deal_parties p WHERE p_collection = 'actors' AND p.actor_id = ANY(p_ids)
    UNION SELECT 'relationship-periods', l.period_id FROM period_events l
          WHERE p_collection = 'events' AND l.event_id = ANY(p_ids)
    UNION SELECT 'events', d.event_id FROM deals d
          WHERE p_collection = 'deals' AND d.id = ANY(p_ids) AND d.event_id IS NOT NULL
$$;
