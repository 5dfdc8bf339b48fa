// Package server speaks the PostgreSQL wire protocol (version 3.0) on top of
// pgproto3's Backend: start-up, cancel requests, the simple and extended
// query protocols, and the mapping of executor results and errors onto
// protocol messages. One goroutine serves each connection; a panic in one
// session is answered as XX000 and never reaches the others.
package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/quiverdb/quiver/executor"
)

// DefaultMaxMessageSize caps a single protocol message unless Config says
// otherwise; it bounds what one client can make the server allocate.
const DefaultMaxMessageSize = 64 << 20

// Config configures a Server.
type Config struct {
	// Engine runs the sessions. Ignored when Sessions is set.
	Engine *executor.Engine
	// Sessions overrides Engine (protocol tests use a scripted factory).
	Sessions SessionFactory
	Logger   *slog.Logger
	// MaxMessageSize is the largest message body accepted, in bytes
	// (DefaultMaxMessageSize when 0).
	MaxMessageSize int
	// MaxConnections limits concurrent sessions (0: unlimited); clients
	// past it get 53300.
	MaxConnections int
	// Auth is how clients authenticate (AuthTrust when empty).
	Auth AuthMethod
	// Roles resolves roles for authentication; Engine when nil. With
	// neither (a scripted Sessions factory) every user is let in.
	Roles RoleLookup
	// TLS, when set, makes the server accept SSLRequest ('S') and encrypt
	// the connection (TLSConfigFromFiles, SelfSignedTLSConfig).
	TLS *tls.Config
	// TLSRequired refuses plaintext start-ups with 28000.
	TLSRequired bool
}

// Server accepts PostgreSQL connections and serves them.
type Server struct {
	cfg      Config
	sessions SessionFactory
	log      *slog.Logger
	roles    RoleLookup
	// mockKey salts the mock SCRAM exchange for unknown roles, so their
	// salt is stable for the server's life yet unpredictable.
	mockKey []byte

	// baseCtx is the parent of every statement's context; Shutdown cancels
	// it to stop running statements.
	baseCtx    context.Context
	cancelBase context.CancelFunc
	closing    atomic.Bool

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	byPID     map[int32]*conn
	nextPID   int32
	sessions0 int // connections holding a session, for MaxConnections
	wg        sync.WaitGroup

	// roleSessions counts sessions per authenticated role, for
	// CONNECTION LIMIT (made on first use; under mu).
	roleSessions map[string]int
}

// New builds a server; it does not listen until Serve.
func New(cfg Config) *Server {
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = DefaultMaxMessageSize
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	sessions := cfg.Sessions
	if sessions == nil && cfg.Engine != nil {
		sessions = EngineSessions(cfg.Engine)
	}
	roles := cfg.Roles
	if roles == nil && cfg.Engine != nil {
		roles = cfg.Engine
	}
	mockKey := make([]byte, 32)
	if _, err := rand.Read(mockKey); err != nil {
		// crypto/rand does not fail on supported platforms; a zero key
		// would only make mock salts predictable.
		log.Warn("reading random mock-authentication key", "err", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{
		cfg:        cfg,
		sessions:   sessions,
		log:        log,
		roles:      roles,
		mockKey:    mockKey,
		baseCtx:    ctx,
		cancelBase: cancel,
		listeners:  map[net.Listener]struct{}{},
		conns:      map[*conn]struct{}{},
		byPID:      map[int32]*conn{},
		// PIDs look like a real server's so tools that print them are not
		// surprised; they only need to be unique within this process.
		nextPID: 1000,
	}
}

// Addr returns the address of a listener being served, or nil.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ln := range s.listeners {
		return ln.Addr()
	}
	return nil
}

// Serve accepts connections on ln until Shutdown, when it returns nil.
func (s *Server) Serve(ln net.Listener) error {
	if s.sessions == nil {
		return errors.New("server: Config has neither Engine nor Sessions")
	}
	s.mu.Lock()
	if s.closing.Load() {
		s.mu.Unlock()
		return nil
	}
	s.listeners[ln] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, ln)
		s.mu.Unlock()
	}()
	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.closing.Load() {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// Out of file descriptors and similar: wait, as net/http does.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.log.Warn("accept failed; retrying", "err", err, "delay", backoff)
				time.Sleep(backoff)
				continue
			}
			return fmt.Errorf("accept on %s: %w", ln.Addr(), err)
		}
		backoff = 0
		c := s.track(nc)
		if c == nil {
			_ = nc.Close()
			continue
		}
		go c.serve()
	}
}

// track registers a new connection, or returns nil while shutting down.
func (s *Server) track(nc net.Conn) *conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing.Load() {
		return nil
	}
	c := newConn(s, nc)
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	return c
}

func (s *Server) untrack(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	if c.pid != 0 {
		delete(s.byPID, c.pid)
		s.sessions0--
	}
	if c.role != "" {
		s.roleSessions[c.role]--
	}
	s.mu.Unlock()
	s.wg.Done()
}

// register assigns the connection its cancel key; false when the connection
// limit is reached.
func (s *Server) register(c *conn) bool {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand does not fail on supported platforms; a fixed secret
		// would only weaken cancel keys, never correctness.
		s.log.Warn("reading random cancel secret", "err", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg.MaxConnections > 0 && s.sessions0 >= s.cfg.MaxConnections {
		return false
	}
	s.sessions0++
	s.nextPID++
	c.pid = s.nextPID
	c.secret = b[:]
	s.byPID[c.pid] = c
	return true
}

// CancelBackend cancels the running statement of the session with this
// backend PID (pg_cancel_backend); false when there is no such session.
func (s *Server) CancelBackend(pid int32) bool {
	s.mu.Lock()
	c := s.byPID[pid]
	s.mu.Unlock()
	if c == nil {
		return false
	}
	c.cancelRunning()
	return true
}

// TerminateBackend ends the session with this backend PID
// (pg_terminate_backend): its statement is cancelled and the client gets
// 57P01. False when there is no such session.
func (s *Server) TerminateBackend(pid int32) bool {
	s.mu.Lock()
	c := s.byPID[pid]
	s.mu.Unlock()
	if c == nil {
		return false
	}
	c.terminated.Store(true)
	c.cancelRunning()
	c.wake()
	return true
}

// cancel handles a CancelRequest: the running statement of the session with
// this key, if any, has its context cancelled.
func (s *Server) cancel(pid int32, secret []byte) {
	s.mu.Lock()
	c := s.byPID[pid]
	s.mu.Unlock()
	if c == nil || subtle.ConstantTimeCompare(c.secret, secret) != 1 {
		// PostgreSQL ignores bad keys silently so they cannot be probed.
		s.log.Debug("cancel request with unknown key", "pid", pid)
		return
	}
	c.cancelRunning()
}

// Shutdown stops accepting connections, cancels running statements, ends
// every session (clients get 57P01) and waits for the connections to
// finish. When ctx expires first the connections are closed forcibly and
// ctx's error is returned.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing.Store(true)
	var errs []error
	for ln := range s.listeners {
		if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, fmt.Errorf("closing listener: %w", err))
		}
	}
	s.cancelBase()
	for c := range s.conns {
		c.wake()
	}
	s.mu.Unlock()

	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		s.mu.Lock()
		for c := range s.conns {
			_ = c.nc.Close()
		}
		s.mu.Unlock()
		errs = append(errs, fmt.Errorf("waiting for connections: %w", ctx.Err()))
	}
	return errors.Join(errs...)
}
