package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"strings"

	"github.com/dgraph-io/badger/v4"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage/keys"
)

// Txn is a snapshot transaction. It is not safe for concurrent use.
type Txn struct {
	e      *Engine
	id     int64 // txid_current's answer once asked (ID)
	btx    *badger.Txn
	readTs uint64
	// writes holds fingerprints of every key written, for the write-write
	// conflict check at commit.
	writes map[uint64]struct{}
	deps   map[uint64]struct{}
	buf    map[string]wentry
	// order lists buf's keys in first-write order (plus keys a savepoint
	// rollback removed since), so sorted() need not walk the map: bulk
	// loads write keys in ascending order, which sorts in linear time.
	order     []string
	sortedBuf *sortedWrites
	// lastDep is the table dependOn last recorded (one fingerprint per
	// table, not per row); marks are the tableRowsMark fingerprints of
	// the tables whose rows the transaction wrote.
	lastDep catalog.ID
	marks   map[uint64]struct{}
	// bufBytes estimates the buffer's memory; past spillAt (0: never) the
	// buffer moves to the spill area, whose spilled keys' fingerprints are
	// spilledFps (sorted runs).
	bufBytes   int64
	spillAt    int64
	spill      *spillArea
	spilledFps [][]uint64
	// arena holds the buffered keys and values; rowScratch is reused to
	// encode rows before they are copied there.
	arena      arena
	rowScratch []byte
	stats      Stats
	cat        *Catalog
	catWritten bool
	drops      []catalog.ID
	// rowidTables are the tables this transaction inserted rows into
	// under fresh hidden row ids. No query names a hidden row id, so a
	// bulk commit keeps such rows out of the row cache (pgbench -i's COPY
	// filled it with rows its ADD PRIMARY KEY rewrote at once).
	rowidTables map[catalog.ID]struct{}
	iters       []*rowIter
	finished    bool
	closedErr   bool
	// undo records the buffer entries writes replaced while a savepoint
	// is open, so ROLLBACK TO can put them back.
	undo      []undoEntry
	savepoint int // open savepoints
	// observer sees row writes of tables with vector indexes and the
	// transaction's outcome.
	observer WriteObserver
	// beforeCommit runs at the start of Commit (deferred constraint
	// checks); an error rolls the transaction back.
	beforeCommit []func(context.Context) error
	// locked are the row keys this transaction holds locks on (rowlocks.go);
	// ended is closed when it ends and releases them.
	locked []uint64
	ended  chan struct{}
	// refs are the rows its foreign key checks locked FOR KEY SHARE
	// (LockReferencedRow), which its commit records: a transaction whose
	// snapshot misses that commit must not delete them.
	refs map[uint64]struct{}
	// earlier are the snapshots NewSnapshot replaced that are still held:
	// the first one's timestamp, and any an open iterator (a cursor)
	// reads. Non-empty once NewSnapshot moved the reads.
	earlier []pastSnapshot
	// startTs is the first snapshot's timestamp: schema dependencies are
	// checked against it at commit.
	startTs uint64
	// lateWrites are the keys first written under a snapshot NewSnapshot
	// took, with its timestamp; freshLocks the row keys locked before the
	// transaction wrote them (commitCheck).
	lateWrites []lateWrite
	freshLocks []uint64
}

type lateWrite struct {
	fp, ts uint64
}

type pastSnapshot struct {
	btx *badger.Txn
	ts  uint64
}

