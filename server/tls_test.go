package server

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	_ "github.com/lib/pq"
)

// testPKI is a throw-away CA and a server certificate it signed for
// 127.0.0.1 and localhost, written as PEM files.
type testPKI struct {
	caFile, certFile, keyFile string
	pool                      *x509.CertPool
}

func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "quiver test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(srvKey)
	if err != nil {
		t.Fatal(err)
	}
	p := testPKI{
		caFile:   filepath.Join(dir, "ca.crt"),
		certFile: filepath.Join(dir, "server.crt"),
		keyFile:  filepath.Join(dir, "server.key"),
		pool:     x509.NewCertPool(),
	}
	p.pool.AddCert(caCert)
	for path, block := range map[string]*pem.Block{
		p.caFile:   {Type: "CERTIFICATE", Bytes: caDER},
		p.certFile: {Type: "CERTIFICATE", Bytes: srvDER},
		p.keyFile:  {Type: "PRIVATE KEY", Bytes: keyDER},
	} {
		if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func (p testPKI) serverConfig(t *testing.T) *tls.Config {
	t.Helper()
	conf, err := TLSConfigFromFiles(p.certFile, p.keyFile)
	if err != nil {
		t.Fatalf("TLSConfigFromFiles: %v", err)
	}
	return conf
}

// startTLSClient sends an SSLRequest on c, expects 'S' and completes the
// handshake, verifying the server against pool.
func startTLSClient(t *testing.T, c *client, pool *x509.CertPool) *client {
	t.Helper()
	rawStartup(t, c.nc, sslRequestCode, nil)
	var b [1]byte
	if _, err := io.ReadFull(c.nc, b[:]); err != nil || b[0] != 'S' {
		t.Fatalf("SSLRequest answered %q, %v; want 'S'", b[0], err)
	}
	tc := tls.Client(c.nc, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	if err := tc.Handshake(); err != nil {
		t.Fatalf("TLS handshake: %v", err)
	}
	return &client{t: t, nc: tc, fe: pgproto3.NewFrontend(tc, tc)}
}

// encryptedSessions counts the server's sessions whose connection is TLS.
// Sessions register under srv.mu after their handshake, so reading under
// the same lock once the client finished start-up is race-free.
func encryptedSessions(srv *Server) (encrypted, all int) {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	for _, c := range srv.byPID {
		all++
		if st, ok := c.TLSConnectionState(); ok && st.HandshakeComplete {
			encrypted++
		}
	}
	return encrypted, all
}

func TestTLSStartupSequence(t *testing.T) {
	pki := newTestPKI(t)
	srv, _, addr := startServer(t, Config{TLS: pki.serverConfig(t)})

	// GSSENCRequest is still refused; the client may then ask for TLS.
	c := dial(t, addr)
	rawStartup(t, c.nc, gssEncRequestCode, nil)
	var b [1]byte
	if _, err := io.ReadFull(c.nc, b[:]); err != nil || b[0] != 'N' {
		t.Fatalf("GSSENCRequest answered %q, %v; want 'N'", b[0], err)
	}
	tc := startTLSClient(t, c, pki.pool)
	tc.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "u"}})
	expectSeq(t, "start-up over TLS", tc.untilReady(), startupStatuses("u", "UTC", ""))
	if enc, all := encryptedSessions(srv); enc != 1 || all != 1 {
		t.Errorf("server sees %d encrypted of %d sessions, want 1 of 1", enc, all)
	}
	state, ok := tc.nc.(*tls.Conn)
	if !ok || state.ConnectionState().Version < tls.VersionTLS12 {
		t.Errorf("client connection is not TLS 1.2+")
	}

	// A second SSLRequest inside TLS is an unknown protocol, as in
	// PostgreSQL.
	c2 := startTLSClient(t, dial(t, addr), pki.pool)
	rawStartup(t, c2.nc, sslRequestCode, nil)
	expectSeq(t, "SSLRequest inside TLS", []string{c2.receive()},
		[]string{"FATAL 0A000 unsupported frontend protocol 1234.5679: server supports 3.0 to 3.0"})

	// A client that answers 'S' with garbage instead of a ClientHello is
	// dropped without a session.
	c3 := dial(t, addr)
	rawStartup(t, c3.nc, sslRequestCode, nil)
	if _, err := io.ReadFull(c3.nc, b[:]); err != nil || b[0] != 'S' {
		t.Fatalf("SSLRequest answered %q, %v; want 'S'", b[0], err)
	}
	if _, err := c3.nc.Write([]byte("\x00\x00\x00\x08\x04\xd2\x16\x2fnot a hello")); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(c3.nc); err != nil {
		t.Errorf("reading until the server closes: %v", err)
	}
}

