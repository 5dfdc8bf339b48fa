package types

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/quiverdb/quiver/sql/pgerror"
)

func codeMsg(err error) string {
	if err == nil {
		return ""
	}
	var pe *pgerror.Error
	if errors.As(err, &pe) {
		return pe.Code + " " + pe.Message
	}
	return "GO " + err.Error()
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name string
		mods []int32
		want string // T.String(), or the error
		oid  uint32
	}{
		{"bool", nil, "boolean", OidBool},
		{"boolean", nil, "boolean", OidBool},
		{"int2", nil, "smallint", OidInt2},
		{"smallint", nil, "smallint", OidInt2},
		{"smallserial", nil, "smallint", OidInt2},
		{"int", nil, "integer", OidInt4},
		{"INTEGER", nil, "integer", OidInt4},
		{"serial", nil, "integer", OidInt4},
		{"serial4", nil, "integer", OidInt4},
		{"bigserial", nil, "bigint", OidInt8},
		{"serial8", nil, "bigint", OidInt8},
		{"int8", nil, "bigint", OidInt8},
		{"real", nil, "real", OidFloat4},
		{"float4", nil, "real", OidFloat4},
		{"double  precision", nil, "double precision", OidFloat8},
		{"float", nil, "double precision", OidFloat8},
		{"float", []int32{24}, "real", OidFloat4},
		{"float", []int32{25}, "double precision", OidFloat8},
		{"float", []int32{0}, "22023 precision for type float must be at least 1 bit", 0},
		{"float", []int32{54}, "22023 precision for type float must be less than 54 bits", 0},
		{"numeric", nil, "numeric", OidNumeric},
		{"decimal", []int32{10, 2}, "numeric(10,2)", OidNumeric},
		{"numeric", []int32{5}, "numeric(5,0)", OidNumeric},
		{"numeric", []int32{0}, "22023 NUMERIC precision 0 must be between 1 and 1000", 0},
		{"numeric", []int32{1001}, "22023 NUMERIC precision 1001 must be between 1 and 1000", 0},
		{"numeric", []int32{5, 1001}, "22023 NUMERIC scale 1001 must be between -1000 and 1000", 0},
		{"varchar", []int32{3}, "character varying(3)", OidVarchar},
		{"character varying", nil, "character varying", OidVarchar},
		{"varchar", []int32{0}, "22023 length for type varchar must be at least 1", 0},
		{"char", nil, "character(1)", OidBpchar},
		{"character", []int32{4}, "character(4)", OidBpchar},
		{"bpchar", nil, "character", OidBpchar},
		{"char", []int32{10485761}, "22023 length for type bpchar cannot exceed 10485760", 0},
		{"name", nil, "name", OidName},
		{"bytea", nil, "bytea", OidBytea},
		{"date", nil, "date", OidDate},
		{"timestamp", nil, "timestamp without time zone", OidTimestamp},
		{"timestamp without time zone", nil, "timestamp without time zone", OidTimestamp},
		{"timestamptz", nil, "timestamp with time zone", OidTimestampTZ},
		{"timestamp with time zone", []int32{3}, "timestamp(3) with time zone", OidTimestampTZ},
		{"timestamp", []int32{7}, "timestamp(6) without time zone", OidTimestamp},
		{"timestamp", []int32{-1}, "22023 TIMESTAMP(-1) precision must not be negative", 0},
		{"interval", []int32{2}, "interval(2)", OidInterval},
		{"interval", nil, "interval", OidInterval},
		{"uuid", nil, "uuid", OidUUID},
		{"json", nil, "json", OidJSON},
		{"jsonb", nil, "jsonb", OidJSONB},
		{"oid", nil, "oid", OidOid},
		{"regclass", nil, "regclass", OidRegclass},
		{"regtype", nil, "regtype", OidRegtype},
		{"regproc", nil, "regproc", OidRegproc},
		{"vector", nil, "vector", OidVector},
		{"vector", []int32{3}, "vector(3)", OidVector},
		{"vector", []int32{0}, "22023 dimensions for type vector must be at least 1", 0},
		{"vector", []int32{16001}, "22023 dimensions for type vector cannot exceed 16000", 0},
		{"_int4", nil, "integer[]", 1007},
		{"_text", nil, "text[]", 1009},
		{"int4[]", nil, "integer[]", 1007},
		{"_integer", nil, `42704 type "_integer" does not exist`, 0},
		{"widget", nil, `42704 type "widget" does not exist`, 0},
		{"time", nil, "0A000 type time is not supported yet", 0},
		{"inet", nil, "0A000 type inet is not supported yet", 0},
		{"int4", []int32{3}, `42601 type modifier is not allowed for type "int4"`, 0},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.name, tc.mods), func(t *testing.T) {
			got, err := Resolve(tc.name, tc.mods)
			if err != nil {
				if codeMsg(err) != tc.want {
					t.Fatalf("error %q, want %q", codeMsg(err), tc.want)
				}
				return
			}
			if got.String() != tc.want || got.OID() != tc.oid {
				t.Fatalf("got %s (oid %d), want %s (oid %d)", got, got.OID(), tc.want, tc.oid)
			}
		})
	}
}

