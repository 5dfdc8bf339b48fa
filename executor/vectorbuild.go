package executor

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/quiverdb/quiver/executor/pgcatalog"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// CREATE INDEX and REINDEX of an HNSW index never block writers and never
// make them fail. The build registers itself on the table first, so every
// write from then on reaches the new graph as a node owned by its writer
// (stamped at commit, like writes to a finished index). It then waits for
// the transactions that started before (they may have written unseen),
// scans the table at a snapshot taken after them, and adds every row
// version with its commit timestamp, skipping versions a followed writer
// already added and applying deletes followed writers made before the
// scan reached their row. Writers whose catalog predates the index keep
// feeding the graph until none is left, and the index's descriptor is
// written without bumping the table version, so they commit normally.

// indexBuild is one running (or committed but still followed) build.
type indexBuild struct {
	tableID catalog.ID
	vi      *vectorIndex
	seq     uint64        // transactions with a smaller seq may have written unseen
	commit  atomic.Uint64 // commit timestamp of the creating transaction

	// pg_stat_progress_create_index
	pid                      int32
	datID, relID, indexRelID uint32
	datName, command, name   string
	phase                    atomic.Pointer[string]
	lockersTotal             atomic.Int64
	lockersDone              atomic.Int64
	tuplesTotal, tuplesDone  atomic.Int64
	done                     atomic.Bool // the statement finished (row hidden)
}

func (b *indexBuild) setPhase(p string) { b.phase.Store(&p) }

// buildRegistry tracks running builds and open transactions.
type buildRegistry struct {
	mu     sync.RWMutex
	builds map[catalog.ID][]*indexBuild // by table
	count  atomic.Int32

	txnMu  sync.Mutex
	txnSeq uint64
	txns   map[*vectorTxn]struct{}
	// lastCommit is the highest commit timestamp of an untracked
	// transaction: a transaction is untracked when it commits, slightly
	// before its commit becomes visible.
	lastCommit uint64
}

// track registers a transaction at its start.
func (e *Engine) track(vt *vectorTxn) {
	r := &e.vindex.builds
	r.txnMu.Lock()
	r.txnSeq++
	vt.seq = r.txnSeq
	if r.txns == nil {
		r.txns = map[*vectorTxn]struct{}{}
	}
	r.txns[vt] = struct{}{}
	r.txnMu.Unlock()
}

// setReadTs records a tracked transaction's snapshot (until then it
// counts as older than every commit).
func (e *Engine) setReadTs(vt *vectorTxn, ts uint64) {
	r := &e.vindex.builds
	r.txnMu.Lock()
	vt.readTs = ts
	r.txnMu.Unlock()
}

// untrack forgets an ended transaction (idempotent).
func (e *Engine) untrack(vt *vectorTxn) {
	r := &e.vindex.builds
	r.txnMu.Lock()
	delete(r.txns, vt)
	r.lastCommit = max(r.lastCommit, vt.commitTs)
	r.txnMu.Unlock()
}

// olderWriters counts open transactions started before seq that a build
// must wait for (not self, not other builders, which never wait for each
// other), and returns the highest commit timestamp of those that ended.
func (e *Engine) olderWriters(seq uint64, self *vectorTxn) (int, uint64) {
	r := &e.vindex.builds
	r.txnMu.Lock()
	defer r.txnMu.Unlock()
	n := 0
	for vt := range r.txns {
		if vt.seq < seq && vt != self && !vt.building.Load() {
			n++
		}
	}
	return n, r.lastCommit
}

// WatchesTable implements storage.TableWatcher: a table with a build
// running sends its writes to the observer.
func (vt *vectorTxn) WatchesTable(tb *catalog.Table) bool {
	r := &vt.eng.vindex.builds
	if r.count.Load() == 0 {
		return false
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.builds[tb.ID]) > 0
}

