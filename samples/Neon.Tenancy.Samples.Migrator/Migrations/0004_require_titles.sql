-- v4: a note must have a title. Old clients could save a blank one; this script refuses to hide them: it fails (and the
-- SDK restores the tenant to the checkpoint it took before the migration, then parks it) until someone fixes the data.
DO $$
DECLARE
    blank bigint;
BEGIN
    SELECT count(*) INTO blank FROM notes WHERE btrim(title) = '';
    IF blank > 0 THEN
        RAISE EXCEPTION '% note(s) have a blank title; give them one before requiring titles', blank
            USING ERRCODE = 'check_violation';
    END IF;
END
$$;

ALTER TABLE notes ADD CONSTRAINT notes_title_not_blank CHECK (btrim(title) <> '');
