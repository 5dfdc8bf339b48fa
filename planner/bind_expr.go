package planner

import (
	"errors"
	"math/big"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"
	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

// positionless marks an error PostgreSQL reports without a position: a
// type modifier check (vector(3), varchar(3)) runs after the literal was
// read, away from its text.
type positionless struct{ error }

func (p positionless) Unwrap() error { return p.error }

// withPos attaches a position to a report that has none.
func withPos(err error, pos tree.Pos) error {
	var np positionless
	if errors.As(err, &np) {
		return err
	}
	var pe *pgerror.Error
	if errors.As(err, &pe) && pe.Position == 0 && pos > 0 {
		return pe.WithPosition(int(pos))
	}
	return err
}

// bindCondition binds a boolean condition (WHERE, ON, HAVING).
func (b *Binder) bindCondition(e tree.Expr, sc *scope, clause string) (Expr, error) {
	x, err := b.bindExpr(e, sc)
	if err != nil {
		return nil, err
	}
	if x.Type().Family == types.FamBool {
		return x, nil
	}
	if x.Type().Family == types.FamUnknown {
		return b.coerce(x, types.Bool, types.CastImplicit, clause)
	}
	return nil, pgerror.New(pgerror.CodeDatatypeMismatch, "argument of %s must be type boolean, not type %s", clause, x.Type()).WithPosition(int(exprPos(e)))
}

// exprPos finds a position for error reports.
func exprPos(e tree.Expr) tree.Pos {
	switch n := e.(type) {
	case *tree.ColumnRef:
		return n.Pos
	case *tree.FuncCall:
		return n.Pos
	case *tree.BinaryExpr:
		if n.Pos != 0 {
			return n.Pos
		}
		return exprPos(n.Left)
	case *tree.NumberLit:
		return n.Pos
	case *tree.StringLit:
		return n.Pos
	case *tree.CastExpr:
		if n.Pos != 0 {
			return n.Pos
		}
		return exprPos(n.Operand)
	case *tree.UnaryExpr:
		return n.Pos
	case *tree.Param:
		return n.Pos
	case *tree.ParenExpr:
		return exprPos(n.Inner)
	case *tree.SubqueryExpr:
		return n.Pos
	case *tree.ExistsExpr:
		return n.Pos
	case *tree.ArraySubquery:
		return n.Pos
	case *tree.InExpr:
		return n.Pos
	}
	return 0
}

func (b *Binder) bindExpr(e tree.Expr, sc *scope) (Expr, error) {
	switch n := e.(type) {
	case *tree.ColumnRef:
		x, err := sc.resolveColumn(n)
		if err == nil && b.columnReads != nil {
			b.noteColumnRead(sc, x)
		}
		return x, err
	case *tree.ParenExpr:
		return b.bindExpr(n.Inner, sc)
	case *tree.NumberLit:
		return numberConst(n.Text, n.Pos)
	case *tree.StringLit:
		return &Const{Val: types.DString(n.Val), T: types.Unknown}, nil
	case *tree.BitLit:
		// make_const's T_BitString: bit_in without a typmod, so the
		// constant is of type bit with its own length.
		v, err := types.ParseText(types.Bit, n.Val)
		if err != nil {
			return nil, withPos(err, n.Pos)
		}
		return &Const{Val: v, T: types.Bit}, nil
	case *tree.BoolLit:
		return &Const{Val: types.DBool(n.Val), T: types.Bool}, nil
	case *tree.NullLit:
		return &Const{Val: types.Null, T: types.Unknown}, nil
	case *tree.Param:
		if n.N < 1 {
			return nil, pgerror.New(pgerror.CodeUndefinedParameter, "there is no parameter $%d", n.N).WithPosition(int(n.Pos))
		}
		for len(b.Params) < n.N {
			b.Params = append(b.Params, types.Unknown)
		}
		if b.Params[n.N-1] == nil {
			b.Params[n.N-1] = types.Unknown
		}
		return &ParamRef{N: n.N, Params: &b.Params}, nil
	case *tree.DefaultExpr:
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "DEFAULT is not allowed in this context").WithPosition(int(n.Pos))
	case *tree.Star:
		return nil, pgerror.New(pgerror.CodeSyntaxError, "syntax error at or near \"*\"").WithPosition(int(n.Pos))
	case *tree.UnaryExpr:
		return b.bindUnary(n, sc)
	case *tree.BinaryExpr:
		switch n.Op {
		case "and", "or":
			l, err := b.bindCondition(n.Left, sc, strings.ToUpper(n.Op))
			if err != nil {
				return nil, err
			}
			r, err := b.bindCondition(n.Right, sc, strings.ToUpper(n.Op))
			if err != nil {
				return nil, err
			}
			or := n.Op == "or"
			args := []Expr{l, r}
			if lb, ok := l.(*BoolOp); ok && lb.Or == or {
				args = append(append([]Expr(nil), lb.Args...), r)
			}
			return &BoolOp{Or: or, Args: args}, nil
		case "is distinct from", "is not distinct from":
			l, err := b.bindExpr(n.Left, sc)
			if err != nil {
				return nil, err
			}
			r, err := b.bindExpr(n.Right, sc)
			if err != nil {
				return nil, err
			}
			eq, err := b.bindBinary("=", l, r, n.Pos)
			if err != nil {
				return nil, err
			}
			call := eq.(*Call)
			return &DistinctExpr{Left: call.Args[0], Right: call.Args[1], Eq: call.Fn, Not: n.Op == "is not distinct from"}, nil
		}
		if n.Op == "similar to" || n.Op == "not similar to" {
			return b.bindSimilarTo(n, sc)
		}
		if n.Escape != nil {
			return b.bindLikeEscape(n, sc)
		}
		l, err := b.bindExpr(n.Left, sc)
		if err != nil {
			return nil, err
		}
		r, err := b.bindExpr(n.Right, sc)
		if err != nil {
			return nil, err
		}
		pos := n.Pos
		if pos == 0 {
			pos = exprPos(n.Left)
		}
		return b.bindBinary(n.Op, l, r, pos)
	case *tree.IsExpr:
		x, err := b.bindExpr(n.Operand, sc)
		if err != nil {
			return nil, err
		}
		if n.What == "null" {
			return &IsNullExpr{Operand: x, Not: n.Not}, nil
		}
		if n.What == "document" {
			return isDocument(x, n.Operand)
		}
		if x, err = b.coerce(x, types.Bool, types.CastImplicit, "IS "+strings.ToUpper(n.What)); err != nil {
			return nil, err
		}
		return &IsBoolExpr{Operand: x, Not: n.Not, What: n.What}, nil
	case *tree.BetweenExpr:
		return b.bindBetween(n, sc)
	case *tree.InExpr:
		return b.bindIn(n, sc)
	case *tree.ExistsExpr:
		p, corr, err := b.bindSubquery(n.Subquery, sc)
		if err != nil {
			return nil, err
		}
		return &SubqueryExpr{Kind: SubExists, Plan: p, Correlated: corr, T: types.Bool}, nil
	case *tree.SubqueryExpr:
		p, corr, err := b.bindSubquery(n.Subquery, sc)
		if err != nil {
			return nil, err
		}
		cols := p.Columns()
		if len(cols) != 1 {
			return nil, pgerror.New(pgerror.CodeSyntaxError, "subquery must return only one column").WithPosition(int(n.Pos))
		}
		return &SubqueryExpr{Kind: SubScalar, Plan: p, Correlated: corr, T: cols[0].T}, nil
	case *tree.ArraySubquery:
		p, corr, err := b.bindSubquery(n.Subquery, sc)
		if err != nil {
			return nil, err
		}
		cols := p.Columns()
		if len(cols) != 1 {
			return nil, pgerror.New(pgerror.CodeSyntaxError, "subquery must return only one column").WithPosition(int(n.Pos))
		}
		return &SubqueryExpr{Kind: SubArray, Plan: p, Correlated: corr, T: types.ArrayOf(cols[0].T)}, nil
	case *tree.QuantifiedExpr:
		return b.bindQuantified(n, sc)
	case *tree.CaseExpr:
		return b.bindCase(n, sc)
	case *tree.CastExpr:
		return b.bindCast(n, sc)
	case *tree.CollateExpr:
		return b.bindExpr(n.Operand, sc)
	case *tree.FuncCall:
		return b.bindFunc(n, sc)
	case *tree.ArrayExpr:
		elems := make([]Expr, len(n.Elems))
		ts := make([]*types.T, len(n.Elems))
		for i, el := range n.Elems {
			x, err := b.bindExpr(el, sc)
			if err != nil {
				return nil, err
			}
			elems[i], ts[i] = x, x.Type()
		}
		et, err := commonType(ts, "ARRAY")
		if err != nil {
			return nil, err
		}
		if et.Family == types.FamUnknown {
			et = types.Text
		}
		for i := range elems {
			if elems[i], err = b.coerce(elems[i], et, types.CastImplicit, "ARRAY"); err != nil {
				return nil, err
			}
		}
		return &ArrayExpr{Elems: elems, T: types.ArrayOf(et)}, nil
	case *tree.Subscript:
		if n.Slice {
			return nil, notSupported("array slices")
		}
		x, err := b.bindExpr(n.Operand, sc)
		if err != nil {
			return nil, err
		}
		// name is a fixed array of "char" in PostgreSQL, subscripted from
		// 0 (catalog queries test typname[0] = '_').
		isName := x.Type().Family == types.FamName
		if !x.Type().IsArray() && !isName {
			return nil, pgerror.New(pgerror.CodeDatatypeMismatch, "cannot subscript type %s because it does not support subscripting", x.Type()).WithPosition(int(n.Pos))
		}
		idx, err := b.bindExpr(n.Index, sc)
		if err != nil {
			return nil, err
		}
		if idx, err = b.coerce(idx, types.Int4, types.CastImplicit, "array subscript"); err != nil {
			return nil, err
		}
		if isName {
			return &SubscriptExpr{Operand: x, Index: idx, T: types.Text}, nil
		}
		return &SubscriptExpr{Operand: x, Index: idx, T: x.Type().Elem}, nil
	case *tree.RowExpr:
		// An anonymous record (its fields print as f1, f2, ... in JSON).
		row := &RowExpr{T: &types.T{Family: types.FamRecord}}
		for _, e := range n.Elems {
			x, err := b.bindExpr(e, sc)
			if err != nil {
				return nil, err
			}
			row.Fields = append(row.Fields, x)
		}
		return row, nil
	case *tree.FieldAccess:
		return b.bindFieldAccess(n, sc)
	}
	return nil, notSupported("this expression")
}