// buildTargets appends the graphs being built on a table to targets
// (each graph once).
func (e *Engine) buildTargets(table catalog.ID, vt *vectorTxn, targets []*vectorIndex) []*vectorIndex {
	r := &e.vindex.builds
	if r.count.Load() == 0 {
		return targets
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
next:
	for _, b := range r.builds[table] {
		if c := b.commit.Load(); c != 0 && vt.readTs >= c {
			continue // this transaction's catalog has the index
		}
		for _, t := range targets {
			if t == b.vi {
				continue next
			}
		}
		targets = append(targets, b.vi)
	}
	return targets
}

func (e *Engine) addBuild(b *indexBuild) {
	r := &e.vindex.builds
	r.mu.Lock()
	if r.builds == nil {
		r.builds = map[catalog.ID][]*indexBuild{}
	}
	r.builds[b.tableID] = append(r.builds[b.tableID], b)
	r.count.Add(1)
	r.mu.Unlock()
	r.txnMu.Lock()
	b.seq = r.txnSeq + 1
	r.txnMu.Unlock()
}

func (e *Engine) removeBuild(b *indexBuild) {
	r := &e.vindex.builds
	r.mu.Lock()
	defer r.mu.Unlock()
	list := r.builds[b.tableID]
	for i, x := range list {
		if x == b {
			r.builds[b.tableID] = append(list[:i:i], list[i+1:]...)
			r.count.Add(-1)
			break
		}
	}
	if len(r.builds[b.tableID]) == 0 {
		delete(r.builds, b.tableID)
	}
}

// pruneBuilds forgets committed builds once no open transaction predates
// their commit (every writer then finds the index in its catalog).
func (e *Engine) pruneBuilds() {
	r := &e.vindex.builds
	if r.count.Load() == 0 {
		return
	}
	r.txnMu.Lock()
	oldest := ^uint64(0)
	for vt := range r.txns {
		oldest = min(oldest, vt.readTs)
	}
	r.txnMu.Unlock()
	var drop []*indexBuild
	r.mu.RLock()
	for _, list := range r.builds {
		for _, b := range list {
			if c := b.commit.Load(); c != 0 && oldest >= c {
				drop = append(drop, b)
			}
		}
	}
	r.mu.RUnlock()
	for _, b := range drop {
		e.removeBuild(b)
	}
}

// buildProgress lists the running builds for pg_stat_progress_create_index.
func (e *Engine) buildProgress() []pgcatalog.IndexProgress {
	r := &e.vindex.builds
	if r.count.Load() == 0 {
		return nil
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []pgcatalog.IndexProgress
	for _, list := range r.builds {
		for _, b := range list {
			if b.done.Load() {
				continue
			}
			p := pgcatalog.IndexProgress{
				PID: b.pid, DatID: b.datID, DatName: b.datName, RelID: b.relID, IndexRelID: b.indexRelID,
				Command: b.command, LockersTotal: b.lockersTotal.Load(), LockersDone: b.lockersDone.Load(),
				TuplesTotal: b.tuplesTotal.Load(), TuplesDone: b.tuplesDone.Load(),
			}
			if ph := b.phase.Load(); ph != nil {
				p.Phase = *ph
			}
			out = append(out, p)
		}
	}
	return out
}

// progressLogEvery is how often a running build logs its progress.
const progressLogEvery = 5 * time.Second

// buildHNSW builds idx's graph for the creating transaction ec.txn without
// blocking writers (see the comment at the top of the file). The caller
// installs the graph when the transaction commits; startBuild's cleanup
// runs on abort.
func (s *Session) buildHNSW(ec *execCtx, tb *catalog.Table, idx *catalog.Index, command string) (*vectorIndex, *indexBuild, error) {
	cat, err := ec.txn.Catalog()
	if err != nil {
		return nil, nil, err
	}
	dir, err := s.eng.store.ScratchDir()
	if err != nil {
		return nil, nil, err
	}
	vi, err := newVectorIndex(cat, tb, idx, dir)
	if err != nil {
		return nil, nil, err
	}
	vt, _ := ec.txn.Observer().(*vectorTxn)
	if vt == nil {
		return nil, nil, pgerror.New(pgerror.CodeInternal, "transaction does not track vector indexes")
	}
	b := &indexBuild{tableID: tb.ID, vi: vi, pid: s.pid, datID: uint32(s.db.ID), datName: s.db.Name,
		relID: uint32(tb.ID), indexRelID: uint32(idx.ID), command: command, name: idx.Name}
	b.setPhase("initializing")
	if ec.txn.WroteTable(tb.ID) {
		// The transaction's own earlier writes to the table are in no
		// snapshot but its own: build from it (concurrent writers that
		// commit meanwhile are not followed in this rare case).
		b.setPhase("building index: loading tuples")
		if err := s.eng.store.BulkRead(func() error { return vi.build(ec.ctx, ec.txn, tb) }); err != nil {
			return nil, nil, err
		}
		return vi, nil, nil
	}
	vi.pend = map[string][]*pendDelete{}
	vt.building.Store(true)
	defer vt.building.Store(false)
	s.eng.addBuild(b)
	ok := false
	defer func() {
		b.done.Store(true)
		if !ok {
			s.eng.removeBuild(b)
		}
	}()
	logDone := make(chan struct{})
	defer close(logDone)
	go s.eng.logProgress(b, logDone)

	b.setPhase("waiting for writers before build")
	snap, err := s.eng.waitOlderWriters(ec.ctx, b, vt)
	if err != nil {
		return nil, nil, err
	}
	defer snap.Rollback()
	b.setPhase("building index: loading tuples")
	if n, err := snap.CountRows(ec.ctx, tb); err == nil {
		b.tuplesTotal.Store(n)
	}
	if err := s.eng.store.BulkRead(func() error { return vi.buildFrom(ec.ctx, snap, tb, &b.tuplesDone) }); err != nil {
		return nil, nil, err
	}
	vi.mu.Lock()
	vi.pend = nil
	vi.mu.Unlock()
	ok = true
	vt.onCommit = append(vt.onCommit, func() { b.commit.Store(vt.commitTs) })
	vt.onAbort = append(vt.onAbort, func() { s.eng.removeBuild(b) })
	return vi, b, nil
}

// waitOlderWriters waits until every transaction started before the
// build's registration has ended, and returns a snapshot that includes
// their commits.
func (e *Engine) waitOlderWriters(ctx context.Context, b *indexBuild, self *vectorTxn) (*storage.Txn, error) {
	first := true
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		n, last := e.olderWriters(b.seq, self)
		if n == 0 {
			snap := e.store.Begin()
			if snap.ReadTs() >= last {
				return snap, nil
			}
			snap.Rollback() // a commit is still becoming visible
		}
		if first {
			b.lockersTotal.Store(int64(n))
			first = false
		}
		b.lockersDone.Store(max(0, b.lockersTotal.Load()-int64(n)))
		select {
		case <-ctx.Done():
			return nil, canceled(ctx.Err())
		case <-tick.C:
		}
	}
}

func (e *Engine) logProgress(b *indexBuild, done <-chan struct{}) {
	t := time.NewTicker(progressLogEvery)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			ph := ""
			if p := b.phase.Load(); p != nil {
				ph = *p
			}
			e.store.Logger().Info("index build progress", "command", b.command, "index", b.name, "phase", ph,
				"tuples_done", b.tuplesDone.Load(), "tuples_total", b.tuplesTotal.Load())
		}
	}
}

