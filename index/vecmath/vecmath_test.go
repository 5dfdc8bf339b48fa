package vecmath

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// eps32 is the float32 unit roundoff.
const eps32 = 0x1p-24

// subnormalSlack absorbs products that underflow in float32 but not in the
// float64 reference: each of n terms can lose up to one subnormal unit.
func subnormalSlack(n int) float64 { return float64(n+1) * 0x1p-148 }

// allKernels is every implementation this machine can run, so the tests
// exercise the assembly and the portable code side by side.
func allKernels() []kernels {
	return append([]kernels{genericKernels}, archKernels()...)
}

// refSums holds exact-ish float64 sums of the terms a kernel adds up, and
// sums of their magnitudes for the error bound.
type refSums struct {
	l2, l2Abs   float64
	dot, dotAbs float64
	l1          float64
	na, nb      float64
}

func reference(a, b []float32) refSums {
	var r refSums
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		d := x - y
		r.l2 += d * d
		r.dot += x * y
		r.dotAbs += math.Abs(x * y)
		r.l1 += math.Abs(d)
		r.na += x * x
		r.nb += y * y
	}
	r.l2Abs = r.l2
	return r
}

// bound is the accepted error for a float32 sum of n terms whose magnitudes
// add up to absSum: the classical gamma_n bound for recursive summation
// (n*u) covers every summation order, plus a few units for forming each
// term in float32 (the difference and the product each round once).
func bound(n int, absSum float64) float64 {
	return float64(n+4)*eps32*absSum + subnormalSlack(n)
}

func randVec(r *rand.Rand, n int, scale float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32((r.Float64()*2 - 1) * scale)
	}
	return v
}

// checkKernels compares one implementation against the float64 reference.
func checkKernels(t *testing.T, k kernels, a, b []float32) {
	t.Helper()
	n := len(a)
	ref := reference(a, b)
	if got := float64(k.l2Squared(a, b)); math.Abs(got-ref.l2) > bound(n, ref.l2Abs) {
		t.Errorf("%s l2Squared n=%d: got %g want %g (bound %g)", k.name, n, got, ref.l2, bound(n, ref.l2Abs))
	}
	if got := float64(k.dot(a, b)); math.Abs(got-ref.dot) > bound(n, ref.dotAbs) {
		t.Errorf("%s dot n=%d: got %g want %g (bound %g)", k.name, n, got, ref.dot, bound(n, ref.dotAbs))
	}
	if got := float64(k.l1(a, b)); math.Abs(got-ref.l1) > bound(n, ref.l1) {
		t.Errorf("%s l1 n=%d: got %g want %g (bound %g)", k.name, n, got, ref.l1, bound(n, ref.l1))
	}
	dot, na, nb := k.cosineParts(a, b)
	if math.Abs(float64(dot)-ref.dot) > bound(n, ref.dotAbs) ||
		math.Abs(float64(na)-ref.na) > bound(n, ref.na) ||
		math.Abs(float64(nb)-ref.nb) > bound(n, ref.nb) {
		t.Errorf("%s cosineParts n=%d: got (%g,%g,%g) want (%g,%g,%g)", k.name, n, dot, na, nb, ref.dot, ref.na, ref.nb)
	}
	// pgvector's vector_norm sums in double, so only double rounding applies.
	if got := k.normSquared(a); math.Abs(got-ref.na) > float64(n+2)*0x1p-53*ref.na {
		t.Errorf("%s normSquared n=%d: got %g want %g", k.name, n, got, ref.na)
	}
	// Well above float32 underflow, the similarity is within 3(n+4)u: the
	// dot error is scaled by |a||b| >= sum|a_i b_i| (Cauchy-Schwarz).
	if ref.na > 1e-30 && ref.nb > 1e-30 {
		want := 1 - math.Max(-1, math.Min(1, ref.dot/math.Sqrt(ref.na*ref.nb)))
		got := cosineFromParts(dot, na, nb)
		if math.Abs(got-want) > 3*float64(n+4)*eps32+1e-15 {
			t.Errorf("%s cosine n=%d: got %g want %g", k.name, n, got, want)
		}
	}
}

