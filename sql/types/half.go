package types

import (
	"math"

	"github.com/quiverdb/quiver/index/vecmath"
	"github.com/quiverdb/quiver/sql/pgerror"
)

// IEEE 754 binary16 (half precision), the element type of pgvector's
// halfvec. pgvector converts with F16C's vcvtps2ph in round-to-nearest-even
// mode on x86-64 (or _Float16 casts elsewhere, which round the same way),
// so the conversions here round to nearest, ties to even, and overflow to
// infinity.

// MaxHalf is the largest finite half-precision value.
const MaxHalf = vecmath.MaxHalf

// Float32ToHalf returns the binary16 bits nearest to f (vecmath.ToHalf).
func Float32ToHalf(f float32) uint16 { return vecmath.ToHalf(f) }

// HalfToFloat32 widens binary16 bits to the float32 of the same value.
func HalfToFloat32(h uint16) float32 { return vecmath.FromHalf(h) }

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