// DistinctExpr is IS [NOT] DISTINCT FROM.
type DistinctExpr struct {
	Left, Right Expr
	Eq          *builtins.Overload
	Not         bool
}

func (e *DistinctExpr) Type() *types.T { return types.Bool }

// numberConst types a numeric literal as PostgreSQL does: integer if it
// fits int4, then int8, else numeric.
func numberConst(text string, pos tree.Pos) (Expr, error) {
	if !strings.ContainsAny(text, ".eE") {
		var bi big.Int
		if _, ok := bi.SetString(text, 10); ok {
			if bi.IsInt64() {
				v := bi.Int64()
				if v >= -2147483648 && v <= 2147483647 {
					return &Const{Val: types.DInt(v), T: types.Int4}, nil
				}
				return &Const{Val: types.DInt(v), T: types.Int8}, nil
			}
		}
	}
	d, _, err := apd.NewFromString(text)
	if err != nil {
		return nil, pgerror.New(pgerror.CodeInvalidTextRepresentation, "invalid input syntax for type numeric: \"%s\"", text).WithPosition(int(pos))
	}
	return &Const{Val: &types.DDecimal{Decimal: *d}, T: types.Numeric}, nil
}

func (b *Binder) bindUnary(n *tree.UnaryExpr, sc *scope) (Expr, error) {
	if n.Op == "not" {
		x, err := b.bindCondition(n.Operand, sc, "NOT")
		if err != nil {
			return nil, err
		}
		return &NotExpr{Operand: x}, nil
	}
	if lit, ok := n.Operand.(*tree.NumberLit); ok && n.Op == "-" {
		return numberConst("-"+lit.Text, n.Pos)
	}
	x, err := b.bindExpr(n.Operand, sc)
	if err != nil {
		return nil, err
	}
	ovs := builtins.UnaryOps(n.Op)
	o, targets, err := builtins.Resolve(n.Op, ovs, []*types.T{x.Type()})
	if err != nil {
		return nil, withPos(err, n.Pos)
	}
	if x, err = b.coerce(x, targets[0], types.CastImplicit, n.Op); err != nil {
		return nil, err
	}
	return &Call{Name: n.Op, Fn: o, Args: []Expr{x}, T: returnType(o, targets)}, nil
}

