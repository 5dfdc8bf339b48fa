package vecmath

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// specialHalves are the encodings a conversion most easily gets wrong:
// signed zeros, the subnormal range and its edges, the normal extremes.
var specialHalves = []uint16{
	0x0000, 0x8000, // ±0
	0x0001, 0x8001, // ±2^-24, the smallest subnormal
	0x0155, 0x03ff, 0x83ff, // subnormals up to the largest
	0x0400, 0x8400, // ±2^-14, the smallest normal
	0x3c00, 0xbc00, 0x3555, // ±1, 1/3
	0x7bff, 0xfbff, // ±65504
}

// randHalfVec returns n halves: mostly a scaled uniform sample rounded to
// half precision, with every fourth element drawn from specialHalves so
// they land in every lane position and in the tails.
func randHalfVec(r *rand.Rand, n int, scale float64) []uint16 {
	v := make([]uint16, n)
	EncodeHalf(v, randVec(r, n, scale))
	for i := range v {
		if r.IntN(4) == 0 {
			v[i] = specialHalves[r.IntN(len(specialHalves))]
		}
	}
	return v
}

func widen(h []uint16) []float32 {
	f := make([]float32, len(h))
	DecodeHalf(f, h)
	return f
}

// checkHalfKernels holds the mixed kernels to the float32 kernels' error
// bound against a float64 reference on a and b widened (widening is exact,
// so the bound is the one the package comment states).
func checkHalfKernels(t *testing.T, k kernels, a []float32, b []uint16) {
	t.Helper()
	n := len(a)
	ref := reference(a, widen(b))
	if got := float64(k.l2SquaredHalf(a, b)); math.Abs(got-ref.l2) > bound(n, ref.l2Abs) {
		t.Errorf("%s l2SquaredHalf n=%d: got %g want %g (bound %g)", k.name, n, got, ref.l2, bound(n, ref.l2Abs))
	}
	if got := float64(k.dotHalf(a, b)); math.Abs(got-ref.dot) > bound(n, ref.dotAbs) {
		t.Errorf("%s dotHalf n=%d: got %g want %g (bound %g)", k.name, n, got, ref.dot, bound(n, ref.dotAbs))
	}
	if got := float64(k.l1Half(a, b)); math.Abs(got-ref.l1) > bound(n, ref.l1) {
		t.Errorf("%s l1Half n=%d: got %g want %g (bound %g)", k.name, n, got, ref.l1, bound(n, ref.l1))
	}
	dot, na, nb := k.cosinePartsHalf(a, b)
	if math.Abs(float64(dot)-ref.dot) > bound(n, ref.dotAbs) ||
		math.Abs(float64(na)-ref.na) > bound(n, ref.na) ||
		math.Abs(float64(nb)-ref.nb) > bound(n, ref.nb) {
		t.Errorf("%s cosinePartsHalf n=%d: got (%g,%g,%g) want (%g,%g,%g)", k.name, n, dot, na, nb, ref.dot, ref.na, ref.nb)
	}
	if ref.na > 1e-30 && ref.nb > 1e-30 {
		want := 1 - math.Max(-1, math.Min(1, ref.dot/math.Sqrt(ref.na*ref.nb)))
		if got := cosineFromParts(dot, na, nb); math.Abs(got-want) > 3*float64(n+4)*eps32+1e-15 {
			t.Errorf("%s cosineHalf n=%d: got %g want %g", k.name, n, got, want)
		}
	}
}

func TestHalfKernelsAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, k := range allKernels() {
		for _, n := range testLengths() {
			// 1e4 keeps b below MaxHalf; 1e-6 puts most of b in the
			// subnormal range (below 2^-14).
			for _, scale := range []float64{1, 1e-6, 1e4} {
				a := randVec(r, n+2, scale)
				b := randHalfVec(r, n+2, scale)
				// Offsets of one element misalign a by 4 bytes and b by 2.
				checkHalfKernels(t, k, a[:n], b[:n])
				checkHalfKernels(t, k, a[1:n+1], b[1:n+1])
				checkHalfKernels(t, k, a[2:n+2], b[1:n+1])
				checkHalfKernels(t, k, a[:n], b[2:n+2])
			}
		}
	}
}

