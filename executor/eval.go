package executor

import (
	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// evalFn computes one expression over one input row. Expressions are
// compiled into evalFns once per statement execution, so rows pay only for
// the closures, never for re-inspecting the plan.
type evalFn func(row []types.Datum) (types.Datum, error)

func (ec *execCtx) compileAll(es []planner.Expr) ([]evalFn, error) {
	out := make([]evalFn, len(es))
	for i, e := range es {
		f, err := ec.compile(e)
		if err != nil {
			return nil, err
		}
		out[i] = f
	}
	return out, nil
}

func (ec *execCtx) compile(e planner.Expr) (evalFn, error) {
	switch n := e.(type) {
	case *planner.ColRef:
		idx := n.Idx
		return func(row []types.Datum) (types.Datum, error) { return row[idx], nil }, nil
	case *planner.OuterRef:
		depth, idx := n.Depth, n.Idx
		return func([]types.Datum) (types.Datum, error) {
			if depth > len(ec.outer) {
				return nil, pgerror.New(pgerror.CodeInternal, "outer reference beyond query nesting")
			}
			return ec.outer[len(ec.outer)-depth][idx], nil
		}, nil
	case *planner.Const:
		v := n.Val
		if v == nil {
			v = types.Null
		}
		return func([]types.Datum) (types.Datum, error) { return v, nil }, nil
	case *planner.ParamRef:
		i := n.N - 1
		return func([]types.Datum) (types.Datum, error) {
			if i >= len(ec.params) {
				return nil, pgerror.New(pgerror.CodeUndefinedParameter, "there is no parameter $%d", i+1)
			}
			return ec.params[i], nil
		}, nil
	case *planner.Call:
		return ec.compileCall(n.Fn, n.Args)
	case *planner.CastExpr:
		arg, err := ec.compile(n.Operand)
		if err != nil {
			return nil, err
		}
		from, to, cctx := n.Operand.Type(), n.T, n.Ctx
		if (to.Family == types.FamRegtype || to.Family == types.FamRegclass || to.Family == types.FamRegnamespace || to.Family == types.FamRegrole ||
			to.Family == types.FamRegproc) &&
			(from.IsStringFamily() || from.Family == types.FamUnknown) {
			return ec.compileRegCast(arg, to), nil
		}
		if types.PrintsName(from) && to.IsStringFamily() {
			return ec.compileRegName(arg, from, to, cctx), nil
		}
		return func(row []types.Datum) (types.Datum, error) {
			v, err := arg(row)
			if err != nil || types.IsNull(v) {
				return types.Null, err
			}
			if from.Family == types.FamUnknown {
				return planner.InputValue(string(v.(types.DString)), to, cctx)
			}
			return types.Cast(v, from, to, cctx)
		}, nil
	case *planner.BoolOp:
		args, err := ec.compileAll(n.Args)
		if err != nil {
			return nil, err
		}
		or := n.Or
		return func(row []types.Datum) (types.Datum, error) {
			sawNull := false
			for _, a := range args {
				v, err := a(row)
				if err != nil {
					return nil, err
				}
				if types.IsNull(v) {
					sawNull = true
					continue
				}
				if bool(v.(types.DBool)) == or {
					return types.DBool(or), nil
				}
			}
			if sawNull {
				return types.Null, nil
			}
			return types.DBool(!or), nil
		}, nil
	case *planner.NotExpr:
		arg, err := ec.compile(n.Operand)
		if err != nil {
			return nil, err
		}
		return func(row []types.Datum) (types.Datum, error) {
			v, err := arg(row)
			if err != nil || types.IsNull(v) {
				return types.Null, err
			}
			return !v.(types.DBool), nil
		}, nil
	case *planner.IsNullExpr:
		arg, err := ec.compile(n.Operand)
		if err != nil {
			return nil, err
		}
		not := n.Not
		return func(row []types.Datum) (types.Datum, error) {
			v, err := arg(row)
			if err != nil {
				return nil, err
			}
			return types.DBool(types.IsNull(v) != not), nil
		}, nil
	case *planner.IsBoolExpr:
		arg, err := ec.compile(n.Operand)
		if err != nil {
			return nil, err
		}
		not, what := n.Not, n.What
		return func(row []types.Datum) (types.Datum, error) {
			v, err := arg(row)
			if err != nil {
				return nil, err
			}
			var r bool
			switch what {
			case "unknown":
				r = types.IsNull(v)
			case "true":
				r = !types.IsNull(v) && bool(v.(types.DBool))
			default:
				r = !types.IsNull(v) && !bool(v.(types.DBool))
			}
			return types.DBool(r != not), nil
		}, nil
	case *planner.CaseExpr:
		conds := make([]evalFn, len(n.Whens))
		results := make([]evalFn, len(n.Whens))
		for i, w := range n.Whens {
			var err error
			if conds[i], err = ec.compile(w.Cond); err != nil {
				return nil, err
			}
			if results[i], err = ec.compile(w.Result); err != nil {
				return nil, err
			}
		}
		var els evalFn
		if n.Else != nil {
			var err error
			if els, err = ec.compile(n.Else); err != nil {
				return nil, err
			}
		}
		return func(row []types.Datum) (types.Datum, error) {
			for i, c := range conds {
				v, err := c(row)
				if err != nil {
					return nil, err
				}
				if isTrue(v) {
					return results[i](row)
				}
			}
			if els != nil {
				return els(row)
			}
			return types.Null, nil
		}, nil
	case *planner.CoalesceExpr:
		args, err := ec.compileAll(n.Args)
		if err != nil {
			return nil, err
		}
		return func(row []types.Datum) (types.Datum, error) {
			for _, a := range args {
				v, err := a(row)
				if err != nil {
					return nil, err
				}
				if !types.IsNull(v) {
					return v, nil
				}
			}
			return types.Null, nil
		}, nil
	case *planner.NullIfExpr:
		eq := n.Eq
		return ec.compilePair(n.Left, n.Right, func(a, b types.Datum) (types.Datum, error) {
			if types.IsNull(a) || types.IsNull(b) {
				return a, nil
			}
			res, err := eq.Fn(ec.eval, []types.Datum{a, b})
			if err != nil {
				return nil, err
			}
			if isTrue(res) {
				return types.Null, nil
			}
			return a, nil
		})
	case *planner.MinMaxExpr:
		args, err := ec.compileAll(n.Args)
		if err != nil {
			return nil, err
		}
		t, greatest := n.T, n.Greatest
		return func(row []types.Datum) (types.Datum, error) {
			var best types.Datum = types.Null
			for _, a := range args {
				v, err := a(row)
				if err != nil {
					return nil, err
				}
				if types.IsNull(v) {
					continue
				}
				if types.IsNull(best) {
					best = v
					continue
				}
				c := types.Compare(t, v, best)
				if (greatest && c > 0) || (!greatest && c < 0) {
					best = v
				}
			}
			return best, nil
		}, nil
	case *planner.InListExpr:
		x, err := ec.compile(n.Operand)
		if err != nil {
			return nil, err
		}
		list, err := ec.compileAll(n.List)
		if err != nil {
			return nil, err
		}
		eq, not := n.Eq, n.Not
		return func(row []types.Datum) (types.Datum, error) {
			v, err := x(row)
			if err != nil {
				return nil, err
			}
			if types.IsNull(v) {
				return types.Null, nil
			}
			sawNull := false
			for _, l := range list {
				w, err := l(row)
				if err != nil {
					return nil, err
				}
				if types.IsNull(w) {
					sawNull = true
					continue
				}
				r, err := eq.Fn(ec.eval, []types.Datum{v, w})
				if err != nil {
					return nil, err
				}
				if isTrue(r) {
					return types.DBool(!not), nil
				}
			}
			if sawNull {
				return types.Null, nil
			}
			return types.DBool(not), nil
		}, nil
	case *planner.DistinctExpr:
		eq, not := n.Eq, n.Not
		return ec.compilePair(n.Left, n.Right, func(a, b types.Datum) (types.Datum, error) {
			an, bn := types.IsNull(a), types.IsNull(b)
			var distinct bool
			switch {
			case an && bn:
				distinct = false
			case an || bn:
				distinct = true
			default:
				res, err := eq.Fn(ec.eval, []types.Datum{a, b})
				if err != nil {
					return nil, err
				}
				distinct = !isTrue(res)
			}
			return types.DBool(distinct != not), nil
		})
	case *planner.SubqueryExpr:
		return ec.compileSubquery(n)
	case *planner.QuantifiedArrayExpr:
		cmp, all := n.Cmp, n.All
		return ec.compilePair(n.Operand, n.Array, func(v, a types.Datum) (types.Datum, error) {
			if types.IsNull(a) {
				return types.Null, nil
			}
			return quantify(ec, v, a.(*types.DArray).Elems, cmp, all)
		})
	case *planner.ArrayExpr:
		elems, err := ec.compileAll(n.Elems)
		if err != nil {
			return nil, err
		}
		et := n.T.Elem
		return func(row []types.Datum) (types.Datum, error) {
			out := &types.DArray{Elem: et, Elems: make([]types.Datum, len(elems))}
			for i, f := range elems {
				v, err := f(row)
				if err != nil {
					return nil, err
				}
				out.Elems[i] = v
			}
			return out, nil
		}, nil
	case *planner.SysColumn:
		return ec.compileSysColumn(n)
	case *planner.RowExpr:
		fields, err := ec.compileAll(n.Fields)
		if err != nil {
			return nil, err
		}
		return func(row []types.Datum) (types.Datum, error) {
			out := make(types.DTuple, len(fields))
			for i, f := range fields {
				v, err := f(row)
				if err != nil {
					return nil, err
				}
				out[i] = v
			}
			return out, nil
		}, nil
	case *planner.FieldExpr:
		arg, err := ec.compile(n.Operand)
		if err != nil {
			return nil, err
		}
		idx := n.Idx
		return func(row []types.Datum) (types.Datum, error) {
			v, err := arg(row)
			if err != nil || types.IsNull(v) {
				return types.Null, err
			}
			t, ok := v.(types.DTuple)
			if !ok || idx >= len(t) {
				return nil, pgerror.New(pgerror.CodeInternal, "field selection from a non-record value")
			}
			return t[idx], nil
		}, nil
	case *planner.SubscriptExpr:
		lower := n.Operand.Type().LowerBound()
		isName := n.Operand.Type().Family == types.FamName
		return ec.compilePair(n.Operand, n.Index, func(a, i types.Datum) (types.Datum, error) {
			if types.IsNull(a) || types.IsNull(i) {
				return types.Null, nil
			}
			if isName {
				return nameByte(string(a.(types.DString)), int(i.(types.DInt))), nil
			}
			k := int(i.(types.DInt)) - lower + 1
			elems := a.(*types.DArray).Elems
			if k < 1 || k > len(elems) {
				return types.Null, nil
			}
			return elems[k-1], nil
		})
	case *planner.SeqFuncExpr:
		seq, fn := n.Seq, n.Func
		return func([]types.Datum) (types.Datum, error) {
			if fn == "nextval" {
				v, err := ec.sess.nextVal(ec.ctx, seq)
				return types.DInt(v), err
			}
			v, err := ec.sess.currVal(seq)
			return types.DInt(v), err
		}, nil
	}
	if tb, ok := e.(*planner.LimitSum); ok {
		cf, err := ec.compile(tb.Count)
		if err != nil {
			return nil, err
		}
		of, err := ec.compile(tb.Offset)
		if err != nil {
			return nil, err
		}
		return func(row []types.Datum) (types.Datum, error) {
			a, err := cf(row)
			if err != nil || types.IsNull(a) {
				return types.Null, err
			}
			b, err := of(row)
			if err != nil || types.IsNull(b) {
				return a, err
			}
			return a.(types.DInt) + b.(types.DInt), nil
		}, nil
	}
	return nil, pgerror.New(pgerror.CodeInternal, "cannot evaluate expression %T", e)
}

// compileRegCast converts names to regtype/regclass at run time
// ($1::text::regtype), as their input functions do.
func (ec *execCtx) compileRegCast(arg evalFn, to *types.T) evalFn {
	return func(row []types.Datum) (types.Datum, error) {
		v, err := arg(row)
		if err != nil || types.IsNull(v) {
			return types.Null, err
		}
		name := string(v.(types.DString))
		cat, err := ec.txn.Catalog()
		if err != nil {
			return nil, err
		}
		if to.Family == types.FamRegtype {
			t, err := ec.sess.binder(cat, nil).TypeByString(name)
			if err != nil {
				return nil, err
			}
			return types.DOid(t.OID()), nil
		}
		if to.Family == types.FamRegnamespace || to.Family == types.FamRegrole {
			return ec.sess.binder(cat, nil).RegNameOID(to, name)
		}
		if to.Family == types.FamRegproc {
			return ec.sess.binder(cat, nil).RegprocByName(name)
		}
		return ec.sess.binder(cat, nil).RegclassByName(name)
	}
}

// compilePair compiles two operands and a function of their values, the
// shape of every two-operand form the executor evaluates itself.
func (ec *execCtx) compilePair(left, right planner.Expr, f func(a, b types.Datum) (types.Datum, error)) (evalFn, error) {
	l, err := ec.compile(left)
	if err != nil {
		return nil, err
	}
	r, err := ec.compile(right)
	if err != nil {
		return nil, err
	}
	return func(row []types.Datum) (types.Datum, error) {
		a, err := l(row)
		if err != nil {
			return nil, err
		}
		b, err := r(row)
		if err != nil {
			return nil, err
		}
		return f(a, b)
	}, nil
}

func (ec *execCtx) compileCall(fn *builtins.Overload, argExprs []planner.Expr) (evalFn, error) {
	args, err := ec.compileAll(argExprs)
	if err != nil {
		return nil, err
	}
	if fn == nil {
		return nil, pgerror.New(pgerror.CodeInternal, "function has no implementation")
	}
	argTypes := make([]*types.T, len(argExprs))
	for i, a := range argExprs {
		argTypes[i] = a.Type()
	}
	impl := fn.Callable(argTypes)
	if impl == nil {
		return nil, pgerror.New(pgerror.CodeInternal, "function has no implementation")
	}
	strict := !fn.NullCall
	// One argument buffer per compiled call: a compiled expression is never
	// re-entered (subqueries compile their own), and built-ins do not keep
	// their argument slice, so rows pay no allocation for it.
	vals := make([]types.Datum, len(args))
	return func(row []types.Datum) (types.Datum, error) {
		for i, a := range args {
			v, err := a(row)
			if err != nil {
				return nil, err
			}
			if strict && types.IsNull(v) {
				return types.Null, nil
			}
			vals[i] = v
		}
		return impl(ec.eval, vals)
	}, nil
}

func isTrue(d types.Datum) bool {
	b, ok := d.(types.DBool)
	return ok && bool(b)
}

// quantify applies x op ANY/ALL over values with SQL's NULL rules.
func quantify(ec *execCtx, v types.Datum, elems []types.Datum, cmp *builtins.Overload, all bool) (types.Datum, error) {
	if len(elems) == 0 {
		return types.DBool(all), nil
	}
	if types.IsNull(v) {
		return types.Null, nil
	}
	sawNull := false
	for _, w := range elems {
		if types.IsNull(w) {
			sawNull = true
			continue
		}
		r, err := cmp.Fn(ec.eval, []types.Datum{v, w})
		if err != nil {
			return nil, err
		}
		if types.IsNull(r) {
			sawNull = true
			continue
		}
		if isTrue(r) != all {
			return types.DBool(!all), nil
		}
	}
	if sawNull {
		return types.Null, nil
	}
	return types.DBool(all), nil
}

func (ec *execCtx) compileSubquery(n *planner.SubqueryExpr) (evalFn, error) {
	var operand evalFn
	if n.Operand != nil {
		var err error
		if operand, err = ec.compile(n.Operand); err != nil {
			return nil, err
		}
	}
	// run drains the subplan with row pushed as the outer row.
	run := func(row []types.Datum, limit int) ([][]types.Datum, error) {
		ec.outer = append(ec.outer, row)
		defer func() { ec.outer = ec.outer[:len(ec.outer)-1] }()
		it, err := ec.build(n.Plan)
		if err != nil {
			return nil, err
		}
		defer it.Close()
		var rows [][]types.Datum
		for limit < 0 || len(rows) < limit {
			r, err := it.Next()
			if err != nil {
				return nil, err
			}
			if r == nil {
				break
			}
			rows = append(rows, r)
		}
		return rows, nil
	}
	var cached [][]types.Datum
	cachedOK := false
	get := func(row []types.Datum, limit int) ([][]types.Datum, error) {
		if n.Correlated {
			return run(row, limit)
		}
		if !cachedOK {
			rows, err := run(row, -1)
			if err != nil {
				return nil, err
			}
			cached, cachedOK = rows, true
		}
		return cached, nil
	}
	kind := n.Kind
	return func(row []types.Datum) (types.Datum, error) {
		switch kind {
		case planner.SubExists:
			rows, err := get(row, 1)
			if err != nil {
				return nil, err
			}
			return types.DBool(len(rows) > 0), nil
		case planner.SubScalar:
			rows, err := get(row, 2)
			if err != nil {
				return nil, err
			}
			if len(rows) > 1 {
				return nil, pgerror.New(pgerror.CodeCardinalityViolation, "more than one row returned by a subquery used as an expression")
			}
			if len(rows) == 0 {
				return types.Null, nil
			}
			return rows[0][0], nil
		case planner.SubArray:
			rows, err := get(row, -1)
			if err != nil {
				return nil, err
			}
			arr := &types.DArray{Elem: n.T.Elem, Elems: make([]types.Datum, len(rows))}
			for i, r := range rows {
				arr.Elems[i] = r[0]
			}
			return arr, nil
		default:
			v, err := operand(row)
			if err != nil {
				return nil, err
			}
			rows, err := get(row, -1)
			if err != nil {
				return nil, err
			}
			elems := make([]types.Datum, len(rows))
			for i, r := range rows {
				elems[i] = r[0]
			}
			res, err := quantify(ec, v, elems, n.Cmp, kind == planner.SubAll)
			if err != nil {
				return nil, err
			}
			if n.Not && !types.IsNull(res) {
				return !res.(types.DBool), nil
			}
			return res, nil
		}
	}, nil
}

// nameByte is name[k]: a name is a NAMEDATALEN array of "char" indexed
// from 0, so positions past the text but inside the array hold NUL (shown
// as the empty string) and positions outside it are NULL.
func nameByte(s string, k int) types.Datum {
	const namedatalen = 64
	switch {
	case k < 0 || k >= namedatalen:
		return types.Null
	case k >= len(s):
		return types.DString("")
	}
	return types.DString(s[k : k+1])
}
