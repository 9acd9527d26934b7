-- v2: the newest notes first, without a sort.
CREATE INDEX notes_created_at ON notes (created_at DESC);
