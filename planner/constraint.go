package planner

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

// BindCheck binds a CHECK constraint's expression over t's full row
// (ColRef i reads t.Columns[i]), with PostgreSQL's restrictions: no
// subqueries, no aggregates, a boolean result.
func (b *Binder) BindCheck(t *catalog.Table, e tree.Expr) (Expr, error) {
	return b.bindRowCondition(t, e, "check constraint", "CHECK")
}

// bindRowCondition binds a condition over t's full row that a row is
// held to (a CHECK constraint, an index predicate: what, in errors):
// no subqueries, no aggregates, a boolean result (clause, in errors).
func (b *Binder) bindRowCondition(t *catalog.Table, e tree.Expr, what, clause string) (Expr, error) {
	if sub := firstSubquery(e); sub != nil {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "cannot use subquery in %s", what).WithPosition(int(exprPos(sub)))
	}
	sc := newScope(TableColumns(t, t.Name), nil)
	sc.noAggReason = what + "s"
	x, err := b.bindExpr(e, sc)
	if err != nil {
		return nil, err
	}
	switch x.Type().Family {
	case types.FamBool:
		return x, nil
	case types.FamUnknown:
		return b.coerce(x, types.Bool, types.CastImplicit, clause)
	}
	return nil, pgerror.New(pgerror.CodeDatatypeMismatch, "argument of %s must be type boolean, not type %s", clause, x.Type()).WithPosition(int(exprPos(e)))
}

// firstSubquery returns the first subquery in e, or nil.
func firstSubquery(e tree.Expr) tree.Expr {
	var sub tree.Expr
	walkTree(e, func(n tree.Expr) bool {
		switch n := n.(type) {
		case *tree.SubqueryExpr, *tree.ExistsExpr, *tree.ArraySubquery:
			sub = n
		case *tree.InExpr:
			if n.Subquery != nil {
				sub = n
			}
		}
		return sub == nil
	})
	return sub
}

// immutable reports whether x's value depends on its operands alone: no
// volatile or stable function, no sequence, no subquery, and no reg* cast
// (whose value is a name looked up in the catalog as it is now).
func immutable(x Expr) bool {
	ok := true
	walkExpr(x, func(n Expr) {
		switch n := n.(type) {
		case *Call:
			if n.Fn != nil && n.Fn.Volatile || stableFuncs[n.Name] {
				ok = false
			}
		case *CastExpr:
			if types.PrintsName(n.T) || n.T.Family == types.FamRegtype {
				ok = false
			}
		case *SeqFuncExpr, *SubqueryExpr, *SysColumn:
			ok = false
		}
	})
	return ok
}

// CheckColumns returns the distinct column ordinals x reads, in first-use
// order (PostgreSQL names a CHECK after its column when there is one).
func CheckColumns(x Expr) []int {
	var cols []int
	walkExpr(x, func(e Expr) {
		if c, ok := e.(*ColRef); ok {
			for _, seen := range cols {
				if seen == c.Idx {
					return
				}
			}
			cols = append(cols, c.Idx)
		}
	})
	return cols
}

// DeparseCheck spells a bound CHECK expression over t's row the way
// PostgreSQL's ruleutils does (pg_get_expr of conbin): without pretty,
// every operator parenthesized; with pretty (pg_get_constraintdef(oid,
// true), psql's \d) only where precedence needs it. Constants carry their
// type label and implicit coercions show as casts, so the text parses back
// into the same expression.
func DeparseCheck(t *catalog.Table, x Expr, pretty bool) string {
	d := deparser{t: t, pretty: pretty}
	d.expr(x)
	return d.b.String()
}

// DeparseWithParams is DeparseCheck (not pretty) with each $n shown as
// its value, as PostgreSQL's EXPLAIN EXECUTE shows a custom plan; a
// parameter without a value stays $n.
func DeparseWithParams(t *catalog.Table, x Expr, params []types.Datum) string {
	d := deparser{t: t, params: params}
	d.expr(x)
	return d.b.String()
}

