package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/lib/pq"
)

// startAuthServer serves the real engine with an authentication method;
// postgres gets the password "pgpw".
func startAuthServer(t *testing.T, method AuthMethod) (*Server, string) {
	t.Helper()
	srv, addr := startRealServerWith(t, Config{Auth: method})
	if err := srv.cfg.Engine.EnsureSuperuser(context.Background(), "postgres", "pgpw"); err != nil {
		t.Fatal(err)
	}
	return srv, addr
}

func authDSN(addr, user, password, db string) string {
	return fmt.Sprintf("postgres://%s:%s@%s/%s?sslmode=disable", user, password, addr, db)
}

// connectAs connects with pgx and returns the connection or the server's
// error.
func connectAs(t *testing.T, addr, user, password, db string) (*pgx.Conn, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, authDSN(addr, user, password, db))
	if err == nil {
		t.Cleanup(func() { c.Close(context.Background()) })
	}
	return c, err
}

func mustConnect(t *testing.T, addr, user, password, db string) *pgx.Conn {
	t.Helper()
	c, err := connectAs(t, addr, user, password, db)
	if err != nil {
		t.Fatalf("connect as %s: %v", user, err)
	}
	return c
}

// wantConnectError checks a refused connection's SQLSTATE, message and
// severity.
func wantConnectError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != code || pe.Message != msg || pe.Severity != "FATAL" {
		t.Fatalf("err = %v, want FATAL %s %q", err, code, msg)
	}
}

