package vecmath

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

var benchDims = []int{128, 768, 1536}

// sinkF32 and sinkF64 keep results live so the compiler cannot drop calls.
var (
	sinkF32 float32
	sinkF64 float64
)

// benchKernels runs body (which reads inputs vectors of float32) once per implementation and dimension, as
// sub-benchmarks named <impl>/<dims>, so the asm/purego ratio can be read
// straight off the output.
func benchKernels(b *testing.B, inputs int, body func(b *testing.B, k kernels, x, y []float32)) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, k := range allKernels() {
		for _, n := range benchDims {
			x, y := randVec(r, n, 1), randVec(r, n, 1)
			b.Run(fmt.Sprintf("%s/%d", k.name, n), func(b *testing.B) {
				b.SetBytes(int64(4 * inputs * n))
				for b.Loop() {
					body(b, k, x, y)
				}
			})
		}
	}
}

func BenchmarkL2Squared(b *testing.B) {
	benchKernels(b, 2, func(_ *testing.B, k kernels, x, y []float32) { sinkF32 = k.l2Squared(x, y) })
}

func BenchmarkDot(b *testing.B) {
	benchKernels(b, 2, func(_ *testing.B, k kernels, x, y []float32) { sinkF32 = k.dot(x, y) })
}

func BenchmarkCosine(b *testing.B) {
	benchKernels(b, 2, func(_ *testing.B, k kernels, x, y []float32) {
		sinkF64 = cosineFromParts(k.cosineParts(x, y))
	})
}

func BenchmarkL1(b *testing.B) {
	benchKernels(b, 2, func(_ *testing.B, k kernels, x, y []float32) { sinkF32 = k.l1(x, y) })
}

func BenchmarkNorm(b *testing.B) {
	benchKernels(b, 1, func(_ *testing.B, k kernels, x, _ []float32) { sinkF64 = k.normSquared(x) })
}