// bindBinary resolves a binary operator over bound operands.
func (b *Binder) bindBinary(op string, l, r Expr, pos tree.Pos) (Expr, error) {
	ovs := builtins.BinaryOps(op)
	if ovs == nil {
		return nil, pgerror.New(pgerror.CodeUndefinedFunction, "operator does not exist: %s %s %s", l.Type().BaseString(), op, r.Type().BaseString()).
			WithHint("No operator matches the given name and argument types. You might need to add explicit type casts.").WithPosition(int(pos))
	}
	o, targets, err := builtins.Resolve(op, ovs, []*types.T{l.Type(), r.Type()})
	if err != nil {
		return nil, withPos(err, pos)
	}
	if l, err = b.coerce(l, targets[0], types.CastImplicit, op); err != nil {
		return nil, err
	}
	if r, err = b.coerce(r, targets[1], types.CastImplicit, op); err != nil {
		return nil, err
	}
	return &Call{Name: op, Fn: o, Args: []Expr{l, r}, T: returnType(o, targets)}, nil
}

func returnType(o *builtins.Overload, args []*types.T) *types.T {
	if o.ReturnFn != nil {
		return o.ReturnFn(args)
	}
	return o.Return
}

// bindLikeEscape binds x LIKE p ESCAPE e as PostgreSQL does:
// x ~~ like_escape(p, e), so one LIKE implementation serves both forms.
func (b *Binder) bindLikeEscape(n *tree.BinaryExpr, sc *scope) (Expr, error) {
	l, err := b.bindExpr(n.Left, sc)
	if err != nil {
		return nil, err
	}
	pat, err := b.bindFunc(&tree.FuncCall{Name: "like_escape", Args: []tree.Expr{n.Right, n.Escape}, Pos: n.Pos}, sc)
	if err != nil {
		return nil, err
	}
	return b.bindBinary(n.Op, l, pat, n.Pos)
}

