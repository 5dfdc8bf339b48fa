package builtins

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/quiverdb/quiver/sql/types"
)

func bitsText(b *types.DBit) string { return types.FormatText(types.Varbit, b) }

func randomBits(r *rand.Rand, n int) *types.DBit {
	b := types.NewBit(n)
	for i := range n {
		b.SetBit(i, r.IntN(2) == 1)
	}
	return b
}

// TestBitKernelsMatchStrings checks the byte-level bit string operations
// against the same operations on their text, over random strings of
// lengths around byte boundaries.
func TestBitKernelsMatchStrings(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for range 3000 {
		x, y := randomBits(r, r.IntN(20)), randomBits(r, r.IntN(12))
		xs, ys := bitsText(x), bitsText(y)

		cat, err := concatBits(x, y)
		if err != nil || bitsText(cat) != xs+ys {
			t.Fatalf("%s || %s = %v, %v", xs, ys, cat, err)
		}

		n := int64(r.IntN(30) - 10)
		want := strings.Repeat("0", len(xs))
		for i := range xs {
			if src := int64(i) + n; src >= 0 && src < int64(len(xs)) {
				want = want[:i] + xs[src:src+1] + want[i+1:]
			}
		}
		if got := bitsText(shiftBits(x, n)); got != want {
			t.Fatalf("%s << %d = %s, want %s", xs, n, got, want)
		}

		s, l := int64(r.IntN(26)-3), int64(r.IntN(10))
		lo, hi := max(s, 1), min(s+l, int64(len(xs))+1)
		wantSub := ""
		if lo < hi && lo <= int64(len(xs)) {
			wantSub = xs[lo-1 : hi-1]
		}
		if sub, err := substringBits(x, s, l, true); err != nil || bitsText(sub) != wantSub {
			t.Fatalf("substring(%s, %d, %d) = %v, %v; want %s", xs, s, l, sub, err, wantSub)
		}

		wantPos := strings.Index(xs, ys) + 1
		if len(xs) == 0 {
			wantPos = 0
		}
		if got := positionBits(x, y); got != wantPos {
			t.Fatalf("position(%s in %s) = %d, want %d", ys, xs, got, wantPos)
		}

		sp, sl := int64(r.IntN(len(xs)+2)+1), int64(r.IntN(5))
		d, err := overlayBits(x, y, sp, sl)
		head, tail := xs[:min(sp-1, int64(len(xs)))], xs[min(sp+sl-1, int64(len(xs))):]
		if err != nil || bitsText(d.(*types.DBit)) != head+ys+tail {
			t.Fatalf("overlay(%s placing %s from %d for %d) = %v, %v", xs, ys, sp, sl, d, err)
		}

		z := randomBits(r, x.Len)
		zs := bitsText(z)
		ham, ab, aa, bb := 0, 0, 0, 0
		for i := range xs {
			if xs[i] != zs[i] {
				ham++
			}
			if xs[i] == '1' && zs[i] == '1' {
				ab++
			}
			if xs[i] == '1' {
				aa++
			}
			if zs[i] == '1' {
				bb++
			}
		}
		if got := HammingDistance(x, z); got != float64(ham) {
			t.Fatalf("hamming(%s, %s) = %v, want %d", xs, zs, got, ham)
		}
		wantJac := 1.0
		if ab > 0 {
			wantJac = 1 - float64(ab)/float64(aa+bb-ab)
		}
		if got := JaccardDistance(x, z); got != wantJac {
			t.Fatalf("jaccard(%s, %s) = %v, want %v", xs, zs, got, wantJac)
		}
	}
}

func TestBitFunctions(t *testing.T) {
	b := types.Bit
	bits := func(s string) types.Datum {
		d, err := types.ParseText(types.Varbit, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	runBinary(t, []evalCase{
		{name: "&", typs: ts(b, b), args: ds(bits("1100"), bits("1010")), want: "1000"},
		{name: "#", typs: ts(b, b), args: ds(bits("1100"), bits("101")), code: "22026", msg: "cannot XOR bit strings of different sizes"},
		{name: "<~>", typs: ts(b, b), args: ds(bits("111"), bits("100")), want: "2"},
		{name: "<%>", typs: ts(b, b), args: ds(bits("1100"), bits("1000")), want: "0.5"},
		{name: "<~>", typs: ts(b, b), args: ds(bits("111"), bits("00")), code: "22000", msg: "different bit lengths 3 and 2"},
		{name: "<", typs: ts(b, b), args: ds(bits("101"), bits("11")), want: "t"},
	})
	runFuncs(t, []evalCase{
		{name: "bit_count", typs: ts(b), args: ds(bits("1011")), want: "3"},
		{name: "get_bit", typs: ts(b, i4), args: ds(bits("1011"), iv(4)), code: "2202E", msg: "bit index 4 out of valid range (0..3)"},
		{name: "set_bit", typs: ts(b, i4, i4), args: ds(bits("1011"), iv(1), iv(1)), want: "1111"},
		{name: "overlay", typs: ts(b, b, i4), args: ds(bits("1011"), bits("00"), iv(0)), code: "22011", msg: "negative substring length not allowed"},
		{name: "bitcmp", typs: ts(b, b), args: ds(bits("101"), bits("11")), want: "-32"},
		{name: "binary_quantize", typs: ts(types.Vector), args: ds(types.DVector{1, 0, -1, 0.5}), want: "1001"},
	})
}
