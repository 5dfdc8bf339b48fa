package executor

import (
	"sort"

	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/types"
)

// buildWindow materialises the input and computes each ranking function
// over it (planner.WindowNode).
func (ec *execCtx) buildWindow(n *planner.WindowNode) (rowIter, error) {
	type compiled struct {
		name          string
		part, order   []sortKey
		partN, orderN int
	}
	fns := make([]compiled, len(n.Funcs))
	for i, f := range n.Funcs {
		c := compiled{name: f.Name, partN: len(f.Partition), orderN: len(f.Order)}
		for _, x := range f.Partition {
			fn, err := ec.compile(x)
			if err != nil {
				return nil, err
			}
			c.part = append(c.part, sortKey{f: fn, t: x.Type()})
		}
		for _, k := range f.Order {
			fn, err := ec.compile(k.Expr)
			if err != nil {
				return nil, err
			}
			c.order = append(c.order, sortKey{f: fn, t: k.Expr.Type(), desc: k.Desc, nullsFirst: k.NullsFirst})
		}
		fns[i] = c
	}
	rows, err := ec.drain(n.Input)
	if err != nil {
		return nil, err
	}
	width := len(n.Input.Columns())
	out := make([][]types.Datum, len(rows))
	for i, r := range rows {
		out[i] = append(append(make([]types.Datum, 0, width+len(fns)), r[:width]...), make([]types.Datum, len(fns))...)
	}
	order := make([]int, len(out))
	for fi, c := range fns {
		keys := append(append([]sortKey(nil), c.part...), c.order...)
		kv := make([][]types.Datum, len(out))
		for i, r := range out {
			if i&1023 == 0 {
				if err := ec.ctx.Err(); err != nil {
					return nil, canceled(err)
				}
			}
			kv[i] = make([]types.Datum, len(keys))
			for k, key := range keys {
				if kv[i][k], err = key.f(r[:width]); err != nil {
					return nil, err
				}
			}
		}
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool { return compareKeys(keys, kv[order[a]], kv[order[b]]) < 0 })
		var num, rank, dense int64
		for pos, i := range order {
			newPart, peer := pos == 0, false
			if pos > 0 {
				prev := kv[order[pos-1]]
				newPart = compareKeys(keys[:c.partN], prev[:c.partN], kv[i][:c.partN]) != 0
				peer = !newPart && compareKeys(keys[c.partN:], prev[c.partN:], kv[i][c.partN:]) == 0
			}
			if newPart {
				num, rank, dense = 0, 0, 0
			}
			num++
			if !peer {
				rank, dense = num, dense+1
			}
			v := num
			switch c.name {
			case "rank":
				v = rank
			case "dense_rank":
				v = dense
			}
			out[i][width+fi] = types.DInt(v)
		}
	}
	sorted := make([][]types.Datum, len(out))
	for pos, i := range order {
		sorted[pos] = out[i]
	}
	return &sliceIter{rows: sorted}, nil
}
