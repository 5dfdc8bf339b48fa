package executor

import (
	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// lockRowsIter locks the row behind each row it passes on (SELECT ... FOR
// UPDATE), skipping those SKIP LOCKED passes over.
type lockRowsIter struct {
	ec   *execCtx
	in   rowIter
	n    *planner.LockRows
	wait storage.LockWait
	pk   []types.Datum
}

func (ec *execCtx) buildLockRows(n *planner.LockRows) (rowIter, error) {
	in, err := ec.build(n.Input)
	if err != nil {
		return nil, err
	}
	wait := storage.LockWaitFor
	switch n.Wait {
	case "nowait":
		wait = storage.LockNoWait
	case "skip locked":
		wait = storage.LockSkip
	}
	return &lockRowsIter{ec: ec, in: in, n: n, wait: wait, pk: make([]types.Datum, len(n.KeyCols))}, nil
}

func (l *lockRowsIter) Next() ([]types.Datum, error) {
	for {
		row, err := l.in.Next()
		if err != nil || row == nil {
			return row, err
		}
		for i, c := range l.n.KeyCols {
			l.pk[i] = row[c]
		}
		skipped, err := l.ec.txn.LockRowForUpdate(l.ec.ctx, l.n.Table, l.pk, l.wait)
		if err != nil {
			return nil, err
		}
		if !skipped {
			return row, nil
		}
	}
}

func (l *lockRowsIter) Close() { l.in.Close() }

// locksRows reports whether a query's plan takes row locks: a FOR UPDATE
// SELECT's LockRows sits under at most a projection, LIMIT and WITH.
func locksRows(p planner.Plan) bool {
	for {
		switch n := p.(type) {
		case *planner.LockRows:
			return true
		case *planner.Project:
			p = n.Input
		case *planner.Limit:
			p = n.Input
		case *planner.WithNode:
			p = n.Input
		default:
			return false
		}
	}
}
