package server

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/quiverdb/quiver/sql/pgerror"
)

// File names of a self-signed certificate kept in the data directory; the
// same names PostgreSQL uses for its own (ssl_cert_file, ssl_key_file).
const (
	selfSignedCertFile = "server.crt"
	selfSignedKeyFile  = "server.key"
)

// selfSignedValidity is how long a generated certificate is valid. It is
// made once per data directory, so it should outlive the installation.
const selfSignedValidity = 10 * 365 * 24 * time.Hour

// TLSConfigFromFiles builds the server's TLS configuration from a PEM
// certificate chain and private key (--tls-cert, --tls-key).
func TLSConfigFromFiles(certFile, keyFile string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("loading TLS certificate %s and key %s: %w", certFile, keyFile, err)
	}
	return newTLSConfig(cert), nil
}

// SelfSignedTLSConfig returns a TLS configuration with a self-signed ECDSA
// certificate for localhost, the loopback addresses and this host's name.
// With a directory, the certificate is generated the first time and kept
// there (server.crt, server.key) so clients that pinned it keep trusting
// the server across restarts; with "" it lives in memory only.
func SelfSignedTLSConfig(dir string) (*tls.Config, error) {
	if dir == "" {
		certPEM, keyPEM, err := generateSelfSigned()
		if err != nil {
			return nil, err
		}
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, fmt.Errorf("loading generated certificate: %w", err)
		}
		return newTLSConfig(cert), nil
	}
	certPath := filepath.Join(dir, selfSignedCertFile)
	keyPath := filepath.Join(dir, selfSignedKeyFile)
	_, certErr := os.Stat(certPath)
	_, keyErr := os.Stat(keyPath)
	switch {
	case certErr == nil && keyErr == nil:
		return TLSConfigFromFiles(certPath, keyPath)
	case errors.Is(certErr, fs.ErrNotExist) && errors.Is(keyErr, fs.ErrNotExist):
	case certErr != nil && !errors.Is(certErr, fs.ErrNotExist):
		return nil, fmt.Errorf("checking %s: %w", certPath, certErr)
	case keyErr != nil && !errors.Is(keyErr, fs.ErrNotExist):
		return nil, fmt.Errorf("checking %s: %w", keyPath, keyErr)
	default:
		// Replacing the half that is left would silently change a
		// certificate clients may have pinned: let the operator decide.
		return nil, fmt.Errorf("only one of %s and %s exists: remove it to generate a new self-signed certificate", certPath, keyPath)
	}
	certPEM, keyPEM, err := generateSelfSigned()
	if err != nil {
		return nil, err
	}
	// The key goes first so a crash in between leaves no certificate
	// without its key; both are renamed into place whole.
	if err := writeFileAtomic(keyPath, keyPEM, 0o600); err != nil {
		return nil, err
	}
	if err := writeFileAtomic(certPath, certPEM, 0o644); err != nil {
		return nil, err
	}
	return TLSConfigFromFiles(certPath, keyPath)
}

func newTLSConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
}

// generateSelfSigned makes a P-256 key and a certificate for it, PEM
// encoded.
func generateSelfSigned() (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generating TLS key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("generating certificate serial number: %w", err)
	}
	dnsNames := []string{"localhost"}
	if h, err := os.Hostname(); err == nil && h != "" && h != "localhost" {
		dnsNames = append(dnsNames, h)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "localhost", Organization: []string{"Quiver self-signed"}},
		NotBefore:             now.Add(-time.Hour), // tolerate clients whose clock is a little behind
		NotAfter:              now.Add(selfSignedValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		// Self-signed and its own issuer: clients can use the file as
		// sslrootcert to verify the server.
		IsCA:        true,
		DNSNames:    dnsNames,
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("creating self-signed certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("encoding TLS key: %w", err)
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	return certPEM, keyPEM, nil
}

// writeFileAtomic writes data to a temporary file beside path, syncs it and
// renames it into place, so a reader never sees a partial file.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		_ = f.Close()
		_ = os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Chmod(perm); err != nil {
		return fail(err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// startTLS answers an SSLRequest with 'S' and runs the server side of the
// handshake; the rest of the connection (start-up packet included) is read
// and written through TLS. False means the connection is done.
func (c *conn) startTLS() bool {
	if _, err := c.nc.Write([]byte{'S'}); err != nil {
		c.log.Debug("answering SSLRequest", "err", err)
		return false
	}
	tc := tls.Server(c.nc, c.srv.cfg.TLS)
	// The start-up read deadline set on the raw connection also bounds the
	// handshake.
	if err := tc.Handshake(); err != nil {
		c.log.Debug("TLS handshake failed", "err", err)
		return false
	}
	c.tlsConn = tc
	c.rd = bufio.NewReader(tc)
	c.be = pgproto3.NewBackend(c.rd, tc)
	c.be.SetMaxBodyLen(c.srv.cfg.MaxMessageSize)
	return true
}

// TLSConnectionState reports the connection's TLS state (version, cipher
// suite, client certificates); false when the connection is not
// encrypted.
func (c *conn) TLSConnectionState() (tls.ConnectionState, bool) {
	if c.tlsConn == nil {
		return tls.ConnectionState{}, false
	}
	return c.tlsConn.ConnectionState(), true
}

// ServerCertificate is the leaf certificate (DER) this connection presented
// during its TLS handshake, nil without TLS; SCRAM-SHA-256-PLUS's
// tls-server-end-point binding hashes it.
func (c *conn) ServerCertificate() []byte {
	if c.tlsConn == nil || c.srv.cfg.TLS == nil || len(c.srv.cfg.TLS.Certificates) == 0 {
		return nil
	}
	chain := c.srv.cfg.TLS.Certificates[0].Certificate
	if len(chain) == 0 {
		return nil
	}
	return chain[0]
}

// tlsRequiredError is the FATAL report for a plaintext start-up when
// --tls-required is set, worded after PostgreSQL's pg_hba.conf rejection
// of a host that only has hostssl lines.
func tlsRequiredError(remote net.Addr, user, database string) *pgerror.Error {
	host := remote.String()
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return pgerror.New(pgerror.CodeInvalidAuthorization,
		"connection rejected for host \"%s\", user \"%s\", database \"%s\", no encryption", host, user, database).
		WithHint("The server requires TLS: connect with sslmode=require or stronger.")
}
