package planner

import (
	"strings"

	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/pgdialect"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

// WindowNode computes a query level's window functions over its whole
// input and emits each input row followed by one value per function.
// Functions sharing a window (PARTITION BY and ORDER BY) share one sort;
// rows come out in the order of the last window, as PostgreSQL's chain of
// WindowAgg nodes does.
type WindowNode struct {
	Input Plan
	Specs []WindowSpec
	Funcs []WindowFunc
	Cols  []Column
}

// WindowSpec is one distinct PARTITION BY / ORDER BY pair.
type WindowSpec struct {
	Partition []Expr
	Order     []SortKey
}

// Frame bound kinds.
const (
	BoundUnboundedPreceding = iota
	BoundPreceding
	BoundCurrentRow
	BoundFollowing
	BoundUnboundedFollowing
)

// FrameBound is one end of a window frame. For ROWS and GROUPS, Offset is
// the row or peer-group count; for RANGE, Offset is the size and Value
// computes the boundary's sort-key value from the current row (key -
// offset or key + offset, by direction).
type FrameBound struct {
	Kind   int
	Offset Expr
	Value  Expr
}

// WindowFrame is a function's frame: Mode is "rows", "range" or "groups";
// Exclude is "", "current row", "group" or "ties".
type WindowFrame struct {
	Mode       string
	Start, End FrameBound
	Exclude    string
}

// WindowFunc is one window function call. Agg is set for an aggregate
// used as a window function (its Args and Filter are the call's).
type WindowFunc struct {
	Name  string
	Spec  int
	Args  []Expr
	Agg   *AggCall
	Frame WindowFrame
	T     *types.T
}

func (p *WindowNode) Columns() []Column { return p.Cols }

// WindowRef reads window function Idx of the query level's WindowNode;
// it appears only while binding and is rewritten to a ColRef once the
// WindowNode's input width is known.
type WindowRef struct {
	Idx int
	T   *types.T
}

func (e *WindowRef) Type() *types.T { return e.T }

// windowOnly are the functions that exist only as window functions, with
// their result types (nil: the first argument's).
var windowOnly = map[string]*types.T{
	"row_number": types.Int8, "rank": types.Int8, "dense_rank": types.Int8,
	"percent_rank": types.Float8, "cume_dist": types.Float8, "ntile": types.Int4,
	"lag": nil, "lead": nil, "first_value": nil, "last_value": nil, "nth_value": nil,
}

// windowArity is each window-only function's accepted argument counts.
var windowArity = map[string][2]int{
	"row_number": {0, 0}, "rank": {0, 0}, "dense_rank": {0, 0}, "percent_rank": {0, 0}, "cume_dist": {0, 0},
	"ntile": {1, 1}, "lag": {1, 3}, "lead": {1, 3}, "first_value": {1, 1}, "last_value": {1, 1}, "nth_value": {2, 2},
}

// winState collects a query level's window function calls while its
// select list and ORDER BY are bound.
type winState struct {
	named  map[string]*tree.Window
	specs  []WindowSpec
	keys   []string
	funcs  []WindowFunc
	inCall bool
}

// windowCallError is the error for a window call where none is allowed.
func windowCallError(n *tree.FuncCall, sc *scope) error {
	reason := sc.noAggReason
	switch reason {
	case "aggregate function calls cannot be nested":
		return pgerror.New(pgerror.CodeGroupingError, "aggregate function calls cannot contain window function calls").WithPosition(int(n.Pos))
	case "":
		reason = "this context"
	}
	return pgerror.New(pgerror.CodeWindowingError, "window functions are not allowed in %s", reason).WithPosition(int(n.Pos))
}

// checkWindowOnlyCall rejects a window-only function called without OVER.
func checkWindowOnlyCall(n *tree.FuncCall) error {
	if _, ok := windowOnly[n.Name]; ok && n.Over == nil && builtins.Functions(n.Name) == nil {
		return pgerror.New(pgerror.CodeWrongObjectType, "window function %s requires an OVER clause", n.Name).WithPosition(int(n.Pos))
	}
	return nil
}

// bindWindowCall binds f(...) OVER (...) and returns a reference to its
// result column.
func (b *Binder) bindWindowCall(n *tree.FuncCall, sc *scope) (Expr, error) {
	ws := sc.win
	if ws == nil {
		return nil, windowCallError(n, sc)
	}
	if ws.inCall {
		return nil, pgerror.New(pgerror.CodeWindowingError, "window function calls cannot be nested").WithPosition(int(n.Pos))
	}
	ws.inCall = true
	defer func() { ws.inCall = false }()
	win, err := resolveWindow(n.Over, ws.named, n.Over.Pos)
	if err != nil {
		return nil, err
	}
	wf := WindowFunc{Name: n.Name}
	if len(n.WithinGroup) > 0 {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "OVER is not supported for ordered-set aggregate %s", n.Name).WithPosition(int(n.Pos))
	}
	ret, isWin := windowOnly[n.Name]
	aggs := builtins.Aggregates(n.Name)
	if isWin && builtins.Functions(n.Name) == nil {
		ar := windowArity[n.Name]
		if ar[1] == 0 && len(n.Args) > 0 {
			// rank(x) and its kin are hypothetical-set aggregates.
			return nil, pgerror.New(pgerror.CodeWrongObjectType, "WITHIN GROUP is required for ordered-set aggregate %s", n.Name).WithPosition(int(n.Pos))
		}
		if n.Distinct || n.Filter != nil || len(n.OrderBy) > 0 {
			return nil, pgerror.New(pgerror.CodeWrongObjectType, "DISTINCT/ORDER BY/FILTER specified, but %s is not an aggregate function", n.Name).WithPosition(int(n.Pos))
		}
		var argTypes []*types.T
		for _, a := range n.Args {
			x, err := b.bindExpr(a, sc)
			if err != nil {
				return nil, err
			}
			wf.Args = append(wf.Args, x)
			argTypes = append(argTypes, x.Type())
		}
		if len(n.Args) < ar[0] || len(n.Args) > ar[1] {
			return nil, pgerror.New(pgerror.CodeUndefinedFunction, "function %s(%s) does not exist", n.Name, builtins.TypeList(argTypes)).
				WithHint("No function matches the given name and argument types. You might need to add explicit type casts.").WithPosition(int(n.Pos))
		}
		switch n.Name {
		case "ntile":
			if wf.Args[0], err = b.coerce(wf.Args[0], types.Int4, types.CastImplicit, n.Name); err != nil {
				return nil, err
			}
		case "nth_value", "lag", "lead":
			if len(wf.Args) > 1 {
				if wf.Args[1], err = b.coerce(wf.Args[1], types.Int4, types.CastImplicit, n.Name); err != nil {
					return nil, err
				}
			}
		}
		if ret == nil {
			ret = wf.Args[0].Type()
			if n.Name != "nth_value" && len(wf.Args) == 3 {
				if ret, err = commonType([]*types.T{ret, wf.Args[2].Type()}, n.Name); err != nil {
					return nil, withPos(err, n.Pos)
				}
			}
			if ret.Family == types.FamUnknown {
				ret = types.Text
			}
			if wf.Args[0], err = b.coerce(wf.Args[0], ret, types.CastImplicit, n.Name); err != nil {
				return nil, err
			}
			if n.Name != "nth_value" && len(wf.Args) == 3 {
				if wf.Args[2], err = b.coerce(wf.Args[2], ret, types.CastImplicit, n.Name); err != nil {
					return nil, err
				}
			}
		}
	} else if aggs != nil {
		if n.Distinct {
			return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "DISTINCT is not implemented for window functions").WithPosition(int(n.Pos))
		}
		if len(n.OrderBy) > 0 {
			return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "aggregate ORDER BY is not implemented for window functions").WithPosition(int(n.Pos))
		}
		args := make([]Expr, len(n.Args))
		argTypes := make([]*types.T, len(n.Args))
		for i, a := range n.Args {
			x, err := b.bindExpr(a, sc)
			if err != nil {
				return nil, err
			}
			args[i], argTypes[i] = x, x.Type()
		}
		call, err := b.resolveAggCall(n, aggs, args, argTypes)
		if err != nil {
			return nil, err
		}
		if n.Filter != nil {
			reason := sc.noAggReason
			sc.win, sc.noAggReason = nil, "FILTER"
			call.Filter, err = b.bindCondition(n.Filter, sc, "FILTER")
			sc.win, sc.noAggReason = ws, reason
			if err != nil {
				return nil, err
			}
		}
		wf.Agg, wf.Args, ret = call, call.Args, call.T
	} else {
		if builtins.Functions(n.Name) == nil {
			return nil, pgerror.New(pgerror.CodeUndefinedFunction, "function %s does not exist", n.Name).WithPosition(int(n.Pos))
		}
		return nil, pgerror.New(pgerror.CodeWrongObjectType, "OVER specified, but %s is not a window function nor an aggregate function", n.Name).WithPosition(int(n.Pos))
	}
	wf.T = ret
	spec, specKey, err := b.bindWindowSpec(win, sc)
	if err != nil {
		return nil, err
	}
	if wf.Frame, err = b.bindFrame(win, spec, sc); err != nil {
		return nil, err
	}
	wf.Spec = -1
	for i, k := range ws.keys {
		if k == specKey {
			wf.Spec = i
		}
	}
	if wf.Spec < 0 {
		wf.Spec = len(ws.specs)
		ws.specs = append(ws.specs, spec)
		ws.keys = append(ws.keys, specKey)
	}
	ws.funcs = append(ws.funcs, wf)
	return &WindowRef{Idx: len(ws.funcs) - 1, T: ret}, nil
}

