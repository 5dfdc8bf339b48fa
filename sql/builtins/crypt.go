package builtins

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"strings"

	// Blowfish is bcrypt's cipher; x/crypto/bcrypt cannot hash with a
	// given salt, which crypt(password, salt) needs.
	"golang.org/x/crypto/blowfish"

	"github.com/quiverdb/quiver/sql/pgerror"
)

// cryptItoa64 is the alphabet of crypt(3)'s salts and of md5-crypt's
// output; bcrypt orders the same characters differently (bcryptBase64).
const cryptItoa64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// bcryptBase64 is bcrypt's base64: its own alphabet, no padding.
var bcryptBase64 = base64.NewEncoding("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789").WithPadding(base64.NoPadding)

// bcrypt's cost bounds and gen_salt('bf')'s default, as pgcrypto's.
const (
	bcryptMinCost     = 4
	bcryptMaxCost     = 31
	bcryptDefaultCost = 6
)

func errInvalidSalt() error {
	return pgerror.New(pgerror.CodeInvalidParameterValue, "invalid salt")
}

func errDESNotSupported() error {
	return pgerror.New(pgerror.CodeFeatureNotSupported, "DES-based crypt is not supported by Quiver").
		WithHint("Use gen_salt('bf') or gen_salt('md5').")
}

// genSalt is pgcrypto's gen_salt; rounds 0 means the algorithm's
// default.
func genSalt(kind string, rounds int) (string, error) {
	switch strings.ToLower(kind) {
	case "bf":
		if rounds == 0 {
			rounds = bcryptDefaultCost
		}
		if rounds < bcryptMinCost || rounds > bcryptMaxCost {
			return "", errSaltRounds()
		}
		salt := make([]byte, 16)
		if _, err := rand.Read(salt); err != nil {
			return "", pgerror.Wrap(err, pgerror.CodeInternal, "could not generate random values")
		}
		return "$2a$" + string(rune('0'+rounds/10)) + string(rune('0'+rounds%10)) + "$" + bcryptBase64.EncodeToString(salt), nil
	case "md5":
		// md5-crypt has a fixed count: any other is refused.
		if rounds != 0 {
			return "", errSaltRounds()
		}
		b := make([]byte, 8)
		if _, err := rand.Read(b); err != nil {
			return "", pgerror.Wrap(err, pgerror.CodeInternal, "could not generate random values")
		}
		for i := range b {
			b[i] = cryptItoa64[b[i]&0x3f]
		}
		return "$1$" + string(b), nil
	case "des", "xdes":
		return "", errDESNotSupported()
	}
	return "", pgerror.New(pgerror.CodeInvalidParameterValue, "gen_salt: Unknown salt algorithm")
}

func errSaltRounds() error {
	return pgerror.New(pgerror.CodeInvalidParameterValue, "gen_salt: Incorrect number of rounds")
}

// crypt is pgcrypto's crypt: the salt's prefix picks the algorithm, as
// px_crypt's table does, and anything unrecognised is traditional DES.
func crypt(ctx *EvalContext, password, salt string) (string, error) {
	switch {
	case strings.HasPrefix(salt, "$2a$"), strings.HasPrefix(salt, "$2x$"):
		return bcryptCrypt(ctx, password, salt)
	case strings.HasPrefix(salt, "$2$"):
		// pgcrypto lists this old bcrypt variant without an implementation.
		return "", pgerror.New(pgerror.CodeExternalRoutineInvocation, "crypt(3) returned NULL")
	case strings.HasPrefix(salt, "$1$"):
		return md5Crypt(password, salt), nil
	}
	return "", errDESNotSupported()
}