// NewSnapshot moves the transaction's reads to a snapshot taken now, as
// READ COMMITTED takes one per statement; its own writes stay visible
// over it. Call it between statements.
func (t *Txn) NewSnapshot() {
	if t.finished || t.closedErr {
		return
	}
	e := t.e
	e.mu.Lock()
	ts := e.visible
	if ts == t.readTs {
		e.mu.Unlock()
		return
	}
	e.active[ts]++
	e.mu.Unlock()
	// A snapshot no open iterator (cursor) reads is let go at once, so a
	// long transaction of many statements holds few; the first one's
	// timestamp stays registered, as the commit check needs the commits
	// after it kept (commitCheck).
	past := pastSnapshot{btx: t.btx, ts: t.readTs}
	if !t.readingIters() {
		t.btx.Discard()
		past.btx = nil
		if t.readTs != t.startTs {
			e.release(t.readTs)
			past.ts = 0
		}
	}
	if past.btx != nil || past.ts != 0 {
		t.earlier = append(t.earlier, past)
	}
	t.btx = e.db.NewTransactionAt(ts, false)
	t.readTs = ts
	if !t.catWritten {
		t.cat = nil // a newer schema may be visible now
	}
}

// endSnapshots discards the snapshots NewSnapshot replaced.
func (t *Txn) endSnapshots() {
	for _, p := range t.earlier {
		if p.btx != nil {
			p.btx.Discard()
		}
		if p.ts != 0 {
			t.e.release(p.ts)
		}
	}
	t.earlier = nil
}

// readingIters reports whether an iterator of the transaction is open.
func (t *Txn) readingIters() bool {
	for _, r := range t.iters {
		if r.it != nil {
			return true
		}
	}
	return false
}

func (t *Txn) usable() error {
	switch {
	case t.closedErr:
		return errors.New("storage: engine is closed")
	case t.finished:
		return errors.New("storage: transaction already finished")
	}
	return nil
}

func (t *Txn) fingerprint(key []byte) uint64 { return maphash.Bytes(t.e.seed, key) }

// noteWrite records key for the write-write conflict check. The set is
// made on the first write, so read-only transactions allocate none.
func (t *Txn) noteWrite(key []byte) {
	if t.writes == nil {
		t.writes = map[uint64]struct{}{}
	}
	fp := t.fingerprint(key)
	if len(t.earlier) > 0 && !t.conflictKeys().has(fp) {
		// First written under a later snapshot: commits that snapshot
		// includes were seen, not raced (commitCheck).
		t.lateWrites = append(t.lateWrites, lateWrite{fp: fp, ts: t.readTs})
	}
	t.writes[fp] = struct{}{}
}

func (t *Txn) set(key, val []byte) error {
	if err := t.usable(); err != nil {
		return err
	}
	return t.put(key, wentry{val: t.arena.bytes(val)})
}

func (t *Txn) put(key []byte, e wentry) error {
	t.remember(key)
	n := len(t.buf)
	k := t.arena.str(key)
	if t.buf == nil {
		t.buf = map[string]wentry{}
	}
	t.buf[k] = e
	t.bufBytes += int64(len(e.val))
	if len(t.buf) > n {
		t.order = append(t.order, k)
		t.bufBytes += int64(len(k) + bufEntryOverhead)
	}
	t.sortedBuf = nil
	t.noteWrite(key)
	if t.spillAt > 0 && t.bufBytes >= t.spillAt {
		return t.spillWrites()
	}
	return nil
}

func (t *Txn) del(key []byte) error {
	if err := t.usable(); err != nil {
		return err
	}
	return t.put(key, wentry{del: true})
}

// writeErr reports Badger's per-batch size limit (only reachable by a
// single oversized value) as PostgreSQL's program_limit_exceeded.
func writeErr(err error) error {
	if errors.Is(err, badger.ErrTxnTooBig) {
		e := pgerror.New(pgerror.CodeProgramLimitExceeded, "transaction too large")
		e.Detail = "The transaction wrote more data than one storage batch holds."
		e.Hint = "Split the work into several smaller transactions."
		return e
	}
	return fmt.Errorf("storage: write: %w", err)
}

// get reads key at the snapshot plus own writes; nil when absent.
func (t *Txn) get(key []byte) ([]byte, error) {
	return t.getShared(key, false)
}