// resolveWindow merges an OVER clause with the named window it refers to.
func resolveWindow(w *tree.Window, named map[string]*tree.Window, pos tree.Pos) (*tree.Window, error) {
	if w.Name == "" {
		return w, nil
	}
	base, ok := named[w.Name]
	if !ok {
		return nil, pgerror.New(pgerror.CodeUndefinedObject, "window \"%s\" does not exist", w.Name).WithPosition(int(pos))
	}
	base, err := resolveWindow(base, named, pos)
	if err != nil {
		return nil, err
	}
	bare := len(w.PartitionBy) == 0 && len(w.OrderBy) == 0 && w.Frame == ""
	if bare && !w.Parens {
		return base, nil
	}
	if len(w.PartitionBy) > 0 {
		return nil, pgerror.New(pgerror.CodeWindowingError, "cannot override PARTITION BY clause of window \"%s\"", w.Name).WithPosition(int(pos))
	}
	if len(w.OrderBy) > 0 && len(base.OrderBy) > 0 {
		return nil, pgerror.New(pgerror.CodeWindowingError, "cannot override ORDER BY clause of window \"%s\"", w.Name).WithPosition(int(pos))
	}
	if base.Frame != "" {
		err := pgerror.New(pgerror.CodeWindowingError, "cannot copy window \"%s\" because it has a frame clause", w.Name).WithPosition(int(pos))
		if bare {
			err = err.WithHint("Omit the parentheses in this OVER clause.")
		}
		return nil, err
	}
	out := &tree.Window{PartitionBy: base.PartitionBy, OrderBy: base.OrderBy, Frame: w.Frame, FramePos: w.FramePos, Pos: w.Pos}
	if len(w.OrderBy) > 0 {
		out.OrderBy = w.OrderBy
	}
	return out, nil
}

