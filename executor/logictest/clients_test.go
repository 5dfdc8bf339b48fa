package logictest

import (
	"bytes"
	"context"
	"fmt"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// The client checks run a real driver program (testdata/clients/...)
// against a fresh database and compare what it prints, section by section,
// with the expected.txt beside it: PostgreSQL 15's answers for the parts
// that do not need pgvector (recorded with the program's "novector" mode),
// and PostgreSQL + pgvector's for the vector parts.

// debianPython is Debian's interpreter: the client modules are installed as
// Debian packages (python3-psycopg, python3-sqlalchemy, python3-psycopg2),
// which a python3 earlier on PATH (e.g. pyenv) does not see.
const debianPython = "/usr/bin/python3"

// jdbcJar is where libpostgresql-jdbc-java installs the driver.
const jdbcJar = "/usr/share/java/postgresql.jar"

// clientTimeout bounds one client program; each runs in a few seconds.
const clientTimeout = 90 * time.Second

// clientPassword is the superuser's password on the in-process server the
// client checks log in to with SCRAM-SHA-256.
const clientPassword = "client-Secret-1"

// startClientServer is the server a client check runs against: the
// external one of QUIVER_LOGIC_DSN, else an in-process server with
// SCRAM-SHA-256 authentication and TLS, so the drivers log in as they do
// in deployments.
func startClientServer(t *testing.T) logicServer {
	t.Helper()
	if os.Getenv(dsnEnv) != "" {
		return startLogicServer(t)
	}
	return startSCRAMServer(t)
}

// TestClientJDBC runs testdata/clients/jdbc/JdbcCheck.java with the
// PostgreSQL JDBC driver: typed and binary prepared statements, batches,
// CopyManager, cancel, transactions and DatabaseMetaData.
func TestClientJDBC(t *testing.T) {
	javac, err := exec.LookPath("javac")
	if err != nil {
		t.Skip("javac not found: install a JDK (default-jdk-headless) to run the JDBC check")
	}
	java, err := exec.LookPath("java")
	if err != nil {
		t.Skip("java not found: install a JDK (default-jdk-headless) to run the JDBC check")
	}
	if _, err := os.Stat(jdbcJar); err != nil {
		t.Skipf("%s not found: apt-get install libpostgresql-jdbc-java to run the JDBC check", jdbcJar)
	}
	dir := filepath.Join(repoRoot, "testdata", "clients", "jdbc")
	classes := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	compile := exec.CommandContext(ctx, javac, "-d", classes, "-cp", jdbcJar, filepath.Join(dir, "JdbcCheck.java"))
	if out, err := compile.CombinedOutput(); err != nil {
		t.Fatalf("javac: %v\n%s", err, out)
	}
	srv := startClientServer(t)
	cfg := clientConfig(t, freshDatabase(t, srv.adminDSN, "client_jdbc"))
	// Parameters in the URL override the program's own properties: SCRAM
	// over TLS (sslmode=require does not verify the certificate).
	url := fmt.Sprintf("jdbc:postgresql://%s:%d/%s?sslmode=require&password=%s", cfg.Host, cfg.Port, cfg.Database, neturl.QueryEscape(cfg.Password))
	got := runClient(ctx, t, exec.CommandContext(ctx, java, "-cp", classes+string(os.PathListSeparator)+jdbcJar,
		"JdbcCheck", url, cfg.User))
	compareClientOutput(t, got, filepath.Join(dir, "expected.txt"))
}

// TestClientPsycopg3 runs testdata/clients/python/psycopg3_check.py:
// int2 parameters, binary cursors, pipeline mode, executemany, COPY in
// both formats, vectors as text, cancel, transaction blocks and TypeInfo.
func TestClientPsycopg3(t *testing.T) {
	requirePythonModules(t, "psycopg", "python3-psycopg")
	srv := startClientServer(t)
	cfg := clientConfig(t, freshDatabase(t, srv.adminDSN, "client_psycopg3"))
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	// SCRAM over TLS; the password goes by environment, not argv.
	dsn := fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=require", cfg.Host, cfg.Port, cfg.User, cfg.Database)
	dir := filepath.Join(repoRoot, "testdata", "clients", "python")
	cmd := exec.CommandContext(ctx, debianPython, filepath.Join(dir, "psycopg3_check.py"), dsn)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+cfg.Password)
	got := runClient(ctx, t, cmd)
	compareClientOutput(t, got, filepath.Join(dir, "psycopg3_expected.txt"))
}

// TestClientSQLAlchemy runs testdata/clients/python/sqlalchemy_check.py:
// Core DDL and DML through the psycopg2 dialect, then inspect(engine).
func TestClientSQLAlchemy(t *testing.T) {
	requirePythonModules(t, "sqlalchemy", "python3-sqlalchemy")
	requirePythonModules(t, "psycopg2", "python3-psycopg2")
	srv := startClientServer(t)
	cfg := clientConfig(t, freshDatabase(t, srv.adminDSN, "client_sqlalchemy"))
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	// SCRAM without TLS (the JDBC and psycopg 3 checks use TLS).
	user := neturl.QueryEscape(cfg.User)
	if cfg.Password != "" {
		user += ":" + neturl.QueryEscape(cfg.Password)
	}
	url := fmt.Sprintf("postgresql+psycopg2://%s@%s:%d/%s?sslmode=disable", user, cfg.Host, cfg.Port, cfg.Database)
	dir := filepath.Join(repoRoot, "testdata", "clients", "python")
	got := runClient(ctx, t, exec.CommandContext(ctx, debianPython, filepath.Join(dir, "sqlalchemy_check.py"), url))
	compareClientOutput(t, got, filepath.Join(dir, "sqlalchemy_expected.txt"))
}

