-- name: keys.create
INSERT INTO api_keys (name, scope, key_hash) VALUES ($1, $2, $3);

-- name: keys.revoke
UPDATE api_keys SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL RETURNING name;

-- name: keys.lookup
SELECT name, scope, revoked_at IS NOT NULL AS revoked FROM api_keys WHERE key_hash = $1;

-- name: keys.list
SELECT name, scope, created_at, revoked_at FROM api_keys ORDER BY name;
