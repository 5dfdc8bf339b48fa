package storage

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/dgraph-io/badger/v4"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
)

// Engine is one open store. Badger runs in managed mode: the Engine is the
// timestamp oracle. A transaction reads at the visible watermark (every
// commit at or below it is fully applied) and commits at the next
// timestamp after a write-write conflict check against the commits it did
// not see.
type Engine struct {
	db   *badger.DB
	log  *slog.Logger
	opts Options
	seed maphash.Seed

	mu        sync.Mutex // guards the oracle fields below
	cond      *sync.Cond // signalled when visible advances
	nextTs    uint64
	visible   uint64
	applied   map[uint64]bool // applied commits above visible
	committed []committedTxn  // commits newer than the oldest snapshot
	// rows caches the newest committed version of hot keys (nil: off).
	rows      *rowCache
	active    map[uint64]int // read timestamps of open transactions
	discardTs uint64
	closed    bool
	// catTs is the highest commit timestamp reserved for a transaction
	// that wrote the catalog version key (Open's watermark at first):
	// a snapshot at or above it sees the latest catalog, so it can take
	// the cached one without reading the version key.
	catTs uint64

	syncMu   sync.Mutex
	syncedTo uint64 // guarded by syncMu

	bulkMu sync.Mutex
	bulk   bulkReads // guarded by bulkMu

	tablesMu       sync.Mutex
	releasedTables map[string]bool // guarded by tablesMu (ReleaseWrittenTables)

	locks rowLocks

	descs descCache

	// indexPred decides which rows partial b-tree indexes hold
	// (SetIndexPredicate).
	indexPred atomic.Pointer[IndexPredicate]

	catMu      sync.Mutex
	catCache   *Catalog
	catVersion uint64
	// catCacheTs is the catTs of the snapshot catCache was loaded at (0:
	// unknown); a transaction whose snapshot has the same catTs shares it.
	catCacheTs uint64
	// catVersionFp is keyCatalogVersion's conflict fingerprint.
	catVersionFp uint64

	idMu           sync.Mutex
	nextID, highID uint32

	rowidMu sync.Mutex // guards rowids, tuples and txnIDs
	rowids  map[catalog.ID]*idBlock
	tuples  map[catalog.ID]*idBlock // tuple numbers (rowversion.go)
	txnIDs  idBlock

	seqMu sync.Mutex
	seqs  map[catalog.ID]*seqState

	// afterBatch, when set (tests), runs after each batch of a multi-batch
	// commit has been written.
	afterBatch func(batch int)
}

type committedTxn struct {
	ts   uint64
	keys keySet
	// refs are the rows its foreign key checks locked (Txn.refs).
	refs keySet
}

type idBlock struct {
	next, high int64
	loaded     bool // next and high were read from the counter's key
}

type seqState struct {
	last     int64
	isCalled bool
}

// Durable counters are reserved in blocks so that allocation rarely
// writes; a crash skips the rest of a block, which PostgreSQL allows too.
const (
	idBlockSize    = 64
	rowidBlockSize = 1024
	// smallDropKeys is how many keys DropTable deletes inside the
	// transaction; larger tables are removed by DropPrefix after commit.
	smallDropKeys = 1000
	// memTableSize bounds Badger's mutable memtable: its skiplist arena and
	// its write-ahead file are allocated at this size (arena +15%, file 2x)
	// and stay resident, so Badger's 64 MB default costs ~200 MB of a
	// server whose data sits in SSTs and the vector index anyway. Smaller
	// memtables mean more, smaller L0 flushes, which cost little.
	memTableSize = 16 << 20
)

// MemtableArenaBytes is the size of the skiplist arena Badger allocates,
// whole and on the Go heap, for each memtable: the table size plus room
// for one maximal write batch (15% of it) and that batch's nodes (badger's
// arenaSize), so 1.3x memTableSize.
const MemtableArenaBytes = memTableSize * 13 / 10