// bindSimilarTo binds x [NOT] SIMILAR TO p [ESCAPE e] as PostgreSQL does:
// x ~ similar_to_escape(p [, e]) (!~ for NOT).
func (b *Binder) bindSimilarTo(n *tree.BinaryExpr, sc *scope) (Expr, error) {
	l, err := b.bindExpr(n.Left, sc)
	if err != nil {
		return nil, err
	}
	args := []tree.Expr{n.Right}
	if n.Escape != nil {
		args = append(args, n.Escape)
	}
	pat, err := b.bindFunc(&tree.FuncCall{Name: "similar_to_escape", Args: args, Pos: n.Pos}, sc)
	if err != nil {
		return nil, err
	}
	op := "~"
	if n.Op == "not similar to" {
		op = "!~"
	}
	return b.bindBinary(op, l, pat, n.Pos)
}

func (b *Binder) bindBetween(n *tree.BetweenExpr, sc *scope) (Expr, error) {
	x, err := b.bindExpr(n.Operand, sc)
	if err != nil {
		return nil, err
	}
	lo, err := b.bindExpr(n.Lo, sc)
	if err != nil {
		return nil, err
	}
	hi, err := b.bindExpr(n.Hi, sc)
	if err != nil {
		return nil, err
	}
	ge, err := b.bindBinary(">=", x, lo, n.Pos)
	if err != nil {
		return nil, err
	}
	le, err := b.bindBinary("<=", x, hi, n.Pos)
	if err != nil {
		return nil, err
	}
	var e Expr = &BoolOp{Args: []Expr{ge, le}}
	if n.Symmetric {
		ge2, err := b.bindBinary(">=", x, hi, n.Pos)
		if err != nil {
			return nil, err
		}
		le2, err := b.bindBinary("<=", x, lo, n.Pos)
		if err != nil {
			return nil, err
		}
		e = &BoolOp{Or: true, Args: []Expr{e, &BoolOp{Args: []Expr{ge2, le2}}}}
	}
	if n.Not {
		e = &NotExpr{Operand: e}
	}
	return e, nil
}

func (b *Binder) bindIn(n *tree.InExpr, sc *scope) (Expr, error) {
	x, err := b.bindExpr(n.Operand, sc)
	if err != nil {
		return nil, err
	}
	if n.Subquery != nil {
		p, corr, err := b.bindSubquery(n.Subquery, sc)
		if err != nil {
			return nil, err
		}
		cols := p.Columns()
		if len(cols) != 1 {
			return nil, pgerror.New(pgerror.CodeSyntaxError, "subquery has too many columns").WithPosition(int(n.Pos))
		}
		eq, err := b.bindBinary("=", x, &ColRef{Idx: 0, T: cols[0].T}, n.Pos)
		if err != nil {
			return nil, err
		}
		call := eq.(*Call)
		p = coerceSubplan(p, call.Args[1])
		return &SubqueryExpr{Kind: SubIn, Plan: p, Operand: call.Args[0], Cmp: call.Fn, Not: n.Not, Correlated: corr, T: types.Bool}, nil
	}
	list := make([]Expr, len(n.List))
	ts := []*types.T{x.Type()}
	for i, e := range n.List {
		y, err := b.bindExpr(e, sc)
		if err != nil {
			return nil, err
		}
		list[i] = y
		ts = append(ts, y.Type())
	}
	t, err := commonType(ts, "IN")
	if err != nil {
		return nil, withPos(err, n.Pos)
	}
	if t.Family == types.FamUnknown {
		t = types.Text
	}
	if x, err = b.coerce(x, t, types.CastImplicit, "IN"); err != nil {
		return nil, err
	}
	for i := range list {
		if list[i], err = b.coerce(list[i], t, types.CastImplicit, "IN"); err != nil {
			return nil, err
		}
	}
	eq, err := b.bindBinary("=", &ColRef{T: t}, &ColRef{T: t}, n.Pos)
	if err != nil {
		return nil, err
	}
	return &InListExpr{Operand: x, List: list, Eq: eq.(*Call).Fn, Not: n.Not}, nil
}