func (b *Binder) bindWindowSpec(w *tree.Window, sc *scope) (WindowSpec, string, error) {
	var spec WindowSpec
	var key strings.Builder
	for _, e := range w.PartitionBy {
		x, err := b.bindExpr(e, sc)
		if err != nil {
			return spec, "", err
		}
		spec.Partition = append(spec.Partition, x)
		key.WriteString("p" + exprKey(x) + ";")
	}
	for _, it := range w.OrderBy {
		if it.Using != "" {
			return spec, "", notSupported("ORDER BY ... USING")
		}
		x, err := b.bindExpr(it.Expr, sc)
		if err != nil {
			return spec, "", err
		}
		nullsFirst := orderNullsFirst(it)
		spec.Order = append(spec.Order, SortKey{Expr: x, Desc: it.Desc, NullsFirst: nullsFirst})
		key.WriteString("o" + exprKey(x))
		if it.Desc {
			key.WriteString(" desc")
		}
		if nullsFirst {
			key.WriteString(" nf")
		}
		key.WriteString(";")
	}
	return spec, key.String(), nil
}

// bindFrame binds a window's frame clause; without one the frame is
// RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW.
func (b *Binder) bindFrame(w *tree.Window, spec WindowSpec, sc *scope) (WindowFrame, error) {
	fr := WindowFrame{Mode: "range", Start: FrameBound{Kind: BoundUnboundedPreceding}, End: FrameBound{Kind: BoundCurrentRow}}
	if w.Frame == "" {
		return fr, nil
	}
	text := w.Frame
	low := strings.ToLower(text)
	at := func(i int) int { return int(w.FramePos) + i }
	mode := low
	if i := strings.IndexFunc(low, func(r rune) bool { return r < 'a' || r > 'z' }); i >= 0 {
		mode = low[:i]
	}
	fr.Mode = mode
	restAt := len(mode)
	for restAt < len(text) && isFrameSpace(text[restAt]) {
		restAt++
	}
	restEnd := len(text)
	if i := strings.LastIndex(low, " exclude "); i >= restAt {
		ex := strings.Join(strings.Fields(low[i+len(" exclude "):]), " ")
		switch ex {
		case "current row", "group", "ties":
			fr.Exclude = ex
		case "no others":
		default:
			return fr, pgerror.New(pgerror.CodeSyntaxError, "syntax error at or near \"%s\"", ex).WithPosition(at(i + len(" exclude ")))
		}
		restEnd = i
	}
	startAt, startEnd, endAt, endEnd := restAt, restEnd, -1, -1
	if strings.HasPrefix(low[restAt:], "between ") {
		bodyAt := restAt + len("between ")
		cut := -1
		for _, kw := range []string{"preceding and ", "following and ", "row and "} {
			if i := strings.Index(low[bodyAt:restEnd], kw); i >= 0 && (cut < 0 || i < cut) {
				cut = i + len(kw) - len("and ")
			}
		}
		if cut < 0 {
			return fr, pgerror.New(pgerror.CodeSyntaxError, "syntax error in frame clause").WithPosition(at(bodyAt))
		}
		startAt, startEnd = bodyAt, bodyAt+cut
		endAt, endEnd = bodyAt+cut+len("and "), restEnd
		for endAt < endEnd && isFrameSpace(text[endAt]) {
			endAt++
		}
	}
	var err error
	if fr.Start, err = parseBound(text[startAt:startEnd], at(startAt)); err != nil {
		return fr, err
	}
	if endAt >= 0 {
		if fr.End, err = parseBound(text[endAt:endEnd], at(endAt)); err != nil {
			return fr, err
		}
	} else {
		endAt = startAt
	}
	switch {
	case fr.Start.Kind == BoundUnboundedFollowing:
		return fr, pgerror.New(pgerror.CodeWindowingError, "frame start cannot be UNBOUNDED FOLLOWING").WithPosition(at(startAt))
	case fr.End.Kind == BoundUnboundedPreceding:
		return fr, pgerror.New(pgerror.CodeWindowingError, "frame end cannot be UNBOUNDED PRECEDING").WithPosition(at(endAt))
	case fr.Start.Kind == BoundCurrentRow && fr.End.Kind == BoundPreceding:
		return fr, pgerror.New(pgerror.CodeWindowingError, "frame starting from current row cannot have preceding rows").WithPosition(at(endAt))
	case fr.Start.Kind == BoundFollowing && (fr.End.Kind == BoundPreceding || fr.End.Kind == BoundCurrentRow):
		return fr, pgerror.New(pgerror.CodeWindowingError, "frame starting from following row cannot have preceding rows").WithPosition(at(endAt))
	}
	hasOffset := fr.Start.Offset != nil || fr.End.Offset != nil
	switch fr.Mode {
	case "groups":
		if len(spec.Order) == 0 {
			return fr, pgerror.New(pgerror.CodeWindowingError, "GROUPS mode requires an ORDER BY clause").WithPosition(int(w.Pos))
		}
	case "range":
		if hasOffset && len(spec.Order) != 1 {
			return fr, pgerror.New(pgerror.CodeWindowingError, "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column").WithPosition(int(w.Pos))
		}
	}
	for _, bd := range []*FrameBound{&fr.Start, &fr.End} {
		if bd.Offset == nil {
			continue
		}
		raw, rawPos := bd.Offset.(*rawOffset).e, bd.Offset.(*rawOffset).pos
		off, err := b.bindExpr(raw, &scope{noAggReason: "window frame"})
		if err != nil {
			if pgerror.CodeOf(err) == pgerror.CodeUndefinedColumn {
				return fr, pgerror.New(pgerror.CodeInvalidColumnReference, "argument of %s must not contain variables", strings.ToUpper(fr.Mode)).WithPosition(rawPos)
			}
			return fr, err
		}
		if fr.Mode != "range" {
			if off, err = b.coerce(off, types.Int8, types.CastImplicit, strings.ToUpper(fr.Mode)); err != nil {
				return fr, err
			}
			bd.Offset = off
			continue
		}
		// An untyped offset takes PostgreSQL's in_range offset type:
		// interval for datetime keys, the key's own type otherwise.
		if off.Type().Family == types.FamUnknown {
			tn := spec.Order[0].Expr.Type().String()
			switch spec.Order[0].Expr.Type().Family {
			case types.FamDate, types.FamTimestamp, types.FamTimestampTZ, types.FamInterval:
				tn = "interval"
			}
			raw = &tree.CastExpr{Operand: raw, Type: tree.TypeName{Name: tn}}
			if off, err = b.bindExpr(raw, &scope{noAggReason: "window frame"}); err != nil {
				return fr, err
			}
		}
		// key - offset reaches back in ascending order, key + offset in
		// descending order; FOLLOWING is the other way round.
		op := "-"
		if (bd.Kind == BoundFollowing) != spec.Order[0].Desc {
			op = "+"
		}
		keyT := spec.Order[0].Expr.Type()
		left := w.OrderBy[0].Expr
		isInt := keyT.Family == types.FamInt2 || keyT.Family == types.FamInt4 || keyT.Family == types.FamInt8
		if isInt {
			// Integer boundaries are computed in bigint so that key +
			// offset past the key type's range still frames the rows, as
			// PostgreSQL's in_range functions do; integer datums compare
			// across widths.
			left = &tree.CastExpr{Operand: left, Type: tree.TypeName{Name: "int8"}}
		}
		val, err := b.bindExpr(&tree.BinaryExpr{Op: op, Left: left, Right: raw}, sc)
		if err != nil {
			return fr, pgerror.New(pgerror.CodeFeatureNotSupported, "RANGE with offset PRECEDING/FOLLOWING is not supported for column type %s", keyT).WithPosition(rawPos)
		}
		if !isInt {
			if val, err = b.coerce(val, keyT, types.CastAssignment, "RANGE"); err != nil {
				return fr, err
			}
		}
		bd.Offset, bd.Value = off, val
	}
	return fr, nil
}

