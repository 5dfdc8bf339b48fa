package types

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestSparsevecText checks sparsevec_in's output and errors, as recorded
// from pgvector 0.8.0.
func TestSparsevecText(t *testing.T) {
	cases := []struct {
		in, want string
		typ      *T
	}{
		{"{1:1.5,3:2}/5", "{1:1.5,3:2}/5", Sparsevec},
		{"{3:2,1:1.5}/5", "{1:1.5,3:2}/5", Sparsevec},
		{" { 1 : 1.5 ,  3  :  3.5  } / 5 ", "{1:1.5,3:3.5}/5", Sparsevec},
		{"{1:0,2:-0,3:0.0}/3", "{}/3", Sparsevec},
		{"{1:1.23456}/1", "{1:1.23456}/1", Sparsevec},
		{"{1:1e-40}/1", "{1:1e-40}/1", Sparsevec},
		{"{}/1000000000", "{}/1000000000", Sparsevec},
		{"{1000000000:-2.5}/1000000000", "{1000000000:-2.5}/1000000000", Sparsevec},
		{"{4:0}/3", "{}/3", Sparsevec},
		{"{1:1}/3", "{1:1}/3", SparsevecN(3)},
		{"{1:1}/3", "22000 expected 5 dimensions, not 3", SparsevecN(5)},
		{"{1:1,1:2}/3", "22000 sparsevec indices must not contain duplicates", Sparsevec},
		{"{0:1}/3", "22000 sparsevec index out of bounds", Sparsevec},
		{"{4:1}/3", "22000 sparsevec index out of bounds", Sparsevec},
		{"{-1:1}/3", "22000 sparsevec index out of bounds", Sparsevec},
		{"{99999999999:1}/3", "22000 sparsevec index out of bounds", Sparsevec},
		{"{99999999999999999999:1}/3", "22000 sparsevec index out of bounds", Sparsevec},
		{"{}/0", "22000 sparsevec must have at least 1 dimension", Sparsevec},
		{"{}/-1", "22000 sparsevec must have at least 1 dimension", Sparsevec},
		{"{}/1000000001", "54000 sparsevec cannot have more than 1000000000 dimensions", Sparsevec},
		{"{}/99999999999999999999", "54000 sparsevec cannot have more than 1000000000 dimensions", Sparsevec},
		{"{1:NaN}/2", "22000 NaN not allowed in sparsevec", Sparsevec},
		{"{1:-Infinity}/2", "22000 infinite value not allowed in sparsevec", Sparsevec},
		{"{1:4e38}/2", `22003 "4e38" is out of range for type sparsevec`, Sparsevec},
		{"{1:1e-46}/2", `22003 "1e-46" is out of range for type sparsevec`, Sparsevec},
		{"{1:hello}/2", `22P02 invalid input syntax for type sparsevec: "{1:hello}/2"`, Sparsevec},
		{"[1,2]", `22P02 invalid input syntax for type sparsevec: "[1,2]"`, Sparsevec},
		{"{1:1}", `22P02 invalid input syntax for type sparsevec: "{1:1}"`, Sparsevec},
		{"{1:1,}/3", `22P02 invalid input syntax for type sparsevec: "{1:1,}/3"`, Sparsevec},
		{"{}/1a", `22P02 invalid input syntax for type sparsevec: "{}/1a"`, Sparsevec},
		{"{:}/1", `22P02 invalid input syntax for type sparsevec: "{:}/1"`, Sparsevec},
	}
	for _, tc := range cases {
		d, err := ParseText(tc.typ, tc.in)
		got := codeMsg(err)
		if err == nil {
			if _, ok := d.(*DSparsevec); !ok {
				t.Errorf("ParseText(%s, %q) gave a %T", tc.typ, tc.in, d)
			}
			got = FormatText(tc.typ, d)
		}
		if got != tc.want {
			t.Errorf("ParseText(%s, %q) = %s, want %s", tc.typ, tc.in, got, tc.want)
		}
	}
	many := "{" + strings.Repeat("1:0,", 16000) + "1:0}/1"
	if _, err := ParseText(Sparsevec, many); codeMsg(err) != "54000 sparsevec cannot have more than 16000 non-zero elements" {
		t.Errorf("16001 elements: %v", err)
	}
}