func TestTLSRequiredRefusesPlaintext(t *testing.T) {
	pki := newTestPKI(t)
	_, eng, addr := startServer(t, Config{TLS: pki.serverConfig(t), TLSRequired: true})

	c := dial(t, addr)
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": "u", "database": "db"}})
	expectSeq(t, "plaintext start-up", []string{c.receive()},
		[]string{`FATAL 28000 connection rejected for host "127.0.0.1", user "u", database "db", no encryption`})
	if got := eng.takeEvents(); len(got) != 0 {
		t.Errorf("a refused connection reached the engine: %v", got)
	}

	// After 'N' to GSSENCRequest the client still goes plaintext: refused.
	c = dial(t, addr)
	rawStartup(t, c.nc, gssEncRequestCode, nil)
	var b [1]byte
	if _, err := io.ReadFull(c.nc, b[:]); err != nil || b[0] != 'N' {
		t.Fatalf("GSSENCRequest answered %q, %v; want 'N'", b[0], err)
	}
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "u"}})
	if got := c.receive(); !strings.HasPrefix(got, "FATAL 28000 ") {
		t.Errorf("plaintext after GSSENCRequest: %s, want FATAL 28000", got)
	}

	tc := startTLSClient(t, dial(t, addr), pki.pool)
	tc.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "u"}})
	expectSeq(t, "start-up over TLS", tc.untilReady(), startupStatuses("u", "UTC", ""))

	// Drivers see the same report.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := pgx.Connect(ctx, "postgres://u@"+addr+"/db?sslmode=disable")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "28000" || pgErr.Severity != "FATAL" || !strings.HasSuffix(pgErr.Message, "no encryption") {
		t.Errorf("pgx sslmode=disable: %v, want FATAL 28000 ... no encryption", err)
	}
}

func TestTLSPgx(t *testing.T) {
	pki := newTestPKI(t)
	srv, addr := startRealServerWith(t, Config{TLS: pki.serverConfig(t)})
	_, port, _ := net.SplitHostPort(addr)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	query := func(dsn string) error {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return err
		}
		defer conn.Close(context.Background())
		if _, ok := conn.PgConn().Conn().(*tls.Conn); !ok {
			t.Errorf("%s: connection is %T, not TLS", dsn, conn.PgConn().Conn())
		}
		if enc, all := encryptedSessions(srv); enc != all || all != 1 {
			t.Errorf("%s: server sees %d encrypted of %d sessions", dsn, enc, all)
		}
		var got string
		if err := conn.QueryRow(ctx, "select $1::text || 'x'", "tl").Scan(&got); err != nil || got != "tlx" {
			t.Errorf("%s: select: %q, %v", dsn, got, err)
		}
		return nil
	}
	for _, dsn := range []string{
		"postgres://postgres@127.0.0.1:" + port + "/postgres?sslmode=require",
		"postgres://postgres@127.0.0.1:" + port + "/postgres?sslmode=verify-full&sslrootcert=" + pki.caFile,
		"postgres://postgres@localhost:" + port + "/postgres?sslmode=verify-full&sslrootcert=" + pki.caFile,
	} {
		if err := query(dsn); err != nil {
			t.Errorf("%s: %v", dsn, err)
		}
		// Wait for the session to leave so each DSN sees only its own.
		waitSessions(t, srv, 0)
	}

	// verify-full against another CA fails on the certificate.
	other := newTestPKI(t)
	err := query("postgres://postgres@127.0.0.1:" + port + "/postgres?sslmode=verify-full&sslrootcert=" + other.caFile)
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Errorf("verify-full with a foreign CA: %v, want an unknown authority error", err)
	}
}

