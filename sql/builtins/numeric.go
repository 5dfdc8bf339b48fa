package builtins

import (
	"math"
	"strconv"

	"github.com/cockroachdb/apd/v3"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// PostgreSQL's numeric limits (numeric.h).
const (
	numericMinSigDigits = 16
	numericMaxScale     = 1000
	// exactPrecision is wide enough that +, - and * never round.
	exactPrecision = 4000
)

var exactCtx = apd.Context{Precision: exactPrecision, MaxExponent: apd.MaxExponent, MinExponent: apd.MinExponent, Traps: apd.DefaultTraps, Rounding: apd.RoundHalfUp}

func errDivZero() error { return pgerror.New(pgerror.CodeDivisionByZero, "division by zero") }

func numericOverflow() error {
	return pgerror.New(pgerror.CodeNumericValueOutOfRange, "value overflows numeric format")
}

func newDec() *types.DDecimal { return &types.DDecimal{} }

func decFromInt(v int64) *types.DDecimal {
	d := newDec()
	d.SetInt64(v)
	return d
}

func decFromFloat(f float64) (*types.DDecimal, error) {
	d := newDec()
	if math.IsNaN(f) {
		d.Form = apd.NaN
		return d, nil
	}
	if _, _, err := d.SetString(strconv.FormatFloat(f, 'g', 15, 64)); err != nil {
		return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "cannot convert infinity to numeric")
	}
	return d, nil
}

func decToFloat(d *types.DDecimal) float64 {
	f, err := d.Float64()
	if err != nil {
		return math.NaN()
	}
	return f
}

// dscale is PostgreSQL's display scale: the digits after the point.
func dscale(d *apd.Decimal) int32 {
	if d.Exponent >= 0 {
		return 0
	}
	return -d.Exponent
}

// nbaseWeight returns PostgreSQL's base-10000 weight and first digit of a
// non-zero |d|, which its division scale rule is stated in.
func nbaseWeight(d *apd.Decimal) (weight int, first int) {
	s := d.Coeff.String()
	e := len(s) - 1 + int(d.Exponent) // decimal position of the leading digit
	weight = floorDivInt(e, 4)
	n := e - 4*weight + 1 // leading digits belonging to the first group
	v := 0
	for i := 0; i < n; i++ {
		v *= 10
		if i < len(s) {
			v += int(s[i] - '0')
		}
	}
	return weight, v
}