// getShared is get with lookupShared's shared.
func (t *Txn) getShared(key []byte, shared bool) ([]byte, error) {
	v, ok, err := t.lookupShared(key, shared)
	if err != nil || !ok {
		return nil, err
	}
	t.stats.KeysRead++
	return v, nil
}

func (t *Txn) exists(key []byte) (bool, error) {
	_, ok, err := t.lookupShared(key, true)
	if ok {
		t.stats.KeysRead++
	}
	return ok, err
}

// BeforeCommit registers fn to run when Commit starts, while the
// transaction can still read and write (PostgreSQL's deferred constraint
// checks run there). An error from fn rolls the transaction back and is
// what Commit returns.
func (t *Txn) BeforeCommit(fn func(context.Context) error) {
	t.beforeCommit = append(t.beforeCommit, fn)
}

// Commit makes the writes durable and visible atomically. A write-write
// conflict with a transaction that committed after this one's snapshot is
// SQLSTATE 40001.
func (t *Txn) Commit(ctx context.Context) error {
	if err := t.usable(); err != nil {
		if t.closedErr {
			return err
		}
		return nil
	}
	for len(t.beforeCommit) > 0 {
		fn := t.beforeCommit[0]
		t.beforeCommit = t.beforeCommit[1:]
		if err := fn(ctx); err != nil {
			t.Rollback()
			return err
		}
	}
	t.closeIters()
	t.finished = true
	defer t.e.release(t.readTs)
	defer t.endSnapshots()
	// Deferred last, so it runs first, after the commit made the writes
	// visible: a waiter that wakes finds them.
	defer t.releaseLocks()
	if len(t.writes) == 0 && len(t.spilledFps) == 0 && len(t.refs) == 0 {
		t.btx.Discard()
		if t.observer != nil {
			t.observer.Aborted() // nothing was written
		}
		return nil
	}
	t.btx.Discard()
	err := t.e.commitTxn(t)
	t.endSpill()
	if err != nil {
		if t.observer != nil {
			t.observer.Aborted()
		}
		return err
	}
	for _, id := range t.drops {
		if err := t.e.dropTableData(id); err != nil {
			// The drop committed; the marker makes the next Open retry.
			t.e.log.Warn("storage: deferred table data removal failed", "table", id, "err", err)
		}
	}
	return nil
}

// Rollback discards the transaction; safe after Commit.
func (t *Txn) Rollback() {
	if t.finished || t.closedErr {
		return
	}
	t.closeIters()
	t.finished = true
	t.btx.Discard()
	t.endSpill()
	t.endSnapshots()
	t.e.release(t.readTs)
	t.releaseLocks()
	if t.observer != nil {
		t.observer.Aborted()
	}
}

func (t *Txn) closeIters() {
	for _, it := range t.iters {
		it.Close()
	}
	t.iters = nil
}

// Stats returns this transaction's counters.
func (t *Txn) Stats() Stats { return t.stats }

// ResetStats zeroes the counters (per-statement accounting inside an
// explicit transaction block).
func (t *Txn) ResetStats() { t.stats = Stats{} }

// ID is the transaction's id (txid_current), allocated from the engine's
// persistent counter the first time it is asked for, so transactions that
// never ask pay nothing.
func (t *Txn) ID(ctx context.Context) (int64, error) {
	if t.id == 0 {
		id, err := t.e.AllocateTxnID(ctx)
		if err != nil {
			return 0, fmt.Errorf("allocate transaction id: %w", err)
		}
		t.id = id
	}
	return t.id, nil
}

// ReadTs is the snapshot timestamp (for diagnostics and tests).
func (t *Txn) ReadTs() uint64 { return t.readTs }

// pkName is the primary key constraint name PostgreSQL would choose.
func pkName(tb *catalog.Table) string {
	if tb.PrimaryKeyName != "" {
		return tb.PrimaryKeyName
	}
	return tb.Name + "_pkey"
}

