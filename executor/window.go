package executor

import (
	"slices"
	"sort"

	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// SQLSTATEs of window function argument errors with no pgerror constant.
const (
	codeInvalidPrecedingOrFollowingSize = "22013"
	codeInvalidArgumentForNtile         = "22014"
	codeInvalidArgumentForNthValue      = "22016"
)

// winFunc is one compiled window function.
type winFunc struct {
	fn       *planner.WindowFunc
	args     []evalFn
	agg      []compiledAgg // one element for an aggregate, else nil
	startOff evalFn
	endOff   evalFn
	startVal evalFn
	endVal   evalFn
}

// winPart is one partition of sorted rows: positions [lo, hi) of the
// sorted order, with each position's peer group.
type winPart struct {
	lo, hi int
	// grp[i-lo] is position i's peer group number; gStart[g] the first
	// position of group g (gStart has a sentinel hi at the end).
	grp    []int
	gStart []int
}

// buildWindow materialises the input, sorts it once per distinct window
// and computes every window function over it (planner.WindowNode).
func (ec *execCtx) buildWindow(n *planner.WindowNode) (rowIter, error) {
	fns := make([]winFunc, len(n.Funcs))
	for i := range n.Funcs {
		f := &n.Funcs[i]
		c := winFunc{fn: f}
		var err error
		if f.Agg != nil {
			c.agg = make([]compiledAgg, 1)
			c.agg[0].call = *f.Agg
			if c.agg[0].args, err = ec.compileAll(f.Agg.Args); err != nil {
				return nil, err
			}
			if f.Agg.Filter != nil {
				if c.agg[0].filter, err = ec.compile(f.Agg.Filter); err != nil {
					return nil, err
				}
			}
		} else if c.args, err = ec.compileAll(f.Args); err != nil {
			return nil, err
		}
		for _, p := range []struct {
			x   planner.Expr
			dst *evalFn
		}{{f.Frame.Start.Offset, &c.startOff}, {f.Frame.End.Offset, &c.endOff}, {f.Frame.Start.Value, &c.startVal}, {f.Frame.End.Value, &c.endVal}} {
			if p.x == nil {
				continue
			}
			if *p.dst, err = ec.compile(p.x); err != nil {
				return nil, err
			}
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
	for si, spec := range n.Specs {
		var keys []sortKey
		for _, x := range spec.Partition {
			f, err := ec.compile(x)
			if err != nil {
				return nil, err
			}
			keys = append(keys, sortKey{f: f, t: x.Type()})
		}
		for _, k := range spec.Order {
			f, err := ec.compile(k.Expr)
			if err != nil {
				return nil, err
			}
			keys = append(keys, sortKey{f: f, t: k.Expr.Type(), desc: k.Desc, nullsFirst: k.NullsFirst})
		}
		partN := len(spec.Partition)
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
		w := &winSorted{ec: ec, rows: out, width: width, order: order, kv: kv, keys: keys, partN: partN}
		for lo := 0; lo < len(order); {
			if err := ec.ctx.Err(); err != nil {
				return nil, canceled(err)
			}
			hi := lo + 1
			for hi < len(order) && compareKeys(keys[:partN], kv[order[lo]][:partN], kv[order[hi]][:partN]) == 0 {
				hi++
			}
			p := w.partition(lo, hi)
			for fi := range fns {
				if n.Funcs[fi].Spec != si {
					continue
				}
				if err := w.compute(&fns[fi], p, width+fi); err != nil {
					return nil, err
				}
			}
			lo = hi
		}
	}
	sorted := make([][]types.Datum, len(out))
	for pos, i := range order {
		sorted[pos] = out[i]
	}
	return &sliceIter{rows: sorted}, nil
}

// winSorted is the input in one window's sort order.
type winSorted struct {
	ec    *execCtx
	rows  [][]types.Datum
	width int
	order []int
	kv    [][]types.Datum
	keys  []sortKey
	partN int
}

func (w *winSorted) row(pos int) []types.Datum { return w.rows[w.order[pos]][:w.width] }

func (w *winSorted) partition(lo, hi int) *winPart {
	p := &winPart{lo: lo, hi: hi, grp: make([]int, hi-lo)}
	ord := w.keys[w.partN:]
	for i := lo; i < hi; i++ {
		if i == lo || compareKeys(ord, w.kv[w.order[i-1]][w.partN:], w.kv[w.order[i]][w.partN:]) != 0 {
			p.gStart = append(p.gStart, i)
		}
		p.grp[i-lo] = len(p.gStart) - 1
	}
	p.gStart = append(p.gStart, hi)
	return p
}

// span is a run of sorted positions [lo, hi).
type span struct{ lo, hi int }

// offset evaluates a ROWS/GROUPS frame offset.
func (w *winSorted) offset(f evalFn, row []types.Datum, start bool) (int, error) {
	v, err := f(row)
	if err != nil {
		return 0, err
	}
	which := "ending"
	if start {
		which = "starting"
	}
	if types.IsNull(v) {
		return 0, pgerror.New(pgerror.CodeNullValueNotAllowed, "frame %s offset must not be null", which)
	}
	n := int64(v.(types.DInt))
	if n < 0 {
		return 0, pgerror.New(codeInvalidPrecedingOrFollowingSize, "frame %s offset must not be negative", which)
	}
	if n > int64(len(w.order)) {
		n = int64(len(w.order)) + 1
	}
	return int(n), nil
}

// rangeBound finds, for a RANGE offset frame, the first position of the
// partition whose order key is not before the boundary value (start) or
// the first position after the boundary (end).
func (w *winSorted) rangeBound(f *winFunc, p *winPart, pos int, start bool) (int, error) {
	row := w.row(pos)
	off, val := f.endOff, f.endVal
	if start {
		off, val = f.startOff, f.startVal
	}
	o, err := off(row)
	if err != nil {
		return 0, err
	}
	if types.IsNull(o) {
		return 0, pgerror.New(pgerror.CodeNullValueNotAllowed, "frame %s offset must not be null", map[bool]string{true: "starting", false: "ending"}[start])
	}
	if negativeSize(o) {
		return 0, pgerror.New(codeInvalidPrecedingOrFollowingSize, "invalid preceding or following size in window function")
	}
	key := w.kv[w.order[pos]][w.partN]
	k := w.keys[w.partN : w.partN+1]
	if types.IsNull(key) {
		// NULL keys frame their peers only.
		g := p.grp[pos-p.lo]
		if start {
			return p.gStart[g], nil
		}
		return p.gStart[g+1], nil
	}
	b, err := val(row)
	if err != nil {
		return 0, err
	}
	bound := []types.Datum{b}
	return p.lo + sort.Search(p.hi-p.lo, func(i int) bool {
		c := compareKeys(k, w.kv[w.order[p.lo+i]][w.partN:w.partN+1], bound)
		if start {
			return c >= 0
		}
		return c > 0
	}), nil
}

// negativeSize reports a RANGE offset below zero.
func negativeSize(d types.Datum) bool {
	switch v := d.(type) {
	case types.DInt:
		return v < 0
	case types.DFloat:
		return v < 0
	case *types.DDecimal:
		return v.Negative && !v.IsZero()
	case types.DInterval:
		return v.Months < 0 || v.Days < 0 || v.Micros < 0
	case *types.DInterval:
		return v.Months < 0 || v.Days < 0 || v.Micros < 0
	}
	return false
}

// frame computes position pos's frame as at most two spans (after
// EXCLUDE) and whether the frame starts at the partition start with no
// exclusion (a running frame).
func (w *winSorted) frame(f *winFunc, p *winPart, pos int) ([]span, bool, error) {
	fr := &f.fn.Frame
	row := w.row(pos)
	g := p.grp[pos-p.lo]
	clamp := func(x int) int { return max(p.lo, min(p.hi, x)) }
	groupAt := func(x int) int { return p.gStart[max(0, min(len(p.gStart)-1, x))] }
	var s, e int
	var err error
	var n int
	switch fr.Start.Kind {
	case planner.BoundUnboundedPreceding:
		s = p.lo
	case planner.BoundCurrentRow:
		s = pos
		if fr.Mode != "rows" {
			s = p.gStart[g]
		}
	case planner.BoundPreceding, planner.BoundFollowing:
		switch fr.Mode {
		case "range":
			if s, err = w.rangeBound(f, p, pos, true); err != nil {
				return nil, false, err
			}
		default:
			if n, err = w.offset(f.startOff, row, true); err != nil {
				return nil, false, err
			}
			if fr.Start.Kind == planner.BoundPreceding {
				n = -n
			}
			if fr.Mode == "rows" {
				s = clamp(pos + n)
			} else {
				s = groupAt(g + n)
				if g+n < 0 {
					s = p.lo
				}
			}
		}
	}
	switch fr.End.Kind {
	case planner.BoundUnboundedFollowing:
		e = p.hi
	case planner.BoundCurrentRow:
		e = pos + 1
		if fr.Mode != "rows" {
			e = p.gStart[g+1]
		}
	case planner.BoundPreceding, planner.BoundFollowing:
		switch fr.Mode {
		case "range":
			if e, err = w.rangeBound(f, p, pos, false); err != nil {
				return nil, false, err
			}
		default:
			if n, err = w.offset(f.endOff, row, false); err != nil {
				return nil, false, err
			}
			if fr.End.Kind == planner.BoundPreceding {
				n = -n
			}
			if fr.Mode == "rows" {
				e = clamp(pos + n + 1)
			} else if g+n+1 < 0 {
				e = p.lo
			} else {
				e = groupAt(g + n + 1)
			}
		}
	}
	if e < s {
		e = s
	}
	var xs, xe int // excluded positions [xs, xe)
	switch fr.Exclude {
	case "":
		return []span{{s, e}}, fr.Start.Kind == planner.BoundUnboundedPreceding, nil
	case "current row":
		xs, xe = pos, pos+1
	case "group", "ties":
		xs, xe = p.gStart[g], p.gStart[g+1]
	}
	spans := []span{{s, min(e, xs)}}
	if fr.Exclude == "ties" && pos >= s && pos < e {
		spans = append(spans, span{pos, pos + 1})
	}
	spans = append(spans, span{max(s, xe), e})
	return spans, false, nil
}

// compute fills column col of partition p's rows with f's values.
func (w *winSorted) compute(f *winFunc, p *winPart, col int) error {
	set := func(pos int, v types.Datum) { w.rows[w.order[pos]][col] = v }
	cnt := p.hi - p.lo
	switch f.fn.Name {
	case "row_number", "rank", "dense_rank", "percent_rank", "cume_dist":
		if f.agg == nil {
			for pos := p.lo; pos < p.hi; pos++ {
				g := p.grp[pos-p.lo]
				rank := p.gStart[g] - p.lo + 1
				switch f.fn.Name {
				case "row_number":
					set(pos, types.DInt(pos-p.lo+1))
				case "rank":
					set(pos, types.DInt(rank))
				case "dense_rank":
					set(pos, types.DInt(g+1))
				case "percent_rank":
					v := 0.0
					if cnt > 1 {
						v = float64(rank-1) / float64(cnt-1)
					}
					set(pos, types.DFloat(v))
				case "cume_dist":
					set(pos, types.DFloat(float64(p.gStart[g+1]-p.lo)/float64(cnt)))
				}
			}
			return nil
		}
	case "ntile":
		if f.agg == nil {
			v, err := f.args[0](w.row(p.lo))
			if err != nil {
				return err
			}
			if types.IsNull(v) {
				for pos := p.lo; pos < p.hi; pos++ {
					set(pos, types.Null)
				}
				return nil
			}
			k := int(v.(types.DInt))
			if k <= 0 {
				return pgerror.New(codeInvalidArgumentForNtile, "argument of ntile must be greater than zero")
			}
			q, r := cnt/k, cnt%k
			bucket, left := 1, q
			if r > 0 {
				left++
			}
			for pos := p.lo; pos < p.hi; pos++ {
				if left == 0 {
					bucket++
					left = q
					if bucket <= r {
						left++
					}
				}
				set(pos, types.DInt(bucket))
				left--
			}
			return nil
		}
	case "lag", "lead":
		if f.agg == nil {
			for pos := p.lo; pos < p.hi; pos++ {
				row := w.row(pos)
				off := 1
				if len(f.args) > 1 {
					v, err := f.args[1](row)
					if err != nil {
						return err
					}
					if types.IsNull(v) {
						set(pos, types.Null)
						continue
					}
					off = int(v.(types.DInt))
				}
				if f.fn.Name == "lag" {
					off = -off
				}
				var v types.Datum = types.Null
				var err error
				if t := pos + off; t >= p.lo && t < p.hi {
					v, err = f.args[0](w.row(t))
				} else if len(f.args) > 2 {
					v, err = f.args[2](row)
				}
				if err != nil {
					return err
				}
				set(pos, v)
			}
			return nil
		}
	}
	if f.agg == nil {
		return w.computeValue(f, p, set)
	}
	return w.computeAgg(f, p, set)
}

// computeValue runs first_value, last_value and nth_value over each
// row's frame.
func (w *winSorted) computeValue(f *winFunc, p *winPart, set func(int, types.Datum)) error {
	for pos := p.lo; pos < p.hi; pos++ {
		if (pos-p.lo)&1023 == 1023 {
			if err := w.ec.ctx.Err(); err != nil {
				return canceled(err)
			}
		}
		spans, _, err := w.frame(f, p, pos)
		if err != nil {
			return err
		}
		nth := 1
		switch f.fn.Name {
		case "last_value":
			nth = -1
		case "nth_value":
			v, err := f.args[1](w.row(pos))
			if err != nil {
				return err
			}
			if types.IsNull(v) {
				set(pos, types.Null)
				continue
			}
			if nth = int(v.(types.DInt)); nth <= 0 {
				return pgerror.New(codeInvalidArgumentForNthValue, "argument of nth_value must be greater than zero")
			}
		}
		at := -1
		if nth < 0 {
			for i := len(spans) - 1; i >= 0 && at < 0; i-- {
				if spans[i].hi > spans[i].lo {
					at = spans[i].hi - 1
				}
			}
		} else {
			for _, sp := range spans {
				if sz := sp.hi - sp.lo; sz > 0 {
					if nth <= sz {
						at = sp.lo + nth - 1
						break
					}
					nth -= sz
				}
			}
		}
		var v types.Datum = types.Null
		if at >= 0 {
			if v, err = f.args[0](w.row(at)); err != nil {
				return err
			}
		}
		set(pos, v)
	}
	return nil
}

// computeAgg runs an aggregate over each row's frame. A frame that starts
// at the partition start without exclusion only grows, so the aggregate
// state runs along it; other frames are recomputed unless they equal the
// previous row's.
func (w *winSorted) computeAgg(f *winFunc, p *winPart, set func(int, types.Datum)) error {
	ec := w.ec
	argBufs := newArgBufs(f.agg)
	var run *aggGroup
	fed := p.lo
	var prev []span
	var prevV types.Datum
	var work int
	for pos := p.lo; pos < p.hi; pos++ {
		if (pos-p.lo)&1023 == 1023 {
			if err := ec.ctx.Err(); err != nil {
				return canceled(err)
			}
		}
		spans, running, err := w.frame(f, p, pos)
		if err != nil {
			return err
		}
		if prev != nil && slices.Equal(prev, spans) {
			set(pos, prevV)
			continue
		}
		var g *aggGroup
		if running && run != nil && spans[0].hi >= fed {
			g = run
		} else {
			g = newAggGroup(f.agg, nil)
			fed = spans[0].lo
		}
		for _, sp := range spans {
			if g == run && run != nil {
				sp.lo = fed
			}
			for i := sp.lo; i < sp.hi; i++ {
				// Recomputed frames cost rows times frame width: check
				// for cancellation by rows fed, not rows output.
				if work++; work&(1<<16-1) == 0 {
					if err := ec.ctx.Err(); err != nil {
						return canceled(err)
					}
				}
				if err := ec.feedAggs(f.agg, argBufs, g, w.row(i)); err != nil {
					return err
				}
			}
		}
		if running {
			run, fed = g, spans[0].hi
		}
		v, err := g.aggs[0].acc.Result(ec.eval)
		if err != nil {
			return err
		}
		set(pos, v)
		prev, prevV = spans, v
	}
	return nil
}
