package builtins

import (
	"math/bits"

	"github.com/quiverdb/quiver/sql/types"
)

// PostgreSQL's hash_bytes and hash_bytes_extended (src/common/hashfn.c,
// Bob Jenkins' lookup3): applications store hashtext values (advisory
// lock keys derived from names, hash partitioning), so the values must be
// PostgreSQL's bit for bit. The bytes are read little-endian, as
// PostgreSQL does on the little-endian machines its users run.

func hashMix(a, b, c uint32) (uint32, uint32, uint32) {
	a -= c
	a ^= bits.RotateLeft32(c, 4)
	c += b
	b -= a
	b ^= bits.RotateLeft32(a, 6)
	a += c
	c -= b
	c ^= bits.RotateLeft32(b, 8)
	b += a
	a -= c
	a ^= bits.RotateLeft32(c, 16)
	c += b
	b -= a
	b ^= bits.RotateLeft32(a, 19)
	a += c
	c -= b
	c ^= bits.RotateLeft32(b, 4)
	b += a
	return a, b, c
}

func hashFinal(a, b, c uint32) (uint32, uint32, uint32) {
	c ^= b
	c -= bits.RotateLeft32(b, 14)
	a ^= c
	a -= bits.RotateLeft32(c, 11)
	b ^= a
	b -= bits.RotateLeft32(a, 25)
	c ^= b
	c -= bits.RotateLeft32(b, 16)
	a ^= c
	a -= bits.RotateLeft32(c, 4)
	b ^= a
	b -= bits.RotateLeft32(a, 14)
	c ^= b
	c -= bits.RotateLeft32(b, 24)
	return a, b, c
}

// hashBytes is hash_bytes_extended; its low 32 bits with seed 0 are
// hash_bytes.
func hashBytes(k []byte, seed uint64) uint64 {
	a := 0x9e3779b9 + uint32(len(k)) + 3923095
	b, c := a, a
	if seed != 0 {
		a += uint32(seed >> 32)
		b += uint32(seed)
		a, b, c = hashMix(a, b, c)
	}
	word := func(p []byte) uint32 {
		var w uint32
		for i, x := range p {
			w |= uint32(x) << (8 * i)
		}
		return w
	}
	for len(k) >= 12 {
		a += word(k[0:4])
		b += word(k[4:8])
		c += word(k[8:12])
		a, b, c = hashMix(a, b, c)
		k = k[12:]
	}
	// The last bytes: c's lowest byte stays for the length.
	switch n := len(k); {
	case n > 8:
		c += word(k[8:]) << 8
		fallthrough
	case n > 4:
		b += word(k[4:min(n, 8)])
		fallthrough
	case n > 0:
		a += word(k[:min(n, 4)])
	}
	_, b, c = hashFinal(a, b, c)
	return uint64(b)<<32 | uint64(c)
}

func registerHash() {
	addFunc("hashtext", fn(params(types.Text), types.Int4, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DInt(int32(uint32(hashBytes([]byte(str(a[0])), 0)))), nil
	}))
	addFunc("hashtextextended", fn(params(types.Text, types.Int8), types.Int8, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DInt(int64(hashBytes([]byte(str(a[0])), uint64(a[1].(types.DInt))))), nil
	}))
}