func mustExec(t *testing.T, c *pgx.Conn, sqls ...string) {
	t.Helper()
	for _, q := range sqls {
		if _, err := c.Exec(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func currentUser(t *testing.T, c *pgx.Conn) string {
	t.Helper()
	var u string
	if err := c.QueryRow(context.Background(), "select current_user").Scan(&u); err != nil {
		t.Fatal(err)
	}
	return u
}

// authStartup starts up as user with the test client (dial) and returns it
// with the server's first answer.
func authStartup(t *testing.T, addr, user string) (*client, pgproto3.BackendMessage) {
	t.Helper()
	c := dial(t, addr)
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersionNumber, Parameters: map[string]string{"user": user, "database": "postgres"}})
	msg, err := c.fe.Receive()
	if err != nil {
		t.Fatal(err)
	}
	return c, msg
}

// firstAuthRequest is the server's first authentication message to user.
func firstAuthRequest(t *testing.T, addr, user string) pgproto3.BackendMessage {
	t.Helper()
	_, msg := authStartup(t, addr, user)
	return msg
}

func TestAuthSCRAM(t *testing.T) {
	_, addr := startAuthServer(t, AuthSCRAM)
	admin := mustConnect(t, addr, "postgres", "pgpw", "postgres")
	mustExec(t, admin,
		"CREATE ROLE alice LOGIN PASSWORD 'apw'",
		"CREATE ROLE nologin_role NOLOGIN PASSWORD 'npw'",
		"CREATE ROLE nopass LOGIN",
		"SET password_encryption = 'md5'",
		"CREATE ROLE md5role LOGIN PASSWORD 'mpw'",
		"RESET password_encryption",
	)
	if m, ok := firstAuthRequest(t, addr, "alice").(*pgproto3.AuthenticationSASL); !ok || len(m.AuthMechanisms) != 1 || m.AuthMechanisms[0] != "SCRAM-SHA-256" {
		t.Fatalf("first auth request = %#v, want SASL offering only SCRAM-SHA-256 without TLS", m)
	}

	alice := mustConnect(t, addr, "alice", "apw", "postgres")
	if u := currentUser(t, alice); u != "alice" {
		t.Fatalf("current_user = %q", u)
	}
	if v := alice.PgConn().ParameterStatus("is_superuser"); v != "off" {
		t.Errorf("is_superuser = %q, want off", v)
	}
	if v := alice.PgConn().ParameterStatus("session_authorization"); v != "alice" {
		t.Errorf("session_authorization = %q", v)
	}

	_, err := connectAs(t, addr, "alice", "wrong", "postgres")
	wantConnectError(t, err, "28P01", `password authentication failed for user "alice"`)
	_, err = connectAs(t, addr, "nobody", "x", "postgres")
	wantConnectError(t, err, "28P01", `password authentication failed for user "nobody"`)
	_, err = connectAs(t, addr, "nopass", "x", "postgres")
	wantConnectError(t, err, "28P01", `password authentication failed for user "nopass"`)
	// scram-sha-256 cannot use an md5 hash.
	_, err = connectAs(t, addr, "md5role", "mpw", "postgres")
	wantConnectError(t, err, "28P01", `password authentication failed for user "md5role"`)
	// NOLOGIN is checked after a successful password.
	_, err = connectAs(t, addr, "nologin_role", "npw", "postgres")
	wantConnectError(t, err, "28000", `role "nologin_role" is not permitted to log in`)
	_, err = connectAs(t, addr, "nologin_role", "bad", "postgres")
	wantConnectError(t, err, "28P01", `password authentication failed for user "nologin_role"`)
	_, err = connectAs(t, addr, "alice", "apw", "nodb")
	wantConnectError(t, err, "3D000", `database "nodb" does not exist`)

	// A changed password takes effect at the next login.
	mustExec(t, admin, "ALTER ROLE alice PASSWORD 'apw2'")
	_, err = connectAs(t, addr, "alice", "apw", "postgres")
	wantConnectError(t, err, "28P01", `password authentication failed for user "alice"`)
	mustConnect(t, addr, "alice", "apw2", "postgres")

	mustExec(t, admin, "CREATE ROLE bob LOGIN PASSWORD 'bpw'")
	mustConnect(t, addr, "bob", "bpw", "postgres")
	mustExec(t, admin, "DROP ROLE bob")
	_, err = connectAs(t, addr, "bob", "bpw", "postgres")
	wantConnectError(t, err, "28P01", `password authentication failed for user "bob"`)

	// Non-ASCII passwords are SASLprepped on both sides (a decomposed
	// spelling is the same password).
	mustExec(t, admin, "CREATE ROLE uni LOGIN PASSWORD 'pa\u0308sswo\u0308rd'")
	host, port, _ := net.SplitHostPort(addr)
	uc, err := pgx.Connect(context.Background(), "host="+host+" port="+port+" user=uni password=pässwörd dbname=postgres sslmode=disable")
	if err != nil {
		t.Fatalf("non-ASCII password: %v", err)
	}
	uc.Close(context.Background())

	// An expired password fails like a wrong one.
	mustExec(t, admin, "CREATE ROLE old LOGIN PASSWORD 'opw' VALID UNTIL '2001-01-01'")
	_, err = connectAs(t, addr, "old", "opw", "postgres")
	wantConnectError(t, err, "28P01", `password authentication failed for user "old"`)
}

func TestAuthMD5(t *testing.T) {
	_, addr := startAuthServer(t, AuthMD5)
	admin := mustConnect(t, addr, "postgres", "pgpw", "postgres")
	mustExec(t, admin,
		"CREATE ROLE scramrole LOGIN PASSWORD 'spw'",
		"SET password_encryption = 'md5'",
		"CREATE ROLE md5role LOGIN PASSWORD 'mpw'",
	)
	// md5 roles get an md5 challenge; SCRAM roles still get SCRAM, as in
	// PostgreSQL.
	if _, ok := firstAuthRequest(t, addr, "md5role").(*pgproto3.AuthenticationMD5Password); !ok {
		t.Fatal("md5role was not sent an md5 challenge")
	}
	if _, ok := firstAuthRequest(t, addr, "scramrole").(*pgproto3.AuthenticationSASL); !ok {
		t.Fatal("scramrole was not sent a SASL request")
	}
	if u := currentUser(t, mustConnect(t, addr, "md5role", "mpw", "postgres")); u != "md5role" {
		t.Fatalf("current_user = %q", u)
	}
	mustConnect(t, addr, "scramrole", "spw", "postgres")
	_, err := connectAs(t, addr, "md5role", "bad", "postgres")
	wantConnectError(t, err, "28P01", `password authentication failed for user "md5role"`)
	_, err = connectAs(t, addr, "ghost", "bad", "postgres")
	wantConnectError(t, err, "28P01", `password authentication failed for user "ghost"`)

	// lib/pq answers md5 and SCRAM too.
	for _, c := range []struct{ user, pw string }{{"md5role", "mpw"}, {"scramrole", "spw"}} {
		db, err := sql.Open("postgres", authDSN(addr, c.user, c.pw, "postgres"))
		if err != nil {
			t.Fatal(err)
		}
		var u string
		if err := db.QueryRow("select current_user").Scan(&u); err != nil || u != c.user {
			t.Errorf("lib/pq as %s: %q, %v", c.user, u, err)
		}
		db.Close()
	}
}

func TestAuthCleartext(t *testing.T) {
	_, addr := startAuthServer(t, AuthPassword)
	admin := mustConnect(t, addr, "postgres", "pgpw", "postgres")
	mustExec(t, admin, "CREATE ROLE s LOGIN PASSWORD 'spw'", "SET password_encryption = 'md5'", "CREATE ROLE m LOGIN PASSWORD 'mpw'")
	if _, ok := firstAuthRequest(t, addr, "s").(*pgproto3.AuthenticationCleartextPassword); !ok {
		t.Fatal("no cleartext password request")
	}
	mustConnect(t, addr, "s", "spw", "postgres")
	mustConnect(t, addr, "m", "mpw", "postgres")
	_, err := connectAs(t, addr, "m", "spw", "postgres")
	wantConnectError(t, err, "28P01", `password authentication failed for user "m"`)
}

func TestAuthLibPQSCRAM(t *testing.T) {
	_, addr := startAuthServer(t, AuthSCRAM)
	db, err := sql.Open("postgres", authDSN(addr, "postgres", "pgpw", "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE USER carol PASSWORD 'c p w'"); err != nil {
		t.Fatal(err)
	}
	db2, err := sql.Open("postgres", "postgres://carol:c%20p%20w@"+addr+"/postgres?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	var u string
	if err := db2.QueryRow("select session_user").Scan(&u); err != nil || u != "carol" {
		t.Fatalf("lib/pq SCRAM login: %q, %v", u, err)
	}
	db3, _ := sql.Open("postgres", authDSN(addr, "carol", "nope", "postgres"))
	defer db3.Close()
	err = db3.Ping()
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != "28P01" {
		t.Fatalf("wrong password over lib/pq: %v", err)
	}
}

func TestAuthTrustChecksRoles(t *testing.T) {
	_, addr := startRealServerWith(t, Config{Auth: AuthTrust})
	admin := mustConnect(t, addr, "postgres", "", "postgres")
	mustExec(t, admin, "CREATE ROLE grp NOLOGIN", "CREATE USER u")
	mustConnect(t, addr, "u", "", "postgres")
	_, err := connectAs(t, addr, "stranger", "", "postgres")
	wantConnectError(t, err, "28000", `role "stranger" does not exist`)
	_, err = connectAs(t, addr, "grp", "", "postgres")
	wantConnectError(t, err, "28000", `role "grp" is not permitted to log in`)
}

func TestAuthPsql(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql not installed (apt-get install postgresql-client)")
	}
	_, addr := startAuthServer(t, AuthSCRAM)
	host, port, _ := net.SplitHostPort(addr)
	run := func(password string) (string, error) {
		cmd := exec.Command(psql, "-X", "-A", "-t", "-w", "-h", host, "-p", port, "-U", "postgres", "-d", "postgres", "-c", "select current_user")
		cmd.Env = append(os.Environ(), "PGPASSWORD="+password, "PGSSLMODE=disable")
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	out, err := run("pgpw")
	if err != nil || out != "postgres" {
		t.Fatalf("psql with the right password: %q, %v", out, err)
	}
	out, err = run("wrong")
	if err == nil || !strings.Contains(out, `password authentication failed for user "postgres"`) {
		t.Fatalf("psql with a wrong password: %q, %v", out, err)
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:5432": true, "localhost:5432": true, "[::1]:5432": true, "127.1.2.3:1": true,
		"0.0.0.0:5432": false, ":5432": false, "[::]:5432": false, "10.0.0.1:5432": false, "example.com:5432": false,
	} {
		if got := IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

// Over TLS the server offers SCRAM-SHA-256-PLUS and binds the exchange to
// its certificate (tls-server-end-point); clients that cannot bind still
// log in with plain SCRAM-SHA-256.
func TestAuthSCRAMOverTLS(t *testing.T) {
	pki := newTestPKI(t)
	srv, addr := startRealServerWith(t, Config{TLS: pki.serverConfig(t), Auth: AuthSCRAM})
	if err := srv.cfg.Engine.EnsureSuperuser(context.Background(), "postgres", "pgpw"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, params := range []string{"sslmode=require&channel_binding=require", "sslmode=require&channel_binding=disable", "sslmode=verify-full&sslrootcert=" + pki.caFile} {
		c, err := pgx.Connect(ctx, "postgres://postgres:pgpw@localhost:"+strings.Split(addr, ":")[1]+"/postgres?"+params)
		if err != nil {
			t.Errorf("%s: %v", params, err)
			continue
		}
		if u := currentUser(t, c); u != "postgres" {
			t.Errorf("%s: current_user = %q", params, u)
		}
		c.Close(ctx)
	}
	_, err := pgx.Connect(ctx, "postgres://postgres:bad@"+addr+"/postgres?sslmode=require&channel_binding=require")
	wantConnectError(t, err, "28P01", `password authentication failed for user "postgres"`)

	db, err := sql.Open("postgres", "postgres://postgres:pgpw@"+addr+"/postgres?sslmode=require")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		t.Errorf("lib/pq over TLS: %v", err)
	}

	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql not installed (apt-get install postgresql-client)")
	}
	host, port, _ := net.SplitHostPort(addr)
	cmd := exec.CommandContext(ctx, psql, "-X", "-A", "-t", "-w",
		"host="+host+" port="+port+" user=postgres dbname=postgres sslmode=require channel_binding=require", "-c", "select current_user")
	cmd.Env = append(os.Environ(), "PGPASSWORD=pgpw", "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "postgres" {
		t.Errorf("psql channel_binding=require: %v\n%s", err, out)
	}
}

func TestAuthConnectionLimit(t *testing.T) {
	_, addr := startAuthServer(t, AuthSCRAM)
	admin := mustConnect(t, addr, "postgres", "pgpw", "postgres")
	mustExec(t, admin, "CREATE ROLE lim LOGIN PASSWORD 'lpw' CONNECTION LIMIT 1", "CREATE ROLE zero LOGIN PASSWORD 'zpw' CONNECTION LIMIT 0")
	first := mustConnect(t, addr, "lim", "lpw", "postgres")
	_, err := connectAs(t, addr, "lim", "lpw", "postgres")
	wantConnectError(t, err, "53300", `too many connections for role "lim"`)
	_, err = connectAs(t, addr, "zero", "zpw", "postgres")
	wantConnectError(t, err, "53300", `too many connections for role "zero"`)
	// The slot frees when the session ends.
	first.Close(context.Background())
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := connectAs(t, addr, "lim", "lpw", "postgres")
		if err == nil {
			c.Close(context.Background())
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("slot not freed: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Superusers are exempt.
	mustExec(t, admin, "ALTER ROLE postgres CONNECTION LIMIT 1")
	mustConnect(t, addr, "postgres", "pgpw", "postgres")
}

// rawSASL starts up as postgres on a scram-sha-256 server, answers the
// SASL request with first (and, when it gets that far, nothing else) and
// returns the server's error.
func rawSASL(t *testing.T, addr string, first pgproto3.FrontendMessage) *pgproto3.ErrorResponse {
	t.Helper()
	c, m := authStartup(t, addr, "postgres")
	if _, ok := m.(*pgproto3.AuthenticationSASL); !ok {
		t.Fatalf("got %T, want AuthenticationSASL", m)
	}
	c.send(first)
	m, err := c.fe.Receive()
	if err != nil {
		t.Fatal(err)
	}
	er, ok := m.(*pgproto3.ErrorResponse)
	if !ok {
		t.Fatalf("got %T, want ErrorResponse", m)
	}
	// The connection is closed after the FATAL.
	if m, err := c.fe.Receive(); err == nil {
		t.Fatalf("connection still open after FATAL: got %T", m)
	}
	return er
}

// Protocol errors in the SASL exchange end the connection with 08P01 or
// 0A000, as PostgreSQL's do.
func TestAuthSASLProtocolErrors(t *testing.T) {
	_, addr := startAuthServer(t, AuthSCRAM)
	cases := []struct {
		name string
		msg  pgproto3.FrontendMessage
		code string
		want string
	}{
		{"unknown mechanism", &pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-1", Data: []byte("n,,n=,r=abc")}, "08P01", "client selected an invalid SASL authentication mechanism"},
		{"PLUS without TLS", &pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-256-PLUS", Data: []byte("p=tls-server-end-point,,n=,r=abc")}, "08P01", "client selected an invalid SASL authentication mechanism"},
		{"binding data without PLUS", &pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-256", Data: []byte("p=tls-server-end-point,,n=,r=abc")}, "08P01", "malformed SCRAM message"},
		{"bad flag", &pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-256", Data: []byte("x,,n=,r=abc")}, "08P01", "malformed SCRAM message"},
		{"authzid", &pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-256", Data: []byte("n,a=bob,n=,r=abc")}, "0A000", "client uses authorization identity, but it is not supported"},
		{"query instead", &pgproto3.Query{String: "select 1"}, "08P01", "expected SASL response, got message type 81"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			er := rawSASL(t, addr, c.msg)
			if er.Severity != "FATAL" || er.Code != c.code || (c.want != "" && er.Message != c.want) {
				t.Fatalf("got %s %s %q, want FATAL %s %q", er.Severity, er.Code, er.Message, c.code, c.want)
			}
		})
	}
}
