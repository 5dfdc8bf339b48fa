package executor

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/quiverdb/quiver/executor/pgcatalog"
	"github.com/quiverdb/quiver/index/hnsw"
	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// execCtx is the state one statement execution shares between its
// operators and compiled expressions.
type execCtx struct {
	ctx    context.Context
	txn    *storage.Txn
	sess   *Session
	eval   *builtins.EvalContext
	params []types.Datum
	// outer is the stack of enclosing rows seen by correlated subqueries.
	outer [][]types.Datum
	// ctes holds each WITH query's rows as far as they have been read;
	// work holds the rows a recursive query's work table has this round.
	ctes map[int]*cteBuffer
	work map[int][][]types.Datum
	// analyze collects per-node figures for EXPLAIN ANALYZE (nil otherwise).
	analyze map[planner.Plan]*nodeStats
	// virtual holds each virtual relation's rows once computed: they
	// cannot change within the statement, and a correlated subquery over
	// pg_catalog (pg_dump's queries have many) would otherwise compute
	// the whole relation again for every outer row.
	virtual map[*planner.VirtualTable][][]types.Datum
}

// rowIter is a physical operator: rows are pulled one at a time.
type rowIter interface {
	// Next returns the next row, or nil when exhausted.
	Next() ([]types.Datum, error)
	Close()
}

// build instantiates the operators for a plan.
func (ec *execCtx) build(p planner.Plan) (rowIter, error) {
	if ec.analyze == nil {
		return ec.buildNode(p)
	}
	// EXPLAIN ANALYZE: count each node's rows and time (its building, for
	// operators that consume their input up front, plus every Next).
	st := ec.analyze[p]
	if st == nil {
		st = &nodeStats{}
		ec.analyze[p] = st
	}
	st.loops++
	start := time.Now()
	it, err := ec.buildNode(p)
	st.elapsed += time.Since(start)
	if err != nil {
		return nil, err
	}
	return &measuredIter{in: it, st: st}, nil
}

// nodeStats is one plan node's EXPLAIN ANALYZE figures.
type nodeStats struct {
	rows, loops int64
	elapsed     time.Duration
	search      *hnsw.Stats // vector index scans
	prefilter   string      // vector index scans with a prefilter: the way taken
}

type measuredIter struct {
	in rowIter
	st *nodeStats
}

func (m *measuredIter) Next() ([]types.Datum, error) {
	start := time.Now()
	row, err := m.in.Next()
	m.st.elapsed += time.Since(start)
	if row != nil {
		m.st.rows++
	}
	return row, err
}
func (m *measuredIter) Close() { m.in.Close() }

