// Command quiver runs the Quiver database server: it opens the store, starts
// the PostgreSQL wire-protocol listener and shuts both down cleanly on
// SIGINT or SIGTERM.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // served only with --pprof
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/quiverdb/quiver/executor"
	"github.com/quiverdb/quiver/server"
	"github.com/quiverdb/quiver/storage"
)

// shutdownGrace is how long running statements get to notice their
// cancellation before connections are closed forcibly.
const shutdownGrace = 10 * time.Second

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// run is main without the process exit, returning the exit status.
func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("quiver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:5432", "address to accept PostgreSQL connections on")
	dataDir := fs.String("data-dir", "./quiver-data", "directory holding the data")
	inMemory := fs.Bool("in-memory", false, "keep all data in memory (nothing is written to disk)")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	noSync := fs.Bool("no-sync", false, "do not fsync commits (tests and benchmarks only: a crash can lose committed data)")
	maxConns := fs.Int("max-connections", 100, "maximum number of concurrent sessions")
	pprofAddr := fs.String("pprof", "", "serve Go's net/http/pprof profiles on this address (e.g. 127.0.0.1:6060); off by default")
	tlsCert := fs.String("tls-cert", "", "PEM certificate chain for TLS (with --tls-key)")
	tlsKey := fs.String("tls-key", "", "PEM private key for TLS (with --tls-cert)")
	tlsSelfSigned := fs.Bool("tls-self-signed", false, "serve TLS with a self-signed certificate generated once and kept in the data directory (server.crt, server.key)")
	tlsRequired := fs.Bool("tls-required", false, "refuse connections that do not use TLS")
	authFlag := fs.String("auth", "trust", "client authentication: trust, scram-sha-256, md5 or password (cleartext: use it with TLS)")
	superuser := fs.String("superuser", "postgres", "initial superuser, created when missing; $QUIVER_PASSWORD, when set, becomes its password")
	insecure := fs.Bool("insecure", false, "allow --auth trust on a --listen address other than loopback")
	rowCacheMB := fs.Int("row-cache-mb", storage.DefaultRowCacheBytes>>20, "memory for the newest versions of recently read rows, which point reads take without searching the store (0: no cache)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "quiver: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(stderr, "quiver: invalid --log-level %q: want debug, info, warn or error\n", *logLevel)
		return 2
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		fmt.Fprintln(stderr, "quiver: --tls-cert and --tls-key must be given together")
		return 2
	}
	if *tlsSelfSigned && *tlsCert != "" {
		fmt.Fprintln(stderr, "quiver: --tls-self-signed cannot be combined with --tls-cert/--tls-key")
		return 2
	}
	if *tlsRequired && !*tlsSelfSigned && *tlsCert == "" {
		fmt.Fprintln(stderr, "quiver: --tls-required needs --tls-cert/--tls-key or --tls-self-signed")
		return 2
	}
	authMethod, err := server.ParseAuthMethod(*authFlag)
	if err != nil {
		fmt.Fprintf(stderr, "quiver: invalid --auth: %v\n", err)
		return 2
	}
	if *superuser == "" {
		fmt.Fprintln(stderr, "quiver: --superuser must not be empty")
		return 2
	}
	if authMethod == server.AuthTrust && !server.IsLoopback(*listen) && !*insecure {
		// Trust on a reachable address hands every role, superusers
		// included, to anyone who can connect.
		fmt.Fprintf(stderr, "quiver: refusing to start: --auth trust on %s lets anyone who can reach it log in as any role without a password; "+
			"use --auth scram-sha-256 (with QUIVER_PASSWORD for the superuser), listen on a loopback address, or pass --insecure\n", *listen)
		return 1
	}
	boot := superuserSetup{name: *superuser, password: os.Getenv("QUIVER_PASSWORD")}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if *pprofAddr != "" {
		// Profiling a running server (CPU under load, heap, goroutines)
		// needs the live process, so the endpoints sit beside the listener.
		pln, err := net.Listen("tcp", *pprofAddr)
		if err != nil {
			fmt.Fprintf(stderr, "quiver: cannot listen for --pprof on %s: %v\n", *pprofAddr, err)
			return 1
		}
		go func() { _ = http.Serve(pln, nil) }()
		log.Info("pprof endpoints on http://" + pln.Addr().String() + "/debug/pprof/")
	}

	if *rowCacheMB < 0 {
		fmt.Fprintln(stderr, "quiver: --row-cache-mb must not be negative")
		return 2
	}
	rowCache := int64(*rowCacheMB) << 20
	if rowCache == 0 {
		rowCache = -1 // Options: negative is off, zero the default
	}
	store, err := storage.Open(storage.Options{Dir: *dataDir, InMemory: *inMemory, NoSync: *noSync, Logger: log, Superuser: *superuser, RowCacheBytes: rowCache})
	if err != nil {
		if *inMemory {
			fmt.Fprintf(stderr, "quiver: cannot open the in-memory store: %v\n", err)
		} else {
			fmt.Fprintf(stderr, "quiver: cannot open data directory %s: %v\n", *dataDir, err)
		}
		return 1
	}
	var tlsConf *tls.Config
	switch {
	case *tlsCert != "":
		tlsConf, err = server.TLSConfigFromFiles(*tlsCert, *tlsKey)
	case *tlsSelfSigned && *inMemory:
		tlsConf, err = server.SelfSignedTLSConfig("")
	case *tlsSelfSigned:
		// After storage.Open, which created the directory and holds its
		// lock, so two servers never race to generate the certificate.
		tlsConf, err = server.SelfSignedTLSConfig(*dataDir)
	}
	if err != nil {
		fmt.Fprintf(stderr, "quiver: %v\n", err)
		if cerr := store.Close(); cerr != nil {
			log.Error("closing storage", "err", cerr)
		}
		return 1
	}
	status := serve(log, store, *listen, server.Config{
		Logger:         log,
		MaxConnections: *maxConns,
		TLS:            tlsConf,
		TLSRequired:    *tlsRequired,
		Auth:           authMethod,
	}, boot)
	if err := store.Close(); err != nil {
		log.Error("closing storage", "err", err)
		return 1
	}
	if status == 0 {
		log.Info("shut down cleanly")
	}
	return status
}

