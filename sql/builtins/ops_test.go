package builtins

import (
	"math"
	"testing"

	"github.com/quiverdb/quiver/sql/types"
)

func TestArithmeticOperators(t *testing.T) {
	runBinary(t, []evalCase{
		{name: "+", typs: ts(i4, i4), args: ds(iv(1), iv(2)), want: "3"},
		{name: "+", typs: ts(i4, i4), args: ds(iv(math.MaxInt32), iv(1)), code: "22003", msg: "integer out of range"},
		{name: "+", typs: ts(i2, i2), args: ds(iv(32767), iv(1)), code: "22003", msg: "smallint out of range"},
		{name: "+", typs: ts(i2, i4), args: ds(iv(32767), iv(1)), want: "32768"},
		{name: "*", typs: ts(i8, i8), args: ds(iv(math.MaxInt64), iv(2)), code: "22003", msg: "bigint out of range"},
		{name: "*", typs: ts(i8, i8), args: ds(iv(math.MinInt64), iv(-1)), code: "22003", msg: "bigint out of range"},
		{name: "*", typs: ts(i8, i8), args: ds(iv(-3), iv(4)), want: "-12"},
		{name: "-", typs: ts(i8, i8), args: ds(iv(math.MinInt64), iv(1)), code: "22003"},
		{name: "/", typs: ts(i4, i4), args: ds(iv(7), iv(2)), want: "3"},
		{name: "/", typs: ts(i4, i4), args: ds(iv(-7), iv(2)), want: "-3"},
		{name: "/", typs: ts(i4, i4), args: ds(iv(1), iv(0)), code: "22012", msg: "division by zero"},
		{name: "/", typs: ts(i4, i4), args: ds(iv(math.MinInt32), iv(-1)), code: "22003", msg: "integer out of range"},
		{name: "%", typs: ts(i4, i4), args: ds(iv(-7), iv(3)), want: "-1"},
		{name: "%", typs: ts(i4, i4), args: ds(iv(7), iv(0)), code: "22012"},
		{name: "+", typs: ts(i4, unk), args: ds(iv(1), iv(2)), want: "3"},
		{name: "+", typs: ts(i4, num), args: ds(iv(1), nv("2.50")), want: "3.50"},
		{name: "+", typs: ts(i4, f8), args: ds(iv(1), fv(2.5)), want: "3.5"},
		{name: "/", typs: ts(f8, f8), args: ds(fv(1), fv(0)), code: "22012", msg: "division by zero"},
		{name: "*", typs: ts(f8, f8), args: ds(fv(1e300), fv(1e300)), code: "22003", msg: "value out of range: overflow"},
		{name: "+", typs: ts(f4, f4), args: ds(fv(0.1), fv(0.2)), want: "0.30000001192092896"},
		{name: "/", typs: ts(num, num), args: ds(nv("1"), nv("3")), want: "0.33333333333333333333"},
		{name: "/", typs: ts(num, num), args: ds(nv("10"), nv("4")), want: "2.5000000000000000"},
		{name: "/", typs: ts(num, num), args: ds(nv("1"), nv("0")), code: "22012", msg: "division by zero"},
		{name: "/", typs: ts(num, num), args: ds(nv("123456789.123"), nv("0.007")), want: "17636684160.42857143"},
		{name: "*", typs: ts(num, num), args: ds(nv("1.10"), nv("2.5")), want: "2.750"},
		{name: "-", typs: ts(num, num), args: ds(nv("1.10"), nv("2.5")), want: "-1.40"},
		{name: "%", typs: ts(num, num), args: ds(nv("10.5"), nv("3")), want: "1.5"},
		{name: "^", typs: ts(num, num), args: ds(nv("2"), nv("10")), want: "1024.0000000000000000"},
		{name: "^", typs: ts(num, num), args: ds(nv("2.5"), nv("2")), want: "6.2500000000000000"},
		{name: "^", typs: ts(num, num), args: ds(nv("2"), nv("0.5")), want: "1.4142135623730950"},
		{name: "^", typs: ts(num, num), args: ds(nv("10"), nv("-2")), want: "0.0100000000000000"},
		{name: "^", typs: ts(num, num), args: ds(nv("0.001"), nv("2")), want: "0.0000010000000000"},
		{name: "^", typs: ts(num, num), args: ds(nv("1.5"), nv("2.5")), want: "2.7556759606310754"},
		{name: "^", typs: ts(num, num), args: ds(nv("2"), nv("100")), want: "1267650600228229401496703205376.0000000000000000"},
		{name: "^", typs: ts(i4, i4), args: ds(iv(2), iv(3)), want: "8"},
		{name: "-", typs: ts(i4), args: ds(iv(5)), want: "-5"},
		{name: "-", typs: ts(i2), args: ds(iv(-32768)), code: "22003", msg: "smallint out of range"},
		{name: "@", typs: ts(num), args: ds(nv("-1.5")), want: "1.5"},
		{name: "+", typs: ts(i4, txt), code: "42883", msg: "operator does not exist: integer + text"},
		{name: "+", typs: ts(unk, unk), code: "42725", msg: "operator is not unique: unknown + unknown"},
		{name: "-", typs: ts(txt), code: "42883", msg: "operator does not exist: - text"},
	})
}

