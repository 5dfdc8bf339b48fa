package vecmath

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

var benchDims = []int{128, 768, 784, 1536}

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

// halfBenchDims are the HNSW graph's typical extremes (a 784-dimension
// vector is MNIST's); compare with BenchmarkL2Squared etc. at the same
// sizes for the cost of keeping b in half precision.
var halfBenchDims = []int{128, 784}

// benchHalfKernels is benchKernels for the mixed float32-by-half kernels.
func benchHalfKernels(b *testing.B, body func(k kernels, x []float32, y []uint16)) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, k := range allKernels() {
		for _, n := range halfBenchDims {
			x, y := randVec(r, n, 1), make([]uint16, n)
			EncodeHalf(y, randVec(r, n, 1))
			b.Run(fmt.Sprintf("%s/%d", k.name, n), func(b *testing.B) {
				b.SetBytes(int64(6 * n))
				for b.Loop() {
					body(k, x, y)
				}
			})
		}
	}
}

func BenchmarkL2SquaredHalf(b *testing.B) {
	benchHalfKernels(b, func(k kernels, x []float32, y []uint16) { sinkF32 = k.l2SquaredHalf(x, y) })
}

func BenchmarkDotHalf(b *testing.B) {
	benchHalfKernels(b, func(k kernels, x []float32, y []uint16) { sinkF32 = k.dotHalf(x, y) })
}

func BenchmarkCosineHalf(b *testing.B) {
	benchHalfKernels(b, func(k kernels, x []float32, y []uint16) {
		sinkF64 = cosineFromParts(k.cosinePartsHalf(x, y))
	})
}

func BenchmarkL1Half(b *testing.B) {
	benchHalfKernels(b, func(k kernels, x []float32, y []uint16) { sinkF32 = k.l1Half(x, y) })
}

func BenchmarkEncodeHalf(b *testing.B) {
	dst := make([]uint16, halfBenchDims[len(halfBenchDims)-1])
	benchHalfKernels(b, func(k kernels, x []float32, _ []uint16) { k.encodeHalf(dst[:len(x)], x) })
}

func BenchmarkDecodeHalf(b *testing.B) {
	dst := make([]float32, halfBenchDims[len(halfBenchDims)-1])
	benchHalfKernels(b, func(k kernels, _ []float32, y []uint16) { k.decodeHalf(dst[:len(y)], y) })
}