// buildFrom adds every row version of snap's snapshot with its commit
// timestamp, inserting from all cores; done counts scanned rows.
func (vi *vectorIndex) buildFrom(ctx context.Context, snap *storage.Txn, tb *catalog.Table, done *atomic.Int64) error {
	workers := runtime.GOMAXPROCS(0)
	type item struct {
		row     []types.Datum
		version uint64
	}
	rows := make(chan item, 256)
	errs := make(chan error, workers)
	stop := make(chan struct{})
	var stopOnce sync.Once
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range rows {
				if err := vi.addScanned(tb, it.row, it.version); err != nil {
					errs <- err
					stopOnce.Do(func() { close(stop) })
					return
				}
			}
		}()
	}
	errStopped := fmt.Errorf("build stopped")
	scanErr := snap.ScanCommittedVersions(ctx, tb, func(row []types.Datum, version uint64) error {
		done.Add(1)
		select {
		case rows <- item{row, version}:
			return nil
		case <-stop:
			return errStopped
		}
	})
	close(rows)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	if scanErr != nil {
		return scanErr
	}
	return nil
}

// addScanned adds a scanned row version unless a followed writer already
// added it, with the deletes followed writers recorded for its row.
func (vi *vectorIndex) addScanned(tb *catalog.Table, row []types.Datum, version uint64) error {
	v, ok := vi.metric.elems(row[vi.col])
	if !ok {
		return nil
	}
	if len(v) != vi.dims && vi.dims > 0 {
		return pgerror.New(pgerror.CodeDataException, "expected %d dimensions, not %d", vi.dims, len(v))
	}
	if in, err := vi.indexes(row); err != nil || !in {
		return err
	}
	pk, err := pkOf(tb, row)
	if err != nil {
		return err
	}
	info := &nodeInfo{pk: pk}
	info.insertTs.Store(version)
	var buf [4]uint64
	vi.mu.Lock()
	for _, k := range vi.versions.appendKeys(buf[:0], pk) {
		if vi.info(k).insertTs.Load() == version {
			vi.mu.Unlock()
			return nil
		}
	}
	var del uint64
	for _, pd := range vi.pend[pk] {
		switch {
		case pd.aborted:
		case pd.ts != 0:
			if pd.ts > version && (del == 0 || pd.ts < del) {
				del = pd.ts
			}
		}
	}
	if del == 0 {
		// Not superseded by a committed delete: an open transaction that
		// deleted the row deleted this version.
		for _, pd := range vi.pend[pk] {
			if !pd.aborted && pd.ts == 0 && pd.vt.readTs >= version {
				info.deleter.Store(pd.vt)
			}
		}
	}
	info.deleteTs.Store(del)
	key, err := vi.infos.add(info)
	if err != nil {
		vi.mu.Unlock()
		return err
	}
	vi.versions.add(pk, key)
	vi.mu.Unlock()
	if err := vi.linkNode(key, v); err != nil {
		return err
	}
	vi.changes.Add(1)
	if del != 0 || info.deleter.Load() != nil {
		vi.dying.push(key)
	}
	return nil
}

