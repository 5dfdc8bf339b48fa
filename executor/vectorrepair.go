package executor

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/quiverdb/quiver/sql/catalog"
)

// Deleted and superseded row versions stay in a graph as nodes whose
// delete timestamp hides them from later snapshots. Once no snapshot can
// see such a node (its delete is at or below the oldest snapshot) a
// background pass tombstones it in the graph, so searches pass over it
// without a visibility check. When tombstones make up a fifth of a graph,
// the pass compacts it: a new graph is built from the live nodes' stored
// vectors (sharing their visibility records) while following concurrent
// writes like a CREATE INDEX, then swapped in. Searches route through
// tombstones meanwhile, so recall holds until the swap, and after it the
// graph is as good as a fresh build on the remaining rows. The table is
// not read: compaction costs graph inserts only.

const (
	maintainEvery = time.Second
	// compactFraction: compact when tombstones are at least 1/compactFraction
	// of the nodes (and at least compactMin).
	compactFraction = 5
	compactMin      = 256
)

// maintenance is the engine's background goroutine for vector indexes.
type maintenance struct {
	mu      sync.Mutex
	cancel  context.CancelFunc
	done    chan struct{}
	stopped bool
}

// startMaintenance starts the background goroutine once (after Close it
// stays stopped).
func (e *Engine) startMaintenance() {
	m := &e.vindex.maint
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cancel != nil || m.stopped {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel, m.done = cancel, make(chan struct{})
	go func() {
		defer close(m.done)
		t := time.NewTicker(maintainEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if e.store.Closed() {
					return // the store closed under an engine never closed itself
				}
				e.maintainVectorIndexes(ctx)
			}
		}
	}()
}

