package planner

import (
	"fmt"
	"strings"

	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

func (b *Binder) bindFunc(n *tree.FuncCall, sc *scope) (Expr, error) {
	if n.Schema != "" && n.Schema != "pg_catalog" {
		return nil, pgerror.New(pgerror.CodeUndefinedFunction, "function %s.%s does not exist", n.Schema, n.Name).WithPosition(int(n.Pos))
	}
	if n.Over != nil {
		return b.bindWindowCall(n, sc)
	}
	if err := checkWindowOnlyCall(n); err != nil {
		return nil, err
	}
	if _, named := builtins.Params(n.Name); named && builtins.Functions(n.Name) != nil || len(n.ArgNames) > 0 {
		pa, err := positionalArgs(n, overloadArity(builtins.Functions(n.Name)), b.argTypeName(sc))
		if err != nil {
			return nil, err
		}
		n = pa
	}
	if isGroupingCall(n) {
		return b.bindGrouping(n, sc)
	}
	if aggs := builtins.Aggregates(n.Name); aggs != nil {
		return b.bindAggregate(n, aggs, sc)
	}
	if n.Distinct || n.Filter != nil || len(n.OrderBy) > 0 || n.Star {
		if n.Star {
			return nil, pgerror.New(pgerror.CodeSyntaxError, "%s(*) specified, but %s is not an aggregate function", n.Name, n.Name).WithPosition(int(n.Pos))
		}
		return nil, pgerror.New(pgerror.CodeWrongObjectType, "DISTINCT/ORDER BY/FILTER specified, but %s is not an aggregate function", n.Name).WithPosition(int(n.Pos))
	}
	args := make([]Expr, len(n.Args))
	argTypes := make([]*types.T, len(n.Args))
	for i, a := range n.Args {
		x, err := b.bindExpr(a, sc)
		if err != nil {
			return nil, err
		}
		args[i], argTypes[i] = x, x.Type()
	}
	switch n.Name {
	case "coalesce", "greatest", "least":
		if len(args) == 0 {
			return nil, pgerror.New(pgerror.CodeSyntaxError, "syntax error at or near \")\"").WithPosition(int(n.Pos))
		}
		t, err := commonType(argTypes, strings.ToUpper(n.Name))
		if err != nil {
			return nil, withPos(err, n.Pos)
		}
		if t.Family == types.FamUnknown {
			t = types.Text
		}
		for i := range args {
			if args[i], err = b.coerce(args[i], t, types.CastImplicit, strings.ToUpper(n.Name)); err != nil {
				return nil, err
			}
		}
		if n.Name == "coalesce" {
			return &CoalesceExpr{Args: args, T: t}, nil
		}
		return &MinMaxExpr{Greatest: n.Name == "greatest", Args: args, T: t}, nil
	case "nullif":
		if len(args) != 2 {
			break
		}
		eq, err := b.bindBinary("=", args[0], args[1], n.Pos)
		if err != nil {
			return nil, err
		}
		call := eq.(*Call)
		return &NullIfExpr{Left: call.Args[0], Right: call.Args[1], Eq: call.Fn}, nil
	case "to_regclass", "to_regtype":
		if len(args) == 1 {
			return b.toReg(n, args[0])
		}
	case "nextval", "currval":
		if len(args) == 1 {
			if seq := b.constSequence(args[0]); seq != nil {
				return &SeqFuncExpr{Func: n.Name, Seq: seq}, nil
			}
		}
	}
	ovs := builtins.Functions(n.Name)
	if ovs == nil {
		return nil, pgerror.New(pgerror.CodeUndefinedFunction, "function %s(%s) does not exist", n.Name, builtins.TypeList(argTypes)).
			WithHint("No function matches the given name and argument types. You might need to add explicit type casts.").WithPosition(int(n.Pos))
	}
	o, targets, err := builtins.Resolve(n.Name, ovs, argTypes)
	if err != nil {
		return nil, withPos(err, n.Pos)
	}
	for i := range args {
		if i < len(targets) {
			if args[i], err = b.coerce(args[i], targets[i], types.CastImplicit, n.Name); err != nil {
				return nil, err
			}
		}
	}
	return &Call{Name: n.Name, Fn: o, Args: args, T: returnType(o, targets)}, nil
}

// constSequence resolves nextval('name') / nextval('name'::regclass) to a
// sequence at bind time.
func (b *Binder) constSequence(arg Expr) *catalog.Sequence {
	c, ok := arg.(*Const)
	if !ok || types.IsNull(c.Val) {
		return nil
	}
	switch v := c.Val.(type) {
	case types.DString:
		name := string(v)
		parts := strings.Split(name, ".")
		for i := range parts {
			parts[i] = unquoteIdent(parts[i])
		}
		return b.LookupSequence(strings.Join(parts, "."))
	case types.DOid:
		return b.Cat.Sequences[catalog.ID(v)]
	}
	return nil
}

// toReg resolves to_regclass('name') / to_regtype('name') at bind time:
// the object's OID, or NULL when there is no such object. Only constant
// names are supported (the catalog is read when the statement is planned).
func (b *Binder) toReg(n *tree.FuncCall, arg Expr) (Expr, error) {
	rt := types.Regclass
	if n.Name == "to_regtype" {
		rt = types.Regtype
	}
	c, ok := arg.(*Const)
	if !ok {
		return nil, notSupported(n.Name + " of a non-constant argument")
	}
	if types.IsNull(c.Val) {
		return &Const{Val: types.Null, T: rt}, nil
	}
	name := string(asString(c.Val))
	if n.Name == "to_regclass" {
		x, err := b.regclassConst(name, n.Pos)
		if err != nil {
			return &Const{Val: types.Null, T: rt}, nil
		}
		return x, nil
	}
	t, err := b.TypeByString(name)
	if err != nil {
		return &Const{Val: types.Null, T: rt}, nil
	}
	return &Const{Val: types.DOid(t.OID()), T: rt}, nil
}

// TypeByName resolves a type name as regtype's input function does
// ("vector", "_vector", "integer[]", "pg_catalog.int4").
func TypeByName(name string) (*types.T, error) {
	tn := strings.ToLower(strings.TrimSpace(name))
	tn = strings.TrimPrefix(tn, "pg_catalog.")
	dims := 0
	for strings.HasSuffix(tn, "[]") {
		tn, dims = strings.TrimSuffix(tn, "[]"), dims+1
	}
	if strings.HasPrefix(tn, "_") {
		tn, dims = tn[1:], dims+1
	}
	t, err := types.Resolve(tn, nil)
	if err != nil {
		return nil, err
	}
	for i := 0; i < dims; i++ {
		t = types.ArrayOf(t)
	}
	return t, nil
}

func (b *Binder) bindAggregate(n *tree.FuncCall, aggs []*builtins.AggOverload, sc *scope) (Expr, error) {
	if sc.agg == nil {
		reason := sc.noAggReason
		if reason == "" {
			reason = "this context"
		}
		return nil, pgerror.New(pgerror.CodeGroupingError, "aggregate functions are not allowed in %s", reason).WithPosition(int(n.Pos))
	}
	if len(n.WithinGroup) > 0 {
		return nil, notSupported("ordered-set aggregates (WITHIN GROUP)")
	}
	st := sc.agg
	// Arguments are bound over the input row, without nesting aggregates
	// or window functions.
	sc.agg = nil
	win := sc.win
	sc.win = nil
	defer func() { sc.agg, sc.win = st, win }()
	sc.noAggReason = "aggregate function calls cannot be nested"
	defer func() { sc.noAggReason = "" }()
	args := make([]Expr, len(n.Args))
	argTypes := make([]*types.T, len(n.Args))
	for i, a := range n.Args {
		x, err := b.bindExpr(a, sc)
		if err != nil {
			if pgerror.CodeOf(err) == pgerror.CodeGroupingError && !strings.Contains(err.Error(), "window function calls") {
				return nil, pgerror.New(pgerror.CodeGroupingError, "aggregate function calls cannot be nested").WithPosition(int(exprPos(a)))
			}
			return nil, err
		}
		args[i], argTypes[i] = x, x.Type()
	}
	call, err := b.resolveAggCall(n, aggs, args, argTypes)
	if err != nil {
		return nil, err
	}
	args, targets, rt := call.Args, call.ArgTypes, call.T
	var filter Expr
	if n.Filter != nil {
		if filter, err = b.bindCondition(n.Filter, sc, "FILTER"); err != nil {
			return nil, err
		}
	}
	var order []SortKey
	for _, it := range n.OrderBy {
		if it.Using != "" {
			return nil, notSupported("ORDER BY ... USING")
		}
		x, err := b.bindExpr(it.Expr, sc)
		if err != nil {
			return nil, err
		}
		nullsFirst := orderNullsFirst(it)
		order = append(order, SortKey{Expr: x, Desc: it.Desc, NullsFirst: nullsFirst})
	}
	*call = AggCall{Name: n.Name, Fn: call.Fn, Args: args, ArgTypes: targets, Distinct: n.Distinct, Filter: filter, Star: n.Star, OrderBy: order, T: rt}
	key := aggKey(call)
	for i, k := range st.aggKeys {
		if k == key {
			return &AggRef{Idx: i, T: rt}, nil
		}
	}
	st.aggs = append(st.aggs, *call)
	st.aggKeys = append(st.aggKeys, key)
	return &AggRef{Idx: len(st.aggs) - 1, T: rt}, nil
}

// resolveAggCall picks aggregate n's overload for the bound arguments and
// coerces them to its parameter types.
func (b *Binder) resolveAggCall(n *tree.FuncCall, aggs []*builtins.AggOverload, args []Expr, argTypes []*types.T) (*AggCall, error) {
	if n.Star {
		args, argTypes = nil, nil
	}
	ovs := make([]*builtins.Overload, len(aggs))
	for i, a := range aggs {
		ovs[i] = &builtins.Overload{Params: a.Params}
	}
	chosen, targets, err := builtins.Resolve(n.Name, ovs, argTypes)
	if err != nil {
		return nil, withPos(err, n.Pos)
	}
	var agg *builtins.AggOverload
	for i, o := range ovs {
		if o == chosen {
			agg = aggs[i]
		}
	}
	for i := range args {
		t := targets[i]
		if t == nil || t.Family == types.FamUnknown {
			t = args[i].Type()
			if t.Family == types.FamUnknown {
				t = types.Text
			}
			targets[i] = t
		}
		if args[i], err = b.coerce(args[i], t, types.CastImplicit, n.Name); err != nil {
			return nil, err
		}
	}
	rt := agg.Return
	if agg.ReturnFn != nil {
		rt = agg.ReturnFn(targets)
	}
	return &AggCall{Name: n.Name, Fn: agg, Args: args, ArgTypes: targets, Star: n.Star, T: rt}, nil
}

func aggKey(a *AggCall) string {
	var sb strings.Builder
	sb.WriteString(a.Name)
	if a.Distinct {
		sb.WriteString(" distinct")
	}
	if a.Star {
		sb.WriteString("*")
	}
	for _, x := range a.Args {
		sb.WriteString("|")
		sb.WriteString(exprKey(x))
	}
	if a.Filter != nil {
		sb.WriteString(" filter ")
		sb.WriteString(exprKey(a.Filter))
	}
	for _, k := range a.OrderBy {
		fmt.Fprintf(&sb, " order %s %v %v", exprKey(k.Expr), k.Desc, k.NullsFirst)
	}
	return sb.String()
}
