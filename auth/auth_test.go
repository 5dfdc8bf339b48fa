package auth

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/quiverdb/quiver/sql/pgerror"
)

// RFC 7677 section 3's example exchange.
const (
	rfcPassword    = "pencil"
	rfcSalt        = "W22ZaJ0SNY7soEsUEjb6gQ=="
	rfcClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
	rfcServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
	rfcServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
	rfcClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
	rfcServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
)

func rfcSecret(t *testing.T) *SCRAMSecret {
	t.Helper()
	salt, err := base64.StdEncoding.DecodeString(rfcSalt)
	if err != nil {
		t.Fatal(err)
	}
	text, err := BuildSCRAMSecret(rfcPassword, salt, 4096)
	if err != nil {
		t.Fatal(err)
	}
	sec, ok := ParseSCRAMSecret(text)
	if !ok {
		t.Fatalf("ParseSCRAMSecret(%q) failed", text)
	}
	return sec
}

// rfcExchange starts an exchange with RFC 7677's server nonce and sends its
// client-first-message; secret nil runs a mock exchange keyed by mockKey.
func rfcExchange(t *testing.T, secret *SCRAMSecret, mockKey []byte) (*SCRAMExchange, string) {
	t.Helper()
	x, err := NewSCRAMExchange(MechSCRAM, secret, mockKey, "user", nil)
	if err != nil {
		t.Fatal(err)
	}
	x.fixedServerNonce = rfcServerNonce
	first, err := x.ServerFirst([]byte(rfcClientFirst))
	if err != nil {
		t.Fatal(err)
	}
	return x, first
}

func TestSCRAMRFC7677(t *testing.T) {
	x, first := rfcExchange(t, rfcSecret(t), nil)
	if first != rfcServerFirst {
		t.Fatalf("server-first = %q, want %q", first, rfcServerFirst)
	}
	final, err := x.ServerFinal([]byte(rfcClientFinal))
	if err != nil {
		t.Fatal(err)
	}
	if final != rfcServerFinal {
		t.Fatalf("server-final = %q, want %q", final, rfcServerFinal)
	}
}

func TestSCRAMWrongProof(t *testing.T) {
	x, _ := rfcExchange(t, rfcSecret(t), nil)
	bad := rfcClientFinal[:len(rfcClientFinal)-6] + "AAAAA="
	if _, err := x.ServerFinal([]byte(bad)); !errors.Is(err, ErrFailed) {
		t.Fatalf("wrong proof: err = %v, want ErrFailed", err)
	}
}

// A mock exchange (unknown role) runs the same messages and always fails,
// even with the proof a real secret would accept.
func TestSCRAMMockAlwaysFails(t *testing.T) {
	x, first := rfcExchange(t, nil, []byte("k"))
	_, again := rfcExchange(t, nil, []byte("k"))
	if first != again {
		t.Fatalf("mock salt not stable: %q vs %q", first, again)
	}
	if _, err := x.ServerFinal([]byte(rfcClientFinal)); !errors.Is(err, ErrFailed) {
		t.Fatalf("mock exchange: err = %v, want ErrFailed", err)
	}
}

