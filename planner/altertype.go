package planner

import (
	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

// BindUsing binds the USING expression of ALTER COLUMN ... TYPE over t's
// row as it was before the statement, with PostgreSQL's restrictions on
// a transform expression.
func (b *Binder) BindUsing(t *catalog.Table, using tree.Expr) (Expr, error) {
	if err := checkExprTree(using, "transform expression"); err != nil {
		return nil, err
	}
	sc := newScope(TableColumns(t, t.Name), nil)
	sc.noAggReason = "transform expressions"
	return b.bindExpr(using, sc)
}

// Transform is how ALTER COLUMN col TYPE target converts a stored value:
// using (BindUsing's result; nil: the column's value) converted to target
// as an assignment would be, or PostgreSQL's 42804 when no assignment
// cast leads there.
func (b *Binder) Transform(t *catalog.Table, col int, using Expr, target *types.T) (Expr, error) {
	c := &t.Columns[col]
	if using == nil {
		x, err := b.coerce(&ColRef{Idx: col, T: c.Type}, target, types.CastAssignment, "")
		if pgerror.CodeOf(err) == pgerror.CodeDatatypeMismatch {
			return nil, pgerror.New(pgerror.CodeDatatypeMismatch, "column \"%s\" cannot be cast automatically to type %s", c.Name, target.BaseString()).
				WithHint("You might need to specify \"USING %s::%s\".", builtins.QuoteIdent(c.Name), target)
		}
		return x, err
	}
	x, err := b.coerce(using, target, types.CastAssignment, "")
	if pgerror.CodeOf(err) == pgerror.CodeDatatypeMismatch {
		return nil, pgerror.New(pgerror.CodeDatatypeMismatch, "result of USING clause for column \"%s\" cannot be cast automatically to type %s", c.Name, target.BaseString()).
			WithHint("You might need to add an explicit cast.")
	}
	return x, err
}

// checkExprTree rejects, in the order written, what PostgreSQL does not
// allow in an expression stored with the table (what: "transform
// expression" for ALTER COLUMN TYPE's USING, "index expression") before
// binding it: subqueries, set-returning functions and parameters (there
// are none to bind).
func checkExprTree(e tree.Expr, what string) error {
	var bad error
	walkTree(e, func(n tree.Expr) bool {
		switch n := n.(type) {
		case *tree.SubqueryExpr, *tree.ExistsExpr, *tree.ArraySubquery:
			bad = pgerror.New(pgerror.CodeFeatureNotSupported, "cannot use subquery in %s", what).WithPosition(int(exprPos(n)))
		case *tree.InExpr:
			if n.Subquery != nil {
				bad = pgerror.New(pgerror.CodeFeatureNotSupported, "cannot use subquery in %s", what).WithPosition(int(exprPos(n)))
			}
		case *tree.FuncCall:
			if n.Over == nil && builtins.SRFs(n.Name) != nil && builtins.Functions(n.Name) == nil {
				bad = pgerror.New(pgerror.CodeFeatureNotSupported, "set-returning functions are not allowed in %ss", what).WithPosition(int(n.Pos))
			}
		case *tree.Param:
			bad = pgerror.New(pgerror.CodeUndefinedParameter, "there is no parameter $%d", n.N).WithPosition(int(n.Pos))
		}
		return bad == nil
	})
	return bad
}

// TableColumn names a column of a stored table by OID and attnum.
type TableColumn struct {
	Table  catalog.ID
	AttNum int
}

// ColumnsReadByView binds v's query and returns the table columns it
// reads itself — not through the views it reads — which is what
// PostgreSQL records in pg_depend for the view's _RETURN rule.
func (b *Binder) ColumnsReadByView(v *catalog.View) (map[TableColumn]bool, error) {
	reads := map[TableColumn]bool{}
	if _, err := b.bindViewQuery(v, reads); err != nil {
		return nil, err
	}
	return reads, nil
}

// noteColumnRead records, when the binder tracks them, the stored
// column a bound column reference x (resolved through sc) reads.
func (b *Binder) noteColumnRead(sc *scope, x Expr) {
	var depth, idx int
	switch r := x.(type) {
	case *ColRef:
		idx = r.Idx
	case *OuterRef:
		depth, idx = r.Depth, r.Idx
	default:
		return
	}
	for ; depth > 0 && sc != nil; depth-- {
		sc = sc.parent
	}
	if sc == nil || idx < 0 || idx >= len(sc.cols) {
		return
	}
	if c := sc.cols[idx]; c.TableOID != 0 && c.AttNum > 0 {
		b.columnReads[TableColumn{Table: catalog.ID(c.TableOID), AttNum: int(c.AttNum)}] = true
	}
}