// nodeModulesEnv names a node_modules directory holding pg and
// pg-copy-streams for TestClientNode; without it the test looks in the
// cache directory .ci/run installs them into, never in the repository.
const nodeModulesEnv = "QUIVER_NODE_MODULES"

// TestClientNode runs testdata/clients/node/pg_check.js with node-postgres
// (pg 8.23.1) and pg-copy-streams: SCRAM with and without TLS (and with
// channel binding), named prepared statements with typed parameters,
// binary results and parameters, COPY in and out and bad COPY rows,
// cancel and statement_timeout, transactions and error fields.
func TestClientNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found: install nodejs and npm to run the node-postgres check")
	}
	modules := nodeModulesDir(t)
	srv := startClientServer(t)
	cfg := clientConfig(t, freshDatabase(t, srv.adminDSN, "client_node"))
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	dir := filepath.Join(repoRoot, "testdata", "clients", "node")
	// The program connects over TLS (and, in one section, without); the
	// password goes by environment, not argv.
	cmd := exec.CommandContext(ctx, node, filepath.Join(dir, "pg_check.js"), cfg.Host, fmt.Sprint(cfg.Port), cfg.User, cfg.Database)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+cfg.Password, "NODE_PATH="+modules)
	got := runClient(ctx, t, cmd)
	compareClientOutput(t, got, filepath.Join(dir, "pg_expected.txt"))
}

// nodeModulesDir is the node_modules directory with the check's packages:
// $QUIVER_NODE_MODULES, else the cache directory .ci/run installs them in
// (${XDG_CACHE_HOME:-$HOME/.cache}/quiver/node-client/node_modules). It
// skips the test when neither holds them.
func nodeModulesDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv(nodeModulesEnv)
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			t.Skipf("no cache directory for the node-postgres modules (%v): set %s or run .ci/run", err, nodeModulesEnv)
		}
		dir = filepath.Join(cache, "quiver", "node-client", "node_modules")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatalf("resolving %s: %v", dir, err)
	}
	for _, pkg := range []string{"pg", "pg-copy-streams"} {
		if _, err := os.Stat(filepath.Join(dir, pkg, "package.json")); err != nil {
			t.Skipf("%s not installed in %s: run .ci/run (npm ci of testdata/clients/node) or set %s", pkg, dir, nodeModulesEnv)
		}
	}
	return dir
}

func clientConfig(t *testing.T, dsn string) *pgconn.Config {
	t.Helper()
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("parsing %s: %v", dsn, err)
	}
	return cfg
}

// requirePythonModules skips the test when Debian's python3 cannot import
// module (installed by the Debian package pkg).
func requirePythonModules(t *testing.T, module, pkg string) {
	t.Helper()
	if _, err := os.Stat(debianPython); err != nil {
		t.Skipf("%s not found: install python3 and %s to run this check", debianPython, pkg)
	}
	if out, err := exec.Command(debianPython, "-c", "import "+module).CombinedOutput(); err != nil {
		t.Skipf("%s cannot import %s (apt-get install %s): %v\n%s", debianPython, module, pkg, err, out)
	}
}

// runClient runs a client program and returns its standard output; its
// standard error is shown only when it fails.
func runClient(ctx context.Context, t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	t.Logf("%s ran in %v", filepath.Base(cmd.Path), time.Since(start).Round(time.Millisecond))
	if err != nil || ctx.Err() != nil {
		t.Fatalf("%s: %v (context: %v)\nstdout:\n%s\nstderr:\n%s", cmd, err, ctx.Err(), stdout.String(), stderr.String())
	}
	return stdout.String()
}

// compareClientOutput compares the client's lines with the expected file,
// grouped by section (the first word of a line, before ':' or a space), so
// that a failure names the feature that differs.
func compareClientOutput(t *testing.T, got, expectedPath string) {
	t.Helper()
	raw, err := os.ReadFile(expectedPath)
	if err != nil {
		t.Fatalf("reading expected output: %v", err)
	}
	// Lines starting with "#" in the expected file are notes on how it was
	// recorded, not output.
	var kept []string
	for _, line := range strings.SplitAfter(string(raw), "\n") {
		if !strings.HasPrefix(line, "#") {
			kept = append(kept, line)
		}
	}
	want := strings.Join(kept, "")
	if !strings.HasSuffix(strings.TrimRight(got, "\n"), "done") {
		t.Errorf("the client did not finish its run (no final \"done\" line)")
	}
	wantBy, order := clientSections(want)
	gotBy, gotOrder := clientSections(got)
	for _, s := range gotOrder {
		if _, ok := wantBy[s]; !ok {
			order = append(order, s)
		}
	}
	for _, s := range order {
		w, g := strings.Join(wantBy[s], "\n"), strings.Join(gotBy[s], "\n")
		if w != g {
			t.Errorf("section %q differs from %s\n%s", s, expectedPath, lineDiff(w, g))
		}
	}
}

// clientSections groups lines by section name, keeping the sections' first
// appearance order. "x error: ..." lines belong to section x.
func clientSections(out string) (map[string][]string, []string) {
	by := map[string][]string{}
	var order []string
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		name := line
		if i := strings.IndexAny(line, ": "); i >= 0 {
			name = line[:i]
		}
		if _, ok := by[name]; !ok {
			order = append(order, name)
		}
		by[name] = append(by[name], line)
	}
	return by, order
}