// TestSparsevecBinary checks sparsevec_send's layout (0-based indices)
// and sparsevec_recv's checks in its order.
func TestSparsevecBinary(t *testing.T) {
	v := &DSparsevec{Dim: 5, Indices: []int32{0, 3}, Values: []float32{1.5, -2}}
	b, err := EncodeBinary(nil, Sparsevec, v)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprintf("%x", b), "00000005000000020000000000000000000000033fc00000c0000000"; got != want {
		t.Fatalf("EncodeBinary = %s, want %s", got, want)
	}
	back, err := DecodeBinary(Sparsevec, b)
	if err != nil || FormatText(Sparsevec, back) != "{1:1.5,4:-2}/5" {
		t.Fatalf("DecodeBinary = %v, %v", back, err)
	}
	bad := []binaryErrorCase{
		{"0000000000000000", Sparsevec, "22P03 insufficient data left in message"},
		{"000000000000000000000000", Sparsevec, "22000 sparsevec must have at least 1 dimension"},
		{"3b9aca01" + "0000000000000000", Sparsevec, "54000 sparsevec cannot have more than 1000000000 dimensions"},
		{"00000002" + "ffffffff" + "00000000", Sparsevec, "22000 sparsevec cannot have negative number of elements"},
		{"00000002" + "00000003" + "00000000", Sparsevec, "22000 sparsevec cannot have more elements than dimensions"},
		{"00000002" + "00000000" + "00000000", SparsevecN(3), "22000 expected 3 dimensions, not 2"},
		{"00000002" + "00000000" + "00000001", Sparsevec, "22000 expected unused to be 0, not 1"},
		{"00000002" + "00000001" + "00000000" + "00000000", Sparsevec, "22P03 incorrect binary data format"},
		{"00000002" + "00000001" + "00000000" + "00000002" + "3f800000", Sparsevec, "22000 sparsevec index out of bounds"},
		{"00000002" + "00000001" + "00000000" + "ffffffff" + "3f800000", Sparsevec, "22000 sparsevec index out of bounds"},
		{"00000003" + "00000002" + "00000000" + "00000001" + "00000000" + "3f800000" + "3f800000", Sparsevec, "22000 sparsevec indices must be in ascending order"},
		{"00000003" + "00000002" + "00000000" + "00000001" + "00000001" + "3f800000" + "3f800000", Sparsevec, "22000 sparsevec indices must not contain duplicates"},
		{"00000002" + "00000001" + "00000000" + "00000000" + "7fc00000", Sparsevec, "22000 NaN not allowed in sparsevec"},
		{"00000002" + "00000001" + "00000000" + "00000000" + "ff800000", Sparsevec, "22000 infinite value not allowed in sparsevec"},
		{"00000002" + "00000001" + "00000000" + "00000000" + "00000000", Sparsevec, "22000 binary representation of sparsevec cannot contain zero values"},
	}
	checkBinaryErrors(t, bad)
}

// randomSparse builds a sparsevec of random dimensions with random
// non-zero float32 values (any finite bit pattern) at random indices.
func randomSparse(rng *rand.Rand) *DSparsevec {
	dim := int32(1 + rng.IntN(50))
	v := &DSparsevec{Dim: dim}
	for i := int32(0); i < dim; i++ {
		if rng.IntN(3) != 0 {
			continue
		}
		f := math.Float32frombits(rng.Uint32())
		if f == 0 || math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			f = 1
		}
		v.Indices = append(v.Indices, i)
		v.Values = append(v.Values, f)
	}
	return v
}

// TestSparsevecRoundTrips sends random sparsevecs through the text and the
// binary forms and checks every bit comes back.
func TestSparsevecRoundTrips(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	same := func(a, b Datum) bool {
		x, y := a.(*DSparsevec), b.(*DSparsevec)
		if x.Dim != y.Dim || len(x.Indices) != len(y.Indices) {
			return false
		}
		for i := range x.Indices {
			if x.Indices[i] != y.Indices[i] || math.Float32bits(x.Values[i]) != math.Float32bits(y.Values[i]) {
				return false
			}
		}
		return true
	}
	for range 2000 {
		v := randomSparse(rng)
		text := FormatText(Sparsevec, v)
		back, err := ParseText(Sparsevec, text)
		if err != nil || !same(v, back) {
			t.Fatalf("text %s came back as %v, %v", text, back, err)
		}
		b, err := EncodeBinary(nil, Sparsevec, v)
		if err != nil {
			t.Fatal(err)
		}
		if back, err = DecodeBinary(Sparsevec, b); err != nil || !same(v, back) {
			t.Fatalf("binary of %s came back as %v, %v", text, back, err)
		}
	}
}

