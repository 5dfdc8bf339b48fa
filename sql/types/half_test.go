package types

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

func TestFloat32ToHalf(t *testing.T) {
	pow2 := func(e int) float32 { return float32(math.Ldexp(1, e)) }
	cases := []struct {
		in   float32
		want uint16
	}{
		{0, 0x0000},
		{float32(math.Copysign(0, -1)), 0x8000},
		{1, 0x3c00},
		{-2, 0xc000},
		{0.1, 0x2e66},
		{1.0 / 3, 0x3555},
		{65504, 0x7bff},
		{65519.99, 0x7bff},
		// 65520 is the midpoint between 65504 (odd mantissa) and 65536,
		// which is infinity: ties to even overflow.
		{65520, 0x7c00},
		{-65520, 0xfc00},
		{1e10, 0x7c00},
		// Ties to even in the normal range: 1+2^-11 lies halfway between
		// 1 (even) and 1+2^-10; 1+3*2^-11 between 1+2^-10 and 1+2^-9 (even).
		{1 + pow2(-11), 0x3c00},
		{1 + 3*pow2(-11), 0x3c02},
		{math.Nextafter32(1+pow2(-11), 2), 0x3c01},
		{2049, 0x6800},
		{2051, 0x6802},
		// Subnormals: units of 2^-24; 2^-25 is the tie between 0 and the
		// smallest subnormal, so it rounds to 0 and anything above it up.
		{pow2(-24), 0x0001},
		{pow2(-25), 0x0000},
		{-pow2(-25), 0x8000},
		{math.Nextafter32(pow2(-25), 1), 0x0001},
		{1.5 * pow2(-24), 0x0002},
		{2.5 * pow2(-24), 0x0002},
		{1023 * pow2(-24), 0x03ff},
		{1023.5 * pow2(-24), 0x0400}, // rounds up into the smallest normal
		{pow2(-14), 0x0400},
		{1e-30, 0x0000},
		{math.SmallestNonzeroFloat32, 0x0000},
		{float32(math.Inf(1)), 0x7c00},
		{float32(math.Inf(-1)), 0xfc00},
	}
	for _, tc := range cases {
		if got := Float32ToHalf(tc.in); got != tc.want {
			t.Errorf("Float32ToHalf(%g) = %#04x, want %#04x", tc.in, got, tc.want)
		}
	}
	if h := Float32ToHalf(float32(math.NaN())); h&0x7c00 != 0x7c00 || h&0x3ff == 0 {
		t.Errorf("Float32ToHalf(NaN) = %#04x, not a NaN", h)
	}
}

func TestHalfToFloat32(t *testing.T) {
	cases := []struct {
		in   uint16
		want float32
	}{
		{0x0000, 0},
		{0x0001, float32(math.Ldexp(1, -24))},
		{0x03ff, float32(math.Ldexp(1023, -24))},
		{0x0400, float32(math.Ldexp(1, -14))},
		{0x3c00, 1},
		{0x3555, 0.33325195},
		{0xc000, -2},
		{0x7bff, 65504},
		{0x7c00, float32(math.Inf(1))},
		{0xfc00, float32(math.Inf(-1))},
	}
	for _, tc := range cases {
		if got := HalfToFloat32(tc.in); got != tc.want {
			t.Errorf("HalfToFloat32(%#04x) = %g, want %g", tc.in, got, tc.want)
		}
	}
	if got := HalfToFloat32(0x8000); got != 0 || !math.Signbit(float64(got)) {
		t.Errorf("HalfToFloat32(0x8000) = %g, want -0", got)
	}
	if got := HalfToFloat32(0x7e00); !math.IsNaN(float64(got)) {
		t.Errorf("HalfToFloat32(0x7e00) = %g, want NaN", got)
	}
}

// TestHalfRoundTrip widens every half but the NaNs and narrows it back.
func TestHalfRoundTrip(t *testing.T) {
	for h := 0; h <= 0xffff; h++ {
		if h&0x7c00 == 0x7c00 && h&0x3ff != 0 {
			continue
		}
		f := HalfToFloat32(uint16(h))
		if got := Float32ToHalf(f); got != uint16(h) {
			t.Fatalf("Float32ToHalf(HalfToFloat32(%#04x) = %g) = %#04x", h, f, got)
		}
	}
}