// encodeCols appends the key encoding of row's values at ordinals cols.
func encodeCols(buf []byte, tb *catalog.Table, row []types.Datum, cols []int, desc []bool) ([]byte, error) {
	var err error
	for i, c := range cols {
		if c < 0 || c >= len(row) {
			return nil, fmt.Errorf("storage: key column %d out of range for table %q", c, tb.Name)
		}
		d := i < len(desc) && desc[i]
		if buf, err = keys.Encode(buf, coerceKey(tb.Columns[c].Type, row[c]), d); err != nil {
			return nil, fmt.Errorf("storage: table %q: %w", tb.Name, err)
		}
	}
	return buf, nil
}

// coerceKey converts a bound of another numeric kind to the column's kind
// where that is exact, and lowers citext, so keys of one column always
// share one encoding and values equal under the column's type encode alike.
func coerceKey(t *types.T, d types.Datum) types.Datum {
	if t == nil {
		return d
	}
	switch t.Family {
	case types.FamCitext:
		// Case variants must share one key: a unique index then refuses
		// 'Foo' beside 'foo', and WHERE c = 'FOO' seeks the same bytes.
		// The row keeps the value as spelled.
		if v, ok := d.(types.DString); ok {
			return types.DString(types.CitextFold(string(v)))
		}
	case types.FamFloat4, types.FamFloat8:
		if v, ok := d.(types.DInt); ok {
			return types.DFloat(float64(v))
		}
	case types.FamNumeric:
		switch v := d.(type) {
		case types.DInt:
			dd := &types.DDecimal{}
			dd.SetInt64(int64(v))
			return dd
		case types.DFloat:
			dd := &types.DDecimal{}
			if _, err := dd.SetFloat64(float64(v)); err == nil {
				return dd
			}
		}
	}
	return d
}

func (t *Txn) pkKey(tb *catalog.Table, row []types.Datum) ([]byte, []byte, error) {
	pk, err := encodeCols(nil, tb, row, tb.PrimaryKey, nil)
	if err != nil {
		return nil, nil, err
	}
	return append(rowPrefix(tb.ID), pk...), pk, nil
}

// indexEntry returns the key and value of idx's entry for row. A unique
// index's key is just the indexed values (so two transactions inserting
// the same value write the same key and conflict) unless one is NULL:
// NULLs never conflict, so such entries get the primary key appended.
func indexEntry(tb *catalog.Table, idx *catalog.Index, row []types.Datum, pk []byte) ([]byte, error) {
	k, err := encodeCols(indexPrefix(tb.ID, idx.ID), tb, row, idx.Columns, idx.Desc)
	if err != nil {
		return nil, err
	}
	if !idx.Unique || hasNull(row, idx.Columns) {
		k = append(k, pk...)
	}
	return k, nil
}

func hasNull(row []types.Datum, cols []int) bool {
	for _, c := range cols {
		if types.IsNull(row[c]) {
			return true
		}
	}
	return false
}

// IndexPredicate reports whether row belongs in idx, a partial index (one
// with a WHERE). Evaluating the predicate is the executor's; the store
// keeps the index's entries for exactly the rows it passes.
type IndexPredicate func(tb *catalog.Table, idx *catalog.Index, row []types.Datum) (bool, error)

// SetIndexPredicate installs the evaluator of partial b-tree indexes'
// predicates; writes to a table with one fail until it is set.
func (e *Engine) SetIndexPredicate(p IndexPredicate) { e.indexPred.Store(&p) }

// inIndex reports whether idx holds row: always, unless it is partial.
func (t *Txn) inIndex(tb *catalog.Table, idx *catalog.Index, row []types.Datum) (bool, error) {
	if idx.Where == "" {
		return true, nil
	}
	p := t.e.indexPred.Load()
	if p == nil {
		return false, fmt.Errorf("storage: no predicate evaluator for partial index %q", idx.Name)
	}
	return (*p)(tb, idx, row)
}

