package types

import (
	"fmt"
	"testing"
)

func mustBits(t *testing.T, s string) *DBit {
	t.Helper()
	d, err := ParseText(Varbit, s)
	if err != nil {
		t.Fatalf("ParseText(varbit, %q): %v", s, err)
	}
	return d.(*DBit)
}

// TestBitText checks bit_in's and varbit_in's output and errors, as
// PostgreSQL 15 gives them.
func TestBitText(t *testing.T) {
	cases := []struct {
		typ      *T
		in, want string
	}{
		{Bit, "0101", "0101"},
		{Bit, "", ""},
		{Bit, "b0101", "0101"},
		{Bit, "B0101", "0101"},
		{Bit, "x1F", "00011111"},
		{Bit, "Xa9c", "101010011100"},
		{Varbit, "x", ""},
		{BitN(4), "0101", "0101"},
		{BitN(4), "010", "22026 bit string length 3 does not match type bit(4)"},
		{BitN(4), "xF0", "22026 bit string length 8 does not match type bit(4)"},
		{BitN(4), "xF", "1111"},
		// The length is checked before the digits.
		{BitN(4), "012", "22026 bit string length 3 does not match type bit(4)"},
		{VarbitN(4), "010", "010"},
		{VarbitN(4), "01011", "22001 bit string too long for type bit varying(4)"},
		{Bit, "012", `22P02 "2" is not a valid binary digit`},
		{Bit, "b1é", `22P02 "é" is not a valid binary digit`},
		{Bit, "x1g", `22P02 "g" is not a valid hexadecimal digit`},
		{Bit, " 1", `22P02 " " is not a valid binary digit`},
	}
	for _, tc := range cases {
		d, err := ParseText(tc.typ, tc.in)
		got := codeMsg(err)
		if err == nil {
			got = FormatText(tc.typ, d)
		}
		if got != tc.want {
			t.Errorf("ParseText(%s, %q) = %s, want %s", tc.typ, tc.in, got, tc.want)
		}
	}
}

// TestBitPadding checks every way a bit string is made leaves the bits
// past its length zero, which comparison and hashing rely on.
func TestBitPadding(t *testing.T) {
	padded := func(b *DBit) bool {
		return b.Len%8 == 0 || b.Bytes[len(b.Bytes)-1]<<(b.Len%8) == 0
	}
	for _, s := range []string{"1", "111", "x7", "1111111", "111111111"} {
		if b := mustBits(t, s); !padded(b) || len(b.Bytes) != (b.Len+7)/8 {
			t.Errorf("%q parsed as %08b (%d bits)", s, b.Bytes, b.Len)
		}
	}
	long := mustBits(t, "111111111111")
	for n := 1; n < 12; n++ {
		if r := long.Resized(n); !padded(r) || FormatText(Varbit, r) != "111111111111"[:n] {
			t.Errorf("Resized(%d) = %08b", n, r.Bytes)
		}
	}
	// varbit_recv clears stray bits past the length.
	d, err := DecodeBinary(Varbit, []byte{0, 0, 0, 3, 0xFF})
	if err != nil {
		t.Fatal(err)
	}
	if b := d.(*DBit); b.Bytes[0] != 0xE0 {
		t.Errorf("recv of 3 bits from 0xFF kept %08b", b.Bytes[0])
	}
}

// TestBitBinary checks varbit_send's layout and bit_recv's and
// varbit_recv's checks.
func TestBitBinary(t *testing.T) {
	b := mustBits(t, "10100101111")
	enc, err := EncodeBinary(nil, BitN(11), b)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprintf("%x", enc), "0000000ba5e0"; got != want {
		t.Fatalf("EncodeBinary = %s, want %s", got, want)
	}
	for _, typ := range []*T{Bit, BitN(11), Varbit, VarbitN(11), VarbitN(20)} {
		back, err := DecodeBinary(typ, enc)
		if err != nil || Compare(typ, back, b) != 0 {
			t.Errorf("DecodeBinary(%s) = %v, %v", typ, back, err)
		}
	}
	cases := []struct {
		typ  *T
		in   []byte
		want string
	}{
		{Bit, []byte{0, 0, 0}, "22P03 insufficient data left in message"},
		{Bit, []byte{0xFF, 0xFF, 0xFF, 0xFF}, "22P03 invalid length in external bit string"},
		{Bit, []byte{0x7F, 0xFF, 0xFF, 0xFF}, "22P03 invalid length in external bit string"},
		{BitN(4), []byte{0, 0, 0, 3, 0xE0}, "22026 bit string length 3 does not match type bit(4)"},
		{VarbitN(2), []byte{0, 0, 0, 3, 0xE0}, "22001 bit string too long for type bit varying(2)"},
		{Bit, []byte{0, 0, 0, 9, 0xE0}, "22P03 insufficient data left in message"},
		{Bit, []byte{0, 0, 0, 3, 0xE0, 0}, "22P03 incorrect binary data format"},
	}
	for _, tc := range cases {
		_, err := DecodeBinary(tc.typ, tc.in)
		if got := codeMsg(err); got != tc.want {
			t.Errorf("DecodeBinary(%s, %x) = %s, want %s", tc.typ, tc.in, got, tc.want)
		}
	}
}

