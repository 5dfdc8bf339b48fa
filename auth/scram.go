package auth

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/quiverdb/quiver/sql/pgerror"
)

// SASL mechanism names.
const (
	MechSCRAM     = "SCRAM-SHA-256"
	MechSCRAMPlus = "SCRAM-SHA-256-PLUS"
)

// cbType is the only channel binding type PostgreSQL implements.
const cbType = "tls-server-end-point"

// serverNonceLen is PostgreSQL's SCRAM_RAW_NONCE_LEN.
const serverNonceLen = 18

// ErrFailed is a failed authentication: wrong password, no usable secret,
// or a mock exchange for a role that does not exist. The server answers it
// with 28P01 and never says which.
var ErrFailed = errors.New("auth: authentication failed")

// Mechanisms lists the SASL mechanisms to advertise. SCRAM-SHA-256-PLUS is
// offered only when the connection can bind to its TLS channel
// (channelBinding is the tls-server-end-point hash of the server's
// certificate, nil without TLS).
func Mechanisms(channelBinding []byte) []string {
	if channelBinding != nil {
		return []string{MechSCRAMPlus, MechSCRAM}
	}
	return []string{MechSCRAM}
}

// TLSServerEndPoint is RFC 5929's tls-server-end-point channel binding data
// for a DER certificate: its hash under the certificate's signature hash,
// with SHA-256 standing in for MD5 and SHA-1. Nil when the certificate
// cannot be parsed or its signature has no hash (Ed25519): libpq cannot
// bind to such a certificate either, so SCRAM-SHA-256-PLUS is not offered.
func TLSServerEndPoint(der []byte) []byte {
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil
	}
	var h crypto.Hash
	switch cert.SignatureAlgorithm {
	case x509.MD5WithRSA, x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.DSAWithSHA1,
		x509.SHA256WithRSA, x509.SHA256WithRSAPSS, x509.ECDSAWithSHA256:
		h = crypto.SHA256
	case x509.SHA384WithRSA, x509.SHA384WithRSAPSS, x509.ECDSAWithSHA384:
		h = crypto.SHA384
	case x509.SHA512WithRSA, x509.SHA512WithRSAPSS, x509.ECDSAWithSHA512:
		h = crypto.SHA512
	default:
		return nil
	}
	d := h.New()
	d.Write(der)
	return d.Sum(nil)
}

// MockSCRAMSecret is the secret a SCRAM exchange pretends to use for a role
// that does not exist or has no SCRAM secret, so the client cannot tell
// from the salt; key is a per-server random value, making the salt stable
// for a name across attempts (PostgreSQL's scram_mock_salt).
func MockSCRAMSecret(role string, key []byte) *SCRAMSecret {
	salt := hmacSHA256(key, []byte(role))[:defaultSaltLen]
	return &SCRAMSecret{Iterations: DefaultIterations, Salt: salt, StoredKey: make([]byte, sha256.Size), ServerKey: make([]byte, sha256.Size)}
}

// SCRAMExchange is the server side of one SCRAM-SHA-256[-PLUS] exchange.
type SCRAMExchange struct {
	secret *SCRAMSecret
	mock   bool
	// cbData is the tls-server-end-point hash when the connection is TLS.
	cbData []byte
	plus   bool

	// fixedServerNonce replaces the random server nonce (tests replaying
	// RFC 7677's example).
	fixedServerNonce string

	gs2Header       string
	clientFirstBare string
	serverFirst     string
	nonce           string
}

// NewSCRAMExchange starts an exchange for the mechanism the client chose.
// A nil secret runs a mock exchange that always fails with ErrFailed,
// after the same messages as a real one.
func NewSCRAMExchange(mechanism string, secret *SCRAMSecret, mockKey []byte, role string, channelBinding []byte) (*SCRAMExchange, error) {
	x := &SCRAMExchange{secret: secret, cbData: channelBinding}
	switch {
	case mechanism == MechSCRAM:
	case mechanism == MechSCRAMPlus && channelBinding != nil:
		x.plus = true
	default:
		return nil, pgerror.New(pgerror.CodeProtocolViolation, "client selected an invalid SASL authentication mechanism")
	}
	if secret == nil {
		x.secret, x.mock = MockSCRAMSecret(role, mockKey), true
	}
	return x, nil
}

func malformed(detail string, args ...any) error {
	return pgerror.New(pgerror.CodeProtocolViolation, "malformed SCRAM message").WithDetail(detail, args...)
}

