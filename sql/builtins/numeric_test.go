package builtins

import "testing"

// Expected values are PostgreSQL 15's output for the same expressions.
func TestNumericScales(t *testing.T) {
	runBinary(t, []evalCase{
		{name: "/", typs: ts(num, num), args: ds(nv("2"), nv("3")), want: "0.66666666666666666667"},
		{name: "/", typs: ts(num, num), args: ds(nv("100"), nv("7")), want: "14.2857142857142857"},
		{name: "/", typs: ts(num, num), args: ds(nv("1.5"), nv("0.5")), want: "3.0000000000000000"},
		{name: "/", typs: ts(num, num), args: ds(nv("0.001"), nv("3")), want: "0.00033333333333333333"},
		{name: "/", typs: ts(num, num), args: ds(nv("12345678901234567890"), nv("3")), want: "4115226300411522630"},
		{name: "/", typs: ts(num, num), args: ds(nv("1"), nv("70000")), want: "0.000014285714285714285714"},
		{name: "%", typs: ts(num, num), args: ds(nv("-7.5"), nv("2")), want: "-1.5"},
		{name: "/", typs: ts(f8, f8), args: ds(fv(1e-300), fv(1e300)), code: "22003", msg: "value out of range: underflow"},
	})
	runFuncs(t, []evalCase{
		{name: "round", typs: ts(num), args: ds(nv("-2.5")), want: "-3"},
		{name: "round", typs: ts(num, i4), args: ds(nv("2.567"), iv(1)), want: "2.6"},
		{name: "trunc", typs: ts(num), args: ds(nv("2.567")), want: "2"},
		{name: "ln", typs: ts(num), args: ds(nv("2.5")), want: "0.9162907318741551"},
		{name: "log", typs: ts(num), args: ds(nv("0.001")), want: "-3.0000000000000000"},
		{name: "exp", typs: ts(num), args: ds(nv("-1.5")), want: "0.2231301601484298"},
		{name: "sqrt", typs: ts(num), args: ds(nv("0.0002")), want: "0.01414213562373095"},
		{name: "sqrt", typs: ts(num), args: ds(nv("123456789")), want: "11111.11106055556"},
	})
}

func TestNumericPowerEdges(t *testing.T) {
	runBinary(t, []evalCase{
		{name: "^", typs: ts(num, num), args: ds(nv("0"), nv("0")), want: "1.0000000000000000"},
		{name: "^", typs: ts(num, num), args: ds(nv("2"), nv("-1")), want: "0.5000000000000000"},
		{name: "^", typs: ts(num, num), args: ds(nv("-2"), nv("3")), want: "-8.0000000000000000"},
		{name: "^", typs: ts(num, num), args: ds(nv("-8"), nv("0.5")), code: "2201F", msg: "a negative number raised to a non-integer power yields a complex result"},
		{name: "^", typs: ts(num, num), args: ds(nv("0"), nv("-1")), code: "2201F", msg: "zero raised to a negative power is undefined"},
		{name: "^", typs: ts(f8, f8), args: ds(fv(0), fv(-1)), code: "2201F"},
	})
}
