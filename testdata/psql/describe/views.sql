-- psql's \d family over views: \dv, \d and \d+ of a view (with its "View definition:")
CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2));
CREATE VIEW cheap AS
 SELECT items.id,
    items.name
   FROM items
  WHERE items.price < 10::numeric;
CREATE VIEW named (ident, label) AS
 SELECT items.id,
    items.name
   FROM items;
COMMENT ON VIEW cheap IS 'items under ten';
\dv
\dv+
\d cheap
\d+ cheap
\d+ named
\d
SET search_path = pg_catalog;
SELECT viewname, definition FROM pg_views WHERE viewname = 'named';