func TestSCRAMChannelBindingFlags(t *testing.T) {
	cb := []byte("0123456789abcdef0123456789abcdef")
	cases := []struct {
		name    string
		mech    string
		cbData  []byte
		first   string
		code    string
		wantErr bool
	}{
		{"p without PLUS", MechSCRAM, nil, "p=tls-server-end-point,,n=,r=abc", pgerror.CodeProtocolViolation, true},
		{"y with TLS is a downgrade", MechSCRAM, cb, "y,,n=,r=abc", pgerror.CodeInvalidAuthorization, true},
		{"y without TLS", MechSCRAM, nil, "y,,n=,r=abc", "", false},
		{"n with PLUS", MechSCRAMPlus, cb, "n,,n=,r=abc", pgerror.CodeProtocolViolation, true},
		{"unknown cb type", MechSCRAMPlus, cb, "p=tls-unique,,n=,r=abc", pgerror.CodeFeatureNotSupported, true},
		{"authzid", MechSCRAM, nil, "n,a=bob,n=,r=abc", pgerror.CodeFeatureNotSupported, true},
		{"bad flag", MechSCRAM, nil, "x,,n=,r=abc", pgerror.CodeProtocolViolation, true},
		{"no nonce", MechSCRAM, nil, "n,,n=", pgerror.CodeProtocolViolation, true},
		{"plus ok", MechSCRAMPlus, cb, "p=tls-server-end-point,,n=,r=abc", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x, err := NewSCRAMExchange(c.mech, rfcSecret(t), nil, "u", c.cbData)
			if err != nil {
				t.Fatal(err)
			}
			_, err = x.ServerFirst([]byte(c.first))
			if !c.wantErr {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			var pe *pgerror.Error
			if !errors.As(err, &pe) || pe.Code != c.code {
				t.Fatalf("err = %v, want SQLSTATE %s", err, c.code)
			}
		})
	}
	if _, err := NewSCRAMExchange(MechSCRAMPlus, nil, nil, "u", nil); err == nil {
		t.Fatal("PLUS accepted without TLS")
	}
}

// The PLUS flavour binds the TLS certificate hash: a client quoting another
// hash fails.
func TestSCRAMPlusBinding(t *testing.T) {
	cb := []byte("server-cert-hash")
	run := func(quoted []byte) error {
		x, err := NewSCRAMExchange(MechSCRAMPlus, rfcSecret(t), nil, "u", cb)
		if err != nil {
			t.Fatal(err)
		}
		x.fixedServerNonce = "SN"
		if _, err := x.ServerFirst([]byte("p=tls-server-end-point,,n=,r=CN")); err != nil {
			t.Fatal(err)
		}
		c := base64.StdEncoding.EncodeToString(append([]byte("p=tls-server-end-point,,"), quoted...))
		_, err = x.ServerFinal([]byte("c=" + c + ",r=CNSN,p=" + base64.StdEncoding.EncodeToString(make([]byte, 32))))
		return err
	}
	var pe *pgerror.Error
	if err := run([]byte("other-cert-hash!")); !errors.As(err, &pe) || pe.Code != pgerror.CodeInvalidAuthorization {
		t.Fatalf("mismatched binding: err = %v, want 28000", err)
	}
	// The right binding gets as far as the proof check.
	if err := run(cb); !errors.Is(err, ErrFailed) {
		t.Fatalf("matching binding: err = %v, want ErrFailed from the zero proof", err)
	}
}

func TestSCRAMNonceMismatch(t *testing.T) {
	x, _ := rfcExchange(t, rfcSecret(t), nil)
	_, err := x.ServerFinal([]byte("c=biws,r=rOprNGfwEbeRWgbNEkqOX,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="))
	var pe *pgerror.Error
	if !errors.As(err, &pe) || pe.Code != pgerror.CodeProtocolViolation || pe.Message != "invalid SCRAM response" {
		t.Fatalf("err = %v, want 08P01 invalid SCRAM response", err)
	}
}

// Verifiers PostgreSQL 15 produced (CREATE ROLE alice PASSWORD 'secret';
// SET password_encryption = 'md5'; ALTER ROLE alice2 PASSWORD 'pw').
func TestPostgreSQLVerifiers(t *testing.T) {
	const pgSCRAM = "SCRAM-SHA-256$4096:jGOdBlQZN3BlLY5f2+d6fg==$PnM+siRgNbzJH206CQ80L6dw9oTgQ5e5TEYUGAqobhE=:1CPhptsZXklAWTrqiOA7pIxWLUnumeCcQGKVKF7EHqY="
	if !CheckPlaintext("alice", pgSCRAM, "secret") {
		t.Fatal("PostgreSQL's SCRAM secret for 'secret' rejected")
	}
	if CheckPlaintext("alice", pgSCRAM, "Secret") {
		t.Fatal("wrong password accepted")
	}
	sec, _ := ParseSCRAMSecret(pgSCRAM)
	if sec.String() != pgSCRAM {
		t.Fatalf("round trip = %q", sec.String())
	}
	if got := MD5Hash("alice2", "pw"); got != "md5ef5db565ed5a0466aa9441e4579f8761" {
		t.Fatalf("MD5Hash = %q", got)
	}
	if !CheckPlaintext("alice2", "md5ef5db565ed5a0466aa9441e4579f8761", "pw") || CheckPlaintext("bob", "md5ef5db565ed5a0466aa9441e4579f8761", "pw") {
		t.Fatal("md5 cleartext check wrong")
	}
}