// Open opens (creating if needed) the store and bootstraps a fresh one with
// the database "postgres", its schema "public" and the role "postgres".
// A directory locked by another process is a clear error.
func Open(opts Options) (*Engine, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	var bo badger.Options
	if opts.InMemory {
		bo = badger.DefaultOptions("").WithInMemory(true)
	} else {
		if opts.Dir == "" {
			return nil, errors.New("storage: no data directory given")
		}
		bo = badger.DefaultOptions(opts.Dir)
	}
	// Conflicts are detected here (write-write, PostgreSQL-like), not by
	// Badger's read-set check; syncing is done per commit by the Engine so
	// that non-transactional counter writes need no fsync of their own.
	bo = bo.WithLogger(badgerLogger{logger}).
		WithDetectConflicts(false).
		WithSyncWrites(false).
		// Hot rows are served by the row cache, so Badger's block cache
		// (which Snappy-compressed tables need) only saves a decompress on
		// a row-cache miss. A scan fills it to the brim (an HNSW build's
		// table scan left 57 MB of blocks nothing read again), and a 16 MB
		// cache measured no slower than 64 MB under pgbench -S.
		WithBlockCacheSize(16 << 20).
		WithMemTableSize(memTableSize).
		WithNumVersionsToKeep(1).
		// Badger's four compactors assume spare cores: on two, a bulk
		// load's compactions ran beside the queries after it (pgbench -S
		// right after -i: median 16.6k tps with four, 18.2k with two) and
		// each held its table builders' buffers (170-220 MB seen).
		WithNumCompactors(min(4, max(2, runtime.GOMAXPROCS(0))))
	db, err := badger.OpenManaged(bo)
	if err != nil && !opts.InMemory && strings.Contains(err.Error(), "Create a new file") {
		// Badger held the directory lock and found an empty memtable log;
		// only then is it safe to remove such files (a live server may be
		// about to size one).
		if rerr := removeEmptyMemtables(opts.Dir); rerr != nil {
			return nil, rerr
		}
		db, err = badger.OpenManaged(bo)
	}
	if err != nil {
		if strings.Contains(err.Error(), "directory lock") || strings.Contains(err.Error(), "Another process is using") {
			return nil, fmt.Errorf("storage: data directory %s is in use: another server holds the data directory (%w)", opts.Dir, err)
		}
		return nil, fmt.Errorf("storage: open %s: %w", opts.Dir, err)
	}
	e := &Engine{
		db:      db,
		log:     logger,
		opts:    opts,
		seed:    maphash.MakeSeed(),
		applied: map[uint64]bool{},
		active:  map[uint64]int{},
		rowids:  map[catalog.ID]*idBlock{},
		tuples:  map[catalog.ID]*idBlock{},
		seqs:    map[catalog.ID]*seqState{},
		rows:    newRowCache(opts.rowCacheBytes()),

		releasedTables: map[string]bool{},
	}
	e.cond = sync.NewCond(&e.mu)
	e.catVersionFp = maphash.Bytes(e.seed, keyCatalogVersion)
	maxTs := db.MaxVersion()
	e.visible = maxTs
	e.nextTs = maxTs + 1
	if err := e.recoverLarge(); err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := e.recoverDrops(); err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := e.dropLeftoverSpills(); err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := e.bootstrap(); err != nil {
		_ = db.Close()
		return nil, err
	}
	e.mu.Lock()
	e.catTs = max(e.catTs, e.visible)
	e.mu.Unlock()
	return e, nil
}

// removeEmptyMemtables deletes zero-length memtable logs (*.mem) from dir:
// a crash between creating a memtable's log and sizing it leaves such a
// file, which holds no writes but makes Badger refuse to open the
// directory.
func removeEmptyMemtables(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("storage: open %s: %w", dir, err)
	}
	for _, ent := range entries {
		if !strings.HasSuffix(ent.Name(), ".mem") {
			continue
		}
		info, err := ent.Info()
		if err != nil || info.Size() != 0 {
			continue
		}
		if err := os.Remove(filepath.Join(dir, ent.Name())); err != nil {
			return fmt.Errorf("storage: remove empty memtable log: %w", err)
		}
	}
	return nil
}