func (ec *execCtx) buildNode(p planner.Plan) (rowIter, error) {
	switch n := p.(type) {
	case *planner.Scan:
		if err := ec.checkPopulated(n.Table); err != nil {
			return nil, err
		}
		return ec.buildScan(n)
	case *planner.IndexScan:
		if err := ec.checkPopulated(n.Table); err != nil {
			return nil, err
		}
		return ec.buildIndexScan(n)
	case *planner.VectorScan:
		if err := ec.checkPopulated(n.Table); err != nil {
			return nil, err
		}
		return ec.buildVectorScan(n)
	case *planner.ExactScan:
		if err := ec.checkPopulated(n.Scan.Table); err != nil {
			return nil, err
		}
		return ec.buildExactScan(n)
	case *planner.SequenceScan:
		last, called, err := ec.sess.eng.store.SequenceState(n.Seq)
		if err != nil {
			return nil, fmt.Errorf("reading sequence %s: %w", n.Seq.Name, err)
		}
		return &sliceIter{rows: [][]types.Datum{{types.DInt(last), types.DInt(0), types.DBool(called)}}}, nil
	case *planner.VirtualScan:
		rows, err := ec.virtualRows(n.Table)
		if err != nil {
			return nil, err
		}
		it, err := ec.filtered(&sliceIter{rows: rows}, n.Filter)
		if err != nil {
			return nil, err
		}
		return &copyingIter{in: it}, nil
	case *planner.ValuesNode:
		rows := make([][]evalFn, len(n.Rows))
		for i, r := range n.Rows {
			fs, err := ec.compileAll(r)
			if err != nil {
				return nil, err
			}
			rows[i] = fs
		}
		return &valuesIter{ec: ec, rows: rows}, nil
	case *planner.FuncScan:
		args, err := ec.compileAll(n.Args)
		if err != nil {
			return nil, err
		}
		return &funcScanIter{ec: ec, fn: n.Fn, args: args, ordinality: n.Ordinality}, nil
	case *planner.RowsFromScan:
		return ec.buildRowsFrom(n)
	case *planner.ProjectSet:
		return ec.buildProjectSet(n)
	case *planner.WindowNode:
		return ec.buildWindow(n)
	case *planner.Filter:
		in, err := ec.build(n.Input)
		if err != nil {
			return nil, err
		}
		cond, err := ec.compile(n.Cond)
		if err != nil {
			in.Close()
			return nil, err
		}
		return &filterIter{in: in, cond: cond}, nil
	case *planner.Project:
		in, err := ec.build(n.Input)
		if err != nil {
			return nil, err
		}
		exprs, err := ec.compileAll(n.Exprs)
		if err != nil {
			in.Close()
			return nil, err
		}
		return &projectIter{in: in, exprs: exprs}, nil
	case *planner.Join:
		return ec.buildJoin(n)
	case *planner.Aggregate:
		return ec.buildAggregate(n)
	case *planner.Sort:
		return ec.buildSort(n)
	case *planner.Limit:
		return ec.buildLimit(n)
	case *planner.LockRows:
		return ec.buildLockRows(n)
	case *planner.Distinct:
		in, err := ec.build(n.Input)
		if err != nil {
			return nil, err
		}
		typs := columnTypes(n.Input.Columns())
		if n.On != nil {
			on := make([]*types.T, len(n.On))
			for i, c := range n.On {
				on[i] = typs[c]
			}
			typs = on
		}
		return &distinctIter{in: in, on: n.On, seen: rowSet{typs: typs}}, nil
	case *planner.SetOpNode:
		return ec.buildSetOp(n)
	case *planner.WithNode:
		// Each evaluation of the query block computes its WITH queries
		// afresh: inside a correlated subquery or a LATERAL item they may
		// read the outer row, which changes between evaluations.
		ec.releaseCTEs(n.CTEs)
		in, err := ec.build(n.Input)
		if err != nil {
			return nil, err
		}
		return &withIter{rowIter: in, ec: ec, defs: n.CTEs}, nil
	case *planner.CTERef:
		if n.CTE.WorkTable {
			return &sliceIter{rows: ec.work[n.CTE.ID]}, nil
		}
		return &cteReader{ec: ec, def: n.CTE}, nil
	case *planner.RecursiveUnion:
		return &recursiveIter{ec: ec, n: n, seen: rowSet{typs: columnTypes(n.Cols)}}, nil
	case interface{ Unwrap() planner.Plan }:
		return ec.build(n.Unwrap())
	}
	return nil, pgerror.New(pgerror.CodeInternal, "no operator for plan node %T", p)
}

// A WITH query runs as far as its readers read, as in PostgreSQL: `WITH
// RECURSIVE t AS (... UNION ALL ... FROM t) SELECT * FROM t LIMIT 3`
// stops after three rows of a query that never ends, and a reader that
// stops early costs no more than it read. Every reference reads the same
// rows: the first to need a row computes it into the shared buffer.
type cteBuffer struct {
	it   rowIter // nil once exhausted or failed
	rows [][]types.Datum
	err  error
}

// cteReader is one reference's cursor over its query's buffer.
type cteReader struct {
	ec  *execCtx
	def *planner.CTEDef
	buf *cteBuffer
	pos int
}

func (r *cteReader) Next() ([]types.Datum, error) {
	if r.buf == nil {
		b, err := r.ec.cteBuffer(r.def)
		if err != nil {
			return nil, err
		}
		r.buf = b
	}
	b := r.buf
	if r.pos == len(b.rows) {
		if b.it == nil {
			return nil, b.err
		}
		row, err := b.it.Next()
		if err != nil || row == nil {
			b.it.Close()
			b.it, b.err = nil, err
			return nil, err
		}
		b.rows = append(b.rows, row)
	}
	r.pos++
	return b.rows[r.pos-1], nil
}

func (r *cteReader) Close() {}

