package builtins

import (
	"math"
	"math/rand/v2"

	"github.com/cockroachdb/apd/v3"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

func flt(d types.Datum) float64 { return float64(d.(types.DFloat)) }

func floatFn(f func(float64) (float64, error)) evalFn {
	return func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		r, err := f(flt(a[0]))
		if err != nil {
			return nil, err
		}
		return types.DFloat(r), nil
	}
}

func pure(f func(float64) float64) func(float64) (float64, error) {
	return func(x float64) (float64, error) { return f(x), nil }
}

func decFn(f func(d *apd.Decimal) (*types.DDecimal, error)) evalFn {
	return func(ctx *EvalContext, a []types.Datum) (types.Datum, error) { return f(dec(a[0])) }
}

// decRound rounds to scale digits (negative scales round left of the
// point), half away from zero; trunc rounds toward zero.
func decRound(d *apd.Decimal, scale int64, trunc bool) (*types.DDecimal, error) {
	scale = min(max(scale, -numericMaxScale), numericMaxScale)
	c := exactCtx
	if trunc {
		c.Rounding = apd.RoundDown
	}
	r := newDec()
	if _, err := c.Quantize(&r.Decimal, d, int32(-scale)); err != nil {
		return nil, numericOverflow()
	}
	if scale < 0 {
		// PostgreSQL shows round(1234, -2) as 1200, not 1.2E+3.
		if _, err := c.Quantize(&r.Decimal, &r.Decimal, 0); err != nil {
			return nil, numericOverflow()
		}
	}
	return r, nil
}

func decToIntegral(d *apd.Decimal, rounding apd.Rounder) (*types.DDecimal, error) {
	c := exactCtx
	c.Rounding = rounding
	r := newDec()
	if _, err := c.Quantize(&r.Decimal, d, 0); err != nil {
		return nil, numericOverflow()
	}
	if r.IsZero() {
		r.Negative = false
	}
	return r, nil
}

func errLogZero() error {
	return pgerror.New("2201E", "cannot take logarithm of zero")
}

func errLogNeg() error {
	return pgerror.New("2201E", "cannot take logarithm of a negative number")
}

// estimateLnDweight is PostgreSQL's estimate_ln_dweight: the decimal
// weight of ln(d), which sets ln's and log's result scales.
func estimateLnDweight(d *apd.Decimal) int {
	f := decToFloat(&types.DDecimal{Decimal: *d})
	if f >= 0.9 && f <= 1.1 {
		x := f - 1
		if x == 0 {
			return 0
		}
		return int(math.Floor(math.Log10(math.Abs(x))))
	}
	ln := math.Log(f)
	if ln == 0 {
		return 0
	}
	return int(math.Log10(math.Abs(ln)))
}

// decLog computes ln or log10 with PostgreSQL's result scale (16
// significant digits, at least the input's scale); ln(10) has weight 0,
// so log10 shares ln's estimate.
func decLog(d *apd.Decimal, base10 bool) (*types.DDecimal, error) {
	if d.IsZero() {
		return nil, errLogZero()
	}
	if d.Negative {
		return nil, errLogNeg()
	}
	w := estimateLnDweight(d)
	rs := int32(numericMinSigDigits - w)
	rs = min(max(rs, dscale(d), 0), numericMaxScale)
	c := apd.Context{Precision: uint32(int(rs) + max(w, 0) + 10), MaxExponent: apd.MaxExponent, MinExponent: apd.MinExponent, Traps: apd.DefaultTraps, Rounding: apd.RoundHalfUp}
	r := newDec()
	var err error
	if base10 {
		_, err = c.Log10(&r.Decimal, d)
	} else {
		_, err = c.Ln(&r.Decimal, d)
	}
	if err != nil {
		return nil, numericOverflow()
	}
	if err := roundTo(&r.Decimal, rs); err != nil {
		return nil, numericOverflow()
	}
	return r, nil
}

