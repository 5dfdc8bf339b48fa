package logictest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestPsqlSession runs testdata/psql/*.sql through the real psql binary and
// compares its output (stdout and stderr, as a user sees it) with the
// .expected file recorded from PostgreSQL 15 for the same script.
func TestPsqlSession(t *testing.T) {
	runPsqlScripts(t, filepath.Join(repoRoot, "testdata", "psql"))
}

// runPsqlScripts runs every *.sql script of dir through the real psql,
// each in a fresh database, and compares what a user sees (stdout and
// stderr interleaved) with the script's .expected file recorded from
// PostgreSQL 15 (-rewrite records it again).
func runPsqlScripts(t *testing.T, dir string) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql not found in PATH: install postgresql-client to run the psql end-to-end tests")
	}
	scripts, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if len(scripts) == 0 {
		t.Fatalf("no scripts under %s", dir)
	}
	srv := startLogicServer(t)
	for _, script := range scripts {
		name := strings.TrimSuffix(filepath.Base(script), ".sql")
		t.Run(name, func(t *testing.T) {
			dsn := freshDatabase(t, srv.adminDSN, "psql_"+dbNameUnsafe.ReplaceAllString(name, "_"))
			cfg, err := pgconn.ParseConfig(dsn)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			// psql names the script in error lines, so it runs from the
			// script's directory with a relative path, as when recorded.
			cmd := exec.CommandContext(ctx, psql, "-X",
				"-h", cfg.Host, "-p", strconv.Itoa(int(cfg.Port)), "-U", "postgres", "-d", cfg.Database,
				"-f", filepath.Base(script))
			cmd.Dir = filepath.Dir(script)
			cmd.Env = psqlEnv()
			var out bytes.Buffer
			// One buffer for both streams keeps psql's own interleaving.
			cmd.Stdout = &out
			cmd.Stderr = &out
			// psql exits 0 after statement and meta-command errors (no
			// ON_ERROR_STOP); a non-zero exit is a connection failure.
			if err := cmd.Run(); err != nil {
				t.Fatalf("psql failed: %v\n%s", err, out.String())
			}
			expectedPath := strings.TrimSuffix(script, ".sql") + ".expected"
			if *rewrite {
				if err := os.WriteFile(expectedPath, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(expectedPath)
			if err != nil {
				t.Fatalf("reading expected output: %v", err)
			}
			if got := out.String(); got != string(want) {
				t.Errorf("psql output differs from %s\n%s", expectedPath, unifiedDiff(t, expectedPath, got))
			}
		})
	}
}

// psqlEnv is a minimal environment: no PG* variables or psqlrc from the
// caller, untranslated messages.
func psqlEnv() []string {
	env := []string{"LC_ALL=C.UTF-8", "PGCONNECT_TIMEOUT=10", "PGSSLMODE=disable"}
	if home, err := os.MkdirTemp("", "psql-home"); err == nil {
		env = append(env, "HOME="+home)
	}
	if p := os.Getenv("PATH"); p != "" {
		env = append(env, "PATH="+p)
	}
	return env
}

// unifiedDiff shows the whole difference with diff(1) when it is
// installed, else the first differing line.
func unifiedDiff(t *testing.T, expectedPath, got string) string {
	gotPath := filepath.Join(t.TempDir(), "got")
	if err := os.WriteFile(gotPath, []byte(got), 0o644); err == nil {
		if out, err := exec.Command("diff", "-u", expectedPath, gotPath).Output(); len(out) > 0 {
			return string(out)
		} else if err != nil {
			t.Logf("diff unavailable: %v", err)
		}
	}
	want, err := os.ReadFile(expectedPath)
	if err != nil {
		return err.Error()
	}
	return lineDiff(string(want), got)
}

// lineDiff reports the first differing line with some context; enough to
// see what psql printed differently without a diff library.
func lineDiff(want, got string) string {
	w := strings.Split(want, "\n")
	g := strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			from := max(0, i-3)
			return fmt.Sprintf("first difference at line %d\n--- expected\n%s\n--- got\n%s",
				i+1, strings.Join(w[from:min(len(w), i+4)], "\n"), strings.Join(g[from:min(len(g), i+4)], "\n"))
		}
	}
	return "(no line differs)"
}

// TestCrashDurability kills the real binary with SIGKILL and checks that a
// restart on the same data directory has every committed row and none of
// an open transaction's rows. It also checks that a second server refuses
// a data directory that is in use.
func TestCrashDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server binary")
	}
	dir := t.TempDir()
	p := startQuiverProc(t, "--data-dir", dir)
	// The listener may accept before the line is written; give it a moment.
	ready := "ready to accept connections on " + p.addr
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(p.log.String(), ready) && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(p.log.String(), ready) {
		t.Errorf("server log lacks %q:\n%s", ready, p.log.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	conn := pgxConnect(ctx, t, p.dsn("postgres"))
	mustExec(ctx, t, conn, "CREATE TABLE crash (id int PRIMARY KEY, v text NOT NULL)")
	// Autocommitted statements, one row and many rows at a time.
	const autoRows = 50
	for i := 1; i <= autoRows; i++ {
		mustExec(ctx, t, conn, fmt.Sprintf("INSERT INTO crash VALUES (%d, 'auto')", i))
	}
	mustExec(ctx, t, conn, insertRange(1001, 1500, "bulk"))
	// An explicit transaction.
	mustExec(ctx, t, conn, "BEGIN")
	mustExec(ctx, t, conn, insertRange(2001, 2100, "txn"))
	mustExec(ctx, t, conn, "UPDATE crash SET v = 'updated' WHERE id = 1")
	mustExec(ctx, t, conn, "DELETE FROM crash WHERE id = 2")
	mustExec(ctx, t, conn, "COMMIT")
	const committed = autoRows + 500 + 100 - 1

	// Work left open in a second session when the server dies.
	open := pgxConnect(ctx, t, p.dsn("postgres"))
	mustExec(ctx, t, open, "BEGIN")
	mustExec(ctx, t, open, insertRange(9001, 9100, "uncommitted"))
	mustExec(ctx, t, open, "UPDATE crash SET v = 'uncommitted' WHERE id = 3")
	mustExec(ctx, t, open, "DELETE FROM crash WHERE id = 4")

	// A second server on the same directory must refuse to start.
	second, err := launchQuiverProc(t, "--data-dir", dir)
	if err == nil {
		second.kill()
		t.Fatal("a second server started on a data directory that is in use")
	}
	if msg := strings.ToLower(err.Error()); !strings.Contains(msg, "lock") && !strings.Contains(msg, "in use") {
		t.Errorf("second server's error does not say the directory is locked or in use:\n%v", err)
	}

	p.kill()
	if p.cmd.ProcessState == nil || p.cmd.ProcessState.Success() {
		t.Fatalf("server was not killed: %v", p.cmd.ProcessState)
	}

	p2 := startQuiverProc(t, "--data-dir", dir)
	conn2 := pgxConnect(ctx, t, p2.dsn("postgres"))
	checks := []struct {
		sql  string
		want string
	}{
		{"SELECT count(*) FROM crash", strconv.Itoa(committed)},
		{"SELECT count(*) FROM crash WHERE v = 'uncommitted' OR id > 9000", "0"},
		{"SELECT count(*) FROM crash WHERE v = 'bulk'", "500"},
		{"SELECT count(*) FROM crash WHERE v = 'txn'", "100"},
		{"SELECT v FROM crash WHERE id = 1", "updated"},
		{"SELECT count(*) FROM crash WHERE id = 2", "0"},
		{"SELECT v FROM crash WHERE id = 3", "auto"},
		{"SELECT v FROM crash WHERE id = 4", "auto"},
	}
	check := &Conn{PG: conn2.PgConn(), Simple: true}
	for _, c := range checks {
		res := check.Run(ctx, c.sql)
		if res.Err != nil {
			t.Errorf("%s: %v", c.sql, res.Err)
			continue
		}
		got := FormatRows(res.Rows, SortNone)
		if len(got) != 1 || got[0] != c.want {
			t.Errorf("after crash and restart, %s = %q, want %s", c.sql, got, c.want)
		}
	}
	// The restarted server still takes writes on the same table.
	mustExec(ctx, t, conn2, "INSERT INTO crash VALUES (5000, 'after restart')")
	// SIGTERM with a session still connected is a clean shutdown.
	if err := p2.stop(t); err != nil {
		t.Errorf("graceful shutdown after restart: %v\n%s", err, p2.log.String())
	}
}

// insertRange is one multi-row INSERT of ids from..to (inclusive), written
// out as VALUES so the test depends on nothing but INSERT.
func insertRange(from, to int, v string) string {
	var sb strings.Builder
	sb.WriteString("INSERT INTO crash VALUES ")
	for id := from; id <= to; id++ {
		if id > from {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, "(%d, '%s')", id, v)
	}
	return sb.String()
}

func pgxConnect(ctx context.Context, t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("parsing %s: %v", dsn, err)
	}
	// The simple protocol keeps this test about durability, not about the
	// extended protocol (the logic tests cover that).
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connecting to %s: %v", dsn, err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

func mustExec(ctx context.Context, t *testing.T, c *pgx.Conn, sql string) {
	t.Helper()
	if _, err := c.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