func (ec *execCtx) cteBuffer(def *planner.CTEDef) (*cteBuffer, error) {
	if b, ok := ec.ctes[def.ID]; ok {
		return b, nil
	}
	it, err := ec.build(def.Plan)
	if err != nil {
		return nil, err
	}
	if ec.ctes == nil {
		ec.ctes = map[int]*cteBuffer{}
	}
	b := &cteBuffer{it: it}
	ec.ctes[def.ID] = b
	return b, nil
}

// withIter releases its WITH queries when closed.
type withIter struct {
	rowIter
	ec   *execCtx
	defs []*planner.CTEDef
}

func (w *withIter) Close() {
	w.rowIter.Close()
	w.ec.releaseCTEs(w.defs)
}

// releaseCTEs closes the iterators readers left open and forgets the
// buffered rows of the WITH queries defs (readers still open keep theirs).
func (ec *execCtx) releaseCTEs(defs []*planner.CTEDef) {
	for _, d := range defs {
		if b := ec.ctes[d.ID]; b != nil {
			if b.it != nil {
				b.it.Close()
				b.it = nil
			}
			delete(ec.ctes, d.ID)
		}
	}
}

// recursiveIter yields WITH RECURSIVE's rows as it computes them: the
// non-recursive term's, then rounds of the recursive term, each over the
// previous round's new rows (the work table), until a round adds none.
// A query that never stops adding rows runs until its reader stops or
// the statement is cancelled (statement_timeout, a cancel request), as in
// PostgreSQL.
type recursiveIter struct {
	ec        *execCtx
	n         *planner.RecursiveUnion
	cur       rowIter // the term being read; nil between terms
	started   bool    // the non-recursive term was begun
	round     [][]types.Datum
	seen      rowSet // rows produced so far, without All
	sinceTick int
}

func (r *recursiveIter) Next() ([]types.Datum, error) {
	for {
		if r.cur == nil {
			if err := r.next(); err != nil || r.cur == nil {
				return nil, err
			}
		}
		row, err := r.cur.Next()
		if err != nil {
			return nil, err
		}
		if row == nil {
			r.cur.Close()
			r.cur = nil
			continue
		}
		if r.sinceTick++; r.sinceTick&1023 == 0 {
			if err := r.ec.ctx.Err(); err != nil {
				return nil, canceled(err)
			}
		}
		if !r.n.All && !r.seen.add(row) {
			continue
		}
		r.round = append(r.round, row)
		return row, nil
	}
}

// next starts the next term: the non-recursive one first, then the
// recursive one over the rows the last term added (none: done).
func (r *recursiveIter) next() error {
	if err := r.ec.ctx.Err(); err != nil {
		return canceled(err)
	}
	plan := r.n.NonRecursive
	if r.started {
		if len(r.round) == 0 {
			return nil
		}
		if r.ec.work == nil {
			r.ec.work = map[int][][]types.Datum{}
		}
		r.ec.work[r.n.Work.ID] = r.round
		r.round = nil
		plan = r.n.Recursive
	}
	r.started = true
	it, err := r.ec.build(plan)
	if err != nil {
		return err
	}
	r.cur = it
	return nil
}

func (r *recursiveIter) Close() {
	if r.cur != nil {
		r.cur.Close()
		r.cur = nil
	}
	delete(r.ec.work, r.n.Work.ID)
}

// drain runs a plan to completion.
func (ec *execCtx) drain(p planner.Plan) ([][]types.Datum, error) {
	it, err := ec.build(p)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var rows [][]types.Datum
	for {
		r, err := it.Next()
		if err != nil {
			return nil, err
		}
		if r == nil {
			return rows, nil
		}
		rows = append(rows, r)
	}
}

// ---- scans ----

func (ec *execCtx) bounds(es []planner.Expr) ([]types.Datum, bool, error) {
	vals := make([]types.Datum, len(es))
	for i, e := range es {
		f, err := ec.compile(e)
		if err != nil {
			return nil, false, err
		}
		v, err := f(nil)
		if err != nil {
			return nil, false, err
		}
		if types.IsNull(v) {
			return nil, true, nil
		}
		vals[i] = v
	}
	return vals, false, nil
}

// span evaluates a scan's key bounds; empty reports a bound compared
// with NULL, which matches no row.
func (ec *execCtx) span(lower, upper []planner.Expr, lowerIncl, upperIncl bool) (span storage.Span, empty bool, err error) {
	if len(lower) > 0 {
		vals, isNull, err := ec.bounds(lower)
		if err != nil || isNull {
			return span, isNull, err
		}
		span.Start = &storage.Bound{Values: vals, Inclusive: lowerIncl}
	}
	if len(upper) > 0 {
		vals, isNull, err := ec.bounds(upper)
		if err != nil || isNull {
			return span, isNull, err
		}
		span.End = &storage.Bound{Values: vals, Inclusive: upperIncl}
	}
	return span, false, nil
}

