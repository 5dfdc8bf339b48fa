// Package auth holds PostgreSQL's password verifiers and the server side of
// the password exchanges: SCRAM-SHA-256 secrets in PostgreSQL's
// "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>" format, md5
// hashes ("md5" + md5(password || role name)), the SCRAM exchange itself
// (RFC 5802 / RFC 7677, with tls-server-end-point channel binding) and the
// md5 and cleartext checks. It knows nothing of the wire protocol: the
// server moves the messages, this package decides.
//
// Every comparison of secret material is constant-time.
package auth

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/bidi"
	"golang.org/x/text/unicode/norm"
)

// Kind is how a stored password is kept.
type Kind int

// Stored password kinds (PostgreSQL's PasswordType).
const (
	KindPlain Kind = iota
	KindMD5
	KindSCRAM
)

// Encryption methods (the password_encryption setting's values).
const (
	EncryptionSCRAM = "scram-sha-256"
	EncryptionMD5   = "md5"
)

// Defaults of PostgreSQL's scram_build_secret.
const (
	DefaultIterations = 4096
	defaultSaltLen    = 16
	md5PasswdLen      = 35 // "md5" + 32 hex digits
)

// KindOf classifies a password as CREATE ROLE receives it: a value that
// already is an md5 hash or a valid SCRAM secret is stored as is, as
// PostgreSQL does.
func KindOf(password string) Kind {
	if isMD5Hash(password) {
		return KindMD5
	}
	if _, ok := ParseSCRAMSecret(password); ok {
		return KindSCRAM
	}
	return KindPlain
}

