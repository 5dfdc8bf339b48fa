package executor

import (
	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/types"
)

// rowsFromIter zips the rows of ROWS FROM's functions.
type rowsFromIter struct {
	ec         *execCtx
	ins        []rowIter
	widths     []int
	done       []bool
	ordinality bool
	n          int64
}

func (ec *execCtx) buildRowsFrom(n *planner.RowsFromScan) (rowIter, error) {
	it := &rowsFromIter{ec: ec, ordinality: n.Ordinality, done: make([]bool, len(n.Inputs))}
	for _, p := range n.Inputs {
		in, err := ec.build(p)
		if err != nil {
			it.Close()
			return nil, err
		}
		it.ins = append(it.ins, in)
		it.widths = append(it.widths, len(p.Columns()))
	}
	return it, nil
}

func (r *rowsFromIter) Next() ([]types.Datum, error) {
	if r.n&1023 == 0 {
		if err := r.ec.ctx.Err(); err != nil {
			return nil, canceled(err)
		}
	}
	var out []types.Datum
	live := false
	for i, in := range r.ins {
		var row []types.Datum
		if !r.done[i] {
			var err error
			if row, err = in.Next(); err != nil {
				return nil, err
			}
			if row == nil {
				r.done[i] = true
			} else {
				live = true
			}
		}
		if row == nil {
			for k := 0; k < r.widths[i]; k++ {
				out = append(out, types.Null)
			}
			continue
		}
		out = append(out, row[:r.widths[i]]...)
	}
	if !live {
		return nil, nil
	}
	r.n++
	if r.ordinality {
		out = append(out, types.DInt(r.n))
	}
	return out, nil
}

func (r *rowsFromIter) Close() {
	for _, in := range r.ins {
		in.Close()
	}
}
