//go:build !pgonly

package logictest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/quiverdb/quiver/executor"
	"github.com/quiverdb/quiver/server"
	"github.com/quiverdb/quiver/storage"
)

// startInProcess starts a Quiver server with an in-memory store on a free
// loopback port in this process and returns an admin DSN for its
// "postgres" database. The server and store are shut down at cleanup.
func startInProcess(t *testing.T) string {
	t.Helper()
	return startInProcessWith(t, server.Config{}, "")
}

// startInProcessWith is startInProcess with the server's authentication
// and TLS settings; a non-empty password becomes the superuser's and goes
// into the DSN (SCRAM needs one).
func startInProcessWith(t *testing.T, cfg server.Config, password string) string {
	t.Helper()
	log := slog.New(slog.NewTextHandler(testLogWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	store, err := storage.Open(storage.Options{InMemory: true, Logger: log})
	if err != nil {
		t.Fatalf("opening in-memory store: %v", err)
	}
	eng := executor.NewEngine(store)
	if password != "" {
		if err := eng.EnsureSuperuser(context.Background(), "postgres", password); err != nil {
			_ = store.Close()
			t.Fatalf("setting the superuser password: %v", err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = store.Close()
		t.Fatalf("listening on loopback: %v", err)
	}
	cfg.Engine, cfg.Logger = eng, log
	srv := server.New(cfg)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("server shutdown: %v", err)
		}
		if err := <-served; err != nil && !errors.Is(err, net.ErrClosed) {
			t.Errorf("serve: %v", err)
		}
		if err := store.Close(); err != nil {
			t.Errorf("closing store: %v", err)
		}
	})
	user := "postgres"
	if password != "" {
		user += ":" + url.QueryEscape(password)
	}
	return fmt.Sprintf("postgres://%s@%s/postgres?sslmode=disable", user, ln.Addr())
}

// startSCRAMServer starts an in-process server that authenticates with
// SCRAM-SHA-256 (superuser password clientPassword) and offers TLS with a
// self-signed certificate, as a deployment does.
func startSCRAMServer(t *testing.T) logicServer {
	t.Helper()
	tlsConf, err := server.SelfSignedTLSConfig("")
	if err != nil {
		t.Fatalf("self-signed certificate: %v", err)
	}
	return logicServer{adminDSN: startInProcessWith(t, server.Config{Auth: server.AuthSCRAM, TLS: tlsConf}, clientPassword), target: "quiver"}
}

// testLogWriter sends the server's log lines to the test log, so they show
// up next to the failure that caused them (and only with -v or on failure).
type testLogWriter struct{ t *testing.T }

func (w testLogWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