// TestFloat32ToHalfReference checks the conversion against a nearest-value
// search over all finite halves (ties to the even bit pattern), at every
// midpoint between neighbouring halves, one float32 step either side of
// it, and at random float32s.
func TestFloat32ToHalfReference(t *testing.T) {
	var finite []uint16 // non-negative finite halves in increasing order
	for h := uint16(0); h < 0x7c00; h++ {
		finite = append(finite, h)
	}
	ref := func(f float32) uint16 {
		a := math.Abs(float64(f))
		var sign uint16
		if math.Signbit(float64(f)) {
			sign = 0x8000
		}
		// Values from 65520 up round to infinity (65520 ties to even).
		if a >= 65520 {
			return sign | 0x7c00
		}
		i := sort.Search(len(finite), func(i int) bool { return float64(HalfToFloat32(finite[i])) >= a })
		if i == len(finite) {
			return sign | 0x7bff
		}
		hi := finite[i]
		if i == 0 || float64(HalfToFloat32(hi)) == a {
			return sign | hi
		}
		lo := finite[i-1]
		dl, dh := a-float64(HalfToFloat32(lo)), float64(HalfToFloat32(hi))-a
		switch {
		case dl < dh:
			return sign | lo
		case dh < dl:
			return sign | hi
		case lo&1 == 0:
			return sign | lo
		}
		return sign | hi
	}
	check := func(f float32) {
		t.Helper()
		if got, want := Float32ToHalf(f), ref(f); got != want {
			t.Fatalf("Float32ToHalf(%g [%#08x]) = %#04x, want %#04x", f, math.Float32bits(f), got, want)
		}
	}
	for i := 1; i < len(finite); i++ {
		lo, hi := float64(HalfToFloat32(finite[i-1])), float64(HalfToFloat32(finite[i]))
		mid := float32((lo + hi) / 2) // exact: halves have 11 significant bits
		for _, f := range []float32{mid, math.Nextafter32(mid, 0), math.Nextafter32(mid, 1e9)} {
			check(f)
			check(-f)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		f := math.Float32frombits(rng.Uint32())
		if math.IsNaN(float64(f)) {
			continue
		}
		check(f)
	}
}

func TestHalfvecText(t *testing.T) {
	cases := []struct {
		in, want string
		typ      *T
	}{
		{"[1,2,3]", "[1,2,3]", Halfvec},
		{" [ 1.5 , -2 ] ", "[1.5,-2]", Halfvec},
		{"[0.1,1.23456,65519,-65519]", "[0.099975586,1.234375,65504,-65504]", Halfvec},
		{"[1e-8,-1e-8,6e-8]", "[0,-0,5.9604645e-08]", Halfvec},
		{"[1,2]", "[1,2]", HalfvecN(2)},
		{"[1,2]", "22000 expected 3 dimensions, not 2", HalfvecN(3)},
		{"[65520]", `22003 "65520" is out of range for type halfvec`, Halfvec},
		{"[1,-65520.5]", `22003 "-65520.5" is out of range for type halfvec`, Halfvec},
		{"[4e38]", `22003 "4e38" is out of range for type halfvec`, Halfvec},
		{"[NaN]", "22000 NaN not allowed in halfvec", Halfvec},
		{"[-Infinity]", "22000 infinite value not allowed in halfvec", Halfvec},
		{"[]", "22000 halfvec must have at least 1 dimension", Halfvec},
		{"[1,a]", `22P02 invalid input syntax for type halfvec: "[1,a]"`, Halfvec},
		{"1,2", `22P02 invalid input syntax for type halfvec: "1,2"`, Halfvec},
		{"[1]x", `22P02 invalid input syntax for type halfvec: "[1]x"`, Halfvec},
	}
	for _, tc := range cases {
		d, err := ParseText(tc.typ, tc.in)
		got := codeMsg(err)
		if err == nil {
			if _, ok := d.(DHalfvec); !ok {
				t.Errorf("ParseText(%s, %q) gave a %T", tc.typ, tc.in, d)
			}
			got = FormatText(tc.typ, d)
		}
		if got != tc.want {
			t.Errorf("ParseText(%s, %q) = %s, want %s", tc.typ, tc.in, got, tc.want)
		}
	}
	if _, err := ParseText(Halfvec, "["+strings16001()+"]"); codeMsg(err) != "54000 halfvec cannot have more than 16000 dimensions" {
		t.Errorf("16001 dimensions: %v", err)
	}
}

func strings16001() string {
	b := make([]byte, 0, 2*16001)
	for i := range 16001 {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '1')
	}
	return string(b)
}

