package planner

import (
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

// isDocument binds x IS [NOT] DOCUMENT. Quiver has no xml type: a typed
// operand is PostgreSQL's 42804, a NULL literal is NULL (it would coerce
// to a NULL xml), any other literal would need the xml type (0A000).
func isDocument(x Expr, operand tree.Expr) (Expr, error) {
	if x.Type().Family != types.FamUnknown {
		return nil, pgerror.New(pgerror.CodeDatatypeMismatch, "argument of IS DOCUMENT must be type xml, not type %s", x.Type()).WithPosition(int(leftmostPos(operand)))
	}
	if c, ok := x.(*Const); ok && types.IsNull(c.Val) {
		return &Const{Val: types.Null, T: types.Bool}, nil
	}
	return nil, notSupported("type xml")
}

// leftmostPos is where an expression's text starts, as PostgreSQL's
// exprLocation reports it: a cast or an operator starts at its leftmost
// operand.
func leftmostPos(e tree.Expr) tree.Pos {
	var inner tree.Expr
	switch n := e.(type) {
	case *tree.CastExpr:
		inner = n.Operand
	case *tree.BinaryExpr:
		inner = n.Left
	case *tree.Subscript:
		inner = n.Operand
	case *tree.CollateExpr:
		inner = n.Operand
	}
	pos := exprPos(e)
	if inner != nil {
		if p := leftmostPos(inner); p > 0 && (pos == 0 || p < pos) {
			return p
		}
	}
	return pos
}
