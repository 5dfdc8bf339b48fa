package executor

import (
	"context"
	"fmt"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

// cursor is an open DECLAREd cursor: a running plan inside the block's
// transaction, or (WITH HOLD) rows materialised when it was declared.
type cursor struct {
	cols []ResultColumn
	it   rowIter
	hold bool
}

func (s *Session) declareCursor(ctx context.Context, n *tree.DeclareCursor, params []types.Datum) (Result, error) {
	if s.cursors[n.Name] != nil {
		return nil, pgerror.New("42P03", "cursor \"%s\" already exists", n.Name)
	}
	if !s.inBlock && !n.Hold {
		return nil, pgerror.New(pgerror.CodeNoActiveSQLTransaction, "DECLARE CURSOR can only be used in transaction blocks")
	}
	if n.Binary {
		return nil, notSupportedStmt("DECLARE BINARY CURSOR")
	}
	txn, release := s.readTxn()
	cat, err := txn.Catalog()
	if err != nil {
		release()
		return nil, err
	}
	b := s.binder(cat, nil)
	plan, err := b.BindQuery(n.Query)
	if err != nil {
		release()
		return nil, err
	}
	ec := &execCtx{ctx: context.WithoutCancel(ctx), txn: txn, sess: s, eval: s.evalContext(ctx), params: params}
	it, err := ec.build(plan)
	if err != nil {
		release()
		return nil, err
	}
	c := &cursor{cols: resultColumns(plan), it: it, hold: n.Hold}
	if n.Hold {
		// WITH HOLD outlives the transaction: materialise now.
		var rows [][]types.Datum
		for {
			r, err := it.Next()
			if err != nil {
				it.Close()
				release()
				return nil, err
			}
			if r == nil {
				break
			}
			rows = append(rows, r)
		}
		it.Close()
		c.it = &sliceIter{rows: rows}
	}
	release()
	if s.cursors == nil {
		s.cursors = map[string]*cursor{}
	}
	s.cursors[n.Name] = c
	return doneResult("DECLARE CURSOR"), nil
}

func (s *Session) fetchCursor(ctx context.Context, n *tree.FetchCursor) (Result, error) {
	c := s.cursors[n.Name]
	if c == nil {
		return nil, pgerror.New(pgerror.CodeInvalidCursorName, "cursor \"%s\" does not exist", n.Name)
	}
	var rows [][]types.Datum
	for n.Count < 0 || int64(len(rows)) < n.Count {
		if err := ctx.Err(); err != nil {
			return nil, canceled(err)
		}
		r, err := c.it.Next()
		if err != nil {
			return nil, err
		}
		if r == nil {
			break
		}
		rows = append(rows, r)
	}
	if n.Move {
		return doneResult(fmt.Sprintf("MOVE %d", len(rows))), nil
	}
	return &rowsResult{cols: c.cols, it: &sliceIter{rows: rows}, tag: fmt.Sprintf("FETCH %d", len(rows))}, nil
}

func (s *Session) closeCursor(n *tree.CloseCursor) (Result, error) {
	if n.All {
		for name, c := range s.cursors {
			c.it.Close()
			delete(s.cursors, name)
		}
		return doneResult("CLOSE CURSOR ALL"), nil
	}
	c := s.cursors[n.Name]
	if c == nil {
		return nil, pgerror.New(pgerror.CodeInvalidCursorName, "cursor \"%s\" does not exist", n.Name)
	}
	c.it.Close()
	delete(s.cursors, n.Name)
	return doneResult("CLOSE CURSOR"), nil
}

// closeBlockCursors ends the cursors that live only as long as the
// transaction block.
func (s *Session) closeBlockCursors() {
	for name, c := range s.cursors {
		if !c.hold {
			c.it.Close()
			delete(s.cursors, name)
		}
	}
}

// cursorColumns describes FETCH's result at Prepare time.
func (s *Session) cursorColumns(n *tree.FetchCursor) []ResultColumn {
	if c := s.cursors[n.Name]; c != nil && !n.Move {
		return c.cols
	}
	return nil
}
