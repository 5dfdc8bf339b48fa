package builtins

import "github.com/quiverdb/quiver/sql/types"

// compareDatums orders two non-NULL values whose static type is known
// only from the values (anyarray and record operands, array elements):
// arrays carry their element type, and types.Compare decides by value
// kind otherwise, so there is one ordering in Quiver, the types package's.
func compareDatums(a, b types.Datum) int {
	if x, ok := a.(*types.DArray); ok && x.Elem != nil {
		return types.Compare(types.ArrayOf(x.Elem), a, b)
	}
	return types.Compare(types.Record, a, b)
}
