package builtins

import (
	"testing"

	"github.com/quiverdb/quiver/sql/types"
)

func TestMathFunctions(t *testing.T) {
	runFuncs(t, []evalCase{
		{name: "abs", typs: ts(i4), args: ds(iv(-3)), want: "3"},
		{name: "abs", typs: ts(num), args: ds(nv("-3.50")), want: "3.50"},
		{name: "abs", typs: ts(f8), args: ds(fv(-2.5)), want: "2.5"},
		{name: "ceil", typs: ts(num), args: ds(nv("-1.5")), want: "-1"},
		{name: "ceiling", typs: ts(f8), args: ds(fv(1.2)), want: "2"},
		{name: "floor", typs: ts(num), args: ds(nv("-1.5")), want: "-2"},
		{name: "round", typs: ts(num), args: ds(nv("2.5")), want: "3"},
		{name: "round", typs: ts(f8), args: ds(fv(2.5)), want: "2"},
		{name: "round", typs: ts(num, i4), args: ds(nv("3.14159"), iv(2)), want: "3.14"},
		{name: "round", typs: ts(num, i4), args: ds(nv("1234.5"), iv(-2)), want: "1200"},
		{name: "round", typs: ts(i4, i4), args: ds(iv(7), iv(1)), want: "7.0"},
		{name: "round", typs: ts(i4), args: ds(iv(7)), want: "7"},
		{name: "trunc", typs: ts(num, i4), args: ds(nv("-3.789"), iv(1)), want: "-3.7"},
		{name: "trunc", typs: ts(f8), args: ds(fv(-3.7)), want: "-3"},
		{name: "sqrt", typs: ts(f8), args: ds(fv(16)), want: "4"},
		{name: "sqrt", typs: ts(num), args: ds(nv("2")), want: "1.414213562373095"},
		{name: "sqrt", typs: ts(f8), args: ds(fv(-1)), code: "2201F", msg: "cannot take square root of a negative number"},
		{name: "sqrt", typs: ts(i4), args: ds(iv(4)), want: "2"},
		{name: "cbrt", typs: ts(f8), args: ds(fv(27)), want: "3"},
		{name: "power", typs: ts(i4, i4), args: ds(iv(2), iv(10)), want: "1024"},
		{name: "pow", typs: ts(num, num), args: ds(nv("2"), nv("3")), want: "8.0000000000000000"},
		{name: "exp", typs: ts(num), args: ds(nv("1")), want: "2.7182818284590452"},
		{name: "ln", typs: ts(num), args: ds(nv("10")), want: "2.3025850929940457"},
		{name: "ln", typs: ts(f8), args: ds(fv(0)), code: "2201E", msg: "cannot take logarithm of zero"},
		{name: "log", typs: ts(num), args: ds(nv("100")), want: "2.0000000000000000"},
		{name: "log", typs: ts(f8), args: ds(fv(1000)), want: "3"},
		{name: "log", typs: ts(num, num), args: ds(nv("2"), nv("8")), want: "3.0000000000000000"},
		{name: "mod", typs: ts(i4, i4), args: ds(iv(10), iv(3)), want: "1"},
		{name: "mod", typs: ts(i4, i4), args: ds(iv(10), iv(0)), code: "22012", msg: "division by zero"},
		{name: "mod", typs: ts(num, num), args: ds(nv("10.5"), nv("3")), want: "1.5"},
		{name: "div", typs: ts(num, num), args: ds(nv("9"), nv("4")), want: "2"},
		{name: "sign", typs: ts(num), args: ds(nv("-4.5")), want: "-1"},
		{name: "sign", typs: ts(f8), args: ds(fv(0)), want: "0"},
		{name: "pi", want: "3.141592653589793"},
		{name: "abs", typs: ts(txt), code: "42883", msg: "function abs(text) does not exist"},
		{name: "abs", typs: ts(unk), args: ds(fv(-1)), want: "1"},
	})
	o, _, err := Resolve("random", Functions("random"), nil)
	if err != nil || !o.Volatile {
		t.Fatalf("random: %v volatile=%v", err, o != nil && o.Volatile)
	}
	r, _ := o.Fn(testCtx(), nil)
	if f := float64(r.(types.DFloat)); f < 0 || f >= 1 {
		t.Errorf("random() = %v", f)
	}
}