func isMD5Hash(s string) bool {
	if len(s) != md5PasswdLen || !strings.HasPrefix(s, "md5") {
		return false
	}
	for _, c := range s[3:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Encrypt turns a password given to CREATE/ALTER ROLE into what the catalog
// stores: pre-hashed values unchanged, plain ones hashed with method
// (EncryptionSCRAM or EncryptionMD5).
func Encrypt(role, password, method string) (string, error) {
	if KindOf(password) != KindPlain {
		return password, nil
	}
	switch method {
	case EncryptionMD5:
		return MD5Hash(role, password), nil
	case EncryptionSCRAM, "":
		salt := make([]byte, defaultSaltLen)
		if _, err := rand.Read(salt); err != nil {
			return "", fmt.Errorf("auth: generating SCRAM salt: %w", err)
		}
		return BuildSCRAMSecret(password, salt, DefaultIterations)
	}
	return "", fmt.Errorf("auth: unknown password encryption %q", method)
}

// MD5Hash is PostgreSQL's md5 password hash: "md5" + hex(md5(password || role)).
func MD5Hash(role, password string) string {
	sum := md5.Sum([]byte(password + role))
	return "md5" + hex.EncodeToString(sum[:])
}

// SCRAMSecret is a parsed SCRAM-SHA-256 verifier.
type SCRAMSecret struct {
	Iterations int
	Salt       []byte
	StoredKey  []byte
	ServerKey  []byte
}

// String formats the secret as PostgreSQL stores it.
func (s *SCRAMSecret) String() string {
	enc := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", s.Iterations, enc(s.Salt), enc(s.StoredKey), enc(s.ServerKey))
}

// ParseSCRAMSecret reads a stored SCRAM-SHA-256 verifier; false when s is
// not one (PostgreSQL's parse_scram_secret).
func ParseSCRAMSecret(s string) (*SCRAMSecret, bool) {
	rest, ok := strings.CutPrefix(s, "SCRAM-SHA-256$")
	if !ok {
		return nil, false
	}
	iterSalt, keys, ok := strings.Cut(rest, "$")
	if !ok {
		return nil, false
	}
	iterText, saltText, ok := strings.Cut(iterSalt, ":")
	if !ok {
		return nil, false
	}
	storedText, serverText, ok := strings.Cut(keys, ":")
	if !ok {
		return nil, false
	}
	iter, err := strconv.Atoi(iterText)
	if err != nil || iter <= 0 {
		return nil, false
	}
	salt, err := base64.StdEncoding.DecodeString(saltText)
	if err != nil || len(salt) == 0 {
		return nil, false
	}
	stored, err := base64.StdEncoding.DecodeString(storedText)
	if err != nil || len(stored) != sha256.Size {
		return nil, false
	}
	server, err := base64.StdEncoding.DecodeString(serverText)
	if err != nil || len(server) != sha256.Size {
		return nil, false
	}
	return &SCRAMSecret{Iterations: iter, Salt: salt, StoredKey: stored, ServerKey: server}, true
}

// BuildSCRAMSecret derives a verifier from a password (PostgreSQL's
// scram_build_secret).
func BuildSCRAMSecret(password string, salt []byte, iterations int) (string, error) {
	salted, err := saltedPassword(password, salt, iterations)
	if err != nil {
		return "", err
	}
	clientKey := hmacSHA256(salted, []byte("Client Key"))
	stored := sha256.Sum256(clientKey)
	sec := &SCRAMSecret{Iterations: iterations, Salt: salt, StoredKey: stored[:], ServerKey: hmacSHA256(salted, []byte("Server Key"))}
	return sec.String(), nil
}

func saltedPassword(password string, salt []byte, iterations int) ([]byte, error) {
	key, err := pbkdf2.Key(sha256.New, saslPrep(password), salt, iterations, sha256.Size)
	if err != nil {
		return nil, fmt.Errorf("auth: deriving SCRAM key: %w", err)
	}
	return key, nil
}

// saslPrep is SASLprep (RFC 4013) as PostgreSQL applies it to SCRAM
// passwords: non-ASCII spaces become spaces, characters "commonly mapped
// to nothing" go, the result is NFKC-normalised, and a password with a
// prohibited character or broken bidirectional text is used as is (the
// fallback PostgreSQL and libpq share). Unassigned code points are not
// checked.
func saslPrep(password string) string {
	if isASCIIPrintable(password) || !utf8.ValidString(password) {
		return password
	}
	mapped := make([]rune, 0, len(password))
	for _, r := range password {
		switch {
		case nonASCIISpace(r):
			mapped = append(mapped, ' ')
		case mappedToNothing(r):
		default:
			mapped = append(mapped, r)
		}
	}
	out := norm.NFKC.String(string(mapped))
	var randAL, leftToRight bool
	var first, last rune
	for i, r := range []rune(out) {
		if prohibited(r) {
			return password
		}
		switch bidiClass(r) {
		case bidi.R, bidi.AL:
			randAL = true
		case bidi.L:
			leftToRight = true
		}
		if i == 0 {
			first = r
		}
		last = r
	}
	if randAL {
		isRAL := func(r rune) bool { c := bidiClass(r); return c == bidi.R || c == bidi.AL }
		if leftToRight || !isRAL(first) || !isRAL(last) {
			return password
		}
	}
	return out
}

func bidiClass(r rune) bidi.Class {
	p, _ := bidi.LookupRune(r)
	return p.Class()
}

// mappedToNothing is RFC 3454 table B.1.
func mappedToNothing(r rune) bool {
	switch {
	case r == 0x00AD, r == 0x034F, r == 0x1806, r >= 0x180B && r <= 0x180D, r >= 0x200B && r <= 0x200D,
		r == 0x2060, r >= 0xFE00 && r <= 0xFE0F, r == 0xFEFF:
		return true
	}
	return false
}

// nonASCIISpace is RFC 3454 table C.1.2.
func nonASCIISpace(r rune) bool {
	switch {
	case r == 0x00A0, r == 0x1680, r >= 0x2000 && r <= 0x200B, r == 0x202F, r == 0x205F, r == 0x3000:
		return true
	}
	return false
}

// prohibited is RFC 4013's prohibited output: RFC 3454 tables C.1.2 and
// C.2.1 to C.9.
func prohibited(r rune) bool {
	switch {
	case nonASCIISpace(r),
		r < 0x20, r == 0x7F, // C.2.1
		r >= 0x80 && r <= 0x9F, r == 0x06DD, r == 0x070F, r == 0x180E, r == 0x200C, r == 0x200D, // C.2.2
		r == 0x2028, r == 0x2029, r >= 0x2060 && r <= 0x2063, r >= 0x206A && r <= 0x206F,
		r == 0xFEFF, r >= 0xFFF9 && r <= 0xFFFC, r >= 0x1D173 && r <= 0x1D17A,
		r >= 0xE000 && r <= 0xF8FF, r >= 0xF0000 && r <= 0xFFFFD, r >= 0x100000 && r <= 0x10FFFD, // C.3
		r >= 0xFDD0 && r <= 0xFDEF, r&0xFFFE == 0xFFFE, // C.4
		r >= 0xD800 && r <= 0xDFFF,                                                     // C.5
		r >= 0xFFF9 && r <= 0xFFFD,                                                     // C.6
		r >= 0x2FF0 && r <= 0x2FFB,                                                     // C.7
		r == 0x0340, r == 0x0341, r == 0x200E, r == 0x200F, r >= 0x202A && r <= 0x202E, // C.8
		r == 0xE0001, r >= 0xE0020 && r <= 0xE007F: // C.9
		return true
	}
	return false
}

func isASCIIPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func hmacSHA256(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}

// CheckPlaintext reports whether a cleartext password matches the stored
// one (either kind of hash), in constant time with respect to the secret.
func CheckPlaintext(role, stored, password string) bool {
	if password == "" {
		// PostgreSQL refuses empty passwords outright.
		return false
	}
	switch KindOf(stored) {
	case KindMD5:
		return subtle.ConstantTimeCompare([]byte(MD5Hash(role, password)), []byte(stored)) == 1
	case KindSCRAM:
		sec, _ := ParseSCRAMSecret(stored)
		salted, err := saltedPassword(password, sec.Salt, sec.Iterations)
		if err != nil {
			return false
		}
		clientKey := hmacSHA256(salted, []byte("Client Key"))
		storedKey := sha256.Sum256(clientKey)
		serverKey := hmacSHA256(salted, []byte("Server Key"))
		ok := subtle.ConstantTimeCompare(storedKey[:], sec.StoredKey) & subtle.ConstantTimeCompare(serverKey, sec.ServerKey)
		return ok == 1
	}
	return false
}

// MD5Salt returns a fresh random salt for AuthenticationMD5Password.
func MD5Salt() ([4]byte, error) {
	var s [4]byte
	if _, err := rand.Read(s[:]); err != nil {
		return s, fmt.Errorf("auth: generating md5 salt: %w", err)
	}
	return s, nil
}

// CheckMD5Response checks a client's answer to an md5 challenge:
// "md5" + hex(md5(hex-part of the stored hash || salt)). stored must be an
// md5 hash; anything else fails.
func CheckMD5Response(stored string, salt [4]byte, response string) bool {
	if !isMD5Hash(stored) {
		return false
	}
	sum := md5.Sum(append([]byte(stored[3:]), salt[:]...))
	want := "md5" + hex.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(want), []byte(response)) == 1
}
