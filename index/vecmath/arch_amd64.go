//go:build amd64 && !purego

package vecmath

import "golang.org/x/sys/cpu"

var avx2Kernels = kernels{
	name:        "avx2",
	l2Squared:   l2SquaredAVX2,
	dot:         dotAVX2,
	l1:          l1AVX2,
	cosineParts: cosinePartsAVX2,
	normSquared: normSquaredAVX2,

	l2SquaredHalf:   l2SquaredHalfGeneric,
	dotHalf:         dotHalfGeneric,
	l1Half:          l1HalfGeneric,
	cosinePartsHalf: cosinePartsHalfGeneric,
}

// archKernels lists the accelerated kernels this CPU can run, best first.
// cpu.X86.HasAVX2 already accounts for the OS saving the YMM state.
func archKernels() []kernels {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		return []kernels{avx2Kernels}
	}
	return nil
}

// The assembly kernels read len(a) elements from both slices; callers
// guarantee len(b) == len(a).

//go:noescape
func l2SquaredAVX2(a, b []float32) float32

//go:noescape
func dotAVX2(a, b []float32) float32

//go:noescape
func l1AVX2(a, b []float32) float32

//go:noescape
func cosinePartsAVX2(a, b []float32) (dot, normA, normB float32)

//go:noescape
func normSquaredAVX2(a []float32) float64