// graphMark is where a savepoint found the graphs its transaction built
// (CREATE INDEX, REINDEX, ALTER TABLE) to install at commit.
type graphMark struct {
	onCommit, onAbort int
	created           map[catalog.ID]*vectorIndex
}

// graphMark marks the open transaction's built graphs for a savepoint.
func (s *Session) graphMark() graphMark {
	vt, _ := s.txn.Observer().(*vectorTxn)
	if vt == nil {
		return graphMark{}
	}
	m := graphMark{onCommit: len(vt.onCommit), onAbort: len(vt.onAbort)}
	if len(vt.created) > 0 {
		m.created = make(map[catalog.ID]*vectorIndex, len(vt.created))
		for id, vi := range vt.created {
			m.created[id] = vi
		}
	}
	return m
}

// graphRollbackTo forgets the graphs built after the savepoint: rolled
// back with the rows they were built from, they must not be installed.
func (s *Session) graphRollbackTo(m graphMark) {
	vt, _ := s.txn.Observer().(*vectorTxn)
	if vt == nil || len(vt.onCommit) < m.onCommit || len(vt.onAbort) < m.onAbort {
		return
	}
	for _, f := range vt.onAbort[m.onAbort:] {
		f()
	}
	vt.onAbort = vt.onAbort[:m.onAbort]
	vt.onCommit = vt.onCommit[:m.onCommit]
	vt.created = m.created
}