// coerceSubplan wraps a one-column subplan in a cast when the comparison
// needs its column converted (cast is an expression over ColRef 0).
func coerceSubplan(p Plan, castExpr Expr) Plan {
	if _, ok := castExpr.(*ColRef); ok {
		return p
	}
	c := p.Columns()[0]
	c.T = castExpr.Type()
	return &Project{Input: p, Exprs: []Expr{castExpr}, Cols: []Column{c}}
}

func (b *Binder) bindQuantified(n *tree.QuantifiedExpr, sc *scope) (Expr, error) {
	x, err := b.bindExpr(n.Operand, sc)
	if err != nil {
		return nil, err
	}
	if n.Subquery != nil {
		p, corr, err := b.bindSubquery(n.Subquery, sc)
		if err != nil {
			return nil, err
		}
		cols := p.Columns()
		if len(cols) != 1 {
			return nil, pgerror.New(pgerror.CodeSyntaxError, "subquery has too many columns").WithPosition(int(n.Pos))
		}
		cmp, err := b.bindBinary(n.Op, x, &ColRef{Idx: 0, T: cols[0].T}, n.Pos)
		if err != nil {
			return nil, err
		}
		call := cmp.(*Call)
		kind := SubIn
		if n.All {
			kind = SubAll
		}
		return &SubqueryExpr{Kind: kind, Plan: coerceSubplan(p, call.Args[1]), Operand: call.Args[0], Cmp: call.Fn, Correlated: corr, T: types.Bool}, nil
	}
	arr, err := b.bindExpr(n.Array, sc)
	if err != nil {
		return nil, err
	}
	at := arr.Type()
	if at.Family == types.FamUnknown {
		// '{1,2}' or an untyped parameter: the element type follows x.
		et := x.Type()
		if et.Family == types.FamUnknown {
			et = types.Text
		}
		if arr, err = b.coerce(arr, types.ArrayOf(et), types.CastImplicit, "ANY"); err != nil {
			return nil, err
		}
		at = arr.Type()
	}
	if !at.IsArray() {
		return nil, pgerror.New(pgerror.CodeDatatypeMismatch, "op ANY/ALL (array) requires array on right side").WithPosition(int(n.Pos))
	}
	cmp, err := b.bindBinary(n.Op, x, &ColRef{T: at.Elem}, n.Pos)
	if err != nil {
		return nil, err
	}
	call := cmp.(*Call)
	if !call.Args[1].Type().Identical(at.Elem) {
		if arr, err = b.coerce(arr, types.ArrayOf(call.Args[1].Type()), types.CastImplicit, "ANY"); err != nil {
			return nil, err
		}
	}
	return &QuantifiedArrayExpr{Operand: call.Args[0], Array: arr, Cmp: call.Fn, All: n.All}, nil
}

// bindSubquery binds a nested query whose outer scope is sc, reporting
// whether it refers to sc (or beyond).
func (b *Binder) bindSubquery(s *tree.Select, sc *scope) (Plan, bool, error) {
	b.sublinks++
	p, err := b.bindSelect(s, sc)
	b.sublinks--
	if err != nil {
		return nil, false, err
	}
	p = stripHidden(p)
	return p, planHasOuterRefs(p), nil
}

func (b *Binder) bindCase(n *tree.CaseExpr, sc *scope) (Expr, error) {
	var operand Expr
	var err error
	if n.Operand != nil {
		if operand, err = b.bindExpr(n.Operand, sc); err != nil {
			return nil, err
		}
	}
	out := &CaseExpr{}
	var results []Expr
	for _, w := range n.Whens {
		var cond Expr
		if operand != nil {
			v, err := b.bindExpr(w.Cond, sc)
			if err != nil {
				return nil, err
			}
			if cond, err = b.bindBinary("=", operand, v, 0); err != nil {
				return nil, err
			}
		} else if cond, err = b.bindCondition(w.Cond, sc, "CASE/WHEN"); err != nil {
			return nil, err
		}
		r, err := b.bindExpr(w.Result, sc)
		if err != nil {
			return nil, err
		}
		out.Whens = append(out.Whens, CaseWhen{Cond: cond})
		results = append(results, r)
	}
	if n.Else != nil {
		e, err := b.bindExpr(n.Else, sc)
		if err != nil {
			return nil, err
		}
		results = append(results, e)
	}
	// PostgreSQL considers the ELSE result first (it shows in messages).
	ts := make([]*types.T, 0, len(results))
	if n.Else != nil {
		ts = append(ts, results[len(results)-1].Type())
	}
	for i := 0; i < len(n.Whens); i++ {
		ts = append(ts, results[i].Type())
	}
	t, err := commonType(ts, "CASE")
	if err != nil {
		return nil, err
	}
	if t.Family == types.FamUnknown {
		t = types.Text
	}
	for i := range results {
		if results[i], err = b.coerce(results[i], t, types.CastImplicit, "CASE"); err != nil {
			return nil, err
		}
	}
	for i := range out.Whens {
		out.Whens[i].Result = results[i]
	}
	if n.Else != nil {
		out.Else = results[len(results)-1]
	}
	out.T = t
	return out, nil
}