func TestStringFunctions(t *testing.T) {
	runFuncs(t, []evalCase{
		{name: "length", typs: ts(txt), args: ds(sv("héllo")), want: "5"},
		{name: "char_length", typs: ts(unk), args: ds(sv("abc")), want: "3"},
		{name: "length", typs: ts(types.Bpchar), args: ds(sv("ab  ")), want: "2"},
		{name: "length", typs: ts(types.Varchar), args: ds(sv("ab  ")), want: "4"},
		{name: "octet_length", typs: ts(txt), args: ds(sv("héllo")), want: "6"},
		{name: "lower", typs: ts(txt), args: ds(sv("ABC")), want: "abc"},
		{name: "upper", typs: ts(types.Varchar), args: ds(sv("abc")), want: "ABC"},
		{name: "initcap", typs: ts(txt), args: ds(sv("hello wORLD-foo")), want: "Hello World-Foo"},
		{name: "substr", typs: ts(txt, i4), args: ds(sv("hello"), iv(2)), want: "ello"},
		{name: "substring", typs: ts(txt, i4, i4), args: ds(sv("hello"), iv(2), iv(3)), want: "ell"},
		{name: "substring", typs: ts(txt, i4, i4), args: ds(sv("hello"), iv(-1), iv(3)), want: "h"},
		{name: "substring", typs: ts(txt, i4, i4), args: ds(sv("hello"), iv(1), iv(-1)), code: "22011", msg: "negative substring length not allowed"},
		{name: "position", typs: ts(txt, txt), args: ds(sv("hello"), sv("l")), want: "3"},
		{name: "strpos", typs: ts(txt, txt), args: ds(sv("hello"), sv("z")), want: "0"},
		{name: "replace", typs: ts(txt, txt, txt), args: ds(sv("abab"), sv("b"), sv("X")), want: "aXaX"},
		{name: "trim", typs: ts(txt), args: ds(sv("  x  ")), want: "x"},
		{name: "btrim", typs: ts(txt, txt), args: ds(sv("xxaxx"), sv("x")), want: "a"},
		{name: "ltrim", typs: ts(txt), args: ds(sv("  x  ")), want: "x  "},
		{name: "rtrim", typs: ts(txt, txt), args: ds(sv("axyx"), sv("xy")), want: "a"},
		{name: "lpad", typs: ts(txt, i4), args: ds(sv("hi"), iv(5)), want: "   hi"},
		{name: "lpad", typs: ts(txt, i4, txt), args: ds(sv("hi"), iv(5), sv("ab")), want: "abahi"},
		{name: "rpad", typs: ts(txt, i4, txt), args: ds(sv("hello"), iv(3), sv("x")), want: "hel"},
		{name: "left", typs: ts(txt, i4), args: ds(sv("hello"), iv(-2)), want: "hel"},
		{name: "right", typs: ts(txt, i4), args: ds(sv("hello"), iv(2)), want: "lo"},
		{name: "repeat", typs: ts(txt, i4), args: ds(sv("ab"), iv(3)), want: "ababab"},
		{name: "reverse", typs: ts(txt), args: ds(sv("abc")), want: "cba"},
		{name: "split_part", typs: ts(txt, txt, i4), args: ds(sv("a,b,c"), sv(","), iv(2)), want: "b"},
		{name: "split_part", typs: ts(txt, txt, i4), args: ds(sv("a,b,c"), sv(","), iv(-1)), want: "c"},
		{name: "split_part", typs: ts(txt, txt, i4), args: ds(sv("a,b,c"), sv(","), iv(9)), want: ""},
		{name: "concat", typs: ts(unk, i4, txt, num), args: ds(sv("a"), iv(1), types.Null, nv("2.50")), want: "a12.50"},
		{name: "concat_ws", typs: ts(unk, unk, txt, i4), args: ds(sv(","), sv("a"), types.Null, iv(2)), want: "a,2"},
		{name: "format", typs: ts(unk, unk, unk, i4), args: ds(sv("%s=%L %I"), sv("x"), sv("it's"), iv(5)), want: "x='it''s' \"5\""},
		{name: "format", typs: ts(unk, unk), args: ds(sv("%s %s"), sv("x")), code: "22023", msg: "too few arguments for format()"},
		{name: "format", typs: ts(unk, unk, unk), args: ds(sv("%2$s %1$s"), sv("a"), sv("b")), want: "b a"},
		{name: "md5", typs: ts(txt), args: ds(sv("abc")), want: "900150983cd24fb0d6963f7d28e17f72"},
		{name: "starts_with", typs: ts(txt, txt), args: ds(sv("hello"), sv("he")), want: "t"},
		{name: "translate", typs: ts(txt, txt, txt), args: ds(sv("12345"), sv("143"), sv("ax")), want: "a2x5"},
		{name: "ascii", typs: ts(txt), args: ds(sv("A")), want: "65"},
		{name: "chr", typs: ts(i4), args: ds(iv(955)), want: "λ"},
		{name: "quote_ident", typs: ts(txt), args: ds(sv("Foo bar")), want: `"Foo bar"`},
		{name: "quote_ident", typs: ts(txt), args: ds(sv("select")), want: `"select"`},
		{name: "quote_ident", typs: ts(txt), args: ds(sv("foo_1")), want: `foo_1`},
		{name: "quote_literal", typs: ts(txt), args: ds(sv("it's")), want: `'it''s'`},
		{name: "quote_literal", typs: ts(i4), args: ds(iv(42)), want: `'42'`},
		{name: "lower", typs: ts(txt), args: ds(types.Null), want: "NULL"},
	})
}

func TestByteaFunctions(t *testing.T) {
	by := types.Bytea
	runFuncs(t, []evalCase{
		{name: "encode", typs: ts(by, unk), args: ds(types.DBytes("hi\x00"), sv("hex")), want: "686900"},
		{name: "encode", typs: ts(by, unk), args: ds(types.DBytes("hello"), sv("base64")), want: "aGVsbG8="},
		{name: "encode", typs: ts(by, unk), args: ds(types.DBytes("a\x00\\"), sv("escape")), want: `a\000\\`},
		{name: "encode", typs: ts(by, unk), args: ds(types.DBytes("a"), sv("rot13")), code: "22023", msg: `unrecognized encoding: "rot13"`},
		{name: "decode", typs: ts(unk, unk), args: ds(sv("6869"), sv("hex")), want: `\x6869`},
		{name: "decode", typs: ts(unk, unk), args: ds(sv("aGVsbG8="), sv("base64")), want: `\x68656c6c6f`},
		{name: "sha256", typs: ts(by), args: ds(types.DBytes("abc")), want: `\xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad`},
		{name: "md5", typs: ts(by), args: ds(types.DBytes("abc")), want: "900150983cd24fb0d6963f7d28e17f72"},
		{name: "num_nulls", typs: ts(i4, unk, i4), args: ds(iv(1), types.Null, types.Null), want: "2"},
		{name: "num_nonnulls", typs: ts(i4, unk), args: ds(iv(1), types.Null), want: "1"},
	})
}
