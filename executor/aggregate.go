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

// compileAggs compiles the group expressions and aggregate calls of n.
func (ec *execCtx) compileAggs(n *planner.Aggregate) ([]evalFn, []compiledAgg, error) {
	groupFns, err := ec.compileAll(n.GroupBy)
	if err != nil {
		return nil, nil, err
	}
	aggs := make([]compiledAgg, len(n.Aggs))
	for i, a := range n.Aggs {
		aggs[i].call = a
		if aggs[i].args, err = ec.compileAll(a.Args); err != nil {
			return nil, nil, err
		}
		if a.Filter != nil {
			if aggs[i].filter, err = ec.compile(a.Filter); err != nil {
				return nil, nil, err
			}
		}
		for _, k := range a.OrderBy {
			f, err := ec.compile(k.Expr)
			if err != nil {
				return nil, nil, err
			}
			aggs[i].order = append(aggs[i].order, sortKey{f: f, t: k.Expr.Type(), desc: k.Desc, nullsFirst: k.NullsFirst})
		}
	}
	return groupFns, aggs, nil
}

func newAggGroup(aggs []compiledAgg, keys []types.Datum) *aggGroup {
	g := &aggGroup{keys: keys, aggs: make([]aggState, len(aggs))}
	for i, a := range aggs {
		if a.call.IsGrouping {
			continue
		}
		g.aggs[i].acc = a.call.Fn.New(a.call.ArgTypes)
		if a.call.Distinct {
			g.aggs[i].seen = map[string]struct{}{}
		}
	}
	return g
}

// newArgBufs makes one argument slice per aggregate, reused row to row:
// Aggregator.Add must not keep the slice (it may keep the values).
func newArgBufs(aggs []compiledAgg) [][]types.Datum {
	argBufs := make([][]types.Datum, len(aggs))
	for i := range aggs {
		argBufs[i] = make([]types.Datum, len(aggs[i].args))
	}
	return argBufs
}

// feedAggs adds one input row to every aggregate of group g.
func (ec *execCtx) feedAggs(aggs []compiledAgg, argBufs [][]types.Datum, g *aggGroup, row []types.Datum) error {
	var err error
	for i := range aggs {
		a := &aggs[i]
		if a.call.IsGrouping {
			continue
		}
		if a.filter != nil {
			v, err := a.filter(row)
			if err != nil {
				return err
			}
			if !isTrue(v) {
				continue
			}
		}
		vals := argBufs[i]
		for k, f := range a.args {
			if vals[k], err = f(row); err != nil {
				return err
			}
		}
		st := &g.aggs[i]
		if st.seen != nil {
			k := string(appendRowKey(nil, vals, a.call.ArgTypes))
			if _, dup := st.seen[k]; dup {
				continue
			}
			st.seen[k] = struct{}{}
		}
		if a.order != nil {
			keys := make([]types.Datum, len(a.order))
			for k, o := range a.order {
				if keys[k], err = o.f(row); err != nil {
					return err
				}
			}
			st.pending = append(st.pending, sortedRow{row: append([]types.Datum(nil), vals...), keys: keys})
			continue
		}
		if err := st.acc.Add(ec.eval, vals); err != nil {
			return err
		}
	}
	return nil
}