func TestHalfvecBinary(t *testing.T) {
	v := DHalfvec{1, 2.5, -3, 65504}
	b, err := EncodeBinary(nil, Halfvec, v)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprintf("%x", b), "000400003c004100c2007bff"; got != want {
		t.Fatalf("EncodeBinary = %s, want %s", got, want)
	}
	back, err := DecodeBinary(Halfvec, b)
	if err != nil || Compare(Halfvec, back, v) != 0 {
		t.Fatalf("DecodeBinary = %v, %v", back, err)
	}
	bad := []binaryErrorCase{
		{"00000000", Halfvec, "22000 halfvec must have at least 1 dimension"},
		{"ffff0000", Halfvec, "22000 halfvec must have at least 1 dimension"},
		{"3e810000", Halfvec, "54000 halfvec cannot have more than 16000 dimensions"},
		{"000100013c00", Halfvec, "22000 expected unused to be 0, not 1"},
		{"000200003c00", Halfvec, "22P03 incorrect binary data format"},
		{"000100003f800000", Halfvec, "22P03 incorrect binary data format"},
		{"000100007e00", Halfvec, "22000 NaN not allowed in halfvec"},
		{"00010000fc00", Halfvec, "22000 infinite value not allowed in halfvec"},
		{"000100003c00", HalfvecN(2), "22000 expected 2 dimensions, not 1"},
	}
	checkBinaryErrors(t, bad)
}

// TestHalfvecRoundTrips sends random halves through the text and the
// binary forms and checks every bit comes back.
func TestHalfvecRoundTrips(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 500 {
		v := make(DHalfvec, 1+rng.IntN(40))
		for i := range v {
			h := uint16(rng.Uint32())
			for h&0x7c00 == 0x7c00 { // no NaN or infinity
				h = uint16(rng.Uint32())
			}
			v[i] = HalfToFloat32(h)
		}
		text := FormatText(Halfvec, v)
		fromText, err := ParseText(Halfvec, text)
		if err != nil {
			t.Fatalf("ParseText(%s): %v", text, err)
		}
		b, err := EncodeBinary(nil, Halfvec, v)
		if err != nil {
			t.Fatal(err)
		}
		fromBinary, err := DecodeBinary(Halfvec, b)
		if err != nil {
			t.Fatalf("DecodeBinary(%x): %v", b, err)
		}
		same := func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) }
		if !slices.EqualFunc(v, fromText.(DHalfvec), same) {
			t.Fatalf("text round trip of %s gave %v", text, fromText)
		}
		if !slices.EqualFunc(v, fromBinary.(DHalfvec), same) {
			t.Fatalf("binary round trip of %v gave %v", v, fromBinary)
		}
	}
}