// superuserSetup is the initial superuser and the password it gets
// ("" keeps the stored one).
type superuserSetup struct {
	name, password string
}

// serve runs the server until a signal or a listener failure.
func serve(log *slog.Logger, store *storage.Engine, addr string, cfg server.Config, boot superuserSetup) int {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Error("cannot listen", "addr", addr, "err", err)
		return 1
	}
	eng := executor.NewEngine(store)
	// After the last session: persist what the engine keeps in memory
	// (HNSW graphs) so the next start loads instead of rebuilding.
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		if err := eng.Close(ctx); err != nil {
			log.Error("checkpointing vector indexes", "err", err)
		}
	}()
	if err := eng.EnsureSuperuser(context.Background(), boot.name, boot.password); err != nil {
		log.Error("setting up the superuser", "role", boot.name, "err", err)
		_ = ln.Close()
		return 1
	}
	if cfg.Auth != server.AuthTrust && boot.password == "" {
		if r, err := eng.LookupRole(context.Background(), boot.name); err == nil && r != nil && r.Password == "" {
			log.Warn("the superuser has no password and --auth needs one: set QUIVER_PASSWORD to log in", "role", boot.name, "auth", string(cfg.Auth))
		}
	}
	log.Info("client authentication", "method", string(cfg.Auth), "superuser", boot.name)
	if cfg.Auth == server.AuthPassword && cfg.TLS == nil {
		log.Warn("--auth password sends passwords in clear text and TLS is off: use --auth scram-sha-256 or enable TLS")
	}
	cfg.Engine = eng
	srv := server.New(cfg)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)

	tuneGC := setGCPercent(os.Getenv("GOGC"))
	trimCtx, stopTrim := context.WithCancel(context.Background())
	defer stopTrim()
	go trimHeapUntilDone(trimCtx, tuneGC, store.ReleaseWrittenTables, log)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("ready to accept connections on " + ln.Addr().String())

	select {
	case sig := <-sigs:
		log.Info("shutting down", "signal", sig.String())
	case err := <-served:
		if err != nil {
			log.Error("serving", "err", err)
			ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
			defer cancel()
			_ = srv.Shutdown(ctx)
			return 1
		}
		return 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	status := 0
	if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		log.Error("shutting down", "err", err)
		status = 1
	} else if err != nil {
		log.Warn("connections closed forcibly after the grace period", "err", err)
	}
	if err := <-served; err != nil {
		log.Error("serving", "err", err)
		status = 1
	}
	return status
}