func TestComparisonOperators(t *testing.T) {
	runBinary(t, []evalCase{
		{name: "=", typs: ts(i4, i8), args: ds(iv(1), iv(1)), want: "t"},
		{name: "<", typs: ts(i4, num), args: ds(iv(1), nv("1.5")), want: "t"},
		{name: ">=", typs: ts(f8, i4), args: ds(fv(math.NaN()), iv(1)), want: "t"},
		{name: "<>", typs: ts(txt, unk), args: ds(sv("a"), sv("b")), want: "t"},
		{name: "<", typs: ts(txt, txt), args: ds(sv("B"), sv("a")), want: "t"},
		{name: "=", typs: ts(types.Bpchar, types.Bpchar), args: ds(sv("a  "), sv("a")), want: "t"},
		{name: "=", typs: ts(types.Varchar, txt), args: ds(sv("a"), sv("a")), want: "t"},
		{name: "!=", typs: ts(types.Bool, types.Bool), args: ds(bv(true), bv(false)), want: "t"},
		{name: "<", typs: ts(types.Date, types.Timestamp), args: ds(types.DDate(0), types.DTimestamp(1)), want: "t"},
		{name: "=", typs: ts(types.Interval, types.Interval), args: ds(types.DInterval{Months: 1}, types.DInterval{Days: 30}), want: "t"},
		{name: "=", typs: ts(i4, txt), code: "42883", msg: "operator does not exist: integer = text"},
		{name: "=", typs: ts(i4, unk), args: ds(iv(1), iv(1)), want: "t"},
		{name: "=", typs: ts(unk, unk), args: ds(sv("x"), sv("x")), want: "t"},
	})
}

