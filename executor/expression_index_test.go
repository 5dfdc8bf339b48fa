package executor

import (
	"errors"
	"strings"
	"testing"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/storage"
)

// TestExpressionIndexSurvivesRestart closes the store and opens it
// again: the expression index keeps answering lookups through its hidden
// column, stays unique (with PostgreSQL's DETAIL naming the expression),
// and new rows get their hidden values computed.
func TestExpressionIndexSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	dupDetail := func(s *Session, sql, want string) {
		t.Helper()
		_, err := run(t, s, sql)
		var pe *pgerror.Error
		if !errors.As(err, &pe) || pe.Code != pgerror.CodeUniqueViolation || pe.Detail != want {
			t.Fatalf("%s: got %v (detail %q), want 23505 with detail %q", sql, err, detailOf(pe), want)
		}
	}
	s, store := openDirSession(t, dir)
	mustRun(t, s, `CREATE TABLE users (id int PRIMARY KEY, email varchar(100), body jsonb)`)
	mustRun(t, s, `INSERT INTO users VALUES (1, 'A@x.com', '{"kind": "a"}'), (2, 'b@x.com', '{"kind": "b"}')`)
	mustRun(t, s, `CREATE UNIQUE INDEX users_lower_email ON users (lower(email))`)
	mustRun(t, s, `CREATE INDEX ON users ((body->>'kind'), id)`)
	dupDetail(s, `INSERT INTO users VALUES (3, 'a@X.COM', NULL)`, "Key (lower(email::text))=(a@x.com) already exists.")
	closeDirSession(t, s, store)

	s2, store2 := openDirSession(t, dir)
	defer store2.Close()
	defer s2.Close()
	mustRun(t, s2, `SET enable_seqscan = off`)
	expectRows(t, s2, []queryCase{
		{`EXPLAIN (COSTS OFF) SELECT id FROM users WHERE lower(email) = 'b@x.com'`,
			"Index Scan using users_lower_email on users\n  Index Cond: (lower((email)::text) = 'b@x.com'::text)"},
		{`SELECT id FROM users WHERE lower(email) = 'b@x.com'`, "2"},
		{`SELECT id FROM users WHERE body->>'kind' = 'a'`, "1"},
		{`SELECT * FROM users ORDER BY id`, "1|A@x.com|{\"kind\": \"a\"}\n2|b@x.com|{\"kind\": \"b\"}"},
	})
	dupDetail(s2, `UPDATE users SET email = 'B@X.com' WHERE id = 1`, "Key (lower(email::text))=(b@x.com) already exists.")
	mustRun(t, s2, `INSERT INTO users VALUES (3, 'C@x.com', '{"kind": "a"}')`)
	expectRows(t, s2, []queryCase{
		{`SELECT id FROM users WHERE lower(email) = 'c@x.com'`, "3"},
		{`SELECT id FROM users WHERE body->>'kind' = 'a' ORDER BY id`, "1\n3"},
	})
	// A unique build over duplicates names the expression too.
	mustRun(t, s2, `DROP INDEX users_lower_email`)
	mustRun(t, s2, `INSERT INTO users VALUES (4, 'c@X.com', NULL)`)
	_, err := run(t, s2, `CREATE UNIQUE INDEX users_lower_email ON users (lower(email))`)
	var pe *pgerror.Error
	if !errors.As(err, &pe) || pe.Message != `could not create unique index "users_lower_email"` || pe.Detail != "Key (lower(email::text))=(c@x.com) is duplicated." {
		t.Fatalf("unique build over duplicates: %v (detail %q)", err, detailOf(pe))
	}
}

func detailOf(pe *pgerror.Error) string {
	if pe == nil {
		return ""
	}
	return pe.Detail
}

// TestUniqueIndexColumnNames follows ChooseIndexColumnNames: a repeated
// name takes the first free number, cut so that it fits in 63 bytes.
func TestUniqueIndexColumnNames(t *testing.T) {
	long := strings.Repeat("x", 63)
	cases := []struct{ in, want []string }{
		{[]string{"lower", "id"}, []string{"lower", "id"}},
		{[]string{"expr", "expr", "expr"}, []string{"expr", "expr1", "expr2"}},
		{[]string{"expr1", "expr", "expr"}, []string{"expr1", "expr", "expr2"}},
		{[]string{long, long}, []string{long, long[:62] + "1"}},
	}
	for _, c := range cases {
		if got := uniqueIndexColumnNames(c.in); strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%v: got %v, want %v", c.in, got, c.want)
		}
	}
}

// openDirSession opens the store kept in dir (a restart when it was
// closed with closeDirSession) and a session of postgres on it.
func openDirSession(t *testing.T, dir string) (*Session, *storage.Engine) {
	t.Helper()
	store, err := storage.Open(storage.Options{Dir: dir, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewEngine(store).NewSession(t.Context(), SessionOptions{User: "postgres", Database: "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	return s, store
}

// closeDirSession shuts down what openDirSession opened, cleanly.
func closeDirSession(t *testing.T, s *Session, store *storage.Engine) {
	t.Helper()
	s.Close()
	if err := s.eng.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
}