// ServerFirst reads the client-first-message and returns the
// server-first-message.
func (x *SCRAMExchange) ServerFirst(clientFirst []byte) (string, error) {
	msg := string(clientFirst)
	if msg == "" {
		return "", malformed("The message is empty.")
	}
	rest := msg[1:]
	switch msg[0] {
	case 'p':
		if !x.plus {
			return "", malformed("The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data.")
		}
		if !strings.HasPrefix(rest, "=") {
			return "", malformed("Expected character \"=\" for attribute \"p\".")
		}
		name, after, ok := strings.Cut(rest[1:], ",")
		if !ok {
			return "", malformed("Expected attribute \"p\" to end with \",\".")
		}
		if name != cbType {
			return "", pgerror.New(pgerror.CodeFeatureNotSupported, "unsupported SCRAM channel-binding type \"%s\"", name)
		}
		rest = after
	case 'y', 'n':
		if x.plus {
			return "", malformed("The client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not include channel binding data.")
		}
		if msg[0] == 'y' && x.cbData != nil {
			// The client could bind but believes the server cannot: a
			// man in the middle may have stripped the PLUS mechanism.
			return "", pgerror.New(pgerror.CodeInvalidAuthorization, "SCRAM channel binding negotiation error").
				WithDetail("The client supports SCRAM channel binding but thinks the server does not.  However, this server does support channel binding.")
		}
		if !strings.HasPrefix(rest, ",") {
			return "", malformed("Comma expected, but found character \"%s\".", firstChar(rest))
		}
		rest = rest[1:]
	default:
		return "", malformed("Unexpected channel-binding flag \"%s\".", msg[:1])
	}
	if strings.HasPrefix(rest, "a") {
		return "", pgerror.New(pgerror.CodeFeatureNotSupported, "client uses authorization identity, but it is not supported")
	}
	if !strings.HasPrefix(rest, ",") {
		return "", malformed("Unexpected attribute \"%s\" in client-first-message.", firstChar(rest))
	}
	rest = rest[1:]
	x.gs2Header = msg[:len(msg)-len(rest)]
	x.clientFirstBare = rest
	if strings.HasPrefix(rest, "m") {
		return "", pgerror.New(pgerror.CodeFeatureNotSupported, "client requires an unsupported SCRAM extension")
	}
	// The user name attribute is ignored: the start-up packet's user is
	// the one authenticated, as in PostgreSQL.
	attrs := strings.Split(rest, ",")
	if len(attrs) < 2 || !strings.HasPrefix(attrs[0], "n=") {
		return "", malformed("Expected attribute \"n\" but found \"%s\".", firstChar(attrs[0]))
	}
	if !strings.HasPrefix(attrs[1], "r=") {
		return "", malformed("Expected attribute \"r\" but found \"%s\".", firstChar(attrs[1]))
	}
	clientNonce := attrs[1][2:]
	if clientNonce == "" || !printable(clientNonce) {
		return "", malformed("Could not parse the client nonce.")
	}
	serverNonce := x.fixedServerNonce
	if serverNonce == "" {
		raw := make([]byte, serverNonceLen)
		if _, err := rand.Read(raw); err != nil {
			return "", fmt.Errorf("auth: generating SCRAM nonce: %w", err)
		}
		serverNonce = base64.StdEncoding.EncodeToString(raw)
	}
	x.nonce = clientNonce + serverNonce
	x.serverFirst = fmt.Sprintf("r=%s,s=%s,i=%d", x.nonce, base64.StdEncoding.EncodeToString(x.secret.Salt), x.secret.Iterations)
	return x.serverFirst, nil
}

// ServerFinal reads the client-final-message, verifies the proof and
// returns the server-final-message; ErrFailed when the proof is wrong.
func (x *SCRAMExchange) ServerFinal(clientFinal []byte) (string, error) {
	msg := string(clientFinal)
	cbAttr, rest, ok := strings.Cut(msg, ",")
	if !ok || !strings.HasPrefix(cbAttr, "c=") {
		return "", malformed("Expected attribute \"c\" but found \"%s\".", firstChar(msg))
	}
	cb, err := base64.StdEncoding.DecodeString(cbAttr[2:])
	if err != nil {
		return "", malformed("Malformed channel binding attribute in client-final-message.")
	}
	if x.plus {
		want := append([]byte(x.gs2Header), x.cbData...)
		if subtle.ConstantTimeCompare(cb, want) != 1 {
			return "", pgerror.New(pgerror.CodeInvalidAuthorization, "SCRAM channel binding check failed")
		}
	} else if string(cb) != "n,," && string(cb) != "y,," {
		return "", pgerror.New(pgerror.CodeProtocolViolation, "unexpected SCRAM channel-binding attribute in client-final-message")
	}
	nonceAttr, rest, ok := strings.Cut(rest, ",")
	if !ok || !strings.HasPrefix(nonceAttr, "r=") {
		return "", malformed("Expected attribute \"r\" but found \"%s\".", firstChar(nonceAttr))
	}
	// Extensions before the proof are ignored.
	i := strings.LastIndex(msg, ",p=")
	if i < 0 {
		return "", malformed("Expected attribute \"p\".")
	}
	proofText := msg[i+3:]
	if strings.Contains(proofText, ",") {
		return "", malformed("Garbage found at the end of client-final-message.")
	}
	proof, err := base64.StdEncoding.DecodeString(proofText)
	if err != nil || len(proof) != sha256.Size {
		return "", malformed("Malformed proof in client-final-message.")
	}
	if subtle.ConstantTimeCompare([]byte(nonceAttr[2:]), []byte(x.nonce)) != 1 {
		return "", pgerror.New(pgerror.CodeProtocolViolation, "invalid SCRAM response").WithDetail("Nonce does not match.")
	}
	authMessage := []byte(x.clientFirstBare + "," + x.serverFirst + "," + msg[:i])
	clientSignature := hmacSHA256(x.secret.StoredKey, authMessage)
	clientKey := make([]byte, sha256.Size)
	for j := range clientKey {
		clientKey[j] = proof[j] ^ clientSignature[j]
	}
	got := sha256.Sum256(clientKey)
	if subtle.ConstantTimeCompare(got[:], x.secret.StoredKey) != 1 || x.mock {
		return "", ErrFailed
	}
	serverSignature := hmacSHA256(x.secret.ServerKey, authMessage)
	return "v=" + base64.StdEncoding.EncodeToString(serverSignature), nil
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e || s[i] == ',' {
			return false
		}
	}
	return true
}

func firstChar(s string) string {
	if s == "" {
		return ""
	}
	return s[:1]
}