func (ec *execCtx) buildScan(n *planner.Scan) (rowIter, error) {
	span, empty, err := ec.span(n.Lower, n.Upper, n.LowerIncl, n.UpperIncl)
	if err != nil || empty {
		return &sliceIter{}, err
	}
	it, err := ec.txn.ScanTable(ec.ctx, n.Table, span, n.Reverse)
	if err != nil {
		return nil, err
	}
	return ec.filtered(storageIter{it}, n.Filter)
}

func (ec *execCtx) buildIndexScan(n *planner.IndexScan) (rowIter, error) {
	span, empty, err := ec.span(n.Lower, n.Upper, n.LowerIncl, n.UpperIncl)
	if err != nil || empty {
		return &sliceIter{}, err
	}
	it, err := ec.txn.ScanIndex(ec.ctx, n.Table, n.Index, span, false)
	if err != nil {
		return nil, err
	}
	return ec.filtered(storageIter{it}, n.Filter)
}

// filtered wraps an input in a filter when there is a condition.
func (ec *execCtx) filtered(in rowIter, filter planner.Expr) (rowIter, error) {
	if filter != nil {
		cond, err := ec.compile(filter)
		if err != nil {
			in.Close()
			return nil, err
		}
		in = &filterIter{in: in, cond: cond}
	}
	return in, nil
}

type storageIter struct{ it storage.RowIterator }

func (s storageIter) Next() ([]types.Datum, error) { return s.it.Next() }
func (s storageIter) Close()                       { s.it.Close() }

type sliceIter struct {
	rows [][]types.Datum
	i    int
}

func (s *sliceIter) Next() ([]types.Datum, error) {
	if s.i >= len(s.rows) {
		return nil, nil
	}
	s.i++
	return s.rows[s.i-1], nil
}
func (s *sliceIter) Close() {}

// virtualRows computes a virtual relation's rows once per statement.
func (ec *execCtx) virtualRows(vt *planner.VirtualTable) ([][]types.Datum, error) {
	if rows, ok := ec.virtual[vt]; ok {
		return rows, nil
	}
	cat, err := ec.txn.Catalog()
	if err != nil {
		return nil, err
	}
	rows, err := pgcatalog.Rows(vt, ec.sess.catalogContext(cat))
	if err != nil {
		return nil, err
	}
	if ec.virtual == nil {
		ec.virtual = map[*planner.VirtualTable][][]types.Datum{}
	}
	ec.virtual[vt] = rows
	return rows, nil
}

// copyingIter yields copies of its input's rows, so that operators that
// rewrite a row in place (regclass naming) leave shared rows intact.
type copyingIter struct {
	in rowIter
}

func (s *copyingIter) Next() ([]types.Datum, error) {
	row, err := s.in.Next()
	if row == nil || err != nil {
		return row, err
	}
	return append([]types.Datum(nil), row...), nil
}
func (s *copyingIter) Close() { s.in.Close() }

type valuesIter struct {
	ec   *execCtx
	rows [][]evalFn
	i    int
}

func (v *valuesIter) Next() ([]types.Datum, error) {
	if v.i >= len(v.rows) {
		return nil, nil
	}
	fs := v.rows[v.i]
	v.i++
	out := make([]types.Datum, len(fs))
	for j, f := range fs {
		d, err := f(nil)
		if err != nil {
			return nil, err
		}
		out[j] = d
	}
	return out, nil
}
func (v *valuesIter) Close() {}

type funcScanIter struct {
	ec         *execCtx
	fn         *builtins.SRFOverload
	args       []evalFn
	ordinality bool
	gen        func() ([]types.Datum, bool, error)
	n          int64
	done       bool
}

// nullRow is a strict record function's one row for a NULL argument.
func (f *funcScanIter) nullRow() []types.Datum {
	row := make([]types.Datum, len(f.fn.Columns))
	for i := range row {
		row[i] = types.Null
	}
	if f.ordinality {
		row = append(row, types.DInt(1))
	}
	return row
}