type deparser struct {
	t      *catalog.Table
	pretty bool
	params []types.Datum
	b      strings.Builder
}

// castParent stands for a cast node as the parent of its operand.
var castParent Expr = &CastExpr{}

func (d *deparser) list(xs []Expr) {
	for i, x := range xs {
		if i > 0 {
			d.b.WriteString(", ")
		}
		d.expr(x)
	}
}

// open and close write a node's own parentheses, which pretty mode leaves
// to the parent's judgement (child).
func (d *deparser) open() {
	if !d.pretty {
		d.b.WriteByte('(')
	}
}

func (d *deparser) close() {
	if !d.pretty {
		d.b.WriteByte(')')
	}
}

// child writes x as an operand of parent, parenthesized in pretty mode
// when ruleutils' isSimpleNode says so.
func (d *deparser) child(x, parent Expr) {
	if d.pretty && !isSimpleNode(x, parent) {
		d.b.WriteByte('(')
		d.expr(x)
		d.b.WriteByte(')')
		return
	}
	d.expr(x)
}

func binaryOp(e Expr) (string, bool) {
	if c, ok := e.(*Call); ok && len(c.Args) == 2 && isOperatorName(c.Name) {
		return builtins.OperatorSpelling(c.Name), true
	}
	return "", false
}

func isOperatorName(name string) bool {
	if name == "" {
		return false
	}
	c := name[0]
	if c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') {
		u := strings.ToUpper(name)
		return u == "LIKE" || u == "NOT LIKE" || u == "ILIKE" || u == "NOT ILIKE"
	}
	return true
}

func isFunctionLike(e Expr) bool {
	switch n := e.(type) {
	case *ColRef, *Const, *CastExpr, *CoalesceExpr, *NullIfExpr, *MinMaxExpr, *ArrayExpr, *SubscriptExpr, *CaseExpr:
		return true
	case *Call:
		return !isOperatorName(n.Name)
	}
	return false
}

// isSimpleNode follows ruleutils.c's isSimpleNode for the node kinds a
// CHECK expression binds to.
func isSimpleNode(x, parent Expr) bool {
	if isFunctionLike(x) {
		return true
	}
	parentGroup := func() bool {
		switch parent.(type) {
		case *BoolOp, *NotExpr:
			return true
		case *CastExpr:
			return false
		case *CaseExpr, *CoalesceExpr, *NullIfExpr, *MinMaxExpr, *ArrayExpr, *SubscriptExpr:
			return true
		}
		return false
	}
	switch n := x.(type) {
	case *Call:
		if pop, ok := binaryOp(parent); ok {
			op, ok := binaryOp(n)
			if !ok {
				return false
			}
			lo, hi := strings.Contains("+-", op[:1]) && len(op) == 1, strings.Contains("*/%", op[:1]) && len(op) == 1
			plo, phi := strings.Contains("+-", pop[:1]) && len(pop) == 1, strings.Contains("*/%", pop[:1]) && len(pop) == 1
			if !(lo || hi) || !(plo || phi) {
				return false
			}
			if hi && plo {
				return true
			}
			if lo && phi {
				return false
			}
			return parent.(*Call).Args[0] == x
		}
		return parentGroup()
	case *IsNullExpr, *IsBoolExpr, *DistinctExpr:
		return parentGroup()
	case *BoolOp, *NotExpr:
		switch p := parent.(type) {
		case *BoolOp, *NotExpr:
			pOr := false
			if pb, ok := p.(*BoolOp); ok {
				pOr = pb.Or
			} else {
				return false // NOT's operand
			}
			if b, ok := n.(*BoolOp); ok && b.Or {
				return pOr
			}
			return true
		case *CastExpr:
			return false
		case *CaseExpr, *CoalesceExpr, *NullIfExpr, *MinMaxExpr, *ArrayExpr, *SubscriptExpr:
			return true
		}
		return false
	}
	return false
}

