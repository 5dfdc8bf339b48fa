package builtins

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"hash"
	"strings"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// extPgcrypto is extension pgcrypto's name, which its functions carry.
const extPgcrypto = "pgcrypto"

// pgcryptoDigests are the hash algorithms digest and hmac accept, by
// OpenSSL's names (matched without regard to case, as OpenSSL does).
var pgcryptoDigests = map[string]func() hash.Hash{
	"md5":        md5.New,
	"sha1":       sha1.New,
	"sha224":     sha256.New224,
	"sha256":     sha256.New,
	"sha384":     sha512.New384,
	"sha512":     sha512.New,
	"sha512-224": sha512.New512_224,
	"sha512-256": sha512.New512_256,
	"sha3-224":   func() hash.Hash { return sha3.New224() },
	"sha3-256":   func() hash.Hash { return sha3.New256() },
	"sha3-384":   func() hash.Hash { return sha3.New384() },
	"sha3-512":   func() hash.Hash { return sha3.New512() },
}

// pgcryptoHash finds digest's and hmac's algorithm, with pgcrypto's
// error for one it does not know.
func pgcryptoHash(name string) (func() hash.Hash, error) {
	if h, ok := pgcryptoDigests[strings.ToLower(name)]; ok {
		return h, nil
	}
	return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "Cannot use \"%s\": No such hash algorithm", name)
}

// pgcryptoBytes is a digest or hmac argument's bytes: pgcrypto declares
// text and bytea overloads and hashes a text's bytes as they are.
func pgcryptoBytes(d types.Datum) []byte {
	if b, ok := d.(types.DBytes); ok {
		return []byte(b)
	}
	return []byte(str(d))
}

func registerPgcrypto() {
	for _, t := range []*types.T{types.Text, types.Bytea} {
		addFunc("digest", &Overload{Params: params(t, types.Text), Return: types.Bytea, Extension: extPgcrypto,
			Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
				newHash, err := pgcryptoHash(str(a[1]))
				if err != nil {
					return nil, err
				}
				h := newHash()
				h.Write(pgcryptoBytes(a[0]))
				return types.DBytes(h.Sum(nil)), nil
			}})
		addFunc("hmac", &Overload{Params: params(t, t, types.Text), Return: types.Bytea, Extension: extPgcrypto,
			Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
				newHash, err := pgcryptoHash(str(a[2]))
				if err != nil {
					return nil, err
				}
				h := hmac.New(newHash, pgcryptoBytes(a[1]))
				h.Write(pgcryptoBytes(a[0]))
				return types.DBytes(h.Sum(nil)), nil
			}})
	}
	addFunc("gen_random_bytes", &Overload{Params: params(types.Int4), Return: types.Bytea, Volatile: true, Extension: extPgcrypto,
		Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			// pgcrypto's limit, so one call cannot drain the entropy pool.
			n := i64(a[0])
			if n < 1 || n > 1024 {
				return nil, pgerror.New(pgerror.CodeExternalRoutineInvocation, "Length not in range")
			}
			b := make([]byte, n)
			if _, err := rand.Read(b); err != nil {
				return nil, pgerror.Wrap(err, pgerror.CodeInternal, "could not generate random values")
			}
			return types.DBytes(b), nil
		}})
	genSalt := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		rounds := 0
		if len(a) > 1 {
			rounds = int(i64(a[1]))
		}
		s, err := genSalt(str(a[0]), rounds)
		if err != nil {
			return nil, err
		}
		return types.DString(s), nil
	}
	addFunc("gen_salt", &Overload{Params: params(types.Text), Return: types.Text, Volatile: true, Extension: extPgcrypto, Fn: genSalt})
	addFunc("gen_salt", &Overload{Params: params(types.Text, types.Int4), Return: types.Text, Volatile: true, Extension: extPgcrypto, Fn: genSalt})
	addFunc("crypt", &Overload{Params: params(types.Text, types.Text), Return: types.Text, Extension: extPgcrypto,
		Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			s, err := crypt(ctx, str(a[0]), str(a[1]))
			if err != nil {
				return nil, err
			}
			return types.DString(s), nil
		}})
}