func btreeIndexes(tb *catalog.Table) []*catalog.Index {
	var out []*catalog.Index
	for i := range tb.Indexes {
		if m := tb.Indexes[i].Method; m == "btree" || m == "" {
			out = append(out, &tb.Indexes[i])
		}
	}
	return out
}

func uniqueViolation(tb *catalog.Table, constraint string, cols []int, row []types.Datum) error {
	names := make([]string, len(cols))
	vals := make([]string, len(cols))
	for i, c := range cols {
		names[i] = tb.Columns[c].Name
		vals[i] = datumText(tb.Columns[c].Type, row[c])
	}
	e := pgerror.New(pgerror.CodeUniqueViolation, "duplicate key value violates unique constraint \"%s\"", constraint)
	e.Detail = fmt.Sprintf("Key (%s)=(%s) already exists.", strings.Join(names, ", "), strings.Join(vals, ", "))
	e.Table = tb.Name
	e.Constraint = constraint
	return e
}

// datumText formats a value for an error detail, falling back to a plain
// rendering if the types package has no text form for it.
func datumText(t *types.T, d types.Datum) string {
	if types.IsNull(d) {
		return "null"
	}
	if s := types.FormatText(t, d); s != "" {
		return s
	}
	switch v := d.(type) {
	case types.DString:
		return string(v)
	case *types.DDecimal:
		return v.String()
	}
	return fmt.Sprint(d)
}

// dependOn records that this transaction's writes assume tb's descriptor
// as of the snapshot.
func (t *Txn) dependOn(tb *catalog.Table) {
	if t.deps != nil && t.lastDep == tb.ID {
		return
	}
	t.lastDep = tb.ID
	if t.deps == nil {
		t.deps = map[uint64]struct{}{}
	}
	t.deps[t.fingerprint(tableVersionKey(tb.ID))] = struct{}{}
	if t.marks == nil {
		t.marks = map[uint64]struct{}{}
	}
	t.marks[t.fingerprint(tableRowsMark(tb.ID))] = struct{}{}
}

// DependOnRows makes the commit fail with 40001 when a transaction that
// committed after this one's snapshot wrote a row of tb. A statement that
// rewrites or checks every row as of its snapshot (ALTER TABLE) would
// otherwise miss a row a concurrent writer added: without table locks,
// this is how the later of the two learns of the other.
func (t *Txn) DependOnRows(tb *catalog.Table) {
	if t.deps == nil {
		t.deps = map[uint64]struct{}{}
	}
	t.deps[t.fingerprint(tableRowsMark(tb.ID))] = struct{}{}
}

// rowMarks returns the sorted tableRowsMark fingerprints of the tables
// the transaction wrote rows of.
func (t *Txn) rowMarks() []uint64 {
	if len(t.marks) == 0 {
		return nil
	}
	out := make([]uint64, 0, len(t.marks))
	for fp := range t.marks {
		out = append(out, fp)
	}
	slices.Sort(out)
	return out
}

func (t *Txn) checkRow(tb *catalog.Table, row []types.Datum) error {
	if len(row) != len(tb.Columns) {
		return fmt.Errorf("storage: row has %d values, table %q has %d columns", len(row), tb.Name, len(tb.Columns))
	}
	for _, c := range tb.PrimaryKey {
		if c < 0 || c >= len(row) {
			return fmt.Errorf("storage: primary key column %d out of range for table %q", c, tb.Name)
		}
		if types.IsNull(row[c]) {
			e := pgerror.New(pgerror.CodeNotNullViolation,
				"null value in column \"%s\" of relation \"%s\" violates not-null constraint", tb.Columns[c].Name, tb.Name)
			e.Table, e.Column = tb.Name, tb.Columns[c].Name
			return e
		}
	}
	return nil
}