func (f *funcScanIter) Next() ([]types.Datum, error) {
	if f.done {
		return nil, nil
	}
	if f.gen == nil {
		vals := make([]types.Datum, len(f.args))
		for i, a := range f.args {
			v, err := a(nil)
			if err != nil {
				return nil, err
			}
			if types.IsNull(v) {
				f.done = true
				if f.fn.SingleRow {
					return f.nullRow(), nil
				}
				return nil, nil
			}
			vals[i] = v
		}
		gen, err := f.fn.Fn(f.ec.eval, vals)
		if err != nil {
			return nil, err
		}
		f.gen = gen
	}
	if f.n&1023 == 0 {
		if err := f.ec.ctx.Err(); err != nil {
			return nil, canceled(err)
		}
	}
	row, done, err := f.gen()
	if err != nil {
		return nil, err
	}
	if done {
		f.done = true
		return nil, nil
	}
	f.n++
	if f.ordinality {
		row = append(row, types.DInt(f.n))
	}
	return row, nil
}
func (f *funcScanIter) Close() {}

// canceled reports a cancelled context as PostgreSQL does.
func canceled(err error) error {
	if err == context.DeadlineExceeded {
		return pgerror.New(pgerror.CodeQueryCanceled, "canceling statement due to statement timeout")
	}
	return pgerror.New(pgerror.CodeQueryCanceled, "canceling statement due to user request")
}

// ---- row-at-a-time operators ----

type filterIter struct {
	in   rowIter
	cond evalFn
}

func (f *filterIter) Next() ([]types.Datum, error) {
	for {
		row, err := f.in.Next()
		if err != nil || row == nil {
			return nil, err
		}
		v, err := f.cond(row)
		if err != nil {
			return nil, err
		}
		if isTrue(v) {
			return row, nil
		}
	}
}
func (f *filterIter) Close() { f.in.Close() }

// datumSlab carves fixed-width rows out of shared arrays, so an operator
// that makes many rows allocates once per batch of them rather than once
// per row. Batches start small (a LIMIT 10 query makes few rows) and
// double up to maxSlabRows. Each row is capped at its width, so appending
// to one never reaches the next.
type datumSlab struct {
	buf  []types.Datum
	rows int // rows in the last batch
}

const maxSlabRows = 64

// row returns a zeroed row of width datums, never nil (a nil row ends an
// iteration, and SELECT FROM t makes rows of no columns).
func (s *datumSlab) row(width int) []types.Datum {
	if width == 0 {
		return []types.Datum{}
	}
	if len(s.buf) < width {
		s.rows = min(max(4, 2*s.rows), maxSlabRows)
		s.buf = make([]types.Datum, width*s.rows)
	}
	r := s.buf[:width:width]
	s.buf = s.buf[width:]
	return r
}

// reserve makes the next rows datums come from one array of that size.
func (s *datumSlab) reserve(datums int) {
	if len(s.buf) < datums {
		s.buf = make([]types.Datum, datums)
	}
}

type projectIter struct {
	in    rowIter
	exprs []evalFn
	slab  datumSlab
}

func (p *projectIter) Next() ([]types.Datum, error) {
	row, err := p.in.Next()
	if err != nil || row == nil {
		return nil, err
	}
	out := p.slab.row(len(p.exprs))
	for i, e := range p.exprs {
		if out[i], err = e(row); err != nil {
			return nil, err
		}
	}
	return out, nil
}
func (p *projectIter) Close() { p.in.Close() }

type limitIter struct {
	in            rowIter
	count, offset int64 // count < 0: no limit
	seen          int64
	// tieKeys (WITH TIES) extend the limit over rows equal to last on them
	tieKeys  []sortKey
	last     []types.Datum
	tiesDone bool
}