// Close flushes and closes the store.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.mu.Unlock()
	if err := e.db.Close(); err != nil {
		return fmt.Errorf("storage: close: %w", err)
	}
	return nil
}

// Begin starts a transaction reading a snapshot taken now.
func (e *Engine) Begin() *Txn {
	e.mu.Lock()
	ts := e.visible
	e.active[ts]++
	closed := e.closed
	e.mu.Unlock()
	// The write buffer and conflict set are made on the first write.
	t := &Txn{e: e, readTs: ts, startTs: ts, spillAt: e.spillBytes()}
	if closed {
		t.closedErr = true
		return t
	}
	t.btx = e.db.NewTransactionAt(ts, false)
	return t
}

// OldestSnapshot returns the oldest read timestamp any open or future
// transaction can have: a row version deleted at or before it is
// invisible to every snapshot, so access methods may drop it.
func (e *Engine) OldestSnapshot() uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	oldest := e.visible
	for ts := range e.active {
		if ts < oldest {
			oldest = ts
		}
	}
	return oldest
}

// pin registers a snapshot at the visible watermark so that Badger keeps
// the versions it reads; release undoes it.
func (e *Engine) pin() (uint64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return 0, errors.New("storage: engine is closed")
	}
	e.active[e.visible]++
	return e.visible, nil
}

// release forgets a snapshot and lets Badger discard versions no snapshot
// can see any more.
func (e *Engine) release(readTs uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if n := e.active[readTs]; n <= 1 {
		delete(e.active, readTs)
	} else {
		e.active[readTs] = n - 1
	}
	e.pruneLocked()
}

func (e *Engine) pruneLocked() {
	horizon := e.visible
	for ts := range e.active {
		if ts < horizon {
			horizon = ts
		}
	}
	keep := e.committed[:0]
	for _, c := range e.committed {
		if c.ts > horizon {
			keep = append(keep, c)
		}
	}
	for i := len(keep); i < len(e.committed); i++ {
		e.committed[i] = committedTxn{}
	}
	e.committed = keep
	if horizon > e.discardTs && !e.closed {
		e.discardTs = horizon
		e.db.SetDiscardTs(horizon)
	}
}

var errSerialization = func() error {
	return pgerror.New(pgerror.CodeSerializationFailure, "could not serialize access due to concurrent update")
}

// reserve checks ts-ordered conflicts and allocates a commit timestamp;
// until finish(ts), the visible watermark stays below ts. deps are
// fingerprints of keys that must not have changed since readTs either
// (schema versions the writes were made against). check false skips the
// conflict check for blind internal writes.
func (e *Engine) reserve(readTs uint64, writes keySet, deps map[uint64]struct{}, check bool) (uint64, error) {
	return e.reserveChecked(commitCheck{readTs: readTs, depsTs: readTs, deps: deps}, writes, keySet{}, nil, check)
}

// commitCheck says which earlier commits a commit conflicts with: those
// after readTs that wrote one of its keys, unless seenAt holds a later
// timestamp for the key (its writer saw commits up to there), and those
// after depsTs that wrote one of deps.
type commitCheck struct {
	readTs uint64
	seenAt map[uint64]uint64
	depsTs uint64
	deps   map[uint64]struct{}
}

