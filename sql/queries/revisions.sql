-- name: revisions.record
SELECT item_id, revision, op FROM record_revisions($1, $2::text[], $3);

-- name: revisions.dependents
SELECT collection, item_id FROM revision_dependents($1, $2::text[]);

-- name: revisions.materialise
-- Keep a copy of what the given items serve now, before a change reaches them.
SELECT materialise_revisions($1, $2::text[]);

-- name: revisions.own
-- Which of the given items this transaction has already given a revision.
SELECT DISTINCT item_id FROM revisions
WHERE collection = $1 AND item_id = ANY ($2::text[]) AND txid = pg_current_xact_id();

-- name: revisions.of_item
-- An item's revisions, oldest first, each with the snapshot before it (for the diff).
SELECT r.revision, r.op, r.recorded_at, r.key_name,
       revision_snapshot(r.collection, r.item_id, r.op, r.snapshot) AS snapshot, p.snapshot AS previous
FROM revisions r
LEFT JOIN revisions p ON p.collection = r.collection AND p.item_id = r.item_id AND p.revision = r.revision - 1
WHERE r.collection = $1 AND r.item_id = $2
  AND ($3::int IS NULL OR r.revision > $3)
ORDER BY r.revision
LIMIT $4;

-- name: revisions.known_item
-- The item as it was served at a past moment: its last revision recorded by then.
SELECT revision_snapshot(collection, item_id, op, snapshot) FROM revisions
WHERE collection = $1 AND item_id = $2 AND recorded_at <= $3
ORDER BY revision DESC
LIMIT 1;

-- name: revisions.exists
SELECT EXISTS (SELECT 1 FROM revisions WHERE collection = $1 AND item_id = $2);

-- name: revisions.feed
-- Changes after a position, in the order their transactions began, taking only transactions
-- older than every transaction still running: a later reader can never find one behind it.
-- Transactions of other databases on the server cannot write here and do not hold the feed
-- back; a running one whose database cannot be told counts as ours.
WITH horizon AS (
    SELECT coalesce(
               (SELECT min(x) FROM pg_snapshot_xip(s) AS x
                WHERE NOT EXISTS (
                    SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                    WHERE l.locktype = 'transactionid' AND l.granted AND l.transactionid = x::xid
                      AND a.datname <> current_database())),
               pg_snapshot_xmax(s)) AS xmin
    FROM pg_current_snapshot() AS s
)
SELECT r.txid::text AS txid, r.seq, r.collection, r.item_id AS id, r.revision, r.op, r.recorded_at, r.key_name,
       revision_snapshot(r.collection, r.item_id, r.op, r.snapshot) AS item, p.snapshot AS previous
FROM revisions r
LEFT JOIN revisions p ON p.collection = r.collection AND p.item_id = r.item_id AND p.revision = r.revision - 1
WHERE r.txid < (SELECT xmin FROM horizon)
  AND ($1::text IS NULL OR (r.txid, r.seq) > ($1::text::xid8, $2::bigint))
ORDER BY r.txid, r.seq
LIMIT $3;
