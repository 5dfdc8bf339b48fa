//go:build arm64 && !purego

package vecmath

// Advanced SIMD (NEON) is mandatory on arm64, so no feature check is needed.
// vector_norm sums in float64 and is not a hot path; it stays portable.
var neonKernels = kernels{
	name:        "neon",
	l2Squared:   l2SquaredNEON,
	dot:         dotNEON,
	l1:          l1NEON,
	cosineParts: cosinePartsNEON,
	normSquared: normSquaredGeneric,

	// Half-precision conversion (FCVTL) is part of base Advanced SIMD.
	l2SquaredHalf:   l2SquaredHalfNEON,
	dotHalf:         dotHalfNEON,
	l1Half:          l1HalfNEON,
	cosinePartsHalf: cosinePartsHalfNEON,
	encodeHalf:      encodeHalfGeneric,
	decodeHalf:      decodeHalfGeneric,
}

// archKernels lists the accelerated kernels this CPU can run, best first.
func archKernels() []kernels { return []kernels{neonKernels} }

// The assembly kernels read len(a) elements from both slices; callers
// guarantee len(b) == len(a).

//go:noescape
func l2SquaredNEON(a, b []float32) float32

//go:noescape
func dotNEON(a, b []float32) float32

//go:noescape
func l1NEON(a, b []float32) float32

//go:noescape
func cosinePartsNEON(a, b []float32) (dot, normA, normB float32)

// The mixed kernels read len(a) halves from b (half_arm64.s).

//go:noescape
func l2SquaredHalfNEON(a []float32, b []uint16) float32

//go:noescape
func dotHalfNEON(a []float32, b []uint16) float32

//go:noescape
func l1HalfNEON(a []float32, b []uint16) float32

//go:noescape
func cosinePartsHalfNEON(a []float32, b []uint16) (dot, normA, normB float32)
