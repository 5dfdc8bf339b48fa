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

	l2SquaredHalf:   l2SquaredHalfGeneric,
	dotHalf:         dotHalfGeneric,
	l1Half:          l1HalfGeneric,
	cosinePartsHalf: cosinePartsHalfGeneric,
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
