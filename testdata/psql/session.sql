-- A scripted psql session: DDL, DML, queries with filters, aggregates and
-- ordering, and bad SQL in the middle that must not end the session.
CREATE TABLE items (
  id integer PRIMARY KEY,
  name text NOT NULL,
  price numeric(8,2),
  qty integer DEFAULT 0,
  added date
);
INSERT INTO items VALUES
  (1, 'apple', 1.20, 10, '2026-01-02'),
  (2, 'banana', 0.50, 25, '2026-01-03'),
  (3, 'cherry', 5.00, NULL, NULL),
  (4, 'date', 3.75, 4, '2026-02-01');
INSERT INTO items (id, name) VALUES (5, 'elderberry');
SELECT * FROM items ORDER BY id;
UPDATE items SET qty = qty + 1 WHERE price < 2;
DELETE FROM items WHERE id = 4;
SELECT id, name, qty FROM items WHERE qty IS NOT NULL AND name LIKE '%a%' ORDER BY qty DESC;
SELECT count(*), sum(price), avg(price), min(added), max(qty) FROM items;
SELECT name, price * 2 AS double_price, qty > 5 AS many FROM items ORDER BY price DESC NULLS LAST;
SELEC * FROM items;
SELECT * FROM no_such_table;
INSERT INTO items VALUES (1, 'dup', 1, 1, NULL);
SELECT 1 / 0;
SELECT name FROM items WHERE id = 1;
BEGIN;
INSERT INTO items (id, name) VALUES (6, 'fig');
SELECT zzz FROM items;
SELECT 1;
ROLLBACK;
SELECT count(*) FROM items WHERE id = 6;
SELECT NULL AS nothing, true AS yes, 'it''s' AS quoted, ''::text AS empty;
DROP TABLE items;
