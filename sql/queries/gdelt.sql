-- Reference data the GDELT reader codes rows with.

-- name: gdelt.cameo_codes
SELECT code, label FROM cameo_codes;

-- name: gdelt.country_codes
-- Actor countries are CAMEO codes, ISO alpha-3 but for the departures listed as 'cameo';
-- action geography uses FIPS 10-4.
SELECT 'cameo' AS scheme, alpha3::text AS code, code::text AS alpha2 FROM countries
UNION ALL
SELECT scheme, code, alpha2::text FROM country_codes WHERE scheme = 'cameo'
UNION ALL
SELECT scheme, code, alpha2::text FROM country_codes WHERE scheme = 'fips' AND alpha2 IN (SELECT code FROM countries);

-- name: gdelt.country_names
SELECT code::text AS code, name FROM countries;
