package vecmath

import "math"

// IEEE 754 binary16 (half precision): the element type of pgvector's
// halfvec, and the form an HNSW graph may keep its vectors in (half the
// memory, searched with the mixed kernels below and re-ranked exactly by
// its caller). The conversions round to nearest, ties to even, and
// overflow to infinity, as F16C's vcvtps2ph does (pgvector's conversion
// on x86-64).

// MaxHalf is the largest finite half-precision value.
const MaxHalf = 65504

// ToHalf returns the binary16 bits nearest to f: ties go to the even
// mantissa, values past MaxHalf's rounding range become infinity, values
// below half the smallest subnormal become a zero of f's sign, and NaN stays
// a (quiet) NaN.
func ToHalf(f float32) uint16 {
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

// FromHalf widens binary16 bits to the float32 of the same value
// (every half is exactly a float32).
func FromHalf(h uint16) float32 {
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

// EncodeHalf stores src rounded to half precision in dst (len(dst) >=
// len(src)).
// The result is bit for bit ToHalf's on every path.
func EncodeHalf(dst []uint16, src []float32) {
	active.encodeHalf(dst[:len(src)], src)
}

// DecodeHalf widens src into dst (len(dst) >= len(src)), bit for bit as
// FromHalf does.
func DecodeHalf(dst []float32, src []uint16) {
	active.decodeHalf(dst[:len(src)], src)
}

func encodeHalfGeneric(dst []uint16, src []float32) {
	dst = dst[:len(src)]
	for i, f := range src {
		dst[i] = ToHalf(f)
	}
}

func decodeHalfGeneric(dst []float32, src []uint16) {
	dst = dst[:len(src)]
	for i, h := range src {
		dst[i] = FromHalf(h)
	}
}

// The mixed kernels measure a float32 vector a against a half-precision
// vector b, widening b's elements as they load them; they accumulate in
// float32 like the float32 kernels, so each equals the float32 kernel on
// a and b widened, up to summation order.

// L2SquaredHalf returns sum((a_i-b_i)^2). It panics if the lengths differ.
func L2SquaredHalf(a []float32, b []uint16) float32 {
	checkHalfLen(a, b)
	return active.l2SquaredHalf(a, b)
}

// DotHalf returns sum(a_i*b_i).
func DotHalf(a []float32, b []uint16) float32 {
	checkHalfLen(a, b)
	return active.dotHalf(a, b)
}

// L1Half returns sum(|a_i-b_i|).
func L1Half(a []float32, b []uint16) float32 {
	checkHalfLen(a, b)
	return active.l1Half(a, b)
}

// CosineDistanceHalf returns pgvector's cosine distance (<=>) between a
// and b widened.
func CosineDistanceHalf(a []float32, b []uint16) float64 {
	checkHalfLen(a, b)
	dot, na, nb := active.cosinePartsHalf(a, b)
	return cosineFromParts(dot, na, nb)
}

// PrefetchHalf is Prefetch for a half-precision vector.
func PrefetchHalf(v []uint16) { prefetchHalf(v) }

func checkHalfLen(a []float32, b []uint16) {
	if len(a) != len(b) {
		panic("vecmath: vectors of different lengths")
	}
}

func l2SquaredHalfGeneric(a []float32, b []uint16) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		aa, bb := a[i:i+4:i+4], b[i:i+4:i+4]
		d0, d1, d2, d3 := aa[0]-FromHalf(bb[0]), aa[1]-FromHalf(bb[1]), aa[2]-FromHalf(bb[2]), aa[3]-FromHalf(bb[3])
		s0 += float32(d0 * d0)
		s1 += float32(d1 * d1)
		s2 += float32(d2 * d2)
		s3 += float32(d3 * d3)
	}
	s := (s0 + s1) + (s2 + s3)
	for ; i < len(a); i++ {
		d := a[i] - FromHalf(b[i])
		s += float32(d * d)
	}
	return s
}

func dotHalfGeneric(a []float32, b []uint16) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		aa, bb := a[i:i+4:i+4], b[i:i+4:i+4]
		s0 += float32(aa[0] * FromHalf(bb[0]))
		s1 += float32(aa[1] * FromHalf(bb[1]))
		s2 += float32(aa[2] * FromHalf(bb[2]))
		s3 += float32(aa[3] * FromHalf(bb[3]))
	}
	s := (s0 + s1) + (s2 + s3)
	for ; i < len(a); i++ {
		s += float32(a[i] * FromHalf(b[i]))
	}
	return s
}

func l1HalfGeneric(a []float32, b []uint16) float32 {
	b = b[:len(a)]
	var s float32
	for i := range a {
		s += abs32(a[i] - FromHalf(b[i]))
	}
	return s
}

func cosinePartsHalfGeneric(a []float32, b []uint16) (dot, normA, normB float32) {
	b = b[:len(a)]
	for i := range a {
		x, y := a[i], FromHalf(b[i])
		dot += float32(x * y)
		normA += float32(x * x)
		normB += float32(y * y)
	}
	return dot, normA, normB
}