// bcryptCrypt is crypt_blowfish's $2a$ and $2x$: setting is
// "$2a$NN$" followed by at least 22 salt characters (more are ignored).
func bcryptCrypt(ctx *EvalContext, password, setting string) (string, error) {
	if len(setting) < 7+22 || setting[6] != '$' || setting[4] < '0' || setting[4] > '9' || setting[5] < '0' || setting[5] > '9' {
		return "", errInvalidSalt()
	}
	cost := int(setting[4]-'0')*10 + int(setting[5]-'0')
	if cost < bcryptMinCost || cost > bcryptMaxCost {
		return "", errInvalidSalt()
	}
	saltText := setting[7 : 7+22]
	salt, err := bcryptBase64.DecodeString(saltText)
	if err != nil || len(salt) != 16 {
		return "", errInvalidSalt()
	}
	key := bcryptKey([]byte(password), setting[2] == 'x')
	c, err := blowfish.NewSaltedCipher(key, salt)
	if err != nil {
		return "", pgerror.Wrap(err, pgerror.CodeInternal, "bcrypt")
	}
	for i := uint64(0); i < 1<<cost; i++ {
		// Cost 31 is minutes of work: a cancel or statement_timeout must
		// reach it.
		if i&1023 == 0 && ctx != nil && ctx.Ctx != nil && ctx.Ctx.Err() != nil {
			return "", canceledError(ctx.Ctx)
		}
		blowfish.ExpandKey(key, c)
		blowfish.ExpandKey(salt, c)
	}
	block := []byte("OrpheanBeholderScryDoubt")
	for i := 0; i < len(block); i += blowfish.BlockSize {
		for j := 0; j < 64; j++ {
			c.Encrypt(block[i:i+blowfish.BlockSize], block[i:i+blowfish.BlockSize])
		}
	}
	// The salt is written back re-encoded: its last character carries
	// only two of the 16 bytes' bits, the rest are dropped.
	return setting[:7] + bcryptBase64.EncodeToString(salt) + bcryptBase64.EncodeToString(block[:23]), nil
}

// bcryptKey is the 72 bytes crypt_blowfish reads the password as: its
// bytes and terminating NUL repeated, taken four at a time into 18
// words. $2x$ emulates the old sign-extension bug, where a byte >= 0x80
// set every higher bit of the word being built. Blowfish reads a 72-byte
// key cyclically as the same 18 words, so these bytes stand in exactly.
// (crypt_blowfish's $2a$ safety flip for passwords the bug leaves
// unchanged needs 0xff bytes, which UTF-8 text never has.)
func bcryptKey(password []byte, bug bool) []byte {
	src := append(password[:len(password):len(password)], 0)
	key := make([]byte, 72)
	p := 0
	for w := 0; w < 18; w++ {
		var word uint32
		for j := 0; j < 4; j++ {
			word <<= 8
			c := src[p]
			if bug {
				word |= uint32(int32(int8(c)))
			} else {
				word |= uint32(c)
			}
			p = (p + 1) % len(src)
		}
		key[4*w], key[4*w+1], key[4*w+2], key[4*w+3] = byte(word>>24), byte(word>>16), byte(word>>8), byte(word)
	}
	return key
}

// md5Crypt is FreeBSD's md5-crypt ($1$), as pgcrypto's px_crypt_md5:
// up to 8 salt characters, ending at a '$'.
func md5Crypt(password, setting string) string {
	const magic = "$1$"
	salt := strings.TrimPrefix(setting, magic)
	if i := strings.IndexByte(salt, '$'); i >= 0 {
		salt = salt[:i]
	}
	if len(salt) > 8 {
		salt = salt[:8]
	}
	pw := []byte(password)

	alt := md5.New()
	alt.Write(pw)
	alt.Write([]byte(salt))
	alt.Write(pw)
	altSum := alt.Sum(nil)

	h := md5.New()
	h.Write(pw)
	h.Write([]byte(magic))
	h.Write([]byte(salt))
	for n := len(pw); n > 0; n -= 16 {
		h.Write(altSum[:min(n, 16)])
	}
	for i := len(pw); i > 0; i >>= 1 {
		if i&1 != 0 {
			h.Write([]byte{0})
		} else {
			h.Write(pw[:1])
		}
	}
	final := h.Sum(nil)
	// A thousand rounds to slow down guessing.
	for i := 0; i < 1000; i++ {
		r := md5.New()
		if i&1 != 0 {
			r.Write(pw)
		} else {
			r.Write(final)
		}
		if i%3 != 0 {
			r.Write([]byte(salt))
		}
		if i%7 != 0 {
			r.Write(pw)
		}
		if i&1 != 0 {
			r.Write(final)
		} else {
			r.Write(pw)
		}
		final = r.Sum(nil)
	}
	var out strings.Builder
	out.WriteString(magic + salt + "$")
	to64 := func(v uint32, n int) {
		for ; n > 0; n-- {
			out.WriteByte(cryptItoa64[v&0x3f])
			v >>= 6
		}
	}
	for _, t := range [][3]int{{0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}} {
		to64(uint32(final[t[0]])<<16|uint32(final[t[1]])<<8|uint32(final[t[2]]), 4)
	}
	to64(uint32(final[11]), 2)
	return out.String()
}
