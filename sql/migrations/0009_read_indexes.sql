-- Indexes that the list queries need once the tables are large (tests/db/test_index_guard.py).

-- A status filter alone had no index: for a rare status (cancelled, suspended) the planner read
-- the whole table and sorted it rather than walk the date index past the common rows. Keyed and
-- ordered like the list, a page of one status is read straight off the index, keyset pages too.
CREATE INDEX events_status_date ON events (status, start_date DESC, id DESC);
CREATE INDEX deals_status_date ON deals (status, signed_on DESC, id DESC);