// reserveChecked is reserve with a commitCheck; refs, the rows the
// commit's foreign key checks locked, are kept with its writes, and marks
// (sorted fingerprints of tableRowsMark keys, which no transaction
// writes) with its keys, for later commits' deps checks only: they never
// meet another commit's writes.
func (e *Engine) reserveChecked(cc commitCheck, writes, refs keySet, marks []uint64, check bool) (uint64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return 0, errors.New("storage: engine is closed")
	}
	if check {
		for _, c := range e.committed {
			if c.ts > cc.readTs && writes.intersectsSeen(c.keys, cc.seenAt, c.ts) ||
				c.ts > cc.depsTs && c.keys.intersects(keySet{m: cc.deps}) {
				return 0, errSerialization()
			}
		}
	}
	ts := e.nextTs
	e.nextTs++
	keys := writes
	if len(marks) > 0 {
		keys.runs = append(keys.runs[:len(keys.runs):len(keys.runs)], marks)
	}
	e.committed = append(e.committed, committedTxn{ts: ts, keys: keys, refs: refs})
	if writes.has(e.catVersionFp) {
		e.catTs = ts
	}
	return ts, nil
}

// finish marks ts applied, advances the visible watermark over every
// applied timestamp in order, and waits until ts itself is visible, so a
// transaction begun after Commit returns sees the commit.
func (e *Engine) finish(ts uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.markAppliedLocked(ts)
	for e.visible < ts {
		e.cond.Wait()
	}
	e.pruneLocked()
}

// markAppliedLocked records ts as applied and moves the visible
// watermark over every applied timestamp that now follows it. The caller
// holds mu.
func (e *Engine) markAppliedLocked(ts uint64) {
	e.applied[ts] = true
	for e.applied[e.visible+1] {
		delete(e.applied, e.visible+1)
		e.visible++
	}
	e.cond.Broadcast()
}

// commitAt hands btx to Badger at ts and waits for it to be applied.
func commitAt(btx *badger.Txn, ts uint64) error {
	done := make(chan error, 1)
	_ = btx.CommitAt(ts, func(err error) { done <- err })
	if err := <-done; err != nil {
		return fmt.Errorf("storage: commit: %w", err)
	}
	return nil
}

// commit runs the commit protocol for a small Badger transaction (internal
// writes).
func (e *Engine) commit(btx *badger.Txn, readTs uint64, writes, deps map[uint64]struct{}, check, sync bool) (uint64, error) {
	ts, err := e.reserve(readTs, keySet{m: writes}, deps, check)
	if err != nil {
		btx.Discard()
		return 0, err
	}
	e.dropCachedRows(keySet{m: writes})
	err = commitAt(btx, ts)
	e.finish(ts)
	if err != nil {
		return 0, err
	}
	if sync && !e.opts.NoSync {
		if err := e.syncTo(ts); err != nil {
			return 0, err
		}
	}
	return ts, nil
}

// keySet is a set of key fingerprints: a map of recent ones plus sorted
// runs of those a transaction moved out with its spilled writes (8 bytes
// a key instead of a map entry's ~20).
type keySet struct {
	m    map[uint64]struct{}
	runs [][]uint64
}

func (s keySet) size() int {
	n := len(s.m)
	for _, r := range s.runs {
		n += len(r)
	}
	return n
}

func (s keySet) has(fp uint64) bool {
	if _, ok := s.m[fp]; ok {
		return true
	}
	for _, r := range s.runs {
		if _, ok := slices.BinarySearch(r, fp); ok {
			return true
		}
	}
	return false
}

// intersects walks the smaller set and looks its members up in the other.
func (s keySet) intersects(o keySet) bool { return s.intersectsSeen(o, nil, 0) }

// intersectsSeen is intersects ignoring the keys seenAt maps to ts or
// later.
func (s keySet) intersectsSeen(o keySet, seenAt map[uint64]uint64, ts uint64) bool {
	a, b := s, o
	if b.size() < a.size() {
		a, b = b, a
	}
	for k := range a.m {
		if b.has(k) {
			if seen, ok := seenAt[k]; !ok || seen < ts {
				return true
			}
		}
	}
	for _, r := range a.runs {
		for _, k := range r {
			if b.has(k) {
				if seen, ok := seenAt[k]; !ok || seen < ts {
					return true
				}
			}
		}
	}
	return false
}

