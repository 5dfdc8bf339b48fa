package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/quiverdb/quiver/auth"
	"github.com/quiverdb/quiver/executor"
	"github.com/quiverdb/quiver/sql/pgerror"
)

// AuthMethod is how clients prove who they are, named as pg_hba.conf
// names its methods.
type AuthMethod string

// Authentication methods.
const (
	// AuthTrust lets any existing role in without a password.
	AuthTrust AuthMethod = "trust"
	// AuthSCRAM requires a SCRAM-SHA-256 exchange; roles whose stored
	// password is an md5 hash cannot log in.
	AuthSCRAM AuthMethod = "scram-sha-256"
	// AuthMD5 sends an md5 challenge to roles with an md5 password and
	// runs SCRAM-SHA-256 for roles with a SCRAM secret, as PostgreSQL's
	// md5 method does.
	AuthMD5 AuthMethod = "md5"
	// AuthPassword asks for the password in clear text (use it over TLS)
	// and checks it against either kind of stored password.
	AuthPassword AuthMethod = "password"
)

// ParseAuthMethod reads a --auth value.
func ParseAuthMethod(s string) (AuthMethod, error) {
	switch m := AuthMethod(s); m {
	case AuthTrust, AuthSCRAM, AuthMD5, AuthPassword:
		return m, nil
	}
	return "", fmt.Errorf("unknown authentication method %q: want trust, scram-sha-256, md5 or password", s)
}

// RoleLookup finds roles for authentication; *executor.Engine is one. A
// nil role means there is no such role.
type RoleLookup interface {
	LookupRole(ctx context.Context, name string) (*executor.LoginRole, error)
}

// authTimeout bounds the whole password exchange, like PostgreSQL's
// authentication_timeout.
const authTimeout = time.Minute

// IsLoopback reports whether a listen address only accepts connections
// from this host (loopback IPs or "localhost"); an empty or wildcard host
// does not.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// authFailed is the single answer to every failed password check, so a
// client cannot tell an unknown role from a wrong password.
func authFailed(user string) *pgerror.Error {
	return pgerror.New(pgerror.CodeInvalidPassword, "password authentication failed for user \"%s\"", user)
}

// authenticate runs the configured authentication for user and checks
// that the role may log in; false means a FATAL was sent (or the client
// went away) and the connection is done.
func (c *conn) authenticate(user string) bool {
	roles := c.srv.roles
	if roles == nil {
		// A scripted session factory has no roles to check.
		return true
	}
	_ = c.nc.SetReadDeadline(time.Now().Add(authTimeout))
	defer func() {
		_ = c.nc.SetReadDeadline(time.Time{})
		if c.ending() {
			// Shutdown's wake-up may have been replaced by the deadlines
			// above: wake the connection again so it notices.
			c.wake()
		}
		_ = c.be.SetAuthType(pgproto3.AuthTypeOk)
	}()
	role, err := roles.LookupRole(c.srv.baseCtx, user)
	if err != nil {
		c.log.Error("looking up role", "err", err)
		c.fatal(pgerror.New(pgerror.CodeInternal, "could not look up role \"%s\"", user))
		return false
	}
	method := c.srv.cfg.Auth
	if method == "" {
		method = AuthTrust
	}
	var stored string
	if role != nil {
		stored = role.Password
	}
	var ok bool
	var why string
	switch method {
	case AuthTrust:
		if role == nil {
			c.fatal(pgerror.New(pgerror.CodeInvalidAuthorization, "role \"%s\" does not exist", user))
			return false
		}
		ok = true
	case AuthPassword:
		ok, err = c.cleartextExchange(user, stored)
	case AuthMD5:
		if auth.KindOf(stored) == auth.KindSCRAM {
			ok, err = c.scramExchange(user, stored)
		} else {
			ok, err = c.md5Exchange(stored)
		}
	case AuthSCRAM:
		ok, err = c.scramExchange(user, stored)
	default:
		c.fatal(pgerror.New(pgerror.CodeInternal, "unknown authentication method \"%s\"", method))
		return false
	}
	if err != nil {
		var pe *pgerror.Error
		if errors.As(err, &pe) {
			c.fatal(pe)
		} else {
			c.log.Debug("authentication exchange", "err", err)
		}
		return false
	}
	switch {
	case !ok && role == nil:
		why = "Role does not exist."
	case !ok && stored == "":
		why = "User has no password assigned."
	case !ok:
		why = "Password does not match."
	case method != AuthTrust && role.PasswordExpired:
		ok, why = false, "User has an expired password."
	}
	if !ok {
		// The reason goes to the log only, as in PostgreSQL.
		c.log.Info("password authentication failed", "user", user, "method", string(method), "detail", why)
		c.fatal(authFailed(user))
		return false
	}
	if !role.CanLogin {
		c.fatal(pgerror.New(pgerror.CodeInvalidAuthorization, "role \"%s\" is not permitted to log in", user))
		return false
	}
	return c.countRoleSession(role)
}

