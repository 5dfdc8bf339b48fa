package executor

import (
	"fmt"

	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/types"
)

// frozenXid is PostgreSQL's FrozenTransactionId, the xmin Quiver shows
// for rows stored before row versions recorded their writer.
const frozenXid = 2

// compileSysColumn reads xmin, xmax or ctid of the row version with the
// key n.Key evaluates to, as the transaction sees it; NULL when the key
// is NULL (an outer join's missing side) or the transaction sees no such
// row (DELETE's RETURNING, which runs after the delete).
func (ec *execCtx) compileSysColumn(n *planner.SysColumn) (evalFn, error) {
	keys, err := ec.compileAll(n.Key)
	if err != nil {
		return nil, err
	}
	name, t := n.Name, n.Table
	pk := make([]types.Datum, len(keys)) // scratch: RowVersion encodes it and keeps nothing
	return func(row []types.Datum) (types.Datum, error) {
		for i, k := range keys {
			v, err := k(row)
			if err != nil {
				return nil, err
			}
			if types.IsNull(v) {
				return types.Null, nil
			}
			pk[i] = v
		}
		v, found, err := ec.txn.RowVersion(ec.ctx, t, pk)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		if !found {
			return types.Null, nil
		}
		switch name {
		case "xmin":
			if !v.Stored {
				return types.DOid(frozenXid), nil
			}
			return types.DOid(uint32(v.Xmin)), nil
		case "xmax":
			return types.DOid(uint32(v.Xmax)), nil
		}
		return v.Ctid(), nil
	}, nil
}