func isIntFamily(f types.Family) bool {
	return f == types.FamInt2 || f == types.FamInt4 || f == types.FamInt8
}

func (d *deparser) expr(x Expr) {
	b := &d.b
	switch n := x.(type) {
	case *ColRef:
		if n.Idx >= 0 && n.Idx < len(d.t.Columns) {
			// An expression index's hidden column stands for its
			// expression, which is what PostgreSQL shows.
			switch c := &d.t.Columns[n.Idx]; {
			case c.Hidden && c.Generated != "" && d.pretty:
				b.WriteString(c.GeneratedPretty)
			case c.Hidden && c.Generated != "":
				b.WriteString(c.Generated)
			default:
				b.WriteString(builtins.QuoteIdent(c.Name))
			}
		}
	case *Const:
		d.constant(n)
	case *ParamRef:
		if n.N >= 1 && n.N <= len(d.params) {
			var t *types.T
			if n.Params != nil && n.N <= len(*n.Params) {
				t = (*n.Params)[n.N-1]
			}
			d.constant(&Const{Val: d.params[n.N-1], T: t})
			return
		}
		fmt.Fprintf(b, "$%d", n.N)
	case *Call:
		if isOperatorName(n.Name) && len(n.Args) == 2 {
			d.open()
			d.operand(n, 0)
			b.WriteString(" " + builtins.OperatorSpelling(n.Name) + " ")
			d.operand(n, 1)
			d.close()
			return
		}
		if isOperatorName(n.Name) && len(n.Args) == 1 {
			d.open()
			b.WriteString(builtins.OperatorSpelling(n.Name) + " ")
			d.operand(n, 0)
			d.close()
			return
		}
		b.WriteString(n.Name + "(")
		for i := range n.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			d.operand(n, i)
		}
		b.WriteByte(')')
	case *CastExpr:
		from := n.Operand.Type()
		if n.Ctx != types.CastExplicit && isIntFamily(from.Family) && isIntFamily(n.T.Family) {
			// PostgreSQL has cross-width integer operators, so its
			// expression carries no cast here.
			d.expr(n.Operand)
			return
		}
		d.cast(n.Operand, n.T)
	case *BoolOp:
		op := " AND "
		if n.Or {
			op = " OR "
		}
		d.open()
		for i, a := range n.Args {
			if i > 0 {
				b.WriteString(op)
			}
			d.child(a, n)
		}
		d.close()
	case *NotExpr:
		d.open()
		b.WriteString("NOT ")
		d.child(n.Operand, n)
		d.close()
	case *IsNullExpr:
		d.open()
		d.child(n.Operand, n)
		if n.Not {
			b.WriteString(" IS NOT NULL")
		} else {
			b.WriteString(" IS NULL")
		}
		d.close()
	case *IsBoolExpr:
		d.open()
		d.child(n.Operand, n)
		b.WriteString(" IS ")
		if n.Not {
			b.WriteString("NOT ")
		}
		b.WriteString(strings.ToUpper(n.What))
		d.close()
	case *DistinctExpr:
		d.open()
		d.child(n.Left, n)
		if n.Not {
			b.WriteString(" IS NOT DISTINCT FROM ")
		} else {
			b.WriteString(" IS DISTINCT FROM ")
		}
		d.child(n.Right, n)
		d.close()
	case *InListExpr:
		d.open()
		d.child(n.Operand, n)
		if n.Not {
			b.WriteString(" <> ALL (ARRAY[")
		} else {
			b.WriteString(" = ANY (ARRAY[")
		}
		for i, e := range n.List {
			if i > 0 {
				b.WriteString(", ")
			}
			d.listElem(e, n.Operand.Type())
		}
		b.WriteString("])")
		d.close()
	case *QuantifiedArrayExpr:
		// The operator's name is not kept in the bound form; equality
		// is by far the common case.
		d.open()
		d.child(n.Operand, n)
		if n.All {
			b.WriteString(" <> ALL (")
		} else {
			b.WriteString(" = ANY (")
		}
		d.expr(n.Array)
		b.WriteString(")")
		d.close()
	case *CaseExpr:
		b.WriteString("\nCASE")
		for _, w := range n.Whens {
			b.WriteString("\n    WHEN ")
			d.expr(w.Cond)
			b.WriteString(" THEN ")
			d.expr(w.Result)
		}
		if n.Else != nil {
			b.WriteString("\n    ELSE ")
			d.expr(n.Else)
		}
		b.WriteString("\nEND")
	case *CoalesceExpr:
		b.WriteString("COALESCE(")
		d.list(n.Args)
		b.WriteByte(')')
	case *NullIfExpr:
		b.WriteString("NULLIF(")
		d.list([]Expr{n.Left, n.Right})
		b.WriteByte(')')
	case *MinMaxExpr:
		if n.Greatest {
			b.WriteString("GREATEST(")
		} else {
			b.WriteString("LEAST(")
		}
		d.list(n.Args)
		b.WriteByte(')')
	case *ArrayExpr:
		b.WriteString("ARRAY[")
		d.list(n.Elems)
		b.WriteByte(']')
	case *RowExpr:
		b.WriteString("ROW(")
		d.list(n.Fields)
		b.WriteByte(')')
	case *SubscriptExpr:
		b.WriteByte('(')
		d.expr(n.Operand)
		b.WriteString(")[")
		d.expr(n.Index)
		b.WriteByte(']')
	case *SubqueryExpr:
		// Only EXPLAIN shows subqueries (a CHECK cannot hold one);
		// PostgreSQL numbers them and lists their plans, which our
		// EXPLAIN does not, so the reference stays unnumbered.
		b.WriteString("(SubPlan)")
	case *SysColumn:
		b.WriteString(n.Name)
	default:
		b.WriteString("NULL")
	}
}

