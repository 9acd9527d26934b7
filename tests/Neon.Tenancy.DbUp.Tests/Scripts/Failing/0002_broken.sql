-- Two statements succeed, the third fails: the transaction must take the first two with it.
CREATE TABLE half_done (id integer);
INSERT INTO items (id) VALUES (1);
SELECT id FROM missing_table;
