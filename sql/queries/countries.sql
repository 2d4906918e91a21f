-- name: countries.list
SELECT code, alpha3, numeric, name, official_name, common_name, capital
FROM countries
WHERE ($1::text IS NULL OR code > $1)
ORDER BY code
LIMIT $2;

-- name: countries.get
SELECT c.code, c.alpha3, c.numeric, c.name, c.official_name, c.common_name, c.capital,
       ARRAY(SELECT a.alias FROM country_aliases a WHERE a.code = c.code ORDER BY a.alias) AS aliases
FROM countries c
WHERE c.code = $1;

-- name: countries.many
SELECT code, alpha3, numeric, name, official_name, common_name, capital
FROM countries WHERE code = ANY($1::text[]) ORDER BY code;
