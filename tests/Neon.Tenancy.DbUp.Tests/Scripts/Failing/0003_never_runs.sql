CREATE TABLE never_runs (id integer);
