package builtins

import (
	"context"
	"strings"
	"testing"

	"github.com/quiverdb/quiver/sql/pgerror"
)

// The expected hashes were made by PostgreSQL 15's pgcrypto.
func TestCryptMatchesPgcrypto(t *testing.T) {
	ctx := &EvalContext{Ctx: context.Background()}
	for _, c := range []struct{ pw, hash string }{
		{"secret", "$2a$06$w7Rw1dHuTqV9CRXiVGdop.Dn/AcEcroMzCm7p6tLULpTT/AgoK7Fy"},
		{"secret", "$2a$04$Qaqz9Y9Hui1DAKFdqtKx7.6.M3ZOtRRprxojlKo4S7AjNWk7kATOS"},
		{"", "$2a$06$lZdv1f8.cPMXTPH7H9wgpe3Y2Czrn6OvjGKXgczS9z6ueOPR7wVxu"},
		{"pässwörd", "$2a$06$IgeRewsPukOLuAI7emEXeeRHfRgMomrru/LR4ztsbsvytyqJ6lHIm"},
		{strings.Repeat("x", 80), "$2a$06$unBGTZmWyPptbCTcw7P4MOwWMjecP/16eXjQRpRYTA5npEqh4YL66"},
		{"pw", "$2x$06$abcdefghijklmnopqrstuuXOw8daVruAKMR3X3ty3bsuEmsp0E2Ba"},
		// $2x$ reproduces the sign-extension bug for bytes >= 0x80.
		{"pässwörd", "$2x$06$abcdefghijklmnopqrstuuCGYgr/c8TlOudoP.83/QkRi12Lm.vwW"},
		{"pässwörd", "$2a$06$abcdefghijklmnopqrstuuZRpgtdvy8sTei59Ltc5pdsksVO.fDZe"},
		{"secret", "$1$3pXWBJMN$K7lDVKD7uj6DBi4hvM/6Q/"},
		{"", "$1$T09t4rY4$2TetppWRewOKwCayjXNp./"},
		{"pässwörd", "$1$AjLdiMAB$6pcaRHBxJAg59mRQInnbG."},
		{strings.Repeat("x", 80), "$1$jTCP.To8$a2NINgHNVGu0EWH.YqGiW."},
		{"pw", "$1$$F0Fc2lbYpzr3KKdKkM0Wj."},
		{"pw", "$1$abc$Kb85XxsXB.VXinPhbS4431"},
	} {
		got, err := crypt(ctx, c.pw, c.hash)
		if err != nil || got != c.hash {
			t.Errorf("crypt(%q, %q) = %q, %v", c.pw, c.hash, got, err)
		}
	}
	// Salt setting forms PostgreSQL normalises.
	for _, c := range []struct{ salt, want string }{
		{"$2a$06$abcdefghijklmnopqrstuv", "$2a$06$abcdefghijklmnopqrstuuXOw8daVruAKMR3X3ty3bsuEmsp0E2Ba"},
		{"$2a$06$abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ", "$2a$06$abcdefghijklmnopqrstuuXOw8daVruAKMR3X3ty3bsuEmsp0E2Ba"},
		{"$1$abcdefghijkl", "$1$abcdefgh$IQtUouv7y7Q9dRWkQEPCc."},
	} {
		if got, err := crypt(ctx, "pw", c.salt); err != nil || got != c.want {
			t.Errorf("crypt(pw, %q) = %q, %v; want %q", c.salt, got, err, c.want)
		}
	}
}

func TestCryptErrors(t *testing.T) {
	ctx := &EvalContext{Ctx: context.Background()}
	for _, c := range []struct{ salt, code string }{
		{"$2a$03$abcdefghijklmnopqrstuv", "22023"},
		{"$2a$32$abcdefghijklmnopqrstuv", "22023"},
		{"$2a$06$abcdefghijklmnopqrstu", "22023"},
		{"$2a$06$abcdefghijklmnopqrstu!", "22023"},
		{"$2a$6$abcdefghijklmnopqrstuvw", "22023"},
		{"$2$06$abcdefghijklmnopqrstuv", "39000"},
		{"ab", "0A000"},
	} {
		_, err := crypt(ctx, "pw", c.salt)
		if pe, ok := err.(*pgerror.Error); !ok || pe.Code != c.code {
			t.Errorf("crypt(pw, %q): %v, want %s", c.salt, err, c.code)
		}
	}
}

func TestCryptCanceled(t *testing.T) {
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := crypt(&EvalContext{Ctx: cctx}, "pw", "$2a$31$abcdefghijklmnopqrstuv")
	if pe, ok := err.(*pgerror.Error); !ok || pe.Code != pgerror.CodeQueryCanceled {
		t.Fatalf("crypt with cost 31 after cancel: %v", err)
	}
}

func TestGenSaltRoundTrips(t *testing.T) {
	ctx := &EvalContext{Ctx: context.Background()}
	for _, c := range []struct {
		kind   string
		rounds int
		prefix string
		length int
	}{{"bf", 0, "$2a$06$", 29}, {"BF", 4, "$2a$04$", 29}, {"md5", 0, "$1$", 11}} {
		s, err := genSalt(c.kind, c.rounds)
		if err != nil || !strings.HasPrefix(s, c.prefix) || len(s) != c.length {
			t.Fatalf("gen_salt(%s, %d) = %q, %v", c.kind, c.rounds, s, err)
		}
		h, err := crypt(ctx, "pw", s)
		if err != nil {
			t.Fatal(err)
		}
		if again, _ := crypt(ctx, "pw", h); again != h {
			t.Errorf("crypt(pw, %q) = %q, want the hash itself", h, again)
		}
		if other, _ := crypt(ctx, "px", h); other == h {
			t.Errorf("another password verified against %q", h)
		}
	}
	for _, c := range []struct {
		kind   string
		rounds int
	}{{"bf", 3}, {"bf", 32}, {"md5", 5}, {"foo", 0}} {
		if _, err := genSalt(c.kind, c.rounds); err == nil {
			t.Errorf("gen_salt(%s, %d) succeeded", c.kind, c.rounds)
		}
	}
}
