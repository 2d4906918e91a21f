-- An item's latest revision keeps no copy of the item: what it served is the live row. A copy is
-- taken (materialise_revisions) just before anything changes what the item serves, so a bulk
-- load writes one small revision row per item instead of rendering every item it creates.

ALTER TABLE revisions DROP CONSTRAINT revisions_check;
ALTER TABLE revisions ADD CONSTRAINT revisions_delete_has_no_snapshot CHECK (op <> 'delete' OR snapshot IS NULL);

-- An item exactly as it is served now, or NULL when it does not exist.
CREATE FUNCTION live_snapshot(p_collection text, p_id text) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE p_collection
        WHEN 'events' THEN (SELECT to_jsonb(v) FROM event_rows v WHERE v.id = p_id)
        WHEN 'deals' THEN (SELECT to_jsonb(v) FROM deal_rows v WHERE v.id = p_id)
        WHEN 'relationship-periods' THEN (SELECT to_jsonb(v) FROM period_rows v WHERE v.id = p_id)
        WHEN 'actors' THEN (SELECT to_jsonb(v) FROM actor_rows v WHERE v.id = p_id)
        WHEN 'sources' THEN (SELECT to_jsonb(v) FROM source_rows v WHERE v.id = p_id)
    END;

-- What a revision served: its copy, or the live row when it is the latest; NULL for a delete.
CREATE FUNCTION revision_snapshot(p_collection text, p_id text, p_op text, p_snapshot jsonb) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE WHEN p_op = 'delete' THEN NULL
                ELSE coalesce(p_snapshot, live_snapshot(p_collection, p_id)) END;

-- Copy the live representation into the latest revision of each given item that has none yet.
-- Writers call it for every item a change may reach before they change anything.
CREATE FUNCTION materialise_revisions(p_collection text, p_ids text[]) RETURNS integer
    LANGUAGE sql AS $$
    WITH copied AS (
        UPDATE revisions r SET snapshot = live_snapshot(r.collection, r.item_id)
        FROM (SELECT DISTINCT unnest(p_ids) AS id) i
        WHERE r.collection = p_collection AND r.item_id = i.id AND r.snapshot IS NULL AND r.op <> 'delete'
        RETURNING 1
    )
    SELECT count(*)::int FROM copied
$$;

-- Record a revision for every given item that was created, deleted, or is served differently
-- than at its last revision. New revisions hold no copy (see above); only items that existed
-- before are rendered, to compare them with their last copy.
CREATE OR REPLACE FUNCTION record_revisions(p_collection text, p_ids text[], p_key text)
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
        ), last AS (
            SELECT DISTINCT ON (r.item_id) r.item_id, r.revision, r.op, r.snapshot
            FROM ids JOIN revisions r ON r.collection = $2 AND r.item_id = ids.id
            ORDER BY r.item_id, r.revision DESC
        ), live AS (
            SELECT t.id FROM ids JOIN %2$I t USING (id)
        ), changed AS (
            SELECT live.id, coalesce(last.revision, 0) + 1 AS revision, 'create' AS op
            FROM live LEFT JOIN last ON last.item_id = live.id
            WHERE last.item_id IS NULL OR last.op = 'delete'
            UNION ALL
            SELECT last.item_id, last.revision + 1, 'delete'
            FROM last LEFT JOIN live ON live.id = last.item_id
            WHERE live.id IS NULL AND last.op <> 'delete'
            UNION ALL
            SELECT v.id, last.revision + 1, 'update'
            FROM last JOIN %1$I v ON v.id = last.item_id
            WHERE last.op <> 'delete' AND last.snapshot IS NOT NULL
              AND (to_jsonb(v) - 'revision' - 'updated_at') IS DISTINCT FROM (last.snapshot - 'revision' - 'updated_at')
        ), bumped AS (
            -- A row written in this transaction already holds these values (a new row starts at
            -- revision 1, stamped now()); rewriting it would only churn its indexes.
            UPDATE %2$I t SET revision = c.revision, updated_at = now()
            FROM changed c
            WHERE t.id = c.id AND c.op <> 'delete' AND (t.revision, t.updated_at) IS DISTINCT FROM (c.revision, now())
        )
        INSERT INTO revisions AS r (collection, item_id, revision, op, key_name)
        SELECT $2, c.id, c.revision, c.op, $3
        FROM changed c ORDER BY c.id
        RETURNING r.item_id, r.revision, r.op
    $sql$, v_view, v_table) USING p_ids, p_collection, p_key;
END $$;