func TestEncryptKinds(t *testing.T) {
	s, err := Encrypt("bob", "pw", EncryptionSCRAM)
	if err != nil || KindOf(s) != KindSCRAM || !CheckPlaintext("bob", s, "pw") {
		t.Fatalf("scram: %q, %v", s, err)
	}
	m, err := Encrypt("bob", "pw", EncryptionMD5)
	if err != nil || m != MD5Hash("bob", "pw") {
		t.Fatalf("md5: %q, %v", m, err)
	}
	// Pre-hashed values pass through, whatever the method.
	for _, pre := range []string{m, s} {
		if got, _ := Encrypt("carol", pre, EncryptionMD5); got != pre {
			t.Fatalf("pre-hashed %q became %q", pre, got)
		}
	}
	for _, plain := range []string{"md5xyz", "SCRAM-SHA-256$4096:c2FsdA==$AAAA:BBBB", "md5" + "g0000000000000000000000000000000"} {
		if KindOf(plain) != KindPlain {
			t.Fatalf("KindOf(%q) is not plain", plain)
		}
	}
}

func TestMD5Challenge(t *testing.T) {
	stored := MD5Hash("bob", "pw")
	salt := [4]byte{1, 2, 3, 4}
	// What libpq sends: md5(md5(password+user) hex || salt).
	resp := MD5Hash(string(salt[:]), stored[3:])
	if !CheckMD5Response(stored, salt, resp) {
		t.Fatal("correct md5 response rejected")
	}
	if CheckMD5Response(stored, [4]byte{1, 2, 3, 5}, resp) {
		t.Fatal("response for another salt accepted")
	}
	if CheckMD5Response("SCRAM-SHA-256$...", salt, resp) {
		t.Fatal("md5 response accepted against a non-md5 secret")
	}
}

