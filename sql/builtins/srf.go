package builtins

import (
	"github.com/cockroachdb/apd/v3"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

type generator = func() ([]types.Datum, bool, error)

func addSRF(name string, o *SRFOverload) {
	registry.srfs[name] = append(registry.srfs[name], o)
}

// ResolveSRF picks a set-returning function overload with Resolve's rules.
func ResolveSRF(name string, overloads []*SRFOverload, args []*types.T) (*SRFOverload, []*types.T, error) {
	shadow := make([]*Overload, len(overloads))
	for i, o := range overloads {
		shadow[i] = &Overload{Params: o.Params, Variadic: o.Variadic}
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
	return nil, nil, pgerror.New(pgerror.CodeInternal, "set-returning function overload lost")
}

func errStepZero() error {
	return pgerror.New(pgerror.CodeInvalidParameterValue, "step size cannot equal zero")
}

func intSeries(ctx *EvalContext, a []types.Datum) (generator, error) {
	start, stop, step := i64(a[0]), i64(a[1]), int64(1)
	if len(a) == 3 {
		step = i64(a[2])
	}
	if step == 0 {
		return nil, errStepZero()
	}
	cur, done := start, false
	return func() ([]types.Datum, bool, error) {
		if done || (step > 0 && cur > stop) || (step < 0 && cur < stop) {
			return nil, true, nil
		}
		v := cur
		next := cur + step
		// Stop instead of wrapping around at the type's limit.
		if (step > 0 && next < cur) || (step < 0 && next > cur) {
			done = true
		}
		cur = next
		return []types.Datum{types.DInt(v)}, false, nil
	}, nil
}

func decSeries(ctx *EvalContext, a []types.Datum) (generator, error) {
	start, stop := dec(a[0]), dec(a[1])
	step := &decFromInt(1).Decimal
	if len(a) == 3 {
		step = dec(a[2])
	}
	for _, d := range []*apd.Decimal{start, stop, step} {
		if d.Form == apd.NaN || d.Form == apd.NaNSignaling {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "start value cannot be NaN")
		}
	}
	if step.IsZero() {
		return nil, errStepZero()
	}
	cur := newDec()
	cur.Set(start)
	return func() ([]types.Datum, bool, error) {
		c := cur.Cmp(stop)
		if (!step.Negative && c > 0) || (step.Negative && c < 0) {
			return nil, true, nil
		}
		v := newDec()
		v.Set(&cur.Decimal)
		next, err := decAdd(&cur.Decimal, step)
		if err != nil {
			return nil, false, err
		}
		cur = next
		return []types.Datum{v}, false, nil
	}, nil
}

func tsSeries(tz bool) func(ctx *EvalContext, a []types.Datum) (generator, error) {
	return func(ctx *EvalContext, a []types.Datum) (generator, error) {
		toUS := func(d types.Datum) int64 {
			if tz {
				return int64(d.(types.DTimestampTZ))
			}
			return int64(d.(types.DTimestamp))
		}
		cur, stop := toUS(a[0]), toUS(a[1])
		step := a[2].(types.DInterval)
		if step == (types.DInterval{}) {
			return nil, errStepZero()
		}
		neg := types.IntervalSpan(step).Sign() < 0
		return func() ([]types.Datum, bool, error) {
			if (!neg && cur > stop) || (neg && cur < stop) {
				return nil, true, nil
			}
			var v types.Datum = types.DTimestamp(cur)
			if tz {
				v = types.DTimestampTZ(cur)
			}
			next, err := addIntervalMicros(ctx, cur, step, tz)
			if err != nil {
				return nil, false, err
			}
			cur = next
			return []types.Datum{v}, false, nil
		}, nil
	}
}

func registerSRFs() {
	for _, t := range []*types.T{types.Int4, types.Int8} {
		col := []Column{{Name: "generate_series", Type: t}}
		addSRF("generate_series", &SRFOverload{Params: params(t, t), Columns: col, Fn: intSeries})
		addSRF("generate_series", &SRFOverload{Params: params(t, t, t), Columns: col, Fn: intSeries})
	}
	numCol := []Column{{Name: "generate_series", Type: types.Numeric}}
	addSRF("generate_series", &SRFOverload{Params: params(types.Numeric, types.Numeric), Columns: numCol, Fn: decSeries})
	addSRF("generate_series", &SRFOverload{Params: params(types.Numeric, types.Numeric, types.Numeric), Columns: numCol, Fn: decSeries})
	addSRF("generate_series", &SRFOverload{Params: params(types.Timestamp, types.Timestamp, types.Interval),
		Columns: []Column{{Name: "generate_series", Type: types.Timestamp}}, Fn: tsSeries(false)})
	addSRF("generate_series", &SRFOverload{Params: params(types.TimestampTZ, types.TimestampTZ, types.Interval),
		Columns: []Column{{Name: "generate_series", Type: types.TimestampTZ}}, Fn: tsSeries(true)})
	addSRF("unnest", &SRFOverload{
		Params:    params(AnyArray),
		ColumnsFn: func(args []*types.T) []Column { return []Column{{Name: "unnest", Type: args[0].Elem}} },
		Fn: func(ctx *EvalContext, a []types.Datum) (generator, error) {
			arr := a[0].(*types.DArray)
			i := 0
			return func() ([]types.Datum, bool, error) {
				if i >= len(arr.Elems) {
					return nil, true, nil
				}
				i++
				return []types.Datum{arr.Elems[i-1]}, false, nil
			}, nil
		},
	})
	// generate_subscripts counts from the array type's lower bound: 0 for
	// int2vector and oidvector (pg_index.indkey), 1 otherwise.
	subscriptsFrom := func(lower int64) func(ctx *EvalContext, a []types.Datum) (generator, error) {
		return func(ctx *EvalContext, a []types.Datum) (generator, error) {
			arr := a[0].(*types.DArray)
			dim := i64(a[1])
			rev := len(a) == 3 && bool(a[2].(types.DBool))
			n := int64(len(arr.Elems))
			if dim != 1 || n == 0 {
				n = 0
			}
			i := int64(0)
			return func() ([]types.Datum, bool, error) {
				if i >= n {
					return nil, true, nil
				}
				i++
				if rev {
					return []types.Datum{types.DInt(n - i + lower)}, false, nil
				}
				return []types.Datum{types.DInt(i - 1 + lower)}, false, nil
			}, nil
		}
	}
	subscripts := subscriptsFrom(1)
	bindSubscripts := func(argTypes []*types.T) func(ctx *EvalContext, a []types.Datum) (generator, error) {
		if len(argTypes) > 0 && argTypes[0] != nil {
			return subscriptsFrom(int64(argTypes[0].LowerBound()))
		}
		return subscripts
	}
	// information_schema._pg_expandarray: each element with its 1-based
	// position (JDBC's getPrimaryKeys and getIndexInfo expand indkey).
	addSRF("_pg_expandarray", &SRFOverload{
		Params: params(AnyArray),
		ColumnsFn: func(args []*types.T) []Column {
			return []Column{{Name: "x", Type: args[0].Elem}, {Name: "n", Type: types.Int4}}
		},
		Fn: func(ctx *EvalContext, a []types.Datum) (generator, error) {
			arr := a[0].(*types.DArray)
			i := 0
			return func() ([]types.Datum, bool, error) {
				if i >= len(arr.Elems) {
					return nil, true, nil
				}
				i++
				return []types.Datum{arr.Elems[i-1], types.DInt(i)}, false, nil
			}, nil
		},
	})
	gsCol := []Column{{Name: "generate_subscripts", Type: types.Int4}}
	addSRF("generate_subscripts", &SRFOverload{Params: params(AnyArray, types.Int4), Columns: gsCol, Fn: subscripts, Bind: bindSubscripts})
	addSRF("generate_subscripts", &SRFOverload{Params: params(AnyArray, types.Int4, types.Bool), Columns: gsCol, Fn: subscripts, Bind: bindSubscripts})
}