// ResolveTypeName maps a parsed type name to a type.
func ResolveTypeName(tn tree.TypeName) (*types.T, error) {
	t, err := types.Resolve(tn.Name, tn.Mods)
	if err != nil {
		return nil, withPos(err, tn.Pos)
	}
	for i := 0; i < tn.ArrayDims; i++ {
		t = types.ArrayOf(t)
	}
	return t, nil
}

func (b *Binder) bindCast(n *tree.CastExpr, sc *scope) (Expr, error) {
	t, err := b.ResolveType(n.Type)
	if err != nil {
		return nil, err
	}
	x, err := b.bindExpr(n.Operand, sc)
	if err != nil {
		return nil, err
	}
	if t.Family == types.FamRegtype {
		if c, ok := x.(*Const); ok && c.T.Family == types.FamUnknown && !types.IsNull(c.Val) {
			rt, err := b.TypeByString(string(asString(c.Val)))
			if err != nil {
				return nil, withPos(err, exprPos(n.Operand))
			}
			return &Const{Val: types.DOid(rt.OID()), T: t}, nil
		}
	}
	if t.Family == types.FamRegclass {
		if c, ok := x.(*Const); ok && c.T.Family != types.FamInt4 && c.T.Family != types.FamInt8 && c.T.Family != types.FamOid {
			if types.IsNull(c.Val) {
				return &Const{Val: types.Null, T: t}, nil
			}
			return b.regclassConst(string(asString(c.Val)), exprPos(n.Operand))
		}
	}
	if t.Family == types.FamRegproc && b.Proc != nil {
		if c, ok := x.(*Const); ok && (c.T.Family == types.FamUnknown || c.T.IsStringFamily()) && !types.IsNull(c.Val) {
			// PostgreSQL places the error only for a literal's input, not
			// for a text value's cast.
			pos := exprPos(n.Operand)
			if c.T.Family != types.FamUnknown {
				pos = 0
			}
			if oid, ok, err := b.regprocConst(string(asString(c.Val)), pos); err != nil || ok {
				return &Const{Val: types.DOid(oid), T: t}, err
			}
		}
	}
	if t.Family == types.FamRegnamespace || t.Family == types.FamRegrole {
		if c, ok := x.(*Const); ok && c.T.Family == types.FamUnknown && !types.IsNull(c.Val) {
			v, err := b.RegNameOID(t, string(asString(c.Val)))
			if err != nil {
				return nil, withPos(err, exprPos(n.Operand))
			}
			return &Const{Val: v, T: t}, nil
		}
	}
	if t.Family == types.FamRegtype || t.Family == types.FamRegclass || t.Family == types.FamRegnamespace || t.Family == types.FamRegrole {
		if p, ok := x.(*ParamRef); ok && p.Type().Family == types.FamUnknown {
			// $1::regtype: the parameter is a name, resolved at run time
			// as the input function does (psycopg 3's TypeInfo.fetch),
			// so it is received as text.
			b.Params[p.N-1] = types.Text
			return &CastExpr{Operand: x, T: t, Ctx: types.CastExplicit}, nil
		}
	}
	out, err := b.coerce(x, t, types.CastExplicit, "")
	if _, lit := n.Operand.(*tree.StringLit); lit {
		// A bad literal is reported at the literal, as PostgreSQL does.
		return out, withPos(err, exprPos(n.Operand))
	}
	return out, withPos(err, n.Pos)
}

func asString(d types.Datum) types.DString {
	if s, ok := d.(types.DString); ok {
		return s
	}
	return ""
}

// RegNameOID resolves a schema name (regnamespace) or role name (regrole)
// as their input functions do; a number is taken as the OID itself.
func (b *Binder) RegNameOID(t *types.T, name string) (types.Datum, error) {
	if d, err := types.ParseText(types.Oid, name); err == nil {
		return d, nil
	}
	n := unquoteIdent(strings.TrimSpace(name))
	if t.Family == types.FamRegnamespace {
		if s := b.Cat.SchemaByName(b.DB.ID, n); s != nil {
			return types.DOid(s.ID), nil
		}
		return nil, pgerror.New(pgerror.CodeInvalidSchemaName, "schema \"%s\" does not exist", n)
	}
	if r := b.Cat.RoleByName(n); r != nil {
		return types.DOid(r.ID), nil
	}
	return nil, pgerror.New(pgerror.CodeUndefinedObject, "role \"%s\" does not exist", n)
}

