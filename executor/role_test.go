package executor

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/quiverdb/quiver/auth"
	"github.com/quiverdb/quiver/sql/pgerror"
)

func wantCode(t *testing.T, s *Session, sql, code, msg string) {
	t.Helper()
	_, err := run(t, s, sql)
	var pe *pgerror.Error
	if !errors.As(err, &pe) || pe.Code != code || (msg != "" && pe.Message != msg) {
		t.Errorf("%s: err = %v, want %s %q", sql, err, code, msg)
	}
}

// Errors and catalog rows as PostgreSQL 15 gives them for the same
// statements.
func TestRoleDDL(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE ROLE alice LOGIN PASSWORD 'secret'")
	wantCode(t, s, "CREATE ROLE alice", pgerror.CodeDuplicateObject, `role "alice" already exists`)
	mustRun(t, s, "CREATE USER bob WITH PASSWORD 'x' CREATEDB")
	wantCode(t, s, "CREATE ROLE pg_foo", "42939", `role name "pg_foo" is reserved`)
	wantCode(t, s, "CREATE ROLE dave LOGIN NOLOGIN", pgerror.CodeSyntaxError, "conflicting or redundant options")
	wantCode(t, s, "ALTER ROLE alice WITH foo", pgerror.CodeSyntaxError, `unrecognized role option "foo"`)
	mustRun(t, s, "CREATE ROLE carol PASSWORD ''")
	if n := s.TakeNotices(); len(n) != 1 || n[0].Message != "empty string is not a valid password, clearing password" {
		t.Errorf("notices = %v", n)
	}
	mustRun(t, s, "CREATE ROLE erin CONNECTION LIMIT 5 VALID UNTIL '2030-01-01' BYPASSRLS REPLICATION CREATEROLE NOINHERIT")
	expectRows(t, s, []queryCase{
		{"SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolconnlimit, rolpassword, rolvaliduntil, rolbypassrls FROM pg_roles ORDER BY 1",
			"alice|f|t|f|f|t|f|-1|********|NULL|f\n" +
				"bob|f|t|f|t|t|f|-1|********|NULL|f\n" +
				"carol|f|t|f|f|f|f|-1|********|NULL|f\n" +
				"erin|f|f|t|f|f|t|5|********|2030-01-01 00:00:00+00|t\n" +
				"pg_database_owner|f|t|f|f|f|f|-1|********|NULL|f\n" +
				"postgres|t|t|t|t|t|t|-1|********|NULL|t"},
		{"SELECT usename, usecreatedb, usesuper, passwd FROM pg_user ORDER BY 1", "alice|f|f|********\nbob|t|f|********\npostgres|t|t|********"},
		{"SELECT count(*) FROM pg_authid WHERE rolpassword IS NOT NULL", "0"},
	})
	wantCode(t, s, "ALTER ROLE nobody PASSWORD 'x'", pgerror.CodeUndefinedObject, `role "nobody" does not exist`)
	wantCode(t, s, "ALTER ROLE alice RENAME TO bob", pgerror.CodeDuplicateObject, `role "bob" already exists`)
	wantCode(t, s, "ALTER ROLE postgres RENAME TO x", pgerror.CodeFeatureNotSupported, "session user cannot be renamed")
	wantCode(t, s, "ALTER ROLE bob CONNECTION LIMIT -2", pgerror.CodeInvalidParameterValue, "invalid connection limit: -2")
	wantCode(t, s, "SET password_encryption = 'on'", pgerror.CodeInvalidParameterValue, `invalid value for parameter "password_encryption": "on"`)
	wantCode(t, s, "DROP ROLE nobody", pgerror.CodeUndefinedObject, `role "nobody" does not exist`)
	wantCode(t, s, "DROP ROLE postgres", pgerror.CodeObjectInUse, "current user cannot be dropped")
	mustRun(t, s, "DROP ROLE IF EXISTS nobody, carol")
	if n := s.TakeNotices(); len(n) != 1 || n[0].Message != `role "nobody" does not exist, skipping` {
		t.Errorf("notices = %v", n)
	}
	expectRows(t, s, []queryCase{{"SELECT count(*) FROM pg_roles WHERE rolname = 'carol'", "0"}})
}

