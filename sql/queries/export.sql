-- Every item as served, by id, for `detente export`: read through a server-side cursor inside one
-- read-only snapshot, so the five statements agree with each other and memory stays flat.

-- name: export.counts
SELECT (SELECT count(*) FROM sources) AS sources,
       (SELECT count(*) FROM actors) AS actors,
       (SELECT count(*) FROM events) AS events,
       (SELECT count(*) FROM deals) AS deals,
       (SELECT count(*) FROM relationship_periods) AS relationship_periods;

-- name: export.sources
SELECT * FROM source_rows ORDER BY id;

-- name: export.actors
SELECT * FROM actor_rows ORDER BY id;

-- name: export.events
SELECT * FROM event_rows ORDER BY id;

-- name: export.deals
SELECT * FROM deal_rows ORDER BY id;

-- name: export.periods
SELECT * FROM period_rows ORDER BY id;
