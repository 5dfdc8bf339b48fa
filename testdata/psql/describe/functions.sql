-- psql's \df, \dx, \do and \dC read pg_proc, pg_operator, pg_cast and
-- pg_extension; regclass takes index and sequence names; int2vector
-- subscripts start at 0. (Vector objects are left out: the PostgreSQL 15
-- these outputs were recorded with has no pgvector.)
CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL);
CREATE INDEX items_name_idx ON items (name);
CREATE SEQUENCE order_seq;
\df pg_catalog.abs
\df pg_catalog.generate_series
\df nosuch
\do nosuch
\dC nosuch
\dx plpgsql
SELECT 'items_name_idx'::regclass, 'items_pkey'::regclass, 'public.order_seq'::regclass, 'items'::regclass;
SELECT relname, relkind FROM pg_class WHERE oid IN ('items_name_idx'::regclass, 'items_pkey'::regclass) ORDER BY 1;
SELECT 'no_such_idx'::regclass;
SELECT generate_subscripts(indkey, 1) FROM pg_index WHERE indexrelid = 'items_pkey'::regclass;
SELECT typname, typelem::regtype, typarray FROM pg_type WHERE typname IN ('int2vector', 'oidvector', '_int2vector', '_oidvector') ORDER BY 1;
SELECT proname, prokind, proretset, pronargs, prorettype::regtype FROM pg_proc WHERE proname IN ('abs', 'count', 'generate_series') ORDER BY 1, 4, prorettype;
SELECT 'pg_backend_pid'::regproc::oid = (SELECT oid FROM pg_proc WHERE proname = 'pg_backend_pid'), 'pg_backend_pid'::regproc;
SELECT castcontext, castmethod FROM pg_cast WHERE castsource = 'int4'::regtype AND casttarget = 'int8'::regtype;
\l psql_functions
\du postgres
\dn public
\dn+ public
\dC date
\dC boolean
\df+ pg_catalog.abs
\dT pg_catalog.int4
\dT pg_catalog.int2vector