// syncTo makes every commit up to ts durable; concurrent committers share
// one fsync (group commit).
func (e *Engine) syncTo(ts uint64) error {
	e.syncMu.Lock()
	defer e.syncMu.Unlock()
	if e.syncedTo >= ts {
		return nil
	}
	e.mu.Lock()
	target := e.visible
	e.mu.Unlock()
	if err := e.db.Sync(); err != nil {
		return fmt.Errorf("storage: sync: %w", err)
	}
	e.syncedTo = target
	return nil
}

// writeInternal commits blind, non-transactional writes (counters,
// sequence values). It is not synced on its own: Badger's log is
// sequential, so the next synced commit, which is the first one that can
// depend on the value, makes it durable too.
func (e *Engine) writeInternal(kv map[string][]byte) error {
	readTs, err := e.pin()
	if err != nil {
		return err
	}
	defer e.release(readTs)
	btx := e.db.NewTransactionAt(readTs, true)
	writes := make(map[uint64]struct{}, len(kv))
	for k, v := range kv {
		var err error
		if v == nil {
			err = btx.Delete([]byte(k))
		} else {
			err = btx.Set([]byte(k), v)
		}
		if err != nil {
			btx.Discard()
			return fmt.Errorf("storage: internal write: %w", err)
		}
		writes[maphash.String(e.seed, k)] = struct{}{}
	}
	_, err = e.commit(btx, readTs, writes, nil, false, false)
	return err
}

// readLatest reads key at the visible watermark.
func (e *Engine) readLatest(key []byte) ([]byte, error) {
	ts, err := e.pin()
	if err != nil {
		return nil, err
	}
	defer e.release(ts)
	btx := e.db.NewTransactionAt(ts, false)
	defer btx.Discard()
	item, err := btx.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("storage: read: %w", err)
	}
	return item.ValueCopy(nil)
}

// AllocateID hands out a new catalog ID (durable, never reused).
func (e *Engine) AllocateID(ctx context.Context) (catalog.ID, error) {
	if err := ctx.Err(); err != nil {
		return 0, canceled(err)
	}
	e.idMu.Lock()
	defer e.idMu.Unlock()
	if e.nextID == 0 {
		v, err := e.readLatest(keyIDCounter)
		switch {
		case errors.Is(err, ErrNotFound):
			e.nextID, e.highID = uint32(catalog.FirstUserID), uint32(catalog.FirstUserID)
		case err != nil:
			return 0, err
		case len(v) != 4:
			return 0, errors.New("storage: corrupt ID counter")
		default:
			e.nextID = binary.BigEndian.Uint32(v)
			e.highID = e.nextID
		}
	}
	if e.nextID >= e.highID {
		high := e.highID + idBlockSize
		if err := e.writeInternal(map[string][]byte{string(keyIDCounter): binary.BigEndian.AppendUint32(nil, high)}); err != nil {
			return 0, err
		}
		e.highID = high
	}
	id := e.nextID
	e.nextID++
	return catalog.ID(id), nil
}

// allocateRowID hands out a table's next hidden row id.
func (e *Engine) allocateRowID(tableID catalog.ID) (int64, error) {
	return e.allocateTableCounter(e.rowids, tableID, rowidCounterKey(tableID), rowidBlockSize)
}

// allocateTableCounter hands out the next value, from 1, of a per-table
// counter whose blocks are in blocks and whose high-water mark is at key.
func (e *Engine) allocateTableCounter(blocks map[catalog.ID]*idBlock, tableID catalog.ID, key []byte, blockSize int64) (int64, error) {
	e.rowidMu.Lock()
	defer e.rowidMu.Unlock()
	b := blocks[tableID]
	if b == nil {
		b = &idBlock{}
		blocks[tableID] = b
	}
	return e.allocateCounted(b, key, 1, blockSize)
}

