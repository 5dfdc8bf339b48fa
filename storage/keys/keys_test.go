package keys

import (
	"bytes"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cockroachdb/apd/v3"
	"github.com/quiverdb/quiver/sql/types"
)

// cmpDatum is the test's own reference order (PostgreSQL semantics, NULL
// last), independent of the code under test and of types.Compare.
func cmpDatum(a, b types.Datum) int {
	an, bn := types.IsNull(a), types.IsNull(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	switch x := a.(type) {
	case types.DBool:
		y := b.(types.DBool)
		return cmpInt(b2i(bool(x)), b2i(bool(y)))
	case types.DInt:
		return cmpInt(int64(x), int64(b.(types.DInt)))
	case types.DFloat:
		return cmpFloat(float64(x), float64(b.(types.DFloat)))
	case *types.DDecimal:
		y := b.(*types.DDecimal)
		rank := func(d *apd.Decimal) int {
			switch {
			case d.Form == apd.NaN:
				return 3
			case d.Form == apd.Infinite && d.Negative:
				return 0
			case d.Form == apd.Infinite:
				return 2
			}
			return 1
		}
		if r := cmpInt(int64(rank(&x.Decimal)), int64(rank(&y.Decimal))); r != 0 || rank(&x.Decimal) != 1 {
			return r
		}
		return x.Cmp(&y.Decimal)
	case types.DString:
		return strings.Compare(string(x), string(b.(types.DString)))
	case types.DBytes:
		return bytes.Compare(x, b.(types.DBytes))
	case types.DDate:
		return cmpInt(int64(x), int64(b.(types.DDate)))
	case types.DTimestamp:
		return cmpInt(int64(x), int64(b.(types.DTimestamp)))
	case types.DTimestampTZ:
		return cmpInt(int64(x), int64(b.(types.DTimestampTZ)))
	case types.DInterval:
		y := b.(types.DInterval)
		span := func(v types.DInterval) *big.Int {
			s := big.NewInt(int64(v.Months)*30 + int64(v.Days))
			s.Mul(s, big.NewInt(86400e6))
			return s.Add(s, big.NewInt(v.Micros))
		}
		return span(x).Cmp(span(y))
	case types.DUUID:
		y := b.(types.DUUID)
		return bytes.Compare(x[:], y[:])
	case types.DOid:
		return cmpInt(int64(x), int64(b.(types.DOid)))
	case *types.DBit:
		// bitcmp: the bits, each string zero-padded to whole bytes, over
		// the bytes both have, then the lengths.
		y := b.(*types.DBit)
		pad := func(v *types.DBit) string {
			s := types.FormatText(types.Varbit, v)
			return s + strings.Repeat("0", (8-len(s)%8)%8)
		}
		xs, ys := pad(x), pad(y)
		n := min(len(xs), len(ys))
		if c := strings.Compare(xs[:n], ys[:n]); c != 0 {
			return c
		}
		return cmpInt(int64(x.Len), int64(y.Len))
	case *types.DSparsevec:
		// pgvector's order: the dense elements over the shared
		// dimensions, then the dimension count.
		y := b.(*types.DSparsevec)
		xd, yd := x.Dense(), y.Dense()
		for i := 0; i < len(xd) && i < len(yd); i++ {
			if c := cmpFloat(float64(xd[i]), float64(yd[i])); c != 0 {
				return c
			}
		}
		return cmpInt(int64(len(xd)), int64(len(yd)))
	case types.DVector:
		y := b.(types.DVector)
		for i := 0; i < len(x) && i < len(y); i++ {
			if c := cmpFloat(float64(x[i]), float64(y[i])); c != 0 {
				return c
			}
		}
		return cmpInt(int64(len(x)), int64(len(y)))
	case *types.DArray:
		y := b.(*types.DArray)
		for i := 0; i < len(x.Elems) && i < len(y.Elems); i++ {
			if c := cmpDatum(x.Elems[i], y.Elems[i]); c != 0 {
				return c
			}
		}
		return cmpInt(int64(len(x.Elems)), int64(len(y.Elems)))
	}
	panic("unhandled datum")
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpFloat(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func dec(s string) types.Datum {
	d, _, err := apd.NewFromString(s)
	if err != nil {
		panic(err)
	}
	return &types.DDecimal{Decimal: *d}
}

func genValues(r *rand.Rand, kind string) []types.Datum {
	var out []types.Datum
	add := func(ds ...types.Datum) { out = append(out, ds...) }
	add(types.Null)
	switch kind {
	case "bool":
		add(types.DBool(true), types.DBool(false))
	case "int":
		add(types.DInt(0), types.DInt(-1), types.DInt(1), types.DInt(math.MinInt64), types.DInt(math.MaxInt64))
		for range 60 {
			add(types.DInt(r.Int64N(2000) - 1000))
			add(types.DInt(int64(r.Uint64())))
		}
	case "float":
		add(types.DFloat(0), types.DFloat(math.Copysign(0, -1)), types.DFloat(math.NaN()),
			types.DFloat(math.Inf(1)), types.DFloat(math.Inf(-1)), types.DFloat(math.SmallestNonzeroFloat64),
			types.DFloat(-math.SmallestNonzeroFloat64), types.DFloat(math.MaxFloat64), types.DFloat(-math.MaxFloat64))
		for range 60 {
			add(types.DFloat(r.NormFloat64() * math.Pow(10, float64(r.IntN(40)-20))))
		}
	case "numeric":
		add(dec("0"), dec("0.000"), dec("-0"), dec("1"), dec("1.0"), dec("1.00"), dec("10"), dec("100"),
			dec("0.1"), dec("0.01"), dec("-0.1"), dec("-1"), dec("-1.00"), dec("-10"), dec("-100.5"),
			dec("NaN"), dec("Infinity"), dec("-Infinity"), dec("123456789012345678901234567890.123"),
			dec("12"), dec("123"), dec("-12"), dec("-123"), dec("1e-30"), dec("-1e-30"), dec("9.99"), dec("99.9"))
		for range 80 {
			s := big.NewInt(r.Int64N(2000000) - 1000000).String()
			d := dec(s)
			d.(*types.DDecimal).Exponent = int32(r.IntN(12) - 6)
			add(d)
		}
	case "text":
		add(types.DString(""), types.DString("a"), types.DString("a\x00"), types.DString("a\x00b"),
			types.DString("a\x01"), types.DString("ab"), types.DString("\xff"), types.DString("b"), types.DString("é"))
		for range 60 {
			n := r.IntN(5)
			b := make([]byte, n)
			for i := range b {
				b[i] = []byte{0, 1, 'a', 'b', 0xFF}[r.IntN(5)]
			}
			add(types.DString(b))
		}
	case "bytea":
		add(types.DBytes{}, types.DBytes{0}, types.DBytes{0, 0}, types.DBytes{0, 0xFF}, types.DBytes{1}, types.DBytes{0xFF, 0xFF})
		for range 60 {
			b := make([]byte, r.IntN(4))
			for i := range b {
				b[i] = byte(r.IntN(3)) * 0x7F
			}
			add(types.DBytes(b))
		}
	case "date":
		add(types.DDate(math.MinInt32), types.DDate(math.MaxInt32), types.DDate(0))
		for range 40 {
			add(types.DDate(r.Int32N(200000) - 100000))
		}
	case "timestamp":
		for range 40 {
			add(types.DTimestamp(r.Int64() - math.MaxInt64/2))
		}
	case "timestamptz":
		for range 40 {
			add(types.DTimestampTZ(r.Int64N(1e15) - 5e14))
		}
	case "interval":
		add(types.DInterval{Months: 1}, types.DInterval{Days: 30}, types.DInterval{Micros: 30 * 86400e6},
			types.DInterval{Months: math.MaxInt32, Days: math.MaxInt32, Micros: math.MaxInt64},
			types.DInterval{Months: math.MinInt32, Days: math.MinInt32, Micros: math.MinInt64},
			types.DInterval{Days: 1, Micros: -1}, types.DInterval{})
		for range 60 {
			add(types.DInterval{Months: r.Int32N(30) - 15, Days: r.Int32N(60) - 30, Micros: r.Int64N(1e12) - 5e11})
		}
	case "uuid":
		for range 40 {
			var u types.DUUID
			for i := range u {
				u[i] = byte(r.IntN(3)) * 0x7F
			}
			add(u)
		}
	case "oid":
		add(types.DOid(0), types.DOid(math.MaxUint32))
		for range 40 {
			add(types.DOid(r.Uint32()))
		}
	case "vector":
		add(types.DVector{}, types.DVector{0}, types.DVector{0, 0}, types.DVector{-1}, types.DVector{1, -1})
		for range 40 {
			v := make(types.DVector, r.IntN(3))
			for i := range v {
				v[i] = float32(r.IntN(5) - 2)
			}
			add(v)
		}
	case "bit":
		for _, s := range []string{"", "0", "00", "1", "10", "10000000", "100000000", "1000000000000000", "01", "11111111", "111111111"} {
			v, _ := types.ParseText(types.Varbit, s)
			add(v)
		}
		for range 80 {
			v := types.NewBit(r.IntN(20))
			for i := range v.Len {
				v.SetBit(i, r.IntN(3) == 0)
			}
			add(v)
		}
	case "sparsevec":
		for range 80 {
			v := &types.DSparsevec{Dim: int32(1 + r.IntN(4))}
			for i := int32(0); i < v.Dim; i++ {
				if f := float32(r.IntN(5) - 2); f != 0 {
					v.Indices, v.Values = append(v.Indices, i), append(v.Values, f)
				}
			}
			add(v)
		}
	case "array":
		add(&types.DArray{Elem: types.Int8}, &types.DArray{Elem: types.Int8, Elems: []types.Datum{types.Null}})
		for range 60 {
			a := &types.DArray{Elem: types.Int8}
			for range r.IntN(3) {
				if r.IntN(4) == 0 {
					a.Elems = append(a.Elems, types.Null)
				} else {
					a.Elems = append(a.Elems, types.DInt(r.IntN(5)-2))
				}
			}
			add(a)
		}
	}
	return out
}

func TestEncodingOrderMatchesValueOrder(t *testing.T) {
	kinds := []string{"bool", "int", "float", "numeric", "text", "bytea", "date", "timestamp",
		"timestamptz", "interval", "uuid", "oid", "vector", "sparsevec", "bit", "array"}
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(len(kind))))
			vals := genValues(r, kind)
			for _, desc := range []bool{false, true} {
				enc := make([][]byte, len(vals))
				for i, v := range vals {
					b, err := Encode(nil, v, desc)
					if err != nil {
						t.Fatalf("Encode(%v): %v", v, err)
					}
					enc[i] = b
				}
				for i := range vals {
					for j := range vals {
						want := cmpDatum(vals[i], vals[j])
						if desc {
							want = -want
						}
						if got := bytes.Compare(enc[i], enc[j]); got != want {
							t.Fatalf("desc=%v: %#v vs %#v: encoded order %d, value order %d (%x vs %x)",
								desc, vals[i], vals[j], got, want, enc[i], enc[j])
						}
					}
				}
			}
		})
	}
}