// TestBitCompare checks bitcmp's order: the packed bytes over those both
// strings have, then the lengths.
func TestBitCompare(t *testing.T) {
	ordered := []string{"", "0", "00", "00000000", "000000000", "01", "1", "10", "10000000", "100000000", "101", "11", "11111111", "111111111"}
	for i, a := range ordered {
		for j, b := range ordered {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := Compare(Varbit, mustBits(t, a), mustBits(t, b)); got != want {
				t.Errorf("Compare(%q, %q) = %d, want %d", a, b, got, want)
			}
		}
	}
}

// TestBitCasts checks the length coercions of casts in each context and
// the integer conversions.
func TestBitCasts(t *testing.T) {
	cases := []struct {
		from      *T
		in        Datum
		to        *T
		ctx       CastContext
		want      string
		castsToIt bool
	}{
		{Varbit, mustBits(t, "0101"), BitN(3), CastExplicit, "010", true},
		{Varbit, mustBits(t, "0101"), BitN(6), CastExplicit, "010100", true},
		{Varbit, mustBits(t, "0101"), BitN(6), CastAssignment, "22026 bit string length 4 does not match type bit(6)", true},
		{Bit, mustBits(t, "0101"), VarbitN(3), CastExplicit, "010", true},
		{Bit, mustBits(t, "0101"), VarbitN(3), CastImplicit, "22001 bit string too long for type bit varying(3)", true},
		{Bit, mustBits(t, "0101"), VarbitN(6), CastImplicit, "0101", true},
		{Unknown, DString("0101"), BitN(3), CastExplicit, "010", true},
		{Unknown, DString("0101"), BitN(3), CastAssignment, "22026 bit string length 4 does not match type bit(3)", true},
		{Int4, DInt(5), BitN(8), CastExplicit, "00000101", true},
		{Int4, DInt(5), Bit, CastExplicit, "1", true},
		{Int4, DInt(-1), BitN(35), CastExplicit, "11111111111111111111111111111111111", true},
		{Int8, DInt(-2), BitN(66), CastExplicit, "111111111111111111111111111111111111111111111111111111111111111110", true},
		{Int8, DInt(6), BitN(66), CastExplicit, "000000000000000000000000000000000000000000000000000000000000000110", true},
		{Int4, DInt(5), BitN(8), CastAssignment, "42846 cannot cast type integer to bit(8)", false},
		{Bit, mustBits(t, "11111111111111111111111111111111"), Int4, CastExplicit, "-1", true},
		{Bit, mustBits(t, "111111111111111111111111111111111"), Int4, CastExplicit, "22003 integer out of range", true},
		{Bit, mustBits(t, "101"), Int8, CastExplicit, "5", true},
		{Varbit, mustBits(t, "101"), Int4, CastExplicit, "42846 cannot cast type bit varying to integer", false},
		{Bit, mustBits(t, "101"), Text, CastAssignment, "101", true},
		{Text, DString("101"), Bit, CastAssignment, "42846 cannot cast type text to bit", false},
	}
	for _, tc := range cases {
		if CanCast(tc.from, tc.to, tc.ctx) != tc.castsToIt {
			t.Errorf("CanCast(%s, %s, %d) = %v", tc.from, tc.to, tc.ctx, !tc.castsToIt)
		}
		var got string
		if !tc.castsToIt {
			got = codeMsg(cannotCast(tc.from, tc.to))
		} else {
			d, err := Cast(tc.in, tc.from, tc.to, tc.ctx)
			got = codeMsg(err)
			if err == nil {
				got = FormatText(tc.to, d)
			}
		}
		if got != tc.want {
			t.Errorf("Cast(%s -> %s, %d) = %s, want %s", tc.from, tc.to, tc.ctx, got, tc.want)
		}
	}
}

// TestBitTypes checks the types' OIDs, names and modifiers.
func TestBitTypes(t *testing.T) {
	cases := []struct {
		name   string
		mods   []int32
		oid    uint32
		str    string
		typmod int32
	}{
		{"bit", []int32{4}, OidBit, "bit(4)", 4},
		{"bit", nil, OidBit, "bit", -1},
		{"varbit", []int32{4}, OidVarbit, "bit varying(4)", 4},
		{"bit varying", nil, OidVarbit, "bit varying", -1},
		{"_bit", []int32{3}, 1561, "bit(3)[]", 3},
		{"varbit[]", nil, 1563, "bit varying[]", -1},
	}
	for _, tc := range cases {
		typ, err := Resolve(tc.name, tc.mods)
		if err != nil {
			t.Fatalf("Resolve(%q, %v): %v", tc.name, tc.mods, err)
		}
		if typ.OID() != tc.oid || typ.String() != tc.str || typ.Typmod() != tc.typmod {
			t.Errorf("Resolve(%q, %v) = %d %s %d", tc.name, tc.mods, typ.OID(), typ, typ.Typmod())
		}
	}
	for _, tc := range []struct {
		name string
		mods []int32
		want string
	}{
		{"bit", []int32{0}, "22023 length for type bit must be at least 1"},
		{"varbit", []int32{83886081}, "22023 length for type varbit cannot exceed 83886080"},
		{"bit", []int32{1, 2}, "22023 invalid type modifier"},
	} {
		if _, err := Resolve(tc.name, tc.mods); codeMsg(err) != tc.want {
			t.Errorf("Resolve(%q, %v) = %v, want %s", tc.name, tc.mods, err, tc.want)
		}
	}
}