// TestSparsevecCompare checks sparsevec_cmp's order against the dense
// element-by-element order followed by dimensions, which it implements.
func TestSparsevecCompare(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	small := func() *DSparsevec {
		dim := int32(1 + rng.IntN(4))
		v := &DSparsevec{Dim: dim}
		for i := int32(0); i < dim; i++ {
			if f := float32(rng.IntN(5) - 2); f != 0 {
				v.Indices, v.Values = append(v.Indices, i), append(v.Values, f)
			}
		}
		return v
	}
	for range 5000 {
		a, b := small(), small()
		want := compareVector(a.Dense()[:min(a.Dim, b.Dim)], b.Dense()[:min(a.Dim, b.Dim)])
		if want == 0 {
			want = cmp3(a.Dim, b.Dim)
		}
		if got := Compare(Sparsevec, a, b); got != want {
			t.Fatalf("Compare(%s, %s) = %d, want %d", FormatText(Sparsevec, a), FormatText(Sparsevec, b), got, want)
		}
	}
}

// TestSparsevecCasts covers the casts from and to vector, halfvec and
// arrays, with pgvector's errors.
func TestSparsevecCasts(t *testing.T) {
	cases := []struct {
		from     *T
		in       string
		to       *T
		want     string
		explicit bool
	}{
		{Vector, "[0,1.5,0,-3.5,0]", Sparsevec, "{2:1.5,4:-3.5}/5", false},
		{Vector, "[0,1.5,0,3.5,0]", SparsevecN(4), "22000 expected 4 dimensions, not 5", true},
		{Halfvec, "[0,1.5,0,3.5,0]", Sparsevec, "{2:1.5,4:3.5}/5", false},
		{Sparsevec, "{2:1.5,4:3.5}/5", Vector, "[0,1.5,0,3.5,0]", false},
		{Sparsevec, "{2:1.5,4:3.5}/5", VectorN(4), "22000 expected 4 dimensions, not 5", false},
		{Sparsevec, "{}/16001", Vector, "54000 vector cannot have more than 16000 dimensions", false},
		{Sparsevec, "{1:1.23456}/2", Halfvec, "[1.234375,0]", false},
		{Sparsevec, "{1:65520}/1", Halfvec, `22003 "65520" is out of range for type halfvec`, false},
		{Sparsevec, "{}/16001", Halfvec, "54000 halfvec cannot have more than 16000 dimensions", false},
		{Sparsevec, "{1:1}/3", SparsevecN(3), "{1:1}/3", true},
		{Sparsevec, "{1:1}/3", SparsevecN(2), "22000 expected 2 dimensions, not 3", true},
		{ArrayOf(Float4), "{1,0,2,0,3,0}", Sparsevec, "{1:1,3:2,5:3}/6", false},
		{ArrayOf(Float8), "{4e38}", Sparsevec, "22000 infinite value not allowed in sparsevec", false},
		{ArrayOf(Float4), "{NaN}", Sparsevec, "22000 NaN not allowed in sparsevec", false},
		{ArrayOf(Float4), "{}", Sparsevec, "22000 sparsevec must have at least 1 dimension", false},
		{ArrayOf(Float8), "{1e-46,-1e-46}", Sparsevec, "{}/2", false},
	}
	for _, tc := range cases {
		d, err := ParseText(tc.from, tc.in)
		if err != nil {
			t.Fatalf("ParseText(%s, %q): %v", tc.from, tc.in, err)
		}
		ctx := CastAssignment
		if tc.explicit {
			ctx = CastExplicit
		}
		if !CanCast(tc.from, tc.to, ctx) {
			t.Errorf("%s -> %s is not a cast in context %v", tc.from, tc.to, ctx)
			continue
		}
		out, err := Cast(d, tc.from, tc.to, ctx)
		got := codeMsg(err)
		if err == nil {
			got = FormatText(tc.to, out)
		}
		if got != tc.want {
			t.Errorf("%s %q -> %s = %s, want %s", tc.from, tc.in, tc.to, got, tc.want)
		}
	}
	if !CanCast(Vector, Sparsevec, CastImplicit) || CanCast(Sparsevec, Vector, CastImplicit) {
		t.Errorf("vector -> sparsevec must be implicit and sparsevec -> vector assignment only, as in pgvector")
	}
}

func TestSparsevecOIDs(t *testing.T) {
	if SparsevecN(3).Typmod() != 3 || Sparsevec.Typmod() != -1 || Sparsevec.OID() != OidSparsevec || ArrayOf(Sparsevec).OID() != OidSparsevecArray {
		t.Errorf("sparsevec OIDs or typmods wrong")
	}
	if got := ByOID(OidSparsevecArray); got == nil || got.String() != "sparsevec[]" {
		t.Errorf("ByOID(_sparsevec) = %v", got)
	}
}