func floorDivInt(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// divScale is PostgreSQL's select_div_scale.
func divScale(a, b *apd.Decimal) int32 {
	w1, f1, w2, f2 := 0, 0, 0, 0
	if !a.IsZero() {
		w1, f1 = nbaseWeight(a)
	}
	if !b.IsZero() {
		w2, f2 = nbaseWeight(b)
	}
	qw := w1 - w2
	if f1 <= f2 {
		qw--
	}
	rs := int32(numericMinSigDigits - qw*4)
	rs = max(rs, dscale(a), dscale(b), 0)
	return min(rs, numericMaxScale)
}

// roundTo rounds d in place to scale digits after the point (half away
// from zero, as PostgreSQL rounds numerics).
func roundTo(d *apd.Decimal, scale int32) error {
	c := exactCtx
	_, err := c.Quantize(d, d, -scale)
	return err
}

// decDiv divides with PostgreSQL's result scale.
func decDiv(a, b *apd.Decimal) (*types.DDecimal, error) {
	if b.IsZero() {
		return nil, errDivZero()
	}
	rs := divScale(a, b)
	return decDivScale(a, b, rs)
}

func decDivScale(a, b *apd.Decimal, rs int32) (*types.DDecimal, error) {
	if b.IsZero() {
		return nil, errDivZero()
	}
	// Digits needed: those left of the point plus rs plus guard digits;
	// truncating first keeps the final half-up rounding exact.
	ea := int64(a.NumDigits()) + int64(a.Exponent)
	eb := int64(b.NumDigits()) + int64(b.Exponent)
	prec := ea - eb + 2 + int64(rs) + 8
	if prec < 8 {
		prec = 8
	}
	c := apd.Context{Precision: uint32(prec), MaxExponent: apd.MaxExponent, MinExponent: apd.MinExponent, Traps: apd.DefaultTraps, Rounding: apd.RoundDown}
	r := newDec()
	if _, err := c.Quo(&r.Decimal, a, b); err != nil {
		return nil, numericOverflow()
	}
	if err := roundTo(&r.Decimal, rs); err != nil {
		return nil, numericOverflow()
	}
	return r, nil
}

func decAdd(a, b *apd.Decimal) (*types.DDecimal, error) {
	r := newDec()
	if _, err := exactCtx.Add(&r.Decimal, a, b); err != nil {
		return nil, numericOverflow()
	}
	return r, nil
}

func decSub(a, b *apd.Decimal) (*types.DDecimal, error) {
	r := newDec()
	if _, err := exactCtx.Sub(&r.Decimal, a, b); err != nil {
		return nil, numericOverflow()
	}
	return r, nil
}

func decMul(a, b *apd.Decimal) (*types.DDecimal, error) {
	r := newDec()
	if _, err := exactCtx.Mul(&r.Decimal, a, b); err != nil {
		return nil, numericOverflow()
	}
	return r, nil
}

// decMod is PostgreSQL's numeric %: truncated division's remainder, with
// the larger input scale.
func decMod(a, b *apd.Decimal) (*types.DDecimal, error) {
	if b.IsZero() {
		return nil, errDivZero()
	}
	r := newDec()
	if _, err := exactCtx.Rem(&r.Decimal, a, b); err != nil {
		return nil, numericOverflow()
	}
	if err := roundTo(&r.Decimal, max(dscale(a), dscale(b))); err != nil {
		return nil, numericOverflow()
	}
	return r, nil
}

// decPow is numeric ^ numeric with power_var's result scale.
func decPow(a, b *apd.Decimal) (*types.DDecimal, error) {
	if a.IsZero() && b.Negative && !b.IsZero() {
		return nil, pgerror.New("2201F", "zero raised to a negative power is undefined")
	}
	if b.IsZero() {
		// x ^ 0 is 1 for every x, including 0 (apd refuses 0 ^ 0).
		r := decFromInt(1)
		return r, roundTo(&r.Decimal, min(max(numericMinSigDigits, dscale(a)), numericMaxScale))
	}
	var bi apd.Decimal
	isInt := false
	if _, err := exactCtx.RoundToIntegralExact(&bi, b); err == nil && bi.Cmp(b) == 0 {
		isInt = true
	}
	if a.Negative && !isInt {
		return nil, pgerror.New("2201F", "a negative number raised to a non-integer power yields a complex result")
	}
	// Estimate the result's decimal weight to pick the scale.
	af := math.Abs(decToFloat(&types.DDecimal{Decimal: *a}))
	bf := decToFloat(&types.DDecimal{Decimal: *b})
	var w float64
	if af != 0 {
		w = bf * math.Log10(af)
	}
	if w > 1e6 || w < -1e6 {
		return nil, numericOverflow()
	}
	// power_var: integer exponents get 16 digits after the point, others
	// 16 significant digits.
	rs := int32(numericMinSigDigits - int(w))
	if isInt {
		rs = numericMinSigDigits
	}
	rs = min(max(rs, dscale(a), dscale(b), 0), numericMaxScale)
	prec := int64(max(w, 0)) + int64(rs) + 10
	if prec < 16 {
		prec = 16
	}
	c := apd.Context{Precision: uint32(prec), MaxExponent: apd.MaxExponent, MinExponent: apd.MinExponent, Traps: apd.DefaultTraps, Rounding: apd.RoundHalfUp}
	r := newDec()
	if _, err := c.Pow(&r.Decimal, a, b); err != nil {
		return nil, numericOverflow()
	}
	if err := roundTo(&r.Decimal, rs); err != nil {
		return nil, numericOverflow()
	}
	return r, nil
}

func dec(d types.Datum) *apd.Decimal { return &d.(*types.DDecimal).Decimal }
