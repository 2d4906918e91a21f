-- name: writes.id_taken
-- Whether an id is in use, or was used by an item since deleted (ids are never reused).
SELECT EXISTS (SELECT 1 FROM revisions WHERE collection = $1 AND item_id = $2)
    OR EXISTS (SELECT 1 FROM sources WHERE $1 = 'sources' AND id = $2)
    OR EXISTS (SELECT 1 FROM actors WHERE $1 = 'actors' AND id = $2)
    OR EXISTS (SELECT 1 FROM events WHERE $1 = 'events' AND id = $2)
    OR EXISTS (SELECT 1 FROM deals WHERE $1 = 'deals' AND id = $2)
    OR EXISTS (SELECT 1 FROM relationship_periods WHERE $1 = 'relationship-periods' AND id = $2);

-- name: writes.lock_id
-- Serialises the creation of one id, so two requests cannot both take it.
SELECT pg_advisory_xact_lock(hashtext($1 || '/' || $2));