func TestHalfKernelsExactValues(t *testing.T) {
	for _, k := range allKernels() {
		for _, tc := range exactCases() {
			name := fmt.Sprintf("%s/%v", k.name, tc.a)
			b := make([]uint16, len(tc.b))
			EncodeHalf(b, tc.b)
			if got := k.l2SquaredHalf(tc.a, b); got != tc.l2sq {
				t.Errorf("%s l2SquaredHalf = %v, want %v", name, got, tc.l2sq)
			}
			if got := k.dotHalf(tc.a, b); got != tc.dot {
				t.Errorf("%s dotHalf = %v, want %v", name, got, tc.dot)
			}
			if got := k.l1Half(tc.a, b); got != tc.l1 {
				t.Errorf("%s l1Half = %v, want %v", name, got, tc.l1)
			}
			if got := cosineFromParts(k.cosinePartsHalf(tc.a, b)); math.Abs(got-tc.cosine) > 1e-15 {
				t.Errorf("%s cosineHalf = %v, want %v", name, got, tc.cosine)
			}
		}
	}
}

// TestHalfKernelsTails puts one distinctive element at every position of
// vectors whose lengths cover every remainder mod 32, so an element the
// vector loops or the scalar tail skip or count twice changes the sum.
func TestHalfKernelsTails(t *testing.T) {
	for _, k := range allKernels() {
		for n := 1; n <= 70; n++ {
			for pos := range n {
				a := make([]float32, n)
				b := make([]uint16, n)
				for i := range b {
					b[i] = 0x3c00 // 1
				}
				a[pos] = 3
				b[pos] = 0x0001 // 2^-24: widened by the tail's scalar path too
				// Every other element adds (0-1)^2 = 1, |0-1| = 1, 0*1 = 0.
				sub := float32(0x1p-24)
				wantL2 := float32(n-1) + (3-sub)*(3-sub)
				wantL1 := float32(n-1) + (3 - sub)
				if got := k.l2SquaredHalf(a, b); got != wantL2 {
					t.Errorf("%s l2SquaredHalf n=%d pos=%d = %v, want %v", k.name, n, pos, got, wantL2)
				}
				if got := k.l1Half(a, b); got != wantL1 {
					t.Errorf("%s l1Half n=%d pos=%d = %v, want %v", k.name, n, pos, got, wantL1)
				}
				if got, want := k.dotHalf(a, b), 3*sub; got != want {
					t.Errorf("%s dotHalf n=%d pos=%d = %v, want %v", k.name, n, pos, got, want)
				}
				dot, na, nb := k.cosinePartsHalf(a, b)
				if wantNB := float32(n-1) + sub*sub; dot != 3*sub || na != 9 || nb != wantNB {
					t.Errorf("%s cosinePartsHalf n=%d pos=%d = (%v,%v,%v), want (%v,9,%v)", k.name, n, pos, dot, na, nb, 3*sub, wantNB)
				}
			}
		}
	}
}

func TestHalfExported(t *testing.T) {
	a := []float32{1, 2, 3}
	b := []uint16{0x4200, 0x3c00, 0x4000} // 3, 1, 2
	if got := L2SquaredHalf(a, b); got != 6 {
		t.Errorf("L2SquaredHalf = %v, want 6", got)
	}
	if got := DotHalf(a, b); got != 11 {
		t.Errorf("DotHalf = %v, want 11", got)
	}
	if got := L1Half(a, b); got != 4 {
		t.Errorf("L1Half = %v, want 4", got)
	}
	if got := CosineDistanceHalf(a, b); math.Abs(got-0.2142857142857143) > 1e-15 {
		t.Errorf("CosineDistanceHalf = %v, want 0.2142857142857143", got)
	}
	if got := CosineDistanceHalf([]float32{1, 2}, []uint16{0, 0x8000}); !math.IsNaN(got) {
		t.Errorf("CosineDistanceHalf against ±0 = %v, want NaN", got)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("L2SquaredHalf with different lengths did not panic")
		}
	}()
	L2SquaredHalf(a, b[:2])
}