func registerMath() {
	f8 := params(types.Float8)
	num := params(types.Numeric)
	for _, t := range []*types.T{types.Int2, types.Int4, types.Int8, types.Float4, types.Float8, types.Numeric} {
		addFunc("abs", fn(params(t), t, registry.unary["@"][len(registry.funcs["abs"])].Fn))
	}
	for _, n := range []string{"ceil", "ceiling"} {
		addFunc(n, fn(f8, types.Float8, floatFn(pure(math.Ceil))))
		addFunc(n, fn(num, types.Numeric, decFn(func(d *apd.Decimal) (*types.DDecimal, error) { return decToIntegral(d, apd.RoundCeiling) })))
	}
	addFunc("floor", fn(f8, types.Float8, floatFn(pure(math.Floor))))
	addFunc("floor", fn(num, types.Numeric, decFn(func(d *apd.Decimal) (*types.DDecimal, error) { return decToIntegral(d, apd.RoundFloor) })))
	// round(float8) rounds half to even like rint().
	addFunc("round", fn(f8, types.Float8, floatFn(pure(math.RoundToEven))))
	addFunc("round", fn(num, types.Numeric, decFn(func(d *apd.Decimal) (*types.DDecimal, error) { return decRound(d, 0, false) })))
	addFunc("round", fn(params(types.Numeric, types.Int4), types.Numeric, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return decRound(dec(a[0]), i64(a[1]), false)
	}))
	addFunc("trunc", fn(f8, types.Float8, floatFn(pure(math.Trunc))))
	addFunc("trunc", fn(num, types.Numeric, decFn(func(d *apd.Decimal) (*types.DDecimal, error) { return decRound(d, 0, true) })))
	addFunc("trunc", fn(params(types.Numeric, types.Int4), types.Numeric, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return decRound(dec(a[0]), i64(a[1]), true)
	}))
	addFunc("sqrt", fn(f8, types.Float8, floatFn(func(x float64) (float64, error) {
		if x < 0 {
			return 0, pgerror.New("2201F", "cannot take square root of a negative number")
		}
		return math.Sqrt(x), nil
	})))
	addFunc("sqrt", fn(num, types.Numeric, decFn(decSqrt)))
	addFunc("cbrt", fn(f8, types.Float8, floatFn(pure(math.Cbrt))))
	for _, n := range []string{"power", "pow"} {
		addFunc(n, fn(params(types.Float8, types.Float8), types.Float8, registry.binary["^"][len(registry.binary["^"])-1].Fn))
		addFunc(n, fn(params(types.Numeric, types.Numeric), types.Numeric, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			return decPow(dec(a[0]), dec(a[1]))
		}))
	}
	addFunc("exp", fn(f8, types.Float8, floatFn(func(x float64) (float64, error) {
		r := math.Exp(x)
		if math.IsInf(r, 0) && !math.IsInf(x, 0) {
			return 0, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value out of range: overflow")
		}
		return r, nil
	})))
	addFunc("exp", fn(num, types.Numeric, decFn(func(d *apd.Decimal) (*types.DDecimal, error) {
		w := int(decToFloat(&types.DDecimal{Decimal: *d}) * 0.434294481903252)
		if w > 100000 {
			return nil, numericOverflow()
		}
		rs := min(max(int32(numericMinSigDigits-w), dscale(d), 0), numericMaxScale)
		c := apd.Context{Precision: uint32(max(w, 0) + int(rs) + 10), MaxExponent: apd.MaxExponent, MinExponent: apd.MinExponent, Traps: apd.DefaultTraps, Rounding: apd.RoundHalfUp}
		r := newDec()
		if _, err := c.Exp(&r.Decimal, d); err != nil {
			return nil, numericOverflow()
		}
		return r, roundTo(&r.Decimal, rs)
	})))
	floatLog := func(f func(float64) float64) evalFn {
		return floatFn(func(x float64) (float64, error) {
			if x == 0 {
				return 0, errLogZero()
			}
			if x < 0 {
				return 0, errLogNeg()
			}
			return f(x), nil
		})
	}
	addFunc("ln", fn(f8, types.Float8, floatLog(math.Log)))
	addFunc("ln", fn(num, types.Numeric, decFn(func(d *apd.Decimal) (*types.DDecimal, error) { return decLog(d, false) })))
	addFunc("log", fn(f8, types.Float8, floatLog(math.Log10)))
	addFunc("log10", fn(f8, types.Float8, floatLog(math.Log10)))
	addFunc("log", fn(num, types.Numeric, decFn(func(d *apd.Decimal) (*types.DDecimal, error) { return decLog(d, true) })))
	addFunc("log10", fn(num, types.Numeric, decFn(func(d *apd.Decimal) (*types.DDecimal, error) { return decLog(d, true) })))
	addFunc("log", fn(params(types.Numeric, types.Numeric), types.Numeric, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		b, x := dec(a[0]), dec(a[1])
		if b.IsZero() || x.IsZero() {
			return nil, errLogZero()
		}
		if b.Negative || x.Negative {
			return nil, errLogNeg()
		}
		c := apd.Context{Precision: 40, MaxExponent: apd.MaxExponent, MinExponent: apd.MinExponent, Traps: apd.DefaultTraps, Rounding: apd.RoundHalfUp}
		var lb, lx apd.Decimal
		if _, err := c.Ln(&lb, b); err != nil {
			return nil, numericOverflow()
		}
		if _, err := c.Ln(&lx, x); err != nil {
			return nil, numericOverflow()
		}
		if lb.IsZero() {
			return nil, errDivZero()
		}
		r := newDec()
		if _, err := c.Quo(&r.Decimal, &lx, &lb); err != nil {
			return nil, numericOverflow()
		}
		w := estimateLnDweight(x) - estimateLnDweight(b)
		rs := min(max(int32(numericMinSigDigits-w), dscale(b), dscale(x), 0), numericMaxScale)
		return r, roundTo(&r.Decimal, rs)
	}))
	for _, t := range intTypes {
		addFunc("mod", fn(params(t, t), t, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			return intArith("%", i64(a[0]), i64(a[1]), t.Family)
		}))
	}
	addFunc("mod", fn(params(types.Numeric, types.Numeric), types.Numeric, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return decMod(dec(a[0]), dec(a[1]))
	}))
	addFunc("div", fn(params(types.Numeric, types.Numeric), types.Numeric, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		if dec(a[1]).IsZero() {
			return nil, errDivZero()
		}
		r := newDec()
		if _, err := exactCtx.QuoInteger(&r.Decimal, dec(a[0]), dec(a[1])); err != nil {
			return nil, numericOverflow()
		}
		return r, nil
	}))
	addFunc("sign", fn(f8, types.Float8, floatFn(func(x float64) (float64, error) {
		switch {
		case x > 0:
			return 1, nil
		case x < 0:
			return -1, nil
		}
		return 0, nil
	})))
	addFunc("sign", fn(num, types.Numeric, decFn(func(d *apd.Decimal) (*types.DDecimal, error) {
		return decFromInt(int64(d.Sign())), nil
	})))
	addFunc("pi", fn(nil, types.Float8, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) { return types.DFloat(math.Pi), nil }))
	addFunc("random", &Overload{Return: types.Float8, Volatile: true, Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DFloat(rand.Float64()), nil
	}})
	trig := map[string]func(float64) float64{
		"sin": math.Sin, "cos": math.Cos, "tan": math.Tan, "asin": math.Asin, "acos": math.Acos, "atan": math.Atan,
		"degrees": func(x float64) float64 { return x * 180 / math.Pi }, "radians": func(x float64) float64 { return x * math.Pi / 180 },
	}
	for n, f := range trig {
		addFunc(n, fn(f8, types.Float8, floatFn(pure(f))))
	}
	addFunc("atan2", fn(params(types.Float8, types.Float8), types.Float8, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DFloat(math.Atan2(flt(a[0]), flt(a[1]))), nil
	}))
}

