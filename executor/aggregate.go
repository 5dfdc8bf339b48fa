package executor

import (
	"sort"

	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/types"
)

// aggState is one aggregate's accumulator in one group.
type aggState struct {
	acc  builtins.Aggregator
	seen map[string]struct{} // DISTINCT inputs already fed
	// pending buffers the inputs of an ordered aggregate until the group
	// is complete; memory grows with the group.
	pending []sortedRow
}

type aggGroup struct {
	keys []types.Datum
	aggs []aggState
}

type compiledAgg struct {
	call   planner.AggCall
	args   []evalFn
	filter evalFn
	order  []sortKey
}

// buildAggregate runs hash aggregation: it consumes its whole input and
// keeps one accumulator set per group, so memory grows with the groups.
func (ec *execCtx) buildAggregate(n *planner.Aggregate) (rowIter, error) {
	groupFns, err := ec.compileAll(n.GroupBy)
	if err != nil {
		return nil, err
	}
	aggs := make([]compiledAgg, len(n.Aggs))
	for i, a := range n.Aggs {
		aggs[i].call = a
		if aggs[i].args, err = ec.compileAll(a.Args); err != nil {
			return nil, err
		}
		if a.Filter != nil {
			if aggs[i].filter, err = ec.compile(a.Filter); err != nil {
				return nil, err
			}
		}
		for _, k := range a.OrderBy {
			f, err := ec.compile(k.Expr)
			if err != nil {
				return nil, err
			}
			aggs[i].order = append(aggs[i].order, sortKey{f: f, t: k.Expr.Type(), desc: k.Desc, nullsFirst: k.NullsFirst})
		}
	}
	newGroup := func(keys []types.Datum) *aggGroup {
		g := &aggGroup{keys: keys, aggs: make([]aggState, len(aggs))}
		for i, a := range aggs {
			g.aggs[i].acc = a.call.Fn.New(a.call.ArgTypes)
			if a.call.Distinct {
				g.aggs[i].seen = map[string]struct{}{}
			}
		}
		return g
	}
	in, err := ec.build(n.Input)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	groups := map[string]*aggGroup{}
	var order []*aggGroup
	var keyBuf []byte
	var seq int64
	// Without GROUP BY there is one group: no key to compute or hash.
	var single *aggGroup
	if len(groupFns) == 0 {
		single = newGroup(nil)
		order = append(order, single)
	}
	// Argument slices are reused row to row: Aggregator.Add must not keep
	// the slice (it may keep the values).
	argBufs := make([][]types.Datum, len(aggs))
	for i := range aggs {
		argBufs[i] = make([]types.Datum, len(aggs[i].args))
	}
	for {
		row, err := in.Next()
		if err != nil {
			return nil, err
		}
		if row == nil {
			break
		}
		seq++
		if seq&1023 == 0 {
			if err := ec.ctx.Err(); err != nil {
				return nil, canceled(err)
			}
		}
		g := single
		if g == nil {
			keys := make([]types.Datum, len(groupFns))
			for i, f := range groupFns {
				if keys[i], err = f(row); err != nil {
					return nil, err
				}
			}
			keyBuf = appendRowKey(keyBuf[:0], keys)
			g = groups[string(keyBuf)]
			if g == nil {
				g = newGroup(keys)
				groups[string(keyBuf)] = g
				order = append(order, g)
			}
		}
		for i := range aggs {
			a := &aggs[i]
			if a.filter != nil {
				v, err := a.filter(row)
				if err != nil {
					return nil, err
				}
				if !isTrue(v) {
					continue
				}
			}
			vals := argBufs[i]
			for k, f := range a.args {
				if vals[k], err = f(row); err != nil {
					return nil, err
				}
			}
			st := &g.aggs[i]
			if st.seen != nil {
				k := string(appendRowKey(nil, vals))
				if _, dup := st.seen[k]; dup {
					continue
				}
				st.seen[k] = struct{}{}
			}
			if a.order != nil {
				keys := make([]types.Datum, len(a.order))
				for k, o := range a.order {
					if keys[k], err = o.f(row); err != nil {
						return nil, err
					}
				}
				st.pending = append(st.pending, sortedRow{row: append([]types.Datum(nil), vals...), keys: keys})
				continue
			}
			if err := st.acc.Add(ec.eval, vals); err != nil {
				return nil, err
			}
		}
	}
	rows := make([][]types.Datum, len(order))
	for i, g := range order {
		out := make([]types.Datum, 0, len(g.keys)+len(g.aggs))
		out = append(out, g.keys...)
		for k := range g.aggs {
			st := &g.aggs[k]
			if order := aggs[k].order; order != nil {
				sort.SliceStable(st.pending, func(i, j int) bool {
					return compareKeys(order, st.pending[i].keys, st.pending[j].keys) < 0
				})
				for _, p := range st.pending {
					if err := st.acc.Add(ec.eval, p.row); err != nil {
						return nil, err
					}
				}
				st.pending = nil
			}
			v, err := st.acc.Result(ec.eval)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		rows[i] = out
	}
	return &sliceIter{rows: rows}, nil
}