// rawOffset carries a frame offset's syntax between parseBound and
// bindFrame.
type rawOffset struct {
	e   tree.Expr
	pos int
}

func isFrameSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (*rawOffset) Type() *types.T { return types.Unknown }

// parseBound parses one frame bound's text, which starts at pos.
func parseBound(s string, pos int) (FrameBound, error) {
	low := strings.Join(strings.Fields(strings.ToLower(s)), " ")
	switch low {
	case "unbounded preceding":
		return FrameBound{Kind: BoundUnboundedPreceding}, nil
	case "unbounded following":
		return FrameBound{Kind: BoundUnboundedFollowing}, nil
	case "current row":
		return FrameBound{Kind: BoundCurrentRow}, nil
	}
	kind := BoundPreceding
	s = strings.TrimSpace(s)
	cut := strings.LastIndexFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == ')' || r == '\'' })
	word := strings.ToLower(s[cut+1:])
	switch word {
	case "preceding":
	case "following":
		kind = BoundFollowing
	default:
		return FrameBound{}, pgerror.New(pgerror.CodeSyntaxError, "syntax error at or near \"%s\"", s[cut+1:]).WithPosition(pos + cut + 1)
	}
	e, err := pgdialect.ParseExpr(s[:cut+1])
	if err != nil {
		return FrameBound{}, err
	}
	return FrameBound{Kind: kind, Offset: &rawOffset{e: e, pos: pos}}, nil
}

