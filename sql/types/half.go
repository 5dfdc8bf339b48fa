package types

import (
	"math"

	"github.com/quiverdb/quiver/sql/pgerror"
)

// IEEE 754 binary16 (half precision), the element type of pgvector's
// halfvec. pgvector converts with F16C's vcvtps2ph in round-to-nearest-even
// mode on x86-64 (or _Float16 casts elsewhere, which round the same way),
// so the conversions here round to nearest, ties to even, and overflow to
// infinity.

// MaxHalf is the largest finite half-precision value.
const MaxHalf = 65504

// Float32ToHalf returns the binary16 bits nearest to f: ties go to the even
// mantissa, values past MaxHalf's rounding range become infinity, values
// below half the smallest subnormal become a zero of f's sign, and NaN stays
// a (quiet) NaN.
func Float32ToHalf(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	mant := b & 0x7fffff
	if exp == 0xff {
		if mant == 0 {
			return sign | 0x7c00
		}
		return sign | 0x7e00 | uint16(mant>>13)
	}
	e := exp - 127 + 15 // the exponent field the value would have as a half
	if e >= 31 {
		return sign | 0x7c00
	}
	if e <= 0 {
		// A half subnormal (or zero): the significand with its implicit
		// bit, shifted down to units of 2^-24.
		if e < -10 {
			return sign // below 2^-25: nearer to zero than to 2^-24
		}
		return sign | roundShift(mant|0x800000, uint(14-e))
	}
	// roundShift's carry out of the mantissa increments the exponent,
	// which is the right result, up to infinity (0x7c00) after 65504.
	return sign | (uint16(e)<<10 + roundShift(mant, 13))
}

// roundShift returns m >> shift rounded to nearest, ties to even.
func roundShift(m uint32, shift uint) uint16 {
	r := m >> shift
	rem := m & (1<<shift - 1)
	half := uint32(1) << (shift - 1)
	if rem > half || rem == half && r&1 == 1 {
		r++
	}
	return uint16(r)
}

// HalfToFloat32 widens binary16 bits to the float32 of the same value
// (every half is exactly a float32).
func HalfToFloat32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch exp {
	case 0:
		// Zero or subnormal: mant × 2^-24, exact in float32.
		f := float32(mant) * (1.0 / (1 << 24))
		return math.Float32frombits(math.Float32bits(f) | sign)
	case 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}

// RoundHalf rounds f to the nearest half-precision value, as a float32;
// a result outside the half range is infinite.
func RoundHalf(f float32) float32 { return HalfToFloat32(Float32ToHalf(f)) }

// halfOverflows reports whether finite f becomes infinite in half
// precision (pgvector's test HalfIsInf(result) && !isinf(num)).
func halfOverflows(f float32) bool {
	return Float32ToHalf(f)&0x7fff == 0x7c00 && !math.IsInf(float64(f), 0)
}

// HalfvecElem converts f to a halfvec element as pgvector's Float4ToHalf
// does: a finite value that overflows half precision is 22003 naming it in
// float4's shortest form; NaN and infinities pass (CheckElement rejects
// them with its own messages).
func HalfvecElem(f float32) (float32, error) {
	if halfOverflows(f) {
		return 0, pgerror.New(pgerror.CodeNumericValueOutOfRange, "\"%s\" is out of range for type halfvec", appendFloat(nil, float64(f), 32))
	}
	return RoundHalf(f), nil
}
