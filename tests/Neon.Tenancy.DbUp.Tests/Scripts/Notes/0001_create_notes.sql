-- Unqualified names: the tests point search_path at a schema of their own.
CREATE TABLE notes
(
    id   integer PRIMARY KEY,
    body text    NOT NULL
);