// Verifiers PostgreSQL 15 built for non-ASCII passwords (ALTER ROLE sp
// PASSWORD '...'), which it SASLpreps first: each accepts its password and
// the SASLprep-equivalent spellings.
func TestSASLprepMatchesPostgreSQL(t *testing.T) {
	cases := []struct {
		verifier string
		accepts  []string
		rejects  []string
	}{
		{"SCRAM-SHA-256$4096:w3YANpvIFaCY+vA44d+BQw==$zv9r9m+g0arYXK5xQ8BwHkbZDhrWlQ+i2Uf0yCQlWmU=:XGwdNSn3jYSAvMGqDH2lMSDV5r/0YIODyoMAxKvF3YA=",
			[]string{"pässwörd", "pa\u0308sswo\u0308rd"}, []string{"passwort"}},
		{"SCRAM-SHA-256$4096:AZy1BkQN6lz976I8pAKczw==$9vSun+y5fa4B8ZN/BPX2HxdE6goNE9D0plx2dRSefkE=:NRb3g/uIIvIbX/DpprApofAhIfg1mbcrTzxOPTp20/s=",
			[]string{"pa\u0308sswo\u0308rd", "pässwörd"}, nil},
		{"SCRAM-SHA-256$4096:QmAYJlXPiSMGizowoXoUmg==$ufBXsjuf9vFu79TlmJcyJ16uUBK5UfzEHU+i+kbJLrY=:GNKvMZnm03T6lvMravOIShiP8lygxwp+p6JCByy9lzk=",
			[]string{"\ufb01x", "fix"}, nil},
		{"SCRAM-SHA-256$4096:jiBNkdQATjMlRwXfNTHaKw==$yHHjnavrJFMy/yTUd8+VeI18bBI5vdpJBbtyb4RDFjY=:5chA91jWHuF+uRjx/zAwQ9nO3oIR4TgzEiHl2C0Tr4c=",
			[]string{"a\u00a0b", "a b"}, []string{"ab"}},
		{"SCRAM-SHA-256$4096:FAjteBkCXuDviV2KfodYUw==$EbjT9CAX4GTh0L8Xq63tLQQUlPbL1+8wOrl93yHDFhs=:ii36dnO+xXLYkVJQ1EYW/TGvk8axh2HDuYCcZhvBbYU=",
			[]string{"x\u00ady", "xy"}, nil},
		{"SCRAM-SHA-256$4096:pPcsfyIorMDoULnRZ/r0rg==$YAUiibSKboXevESDwMM1/Ns/5LgTnbjDxL8uDSgIkMU=:piZj6bpZlEnJqMZ4SE42B5GyHM7UHzppIlk+CuUCqs8=",
			[]string{"\u0627\u0628"}, nil},
		// Mixed bidirectional text fails SASLprep: the raw bytes are used.
		{"SCRAM-SHA-256$4096:Ljk1/hvJ20hsUvOl2IlVxw==$rxYTdeAwQuj/rAHBoNq5muKpsY2rMV+YwZj0w57xML4=:zhnthwcWI7PNSb/cYqX01ykvigLT5z+/ZyOlrcVVwYo=",
			[]string{"a\u0627"}, nil},
		// So does a control character.
		{"SCRAM-SHA-256$4096:PGRzCUch7ql7E/BM0syGow==$iSqEIOLCrrVgCtRGtyseR7vjyLWhC97BoODWacHNFf8=:NkkOg3PZNwnKtft6mgDi+IWXoz/emD9fpkJdG2EmYrg=",
			[]string{"\u0007bell"}, []string{"bell"}},
		{"SCRAM-SHA-256$4096:Pwb0S8bqRoSBHWv4g9bNiA==$lGYZWuyPvoyu516laF/WRNsdcrv/DNQbikHukvFCpfE=:+8xywxSSAW3vLmAbVrxhpd2Q841RBk7MUV4TWOjLvm8=",
			[]string{"\u2168", "IX"}, nil},
		{"SCRAM-SHA-256$4096:YWlE+m38xkUtbuO07d4G6g==$+WvYNuHIPHRKXTGUE12sk+Kpto6rjeRseoQIUzyBBVo=:cZqELkJDwYuSi0TaSXJ5MUXnM05XDM37P4S3f+/0MtI=",
			[]string{"\u3000full\u3000width", " full width"}, nil},
	}
	for i, c := range cases {
		for _, pw := range c.accepts {
			if !CheckPlaintext("sp", c.verifier, pw) {
				t.Errorf("case %d: %q rejected", i, pw)
			}
		}
		for _, pw := range c.rejects {
			if CheckPlaintext("sp", c.verifier, pw) {
				t.Errorf("case %d: %q accepted", i, pw)
			}
		}
	}
}

func TestTLSServerEndPoint(t *testing.T) {
	selfSigned := func(priv crypto.Signer) []byte {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, priv.Public(), priv)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der := selfSigned(p256)
	if got, want := TLSServerEndPoint(der), sha256.Sum256(der); !bytes.Equal(got, want[:]) {
		t.Errorf("ECDSA-SHA256 certificate: %x, want its SHA-256 %x", got, want)
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	der = selfSigned(p384)
	if got, want := TLSServerEndPoint(der), sha512.Sum384(der); !bytes.Equal(got, want[:]) {
		t.Errorf("ECDSA-SHA384 certificate: %x, want its SHA-384", got)
	}
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	if got := TLSServerEndPoint(selfSigned(ed)); got != nil {
		t.Errorf("Ed25519 certificate: %x, want nil (no PLUS)", got)
	}
	if got := TLSServerEndPoint([]byte("not a certificate")); got != nil {
		t.Errorf("garbage: %x, want nil", got)
	}
	if m := Mechanisms(nil); len(m) != 1 || m[0] != MechSCRAM {
		t.Errorf("Mechanisms(nil) = %v", m)
	}
	if m := Mechanisms([]byte{1}); len(m) != 2 || m[0] != MechSCRAMPlus || m[1] != MechSCRAM {
		t.Errorf("Mechanisms(cb) = %v", m)
	}
}