// RegclassByName resolves a relation name as regclass's input function
// does (42P01 when there is none).
func (b *Binder) RegclassByName(name string) (types.Datum, error) {
	c, err := b.regclassConst(name, 0)
	if err != nil {
		return nil, err
	}
	return c.(*Const).Val, nil
}

// regclassConst resolves 'name'::regclass at bind time.
func (b *Binder) regclassConst(name string, pos tree.Pos) (Expr, error) {
	if oid, err := strconv.ParseUint(name, 10, 32); err == nil {
		// regclassin takes a numeric OID as it is (psql's \d sends them).
		return &Const{Val: types.DOid(oid), T: types.Regclass}, nil
	}
	on := tree.ObjectName{Name: name}
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		on.Schema, on.Name = name[:i], name[i+1:]
	}
	on.Schema, on.Name = unquoteIdent(on.Schema), unquoteIdent(on.Name)
	if t, err := b.LookupTable(on); err == nil && t != nil {
		return &Const{Val: types.DOid(t.ID), T: types.Regclass}, nil
	}
	if v, err := b.LookupView(on); err == nil && v != nil {
		return &Const{Val: types.DOid(v.ID), T: types.Regclass}, nil
	}
	seqName := on.Name
	if on.Schema != "" {
		seqName = on.Schema + "." + on.Name
	}
	if s := b.LookupSequence(seqName); s != nil {
		return &Const{Val: types.DOid(s.ID), T: types.Regclass}, nil
	}
	if oid, ok := b.lookupIndex(on); ok {
		return &Const{Val: types.DOid(oid), T: types.Regclass}, nil
	}
	if vt := b.lookupVirtual(on); vt != nil {
		return &Const{Val: types.DOid(vt.OID), T: types.Regclass}, nil
	}
	return nil, pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", name).WithPosition(int(pos))
}

// RegprocByName is regproc's input function at run time ($1::regproc):
// a function name as regprocConst takes it, or a number.
func (b *Binder) RegprocByName(s string) (types.Datum, error) {
	oid, ok, err := b.regprocConst(s, 0)
	if err != nil {
		return nil, err
	}
	if ok {
		return types.DOid(oid), nil
	}
	return InputValue(s, types.Regproc, types.CastExplicit)
}

// regprocConst is regproc's input of a function name, which must agree
// with pg_proc as regprocin does: no function by the name is 42883,
// several are 42725. ok is false for a number, which the type's own input
// takes.
func (b *Binder) regprocConst(s string, pos tree.Pos) (oid uint32, ok bool, err error) {
	v := strings.TrimSpace(s)
	if b.Proc == nil {
		return 0, false, nil
	}
	if v == "-" {
		return 0, true, nil // InvalidOid
	}
	if _, err := strconv.ParseInt(v, 10, 64); err == nil {
		return 0, false, nil
	}
	oid, n := b.Proc(types.RegprocName(v))
	switch {
	case n == 0:
		return 0, true, pgerror.New(pgerror.CodeUndefinedFunction, "function \"%s\" does not exist", s).WithPosition(int(pos))
	case n > 1:
		return 0, true, pgerror.New(pgerror.CodeAmbiguousFunction, "more than one function named \"%s\"", s).WithPosition(int(pos))
	}
	return oid, true, nil
}

// lookupIndex finds an index by possibly qualified name among the tables
// of its schema, or of the search path's schemas in order.
func (b *Binder) lookupIndex(on tree.ObjectName) (uint32, bool) {
	if b.IndexOID == nil {
		return 0, false
	}
	var schemas []catalog.ID
	if on.Schema != "" {
		s := b.Cat.SchemaByName(b.DB.ID, on.Schema)
		if s == nil {
			return 0, false
		}
		schemas = []catalog.ID{s.ID}
	} else {
		schemas = b.schemaIDs()
	}
	for _, sid := range schemas {
		for _, t := range b.Cat.Tables {
			if t.SchemaID != sid {
				continue
			}
			if oid, ok := b.IndexOID(t, on.Name); ok {
				return oid, true
			}
		}
	}
	return 0, false
}

func unquoteIdent(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	}
	return strings.ToLower(s)
}

