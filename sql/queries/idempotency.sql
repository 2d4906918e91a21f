-- name: idempotency.claim
-- Claim a key for this request; a concurrent request with the same key waits here until the
-- first one commits (then finds its stored response) or rolls back (then claims it itself).
INSERT INTO idempotency_keys (key_name, idem_key, request_hash) VALUES ($1, $2, $3)
ON CONFLICT (key_name, idem_key) DO NOTHING
RETURNING true;

-- name: idempotency.stored
SELECT request_hash, status, headers, body FROM idempotency_keys WHERE key_name = $1 AND idem_key = $2;

-- name: idempotency.finish
UPDATE idempotency_keys SET status = $3, headers = $4, body = $5 WHERE key_name = $1 AND idem_key = $2;