// decSqrt is sqrt(numeric) with PostgreSQL's result scale (sqrt_var:
// NUMERIC_MIN_SIG_DIGITS significant digits, at least the input's scale).
func decSqrt(d *apd.Decimal) (*types.DDecimal, error) {
	if d.Negative && !d.IsZero() {
		return nil, pgerror.New("2201F", "cannot take square root of a negative number")
	}
	w := 0
	if !d.IsZero() {
		nw, _ := nbaseWeight(d)
		w = nbaseResultWeight(nw)
	}
	rs := min(max(int32(numericMinSigDigits-w), dscale(d), 0), numericMaxScale)
	c := apd.Context{Precision: uint32(int(rs) + max(w, 0) + 10), MaxExponent: apd.MaxExponent, MinExponent: apd.MinExponent, Traps: apd.DefaultTraps, Rounding: apd.RoundHalfUp}
	r := newDec()
	if _, err := c.Sqrt(&r.Decimal, d); err != nil {
		return nil, numericOverflow()
	}
	return r, roundTo(&r.Decimal, rs)
}

// nbaseResultWeight is numeric_sqrt's estimate of the result's decimal
// weight from the argument's base-10000 weight.
func nbaseResultWeight(nw int) int {
	return (nw+1)*4/2 - 1
}
