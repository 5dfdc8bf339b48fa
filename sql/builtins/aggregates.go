package builtins

import (
	"math"

	"github.com/cockroachdb/apd/v3"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

func addAgg(name string, ps []*types.T, ret *types.T, newFn func(argTypes []*types.T) Aggregator) {
	registry.aggs[name] = append(registry.aggs[name], &AggOverload{Params: ps, Return: ret, New: newFn})
}

// ResolveAggregate picks an aggregate overload with the same rules as
// Resolve, returning the type each argument must be cast to.
func ResolveAggregate(name string, overloads []*AggOverload, args []*types.T) (*AggOverload, []*types.T, error) {
	shadow := make([]*Overload, len(overloads))
	for i, o := range overloads {
		shadow[i] = &Overload{Params: o.Params, Return: o.Return, ReturnFn: o.ReturnFn}
	}
	o, cast, err := resolve(name, shadow, args)
	if err != nil {
		return nil, nil, err
	}
	for i, s := range shadow {
		if s == o {
			return overloads[i], cast, nil
		}
	}
	return nil, nil, pgerror.New(pgerror.CodeInternal, "aggregate overload lost")
}

type countAgg struct {
	n    int64
	star bool
}

func (a *countAgg) Add(ctx *EvalContext, args []types.Datum) error {
	if a.star || len(args) == 0 || !types.IsNull(args[0]) {
		a.n++
	}
	return nil
}

func (a *countAgg) Result(ctx *EvalContext) (types.Datum, error) { return types.DInt(a.n), nil }

// intSumAgg sums int2/int4 into an int8 result.
type intSumAgg struct {
	sum  int64
	seen bool
}

func (a *intSumAgg) Add(ctx *EvalContext, args []types.Datum) error {
	if types.IsNull(args[0]) {
		return nil
	}
	v := i64(args[0])
	s := a.sum + v
	if (a.sum > 0 && v > 0 && s < 0) || (a.sum < 0 && v < 0 && s >= 0) {
		return intRangeErr(types.FamInt8)
	}
	a.sum, a.seen = s, true
	return nil
}

func (a *intSumAgg) Result(ctx *EvalContext) (types.Datum, error) {
	if !a.seen {
		return types.Null, nil
	}
	return types.DInt(a.sum), nil
}

// decSumAgg sums int8 or numeric exactly; avg divides by the count with
// numeric division's scale.
type decSumAgg struct {
	sum apd.Decimal
	n   int64
	avg bool
}

func (a *decSumAgg) Add(ctx *EvalContext, args []types.Datum) error {
	if types.IsNull(args[0]) {
		return nil
	}
	var v *apd.Decimal
	switch x := args[0].(type) {
	case types.DInt:
		v = &decFromInt(int64(x)).Decimal
	case *types.DDecimal:
		v = &x.Decimal
	}
	if _, err := exactCtx.Add(&a.sum, &a.sum, v); err != nil {
		return numericOverflow()
	}
	a.n++
	return nil
}

func (a *decSumAgg) Result(ctx *EvalContext) (types.Datum, error) {
	if a.n == 0 {
		return types.Null, nil
	}
	if !a.avg {
		r := newDec()
		r.Set(&a.sum)
		return r, nil
	}
	return decDiv(&a.sum, &decFromInt(a.n).Decimal)
}

type floatSumAgg struct {
	sum, sumSq float64
	n          int64
	mode       string // sum, avg, var_samp, var_pop, stddev_samp, stddev_pop
}

func (a *floatSumAgg) Add(ctx *EvalContext, args []types.Datum) error {
	if types.IsNull(args[0]) {
		return nil
	}
	v := flt(args[0])
	a.sum += v
	a.sumSq += v * v
	a.n++
	if math.IsInf(a.sum, 0) && !math.IsInf(v, 0) {
		return pgerror.New(pgerror.CodeNumericValueOutOfRange, "value out of range: overflow")
	}
	return nil
}

func (a *floatSumAgg) Result(ctx *EvalContext) (types.Datum, error) {
	n := float64(a.n)
	switch a.mode {
	case "sum":
		if a.n == 0 {
			return types.Null, nil
		}
		return types.DFloat(a.sum), nil
	case "avg":
		if a.n == 0 {
			return types.Null, nil
		}
		return types.DFloat(a.sum / n), nil
	}
	samp := a.mode == "var_samp" || a.mode == "stddev_samp"
	if a.n == 0 || samp && a.n == 1 {
		return types.Null, nil
	}
	num := n*a.sumSq - a.sum*a.sum
	if num < 0 {
		num = 0
	}
	den := n * n
	if samp {
		den = n * (n - 1)
	}
	v := num / den
	if a.mode == "stddev_samp" || a.mode == "stddev_pop" {
		v = math.Sqrt(v)
	}
	return types.DFloat(v), nil
}

// decVarAgg is variance/stddev over int or numeric input, following
// numeric_stddev_internal's arithmetic and scales.
type decVarAgg struct {
	sum, sumSq apd.Decimal
	n          int64
	samp, sd   bool
}

func (a *decVarAgg) Add(ctx *EvalContext, args []types.Datum) error {
	if types.IsNull(args[0]) {
		return nil
	}
	var v *apd.Decimal
	switch x := args[0].(type) {
	case types.DInt:
		v = &decFromInt(int64(x)).Decimal
	case *types.DDecimal:
		v = &x.Decimal
	}
	var sq apd.Decimal
	if _, err := exactCtx.Mul(&sq, v, v); err != nil {
		return numericOverflow()
	}
	if _, err := exactCtx.Add(&a.sum, &a.sum, v); err != nil {
		return numericOverflow()
	}
	if _, err := exactCtx.Add(&a.sumSq, &a.sumSq, &sq); err != nil {
		return numericOverflow()
	}
	a.n++
	return nil
}

func (a *decVarAgg) Result(ctx *EvalContext) (types.Datum, error) {
	if a.n == 0 || a.samp && a.n == 1 {
		return types.Null, nil
	}
	nd := decFromInt(a.n)
	rscale := dscale(&a.sum) * 2
	var sumX2, nSumSq, num apd.Decimal
	if _, err := exactCtx.Mul(&sumX2, &a.sum, &a.sum); err != nil {
		return nil, numericOverflow()
	}
	if _, err := exactCtx.Mul(&nSumSq, &nd.Decimal, &a.sumSq); err != nil {
		return nil, numericOverflow()
	}
	if _, err := exactCtx.Sub(&num, &nSumSq, &sumX2); err != nil {
		return nil, numericOverflow()
	}
	if err := roundTo(&num, rscale); err != nil {
		return nil, numericOverflow()
	}
	if num.Sign() <= 0 {
		r := newDec()
		r.SetFinite(0, -rscale)
		return r, nil
	}
	den := a.n * a.n
	if a.samp {
		den = a.n * (a.n - 1)
	}
	dd := decFromInt(den)
	rs := divScale(&num, &dd.Decimal)
	v, err := decDivScale(&num, &dd.Decimal, rs)
	if err != nil {
		return nil, err
	}
	if !a.sd {
		return v, nil
	}
	c := apd.Context{Precision: uint32(int(rs) + 40), MaxExponent: apd.MaxExponent, MinExponent: apd.MinExponent, Traps: apd.DefaultTraps, Rounding: apd.RoundHalfUp}
	r := newDec()
	if _, err := c.Sqrt(&r.Decimal, &v.Decimal); err != nil {
		return nil, numericOverflow()
	}
	return r, roundTo(&r.Decimal, rs)
}

type intervalSumAgg struct {
	sum  types.DInterval
	n    int64
	avg  bool
	seen bool
}

func (a *intervalSumAgg) Add(ctx *EvalContext, args []types.Datum) error {
	if types.IsNull(args[0]) {
		return nil
	}
	v := args[0].(types.DInterval)
	r, err := intervalAdd(a.sum, v)
	if err != nil {
		return err
	}
	a.sum, a.seen = r, true
	a.n++
	return nil
}

func (a *intervalSumAgg) Result(ctx *EvalContext) (types.Datum, error) {
	if !a.seen {
		return types.Null, nil
	}
	if a.avg {
		return intervalDiv(a.sum, float64(a.n))
	}
	return a.sum, nil
}

type minMaxAgg struct {
	best types.Datum
	max  bool
	cmp  func(a, b types.Datum) int
}

func (a *minMaxAgg) Add(ctx *EvalContext, args []types.Datum) error {
	v := args[0]
	if types.IsNull(v) {
		return nil
	}
	if a.best == nil {
		a.best = v
		return nil
	}
	c := a.cmp(v, a.best)
	if (a.max && c > 0) || (!a.max && c < 0) {
		a.best = v
	}
	return nil
}

func (a *minMaxAgg) Result(ctx *EvalContext) (types.Datum, error) {
	if a.best == nil {
		return types.Null, nil
	}
	return a.best, nil
}

type boolAgg struct {
	and, seen, val bool
}

func (a *boolAgg) Add(ctx *EvalContext, args []types.Datum) error {
	if types.IsNull(args[0]) {
		return nil
	}
	v := bool(args[0].(types.DBool))
	if !a.seen {
		a.val, a.seen = v, true
	} else if a.and {
		a.val = a.val && v
	} else {
		a.val = a.val || v
	}
	return nil
}

func (a *boolAgg) Result(ctx *EvalContext) (types.Datum, error) {
	if !a.seen {
		return types.Null, nil
	}
	return types.DBool(a.val), nil
}

type stringAgg struct {
	buf  []byte
	seen bool
}

func (a *stringAgg) Add(ctx *EvalContext, args []types.Datum) error {
	if types.IsNull(args[0]) {
		return nil
	}
	if a.seen && !types.IsNull(args[1]) {
		a.buf = append(a.buf, datumBytes(args[1])...)
	}
	a.buf = append(a.buf, datumBytes(args[0])...)
	a.seen = true
	return nil
}

func datumBytes(d types.Datum) []byte {
	if b, ok := d.(types.DBytes); ok {
		return b
	}
	return []byte(datumText(d))
}

func (a *stringAgg) Result(ctx *EvalContext) (types.Datum, error) {
	if !a.seen {
		return types.Null, nil
	}
	return types.DString(a.buf), nil
}

type bytesAgg struct{ stringAgg }

func (a *bytesAgg) Result(ctx *EvalContext) (types.Datum, error) {
	if !a.seen {
		return types.Null, nil
	}
	return types.DBytes(a.buf), nil
}

// arrayAgg keeps NULL elements, as PostgreSQL's array_agg does.
type arrayAgg struct {
	elem  *types.T
	elems []types.Datum
}

func (a *arrayAgg) Add(ctx *EvalContext, args []types.Datum) error {
	v := args[0]
	if v == nil {
		v = types.Null
	}
	a.elems = append(a.elems, v)
	return nil
}

func (a *arrayAgg) Result(ctx *EvalContext) (types.Datum, error) {
	if len(a.elems) == 0 {
		return types.Null, nil
	}
	return &types.DArray{Elem: a.elem, Elems: a.elems}, nil
}

func registerAggregates() {
	addAgg("count", nil, types.Int8, func([]*types.T) Aggregator { return &countAgg{star: true} })
	addAgg("count", params(Any), types.Int8, func([]*types.T) Aggregator { return &countAgg{} })
	for _, t := range []*types.T{types.Int2, types.Int4} {
		addAgg("sum", params(t), types.Int8, func([]*types.T) Aggregator { return &intSumAgg{} })
	}
	addAgg("sum", params(types.Int8), types.Numeric, func([]*types.T) Aggregator { return &decSumAgg{} })
	addAgg("sum", params(types.Numeric), types.Numeric, func([]*types.T) Aggregator { return &decSumAgg{} })
	addAgg("sum", params(types.Float4), types.Float4, func([]*types.T) Aggregator { return &floatSumAgg{mode: "sum"} })
	addAgg("sum", params(types.Float8), types.Float8, func([]*types.T) Aggregator { return &floatSumAgg{mode: "sum"} })
	addAgg("sum", params(types.Interval), types.Interval, func([]*types.T) Aggregator { return &intervalSumAgg{} })
	for _, t := range []*types.T{types.Int2, types.Int4, types.Int8, types.Numeric} {
		addAgg("avg", params(t), types.Numeric, func([]*types.T) Aggregator { return &decSumAgg{avg: true} })
	}
	for _, t := range []*types.T{types.Float4, types.Float8} {
		addAgg("avg", params(t), types.Float8, func([]*types.T) Aggregator { return &floatSumAgg{mode: "avg"} })
	}
	addAgg("avg", params(types.Interval), types.Interval, func([]*types.T) Aggregator { return &intervalSumAgg{avg: true} })
	for _, name := range []string{"variance", "var_samp", "var_pop", "stddev", "stddev_samp", "stddev_pop"} {
		samp := name != "var_pop" && name != "stddev_pop"
		sd := name[:3] == "std"
		mode := map[bool]string{true: "var_", false: "stddev_"}[!sd] + map[bool]string{true: "samp", false: "pop"}[samp]
		for _, t := range []*types.T{types.Int2, types.Int4, types.Int8, types.Numeric} {
			addAgg(name, params(t), types.Numeric, func([]*types.T) Aggregator { return &decVarAgg{samp: samp, sd: sd} })
		}
		for _, t := range []*types.T{types.Float4, types.Float8} {
			addAgg(name, params(t), types.Float8, func([]*types.T) Aggregator { return &floatSumAgg{mode: mode} })
		}
	}
	minMaxTypes := []*types.T{types.Int2, types.Int4, types.Int8, types.Float4, types.Float8, types.Numeric, types.Text,
		types.Bpchar, types.Date, types.Timestamp, types.TimestampTZ, types.Interval, types.Oid, AnyArray, AnyEnum, types.Citext}
	for _, isMax := range []bool{false, true} {
		name := "min"
		if isMax {
			name = "max"
		}
		for _, t := range minMaxTypes {
			ret := t
			o := &AggOverload{Params: params(t), Return: ret, New: func(argTypes []*types.T) Aggregator {
				return &minMaxAgg{max: isMax, cmp: typedCompare(argTypes[0])}
			}}
			if isAnyArray(t) || isAnyEnum(t) {
				// Return stays pg_proc's prorettype: anyenum, or anyarray
				// (which a nil Return with an anyarray argument gives).
				if isAnyArray(t) {
					o.Return = nil
				}
				o.ReturnFn = func(args []*types.T) *types.T { return args[0] }
			}
			registry.aggs[name] = append(registry.aggs[name], o)
		}
	}
	addAgg("bool_and", params(types.Bool), types.Bool, func([]*types.T) Aggregator { return &boolAgg{and: true} })
	addAgg("every", params(types.Bool), types.Bool, func([]*types.T) Aggregator { return &boolAgg{and: true} })
	addAgg("bool_or", params(types.Bool), types.Bool, func([]*types.T) Aggregator { return &boolAgg{} })
	addAgg("string_agg", params(types.Text, types.Text), types.Text, func([]*types.T) Aggregator { return &stringAgg{} })
	addAgg("string_agg", params(types.Bytea, types.Bytea), types.Bytea, func([]*types.T) Aggregator { return &bytesAgg{} })
	registry.aggs["array_agg"] = append(registry.aggs["array_agg"], &AggOverload{
		Params:   params(nil),
		ReturnFn: func(args []*types.T) *types.T { return types.ArrayOf(args[0]) },
		New:      func(args []*types.T) Aggregator { return &arrayAgg{elem: args[0]} },
	})
}
