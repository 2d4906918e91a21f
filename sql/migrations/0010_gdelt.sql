-- Events from machine-coded streams (GDELT): an event type for every CAMEO root, the stream's
-- own identifiers, its coverage figures and the action's coordinates.

-- Roots the curated vocabulary does not name yet; 01 (statement), 13 (threat) and 14 (protest)
-- already have a type. A coded event keeps its own CAMEO code; its type is the root's.
INSERT INTO event_types (id, name, cameo_code, plover_type, description) VALUES
    ('appeal', 'Appeal', '02', 'REQUEST', 'An appeal or request for cooperation, aid or a change of course.'),
    ('intent_to_cooperate', 'Intent to cooperate', '03', 'AGREE',
     'A stated intention to cooperate, meet, negotiate or provide something.'),
    ('consultation', 'Consultation', '04', 'CONSULT', 'A call, meeting or talks between the parties.'),
    ('diplomatic_cooperation', 'Diplomatic cooperation', '05', 'SUPPORT',
     'Praise, recognition, an apology or other diplomatic support.'),
    ('material_cooperation', 'Material cooperation', '06', 'COOPERATE',
     'Cooperation in kind: economic, military, judicial or intelligence.'),
    ('aid', 'Aid', '07', 'AID', 'Economic, military, humanitarian or other aid given.'),
    ('concession', 'Concession', '08', 'CONCEDE', 'Easing of sanctions or restrictions, a release or other concession.'),
    ('investigation', 'Investigation', '09', 'ACCUSE', 'An inquiry into wrongdoing by the other party.'),
    ('demand', 'Demand', '10', 'REQUEST', 'A demand for cooperation, aid, a policy change or a concession.'),
    ('disapproval', 'Disapproval', '11', 'ACCUSE', 'Criticism, accusation or a complaint against the other party.'),
    ('rejection', 'Rejection', '12', 'REJECT', 'A proposal, request or demand turned down.'),
    ('force_posture', 'Force posture', '15', 'MOBILIZE', 'A show of force: alerts, mobilisation, exercises.'),
    ('reduced_relations', 'Reduced relations', '16', 'SANCTION',
     'Relations scaled down: ties cut, aid halted, talks broken off.'),
    ('coercion', 'Coercion', '17', 'COERCE', 'Seizure, arrest, expulsion or another coercive act.'),
    ('assault', 'Assault', '18', 'ASSAULT', 'Violence against people or property short of battle.'),
    ('fighting', 'Fighting', '19', 'ASSAULT', 'Armed combat between the parties.'),
    ('mass_violence', 'Mass violence', '20', 'ASSAULT', 'Unconventional mass violence.');

ALTER TABLE events
    ADD COLUMN external_ids jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(external_ids) = 'object'),
    ADD COLUMN num_mentions integer CHECK (num_mentions >= 0),
    ADD COLUMN num_sources integer CHECK (num_sources >= 0),
    ADD COLUMN num_articles integer CHECK (num_articles >= 0),
    ADD COLUMN avg_tone double precision CHECK (avg_tone BETWEEN -100 AND 100),
    ADD COLUMN location_lat double precision CHECK (location_lat BETWEEN -90 AND 90),
    ADD COLUMN location_lon double precision CHECK (location_lon BETWEEN -180 AND 180),
    ADD CHECK ((num_mentions IS NULL) = (num_sources IS NULL) AND (num_mentions IS NULL) = (num_articles IS NULL)
               AND (num_mentions IS NULL) = (avg_tone IS NULL)),
    ADD CHECK ((location_lat IS NULL) = (location_lon IS NULL));

-- The same view, with the new fields at its end.
CREATE OR REPLACE VIEW event_rows AS
SELECT e.id, e.type, e.title, e.summary, e.status, e.status = 'ongoing' AS ongoing,
       e.start_date, e.start_precision, e.end_date, e.end_precision, e.date_inferred, e.date_note,
       e.location_name, e.location_country, e.related_event_id, e.relation,
       e.cameo_code, c.label AS cameo_label, c.goldstein::float8 AS goldstein, c.quad_class::int AS quad_class,
       t.plover_type, e.sectors, e.quantities,
       coalesce((SELECT jsonb_agg(jsonb_build_object('role', p.role, 'country', p.country,
                                                     'actor_id', p.actor_id, 'actor_name', actor_name(p.actor_id))
                                  ORDER BY p.ordinal)
                 FROM event_participants p
                 WHERE p.event_id = e.id), '[]') AS participants,
       coalesce((SELECT jsonb_agg(citation(l.source_id, l.attribution) ORDER BY l.ordinal)
                 FROM event_sources l
                 WHERE l.event_id = e.id), '[]') AS sources,
       ARRAY(SELECT d.id FROM deals d WHERE d.event_id = e.id ORDER BY d.id) AS deal_ids,
       e.created_at, e.updated_at, e.revision,
       e.external_ids,
       CASE WHEN e.num_mentions IS NOT NULL THEN jsonb_build_object(
           'mentions', e.num_mentions, 'sources', e.num_sources, 'articles', e.num_articles,
           'avg_tone', e.avg_tone)
       END AS coverage,
       e.location_lat, e.location_lon
FROM events e
JOIN cameo_codes c ON c.code = e.cameo_code
JOIN event_types t ON t.id = e.type;

-- Bulk imports turn row-level foreign key triggers off for their transaction
-- (session_replication_role = replica); the pair-day rollup must still follow every write.
ALTER TABLE events ENABLE ALWAYS TRIGGER pair_days_insert;
ALTER TABLE events ENABLE ALWAYS TRIGGER pair_days_update;
ALTER TABLE events ENABLE ALWAYS TRIGGER pair_days_delete;
ALTER TABLE events ENABLE ALWAYS TRIGGER pair_days_truncate;
