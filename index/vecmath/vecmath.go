// Package vecmath holds the float32 distance kernels behind pgvector's
// operators (<->, <#>, <=>, <+>) and vector_norm.
//
// Kernels accumulate in float32 and widen the result to float64 at the end,
// as pgvector does, so results agree with pgvector to within float32
// summation rounding. Bit-exact agreement is not possible in general because
// pgvector's own summation order depends on how the C compiler vectorised
// its loops on the server's CPU. Vectors shorter than 4 elements (the
// pgvector README examples) are summed strictly left to right on every
// path, as pgvector does; small-integer inputs are therefore exact.
//
// Error bound (what the tests enforce): for a kernel summing n terms t_i,
// |got - exact| <= (n+4) * 2^-24 * sum|t_i| (plus a few subnormal units),
// where exact is the float64 sum of the terms formed from the float32
// inputs; for L2Squared and L1 that is a relative error of (n+4)*2^-24.
// Cosine similarity is within 3*(n+4)*2^-24 of the exact value. Norm sums
// in float64 like pgvector's vector_norm, to within (n+2)*2^-53. The mixed
// float32-by-half kernels (half.go) meet the same bounds with the half
// vector widened to float32, which is exact.
//
// The implementation is chosen once at package initialisation from the CPU
// features: AVX2+FMA assembly on amd64 (its mixed half kernels and
// EncodeHalf/DecodeHalf also need F16C, and stay portable Go without it),
// NEON on arm64 (where EncodeHalf/DecodeHalf are portable Go), and portable
// Go otherwise or when built with -tags purego.
package vecmath

import "math"

// kernels is one complete implementation of the primitive reductions; the
// exported functions add pgvector's float64 post-processing on top.
type kernels struct {
	name string
	// l2Squared returns sum((a_i-b_i)^2) in float32.
	l2Squared func(a, b []float32) float32
	// dot returns sum(a_i*b_i) in float32.
	dot func(a, b []float32) float32
	// l1 returns sum(|a_i-b_i|) in float32.
	l1 func(a, b []float32) float32
	// cosineParts returns sum(a_i*b_i), sum(a_i^2), sum(b_i^2) in one pass.
	cosineParts func(a, b []float32) (dot, normA, normB float32)
	// normSquared returns sum(a_i^2) accumulated in float64, as pgvector's
	// vector_norm does.
	normSquared func(a []float32) float64
	// The mixed kernels take a half-precision b (half.go).
	l2SquaredHalf   func(a []float32, b []uint16) float32
	dotHalf         func(a []float32, b []uint16) float32
	l1Half          func(a []float32, b []uint16) float32
	cosinePartsHalf func(a []float32, b []uint16) (dot, normA, normB float32)
	// encodeHalf and decodeHalf convert whole vectors (len(dst) ==
	// len(src)) exactly as ToHalf and FromHalf do element by element.
	encodeHalf func(dst []uint16, src []float32)
	decodeHalf func(dst []float32, src []uint16)
}

var genericKernels = kernels{
	name:        "purego",
	l2Squared:   l2SquaredGeneric,
	dot:         dotGeneric,
	l1:          l1Generic,
	cosineParts: cosinePartsGeneric,
	normSquared: normSquaredGeneric,

	l2SquaredHalf:   l2SquaredHalfGeneric,
	dotHalf:         dotHalfGeneric,
	l1Half:          l1HalfGeneric,
	cosinePartsHalf: cosinePartsHalfGeneric,
	encodeHalf:      encodeHalfGeneric,
	decodeHalf:      decodeHalfGeneric,
}

// active is selected once at init and never written afterwards.
var active = selectKernels()

// selectKernels prefers the first accelerated implementation the CPU
// supports (archKernels lists them best first).
func selectKernels() kernels {
	if ks := archKernels(); len(ks) > 0 {
		return ks[0]
	}
	return genericKernels
}

// Implementation names the kernel set in use ("avx2", "neon" or "purego"),
// for logs and benchmark reports.
func Implementation() string { return active.name }

// checkLen guards the assembly kernels, which read len(a) elements from b:
// a shorter b would be an out-of-bounds read rather than a Go panic.
func checkLen(a, b []float32) {
	if len(a) != len(b) {
		panic("vecmath: vectors of different lengths")
	}
}

// L2Squared returns the squared Euclidean distance, accumulated in float32.
// It panics if len(a) != len(b); callers validate dimensions first.
func L2Squared(a, b []float32) float32 {
	checkLen(a, b)
	return active.l2Squared(a, b)
}

// L2 returns the Euclidean distance as pgvector's l2_distance (<->) does:
// the float32 squared sum widened to float64 before the square root.
func L2(a, b []float32) float64 {
	return math.Sqrt(float64(L2Squared(a, b)))
}

// Dot returns the inner product, accumulated in float32.
func Dot(a, b []float32) float32 {
	checkLen(a, b)
	return active.dot(a, b)
}

// NegativeInnerProduct returns -(a·b) as pgvector's <#> operator does.
func NegativeInnerProduct(a, b []float32) float64 {
	return -float64(Dot(a, b))
}

// CosineDistance returns 1 - a·b/sqrt(|a|²|b|²) as pgvector's <=> does: the
// three sums are float32, the division is float64, and the similarity is
// clamped to [-1, 1]. A zero vector yields NaN (0/0), as in pgvector.
func CosineDistance(a, b []float32) float64 {
	checkLen(a, b)
	dot, na, nb := active.cosineParts(a, b)
	return cosineFromParts(dot, na, nb)
}

func cosineFromParts(dot, na, nb float32) float64 {
	// sqrt(na*nb) rather than sqrt(na)*sqrt(nb) mirrors pgvector's rounding.
	sim := float64(dot) / math.Sqrt(float64(na)*float64(nb))
	// NaN fails both comparisons and propagates, as in pgvector.
	if sim > 1 {
		sim = 1
	} else if sim < -1 {
		sim = -1
	}
	return 1 - sim
}

// L1 returns the taxicab distance (pgvector's <+>), accumulated in float32.
func L1(a, b []float32) float32 {
	checkLen(a, b)
	return active.l1(a, b)
}

// Norm returns the Euclidean norm as pgvector's vector_norm does, which
// (unlike the distance kernels) accumulates in float64.
func Norm(a []float32) float64 {
	return math.Sqrt(active.normSquared(a))
}

// Prefetch asks the CPU to start loading v into cache (a no-op where it
// has no instruction for it). A graph search calls it for the vectors it
// is about to compare, so their memory latencies overlap instead of
// adding up.
func Prefetch(v []float32) { prefetch(v) }
