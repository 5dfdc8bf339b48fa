-- psql's \dT over enum types, and enum columns in \d (quoted "Role" where needed)
CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok';
CREATE TYPE empty_enum AS ENUM ();
CREATE SCHEMA other;
CREATE TYPE other.color AS ENUM ('red', 'green');
CREATE TABLE "User" (id serial PRIMARY KEY, email text NOT NULL, role "Role" NOT NULL DEFAULT 'USER', roles "Role"[], m mood, c other.color);
CREATE INDEX user_m ON "User" (m);
\dT "Role"
\dT+ "Role"
\dT+ mood
\dT empty_enum
\dT other.*
\dT+ other.color
\d "User"
\d+ "User"
\d user_m
