-- psql's \d for expression indexes, with the 23505 DETAILs naming the expression
\set VERBOSITY default
CREATE TABLE users (id int PRIMARY KEY, email varchar(100), name text);
CREATE UNIQUE INDEX users_lower_email ON users (lower(email));
CREATE INDEX ON users (lower(name), id);
CREATE INDEX ON users ((id + 1));
CREATE INDEX ON users (upper(name) DESC, (name || 'x'));
INSERT INTO users VALUES (1, 'A@x.com', 'n'), (2, 'b@x.com', 'm');
INSERT INTO users VALUES (3, 'a@X.com', 'k');
UPDATE users SET email = 'B@x.com' WHERE id = 1;
CREATE UNIQUE INDEX users_name ON users (lower(name || 'x'), (id % 1));
\d users
\d users_lower_email
CREATE TABLE docs (id int, body jsonb);
CREATE INDEX ON docs ((body->>'kind'));
\d docs
COPY users TO STDOUT;
COPY users FROM STDIN;
3	c@x.com	o
\.
COPY users (id, email) FROM STDIN;
4	A@X.COM
\.
SELECT * FROM users ORDER BY id;
ALTER TABLE users ALTER COLUMN email TYPE text;
ALTER TABLE users DROP COLUMN name;
\d users
