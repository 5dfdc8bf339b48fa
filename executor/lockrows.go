package executor

import (
	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// lockRowsIter locks the row behind each row it passes on (SELECT ... FOR
// UPDATE/SHARE), skipping those SKIP LOCKED passes over.
type lockRowsIter struct {
	ec   *execCtx
	in   rowIter
	n    *planner.LockRows
	mode storage.LockMode
	wait storage.LockWait
	pk   []types.Datum
}

// lockModes are the storage lock modes of a locking clause's strengths.
var lockModes = map[string]storage.LockMode{
	"KEY SHARE":     storage.LockKeyShare,
	"SHARE":         storage.LockShare,
	"NO KEY UPDATE": storage.LockNoKeyUpdate,
	"UPDATE":        storage.LockUpdate,
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
	mode, ok := lockModes[n.Strength]
	if !ok {
		in.Close()
		return nil, pgerror.New(pgerror.CodeInternal, "unknown row lock strength %q", n.Strength)
	}
	return &lockRowsIter{ec: ec, in: in, n: n, mode: mode, wait: wait, pk: make([]types.Datum, len(n.KeyCols))}, nil
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
		skipped, err := l.ec.txn.LockRow(l.ec.ctx, l.n.Table, l.pk, l.mode, l.wait)
		if err != nil {
			return nil, err
		}
		if !skipped {
			return row, nil
		}
	}
}

func (l *lockRowsIter) Close() { l.in.Close() }

// locksRows reports whether a query's plan takes row locks: a locking
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