// A composite key must order by its first column before its second, which
// only holds if every encoding is prefix-free.
func TestCompositeKeysOrderLexicographically(t *testing.T) {
	rows := [][]types.Datum{
		{types.DString("a"), types.DInt(5)},
		{types.DString("a"), types.Null},
		{types.DString("a\x00"), types.DInt(1)},
		{types.DString("ab"), types.DInt(-9)},
		{types.Null, types.DInt(0)},
	}
	var prev []byte
	for i, row := range rows {
		var b []byte
		var err error
		for _, d := range row {
			if b, err = Encode(b, d, false); err != nil {
				t.Fatal(err)
			}
		}
		if i > 0 && bytes.Compare(prev, b) >= 0 {
			t.Fatalf("row %d (%v) does not sort after row %d", i, row, i-1)
		}
		prev = b
	}
}

func TestPrefixEnd(t *testing.T) {
	tests := []struct{ in, want []byte }{
		{[]byte{1, 2}, []byte{1, 3}},
		{[]byte{1, 0xFF}, []byte{2}},
		{[]byte{0xFF, 0xFF}, nil},
	}
	for _, tc := range tests {
		if got := PrefixEnd(tc.in); !bytes.Equal(got, tc.want) {
			t.Errorf("PrefixEnd(%x) = %x, want %x", tc.in, got, tc.want)
		}
	}
}
