INSERT INTO notes (id, body, author) VALUES (1, 'first; with a semicolon', 'ada');
INSERT INTO notes (id, body, author) VALUES (2, 'second', 'grace');