// firstTxnID is the first transaction id handed out, PostgreSQL's
// FirstNormalTransactionId.
const firstTxnID = 3

// AllocateTxnID hands out a transaction id for txid_current: unique and
// increasing across restarts, like PostgreSQL's xids. Transactions get one
// only when they ask, so the commit path pays nothing for it.
func (e *Engine) AllocateTxnID(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, canceled(err)
	}
	e.rowidMu.Lock()
	defer e.rowidMu.Unlock()
	return e.allocateCounted(&e.txnIDs, keyTxnIDCounter, firstTxnID, rowidBlockSize)
}

// allocateCounted hands out the next value of the persistent counter at
// key (first when it was never written). It writes a high-water mark a
// block ahead before handing out values below it, so a crash skips values
// but never repeats one. The caller holds rowidMu.
func (e *Engine) allocateCounted(b *idBlock, key []byte, first, blockSize int64) (int64, error) {
	if !b.loaded {
		b.next, b.high = first, first
		v, err := e.readLatest(key)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return 0, err
		case len(v) != 8:
			return 0, fmt.Errorf("storage: corrupt counter %q", key)
		default:
			b.next = int64(binary.BigEndian.Uint64(v))
			b.high = b.next
		}
		b.loaded = true
	}
	if b.next >= b.high {
		high := b.high + blockSize
		if err := e.writeInternal(map[string][]byte{string(key): binary.BigEndian.AppendUint64(nil, uint64(high))}); err != nil {
			return 0, err
		}
		b.high = high
	}
	id := b.next
	b.next++
	return id, nil
}

// recoverDrops finishes DropPrefix calls a crash interrupted.
func (e *Engine) recoverDrops() error {
	var ids []catalog.ID
	btx := e.db.NewTransactionAt(e.visible, false)
	it := btx.NewIterator(badger.IteratorOptions{Prefix: prefixPendingDrop})
	for it.Rewind(); it.Valid(); it.Next() {
		k := it.Item().Key()
		if len(k) == len(prefixPendingDrop)+4 {
			ids = append(ids, catalog.ID(binary.BigEndian.Uint32(k[len(prefixPendingDrop):])))
		}
	}
	it.Close()
	btx.Discard()
	for _, id := range ids {
		if err := e.dropTableData(id); err != nil {
			return err
		}
	}
	return nil
}

// dropTableData removes every version of a dropped table's keys and then
// its pending-drop marker.
func (e *Engine) dropTableData(id catalog.ID) error {
	if err := e.db.DropPrefix(tablePrefix(id)); err != nil {
		return fmt.Errorf("storage: drop data of table %d: %w", id, err)
	}
	if e.rows != nil {
		// Table IDs are never reused, so the dropped rows' entries could
		// not be read again; they only take space.
		e.rows.clear()
	}
	return e.writeInternal(map[string][]byte{string(pendingDropKey(id)): nil})
}

// badgerLogger routes Badger's chatter to slog: its errors and warnings
// as warnings, the rest as debug.
type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) Errorf(f string, a ...any) {
	b.l.Warn("badger: " + strings.TrimSpace(fmt.Sprintf(f, a...)))
}
func (b badgerLogger) Warningf(f string, a ...any) {
	// Badger's minutely block-cache report warns that the cache "might be
	// too small" whenever scans miss it, which the small cache here is
	// chosen to let them do (see Open): it is a statistic, not a fault.
	if strings.HasPrefix(f, "%s might be too small") || strings.HasPrefix(f, "Cache life expectancy") {
		b.debug(f, a)
		return
	}
	b.l.Warn("badger: " + strings.TrimSpace(fmt.Sprintf(f, a...)))
}
func (b badgerLogger) Infof(f string, a ...any) { b.debug(f, a) }

func (b badgerLogger) Debugf(f string, a ...any) { b.debug(f, a) }