func TestHalfvecCasts(t *testing.T) {
	cases := []struct {
		in       Datum
		from, to *T
		ctx      CastContext
		want     string
	}{
		{DVector{1, 0.1, 2049}, Vector, Halfvec, CastImplicit, "[1,0.099975586,2048]"},
		{DVector{100000}, Vector, Halfvec, CastImplicit, `22003 "100000" is out of range for type halfvec`},
		{DVector{1, 2}, Vector, HalfvecN(3), CastImplicit, "22000 expected 3 dimensions, not 2"},
		{DHalfvec{1, 0.099975586}, Halfvec, Vector, CastAssignment, "[1,0.099975586]"},
		{DHalfvec{1, 2}, Halfvec, VectorN(3), CastAssignment, "22000 expected 3 dimensions, not 2"},
		{&DArray{Elem: Int4, Elems: []Datum{DInt(1), DInt(70000)}}, ArrayOf(Int4), Halfvec, CastAssignment, `22003 "70000" is out of range for type halfvec`},
		{&DArray{Elem: Float8, Elems: []Datum{DFloat(0.1), DFloat(-2)}}, ArrayOf(Float8), Halfvec, CastAssignment, "[0.099975586,-2]"},
		{&DArray{Elem: Float8, Elems: []Datum{DFloat(1e40)}}, ArrayOf(Float8), Halfvec, CastAssignment, "22000 infinite value not allowed in halfvec"},
		{&DArray{Elem: Float4, Elems: []Datum{DFloat(1), Null}}, ArrayOf(Float4), Halfvec, CastAssignment, "22004 array must not contain nulls"},
		{&DArray{Elem: Float4}, ArrayOf(Float4), Halfvec, CastAssignment, "22000 halfvec must have at least 1 dimension"},
		{DHalfvec{1.5, -2}, Halfvec, ArrayOf(Float4), CastAssignment, "{1.5,-2}"},
		{DString("[1,2]"), Text, Halfvec, CastExplicit, "[1,2]"},
	}
	for _, tc := range cases {
		d, err := Cast(tc.in, tc.from, tc.to, tc.ctx)
		got := codeMsg(err)
		if err == nil {
			got = FormatText(tc.to, d)
		}
		if got != tc.want {
			t.Errorf("Cast(%v, %s -> %s) = %s, want %s", tc.in, tc.from, tc.to, got, tc.want)
		}
	}
	for _, c := range []struct {
		from, to *T
		ctx      CastContext
		ok       bool
	}{
		{Vector, Halfvec, CastImplicit, true},
		{Halfvec, Vector, CastImplicit, false},
		{Halfvec, Vector, CastAssignment, true},
		{Halfvec, ArrayOf(Float4), CastImplicit, false},
		{Halfvec, ArrayOf(Float4), CastAssignment, true},
		{Halfvec, ArrayOf(Float8), CastExplicit, false},
		{ArrayOf(Numeric), Halfvec, CastAssignment, true},
		{ArrayOf(Text), Halfvec, CastExplicit, false},
	} {
		if got := CanCast(c.from, c.to, c.ctx); got != c.ok {
			t.Errorf("CanCast(%s, %s, %d) = %v, want %v", c.from, c.to, c.ctx, got, c.ok)
		}
	}
}

// TestHalfvecResolve covers halfvec's and sparsevec's names and typmods.
func TestHalfvecResolve(t *testing.T) {
	for _, c := range []struct {
		name string
		mods []int32
		want string
	}{
		{"halfvec", nil, "halfvec"},
		{"HALFVEC", []int32{3}, "halfvec(3)"},
		{"halfvec[]", []int32{3}, "halfvec(3)[]"},
		{"_halfvec", nil, "halfvec[]"},
		{"halfvec", []int32{0}, "22023 dimensions for type halfvec must be at least 1"},
		{"halfvec", []int32{16001}, "22023 dimensions for type halfvec cannot exceed 16000"},
		{"halfvec", []int32{3, 2}, "22023 invalid type modifier"},
		{"sparsevec", nil, "sparsevec"},
		{"SPARSEVEC", []int32{3}, "sparsevec(3)"},
		{"_sparsevec", nil, "sparsevec[]"},
		{"sparsevec", []int32{1000000000}, "sparsevec(1000000000)"},
		{"sparsevec", []int32{0}, "22023 dimensions for type sparsevec must be at least 1"},
		{"sparsevec", []int32{1000000001}, "22023 dimensions for type sparsevec cannot exceed 1000000000"},
		{"sparsevec", []int32{3, 2}, "22023 invalid type modifier"},
	} {
		typ, err := Resolve(c.name, c.mods)
		got := codeMsg(err)
		if err == nil {
			got = typ.String()
		}
		if got != c.want {
			t.Errorf("Resolve(%q, %v) = %s, want %s", c.name, c.mods, got, c.want)
		}
	}
	if HalfvecN(3).Typmod() != 3 || Halfvec.Typmod() != -1 || Halfvec.OID() != OidHalfvec || ArrayOf(Halfvec).OID() != OidHalfvecArray {
		t.Errorf("halfvec OIDs or typmods wrong")
	}
	if got := ByOID(OidHalfvecArray); got == nil || got.String() != "halfvec[]" {
		t.Errorf("ByOID(_halfvec) = %v", got)
	}
}
