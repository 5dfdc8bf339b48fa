-- psql's list meta-commands over a small schema; \dt, \di, \ds, \dn, \dv
-- read pg_class, pg_namespace, pg_index and pg_get_userbyid.
CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL, price numeric(8,2) DEFAULT 0);
CREATE TABLE tags (item_id integer, tag varchar(20), UNIQUE (item_id, tag));
CREATE INDEX items_name_idx ON items (name);
CREATE SEQUENCE order_seq;
CREATE SCHEMA extra;
CREATE TABLE extra.notes (id bigint PRIMARY KEY, body text);
\dt
\dt extra.*
\dt it*
\di
\di items*
\ds
\dn
\dv
\dt nosuch