// finishWindows rewrites WindowRefs into columns after base input columns
// and wraps input in the WindowNode; fix, when set, rewrites the window
// functions' expressions first (an aggregating query's group references).
func finishWindows(ws *winState, input Plan, base []Column, exprs []Expr, fix func(Expr) (Expr, error)) (Plan, []Expr, error) {
	if ws == nil || len(ws.funcs) == 0 {
		return input, exprs, nil
	}
	w := &WindowNode{Input: input, Specs: ws.specs, Funcs: ws.funcs, Cols: append([]Column(nil), base...)}
	if fix != nil {
		var err error
		fixAll := func(xs []Expr) {
			for i := range xs {
				if err == nil && xs[i] != nil {
					xs[i], err = fix(xs[i])
				}
			}
		}
		for i := range w.Specs {
			fixAll(w.Specs[i].Partition)
			for k := range w.Specs[i].Order {
				if err == nil {
					w.Specs[i].Order[k].Expr, err = fix(w.Specs[i].Order[k].Expr)
				}
			}
		}
		for i := range w.Funcs {
			f := &w.Funcs[i]
			fixAll(f.Args)
			if f.Agg != nil {
				f.Agg.Args = f.Args
				if f.Agg.Filter != nil && err == nil {
					f.Agg.Filter, err = fix(f.Agg.Filter)
				}
			}
			if f.Frame.Start.Value != nil && err == nil {
				f.Frame.Start.Value, err = fix(f.Frame.Start.Value)
			}
			if f.Frame.End.Value != nil && err == nil {
				f.Frame.End.Value, err = fix(f.Frame.End.Value)
			}
		}
		if err != nil {
			return nil, nil, err
		}
	}
	for _, f := range ws.funcs {
		w.Cols = append(w.Cols, Column{Name: f.Name, T: f.T})
	}
	var rewrite func(Expr) Expr
	rewrite = func(x Expr) Expr {
		if r, ok := x.(*WindowRef); ok {
			return &ColRef{Idx: len(base) + r.Idx, T: r.T}
		}
		return mapChildren(x, rewrite)
	}
	out := make([]Expr, len(exprs))
	for i, x := range exprs {
		out[i] = rewrite(x)
	}
	return w, out, nil
}