func rolePassword(t *testing.T, s *Session, name string) string {
	t.Helper()
	r, err := s.eng.LookupRole(context.Background(), name)
	if err != nil || r == nil {
		t.Fatalf("LookupRole(%q) = %v, %v", name, r, err)
	}
	return r.Password
}

func TestRolePasswords(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE ROLE alice LOGIN PASSWORD 'secret'")
	pw := rolePassword(t, s, "alice")
	if auth.KindOf(pw) != auth.KindSCRAM || !auth.CheckPlaintext("alice", pw, "secret") || strings.Contains(pw, "secret") {
		t.Fatalf("default password storage = %q", pw)
	}
	mustRun(t, s, "SET password_encryption = 'md5'")
	mustRun(t, s, "ALTER ROLE alice PASSWORD 'pw'")
	if got := rolePassword(t, s, "alice"); got != auth.MD5Hash("alice", "pw") {
		t.Fatalf("md5 storage = %q", got)
	}
	mustRun(t, s, "ALTER ROLE alice RENAME TO alice2")
	if n := s.TakeNotices(); len(n) != 1 || n[0].Message != "MD5 password cleared because of role rename" {
		t.Errorf("notices = %v", n)
	}
	if got := rolePassword(t, s, "alice2"); got != "" {
		t.Fatalf("password after rename = %q", got)
	}
	// Pre-hashed passwords are stored as given.
	const pre = "SCRAM-SHA-256$4096:jGOdBlQZN3BlLY5f2+d6fg==$PnM+siRgNbzJH206CQ80L6dw9oTgQ5e5TEYUGAqobhE=:1CPhptsZXklAWTrqiOA7pIxWLUnumeCcQGKVKF7EHqY="
	mustRun(t, s, "ALTER ROLE alice2 PASSWORD '"+pre+"'")
	if got := rolePassword(t, s, "alice2"); got != pre {
		t.Fatalf("pre-hashed = %q", got)
	}
	mustRun(t, s, "ALTER ROLE alice2 PASSWORD NULL")
	if got := rolePassword(t, s, "alice2"); got != "" {
		t.Fatalf("after PASSWORD NULL = %q", got)
	}
}