// finishAggGroup appends g's aggregate results to out. inSet tells which
// group columns the row's grouping set holds (nil: all), for GROUPING().
func (ec *execCtx) finishAggGroup(aggs []compiledAgg, g *aggGroup, inSet []bool, out []types.Datum) ([]types.Datum, error) {
	for k := range g.aggs {
		if aggs[k].call.IsGrouping {
			mask := int32(0)
			for _, idx := range aggs[k].call.Grouping {
				mask <<= 1
				if inSet != nil && !inSet[idx] {
					mask |= 1
				}
			}
			out = append(out, types.DInt(mask))
			continue
		}
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
	return out, nil
}

// buildAggregate runs hash aggregation: it consumes its whole input and
// keeps one accumulator set per group, so memory grows with the groups.
func (ec *execCtx) buildAggregate(n *planner.Aggregate) (rowIter, error) {
	if n.Sets != nil {
		return ec.buildGroupingSets(n)
	}
	groupFns, aggs, err := ec.compileAggs(n)
	if err != nil {
		return nil, err
	}
	in, err := ec.build(n.Input)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	groups := map[string]*aggGroup{}
	var order []*aggGroup
	var keyBuf []byte
	groupTypes := exprTypes(n.GroupBy)
	var seq int64
	// Without GROUP BY there is one group: no key to compute or hash.
	var single *aggGroup
	if len(groupFns) == 0 {
		single = newAggGroup(aggs, nil)
		order = append(order, single)
	}
	argBufs := newArgBufs(aggs)
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
			keyBuf = appendRowKey(keyBuf[:0], keys, groupTypes)
			g = groups[string(keyBuf)]
			if g == nil {
				g = newAggGroup(aggs, keys)
				groups[string(keyBuf)] = g
				order = append(order, g)
			}
		}
		if err := ec.feedAggs(aggs, argBufs, g, row); err != nil {
			return nil, err
		}
	}
	rows := make([][]types.Datum, len(order))
	for i, g := range order {
		out := make([]types.Datum, 0, len(g.keys)+len(g.aggs))
		out = append(out, g.keys...)
		if out, err = ec.finishAggGroup(aggs, g, nil, out); err != nil {
			return nil, err
		}
		rows[i] = out
	}
	return &sliceIter{rows: rows}, nil
}

// buildGroupingSets aggregates the input once per grouping set in a single
// pass: each set has its own groups keyed by its own columns. A row of a
// set carries NULL for the group columns the set leaves out; the empty set
// yields its one row even over no input.
func (ec *execCtx) buildGroupingSets(n *planner.Aggregate) (rowIter, error) {
	groupFns, aggs, err := ec.compileAggs(n)
	if err != nil {
		return nil, err
	}
	in, err := ec.build(n.Input)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	type setState struct {
		cols   []int
		inSet  []bool
		groups map[string]*aggGroup
		order  []*aggGroup
	}
	sets := make([]*setState, len(n.Sets))
	for i, cols := range n.Sets {
		s := &setState{cols: cols, inSet: make([]bool, len(groupFns)), groups: map[string]*aggGroup{}}
		for _, c := range cols {
			s.inSet[c] = true
		}
		if len(cols) == 0 {
			g := newAggGroup(aggs, nil)
			s.groups[""] = g
			s.order = append(s.order, g)
		}
		sets[i] = s
	}
	argBufs := newArgBufs(aggs)
	all := make([]types.Datum, len(groupFns))
	var keyBuf []byte
	var seq int64
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
		for i, f := range groupFns {
			if all[i], err = f(row); err != nil {
				return nil, err
			}
		}
		for _, s := range sets {
			keyBuf = keyBuf[:0]
			keys := make([]types.Datum, len(s.cols))
			typs := make([]*types.T, len(s.cols))
			for k, c := range s.cols {
				keys[k], typs[k] = all[c], n.GroupBy[c].Type()
			}
			keyBuf = appendRowKey(keyBuf, keys, typs)
			g := s.groups[string(keyBuf)]
			if g == nil {
				g = newAggGroup(aggs, keys)
				s.groups[string(keyBuf)] = g
				s.order = append(s.order, g)
			}
			if err := ec.feedAggs(aggs, argBufs, g, row); err != nil {
				return nil, err
			}
		}
	}
	var rows [][]types.Datum
	for _, s := range sets {
		for _, g := range s.order {
			out := make([]types.Datum, len(groupFns), len(groupFns)+len(g.aggs))
			for i := range out {
				out[i] = types.Null
			}
			for k, c := range s.cols {
				out[c] = g.keys[k]
			}
			if out, err = ec.finishAggGroup(aggs, g, s.inSet, out); err != nil {
				return nil, err
			}
			rows = append(rows, out)
		}
	}
	return &sliceIter{rows: rows}, nil
}
