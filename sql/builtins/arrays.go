package builtins

import (
	"strconv"
	"strings"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

func arr(d types.Datum) *types.DArray { return d.(*types.DArray) }

func firstArg(args []*types.T) *types.T  { return args[0] }
func secondArg(args []*types.T) *types.T { return args[1] }

// notDistinct is IS NOT DISTINCT FROM on array elements.
func notDistinct(a, b types.Datum) bool {
	an, bn := types.IsNull(a), types.IsNull(b)
	if an || bn {
		return an && bn
	}
	return compareDatums(a, b) == 0
}

// withResultElem binds an array-returning function to its result type so
// that arrays built from a NULL input still know their element type.
func withResultElem(o *Overload) *Overload {
	o.Bind = func(argTypes []*types.T) func(ctx *EvalContext, args []types.Datum) (types.Datum, error) {
		rt := o.ReturnType(argTypes)
		return func(ctx *EvalContext, args []types.Datum) (types.Datum, error) {
			r, err := o.Fn(ctx, args)
			if a, ok := r.(*types.DArray); ok && a.Elem == nil && rt != nil && rt.Family == types.FamArray {
				a.Elem = rt.Elem
			}
			return r, err
		}
	}
	return o
}

// maxArraySize is PostgreSQL's MaxArraySize.
const maxArraySize = 134217727

// arrayFill is array_fill(value, dims [, lower bounds]) with PostgreSQL's
// checks, for the one-dimensional arrays with lower bound 1 that Quiver has.
func arrayFill(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
	for _, d := range a[1:] {
		if types.IsNull(d) {
			return nil, pgerror.New(pgerror.CodeNullValueNotAllowed, "dimension array or low bound array cannot be null")
		}
	}
	dims := arr(a[1]).Elems
	if len(a) > 2 && len(arr(a[2]).Elems) != len(dims) {
		return nil, pgerror.New(pgerror.CodeArraySubscriptError, "wrong number of array subscripts").
			WithDetail("Low bound array has different size than dimensions array.")
	}
	for _, d := range a[1:] {
		for _, e := range arr(d).Elems {
			if types.IsNull(e) {
				return nil, pgerror.New(pgerror.CodeNullValueNotAllowed, "dimension values cannot be null")
			}
		}
	}
	out := &types.DArray{Elems: []types.Datum{}}
	switch {
	case len(dims) == 0:
		return out, nil
	case len(dims) > 1:
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "multidimensional arrays are not supported")
	case len(a) > 2 && i64(arr(a[2]).Elems[0]) != 1:
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "array lower bounds other than 1 are not supported")
	}
	n := i64(dims[0])
	if n < 0 || n > maxArraySize {
		return nil, pgerror.New(pgerror.CodeProgramLimitExceeded, "array size exceeds the maximum allowed (%d)", maxArraySize)
	}
	out.Elems = make([]types.Datum, n)
	for i := range out.Elems {
		out.Elems[i] = a[0]
	}
	return out, nil
}