// debug formats only when debug records are kept: Badger logs a debug
// line for every write batch, and formatting it cost 2% of a single-row
// INSERT.
func (b badgerLogger) debug(f string, a []any) {
	if b.l.Enabled(context.Background(), slog.LevelDebug) {
		b.l.Debug("badger: " + strings.TrimSpace(fmt.Sprintf(f, a...)))
	}
}

// Key layout (DESIGN.md): /c/ catalog, /t/<table>/ rows and indexes, plus
// engine metadata outside both.
var (
	prefixCatalog     = []byte("/c/")
	keyCatalogVersion = []byte("/c/v")
	keyIDCounter      = []byte("/m/id")
	keyTxnIDCounter   = []byte("/m/xid")
	prefixSeqState    = []byte("/q/")
	prefixPendingDrop = []byte("/g/")
)

func be32(b []byte, id catalog.ID) []byte { return binary.BigEndian.AppendUint32(b, uint32(id)) }

func catalogKey(kind byte, id catalog.ID) []byte {
	return be32(append(append([]byte(nil), prefixCatalog...), kind), id)
}

func tablePrefix(id catalog.ID) []byte { return appendTablePrefix(make([]byte, 0, rowPrefixLen), id) }

func appendTablePrefix(buf []byte, id catalog.ID) []byte {
	return append(be32(append(buf, "/t/"...), id), '/')
}

// rowPrefixLen is the length of every table's rowPrefix.
const rowPrefixLen = len("/t/") + 4 + len("/r/")

func rowPrefix(id catalog.ID) []byte { return appendRowPrefix(make([]byte, 0, rowPrefixLen), id) }

func appendRowPrefix(buf []byte, id catalog.ID) []byte {
	return append(appendTablePrefix(buf, id), 'r', '/')
}

// isRowKey reports whether key is a table row's (under some rowPrefix).
func isRowKey(key []byte) bool {
	const n = len("/t/") + 4 + len("/")
	return len(key) > n+1 && string(key[:3]) == "/t/" && key[n] == 'r' && key[n+1] == '/'
}

// wroteRowidRow reports whether key is a row of a table that t inserted
// into under fresh hidden row ids.
func (t *Txn) wroteRowidRow(key []byte) bool {
	if len(t.rowidTables) == 0 || !isRowKey(key) {
		return false // no table, or not a row key (too short to name one)
	}
	_, ok := t.rowidTables[catalog.ID(binary.BigEndian.Uint32(key[3:7]))]
	return ok
}

func indexPrefix(tid, iid catalog.ID) []byte {
	return append(be32(append(tablePrefix(tid), 'i', '/'), iid), '/')
}

// tableVersionKey changes with every PutTable/DropTable of the table; row
// writes depend on it so that DML racing with DDL on the same table (a
// new index, a dropped column) is a serialization failure, not rows
// written against a stale descriptor.
func tableVersionKey(id catalog.ID) []byte { return be32([]byte("/c/tv"), id) }

// tableRowsMark stands for "some row of the table": a transaction that
// writes rows of the table commits it among its keys (it is never
// stored), and one that must see every row of the table at its snapshot
// depends on it (Txn.DependOnRows).
func tableRowsMark(id catalog.ID) []byte { return be32([]byte("/c/tw"), id) }

func rowidCounterKey(id catalog.ID) []byte { return append(tablePrefix(id), 'm') }

func seqStateKey(id catalog.ID) []byte {
	return be32(append([]byte(nil), prefixSeqState...), id)
}

func pendingDropKey(id catalog.ID) []byte {
	return be32(append([]byte(nil), prefixPendingDrop...), id)
}

// Logger returns the logger the store was opened with, so layers above
// report to the same server log.
func (e *Engine) Logger() *slog.Logger { return e.log }

// Closed reports whether Close was called (background work stops then).
func (e *Engine) Closed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed
}

// InMemory reports whether the store keeps nothing on disk (then there is
// no point persisting derived structures).
func (e *Engine) InMemory() bool { return e.opts.InMemory }