func (ec *execCtx) buildLimit(n *planner.Limit) (rowIter, error) {
	count, offset := int64(-1), int64(0)
	for _, x := range []struct {
		e   planner.Expr
		dst *int64
		hdr string
	}{{n.Count, &count, "LIMIT"}, {n.Offset, &offset, "OFFSET"}} {
		if x.e == nil {
			continue
		}
		f, err := ec.compile(x.e)
		if err != nil {
			return nil, err
		}
		v, err := f(nil)
		if err != nil {
			return nil, err
		}
		if types.IsNull(v) {
			continue
		}
		k := int64(v.(types.DInt))
		if k < 0 {
			if x.hdr == "LIMIT" {
				return nil, pgerror.New("2201W", "LIMIT must not be negative")
			}
			return nil, pgerror.New("2201X", "OFFSET must not be negative")
		}
		*x.dst = k
	}
	if count == 0 {
		return &sliceIter{}, nil
	}
	in, err := ec.build(n.Input)
	if err != nil {
		return nil, err
	}
	li := &limitIter{in: in, count: count, offset: offset}
	for _, k := range n.TieKeys {
		f, err := ec.compile(k.Expr)
		if err != nil {
			in.Close()
			return nil, err
		}
		li.tieKeys = append(li.tieKeys, sortKey{f: f, t: k.Expr.Type(), desc: k.Desc, nullsFirst: k.NullsFirst})
	}
	return li, nil
}

