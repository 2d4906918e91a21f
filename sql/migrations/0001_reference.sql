-- Reference tables: countries, their aliases, currencies, sectors, CAMEO codes and event types.
-- Countries, aliases and currencies are filled from maintained packages by `detente db migrate`
-- (service/reference.py); the vocabularies below are the service's own.

CREATE TABLE countries (
    code          char(2) PRIMARY KEY CHECK (code ~ '^[A-Z]{2}$'),
    alpha3        char(3) NOT NULL UNIQUE CHECK (alpha3 ~ '^[A-Z]{3}$'),
    numeric       char(3) NOT NULL UNIQUE CHECK (numeric ~ '^[0-9]{3}$'),
    name          text    NOT NULL CHECK (name <> ''),
    official_name text,
    common_name   text,
    capital       text
);

-- Every spelling a client may use for a country, casefolded; one row per spelling.
CREATE TABLE country_aliases (
    alias text    PRIMARY KEY CHECK (alias <> '' AND alias = lower(alias)),
    code  char(2) NOT NULL REFERENCES countries,
    kind  text    NOT NULL CHECK (kind IN ('alpha2', 'alpha3', 'name', 'official_name', 'common_name',
                                           'variant', 'capital'))
);
CREATE INDEX country_aliases_code ON country_aliases (code);

CREATE TABLE currencies (
    code    char(3) PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'),
    numeric char(3),
    name    text NOT NULL
);

CREATE TABLE sectors (
    id   text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9_]*$'),
    name text NOT NULL
);

INSERT INTO sectors (id, name) VALUES
    ('agriculture', 'Agriculture'),
    ('automotive', 'Automotive'),
    ('consumer_goods', 'Consumer goods'),
    ('content', 'Content and media'),
    ('cosmetics', 'Cosmetics and beauty'),
    ('culture', 'Culture and entertainment'),
    ('defence', 'Defence and security'),
    ('diplomacy', 'Diplomacy'),
    ('dual_use', 'Dual-use goods and technology'),
    ('e_commerce', 'E-commerce and retail platforms'),
    ('energy', 'Energy'),
    ('finance', 'Finance and investment'),
    ('food', 'Food and beverages'),
    ('health', 'Health and pharmaceuticals'),
    ('manufacturing', 'Manufacturing'),
    ('minerals', 'Minerals and raw materials'),
    ('mobility', 'Mobility and transport technology'),
    ('robotics', 'Robotics'),
    ('semiconductors', 'Semiconductors'),
    ('technology', 'Technology'),
    ('tourism', 'Tourism'),
    ('trade', 'Trade');

CREATE TABLE cameo_codes (
    code       text PRIMARY KEY CHECK (code ~ '^[0-9]{2,4}$'),
    label      text NOT NULL,
    goldstein  numeric(3, 1) CHECK (goldstein BETWEEN -10 AND 10),
    quad_class smallint NOT NULL CHECK (quad_class BETWEEN 1 AND 4)
);

-- The controlled vocabulary of event verbs, each mapped onto CAMEO (and so onto GDELT's
-- Goldstein scale and QuadClass) and onto PLOVER where PLOVER has a matching category.
CREATE TABLE event_types (
    id          text PRIMARY KEY CHECK (id ~ '^[a-z][a-z_]*$'),
    name        text NOT NULL,
    cameo_code  text NOT NULL,
    plover_type text CHECK (plover_type ~ '^[A-Z]+$'),
    description text NOT NULL
);