// coerce converts a bound expression to type t. Untyped literals are
// converted at bind time through t's input function; untyped parameters
// take t as their type.
func (b *Binder) coerce(x Expr, t *types.T, ctx types.CastContext, what string) (Expr, error) {
	if t == nil || x.Type().Identical(t) {
		return x, nil
	}
	from := x.Type()
	if from.Family == t.Family && from.Family != types.FamArray && Unconstrained(t) == t && ctx != types.CastExplicit {
		// vector(3) where vector is expected, varchar(10) for varchar:
		// dropping a modifier changes no value.
		return x, nil
	}
	switch n := x.(type) {
	case *Const:
		if types.IsNull(n.Val) {
			return &Const{Val: types.Null, T: t}, nil
		}
		if from.Family == types.FamUnknown && t.Family == types.FamRegclass {
			// A literal passed where regclass is expected
			// (pg_relation_size('t')) names a relation, as regclassin reads it.
			return b.regclassConst(string(asString(n.Val)), 0)
		}
		if from.Family == types.FamUnknown {
			v, err := InputValue(string(asString(n.Val)), t, ctx)
			if err != nil {
				return nil, err
			}
			return &Const{Val: v, T: t}, nil
		}
	case *ParamRef:
		if from.Family == types.FamUnknown {
			// A parameter's type has no modifiers: its value is read
			// by the type's input, and t's modifiers apply as a cast in
			// ctx ($1::bit(3) pads or truncates, an assignment checks).
			if t.Typmod() < 0 {
				b.Params[n.N-1] = t
				return x, nil
			}
			b.Params[n.N-1] = Unconstrained(t)
			return &CastExpr{Operand: x, T: t, Ctx: ctx}, nil
		}
	}
	if from.Family == types.FamUnknown {
		return &CastExpr{Operand: x, T: t, Ctx: types.CastExplicit}, nil
	}
	if !types.CanCast(from, t, ctx) {
		if ctx == types.CastExplicit {
			return nil, pgerror.New(pgerror.CodeCannotCoerce, "cannot cast type %s to %s", from, t)
		}
		if what != "" && ctx == types.CastAssignment {
			return nil, pgerror.New(pgerror.CodeDatatypeMismatch, "%s is of type %s but expression is of type %s", what, t, from).WithHint("You will need to rewrite or cast the expression.")
		}
		return nil, pgerror.New(pgerror.CodeDatatypeMismatch, "%s types %s and %s cannot be matched", what, t, from)
	}
	// regclass and regproc values become names only at run time, where
	// the executor reads the catalog (regclassout, regprocout).
	named := types.PrintsName(from) && t.IsStringFamily()
	if c, ok := x.(*Const); ok && !named {
		v, err := types.Cast(c.Val, from, t, ctx)
		if err != nil {
			return nil, err
		}
		return &Const{Val: v, T: t}, nil
	}
	return &CastExpr{Operand: x, T: t, Ctx: ctx}, nil
}

// Unconstrained returns t without its modifiers (varchar(3) -> varchar).
func Unconstrained(t *types.T) *types.T {
	if t.Family == types.FamArray {
		return types.ArrayOf(Unconstrained(t.Elem))
	}
	if t.Width == 0 && t.Scale == 0 {
		return t
	}
	return &types.T{Family: t.Family}
}

// InputValue converts an untyped literal to t: the type's input function
// reads it, then t's modifiers apply as a cast in the given context, so
// 'abcdef'::varchar(3) truncates while an assignment would fail (22001).
func InputValue(s string, t *types.T, ctx types.CastContext) (types.Datum, error) {
	base := Unconstrained(t)
	if base.Family == types.FamChar && t.Family == types.FamChar {
		// bpchar input keeps trailing blanks; char(n) semantics come from the cast.
		base = types.Bpchar
	}
	v, err := types.ParseText(base, s)
	if err != nil || base == t {
		return v, err
	}
	v, err = types.Cast(v, base, t, ctx)
	if err != nil {
		return nil, positionless{err}
	}
	return v, nil
}

// commonType is PostgreSQL's select_common_type for UNION/CASE/VALUES/IN:
// unknowns follow the first known type; otherwise the type every other
// converts to implicitly.
func commonType(ts []*types.T, what string) (*types.T, error) {
	var cur *types.T
	for _, t := range ts {
		if t == nil || t.Family == types.FamUnknown {
			continue
		}
		if cur == nil {
			cur = t
			continue
		}
		if cur.Identical(t) {
			continue
		}
		if cur.Family == t.Family {
			// Same family, other modifiers: drop the modifiers.
			cur = &types.T{Family: t.Family, Elem: t.Elem}
			continue
		}
		switch {
		case types.CanCast(cur, t, types.CastImplicit) && !types.CanCast(t, cur, types.CastImplicit):
			cur = t
		case types.CanCast(t, cur, types.CastImplicit):
		default:
			return nil, pgerror.New(pgerror.CodeDatatypeMismatch, "%s types %s and %s cannot be matched", what, cur, t)
		}
	}
	if cur == nil {
		return types.Unknown, nil
	}
	// Modifiers survive only when every input has the same ones.
	for _, t := range ts {
		if t != nil && t.Family != types.FamUnknown && !t.Identical(cur) {
			return Unconstrained(cur), nil
		}
	}
	return cur, nil
}
