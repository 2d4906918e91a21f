-- name: reference.upsert_country
INSERT INTO countries (code, alpha3, numeric, name, official_name, common_name, capital)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (code) DO UPDATE SET alpha3 = excluded.alpha3, numeric = excluded.numeric,
    name = excluded.name, official_name = excluded.official_name,
    common_name = excluded.common_name, capital = excluded.capital;

-- name: reference.clear_aliases
DELETE FROM country_aliases;

-- name: reference.upsert_currency
INSERT INTO currencies (code, numeric, name) VALUES ($1, $2, $3)
ON CONFLICT (code) DO UPDATE SET numeric = excluded.numeric, name = excluded.name;

-- name: reference.aliases
SELECT a.alias, a.code, a.kind, c.name
FROM country_aliases a JOIN countries c USING (code);

-- name: reference.codes
-- Every country's code in the schemes a client may name with a prefix (`m49:156`, `fips:CH`,
-- `cameo:CHN`); `alpha2` may be a code ISO no longer lists, which the resolver reports as such.
SELECT 'm49' AS scheme, numeric AS code, code AS alpha2, name FROM countries
UNION ALL
SELECT 'cameo', c.alpha3, c.code, c.name FROM countries c
WHERE NOT EXISTS (SELECT 1 FROM country_codes k WHERE k.scheme = 'cameo' AND k.alpha2 = c.code)
UNION ALL
SELECT scheme, code, alpha2, name FROM country_codes;

-- name: reference.counts
SELECT (SELECT count(*) FROM countries) AS countries,
       (SELECT count(*) FROM currencies) AS currencies;
