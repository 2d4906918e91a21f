-- name: countries.list
-- Codes in other schemes: M49 is the ISO numeric code; CAMEO is the alpha-3 code unless a
-- country_codes row records a departure from it.
SELECT c.code, c.alpha3, c.numeric, c.numeric AS m49, f.code AS fips, coalesce(k.code, c.alpha3) AS cameo,
       c.name, c.official_name, c.common_name, c.capital
FROM countries c
LEFT JOIN country_codes f ON f.alpha2 = c.code AND f.scheme = 'fips'
LEFT JOIN country_codes k ON k.alpha2 = c.code AND k.scheme = 'cameo'
WHERE ($1::text IS NULL OR c.code > $1)
ORDER BY c.code
LIMIT $2;

-- name: countries.get
SELECT c.code, c.alpha3, c.numeric, c.numeric AS m49, f.code AS fips, coalesce(k.code, c.alpha3) AS cameo,
       c.name, c.official_name, c.common_name, c.capital,
       ARRAY(SELECT a.alias FROM country_aliases a WHERE a.code = c.code ORDER BY a.alias) AS aliases
FROM countries c
LEFT JOIN country_codes f ON f.alpha2 = c.code AND f.scheme = 'fips'
LEFT JOIN country_codes k ON k.alpha2 = c.code AND k.scheme = 'cameo'
WHERE c.code = $1;

-- name: countries.many
SELECT c.code, c.alpha3, c.numeric, c.numeric AS m49, f.code AS fips, coalesce(k.code, c.alpha3) AS cameo,
       c.name, c.official_name, c.common_name, c.capital
FROM countries c
LEFT JOIN country_codes f ON f.alpha2 = c.code AND f.scheme = 'fips'
LEFT JOIN country_codes k ON k.alpha2 = c.code AND k.scheme = 'cameo'
WHERE c.code = ANY($1::text[])
ORDER BY c.code;