// listElem writes an IN-list element. PostgreSQL coerces integer literals
// to a bigint operand's type with a cast node, which our binder folds.
func (d *deparser) listElem(e Expr, operand *types.T) {
	if c, ok := e.(*Const); ok && operand.Family == types.FamInt8 && c.T != nil && isIntFamily(c.T.Family) && !types.IsNull(c.Val) {
		text := types.FormatText(c.T, c.Val)
		if v, err := strconv.ParseInt(text, 10, 64); err == nil && v >= -2147483648 && v <= 2147483647 {
			lit := text
			if v < 0 {
				lit = "'" + text + "'::integer"
			}
			d.b.WriteString(d.paren(lit) + "::bigint")
			return
		}
	}
	d.expr(e)
}

// operand writes argument i of an operator or function call, showing the
// coercion to text PostgreSQL applies to varchar and char arguments of text
// operators (our types let them pass unconverted).
func (d *deparser) operand(n *Call, i int) {
	a := n.Args[i]
	if n.Fn != nil && i < len(n.Fn.Params) && n.Fn.Params[i] != nil && n.Fn.Params[i].Family == types.FamText {
		if f := a.Type().Family; f == types.FamVarchar || f == types.FamChar || f == types.FamName {
			d.cast(a, types.Text)
			return
		}
	}
	if isOperatorName(n.Name) {
		d.child(a, n)
		return
	}
	d.expr(a)
}

// cast writes (x)::t (x::t when pretty and x is simple), or a constant
// already of type t with its label.
func (d *deparser) cast(x Expr, t *types.T) {
	if c, ok := x.(*Const); ok && c.T != nil && c.T.Identical(t) {
		d.constant(c)
		return
	}
	if d.pretty {
		d.child(x, castParent)
	} else {
		d.b.WriteByte('(')
		d.expr(x)
		d.b.WriteByte(')')
	}
	d.b.WriteString("::" + typeLabel(t))
}

