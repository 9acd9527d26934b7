ALTER TABLE notes ADD COLUMN author text NOT NULL DEFAULT 'nobody';

-- Dollar quoting with a semicolon inside: runs as written (no $variable$ substitution), split as one statement.
CREATE FUNCTION note_count() RETURNS bigint LANGUAGE sql AS $body$
    SELECT count(*) FROM notes;
$body$;