// tieKeyValues evaluates the WITH TIES keys over row.
func (l *limitIter) tieKeyValues(row []types.Datum) ([]types.Datum, error) {
	vals := make([]types.Datum, len(l.tieKeys))
	for i, k := range l.tieKeys {
		v, err := k.f(row)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	return vals, nil
}

func (l *limitIter) Next() ([]types.Datum, error) {
	for l.offset > 0 {
		row, err := l.in.Next()
		if err != nil || row == nil {
			return nil, err
		}
		l.offset--
	}
	if l.count >= 0 && l.seen >= l.count {
		if l.tieKeys == nil || l.last == nil || l.tiesDone {
			return nil, nil
		}
		row, err := l.in.Next()
		if err != nil || row == nil {
			return nil, err
		}
		vals, err := l.tieKeyValues(row)
		if err != nil {
			return nil, err
		}
		if compareKeys(l.tieKeys, l.last, vals) != 0 {
			l.tiesDone = true
			return nil, nil
		}
		return row, nil
	}
	row, err := l.in.Next()
	if err != nil || row == nil {
		return nil, err
	}
	l.seen++
	if l.tieKeys != nil && l.seen == l.count {
		if l.last, err = l.tieKeyValues(row); err != nil {
			return nil, err
		}
	}
	return row, nil
}
func (l *limitIter) Close() { l.in.Close() }

// rowSet is a set of rows by value (DISTINCT, UNION): add reports
// whether a row was new.
type rowSet struct {
	seen map[string]struct{}
	buf  []byte
	typs []*types.T // the rows' column types, for appendRowKey
}

func (s *rowSet) add(row []types.Datum) bool {
	if s.seen == nil {
		s.seen = map[string]struct{}{}
	}
	s.buf = appendRowKey(s.buf[:0], row, s.typs)
	if _, dup := s.seen[string(s.buf)]; dup {
		return false
	}
	s.seen[string(s.buf)] = struct{}{}
	return true
}

type distinctIter struct {
	in   rowIter
	seen rowSet
	on   []int // DISTINCT ON's columns: the first row of each key is kept
	key  []types.Datum
}

func (d *distinctIter) Next() ([]types.Datum, error) {
	for {
		row, err := d.in.Next()
		if err != nil || row == nil {
			return nil, err
		}
		key := row
		if d.on != nil {
			d.key = d.key[:0]
			for _, c := range d.on {
				d.key = append(d.key, row[c])
			}
			key = d.key
		}
		if d.seen.add(key) {
			return row, nil
		}
	}
}
func (d *distinctIter) Close() { d.in.Close() }

// ---- sort ----

type sortKey struct {
	f          evalFn
	t          *types.T
	desc       bool
	nullsFirst bool
}

type sortedRow struct {
	row  []types.Datum
	keys []types.Datum
	// seq is the row's input position: rows with equal keys keep their
	// input order, with or without a LIMIT (a heap alone would not).
	seq int64
}

// sortsBefore orders rows by their keys, then by input position.
func sortsBefore(keys []sortKey, a, b *sortedRow) bool {
	if c := compareKeys(keys, a.keys, b.keys); c != 0 {
		return c < 0
	}
	return a.seq < b.seq
}

func compareKeys(keys []sortKey, a, b []types.Datum) int {
	for i, k := range keys {
		x, y := a[i], b[i]
		xn, yn := types.IsNull(x), types.IsNull(y)
		var c int
		switch {
		case xn && yn:
			c = 0
		case xn:
			if k.nullsFirst {
				return -1
			}
			return 1
		case yn:
			if k.nullsFirst {
				return 1
			}
			return -1
		default:
			c = types.Compare(k.t, x, y)
			if k.desc {
				c = -c
			}
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// rowHeap keeps the best rows of a top-k sort; the worst kept row is on top.
type rowHeap struct {
	keys []sortKey
	rows []sortedRow
}

func (h *rowHeap) Len() int { return len(h.rows) }
func (h *rowHeap) Less(i, j int) bool {
	return sortsBefore(h.keys, &h.rows[j], &h.rows[i])
}
func (h *rowHeap) Swap(i, j int) { h.rows[i], h.rows[j] = h.rows[j], h.rows[i] }
func (h *rowHeap) Push(x any)    { h.rows = append(h.rows, x.(sortedRow)) }
func (h *rowHeap) Pop() any {
	x := h.rows[len(h.rows)-1]
	h.rows = h.rows[:len(h.rows)-1]
	return x
}

func (ec *execCtx) buildSort(n *planner.Sort) (rowIter, error) {
	keys := make([]sortKey, len(n.Keys))
	for i, k := range n.Keys {
		f, err := ec.compile(k.Expr)
		if err != nil {
			return nil, err
		}
		keys[i] = sortKey{f: f, t: k.Expr.Type(), desc: k.Desc, nullsFirst: k.NullsFirst}
	}
	limit := int64(-1)
	if n.TopK != nil {
		f, err := ec.compile(n.TopK)
		if err != nil {
			return nil, err
		}
		v, err := f(nil)
		if err != nil {
			return nil, err
		}
		if !types.IsNull(v) && v.(types.DInt) >= 0 {
			limit = int64(v.(types.DInt))
		}
	}
	in, err := ec.build(n.Input)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	h := &rowHeap{keys: keys}
	if limit > 0 {
		// A top-k heap holds at most k rows: sized once.
		h.rows = make([]sortedRow, 0, min(limit, 1024))
	}
	var slab datumSlab
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
		kv := slab.row(len(keys))
		for i, k := range keys {
			if kv[i], err = k.f(row); err != nil {
				return nil, err
			}
		}
		sr := sortedRow{row: row, keys: kv, seq: seq}
		if limit < 0 {
			h.rows = append(h.rows, sr)
			continue
		}
		if int64(len(h.rows)) < limit {
			// Append and fix rather than heap.Push, which boxes the row.
			h.rows = append(h.rows, sr)
			heap.Fix(h, len(h.rows)-1)
		} else if limit > 0 && compareKeys(keys, kv, h.rows[0].keys) < 0 {
			h.rows[0] = sr
			heap.Fix(h, 0)
		}
	}
	rows := h.rows
	slices.SortFunc(rows, func(a, b sortedRow) int {
		if c := compareKeys(keys, a.keys, b.keys); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	out := make([][]types.Datum, len(rows))
	for i, r := range rows {
		out[i] = r.row
	}
	return &sliceIter{rows: out}, nil
}

// ---- set operations ----

func (ec *execCtx) buildSetOp(n *planner.SetOpNode) (rowIter, error) {
	left, err := ec.drain(n.Left)
	if err != nil {
		return nil, err
	}
	right, err := ec.drain(n.Right)
	if err != nil {
		return nil, err
	}
	var out [][]types.Datum
	var buf []byte
	typs := columnTypes(n.Cols)
	key := func(r []types.Datum) string {
		buf = appendRowKey(buf[:0], r, typs)
		return string(buf)
	}
	switch n.Op {
	case "union":
		if n.All {
			return &sliceIter{rows: append(left, right...)}, nil
		}
		seen := rowSet{typs: typs}
		for _, r := range append(left, right...) {
			if seen.add(r) {
				out = append(out, r)
			}
		}
	case "intersect", "except":
		counts := map[string]int{}
		for _, r := range right {
			counts[key(r)]++
		}
		emitted := map[string]bool{}
		for _, r := range left {
			k := key(r)
			inRight := counts[k] > 0
			keep := inRight == (n.Op == "intersect")
			if n.All {
				if inRight {
					counts[k]--
				}
				if keep {
					out = append(out, r)
				}
				continue
			}
			if keep && !emitted[k] {
				emitted[k] = true
				out = append(out, r)
			}
		}
	}
	return &sliceIter{rows: out}, nil
}