// Vector behaviour follows pgvector's vector_in/vector_out and its
// test/expected/input.out (the PostgreSQL here has no pgvector to ask).
func TestVectorText(t *testing.T) {
	tests := []struct {
		typ  *T
		in   string
		want string // output, or SQLSTATE and message
	}{
		{Vector, "[1,2,3]", "[1,2,3]"},
		{Vector, "[-1,-2,-3]", "[-1,-2,-3]"},
		{Vector, "[1.,2.,3.]", "[1,2,3]"},
		{Vector, " [ 1,  2 ,    3  ] ", "[1,2,3]"},
		{Vector, "[1.23456]", "[1.23456]"},
		{Vector, "[0.1,2.5,1e-05]", "[0.1,2.5,1e-05]"},
		{Vector, "[1.5e38,-1.5e38]", "[1.5e+38,-1.5e+38]"},
		{Vector, "[1.5e-38,-1.5e-38]", "[1.5e-38,-1.5e-38]"},
		{Vector, "[123456789]", "[1.2345679e+08]"},
		{Vector, "[hello,1]", `22P02 invalid input syntax for type vector: "[hello,1]"`},
		{Vector, "[NaN,1]", "22000 NaN not allowed in vector"},
		{Vector, "[Infinity,1]", "22000 infinite value not allowed in vector"},
		{Vector, "[-Infinity,1]", "22000 infinite value not allowed in vector"},
		{Vector, "[4e38,1]", `22003 "4e38" is out of range for type vector`},
		{Vector, "[1,-4e38]", `22003 "-4e38" is out of range for type vector`},
		{Vector, "[1e-46,1]", "[0,1]"},
		{Vector, "[1,2,3", `22P02 invalid input syntax for type vector: "[1,2,3"`},
		{Vector, "[1,2,3]9", `22P02 invalid input syntax for type vector: "[1,2,3]9"`},
		{Vector, "1,2,3", `22P02 invalid input syntax for type vector: "1,2,3"`},
		{Vector, "[", `22P02 invalid input syntax for type vector: "["`},
		{Vector, "[]", "22000 vector must have at least 1 dimension"},
		{Vector, "[ ]", "22000 vector must have at least 1 dimension"},
		{Vector, "[1,]", `22P02 invalid input syntax for type vector: "[1,]"`},
		{Vector, "[1a]", `22P02 invalid input syntax for type vector: "[1a]"`},
		{Vector, "[1,,3]", `22P02 invalid input syntax for type vector: "[1,,3]"`},
		{VectorN(2), "[1,2,3]", "22000 expected 2 dimensions, not 3"},
		{VectorN(3), "[1,2,3]", "[1,2,3]"},
		{ArrayOf(Vector), `{"[1,2,3]","[4,5,6]"}`, `{"[1,2,3]","[4,5,6]"}`},
		{ArrayOf(VectorN(2)), `{"[1,2,3]"}`, "22000 expected 2 dimensions, not 3"},
	}
	for _, tc := range tests {
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

func TestVectorBinary(t *testing.T) {
	v := DVector{1, 2.5, -3}
	b, err := EncodeBinary(nil, Vector, v)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprintf("%x", b), "000300003f80000040200000c0400000"; got != want {
		t.Fatalf("EncodeBinary = %s, want %s", got, want)
	}
	back, err := DecodeBinary(Vector, b)
	if err != nil || Compare(Vector, back, v) != 0 {
		t.Fatalf("DecodeBinary = %v, %v", back, err)
	}
	bad := []binaryErrorCase{
		{"00000000", Vector, "22000 vector must have at least 1 dimension"},
		{"000100013f800000", Vector, "22000 expected unused to be 0, not 1"},
		{"000200003f800000", Vector, "22P03 incorrect binary data format"},
		{"000100007fc00000", Vector, "22000 NaN not allowed in vector"},
		{"000100007f800000", Vector, "22000 infinite value not allowed in vector"},
		{"000100003f800000", VectorN(2), "22000 expected 2 dimensions, not 1"},
		{"0001", Vector, "22P03 incorrect binary data format"},
	}
	checkBinaryErrors(t, bad)
}

func TestVectorCompareAndCast(t *testing.T) {
	cmp := []struct {
		a, b string
		want int
	}{
		{"[1,2,3]", "[1,2,3]", 0},
		{"[1,2,3]", "[1,2,4]", -1},
		{"[1,2]", "[1,2,3]", -1},
		{"[2]", "[1,2,3]", 1},
		{"[-1]", "[0]", -1},
	}
	for _, tc := range cmp {
		a, _ := ParseText(Vector, tc.a)
		b, _ := ParseText(Vector, tc.b)
		if got := Compare(Vector, a, b); got != tc.want {
			t.Errorf("Compare(%s, %s) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
	casts := []struct {
		from *T
		in   string
		to   *T
		ctx  CastContext
		want string
	}{
		{ArrayOf(Float4), "{1,2.5,3}", Vector, CastAssignment, "[1,2.5,3]"},
		{ArrayOf(Float8), "{1,2.5,3}", VectorN(3), CastExplicit, "[1,2.5,3]"},
		{ArrayOf(Int4), "{1,2}", Vector, CastExplicit, "[1,2]"},
		{ArrayOf(Numeric), "{1.25,2}", Vector, CastExplicit, "[1.25,2]"},
		{ArrayOf(Int4), "{1,NULL}", Vector, CastExplicit, "22004 array must not contain nulls"},
		{ArrayOf(Int4), "{}", Vector, CastExplicit, "22000 vector must have at least 1 dimension"},
		{ArrayOf(Float8), "{NaN}", Vector, CastExplicit, "22000 NaN not allowed in vector"},
		{ArrayOf(Float8), "{1,2}", VectorN(3), CastExplicit, "22000 expected 3 dimensions, not 2"},
		{ArrayOf(Float4), "{1,2}", Vector, CastImplicit, "42846 cannot cast type real[] to vector"},
		{Vector, "[1,2.5]", ArrayOf(Float4), CastImplicit, "{1,2.5}"},
		{Vector, "[1,2]", VectorN(3), CastImplicit, "22000 expected 3 dimensions, not 2"},
		{Vector, "[1,2]", Text, CastExplicit, "[1,2]"},
		{Text, "[1,2]", VectorN(2), CastExplicit, "[1,2]"},
		{Unknown, "[1,2]", VectorN(3), CastImplicit, "22000 expected 3 dimensions, not 2"},
	}
	for _, tc := range casts {
		d, err := ParseText(tc.from, tc.in)
		if err != nil {
			t.Fatalf("ParseText(%s, %q): %v", tc.from, tc.in, err)
		}
		var got string
		if !CanCast(tc.from, tc.to, tc.ctx) {
			got = fmt.Sprintf("42846 cannot cast type %s to %s", tc.from, tc.to)
		} else if r, err := Cast(d, tc.from, tc.to, tc.ctx); err != nil {
			got = codeMsg(err)
		} else {
			got = FormatText(tc.to, r)
		}
		if got != tc.want {
			t.Errorf("Cast(%s %q -> %s) = %s, want %s", tc.from, tc.in, tc.to, got, tc.want)
		}
	}
}

func TestCanCast(t *testing.T) {
	tests := []struct {
		from, to *T
		ctx      CastContext
		want     bool
	}{
		{Int2, Int4, CastImplicit, true},
		{Int4, Int8, CastImplicit, true},
		{Int8, Numeric, CastImplicit, true},
		{Numeric, Float4, CastImplicit, true},
		{Float4, Float8, CastImplicit, true},
		{Int8, Int4, CastImplicit, false},
		{Int8, Int4, CastAssignment, true},
		{Float8, Numeric, CastAssignment, true},
		{Numeric, Int4, CastImplicit, false},
		{Text, Varchar, CastImplicit, true},
		{Varchar, Text, CastImplicit, true},
		{Bpchar, Text, CastImplicit, true},
		{Unknown, Date, CastImplicit, true},
		{Text, Int4, CastAssignment, false},
		{Text, Int4, CastExplicit, true},
		{Int4, Text, CastImplicit, false},
		{Int4, Text, CastAssignment, true},
		{Bool, Int4, CastAssignment, false},
		{Bool, Int4, CastExplicit, true},
		{Int8, Bool, CastExplicit, false},
		{Date, Timestamp, CastImplicit, true},
		{Timestamp, TimestampTZ, CastImplicit, true},
		{TimestampTZ, Timestamp, CastImplicit, false},
		{TimestampTZ, Timestamp, CastAssignment, true},
		{JSON, JSONB, CastImplicit, false},
		{JSON, JSONB, CastAssignment, true},
		{JSONB, Numeric, CastExplicit, true},
		{UUID, Int4, CastExplicit, false},
		{Int4, Oid, CastImplicit, true},
		{Regclass, Oid, CastImplicit, true},
		{ArrayOf(Int4), ArrayOf(Int8), CastImplicit, true},
		{ArrayOf(Int8), ArrayOf(Int4), CastImplicit, false},
		{VarcharN(3), VarcharN(5), CastImplicit, true},
	}
	for _, tc := range tests {
		if got := CanCast(tc.from, tc.to, tc.ctx); got != tc.want {
			t.Errorf("CanCast(%s, %s, %d) = %v, want %v", tc.from, tc.to, tc.ctx, got, tc.want)
		}
	}
}

func TestTimestampTZLoc(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tz database")
	}
	kol, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Skip("no tz database")
	}
	tests := []struct {
		in   string
		loc  *time.Location
		want string
	}{
		// Checked against PostgreSQL 15 with SET TimeZone.
		{"2026-01-02 03:04:05+00", ny, "2026-01-01 22:04:05-05"},
		{"2026-07-02 03:04:05+00", ny, "2026-07-01 23:04:05-04"},
		{"2026-01-02 03:04:05.5+00", kol, "2026-01-02 08:34:05.5+05:30"},
		{"1900-01-01 00:00:00+00", kol, "1900-01-01 05:21:10+05:21:10"},
	}
	for _, tc := range tests {
		d, err := ParseText(TimestampTZ, tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(AppendTextLoc(nil, TimestampTZ, d, tc.loc)); got != tc.want {
			t.Errorf("AppendTextLoc(%q, %s) = %q, want %q", tc.in, tc.loc, got, tc.want)
		}
	}
	// A zone-less literal is read in the session's zone.
	d, err := ParseTextLoc(TimestampTZ, "2026-01-02 03:04:05", ny)
	if err != nil {
		t.Fatal(err)
	}
	if got := FormatText(TimestampTZ, d); got != "2026-01-02 08:04:05+00" {
		t.Errorf("zone-less input in New York = %q", got)
	}
}

func TestTypmodAndNumericLimits(t *testing.T) {
	mods := []struct {
		typ  *T
		want int32
	}{
		{TimeP(Timestamp, 3), 3},
		{TimeP(TimestampTZ, 0), 0},
		{TimeP(Interval, 2), 2147418114}, // checked in pg_attribute.atttypmod
		{Timestamp, -1},
		{VarcharN(10), 14},
		{NumericPS(10, 2), 655366},
		{VectorN(3), 3},
		{ArrayOf(VarcharN(3)), 7},
	}
	for _, tc := range mods {
		if got := tc.typ.Typmod(); got != tc.want {
			t.Errorf("%s.Typmod() = %d, want %d", tc.typ, got, tc.want)
		}
	}
	limits := []struct {
		in      string
		wantLen int
		wantErr string
	}{
		{"1e131071", 131072, ""},
		{"1e131072", 0, "22003 value overflows numeric format"},
		{"1e-16383", 16385, ""},
		{"1e-16384", 0, "22003 value overflows numeric format"},
	}
	for _, tc := range limits {
		d, err := ParseText(Numeric, tc.in)
		if codeMsg(err) != tc.wantErr {
			t.Errorf("ParseText(numeric, %s) error %q, want %q", tc.in, codeMsg(err), tc.wantErr)
			continue
		}
		if err == nil && len(FormatText(Numeric, d)) != tc.wantLen {
			t.Errorf("ParseText(numeric, %s) printed %d characters, want %d", tc.in, len(FormatText(Numeric, d)), tc.wantLen)
		}
	}
}

func TestFloatNaNBinary(t *testing.T) {
	for _, tc := range []struct {
		typ  *T
		d    Datum
		want string
	}{
		{Float8, DFloat(math.NaN()), "7ff8000000000000"},
		{Float4, DFloat(math.NaN()), "7fc00000"},
		{Float8, DFloat(math.Copysign(0, -1)), "8000000000000000"},
	} {
		b, err := EncodeBinary(nil, tc.typ, tc.d)
		if err != nil || fmt.Sprintf("%x", b) != tc.want {
			t.Errorf("EncodeBinary(%s, %v) = %x, %v; want %s", tc.typ, tc.d, b, err, tc.want)
		}
	}
}

func TestRecordOutput(t *testing.T) {
	tup := DTuple{DInt(1), DString("a b"), Null, DBool(true)}
	if got, want := FormatText(Record, tup), `(1,"a b",,t)`; got != want {
		t.Errorf("FormatText(record) = %s, want %s", got, want)
	}
	// Both checked with PostgreSQL 15: SELECT row(1,'a"b','').
	if got, want := FormatText(Record, DTuple{DInt(1), DString(`a"b`), DString("")}), `(1,"a""b","")`; got != want {
		t.Errorf("FormatText(record) = %s, want %s", got, want)
	}
	b, err := EncodeBinary(nil, Record, DTuple{DInt(7), Null})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprintf("%x", b), "00000002"+"00000014"+"00000008"+"0000000000000007"+"00000019"+"ffffffff"; got != want {
		t.Errorf("EncodeBinary(record) = %s, want %s", got, want)
	}
}

func TestClockWords(t *testing.T) {
	now := time.Now().UTC()
	today := now.Format("2006-01-02")
	tests := []struct {
		typ  *T
		in   string
		want string
	}{
		{Date, "today", today},
		{Date, "TOMORROW", now.AddDate(0, 0, 1).Format("2006-01-02")},
		{Date, "yesterday", now.AddDate(0, 0, -1).Format("2006-01-02")},
		{Timestamp, "today", today + " 00:00:00"},
		{TimestampTZ, "today", today + " 00:00:00+00"},
	}
	for _, tc := range tests {
		d, err := ParseText(tc.typ, tc.in)
		if err != nil {
			t.Fatalf("ParseText(%s, %q): %v", tc.typ, tc.in, err)
		}
		if got := FormatText(tc.typ, d); got != tc.want && time.Now().UTC().Format("2006-01-02") == today {
			t.Errorf("ParseText(%s, %q) = %s, want %s", tc.typ, tc.in, got, tc.want)
		}
	}
	d, err := ParseText(TimestampTZ, "now")
	if err != nil {
		t.Fatal(err)
	}
	got := time.Unix(0, 0).Add(time.Duration(int64(d.(DTimestampTZ))+int64(pgEpochJDate-unixEpochJDate)*usecsPerDay) * time.Microsecond)
	if diff := time.Since(got); diff < 0 || diff > time.Minute {
		t.Errorf("now parsed as %v, %v from the clock", got, diff)
	}
}

func TestMultidimensionalArraysRefused(t *testing.T) {
	for _, in := range []string{"{{1,2},{3,4}}", "[1:2]={1,2}"} {
		_, err := ParseText(ArrayOf(Int4), in)
		if got := codeMsg(err); len(got) < 5 || got[:5] != "0A000" {
			t.Errorf("ParseText(int[], %q) = %q, want 0A000", in, got)
		}
	}
}

func TestNoPanicOnBadInput(t *testing.T) {
	types := []*T{Bool, Int2, Int4, Int8, Float4, Float8, Numeric, Text, Bytea, Date, Timestamp, TimestampTZ,
		Interval, UUID, JSON, JSONB, Oid, Vector, ArrayOf(Int4), ArrayOf(Text)}
	inputs := []string{"", " ", "{", "[", "\\", "\\x", "-", "+", "P", "PT", "1:", ":", "@", "ago", "\"", "{\"", "[1,", "\\u", "1e", "T"}
	for _, typ := range types {
		for _, in := range inputs {
			d, err := ParseText(typ, in)
			if err == nil {
				_ = FormatText(typ, d)
			} else if codeMsg(err)[:2] == "GO" {
				t.Errorf("ParseText(%s, %q) gave a plain Go error: %v", typ, in, err)
			}
			_, _ = DecodeBinary(typ, []byte(in))
		}
	}
}

// TestDecimalFloat32 checks the vector parser's fast path against
// strconv's correctly rounded float32 on random decimals of every length
// it accepts, on values next to float32 rounding midpoints, and on the
// forms it must leave to the slow path.
func TestDecimalFloat32(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	check := func(tok string) {
		t.Helper()
		want, err := strconv.ParseFloat(tok, 32)
		got, n, ok := parseDecimalFloat32(tok)
		if !ok {
			return
		}
		if err != nil || n != len(tok) || math.Float32bits(got) != math.Float32bits(float32(want)) {
			t.Fatalf("%q: fast path %v (%d bytes), strconv %v (%v)", tok, got, n, float32(want), err)
		}
	}
	fast := 0
	for range 200000 {
		intPart := strconv.FormatUint(rng.Uint64N(1_000_000), 10)
		frac := strconv.FormatUint(rng.Uint64(), 10)[:rng.IntN(16)]
		tok := intPart + "." + frac
		if rng.IntN(2) == 0 {
			tok = "-" + tok
		}
		check(tok)
		if _, _, ok := parseDecimalFloat32(tok); ok {
			fast++
		}
		// Halfway between two float32 values: exactly representable in a
		// float64, and a decimal with few enough digits when the exponent
		// is small.
		f := float32(rng.Float64() * 100)
		mid := (float64(f) + float64(math.Nextafter32(f, 200))) / 2
		check(strconv.FormatFloat(mid, 'f', -1, 64))
		check(strconv.FormatFloat(float64(f), 'f', -1, 32))
	}
	if fast < 100000 {
		t.Fatalf("fast path taken for only %d of 200000 plain decimals", fast)
	}
	for _, tok := range []string{"1e5", "0x10", "1_0", ".", "-", "+", "", "1.2.3", "inf", "nan", "1e-50", "1234567890123456", "0.000000000000000000000001"} {
		if _, n, ok := parseDecimalFloat32(tok); ok && n == len(tok) {
			t.Errorf("%q: fast path accepted the whole token", tok)
		}
	}
	for tok, want := range map[string]float32{"1.": 1, ".5": 0.5, "+2.25": 2.25, "-0": float32(math.Copysign(0, -1)), "007": 7} {
		got, n, ok := parseDecimalFloat32(tok)
		if !ok || n != len(tok) || math.Float32bits(got) != math.Float32bits(want) {
			t.Errorf("%q: got %v (%d bytes, %v), want %v", tok, got, n, ok, want)
		}
	}
}

func BenchmarkParseVector128(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	parts := make([]string, 128)
	for i := range parts {
		parts[i] = strconv.FormatFloat(rng.NormFloat64(), 'f', -1, 32)
	}
	s := "[" + strings.Join(parts, ",") + "]"
	for b.Loop() {
		if _, err := ParseText(Vector, s); err != nil {
			b.Fatal(err)
		}
	}
}

// binaryErrorCase is a hex-encoded binary value that DecodeBinary must
// refuse with want ("SQLSTATE message").
type binaryErrorCase struct {
	in   string
	typ  *T
	want string
}

func checkBinaryErrors(t *testing.T, cases []binaryErrorCase) {
	t.Helper()
	for _, tc := range cases {
		var raw []byte
		fmt.Sscanf(tc.in, "%x", &raw)
		_, err := DecodeBinary(tc.typ, raw)
		if codeMsg(err) != tc.want {
			t.Errorf("DecodeBinary(%s) error %q, want %q", tc.in, codeMsg(err), tc.want)
		}
	}
}