// TestHalfRoundTrip: every half widens to a float32 that EncodeHalf maps
// back to the same bits, except that a signalling NaN comes back quiet
// (ToHalf's NaN result, as vcvtps2ph gives) with its payload kept.
func TestHalfRoundTrip(t *testing.T) {
	all := make([]uint16, 1<<16)
	for i := range all {
		all[i] = uint16(i)
	}
	f := widen(all)
	back := make([]uint16, len(all))
	EncodeHalf(back, f)
	for i, h := range all {
		want := h
		if h&0x7c00 == 0x7c00 && h&0x3ff != 0 {
			want = h | 0x0200
			if !math.IsNaN(float64(f[i])) {
				t.Errorf("FromHalf(%#04x) = %v, want NaN", h, f[i])
			}
		}
		if back[i] != want {
			t.Errorf("ToHalf(FromHalf(%#04x)) = %#04x, want %#04x", h, back[i], want)
		}
	}
}

// nearestHalf is an independent oracle for ToHalf on non-NaN input: the
// finite half (or infinity, which sits where 2^16 would) nearest to f in
// float64 arithmetic, ties to the even encoding.
func nearestHalf(pos []float64, f float32) uint16 {
	x := math.Abs(float64(f))
	sign := uint16(0)
	if math.Signbit(float64(f)) {
		sign = 0x8000
	}
	// pos[h] is the value of half h for h in [0, 0x7c00], with 0x7c00
	// standing for 2^16 so the overflow threshold rounds like any tie.
	i, _ := slices.BinarySearch(pos, x)
	if i == len(pos) {
		return sign | 0x7c00
	}
	if i > 0 {
		lo, hi := pos[i-1], pos[i]
		if d := (x - lo) - (hi - x); d < 0 || d == 0 && (i-1)&1 == 0 {
			i--
		}
	}
	return sign | uint16(i)
}

func TestToHalfAgainstOracle(t *testing.T) {
	pos := make([]float64, 0x7c01)
	for h := range 0x7c00 {
		pos[h] = float64(FromHalf(uint16(h)))
	}
	pos[0x7c00] = 65536
	check := func(f float32) {
		t.Helper()
		if got, want := ToHalf(f), nearestHalf(pos, f); got != want {
			t.Errorf("ToHalf(%g [%#08x]) = %#04x, want %#04x", f, math.Float32bits(f), got, want)
		}
	}
	// Every half, its float32 neighbours and the midpoints to the next
	// half (the ties), both signs.
	for h := range 0x7c00 {
		for _, x := range []float64{pos[h], (pos[h] + pos[h+1]) / 2} {
			f := float32(x)
			for _, g := range []float32{f, math.Nextafter32(f, 0), math.Nextafter32(f, float32(math.Inf(1)))} {
				check(g)
				check(-g)
			}
		}
	}
	check(float32(math.Inf(1)))
	check(float32(math.Inf(-1)))
	check(math.MaxFloat32)
	check(math.SmallestNonzeroFloat32)
	r := rand.New(rand.NewPCG(7, 8))
	for range 200000 {
		f := math.Float32frombits(r.Uint32())
		if !math.IsNaN(float64(f)) {
			check(f)
		}
	}
	if h := ToHalf(float32(math.NaN())); h&0x7e00 != 0x7e00 {
		t.Errorf("ToHalf(NaN) = %#04x, not a quiet NaN", h)
	}
}

// checkHalfMirrorsFloat32 is for kernel sets whose mixed kernels only add
// the widening in front of their float32 kernels' arithmetic, in the same
// order: they must then agree bit for bit with those kernels run on b
// widened, which pins the lane and tail bookkeeping more tightly than the
// error bound can.
func checkHalfMirrorsFloat32(t *testing.T, k kernels) {
	t.Helper()
	same := func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) }
	r := rand.New(rand.NewPCG(9, 10))
	for _, n := range testLengths() {
		a := randVec(r, n+1, 1)[1:]
		b := randHalfVec(r, n+1, 1)[1:]
		w := widen(b)
		if got, want := k.l2SquaredHalf(a, b), k.l2Squared(a, w); !same(got, want) {
			t.Errorf("%s n=%d l2SquaredHalf = %v, l2Squared = %v", k.name, n, got, want)
		}
		if got, want := k.dotHalf(a, b), k.dot(a, w); !same(got, want) {
			t.Errorf("%s n=%d dotHalf = %v, dot = %v", k.name, n, got, want)
		}
		if got, want := k.l1Half(a, b), k.l1(a, w); !same(got, want) {
			t.Errorf("%s n=%d l1Half = %v, l1 = %v", k.name, n, got, want)
		}
		d1, a1, b1 := k.cosinePartsHalf(a, b)
		d2, a2, b2 := k.cosineParts(a, w)
		if !same(d1, d2) || !same(a1, a2) || !same(b1, b2) {
			t.Errorf("%s n=%d cosinePartsHalf = (%v,%v,%v), cosineParts = (%v,%v,%v)", k.name, n, d1, a1, b1, d2, a2, b2)
		}
	}
}

