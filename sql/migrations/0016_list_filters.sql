-- The filters of the event and deal lists, written once for the lists, their facets and the
-- lists as known at a past moment. Each is a plain SQL function over its table, which
-- PostgreSQL inlines into the query that calls it: a filter given still reaches its index, and
-- a filter left out (NULL, folded away in a custom plan) costs nothing.

CREATE FUNCTION matching_events(country text, pair text, initiator text, target text, type text, actor text,
                                sector text, status text, date_from date, date_to date, q text)
    RETURNS SETOF events
    LANGUAGE sql STABLE AS $$
    SELECT * FROM events e
    WHERE (matching_events.country IS NULL OR e.countries @> ARRAY[matching_events.country])
      AND (matching_events.pair IS NULL OR e.pairs @> ARRAY[matching_events.pair])
      AND (matching_events.initiator IS NULL OR e.initiators @> ARRAY[matching_events.initiator])
      AND (matching_events.target IS NULL OR e.targets @> ARRAY[matching_events.target])
      AND (matching_events.type IS NULL OR e.type = matching_events.type)
      AND (matching_events.actor IS NULL OR e.actor_ids @> ARRAY[matching_events.actor])
      AND (matching_events.sector IS NULL OR e.sectors @> ARRAY[matching_events.sector])
      AND (matching_events.status IS NULL OR e.status = matching_events.status)
      AND ((matching_events.date_from IS NULL AND matching_events.date_to IS NULL)
           OR e.span && daterange(matching_events.date_from, matching_events.date_to, '[]'))
      -- Implied by the overlap (a span starts on start_date), and lets the date index start its
      -- walk at the window's end instead of at the newest event.
      AND (matching_events.date_to IS NULL OR e.start_date <= matching_events.date_to)
      AND (matching_events.q IS NULL OR e.search @@ websearch_to_tsquery('english', matching_events.q))
$$;

CREATE FUNCTION matching_deals(country text, pair text, kind text, sector text, status text, actor text,
                               min_usd numeric, max_usd numeric, date_from date, date_to date, q text)
    RETURNS SETOF deals
    LANGUAGE sql STABLE AS $$
    SELECT * FROM deals d
    WHERE (matching_deals.country IS NULL OR d.countries @> ARRAY[matching_deals.country])
      AND (matching_deals.pair IS NULL OR d.pairs @> ARRAY[matching_deals.pair])
      AND (matching_deals.kind IS NULL OR d.kind = matching_deals.kind)
      AND (matching_deals.sector IS NULL OR d.sectors @> ARRAY[matching_deals.sector])
      AND (matching_deals.status IS NULL OR d.status = matching_deals.status)
      AND (matching_deals.actor IS NULL OR d.actor_ids @> ARRAY[matching_deals.actor])
      AND (matching_deals.min_usd IS NULL OR d.value_usd >= matching_deals.min_usd)
      AND (matching_deals.max_usd IS NULL OR d.value_usd <= matching_deals.max_usd)
      AND (matching_deals.date_from IS NULL OR d.signed_on >= matching_deals.date_from)
      AND (matching_deals.date_to IS NULL OR d.signed_on <= matching_deals.date_to)
      AND (matching_deals.q IS NULL OR d.search @@ websearch_to_tsquery('english', matching_deals.q))
$$;

-- For the lists as known at a past moment (events.list_known, deals.list_known). An item's latest
-- revision keeps no copy of it (0007), so an item with no revision recorded after the moment
-- served then what its live row serves now; only the items revised since need their copies.
CREATE FUNCTION revised_since(collection text, moment timestamptz) RETURNS TABLE (id text)
    LANGUAGE sql STABLE AS $$
    SELECT DISTINCT r.item_id FROM revisions r
    WHERE r.collection = revised_since.collection AND r.recorded_at > revised_since.moment
$$;

-- What each item revised since the moment served at it: NULL when it did not exist then (not
-- created yet, or deleted).
CREATE FUNCTION served_then(collection text, moment timestamptz) RETURNS TABLE (id text, s jsonb)
    LANGUAGE sql STABLE AS $$
    SELECT DISTINCT ON (r.item_id) r.item_id, revision_snapshot(r.collection, r.item_id, r.op, r.snapshot)
    FROM revised_since(served_then.collection, served_then.moment) l
    JOIN revisions r ON r.collection = served_then.collection AND r.item_id = l.id
                    AND r.recorded_at <= served_then.moment
    ORDER BY r.item_id, r.revision DESC
$$;