// insertRow stores a new row (Columns order, full width including hidden
// and dropped columns — a hidden rowid is filled in when Null). A duplicate
// primary key or unique-index key is 23505 with PostgreSQL's message and
// detail (`duplicate key value violates unique constraint "t_pkey"`,
// `Key (id)=(1) already exists.`).
func (t *Txn) insertRow(ctx context.Context, tb *catalog.Table, row []types.Datum, lockKeys bool) error {
	if err := t.usable(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return canceled(err)
	}
	t.dependOn(tb)
	if len(row) != len(tb.Columns) {
		return fmt.Errorf("storage: row has %d values, table %q has %d columns", len(row), tb.Name, len(tb.Columns))
	}
	// A row id allocated here was never used before (allocation survives
	// crashes in blocks), so its key needs no duplicate check.
	fresh := false
	for _, c := range tb.PrimaryKey {
		if c >= 0 && c < len(row) && tb.Columns[c].Hidden && types.IsNull(row[c]) {
			id, err := t.e.allocateRowID(tb.ID)
			if err != nil {
				return err
			}
			row[c] = types.DInt(id)
			fresh = len(tb.PrimaryKey) == 1
			if t.rowidTables == nil {
				t.rowidTables = map[catalog.ID]struct{}{}
			}
			t.rowidTables[tb.ID] = struct{}{}
		}
	}
	if err := t.checkRow(tb, row); err != nil {
		return err
	}
	key, pk, err := t.pkKey(tb, row)
	if err != nil {
		return err
	}
	if !fresh {
		if lockKeys {
			if err := t.lockNewKey(ctx, key); err != nil {
				return err
			}
		}
		dup, err := t.exists(key)
		if err != nil {
			return err
		}
		if dup {
			return uniqueViolation(tb, pkName(tb), tb.PrimaryKey, row)
		}
	}
	ver, err := t.newVersion(ctx, tb, false)
	if err != nil {
		return err
	}
	val, err := encodeRow(t.rowScratch[:0], tb, row, ver)
	if err != nil {
		return err
	}
	t.rowScratch = val
	for _, idx := range btreeIndexes(tb) {
		if in, err := t.inIndex(tb, idx, row); err != nil || !in {
			if err != nil {
				return err
			}
			continue
		}
		if lockKeys && idx.Unique && !hasNull(row, idx.Columns) {
			k, err := indexEntry(tb, idx, row, pk)
			if err != nil {
				return err
			}
			if err := t.lockNewKey(ctx, k); err != nil {
				return err
			}
		}
		if err := t.addIndexEntry(tb, idx, row, pk); err != nil {
			return err
		}
	}
	return t.set(key, val)
}

func (t *Txn) addIndexEntry(tb *catalog.Table, idx *catalog.Index, row []types.Datum, pk []byte) error {
	k, err := indexEntry(tb, idx, row, pk)
	if err != nil {
		return err
	}
	if idx.Unique && !hasNull(row, idx.Columns) {
		dup, err := t.exists(k)
		if err != nil {
			return err
		}
		if dup {
			return uniqueViolation(tb, idx.Name, idx.Columns, row)
		}
	}
	return t.set(k, pk)
}