// halfEdgeFloats are the float32 inputs around every rounding decision of
// ToHalf: each finite half, the midpoint to the next one (a tie), their
// float32 neighbours, both signs, plus infinities and NaNs of both kinds.
func halfEdgeFloats() []float32 {
	var fs []float32
	for h := range 0x7c00 {
		lo := float64(FromHalf(uint16(h)))
		hi := 65536.0 // where the next half would be after 65504
		if h+1 < 0x7c00 {
			hi = float64(FromHalf(uint16(h + 1)))
		}
		for _, x := range []float64{lo, (lo + hi) / 2} {
			f := float32(x)
			for _, g := range []float32{f, math.Nextafter32(f, 0), math.Nextafter32(f, float32(math.Inf(1)))} {
				fs = append(fs, g, -g)
			}
		}
	}
	for _, bits := range []uint32{
		0x7f800000, 0xff800000, // ±Inf
		0x7fc00000, 0xffc00000, 0x7fffffff, 0x7fc02000, 0xffe00001, // quiet NaNs
		0x7f800001, 0xff800001, 0x7fbfffff, 0x7f802000, 0x7fa00000, // signalling NaNs
		0x7f7fffff, 0x00000001, 0x80000001, // MaxFloat32, ±smallest subnormal
	} {
		fs = append(fs, math.Float32frombits(bits))
	}
	return fs
}

// TestEncodeDecodeHalfKernels holds every implementation's vector
// conversions to ToHalf and FromHalf bit for bit, NaN payloads included,
// over lengths and offsets that exercise whole blocks and tails.
func TestEncodeDecodeHalfKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	floats := halfEdgeFloats()
	for range 100000 {
		floats = append(floats, math.Float32frombits(r.Uint32()))
	}
	r.Shuffle(len(floats), func(i, j int) { floats[i], floats[j] = floats[j], floats[i] })
	halves := make([]uint16, 1<<16)
	for i := range halves {
		halves[i] = uint16(i)
	}
	// Shuffled, the NaNs (0x7c01-0x7fff and 0xfc01-0xffff) fall in random
	// blocks among ordinary values.
	r.Shuffle(len(halves), func(i, j int) { halves[i], halves[j] = halves[j], halves[i] })

	// The whole arrays, then short pieces at every offset mod 8.
	type span struct{ lo, hi int }
	fSpans, hSpans := []span{{0, len(floats)}}, []span{{0, len(halves)}}
	for n := range 40 {
		for off := range 9 {
			fSpans = append(fSpans, span{off, off + n})
			hSpans = append(hSpans, span{off, off + n})
		}
	}
	for _, k := range allKernels() {
		for _, sp := range fSpans {
			src := floats[sp.lo:sp.hi]
			got := make([]uint16, len(src))
			k.encodeHalf(got, src)
			for i, f := range src {
				if want := ToHalf(f); got[i] != want {
					t.Fatalf("%s encodeHalf %v: element %d (%#08x) = %#04x, ToHalf = %#04x",
						k.name, sp, i, math.Float32bits(f), got[i], want)
				}
			}
		}
		for _, sp := range hSpans {
			src := halves[sp.lo:sp.hi]
			got := make([]float32, len(src))
			k.decodeHalf(got, src)
			for i, h := range src {
				if want := FromHalf(h); math.Float32bits(got[i]) != math.Float32bits(want) {
					t.Fatalf("%s decodeHalf %v: element %d (%#04x) = %#08x, FromHalf = %#08x",
						k.name, sp, i, h, math.Float32bits(got[i]), math.Float32bits(want))
				}
			}
		}
	}
}
