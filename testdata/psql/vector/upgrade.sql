-- pgvector's README: upgrading the extension, and keeping vectors out of
-- TOAST (Quiver stores them inline anyway, and records the setting).
CREATE EXTENSION vector;
ALTER EXTENSION vector UPDATE;
ALTER EXTENSION vector UPDATE TO '0.8.0';
ALTER EXTENSION vector UPDATE TO '0.7.0';
ALTER EXTENSION nope UPDATE;
CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(3), note text);
ALTER TABLE items ALTER COLUMN embedding SET STORAGE PLAIN;
ALTER TABLE items ALTER COLUMN note SET STORAGE MAIN;
ALTER TABLE items ALTER COLUMN id SET STORAGE EXTERNAL;
ALTER TABLE items ALTER COLUMN note SET STORAGE bogus;
SELECT attname, attstorage FROM pg_attribute WHERE attrelid = 'items'::regclass AND attnum > 0 ORDER BY attnum;
\d+ items
