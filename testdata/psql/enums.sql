-- Enum types' errors and notices as psql shows them: DETAIL and HINT of
-- DROP TYPE with dependent columns and views, CASCADE's notice, 55P04.
CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE TABLE t (id int PRIMARY KEY, r "Role", rs "Role"[], m mood, n int);
CREATE VIEW v AS SELECT id, r FROM t;
CREATE VIEW vv AS SELECT * FROM v;
CREATE VIEW vn AS SELECT id, n FROM t;
DROP TYPE "Role";
DROP TYPE mood;
DROP TYPE mood, "Role";
DROP TYPE "Role", mood CASCADE;
\d t
SELECT * FROM vn;
SELECT 'X'::mood;
DROP TYPE IF EXISTS mood, nope;
CREATE TYPE mood AS ENUM ('sad', 'ok');
BEGIN;
ALTER TYPE mood ADD VALUE 'happy';
SELECT 'happy'::mood;
ROLLBACK;
ALTER TYPE mood ADD VALUE IF NOT EXISTS 'ok';
ALTER TYPE mood ADD VALUE 'meh' AFTER 'nope';
CREATE TABLE mood (a int);
