-- Materialized views as psql shows them: \dm (not \dm+: sizes are storage's), \d and \d+ (indexes,
-- "View definition:"), and the errors with their HINT and DETAIL lines.
CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2));
INSERT INTO items VALUES (1, 'pen', 2.50), (2, 'book', 12.00);
CREATE MATERIALIZED VIEW cheap AS
 SELECT items.id,
    items.name
   FROM items
  WHERE items.price < 10::numeric;
CREATE MATERIALIZED VIEW named (ident, label) AS
 SELECT items.id,
    items.name
   FROM items WITH NO DATA;
CREATE UNIQUE INDEX cheap_id ON cheap (id);
CREATE INDEX cheap_name ON cheap (name);
\dm
\d cheap
\d+ cheap
\d+ named
\d
SELECT * FROM named;
REFRESH MATERIALIZED VIEW CONCURRENTLY named;
REFRESH MATERIALIZED VIEW named;
REFRESH MATERIALIZED VIEW CONCURRENTLY named;
REFRESH MATERIALIZED VIEW CONCURRENTLY cheap;
SELECT * FROM named ORDER BY ident;
INSERT INTO cheap VALUES (3, 'x');
COPY cheap TO STDOUT;
COPY (SELECT * FROM cheap) TO STDOUT;
DROP VIEW cheap;
DROP TABLE cheap;
DROP MATERIALIZED VIEW items;
DROP TABLE items;
DROP MATERIALIZED VIEW cheap, named;
\dm