// stopMaintenance cancels the background goroutine and waits for it.
func (e *Engine) stopMaintenance() {
	m := &e.vindex.maint
	m.mu.Lock()
	m.stopped = true
	cancel, done := m.cancel, m.done
	m.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// maintainVectorIndexes runs one maintenance pass: forget finished
// builds, tombstone invisible nodes, compact graphs that need it.
func (e *Engine) maintainVectorIndexes(ctx context.Context) {
	e.pruneBuilds()
	type entry struct {
		id catalog.ID
		vi *vectorIndex
	}
	var list []entry
	e.vindex.mu.Lock()
	for id, li := range e.vindex.byIndex {
		select {
		case <-li.ready:
			if li.vi != nil {
				list = append(list, entry{id, li.vi})
			}
		default:
		}
	}
	e.vindex.mu.Unlock()
	e.forgetDroppedIndexes(ctx)
	for _, en := range list {
		if ctx.Err() != nil {
			return
		}
		oldest := e.store.OldestSnapshot()
		dead := en.vi.tombstone(oldest)
		if n := en.vi.graph.Len(); dead >= compactMin && dead*compactFraction >= n {
			if err := e.compact(ctx, en.id, en.vi); err != nil && ctx.Err() == nil {
				e.store.Logger().Warn("vector index compaction failed", "index", en.id, "err", err)
			}
		}
	}
	if err := e.checkpointAll(ctx, false); err != nil && ctx.Err() == nil {
		e.store.Logger().Warn("vector index checkpoint failed", "err", err)
	}
}

// forgetDroppedIndexes releases the graphs of indexes (or tables) that
// were dropped: nothing else lets go of them, and a graph of 100,000 x 128
// is over 60 MB. An index counts as dropped once two passes in a row do
// not find it in the committed catalog, because a CREATE INDEX registers
// its graph just before its commit becomes visible. A transaction with an
// older snapshot that still uses a forgotten index loads it again. The
// index's checkpoint is deleted too (a checkpoint of an index dropped
// before this process loaded it stays: nothing tracks it).
func (e *Engine) forgetDroppedIndexes(ctx context.Context) {
	txn := e.store.Begin()
	cat, err := txn.Catalog()
	txn.Rollback()
	if err != nil {
		return
	}
	exists := func(table, id catalog.ID) bool {
		tb := cat.Tables[table]
		if tb == nil {
			return false
		}
		for i := range tb.Indexes {
			if tb.Indexes[i].ID == id {
				return true
			}
		}
		return false
	}
	type dropped struct{ table, index catalog.ID }
	var gone []dropped
	e.vindex.mu.Lock()
	for id, li := range e.vindex.byIndex {
		select {
		case <-li.ready:
		default:
			continue // loading
		}
		if li.vi == nil || exists(li.vi.tableID, id) {
			li.missing = false
			continue
		}
		if li.missing {
			delete(e.vindex.byIndex, id)
			gone = append(gone, dropped{li.vi.tableID, id})
			continue
		}
		li.missing = true
	}
	e.vindex.mu.Unlock()
	if e.store.InMemory() {
		return // no checkpoints
	}
	for _, d := range gone {
		if err := e.dropCheckpoint(ctx, d.table, d.index); err != nil && ctx.Err() == nil {
			e.store.Logger().Warn("deleting a dropped vector index's checkpoint failed", "index", d.index, "err", err)
		}
	}
}

// lockWrites takes writeMu exclusively. A write may hold it shared for
// long (its first use of an index loads the graph), and a waiting Lock
// would stall every other writer meanwhile, so it first tries for a while
// to find a moment without writes.
func (e *Engine) lockWrites() {
	for i := 0; i < 100; i++ {
		if e.vindex.writeMu.TryLock() {
			return
		}
		time.Sleep(time.Millisecond)
	}
	e.vindex.writeMu.Lock()
}

// removable reports whether no snapshot, open or future, sees the node.
func (info *nodeInfo) removable(oldest uint64) bool {
	if info.dead() {
		return true
	}
	del := info.deleteTs.Load()
	return del != 0 && del <= oldest
}

// deathQueue collects graph keys whose versions ended (a committed
// delete or update, a rollback), so the tombstone pass looks at those
// nodes only instead of reading every node record each second.
type deathQueue struct {
	mu   sync.Mutex
	keys []uint64
	// waiting holds keys a snapshot may still see (the tombstone pass's
	// own, under mu); waitOldest is the oldest snapshot they were last
	// checked against.
	waiting    []uint64
	waitOldest uint64
}

func (q *deathQueue) push(key uint64) {
	q.mu.Lock()
	q.keys = append(q.keys, key)
	q.mu.Unlock()
}

// settled reports whether info's version is live and no transaction is
// ending it: nothing for the tombstone pass to wait for.
func (info *nodeInfo) settled() bool {
	return !info.dead() && info.deleteTs.Load() == 0 && info.deleter.Load() == nil && info.insertTs.Load() != 0
}

// tombstone marks the queued nodes no snapshot can see as deleted and
// returns how many the graph holds. Queued nodes still visible to some
// snapshot wait for the next pass; with nothing queued and no snapshot
// ended since, a pass costs nothing.
func (vi *vectorIndex) tombstone(oldest uint64) int {
	q := &vi.dying
	q.mu.Lock()
	fresh := q.keys
	q.keys = nil
	if len(fresh) == 0 && (len(q.waiting) == 0 || q.waitOldest == oldest) {
		q.mu.Unlock()
		return vi.graph.DeletedCount()
	}
	waiting := append(q.waiting, fresh...)
	q.waiting = nil
	q.mu.Unlock()
	keep := waiting[:0]
	for _, key := range waiting {
		info := vi.infos.get(key)
		if info == nil {
			continue
		}
		node, ok := vi.infos.node(key)
		switch {
		case !ok && info.dead():
			// Rolled back with no node: its insert failed, or is still
			// running and re-queues the key when it links (linkNode).
		case !ok:
			keep = append(keep, key) // its insert is still running
		case vi.graph.Deleted(node):
		case info.removable(oldest):
			vi.graph.Delete(node)
		case !info.settled():
			keep = append(keep, key)
		}
	}
	q.mu.Lock()
	q.waiting = append(q.waiting, keep...)
	q.waitOldest = oldest
	q.mu.Unlock()
	return vi.graph.DeletedCount()
}

// queueUnsettled queues every node whose version is ending or may end
// by a transaction that recorded it against another graph (a compacted
// graph taking over from the one writers used until the swap).
func (vi *vectorIndex) queueUnsettled() {
	n := vi.infos.n.Load()
	for key := uint64(0); key < n; key++ {
		if info := vi.infos.get(key); info != nil && !info.settled() {
			vi.dying.push(key)
		}
	}
}

// compact rebuilds vi without its tombstones and installs the result as
// index id, unless the index was replaced or dropped meanwhile.
func (e *Engine) compact(ctx context.Context, id catalog.ID, vi *vectorIndex) error {
	start := time.Now()
	nv, err := newGraphIndex(vi.tableID, vi.col, vi.cfg, vi.metric, vi.holds)
	if err != nil {
		return err
	}
	b := &indexBuild{tableID: vi.tableID, vi: nv, command: "compaction"}
	b.done.Store(true) // not a statement: no pg_stat_progress row
	// From here every write reaches both graphs; none is half applied
	// while the registration happens, so each record numbered below n is
	// complete.
	e.lockWrites()
	e.addBuild(b)
	n := vi.infos.n.Load()
	e.vindex.writeMu.Unlock()
	registered := true
	defer func() {
		if registered {
			e.removeBuild(b)
		}
	}()
	oldest := e.store.OldestSnapshot()
	var next atomic.Uint64
	var wg sync.WaitGroup
	errs := make(chan error, runtime.GOMAXPROCS(0))
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []float32
			for {
				key := next.Add(1) - 1
				if key >= n || ctx.Err() != nil {
					return
				}
				info := vi.infos.get(key)
				node, ok := vi.infos.node(key)
				if info == nil || !ok || info.removable(oldest) {
					continue
				}
				v, err := vi.graph.Exact(node, buf)
				if err == nil {
					err = nv.addShared(info, v)
				}
				if err != nil {
					errs <- err
					return
				}
				if vi.graph.Half() {
					buf = v
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	e.lockWrites()
	e.vindex.mu.Lock()
	if li := e.vindex.byIndex[id]; li != nil && li.vi == vi {
		nl := &loadedIndex{ready: make(chan struct{}), vi: nv}
		close(nl.ready)
		e.vindex.byIndex[id] = nl
	}
	e.vindex.mu.Unlock()
	// Transactions still open recorded their deletes and inserts against
	// vi's keys; with writes stopped, queue nv's nodes they may end.
	nv.queueUnsettled()
	e.removeBuild(b)
	registered = false
	e.vindex.writeMu.Unlock()
	e.store.Logger().Info("vector index compacted", "index", id, "nodes_before", vi.graph.Len(),
		"nodes_after", nv.graph.Len(), "duration", time.Since(start).Round(time.Millisecond))
	return nil
}

// addShared inserts a node for an existing visibility record (shared with
// the graph being compacted, so commits and rollbacks reach both).
func (vi *vectorIndex) addShared(info *nodeInfo, v []float32) error {
	key, err := vi.infos.add(info)
	if err != nil {
		return err
	}
	vi.mu.Lock()
	vi.versions.add(info.pk, key)
	vi.mu.Unlock()
	if err := vi.linkNode(key, v); err != nil {
		return err
	}
	vi.changes.Add(1) // a compacted graph is due for a checkpoint
	return nil
}
