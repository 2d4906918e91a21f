-- name: deals.get
SELECT * FROM deal_rows WHERE id = $1;

-- name: deals.list
-- Optional filters as in events.list; the page is picked on deals alone, then projected.
WITH page AS (
    SELECT d.id, d.signed_on
    FROM deals d
    WHERE ($1::text IS NULL OR d.countries @> ARRAY[$1::text])
      AND ($2::text IS NULL OR d.pairs @> ARRAY[$2::text])
      AND ($3::text IS NULL OR d.kind = $3)
      AND ($4::text IS NULL OR d.sectors @> ARRAY[$4::text])
      AND ($5::text IS NULL OR d.status = $5)
      AND ($6::text IS NULL OR d.actor_ids @> ARRAY[$6::text])
      AND ($7::numeric IS NULL OR d.value_usd >= $7)
      AND ($8::numeric IS NULL OR d.value_usd <= $8)
      AND ($9::date IS NULL OR d.signed_on >= $9)
      AND ($10::date IS NULL OR d.signed_on <= $10)
      AND ($11::text IS NULL OR d.search @@ websearch_to_tsquery('english', $11))
      AND ($12::date IS NULL OR (d.signed_on, d.id) < ($12, $13::text))
    ORDER BY d.signed_on DESC, d.id DESC
    LIMIT $14
)
SELECT r.* FROM page JOIN deal_rows r USING (id)
ORDER BY page.signed_on DESC, page.id DESC;

-- name: deals.upsert
INSERT INTO deals (id, kind, title, summary, status, signed_on, date_precision, date_inferred, date_note, count,
                   amount, currency, value_text, value_basis, value_qualifier, value_period, horizon_years,
                   value_usd, usd_method, usd_rate, usd_rate_date, usd_note, event_id, part_of, sectors)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
        $23, $24, $25)
ON CONFLICT (id) DO UPDATE SET
    kind = excluded.kind, title = excluded.title, summary = excluded.summary, status = excluded.status,
    signed_on = excluded.signed_on, date_precision = excluded.date_precision,
    date_inferred = excluded.date_inferred, date_note = excluded.date_note, count = excluded.count,
    amount = excluded.amount, currency = excluded.currency, value_text = excluded.value_text,
    value_basis = excluded.value_basis, value_qualifier = excluded.value_qualifier,
    value_period = excluded.value_period, horizon_years = excluded.horizon_years,
    value_usd = excluded.value_usd, usd_method = excluded.usd_method, usd_rate = excluded.usd_rate,
    usd_rate_date = excluded.usd_rate_date, usd_note = excluded.usd_note, event_id = excluded.event_id,
    part_of = excluded.part_of, sectors = excluded.sectors, updated_at = now()
WHERE (deals.kind, deals.title, deals.summary, deals.status, deals.signed_on, deals.date_precision,
       deals.date_inferred, deals.date_note, deals.count, deals.amount, deals.currency, deals.value_text,
       deals.value_basis, deals.value_qualifier, deals.value_period, deals.horizon_years, deals.value_usd,
       deals.usd_method, deals.usd_rate, deals.usd_rate_date, deals.usd_note, deals.event_id, deals.part_of,
       deals.sectors)
   IS DISTINCT FROM
      (excluded.kind, excluded.title, excluded.summary, excluded.status, excluded.signed_on,
       excluded.date_precision, excluded.date_inferred, excluded.date_note, excluded.count, excluded.amount,
       excluded.currency, excluded.value_text, excluded.value_basis, excluded.value_qualifier,
       excluded.value_period, excluded.horizon_years, excluded.value_usd, excluded.usd_method,
       excluded.usd_rate, excluded.usd_rate_date, excluded.usd_note, excluded.event_id, excluded.part_of,
       excluded.sectors);

-- name: deals.clear_parties
DELETE FROM deal_parties WHERE deal_id = $1;

-- name: deals.add_party
INSERT INTO deal_parties (deal_id, ordinal, role, country, actor_id) VALUES ($1, $2, $3, $4, $5);

-- name: deals.clear_sources
DELETE FROM deal_sources WHERE deal_id = $1;

-- name: deals.add_source
INSERT INTO deal_sources (deal_id, source_id, attribution, ordinal) VALUES ($1, $2, $3, $4);

-- name: deals.refresh_links
-- Recompute the filter arrays of the given deals from their parties.
UPDATE deals d
SET countries = coalesce(x.countries, '{}'), pairs = coalesce(x.pairs, '{}'),
    actor_ids = coalesce(x.actor_ids, '{}')
FROM (
    SELECT dl.id,
           (SELECT array_agg(DISTINCT p.country ORDER BY p.country) FROM deal_parties p
             WHERE p.deal_id = dl.id AND p.country IS NOT NULL) AS countries,
           (SELECT array_agg(DISTINCT p1.country || '-' || p2.country ORDER BY p1.country || '-' || p2.country)
              FROM deal_parties p1 JOIN deal_parties p2
                ON p2.deal_id = p1.deal_id AND p1.country < p2.country
             WHERE p1.deal_id = dl.id) AS pairs,
           (SELECT array_agg(DISTINCT p.actor_id ORDER BY p.actor_id) FROM deal_parties p
             WHERE p.deal_id = dl.id AND p.actor_id IS NOT NULL) AS actor_ids
    FROM deals dl WHERE dl.id = ANY($1::text[])
) x
WHERE d.id = x.id;