func testLengths() []int {
	var ns []int
	for n := 0; n <= 70; n++ {
		ns = append(ns, n)
	}
	return append(ns, 128, 768, 784, 1536, 16000)
}

func TestKernelsAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, k := range allKernels() {
		for _, n := range testLengths() {
			for _, scale := range []float64{1, 1e-3, 1e4} {
				// One spare element at each end: a[1:n+1] is a subslice
				// that is not 32-byte aligned.
				a := randVec(r, n+2, scale)
				b := randVec(r, n+2, scale)
				checkKernels(t, k, a[:n], b[:n])
				checkKernels(t, k, a[1:n+1], b[1:n+1])
				checkKernels(t, k, a[1:n+1], b[2:n+2])
			}
		}
	}
}

type exactCase struct {
	a, b          []float32
	l2sq, dot, l1 float32
	cosine, norm  float64
}

// exactCases pins values that are exact in float32 and that pgvector
// returns for its README examples. The inputs are small integers, exact in
// half precision too, so the mixed kernels must return the same values.
func exactCases() []exactCase {
	return []exactCase{
		{a: []float32{1, 2, 3}, b: []float32{3, 1, 2}, l2sq: 6, dot: 11, l1: 4, cosine: 1 - 11.0/14, norm: math.Sqrt(14)},
		{a: []float32{1, 1}, b: []float32{-1, -1}, l2sq: 8, dot: -2, l1: 4, cosine: 2, norm: math.Sqrt2},
		{a: []float32{3, 4}, b: []float32{3, 4}, l2sq: 0, dot: 25, l1: 0, cosine: 0, norm: 5},
		{a: []float32{1, 0, 0, 0, 0, 0, 0, 0, 0}, b: []float32{0, 0, 0, 0, 0, 0, 0, 0, 2},
			l2sq: 5, dot: 0, l1: 3, cosine: 1, norm: 1},
	}
}

func TestKernelsExactValues(t *testing.T) {
	tests := exactCases()
	for _, k := range allKernels() {
		for _, tc := range tests {
			name := fmt.Sprintf("%s/%v", k.name, tc.a)
			if got := k.l2Squared(tc.a, tc.b); got != tc.l2sq {
				t.Errorf("%s l2Squared = %v, want %v", name, got, tc.l2sq)
			}
			if got := k.dot(tc.a, tc.b); got != tc.dot {
				t.Errorf("%s dot = %v, want %v", name, got, tc.dot)
			}
			if got := k.l1(tc.a, tc.b); got != tc.l1 {
				t.Errorf("%s l1 = %v, want %v", name, got, tc.l1)
			}
			if got := cosineFromParts(k.cosineParts(tc.a, tc.b)); math.Abs(got-tc.cosine) > 1e-15 {
				t.Errorf("%s cosine = %v, want %v", name, got, tc.cosine)
			}
			if got := math.Sqrt(k.normSquared(tc.a)); got != tc.norm {
				t.Errorf("%s norm = %v, want %v", name, got, tc.norm)
			}
		}
	}
}

func TestExportedFunctions(t *testing.T) {
	a, b := []float32{1, 2, 3}, []float32{3, 1, 2}
	if got := L2(a, b); got != math.Sqrt(6) {
		t.Errorf("L2 = %v, want sqrt(6)", got)
	}
	if got := L2Squared(a, b); got != 6 {
		t.Errorf("L2Squared = %v, want 6", got)
	}
	if got := Dot(a, b); got != 11 {
		t.Errorf("Dot = %v, want 11", got)
	}
	if got := NegativeInnerProduct(a, b); got != -11 {
		t.Errorf("NegativeInnerProduct = %v, want -11", got)
	}
	// 1 - 11/sqrt(14*14): exact inputs, so only the final division rounds.
	if got := CosineDistance(a, b); math.Abs(got-0.2142857142857143) > 1e-15 {
		t.Errorf("CosineDistance = %v, want 0.2142857142857143", got)
	}
	if got := L1(a, b); got != 4 {
		t.Errorf("L1 = %v, want 4", got)
	}
	if got := Norm([]float32{3, 4}); got != 5 {
		t.Errorf("Norm = %v, want 5", got)
	}
	// float32 accumulation as in pgvector: 1e8 + 1 - 1e8 loses the 1.
	if got := Dot([]float32{1e8, 1, -1e8}, []float32{1, 1, 1}); got != 0 {
		t.Errorf("Dot float32 accumulation = %v, want 0", got)
	}
}

