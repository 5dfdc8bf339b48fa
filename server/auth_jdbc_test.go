package server

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// jdbcJar is where Debian's libpostgresql-jdbc-java puts the driver (it
// bundles the SCRAM client).
const jdbcJar = "/usr/share/java/postgresql.jar"

const jdbcLogin = `
import java.sql.*;
import java.util.Properties;

// Login connects once per (url, user, password) triple and prints the
// current user or the SQLSTATE, one line each.
public class Login {
	public static void main(String[] a) throws Exception {
		for (int i = 0; i + 2 < a.length; i += 3) {
			Properties p = new Properties();
			p.setProperty("user", a[i + 1]);
			p.setProperty("password", a[i + 2]);
			try (Connection c = DriverManager.getConnection(a[i], p);
			     ResultSet rs = c.createStatement().executeQuery("select current_user")) {
				rs.next();
				System.out.println("user=" + rs.getString(1));
			} catch (SQLException e) {
				System.out.println("sqlstate=" + e.getSQLState());
			}
		}
	}
}
`

// JDBC (pgjdbc) logs in with SCRAM-SHA-256, over plain TCP and over TLS,
// and gets 28P01 for a wrong password.
func TestAuthJDBC(t *testing.T) {
	java, err := exec.LookPath("java")
	if err != nil {
		t.Skip("java not installed (apt-get install default-jdk-headless libpostgresql-jdbc-java)")
	}
	javac, err := exec.LookPath("javac")
	if err != nil {
		t.Skip("javac not installed (apt-get install default-jdk-headless)")
	}
	if _, err := os.Stat(jdbcJar); err != nil {
		t.Skip("pgjdbc not installed (apt-get install libpostgresql-jdbc-java)")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "Login.java")
	if err := os.WriteFile(src, []byte(jdbcLogin), 0o644); err != nil {
		t.Fatal(err)
	}
	// Compiled once: launching from source would compile on every run.
	if out, err := exec.Command(javac, "-cp", jdbcJar, "-d", dir, src).CombinedOutput(); err != nil {
		t.Fatalf("javac: %v\n%s", err, out)
	}
	pki := newTestPKI(t)
	srv, addr := startRealServerWith(t, Config{TLS: pki.serverConfig(t), Auth: AuthSCRAM})
	if err := srv.cfg.Engine.EnsureSuperuser(context.Background(), "postgres", "pgpw"); err != nil {
		t.Fatal(err)
	}
	base := "jdbc:postgresql://" + addr + "/postgres"
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// One JVM for every login: its start-up dominates.
	out, err := exec.CommandContext(ctx, java, "-cp", dir+string(os.PathListSeparator)+jdbcJar, "Login",
		base+"?sslmode=disable", "postgres", "pgpw",
		base+"?sslmode=require", "postgres", "pgpw",
		base+"?sslmode=disable", "postgres", "wrong").CombinedOutput()
	if err != nil {
		t.Fatalf("java: %v\n%s", err, out)
	}
	want := "user=postgres\nuser=postgres\nsqlstate=28P01"
	if got := strings.TrimSpace(string(out)); got != want {
		t.Errorf("JDBC logins (plain, TLS, wrong password):\n%s\nwant:\n%s", got, want)
	}
}