func registerArrays() {
	anyArr := params(AnyArray)
	intArr := types.ArrayOf(types.Int4)
	arrayOfFirst := func(args []*types.T) *types.T { return types.ArrayOf(args[0]) }
	addFunc("array_fill", withResultElem(&Overload{Params: params(nil, intArr), ReturnFn: arrayOfFirst, NullCall: true, Fn: arrayFill}))
	addFunc("array_fill", withResultElem(&Overload{Params: params(nil, intArr, intArr), ReturnFn: arrayOfFirst, NullCall: true, Fn: arrayFill}))
	addFunc("array_length", fn(params(AnyArray, types.Int4), types.Int4, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		n := len(arr(a[0]).Elems)
		if i64(a[1]) != 1 || n == 0 {
			return types.Null, nil
		}
		return types.DInt(n), nil
	}))
	addFunc("cardinality", fn(anyArr, types.Int4, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DInt(len(arr(a[0]).Elems)), nil
	}))
	addFunc("array_ndims", fn(anyArr, types.Int4, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		if len(arr(a[0]).Elems) == 0 {
			return types.Null, nil
		}
		return types.DInt(1), nil
	}))
	addFunc("array_dims", fn(anyArr, types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		n := len(arr(a[0]).Elems)
		if n == 0 {
			return types.Null, nil
		}
		return types.DString("[1:" + strconv.Itoa(n) + "]"), nil
	}))
	addFunc("array_lower", fn(params(AnyArray, types.Int4), types.Int4, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		if i64(a[1]) != 1 || len(arr(a[0]).Elems) == 0 {
			return types.Null, nil
		}
		return types.DInt(1), nil
	}))
	addFunc("array_upper", fn(params(AnyArray, types.Int4), types.Int4, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		n := len(arr(a[0]).Elems)
		if i64(a[1]) != 1 || n == 0 {
			return types.Null, nil
		}
		return types.DInt(n), nil
	}))
	toString := func(tx texter, at []*types.T) evalFn {
		var elemT *types.T
		if t := argType(at, 0); t != nil {
			elemT = t.Elem
		}
		return func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			if types.IsNull(a[0]) || types.IsNull(a[1]) {
				return types.Null, nil
			}
			nullStr, hasNull := "", len(a) == 3 && !types.IsNull(a[2])
			if hasNull {
				nullStr = str(a[2])
			}
			var parts []string
			for _, e := range arr(a[0]).Elems {
				switch {
				case !types.IsNull(e):
					parts = append(parts, tx(ctx, elemT, e))
				case hasNull:
					parts = append(parts, nullStr)
				}
			}
			return types.DString(strings.Join(parts, str(a[1]))), nil
		}
	}
	addFunc("array_to_string", textOverload(&Overload{Params: params(AnyArray, types.Text), Return: types.Text}, toString))
	addFunc("array_to_string", textOverload(&Overload{Params: params(AnyArray, types.Text, types.Text), Return: types.Text, NullCall: true}, toString))
	position := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		if types.IsNull(a[0]) {
			return types.Null, nil
		}
		start := 1
		if len(a) == 3 {
			if types.IsNull(a[2]) {
				return nil, pgerror.New(pgerror.CodeNullValueNotAllowed, "initial position must not be null")
			}
			start = int(i64(a[2]))
		}
		for i, e := range arr(a[0]).Elems {
			if i+1 >= start && notDistinct(e, a[1]) {
				return types.DInt(i + 1), nil
			}
		}
		return types.Null, nil
	}
	addFunc("array_position", &Overload{Params: params(AnyArray, nil), Return: types.Int4, NullCall: true, Fn: position})
	addFunc("array_position", &Overload{Params: params(AnyArray, nil, types.Int4), Return: types.Int4, NullCall: true, Fn: position})
	addFunc("array_positions", &Overload{Params: params(AnyArray, nil), Return: types.ArrayOf(types.Int4), NullCall: true,
		Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			if types.IsNull(a[0]) {
				return types.Null, nil
			}
			out := &types.DArray{Elem: types.Int4}
			for i, e := range arr(a[0]).Elems {
				if notDistinct(e, a[1]) {
					out.Elems = append(out.Elems, types.DInt(i+1))
				}
			}
			return out, nil
		}})
	appendFn := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		if types.IsNull(a[0]) {
			return &types.DArray{Elems: []types.Datum{a[1]}}, nil
		}
		x := arr(a[0])
		elems := append(append([]types.Datum(nil), x.Elems...), a[1])
		return &types.DArray{Elem: x.Elem, Elems: elems}, nil
	}
	prependFn := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		if types.IsNull(a[1]) {
			return &types.DArray{Elems: []types.Datum{a[0]}}, nil
		}
		x := arr(a[1])
		elems := append([]types.Datum{a[0]}, x.Elems...)
		return &types.DArray{Elem: x.Elem, Elems: elems}, nil
	}
	catFn := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		switch {
		case types.IsNull(a[0]):
			return a[1], nil
		case types.IsNull(a[1]):
			return a[0], nil
		}
		x, y := arr(a[0]), arr(a[1])
		elems := append(append([]types.Datum(nil), x.Elems...), y.Elems...)
		return &types.DArray{Elem: x.Elem, Elems: elems}, nil
	}
	addFunc("array_append", withResultElem(&Overload{Params: params(AnyArray, nil), ReturnFn: firstArg, NullCall: true, Fn: appendFn}))
	addFunc("array_prepend", withResultElem(&Overload{Params: params(nil, AnyArray), ReturnFn: secondArg, NullCall: true, Fn: prependFn}))
	addFunc("array_cat", &Overload{Params: params(AnyArray, AnyArray), ReturnFn: firstArg, NullCall: true, Fn: catFn})
	registry.binary["||"] = append(registry.binary["||"],
		&Overload{Params: params(AnyArray, AnyArray), ReturnFn: firstArg, NullCall: true, Fn: catFn},
		withResultElem(&Overload{Params: params(AnyArray, nil), ReturnFn: firstArg, NullCall: true, Fn: appendFn}),
		withResultElem(&Overload{Params: params(nil, AnyArray), ReturnFn: secondArg, NullCall: true, Fn: prependFn}),
	)
	// @>, <@ and && compare elements for equality, a NULL element matching
	// nothing, whatever their order or repetitions (PostgreSQL's
	// array_contain_compare).
	has := func(x *types.DArray, e types.Datum) bool {
		for _, y := range x.Elems {
			if !types.IsNull(y) && compareDatums(y, e) == 0 {
				return true
			}
		}
		return false
	}
	containsAll := func(big, small types.Datum) bool {
		b := arr(big)
		for _, e := range arr(small).Elems {
			if types.IsNull(e) || !has(b, e) {
				return false
			}
		}
		return true
	}
	for _, op := range []struct {
		op, fn string
		eval   func(a, b types.Datum) bool
	}{
		{"@>", "arraycontains", containsAll},
		{"<@", "arraycontained", func(a, b types.Datum) bool { return containsAll(b, a) }},
		{"&&", "arrayoverlap", func(a, b types.Datum) bool {
			x := arr(a)
			for _, e := range arr(b).Elems {
				if !types.IsNull(e) && has(x, e) {
					return true
				}
			}
			return false
		}},
	} {
		o := &Overload{Params: params(AnyArray, AnyArray), Return: types.Bool, Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			return types.DBool(op.eval(a[0], a[1])), nil
		}}
		registry.binary[op.op] = append(registry.binary[op.op], o)
		addFunc(op.fn, o)
	}
	addFunc("array_remove", &Overload{Params: params(AnyArray, nil), ReturnFn: firstArg, NullCall: true,
		Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			if types.IsNull(a[0]) {
				return types.Null, nil
			}
			x := arr(a[0])
			out := &types.DArray{Elem: x.Elem, Elems: []types.Datum{}}
			for _, e := range x.Elems {
				if !notDistinct(e, a[1]) {
					out.Elems = append(out.Elems, e)
				}
			}
			return out, nil
		}})
	addFunc("array_replace", &Overload{Params: params(AnyArray, nil, nil), ReturnFn: firstArg, NullCall: true,
		Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			if types.IsNull(a[0]) {
				return types.Null, nil
			}
			x := arr(a[0])
			out := &types.DArray{Elem: x.Elem, Elems: make([]types.Datum, len(x.Elems))}
			for i, e := range x.Elems {
				out.Elems[i] = e
				if notDistinct(e, a[1]) {
					out.Elems[i] = a[2]
				}
			}
			return out, nil
		}})
	splitFn := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		if types.IsNull(a[0]) {
			return types.Null, nil
		}
		s := str(a[0])
		out := &types.DArray{Elem: types.Text, Elems: []types.Datum{}}
		if s == "" {
			return out, nil
		}
		var parts []string
		switch {
		case types.IsNull(a[1]):
			for _, r := range s {
				parts = append(parts, string(r))
			}
		case str(a[1]) == "":
			parts = []string{s}
		default:
			parts = strings.Split(s, str(a[1]))
		}
		for _, p := range parts {
			if len(a) == 3 && !types.IsNull(a[2]) && p == str(a[2]) {
				out.Elems = append(out.Elems, types.Null)
			} else {
				out.Elems = append(out.Elems, types.DString(p))
			}
		}
		return out, nil
	}
	addFunc("string_to_array", &Overload{Params: t2, Return: types.ArrayOf(types.Text), NullCall: true, Fn: splitFn})
	addFunc("string_to_array", &Overload{Params: params(types.Text, types.Text, types.Text), Return: types.ArrayOf(types.Text), NullCall: true, Fn: splitFn})
}