func TestCosineDistanceSpecialCases(t *testing.T) {
	tests := []struct {
		name  string
		a, b  []float32
		want  float64
		isNaN bool
	}{
		{name: "zero left", a: []float32{0, 0, 0}, b: []float32{1, 2, 3}, isNaN: true},
		{name: "zero right", a: []float32{1, 2, 3}, b: []float32{0, 0, 0}, isNaN: true},
		{name: "both zero long", a: make([]float32, 37), b: make([]float32, 37), isNaN: true},
		{name: "parallel clamps to 0", a: []float32{1, 1, 1}, b: []float32{3, 3, 3}, want: 0},
		{name: "opposite clamps to 2", a: []float32{0.1, 0.2, 0.3}, b: []float32{-0.1, -0.2, -0.3}, want: 2},
	}
	for _, k := range allKernels() {
		for _, tc := range tests {
			got := cosineFromParts(k.cosineParts(tc.a, tc.b))
			if tc.isNaN {
				if !math.IsNaN(got) {
					t.Errorf("%s %s: got %v, want NaN", k.name, tc.name, got)
				}
				continue
			}
			if got != tc.want {
				t.Errorf("%s %s: got %v, want %v", k.name, tc.name, got, tc.want)
			}
		}
	}
}

func TestMismatchedLengthsPanic(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("L2Squared with different lengths did not panic")
		}
	}()
	L2Squared([]float32{1, 2}, []float32{1})
}

func TestImplementationSelected(t *testing.T) {
	want := genericKernels.name
	if ks := archKernels(); len(ks) > 0 {
		want = ks[0].name
	}
	if got := Implementation(); got != want {
		t.Errorf("Implementation() = %q, want %q", got, want)
	}
}

// FuzzKernels decodes two equal-length float32 vectors from the input and
// checks every implementation against the float64 reference and each other.
func FuzzKernels(f *testing.F) {
	seed := func(vals ...float32) []byte {
		buf := make([]byte, 4*len(vals))
		for i, v := range vals {
			binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
		}
		return buf
	}
	f.Add(seed(1, 2, 3, 3, 1, 2))
	f.Add(seed(0, 0, 0, 0))
	f.Add(seed(1e-20, 3e-30, -1e15, 7, 0.5, 0.25, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18))
	f.Fuzz(func(t *testing.T, data []byte) {
		vals := make([]float32, 0, len(data)/4)
		for i := 0; i+4 <= len(data); i += 4 {
			v := math.Float32frombits(binary.LittleEndian.Uint32(data[i:]))
			// Bounded magnitudes keep float32 sums finite, so the float64
			// reference is comparable; NaN/Inf are rejected before the
			// kernels by the vector type's input validation.
			if math.IsNaN(float64(v)) || math.Abs(float64(v)) > 1e15 {
				v = 1
			}
			vals = append(vals, v)
		}
		n := len(vals) / 2
		a, b := vals[:n], vals[n:2*n]
		ks := allKernels()
		for _, k := range ks {
			checkKernels(t, k, a, b)
		}
		base := ks[0]
		for _, k := range ks[1:] {
			ref := reference(a, b)
			if d := math.Abs(float64(k.l2Squared(a, b)) - float64(base.l2Squared(a, b))); d > 2*bound(n, ref.l2Abs) {
				t.Errorf("%s vs %s l2Squared differ by %g", k.name, base.name, d)
			}
			if d := math.Abs(float64(k.dot(a, b)) - float64(base.dot(a, b))); d > 2*bound(n, ref.dotAbs) {
				t.Errorf("%s vs %s dot differ by %g", k.name, base.name, d)
			}
			if d := math.Abs(float64(k.l1(a, b)) - float64(base.l1(a, b))); d > 2*bound(n, ref.l1) {
				t.Errorf("%s vs %s l1 differ by %g", k.name, base.name, d)
			}
		}
	})
}