func TestTextOperators(t *testing.T) {
	runBinary(t, []evalCase{
		{name: "||", typs: ts(txt, txt), args: ds(sv("ab"), sv("cd")), want: "abcd"},
		{name: "||", typs: ts(unk, unk), args: ds(sv("ab"), sv("cd")), want: "abcd"},
		{name: "||", typs: ts(i4, txt), args: ds(iv(1), sv("x")), want: "1x"},
		{name: "||", typs: ts(txt, types.Bool), args: ds(sv("x"), bv(true)), want: "xt"},
		{name: "||", typs: ts(txt, txt), args: ds(sv("ab"), types.Null), want: "NULL"},
		{name: "LIKE", typs: ts(txt, unk), args: ds(sv("hello"), sv("h%o")), want: "t"},
		{name: "LIKE", typs: ts(txt, unk), args: ds(sv("hello"), sv("h_llo")), want: "t"},
		{name: "LIKE", typs: ts(txt, unk), args: ds(sv("hello"), sv("H%")), want: "f"},
		{name: "ILIKE", typs: ts(txt, unk), args: ds(sv("hello"), sv("H%")), want: "t"},
		{name: "NOT LIKE", typs: ts(txt, unk), args: ds(sv("hello"), sv("%x%")), want: "t"},
		{name: "NOT ILIKE", typs: ts(txt, unk), args: ds(sv("hello"), sv("%L%")), want: "f"},
		{name: "LIKE", typs: ts(txt, unk), args: ds(sv("a%b"), sv(`a\%b`)), want: "t"},
		{name: "LIKE", typs: ts(txt, unk), args: ds(sv("axb"), sv(`a\%b`)), want: "f"},
		{name: "LIKE", typs: ts(txt, unk), args: ds(sv("ab"), sv(`ab\`)), code: "22025", msg: "LIKE pattern must not end with escape character"},
		{name: "LIKE", typs: ts(txt, unk), args: ds(sv("abcabc"), sv("%abc")), want: "t"},
		{name: "LIKE", typs: ts(txt, unk), args: ds(sv(""), sv("%")), want: "t"},
		{name: "LIKE", typs: ts(txt, unk), args: ds(sv("ü"), sv("_")), want: "t"},
		{name: "~~", typs: ts(txt, unk), args: ds(sv("abc"), sv("a%")), want: "t"},
		{name: "LIKE", typs: ts(i4, unk), code: "42883", msg: "operator does not exist: integer ~~ unknown"},
		{name: "~", typs: ts(txt, unk), args: ds(sv("hello"), sv("^h.*o$")), want: "t"},
		{name: "~*", typs: ts(txt, unk), args: ds(sv("HELLO"), sv("^h")), want: "t"},
		{name: "!~", typs: ts(txt, unk), args: ds(sv("hello"), sv("^x")), want: "t"},
		{name: "!~*", typs: ts(txt, unk), args: ds(sv("hello"), sv("^H")), want: "f"},
		{name: "~", typs: ts(txt, unk), args: ds(sv("x"), sv("(")), code: "2201B"},
	})
	runFuncs(t, []evalCase{
		{name: "like_escape", typs: ts(txt, txt), args: ds(sv("a#%b"), sv("#")), want: `a\%b`},
		{name: "like", typs: ts(txt, txt, txt), args: ds(sv("a%b"), sv("a#%b"), sv("#")), want: "t"},
		{name: "like", typs: ts(txt, txt, txt), args: ds(sv("a\\b"), sv("a\\b"), sv("")), want: "t"},
	})
}

func TestRegexFunctions(t *testing.T) {
	runFuncs(t, []evalCase{
		{name: "regexp_replace", typs: ts(txt, unk, unk), args: ds(sv("foobarbaz"), sv("b(..)"), sv(`X\1Y`)), want: "fooXarYbaz"},
		{name: "regexp_replace", typs: ts(txt, unk, unk, unk), args: ds(sv("foobarbaz"), sv("b(..)"), sv(`X\1Y`), sv("g")), want: "fooXarYXazY"},
		{name: "regexp_replace", typs: ts(txt, unk, unk, unk), args: ds(sv("ABC"), sv("b"), sv("$"), sv("gi")), want: "A$C"},
		{name: "regexp_replace", typs: ts(txt, unk, unk, unk), args: ds(sv("x"), sv("b"), sv(""), sv("q")), code: "22023", msg: `invalid regular expression option: "q"`},
		{name: "regexp_match", typs: ts(txt, unk), args: ds(sv("foobarbequebaz"), sv("(bar)(beque)")), want: "{bar,beque}"},
		{name: "regexp_match", typs: ts(txt, unk), args: ds(sv("abc"), sv("z")), want: "NULL"},
		{name: "regexp_match", typs: ts(txt, unk), args: ds(sv("abc"), sv("b.")), want: "{bc}"},
		{name: "regexp_split_to_array", typs: ts(txt, unk), args: ds(sv("a1b22c"), sv(`\d+`)), want: "{a,b,c}"},
	})
	if got := joinSpace(collect(t, "regexp_matches", ts(txt, unk, unk), ds(sv("a1b2"), sv(`(\d)`), sv("g")))); got != "{1} {2}" {
		t.Errorf("regexp_matches = %q", got)
	}
}