func TestRoleOwnershipAndPrivileges(t *testing.T) {
	s := newTestSession(t)
	// Objects postgres created do not hold other roles back.
	mustRun(t, s, "CREATE ROLE owner1")
	mustRun(t, s, "CREATE TABLE owned_t(a int)")
	mustRun(t, s, "DROP ROLE owner1")

	// A plain login role cannot manage roles but may change its own password.
	mustRun(t, s, "CREATE ROLE tmp")
	mustRun(t, s, "CREATE ROLE plain LOGIN PASSWORD 'a'")
	ctx := context.Background()
	p, err := s.eng.NewSession(ctx, SessionOptions{User: "plain", Database: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if v, _ := p.Setting("is_superuser"); v != "off" {
		t.Errorf("is_superuser = %q", v)
	}
	wantCode(t, p, "CREATE ROLE x", pgerror.CodeInsufficientPrivilege, "permission denied to create role")
	wantCode(t, p, "ALTER ROLE plain CREATEDB", pgerror.CodeInsufficientPrivilege, "permission denied")
	wantCode(t, p, "ALTER ROLE postgres PASSWORD 'x'", pgerror.CodeInsufficientPrivilege, "must be superuser to alter superuser roles or change superuser attribute")
	wantCode(t, p, "DROP ROLE tmp", pgerror.CodeInsufficientPrivilege, "permission denied to drop role")
	mustRun(t, p, "ALTER ROLE plain PASSWORD 'b'")
	if !auth.CheckPlaintext("plain", rolePassword(t, s, "plain"), "b") {
		t.Fatal("own password change not stored")
	}
	expectRows(t, p, []queryCase{{"SELECT current_user, session_user", "plain|plain"}})
	wantCode(t, p, "SELECT count(*) FROM pg_authid", pgerror.CodeInsufficientPrivilege, "permission denied for table pg_authid")

	// A role that owns objects cannot be dropped; the detail lists them.
	mustRun(t, p, "CREATE TABLE mine(a int)")
	_, err = run(t, s, "DROP ROLE plain")
	var pe *pgerror.Error
	if !errors.As(err, &pe) || pe.Code != pgerror.CodeDependentObjectsStillExist || pe.Detail != "owner of table mine" {
		t.Fatalf("DROP ROLE owner: %v", err)
	}
	// Renaming moves the ownership along.
	mustRun(t, s, "ALTER ROLE plain RENAME TO plain2")
	expectRows(t, s, []queryCase{{"SELECT tableowner FROM pg_tables WHERE tablename = 'mine'", "plain2"}})
}

func TestEnsureSuperuser(t *testing.T) {
	s := newTestSession(t)
	ctx := context.Background()
	if err := s.eng.EnsureSuperuser(ctx, "admin", "pw1"); err != nil {
		t.Fatal(err)
	}
	r, _ := s.eng.LookupRole(ctx, "admin")
	if r == nil || !r.Superuser || !r.CanLogin || !auth.CheckPlaintext("admin", r.Password, "pw1") {
		t.Fatalf("admin = %+v", r)
	}
	first := r.Password
	// The same password keeps its secret; a new one replaces it.
	if err := s.eng.EnsureSuperuser(ctx, "admin", "pw1"); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.eng.LookupRole(ctx, "admin"); r.Password != first {
		t.Fatal("unchanged password rehashed")
	}
	if err := s.eng.EnsureSuperuser(ctx, "postgres", "pw2"); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.eng.LookupRole(ctx, "postgres"); !auth.CheckPlaintext("postgres", r.Password, "pw2") {
		t.Fatal("postgres password not set")
	}
}

func TestSetRole(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE ROLE plain LOGIN")
	mustRun(t, s, "SET ROLE postgres")
	mustRun(t, s, "SET ROLE none")
	wantCode(t, s, "SET ROLE nobody", pgerror.CodeInvalidParameterValue, `role "nobody" does not exist`)
	wantCode(t, s, "SET ROLE plain", pgerror.CodeFeatureNotSupported, "SET ROLE to another role is not supported yet")
	p, err := s.eng.NewSession(context.Background(), SessionOptions{User: "plain", Database: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	wantCode(t, p, "SET ROLE postgres", pgerror.CodeInsufficientPrivilege, `permission denied to set role "postgres"`)
	mustRun(t, p, "SET ROLE plain")
	expectRows(t, p, []queryCase{{"SHOW role", "plain"}})
}

// CREATE DATABASE needs CREATEDB; DROP DATABASE needs ownership.
func TestDatabasePrivileges(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "CREATE ROLE plain LOGIN")
	mustRun(t, s, "CREATE ROLE maker LOGIN CREATEDB")
	mustRun(t, s, "CREATE DATABASE theirs")
	open := func(user string) *Session {
		p, err := s.eng.NewSession(context.Background(), SessionOptions{User: user, Database: "postgres"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		return p
	}
	plain, maker := open("plain"), open("maker")
	wantCode(t, plain, "CREATE DATABASE mine", pgerror.CodeInsufficientPrivilege, "permission denied to create database")
	mustRun(t, maker, "CREATE DATABASE mine")
	wantCode(t, maker, "DROP DATABASE theirs", pgerror.CodeInsufficientPrivilege, "must be owner of database theirs")
	wantCode(t, plain, "DROP DATABASE mine", pgerror.CodeInsufficientPrivilege, "must be owner of database mine")
	mustRun(t, maker, "DROP DATABASE mine")
	mustRun(t, s, "DROP DATABASE theirs")
}
