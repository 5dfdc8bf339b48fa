-- Role DDL, its errors and notices, and the role catalogs and \du.
CREATE ROLE r_alice LOGIN PASSWORD 'secret';
CREATE ROLE r_alice;
CREATE USER r_bob WITH PASSWORD 'x' CREATEDB VALID UNTIL 'infinity';
CREATE ROLE pg_r;
CREATE ROLE r_carol PASSWORD '';
CREATE ROLE r_erin CONNECTION LIMIT 5 VALID UNTIL '2030-01-01' BYPASSRLS REPLICATION CREATEROLE NOINHERIT;
CREATE ROLE r_zed SYSID 5;
CREATE ROLE r_dave LOGIN LOGIN;
CREATE ROLE r_dave NOLOGIN LOGIN;
ALTER ROLE r_alice WITH SUPERUSER NOSUPERUSER;
ALTER ROLE r_alice WITH FOO;
CREATE ROLE r_dave UNENCRYPTED PASSWORD 'x';
ALTER ROLE r_alice PASSWORD 'a' PASSWORD 'b';
ALTER ROLE r_alice CONNECTION LIMIT 1 CONNECTION LIMIT 2;
\du r_*
SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication,
       rolconnlimit, rolpassword, rolvaliduntil, rolbypassrls, rolconfig
  FROM pg_roles WHERE rolname LIKE 'r\_%' ORDER BY 1;
SELECT usename, usecreatedb, usesuper, userepl, usebypassrls, passwd, valuntil, useconfig
  FROM pg_user WHERE usename LIKE 'r\_%' ORDER BY 1;
ALTER ROLE r_nobody PASSWORD 'x';
ALTER ROLE r_alice RENAME TO r_bob;
ALTER ROLE r_alice RENAME TO pg_x;
ALTER ROLE r_alice RENAME TO r_alice2;
SET password_encryption = 'md5';
ALTER ROLE r_alice2 PASSWORD 'pw';
ALTER ROLE r_alice2 RENAME TO r_alice;
SET password_encryption = 'foo';
RESET password_encryption;
SHOW password_encryption;
ALTER ROLE r_bob CONNECTION LIMIT -2;
ALTER USER r_bob NOCREATEDB CONNECTION LIMIT 3 VALID UNTIL '2031-06-01 12:00:00+00';
ALTER ROLE r_carol WITH LOGIN PASSWORD NULL;
\du r_*
DROP ROLE r_nobody;
DROP ROLE postgres;
DROP ROLE IF EXISTS r_nobody, r_zed;
DROP USER IF EXISTS r_nobody2;
DROP ROLE r_alice, r_bob, r_carol, r_erin;
\du r_*
SELECT current_user, session_user, current_role;
