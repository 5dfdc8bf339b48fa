//go:build amd64 && !purego

package vecmath

import (
	"math"
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestHalfAVX2MatchesFloat32AVX2: the F16C kernels only add the widening
// in front of the float32 kernels' arithmetic, in the same order, so they
// must agree bit for bit with those kernels run on b widened.
func TestHalfAVX2MatchesFloat32AVX2(t *testing.T) {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA || !hasF16C() {
		t.Skip("CPU lacks AVX2, FMA or F16C")
	}
	same := func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) }
	r := rand.New(rand.NewPCG(9, 10))
	for _, n := range testLengths() {
		a := randVec(r, n+1, 1)[1:]
		b := randHalfVec(r, n+1, 1)[1:]
		w := widen(b)
		if got, want := l2SquaredHalfAVX2(a, b), l2SquaredAVX2(a, w); !same(got, want) {
			t.Errorf("n=%d l2SquaredHalfAVX2 = %v, l2SquaredAVX2 = %v", n, got, want)
		}
		if got, want := dotHalfAVX2(a, b), dotAVX2(a, w); !same(got, want) {
			t.Errorf("n=%d dotHalfAVX2 = %v, dotAVX2 = %v", n, got, want)
		}
		if got, want := l1HalfAVX2(a, b), l1AVX2(a, w); !same(got, want) {
			t.Errorf("n=%d l1HalfAVX2 = %v, l1AVX2 = %v", n, got, want)
		}
		d1, a1, b1 := cosinePartsHalfAVX2(a, b)
		d2, a2, b2 := cosinePartsAVX2(a, w)
		if !same(d1, d2) || !same(a1, a2) || !same(b1, b2) {
			t.Errorf("n=%d cosinePartsHalfAVX2 = (%v,%v,%v), cosinePartsAVX2 = (%v,%v,%v)", n, d1, a1, b1, d2, a2, b2)
		}
	}
}