// finishWindowsBelow is finishWindows for a select list with set-returning
// functions: as in PostgreSQL, window functions see the rows before the
// functions expand them, so the WindowNode goes under the ProjectSet and
// the set-returning columns move after the window columns.
func finishWindowsBelow(ws *winState, ps *ProjectSet, exprs []Expr) (Plan, []Expr, error) {
	if ws == nil || len(ws.funcs) == 0 {
		return ps, exprs, nil
	}
	base := ps.Input.Columns()
	nb, nw := len(base), len(ws.funcs)
	var shift func(Expr) Expr
	shift = func(x Expr) Expr {
		if r, ok := x.(*ColRef); ok && r.Idx >= nb {
			return &ColRef{Idx: r.Idx + nw, T: r.T}
		}
		return mapChildren(x, shift)
	}
	shifted := make([]Expr, len(exprs))
	for i, x := range exprs {
		shifted[i] = shift(x)
	}
	w, out, err := finishWindows(ws, ps.Input, base, shifted, nil)
	if err != nil {
		return nil, nil, err
	}
	return &ProjectSet{Input: w, Funcs: ps.Funcs, Cols: append(append([]Column(nil), w.Columns()...), ps.Cols[nb:]...)}, out, nil
}

// orderNullsFirst is where an ORDER BY item puts NULLs: first when
// descending unless NULLS FIRST/LAST says otherwise.
func orderNullsFirst(it tree.OrderItem) bool {
	switch it.Nulls {
	case "first":
		return true
	case "last":
		return false
	}
	return it.Desc
}