// updateRow replaces oldRow (as read) by newRow, moving the row if its
// primary key changed and maintaining secondary indexes; locked records
// the transaction as the new version's xmax (RowVersion).
func (t *Txn) updateRow(ctx context.Context, tb *catalog.Table, oldRow, newRow []types.Datum, locked bool) error {
	if err := t.usable(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return canceled(err)
	}
	t.dependOn(tb)
	if len(oldRow) != len(tb.Columns) {
		return fmt.Errorf("storage: row has %d values, table %q has %d columns", len(oldRow), tb.Name, len(tb.Columns))
	}
	if err := t.checkRow(tb, newRow); err != nil {
		return err
	}
	oldKey, oldPK, err := t.pkKey(tb, oldRow)
	if err != nil {
		return err
	}
	newKey, newPK, err := t.pkKey(tb, newRow)
	if err != nil {
		return err
	}
	mode := LockNoKeyUpdate
	if !bytes.Equal(oldKey, newKey) || changesKey(tb, oldRow, newRow) {
		mode = LockUpdate
	}
	if err := t.lockRowKey(ctx, oldKey, mode); err != nil {
		return err
	}
	if !bytes.Equal(oldKey, newKey) {
		dup, err := t.exists(newKey)
		if err != nil {
			return err
		}
		if dup {
			return uniqueViolation(tb, pkName(tb), tb.PrimaryKey, newRow)
		}
		if err := t.del(oldKey); err != nil {
			return err
		}
	}
	for _, idx := range btreeIndexes(tb) {
		inOld, err := t.inIndex(tb, idx, oldRow)
		if err != nil {
			return err
		}
		inNew, err := t.inIndex(tb, idx, newRow)
		if err != nil {
			return err
		}
		if !inOld || !inNew {
			// A partial index the row enters or leaves.
			if inOld {
				k, err := indexEntry(tb, idx, oldRow, oldPK)
				if err != nil {
					return err
				}
				if err := t.del(k); err != nil {
					return err
				}
			}
			if inNew {
				if err := t.addIndexEntry(tb, idx, newRow, newPK); err != nil {
					return err
				}
			}
			continue
		}
		ok, err := indexEntry(tb, idx, oldRow, oldPK)
		if err != nil {
			return err
		}
		nk, err := indexEntry(tb, idx, newRow, newPK)
		if err != nil {
			return err
		}
		if bytes.Equal(ok, nk) {
			if !bytes.Equal(oldPK, newPK) {
				if err := t.set(nk, newPK); err != nil {
					return err
				}
			}
			continue
		}
		if err := t.del(ok); err != nil {
			return err
		}
		if err := t.addIndexEntry(tb, idx, newRow, newPK); err != nil {
			return err
		}
	}
	ver, err := t.newVersion(ctx, tb, locked)
	if err != nil {
		return err
	}
	val, err := encodeRow(nil, tb, newRow, ver)
	if err != nil {
		return err
	}
	return t.set(newKey, val)
}

// deleteRow deletes a row (as read) and its index entries, taking the
// row's lock first when lock is set.
func (t *Txn) deleteRow(ctx context.Context, tb *catalog.Table, row []types.Datum, lock bool) error {
	if err := t.usable(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return canceled(err)
	}
	t.dependOn(tb)
	if len(row) != len(tb.Columns) {
		return fmt.Errorf("storage: row has %d values, table %q has %d columns", len(row), tb.Name, len(tb.Columns))
	}
	key, pk, err := t.pkKey(tb, row)
	if err != nil {
		return err
	}
	if lock {
		if err := t.lockRowKey(ctx, key, LockUpdate); err != nil {
			return err
		}
	}
	for _, idx := range btreeIndexes(tb) {
		if in, err := t.inIndex(tb, idx, row); err != nil || !in {
			if err != nil {
				return err
			}
			continue
		}
		k, err := indexEntry(tb, idx, row, pk)
		if err != nil {
			return err
		}
		if err := t.del(k); err != nil {
			return err
		}
	}
	return t.del(key)
}

// GetRow fetches the row with the given primary key values (nil, nil when
// absent).
func (t *Txn) GetRow(ctx context.Context, tb *catalog.Table, pk []types.Datum) ([]types.Datum, error) {
	return t.GetRowColumns(ctx, tb, pk, nil)
}

// GetRowColumns is GetRow decoding only the columns whose ordinal want
// holds (want[ord] true), the others NULL; nil want decodes them all. A
// filter that reads one narrow column of a vector table's rows skips
// decoding each row's vector.
func (t *Txn) GetRowColumns(ctx context.Context, tb *catalog.Table, pk []types.Datum, want []bool) ([]types.Datum, error) {
	enc, err := AppendPrimaryKey(nil, tb, pk)
	if err != nil {
		return nil, err
	}
	return t.GetRowColumnsByKey(ctx, tb, enc, want)
}

