-- v3: notes can be pinned to the top.
ALTER TABLE notes ADD COLUMN pinned boolean NOT NULL DEFAULT false;