// countRoleSession counts the session against its role's CONNECTION LIMIT
// (superusers are exempt, as in PostgreSQL); false when the limit is
// reached and a FATAL was sent.
func (c *conn) countRoleSession(role *executor.LoginRole) bool {
	s := c.srv
	s.mu.Lock()
	if s.roleSessions == nil {
		s.roleSessions = map[string]int{}
	}
	if !role.Superuser && role.ConnLimit >= 0 && s.roleSessions[role.Name] >= int(role.ConnLimit) {
		s.mu.Unlock()
		c.fatal(pgerror.New(pgerror.CodeTooManyConnections, "too many connections for role \"%s\"", role.Name))
		return false
	}
	s.roleSessions[role.Name]++
	c.role = role.Name
	s.mu.Unlock()
	return true
}

// receiveAuth reads the client's next authentication message; a client
// that hangs up instead (psql does, to prompt for a password) ends the
// connection quietly.
func (c *conn) receiveAuth(authType uint32) (pgproto3.FrontendMessage, error) {
	if err := c.be.SetAuthType(authType); err != nil {
		return nil, fmt.Errorf("setting auth type: %w", err)
	}
	if err := c.be.Flush(); err != nil {
		return nil, fmt.Errorf("sending authentication request: %w", err)
	}
	msg, err := c.be.Receive()
	if err != nil {
		return nil, fmt.Errorf("reading authentication response: %w", err)
	}
	return msg, nil
}

func wrongAuthMessage(msg pgproto3.FrontendMessage, want string) error {
	if _, ok := msg.(*pgproto3.Terminate); ok {
		return errors.New("client terminated during authentication")
	}
	var mtype byte
	if b, err := msg.Encode(nil); err == nil && len(b) > 0 {
		mtype = b[0]
	}
	return pgerror.New(pgerror.CodeProtocolViolation, "expected %s response, got message type %d", want, mtype)
}

func (c *conn) cleartextExchange(user, stored string) (bool, error) {
	c.be.Send(&pgproto3.AuthenticationCleartextPassword{})
	msg, err := c.receiveAuth(pgproto3.AuthTypeCleartextPassword)
	if err != nil {
		return false, err
	}
	pm, ok := msg.(*pgproto3.PasswordMessage)
	if !ok {
		return false, wrongAuthMessage(msg, "password")
	}
	if stored == "" {
		// No role or no password: spend the same key derivation against
		// a secret nothing matches, so the answer's timing does not tell.
		auth.CheckPlaintext(user, auth.MockSCRAMSecret(user, c.srv.mockKey).String(), pm.Password)
		return false, nil
	}
	return auth.CheckPlaintext(user, stored, pm.Password), nil
}

func (c *conn) md5Exchange(stored string) (bool, error) {
	salt, err := auth.MD5Salt()
	if err != nil {
		return false, err
	}
	c.be.Send(&pgproto3.AuthenticationMD5Password{Salt: salt})
	msg, err := c.receiveAuth(pgproto3.AuthTypeMD5Password)
	if err != nil {
		return false, err
	}
	pm, ok := msg.(*pgproto3.PasswordMessage)
	if !ok {
		return false, wrongAuthMessage(msg, "password")
	}
	// A role without an md5 hash (unknown, no password) fails here after
	// the same exchange.
	return auth.CheckMD5Response(stored, salt, pm.Password), nil
}

// channelBinding is the tls-server-end-point data of this connection's
// certificate, nil when the connection is not TLS. The TLS code provides
// the certificate through ServerCertificate.
func (c *conn) channelBinding() []byte {
	tc, ok := any(c).(interface{ ServerCertificate() []byte })
	if !ok {
		return nil
	}
	der := tc.ServerCertificate()
	if der == nil {
		return nil
	}
	return auth.TLSServerEndPoint(der)
}

func (c *conn) scramExchange(user, stored string) (bool, error) {
	secret, _ := auth.ParseSCRAMSecret(stored)
	cb := c.channelBinding()
	c.be.Send(&pgproto3.AuthenticationSASL{AuthMechanisms: auth.Mechanisms(cb)})
	msg, err := c.receiveAuth(pgproto3.AuthTypeSASL)
	if err != nil {
		return false, err
	}
	first, ok := msg.(*pgproto3.SASLInitialResponse)
	if !ok {
		return false, wrongAuthMessage(msg, "SASL")
	}
	x, err := auth.NewSCRAMExchange(first.AuthMechanism, secret, c.srv.mockKey, user, cb)
	if err != nil {
		return false, err
	}
	serverFirst, err := x.ServerFirst(first.Data)
	if err != nil {
		return false, err
	}
	c.be.Send(&pgproto3.AuthenticationSASLContinue{Data: []byte(serverFirst)})
	msg, err = c.receiveAuth(pgproto3.AuthTypeSASLContinue)
	if err != nil {
		return false, err
	}
	final, ok := msg.(*pgproto3.SASLResponse)
	if !ok {
		return false, wrongAuthMessage(msg, "SASL")
	}
	serverFinal, err := x.ServerFinal(final.Data)
	if errors.Is(err, auth.ErrFailed) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	c.be.Send(&pgproto3.AuthenticationSASLFinal{Data: []byte(serverFinal)})
	return true, nil
}
