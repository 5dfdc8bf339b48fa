package logictest

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

var rewrite = flag.Bool("rewrite", false,
	"rewrite the expected results of testdata/logic/*.test from the target's output (use with QUIVER_LOGIC_DSN pointing at PostgreSQL)")

// maxFailures bounds the report of one file: after that many mismatches
// the rest are almost always consequences of the first.
const maxFailures = 25

// statementTimeout bounds each statement so a hung server fails the test
// instead of stalling it.
const statementTimeout = 30 * time.Second

// logicServer is where the logic tests run: an admin DSN whose database
// allows CREATE DATABASE, and the target name for skipif/onlyif.
type logicServer struct {
	adminDSN string
	target   string
}

func startLogicServer(t *testing.T) logicServer {
	t.Helper()
	if dsn := os.Getenv(dsnEnv); dsn != "" {
		target := os.Getenv(targetEnv)
		if target == "" {
			target = "postgres"
		}
		return logicServer{adminDSN: dsn, target: target}
	}
	return logicServer{adminDSN: startInProcess(t), target: "quiver"}
}

func TestLogic(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(repoRoot, "testdata", "logic", "*.test"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no logic test files under testdata/logic")
	}
	srv := startLogicServer(t)
	modes := []struct {
		name   string
		simple bool
	}{{"simple", true}, {"extended", false}}
	for _, m := range modes {
		if *rewrite && !m.simple {
			continue
		}
		t.Run(m.name, func(t *testing.T) {
			for _, path := range files {
				name := strings.TrimSuffix(filepath.Base(path), ".test")
				t.Run(name, func(t *testing.T) {
					runLogicFile(t, srv, path, m.simple)
				})
			}
		})
	}
}

var dbNameUnsafe = regexp.MustCompile(`[^a-z0-9_]`)

// runLogicFile runs one file in a database of its own.
func runLogicFile(t *testing.T, srv logicServer, path string, simple bool) {
	f, err := ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rel := filepath.Join("testdata", "logic", filepath.Base(path))
	dbName := "logic_" + dbNameUnsafe.ReplaceAllString(strings.ToLower(strings.TrimSuffix(filepath.Base(path), ".test")), "_")
	dsn := freshDatabase(t, srv.adminDSN, dbName)

	conns := map[string]*Conn{}
	open := func(name string) *Conn {
		if c, ok := conns[name]; ok {
			return c
		}
		c := &Conn{PG: connect(t, dsn), Simple: simple}
		conns[name] = c
		return c
	}
	cur := open("default")

	failures := 0
	results := map[int][]string{}
	for i := range f.Records {
		rec := &f.Records[i]
		if !rec.Applies(srv.target) {
			continue
		}
		if rec.Kind == KindConnection {
			cur = open(rec.Conn)
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), statementTimeout)
		res := cur.Run(ctx, rec.SQL)
		cancel()
		if cur.PG.IsClosed() {
			t.Fatalf("%s:%d: connection lost running %q: %v", rel, rec.Line, rec.SQL, res.Err)
		}
		problems, got := Check(rec, res)
		if rec.Kind == KindQuery && !rec.ExpectError && res.Err == nil {
			results[i] = got
		}
		for _, p := range problems {
			if *rewrite && strings.HasPrefix(p, "result mismatch") {
				continue
			}
			failures++
			t.Errorf("%s:%d: %s\n%s", rel, rec.Line, indent(rec.SQL), p)
		}
		if failures >= maxFailures {
			t.Fatalf("%s: stopping after %d failures", rel, failures)
		}
	}
	if *rewrite {
		if err := os.WriteFile(path, f.Rewrite(results), 0o644); err != nil {
			t.Fatalf("rewriting %s: %v", path, err)
		}
	}
}

func indent(sql string) string {
	return "    " + strings.ReplaceAll(sql, "\n", "\n    ")
}

// freshDatabase (re)creates dbName on the server and returns a DSN for it.
// The database is dropped again when the test ends so reruns start clean.
func freshDatabase(t *testing.T, adminDSN, dbName string) string {
	t.Helper()
	admin := connect(t, adminDSN)
	ctx, cancel := context.WithTimeout(context.Background(), statementTimeout)
	defer cancel()
	for _, q := range []string{
		fmt.Sprintf("DROP DATABASE IF EXISTS %s", dbName),
		fmt.Sprintf("CREATE DATABASE %s", dbName),
	} {
		if _, err := admin.Exec(ctx, q).ReadAll(); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	cfg, err := pgconn.ParseConfig(adminDSN)
	if err != nil {
		t.Fatalf("parsing %s: %v", adminDSN, err)
	}
	t.Cleanup(func() {
		// Runs after the file's own connections closed (cleanups are LIFO).
		ctx, cancel := context.WithTimeout(context.Background(), statementTimeout)
		defer cancel()
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+dbName).ReadAll(); err != nil {
			t.Logf("dropping %s: %v", dbName, err)
		}
	})
	user := url.User(cfg.User)
	if cfg.Password != "" {
		user = url.UserPassword(cfg.User, cfg.Password)
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", user, cfg.Host, cfg.Port, dbName)
}