// waitSessions waits until the server holds n sessions.
func waitSessions(t *testing.T, srv *Server, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, all := encryptedSessions(srv); all == n {
			return
		}
		if time.Now().After(deadline) {
			_, all := encryptedSessions(srv)
			t.Fatalf("server holds %d sessions, want %d", all, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestTLSLibPQ(t *testing.T) {
	pki := newTestPKI(t)
	srv, addr := startRealServerWith(t, Config{TLS: pki.serverConfig(t), TLSRequired: true})
	db, err := sql.Open("postgres", "postgres://postgres@"+addr+"/postgres?sslmode=require")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var n int64
	if err := db.QueryRowContext(ctx, "select $1::int8 * 2", 21).Scan(&n); err != nil || n != 42 {
		t.Fatalf("select: %d, %v", n, err)
	}
	if enc, all := encryptedSessions(srv); enc != 1 || all != 1 {
		t.Errorf("server sees %d encrypted of %d sessions, want 1 of 1", enc, all)
	}
}

func TestTLSPsql(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql not installed (apt-get install postgresql-client)")
	}
	pki := newTestPKI(t)
	_, addr := startRealServerWith(t, Config{TLS: pki.serverConfig(t), TLSRequired: true})
	host, port, _ := net.SplitHostPort(addr)
	for _, mode := range []string{"sslmode=require", "sslmode=verify-full sslrootcert=" + pki.caFile} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		cmd := exec.CommandContext(ctx, psql, "-X", "-A", "-t",
			"host="+host+" port="+port+" user=postgres dbname=postgres "+mode,
			"-c", "select 40 + 2", "-c", `\conninfo`)
		cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10", "HOME="+t.TempDir())
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("psql %s: %v\n%s", mode, err, out)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) < 2 || lines[0] != "42" || !strings.HasPrefix(lines[len(lines)-1], "SSL connection (protocol: TLSv1.") {
			t.Errorf("psql %s printed:\n%s\nwant 42 and an SSL connection", mode, out)
		}
	}
	// Plaintext is refused with the server's reason.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, psql, "-X", "host="+host+" port="+port+" user=postgres dbname=postgres sslmode=disable", "-c", "select 1")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "no encryption") {
		t.Errorf("psql sslmode=disable: %v\n%s\nwant a refusal mentioning no encryption", err, out)
	}
}

func TestSelfSignedTLSConfig(t *testing.T) {
	dir := t.TempDir()
	first, err := SelfSignedTLSConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, "server.key"))
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("server.key mode %o, want 600", perm)
	}
	second, err := SelfSignedTLSConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	der := first.Certificates[0].Certificate[0]
	if !bytes.Equal(der, second.Certificates[0].Certificate[0]) {
		t.Error("a second start generated a new certificate instead of reusing the kept one")
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cert.PublicKey.(*ecdsa.PublicKey); !ok {
		t.Errorf("key is %T, want ECDSA", cert.PublicKey)
	}
	// The certificate is its own root: server.crt works as sslrootcert.
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	for _, name := range []string{"localhost", "127.0.0.1", "::1"} {
		if _, err := cert.Verify(x509.VerifyOptions{DNSName: name, Roots: pool}); err != nil {
			t.Errorf("verify for %s: %v", name, err)
		}
	}

	mem, err := SelfSignedTLSConfig("")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(mem.Certificates[0].Certificate[0], der) {
		t.Error("in-memory certificate equals the kept one")
	}

	// Half a key pair is not silently replaced.
	if err := os.Remove(filepath.Join(dir, "server.crt")); err != nil {
		t.Fatal(err)
	}
	if _, err := SelfSignedTLSConfig(dir); err == nil || !strings.Contains(err.Error(), "only one of") {
		t.Errorf("with server.key alone: %v, want a refusal", err)
	}
}