// GetRowColumnsByKey is GetRowColumns for the primary-key encoding pk
// (AppendPrimaryKey's, as ScanIndexKeys passes it).
func (t *Txn) GetRowColumnsByKey(ctx context.Context, tb *catalog.Table, pk []byte, want []bool) ([]types.Datum, error) {
	if err := t.usable(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, canceled(err)
	}
	key := appendRowPrefix(make([]byte, 0, rowPrefixLen+len(pk)), tb.ID)
	return t.readRowColumns(tb, append(key, pk...), want)
}

// pkKeyOf is the row key of the primary key values pk.
func (t *Txn) pkKeyOf(tb *catalog.Table, pk []types.Datum) ([]byte, error) {
	return AppendPrimaryKey(rowPrefix(tb.ID), tb, pk)
}

// AppendPrimaryKey appends the encoding of the primary key values pk that
// follows the table's prefix in its row keys: equal keys encode to equal
// bytes, so the encoding also serves as a map key for a row.
func AppendPrimaryKey(buf []byte, tb *catalog.Table, pk []types.Datum) ([]byte, error) {
	if len(pk) != len(tb.PrimaryKey) {
		return nil, fmt.Errorf("storage: table %q has %d primary key columns, got %d values", tb.Name, len(tb.PrimaryKey), len(pk))
	}
	var err error
	for i, c := range tb.PrimaryKey {
		if buf, err = keys.Encode(buf, coerceKey(tb.Columns[c].Type, pk[i]), false); err != nil {
			return nil, fmt.Errorf("storage: table %q: %w", tb.Name, err)
		}
	}
	return buf, nil
}

// readRow reads and decodes the row stored under key, as the snapshot
// merged with the transaction's writes has it (nil, nil when absent).
func (t *Txn) readRow(tb *catalog.Table, key []byte) ([]types.Datum, error) {
	return t.readRowColumns(tb, key, nil)
}

// readRowColumns is readRow decoding only the columns want holds (see
// decodeRowColumns).
func (t *Txn) readRowColumns(tb *catalog.Table, key []byte, want []bool) ([]types.Datum, error) {
	// Decoding copies what it keeps, so the cache's bytes need no copy.
	v, err := t.getShared(key, true)
	if err != nil || v == nil {
		return nil, err
	}
	row, err := decodeRowColumns(tb, nil, v, want) // one row: no column map (columnOrdinal)
	if err != nil {
		return nil, fmt.Errorf("storage: table %q: %w", tb.Name, err)
	}
	t.stats.RowsRead++
	return row, nil
}

// canceled reports a cancelled or timed-out context as PostgreSQL does.
func canceled(err error) error {
	msg := "canceling statement due to user request"
	if errors.Is(err, context.DeadlineExceeded) {
		msg = "canceling statement due to statement timeout"
	}
	pe := pgerror.Wrap(err, pgerror.CodeQueryCanceled, "")
	pe.Message = msg
	return pe
}

// SnapshotReader returns a read-only transaction at t's snapshot that
// does not see t's own writes, so a statement can stream tb's rows while
// it rewrites them (ALTER TABLE) instead of holding them all in memory.
// It returns nil when t has written rows of tb (the reader would miss
// them); the caller then reads through t. Roll the reader back when done.
func (t *Txn) SnapshotReader(tb *catalog.Table) (*Txn, error) {
	if err := t.usable(); err != nil {
		return nil, err
	}
	if t.WroteTable(tb.ID) {
		return nil, nil
	}
	e := t.e
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil, errors.New("storage: engine is closed")
	}
	// Registered like any snapshot, so Badger keeps the versions it reads.
	e.active[t.readTs]++
	e.mu.Unlock()
	return &Txn{e: e, readTs: t.readTs, btx: e.db.NewTransactionAt(t.readTs, false)}, nil
}
