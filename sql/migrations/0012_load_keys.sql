-- A reload (see drop_secondary_indexes) may also set aside the primary keys and unique
-- constraints of the tables it fills that no foreign key points at: the link tables and the
-- revisions. Kept up row by row, each such index took more time than the rows it indexed; built
-- once from sorted input at the end of the load it costs a fraction. Returns the statements that
-- add them back, for create_indexes. The load's own checks keep the rows unique in the meantime
-- (a member or citation listed twice is refused before anything is written), and adding a
-- constraint back checks it again, so a duplicate still fails the whole load.
CREATE FUNCTION drop_unreferenced_keys(tables regclass[]) RETURNS text[]
    LANGUAGE plpgsql AS $$
DECLARE
    found      record;
    statements text[] := '{}';
BEGIN
    FOR found IN
        SELECT c.conrelid::regclass AS tab, c.conname, pg_get_constraintdef(c.oid) AS definition
        FROM pg_constraint c
        WHERE c.conrelid = ANY (tables) AND c.contype IN ('p', 'u')
          AND NOT EXISTS (SELECT FROM pg_constraint f WHERE f.contype = 'f' AND f.confrelid = c.conrelid)
        ORDER BY c.conrelid, c.contype, c.conname
    LOOP
        statements := statements || format('ALTER TABLE %s ADD CONSTRAINT %I %s', found.tab, found.conname,
                                           found.definition);
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', found.tab, found.conname);
    END LOOP;
    RETURN statements;
END $$;