// constant follows ruleutils' get_const_expr. Numeric constants of a type
// other than integer were, in the SQL text, literals PostgreSQL coerced
// with a cast node our binder folds away; they are shown as that cast.
func (d *deparser) constant(c *Const) {
	b := &d.b
	t := c.T
	if t == nil {
		t = types.Unknown
	}
	if c.Val == nil || types.IsNull(c.Val) {
		b.WriteString("NULL")
		if t.Family != types.FamUnknown {
			b.WriteString("::" + typeLabel(t))
		}
		return
	}
	text := types.FormatText(t, c.Val)
	switch t.Family {
	case types.FamBool:
		if text == "t" {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
		return
	case types.FamInt2, types.FamInt4, types.FamInt8:
		v, err := strconv.ParseInt(text, 10, 64)
		if err == nil && v >= -2147483648 && v <= 2147483647 {
			if v >= 0 {
				b.WriteString(text)
			} else {
				b.WriteString("'" + text + "'::integer")
			}
			return
		}
		b.WriteString("'" + text + "'::bigint")
		return
	case types.FamNumeric, types.FamFloat4, types.FamFloat8:
		integral := !strings.ContainsAny(text, ".eE") && text != "NaN" && !strings.Contains(text, "Infinity")
		neg := strings.HasPrefix(text, "-")
		var lit string
		switch {
		case integral && !neg:
			lit = text
			if t.Family == types.FamNumeric {
				b.WriteString(d.paren(lit) + "::numeric")
				return
			}
		case integral:
			lit = "'" + text + "'::integer"
		case !neg && t.Family == types.FamNumeric:
			b.WriteString(text)
			return
		case !neg && !strings.ContainsAny(text, "eEIN"):
			lit = text
		default:
			if t.Family == types.FamNumeric {
				b.WriteString("'" + text + "'::numeric")
				return
			}
			lit = "'" + text + "'::numeric"
		}
		b.WriteString(d.paren(lit) + "::" + typeLabel(t))
		return
	case types.FamUnknown:
		b.WriteString(quoteLiteral(text))
		return
	}
	b.WriteString(quoteLiteral(text) + "::" + typeLabel(t))
}

// typeLabel is format_type_with_typemod's spelling of t, which ruleutils
// labels casts and constants with: bit and bpchar without a length are
// "bit" and bpchar, as bit and character alone would mean a length of 1.
func typeLabel(t *types.T) string { return builtins.FormatType(t.OID(), t.Typmod(), true) }

// paren wraps a folded constant's original literal as the cast node
// PostgreSQL kept would print it.
func (d *deparser) paren(lit string) string {
	if d.pretty {
		return lit
	}
	return "(" + lit + ")"
}

func quoteLiteral(s string) string {
	if strings.Contains(s, `\`) {
		return "E'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", "''") + "'"
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// BindIndexPredicate binds the WHERE of a partial index over t's row, with
// PostgreSQL's restrictions: those of a CHECK constraint, and only
// immutable functions (the index must agree with its rows whenever it is
// read).
func (b *Binder) BindIndexPredicate(t *catalog.Table, e tree.Expr) (Expr, error) {
	x, err := b.bindRowCondition(t, e, "index predicate", "WHERE")
	if err != nil {
		return nil, err
	}
	if !immutable(x) {
		return nil, pgerror.New("42P17", "functions in index predicate must be marked IMMUTABLE")
	}
	return x, nil
}

// PredicateImplied reports whether filter (a query's condition over t's
// row, nil for none) implies the partial index predicate pred: every
// conjunct of pred is also a conjunct of filter, compared as PostgreSQL
// would print them. PostgreSQL proves more (x > 5 implies x > 3); this
// serves the common `WHERE category_id = 123` form, and a query it cannot
// prove gets an exact plan, never a partial index that misses rows.
func PredicateImplied(t *catalog.Table, pred, filter Expr) bool {
	have := map[string]bool{}
	for _, c := range conjunctsOf(filter) {
		have[DeparseCheck(t, c, false)] = true
	}
	for _, c := range conjunctsOf(pred) {
		if !have[DeparseCheck(t, c, false)] {
			return false
		}
	}
	return true
}
