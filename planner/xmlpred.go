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
		return nil, pgerror.New(pgerror.CodeDatatypeMismatch, "argument of IS DOCUMENT must be type xml, not type %s", x.Type()).WithPosition(int(exprPos(operand)))
	}
	if c, ok := x.(*Const); ok && types.IsNull(c.Val) {
		return &Const{Val: types.Null, T: types.Bool}, nil
	}
	return nil, notSupported("type xml")
}
