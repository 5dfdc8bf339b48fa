package executor

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/quiverdb/quiver/executor/pgcatalog"
	"github.com/quiverdb/quiver/index/chunkdir"
	"github.com/quiverdb/quiver/index/hnsw"
	"github.com/quiverdb/quiver/index/vecmath"
	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgdialect"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// An HNSW index lives in memory beside the table, which stays the truth.
// Every row version a writer stores enters the graph before its commit as
// a node owned by the writing transaction; the commit stamps it with the
// commit timestamp before any snapshot can include that timestamp, and a
// rollback kills it. Deletes and vector-changing updates stamp the old
// node's delete timestamp the same way. A search accepts a node only when
// its timestamps make it visible to the reader's snapshot (or the reader
// wrote it), so the index never changes what a query means and concurrent
// writers never conflict over graph neighbourhoods. Checkpoints persist
// the graph (vectorpersist.go); a start restores the last one and catches
// up with the table.

// indexMetric is an operator class's operator, the distance its graph
// orders by, and how a graph distance becomes the operator's value.
type indexMetric struct {
	op   string
	dist hnsw.DistanceFunc
	// value returns the operator's result for the query q and a node's
	// vector v at graph distance d, exactly as the operator computes it:
	// the graph's distance is the operator's own float32 sum before its
	// final widening, except for cosine, whose float64 division the
	// graph's float32 result cannot give back.
	value func(q, v []float32, d float32) float64
	// family is the column type the operator class indexes.
	family types.Family
	// half is dist against a half-precision vector, for graphs that keep
	// their vectors in half precision (nil: the graph keeps float32s);
	// nearer bounds how much nearer than a half graph's distance d a
	// node may truly be (vectorrerank.go).
	half   hnsw.HalfDistanceFunc
	nearer func(d float32, e hnsw.HalfError, qNorm float32) float32
}

func widened(_, _ []float32, d float32) float64 { return float64(d) }

var (
	l2Metric = indexMetric{"<->", vecmath.L2Squared, func(_, _ []float32, d float32) float64 { return math.Sqrt(float64(d)) }, types.FamVector,
		vecmath.L2SquaredHalf, l2Nearer}
	cosineMetric = indexMetric{"<=>", func(a, b []float32) float32 { return float32(vecmath.CosineDistance(a, b)) },
		func(q, v []float32, _ float32) float64 { return vecmath.CosineDistance(v, q) }, types.FamVector,
		func(a []float32, b []uint16) float32 { return float32(vecmath.CosineDistanceHalf(a, b)) }, cosineNearer}
	ipMetric = indexMetric{"<#>", func(a, b []float32) float32 { return -vecmath.Dot(a, b) }, widened, types.FamVector,
		func(a []float32, b []uint16) float32 { return -vecmath.DotHalf(a, b) }, ipNearer}
	l1Metric = indexMetric{"<+>", vecmath.L1, widened, types.FamVector, vecmath.L1Half, l1Nearer}
)

// forHalfvec is m for halfvec columns: their values are float32s in
// memory too, so the kernels are the vector ones (and their graph keeps
// them in half precision losslessly: newVectorIndex).
func (m indexMetric) forHalfvec() indexMetric {
	m.family = types.FamHalfvec
	return m
}

// opclassMetric maps an operator class to its metric.
var opclassMetric = map[string]indexMetric{
	"vector_l2_ops":      l2Metric,
	"vector_cosine_ops":  cosineMetric,
	"vector_ip_ops":      ipMetric,
	"vector_l1_ops":      l1Metric,
	"halfvec_l2_ops":     l2Metric.forHalfvec(),
	"halfvec_cosine_ops": cosineMetric.forHalfvec(),
	"halfvec_ip_ops":     ipMetric.forHalfvec(),
	"halfvec_l1_ops":     l1Metric.forHalfvec(),
	"bit_hamming_ops":    hammingMetric,
	"bit_jaccard_ops":    jaccardMetric,
}

// nodeInfo is the visibility of one row version in the graph. An index
// holds one per node, so its size is most of an index's heap beside the
// graph: 48 bytes plus the key's string.
type nodeInfo struct {
	// pk is the row's primary-key encoding (storage.AppendPrimaryKey):
	// the key its row is read by and its entry in versionKeys.
	pk       string
	owner    *vectorTxn    // writer while uncommitted
	insertTs atomic.Uint64 // 0 while uncommitted; rolledBack once dead
	deleteTs atomic.Uint64
	deleter  atomic.Pointer[vectorTxn]
}

// rolledBack is the insert timestamp of a dead version (its insert rolled
// back, or a checkpoint's tombstone): later than every snapshot, so the
// visibility check needs no flag of its own.
const rolledBack = math.MaxUint64

func (n *nodeInfo) dead() bool { return n.insertTs.Load() == rolledBack }

func (n *nodeInfo) kill() { n.insertTs.Store(rolledBack) }

func (n *nodeInfo) visible(readTs uint64, me *vectorTxn) bool {
	if ts := n.insertTs.Load(); ts == 0 {
		if me == nil || n.owner != me {
			return false
		}
	} else if ts > readTs {
		return false
	}
	if ts := n.deleteTs.Load(); ts != 0 && ts <= readTs {
		return false
	}
	if d := n.deleter.Load(); d != nil && d == me {
		return false
	}
	return true
}

// vectorIndex is one HNSW index's graph and node visibility.
type vectorIndex struct {
	tableID catalog.ID
	col     int
	dims    int
	cfg     hnsw.Config
	graph   *hnsw.Graph
	dist    hnsw.DistanceFunc
	metric  indexMetric
	// holds is a partial index's WHERE (nil: every row with a vector).
	holds    func(row []types.Datum) (bool, error)
	infos    infoTable    // by graph key; read without locks on the search path
	mu       sync.RWMutex // readers: filtered scans' prefilter lookups (versions)
	versions versionKeys  // guarded by mu
	// pend, set while a concurrent build scans the table, holds deletes
	// of rows whose node the scan may not have added yet, so the scan
	// gives that node its deleter or delete timestamp (guarded by mu).
	pend map[string][]*pendDelete
	// changes counts writes applied to the graph; checkpointed is its
	// value at the last checkpoint, checkpointAt that checkpoint's (or
	// the graph's creation) time in Unix nanoseconds.
	changes, checkpointed, checkpointAt atomic.Int64
	// dying queues the graph keys of versions that were deleted, replaced
	// or rolled back, for the background tombstone pass (vectorrepair.go).
	dying deathQueue
}

// pendDelete is one transaction's delete of a row during a build scan.
type pendDelete struct {
	vt      *vectorTxn
	ts      uint64 // commit timestamp once committed
	aborted bool
}

const (
	infoChunkBits = 10
	infoChunkSize = 1 << infoChunkBits
	infoChunks    = 1 << 16
)

// infoTable is an append-only array of node visibility records in fixed
// chunks, so a search reads a node's record with two atomic loads and no
// lock while writers append. Beside each record it keeps the record's
// graph node (+1, 0 until the insert completed): a graph rebuilt by
// compaction shares the records of the old one under other node ids.
type infoTable struct {
	chunks chunkdir.Dir[infoChunk]
	n      atomic.Uint64
}

type infoChunk struct {
	infos [infoChunkSize]atomic.Pointer[nodeInfo]
	nodes [infoChunkSize]atomic.Uint32
}

func (t *infoTable) add(info *nodeInfo) (uint64, error) {
	key := t.n.Add(1) - 1
	ci := key >> infoChunkBits
	if ci >= infoChunks {
		return 0, fmt.Errorf("vector index is full")
	}
	c, _ := t.chunks.LoadOrStore(int(ci), func() (*infoChunk, error) { return new(infoChunk), nil })
	c.infos[key&(infoChunkSize-1)].Store(info)
	return key, nil
}

func (t *infoTable) chunk(key uint64) *infoChunk {
	if key >= t.n.Load() {
		return nil
	}
	return t.chunks.Load(int(key >> infoChunkBits))
}

func (t *infoTable) get(key uint64) *nodeInfo {
	c := t.chunk(key)
	if c == nil {
		return nil
	}
	return c.infos[key&(infoChunkSize-1)].Load()
}

// setNode records that key's node is fully inserted.
func (t *infoTable) setNode(key uint64, n hnsw.Node) {
	if c := t.chunk(key); c != nil {
		c.nodes[key&(infoChunkSize-1)].Store(uint32(n) + 1)
	}
}

// node returns key's graph node once its insert completed.
func (t *infoTable) node(key uint64) (hnsw.Node, bool) {
	c := t.chunk(key)
	if c == nil {
		return 0, false
	}
	n := c.nodes[key&(infoChunkSize-1)].Load()
	return hnsw.Node(n - 1), n != 0
}

// vectorIndexes is the engine's registry of loaded HNSW indexes.
type vectorIndexes struct {
	mu      sync.Mutex
	byIndex map[catalog.ID]*loadedIndex
	builds  buildRegistry
	// writeMu is held shared while a write is applied to graphs and
	// exclusively by compaction when it starts following writes and when
	// it swaps graphs.
	writeMu sync.RWMutex
	maint   maintenance
	// checkpointEvery overrides checkpointEvery (tests).
	checkpointEvery time.Duration
}

func hnswParams(idx *catalog.Index) (m, efC int) {
	m, efC = 16, 64
	if v, err := strconv.Atoi(idx.Options["m"]); err == nil {
		m = v
	}
	if v, err := strconv.Atoi(idx.Options["ef_construction"]); err == nil {
		efC = v
	}
	return m, efC
}

// newVectorIndex creates idx's empty graph. With exactDir set (a store on
// disk), the graph keeps vectors in half precision and their exact values
// in a file there (vectorrerank.go); a halfvec column's graph keeps its
// values in half precision in any store.
func newVectorIndex(cat *storage.Catalog, tb *catalog.Table, idx *catalog.Index, exactDir string) (*vectorIndex, error) {
	metric, ok := opclassMetric[idx.Opclass[0]]
	if !ok {
		return nil, pgerror.New(pgerror.CodeUndefinedObject, "operator class \"%s\" does not exist for access method \"hnsw\"", idx.Opclass[0])
	}
	col := idx.Columns[0]
	m, efC := hnswParams(idx)
	dims := int(tb.Columns[col].Type.Width)
	var holds func([]types.Datum) (bool, error)
	if idx.Where != "" {
		var err error
		if holds, err = compileIndexPredicate(cat, tb, idx); err != nil {
			return nil, err
		}
	}
	cfg := hnsw.Config{Dims: dims, M: m, EfConstruction: efC, Distance: metric.dist, Seed: uint64(idx.ID)}
	switch {
	case metric.half != nil && metric.family == types.FamHalfvec:
		// A halfvec's values are halves already: nothing to re-rank
		// against, in memory or on disk.
		cfg.HalfDistance, cfg.Lossless = metric.half, true
	case metric.half != nil && exactDir != "":
		cfg.HalfDistance, cfg.ExactDir = metric.half, exactDir
	}
	return newGraphIndex(tb.ID, col, cfg, metric, holds)
}

// compileIndexPredicate compiles a partial index's WHERE over the
// table's row. It runs inside writes of any session (and at loads and
// builds, outside any), so it gets no session: the predicate is
// immutable (planner.BindIndexPredicate), so nothing in it reads one.
func compileIndexPredicate(cat *storage.Catalog, tb *catalog.Table, idx *catalog.Index) (func(row []types.Datum) (bool, error), error) {
	b := &planner.Binder{Cat: cat, ParseExpr: pgdialect.ParseExpr, ParseQuery: pgdialect.ParseQuery, Virtual: pgcatalog.Lookup, IndexOID: pgcatalog.IndexOIDByName, Proc: pgcatalog.ProcsNamed}
	e, err := b.ParseExpr(idx.Where)
	if err != nil {
		return nil, fmt.Errorf("predicate of index %s: %w", idx.Name, err)
	}
	x, err := b.BindIndexPredicate(tb, e)
	if err != nil {
		return nil, fmt.Errorf("predicate of index %s: %w", idx.Name, err)
	}
	// A compiled expression keeps scratch space between calls, and builds
	// and sessions test rows concurrently: each caller borrows its own.
	compile := func() (evalFn, error) {
		ctx := context.Background()
		ec := &execCtx{ctx: ctx, eval: &builtins.EvalContext{Ctx: ctx, Location: time.UTC}}
		return ec.compile(x)
	}
	first, err := compile()
	if err != nil {
		return nil, fmt.Errorf("predicate of index %s: %w", idx.Name, err)
	}
	var pool sync.Pool
	pool.Put(first)
	return func(row []types.Datum) (bool, error) {
		f, _ := pool.Get().(evalFn)
		if f == nil {
			var err error
			if f, err = compile(); err != nil {
				return false, fmt.Errorf("predicate of index %s: %w", idx.Name, err)
			}
		}
		v, err := f(row)
		pool.Put(f)
		return err == nil && isTrue(v), err
	}, nil
}

// indexes reports whether the index holds row (always, unless partial).
func (vi *vectorIndex) indexes(row []types.Datum) (bool, error) {
	if vi.holds == nil {
		return true, nil
	}
	return vi.holds(row)
}

func newGraphIndex(table catalog.ID, col int, cfg hnsw.Config, metric indexMetric, holds func([]types.Datum) (bool, error)) (*vectorIndex, error) {
	g, err := hnsw.New(cfg)
	if err != nil {
		return nil, pgerror.Wrap(err, pgerror.CodeIOError, "creating HNSW index")
	}
	vi := &vectorIndex{
		tableID:  table,
		col:      col,
		dims:     cfg.Dims,
		cfg:      cfg,
		graph:    g,
		dist:     cfg.Distance,
		metric:   metric,
		holds:    holds,
		versions: newVersionKeys(),
	}
	vi.checkpointAt.Store(time.Now().UnixNano())
	return vi, nil
}

// build fills a new index from every row txn sees, inserting from all
// cores; the rows count as committed before any reader of the index.
func (vi *vectorIndex) build(ctx context.Context, txn *storage.Txn, tb *catalog.Table) error {
	it, err := txn.ScanTable(ctx, tb, storage.Span{}, false)
	if err != nil {
		return err
	}
	defer it.Close()
	workers := runtime.GOMAXPROCS(0)
	rows := make(chan []types.Datum, 256)
	errs := make(chan error, workers)
	stop := make(chan struct{}) // closed on the first insert error
	var stopOnce sync.Once
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for row := range rows {
				if err := vi.add(tb, row, nil, 1); err != nil {
					errs <- err
					stopOnce.Do(func() { close(stop) })
					return
				}
			}
		}()
	}
	var scanErr error
scan:
	for {
		row, err := it.Next()
		if err != nil {
			scanErr = err
			break
		}
		if row == nil {
			break
		}
		select {
		case rows <- row:
		case <-stop:
			break scan
		}
	}
	close(rows)
	wg.Wait()
	close(errs)
	if scanErr != nil {
		return scanErr
	}
	return <-errs
}

// pkOf is the primary-key encoding of row (storage.AppendPrimaryKey).
func pkOf(tb *catalog.Table, row []types.Datum) (string, error) {
	var buf [4]types.Datum
	pk := buf[:0]
	for _, c := range tb.PrimaryKey {
		pk = append(pk, row[c])
	}
	enc, err := storage.AppendPrimaryKey(nil, tb, pk)
	if err != nil {
		return "", fmt.Errorf("vector index key: %w", err)
	}
	return string(enc), nil
}

// versionKeys finds a row's versions in the graph: primary-key encoding
// to graph keys, oldest first. Between compactions nearly every row has
// one version, which one map slot holds without a slice; the later
// versions of updated rows go to more. The map keys share the records'
// pk strings.
type versionKeys struct {
	first map[string]uint64
	more  map[string][]uint64
}

func newVersionKeys() versionKeys { return versionKeys{first: map[string]uint64{}} }

func (v *versionKeys) add(pk string, key uint64) {
	if _, ok := v.first[pk]; !ok {
		v.first[pk] = key
		return
	}
	if v.more == nil {
		v.more = map[string][]uint64{}
	}
	v.more[pk] = append(v.more[pk], key)
}

// appendKeys appends the graph keys of pk's versions to buf.
func (v *versionKeys) appendKeys(buf []uint64, pk string) []uint64 {
	k, ok := v.first[pk]
	if !ok {
		return buf
	}
	return append(append(buf, k), v.more[pk]...)
}

// add inserts a row's vector as a node owned by owner (nil and ts 1 for
// rows that predate every reader). NULL vectors are not indexed.
func (vi *vectorIndex) add(tb *catalog.Table, row []types.Datum, owner *vectorTxn, ts uint64) error {
	j, err := vi.addRecord(tb, row, owner, ts)
	if err != nil || j.vi == nil {
		return err
	}
	return j.link()
}

// linkJob is a graph insert whose visibility record is registered.
type linkJob struct {
	vi  *vectorIndex
	key uint64
	vec []float32
}

// addRecord registers the visibility record of a row's new version (and,
// with an owner, the owner's entry for it); the returned job, when its vi
// is set, links the node into the graph. Until it has, searches do not
// find the version, and the tombstone pass waits for it.
func (vi *vectorIndex) addRecord(tb *catalog.Table, row []types.Datum, owner *vectorTxn, ts uint64) (linkJob, error) {
	v, ok := vi.metric.elems(row[vi.col])
	if !ok {
		return linkJob{}, nil
	}
	if in, err := vi.indexes(row); err != nil || !in {
		return linkJob{}, err
	}
	if len(v) != vi.dims && vi.dims > 0 {
		return linkJob{}, pgerror.New(pgerror.CodeDataException, "expected %d dimensions, not %d", vi.dims, len(v))
	}
	pk, err := pkOf(tb, row)
	if err != nil {
		return linkJob{}, err
	}
	info := &nodeInfo{pk: pk, owner: owner}
	info.insertTs.Store(ts)
	key, err := vi.infos.add(info)
	if err != nil {
		return linkJob{}, err
	}
	vi.mu.Lock()
	vi.versions.add(pk, key)
	vi.mu.Unlock()
	if owner != nil {
		owner.entries = append(owner.entries, vectorEntry{info: info, vi: vi, key: key})
	}
	return linkJob{vi: vi, key: key, vec: v}, nil
}

func (j linkJob) link() error { return j.vi.linkNode(j.key, j.vec) }

// linkNode inserts key's vector into the graph and records its node. The
// graph's own failures are PostgreSQL's: 53200 when a chunk's memory
// cannot be mapped, 54000 when the graph is at its node limit.
func (vi *vectorIndex) linkNode(key uint64, v []float32) error {
	node, err := vi.graph.Insert(key, v)
	switch {
	case errors.Is(err, hnsw.ErrNoMemory):
		return pgerror.Wrap(err, "53200", "adding to HNSW index")
	case errors.Is(err, hnsw.ErrFull):
		return pgerror.Wrap(err, pgerror.CodeProgramLimitExceeded, "adding to HNSW index")
	case errors.Is(err, hnsw.ErrExactFile):
		return pgerror.Wrap(err, pgerror.CodeIOError, "adding to HNSW index")
	case err != nil:
		return fmt.Errorf("hnsw insert: %w", err)
	}
	vi.infos.setNode(key, node)
	if info := vi.infos.get(key); info != nil && info.dead() {
		// Rolled back while linking: the tombstone pass may have dropped
		// the key for want of a node (tombstone), so queue it again.
		vi.dying.push(key)
	}
	return nil
}

func (vi *vectorIndex) info(key uint64) *nodeInfo { return vi.infos.get(key) }

// remove marks the version of row that me sees as deleted by me.
func (vi *vectorIndex) remove(tb *catalog.Table, row []types.Datum, me *vectorTxn) error {
	pk, err := pkOf(tb, row)
	if err != nil {
		return err
	}
	var buf [4]uint64
	vi.mu.Lock()
	keys := vi.versions.appendKeys(buf[:0], pk)
	if vi.pend != nil {
		pd := &pendDelete{vt: me}
		vi.pend[pk] = append(vi.pend[pk], pd)
		me.entries = append(me.entries, vectorEntry{vi: vi, pk: pk, pend: pd})
	}
	vi.mu.Unlock()
	for _, k := range keys {
		info := vi.info(k)
		if info != nil && info.visible(me.readTs, me) {
			info.deleter.Store(me)
			me.entries = append(me.entries, vectorEntry{info: info, delete: true, vi: vi, key: k})
		}
	}
	return nil
}

// vectorHit is one search result: the row's key and its graph distance.
type vectorHit struct {
	pk   string    // primary-key encoding
	vec  []float32 // a copy, when asked for: the graph's own memory is freed with the graph, which a hit may outlive
	dist float32
	// value is the ORDER BY operator's result for this row, so the query
	// need not compute the distance again (indexMetric.value).
	value float64
}

// search returns up to k nodes visible to the reader, nearest first; keep,
// when set, further filters candidates (WHERE), and the search goes on
// until k accepted nodes are found or the graph is exhausted.
func (vi *vectorIndex) search(q []float32, k, ef int, readTs uint64, me *vectorTxn, keep func(pk string) (bool, error), withVec bool, st *hnsw.Stats) ([]vectorHit, error) {
	if len(q) != vi.dims {
		return nil, pgerror.New(pgerror.CodeDataException, "different vector dimensions %d and %d", vi.dims, len(q))
	}
	var keepErr error
	accept := func(n hnsw.Node) bool {
		info := vi.info(vi.graph.Key(n))
		if info == nil || !info.visible(readTs, me) {
			return false
		}
		if keep == nil || keepErr != nil {
			return keepErr == nil
		}
		ok, err := keep(info.pk)
		if err != nil {
			keepErr = err
			return false
		}
		return ok
	}
	// All ef accepted nodes the search finds are candidates: the search
	// finds them anyway, and the re-ranking may prefer any of them.
	res, err := vi.graph.Search(q, max(k, ef), ef, accept, st)
	if keepErr != nil {
		return nil, keepErr
	}
	if err != nil {
		return nil, err
	}
	r := vi.ranker(q)
	r.st = st
	pks := make([]string, len(res))
	for i, c := range res {
		pks[i] = vi.info(c.Key).pk
	}
	hits, err := r.top(res, pks, k, withVec)
	if err != nil {
		return nil, err
	}
	if len(res) < k {
		// Short: either fewer than k rows qualify or some are unreachable
		// in the graph; a scan of every node tells, so a k-NN query never
		// misses rows the index holds.
		all, err := vi.exhaustive(r, k, accept, withVec)
		if keepErr != nil {
			return nil, keepErr
		}
		if err != nil {
			return nil, err
		}
		if len(all) > len(hits) {
			hits = all
		}
	}
	return hits, nil
}

// exhaustive returns the k nearest accepted nodes by scanning every node
// record. A graph search comes back short when fewer than k accepted nodes
// are reachable from the entry point (a node can lose all its in-links to
// the neighbour heuristic), so this fallback makes a k-NN query never miss
// rows the index holds. It costs about as much as the filtered search that
// came back short, which had to exhaust the reachable graph already.
func (vi *vectorIndex) exhaustive(r *ranker, k int, accept func(hnsw.Node) bool, withVec bool) ([]vectorHit, error) {
	var best []vectorHit
	n := vi.infos.n.Load()
	for key := uint64(0); key < n; key++ {
		info := vi.infos.get(key)
		node, ok := vi.infos.node(key)
		if info == nil || !ok || info.dead() {
			continue
		}
		if vi.graph.Deleted(node) {
			continue
		}
		d := vi.graph.Distance(r.q, node)
		if r.excluded(best, k, d) {
			continue // before accept, which may read the row
		}
		if !accept(node) {
			continue
		}
		var err error
		if best, _, err = r.consider(best, k, node, info.pk, d, withVec); err != nil {
			return nil, err
		}
	}
	return best, nil
}

// vectorTxn is a transaction's footprint in vector indexes; it is the
// storage.WriteObserver of transactions that write indexed tables.
type vectorTxn struct {
	eng     *Engine
	readTs  uint64
	entries []vectorEntry
	// onCommit runs once the transaction commits (CREATE INDEX installs
	// its graph); created holds those graphs until then, for the creating
	// transaction's own writes and searches.
	onCommit []func()
	onAbort  []func()
	created  map[catalog.ID]*vectorIndex
	// seq orders transactions by start for builds that wait for older
	// writers; building marks a transaction running a build (builds do
	// not wait for each other).
	seq      uint64
	commitTs uint64
	building atomic.Bool
	targets  []*vectorIndex // RowWritten's scratch
	// Parallel graph inserts of a multi-row INSERT (see
	// parallelVectorInserts): between the statement's start and its wait,
	// a new row's graph insert may run on another core while the
	// statement goes on to the next rows. inflight counts them, linkErr
	// keeps the first failure.
	parallel bool
	linked   int // rows handed to RowWritten since parallel was set
	inflight sync.WaitGroup
	nflight  atomic.Int32
	errMu    sync.Mutex
	linkErr  error
}

// parallelVectorInserts lets the graph inserts of the INSERT statement
// running in ec overlap: the statement's goroutine links its first row
// itself (a single-row INSERT starts no goroutine) and hands later rows
// to one of at most GOMAXPROCS-1 helpers when one is free. The
// returned function waits for the helpers and returns the first failure;
// the statement must call it before it completes (and before any later
// statement of the transaction runs), so what a statement leaves in the
// graph is the same as with serial inserts. Commit, rollback and
// savepoint rollback wait too, as a safety net.
func (ec *execCtx) parallelVectorInserts() (wait func() error) {
	vt, _ := ec.txn.Observer().(*vectorTxn)
	if vt == nil || runtime.GOMAXPROCS(0) < 2 {
		return func() error { return nil }
	}
	vt.parallel, vt.linked = true, 0
	return func() error {
		vt.parallel = false
		return vt.waitLinks()
	}
}

// waitLinks waits for the graph inserts handed to helpers and returns
// (and clears) the first failure.
func (vt *vectorTxn) waitLinks() error {
	vt.inflight.Wait()
	vt.errMu.Lock()
	defer vt.errMu.Unlock()
	err := vt.linkErr
	vt.linkErr = nil
	return err
}

// runLinks links jobs, on a helper when the statement allows it and one
// is free, else on the caller's goroutine; it releases the caller's
// shared hold of writeMu once the jobs are done, so compaction and
// checkpoints, which take writeMu exclusively, still never see a write
// half applied.
func (vt *vectorTxn) runLinks(jobs []linkJob) error {
	mu := &vt.eng.vindex.writeMu
	if len(jobs) == 0 {
		mu.RUnlock()
		return nil
	}
	vt.linked++
	if vt.parallel && vt.linked > 1 && int(vt.nflight.Load()) < runtime.GOMAXPROCS(0)-1 {
		// jobs is the write's own slice (recordWrite allocates it), so
		// the helper may keep it.
		vt.nflight.Add(1)
		vt.inflight.Add(1)
		go func() {
			defer vt.inflight.Done()
			defer vt.nflight.Add(-1)
			defer mu.RUnlock()
			for _, j := range jobs {
				if err := j.link(); err != nil {
					vt.errMu.Lock()
					if vt.linkErr == nil {
						vt.linkErr = err
					}
					vt.errMu.Unlock()
					return
				}
			}
		}()
		return nil
	}
	defer mu.RUnlock()
	for _, j := range jobs {
		if err := j.link(); err != nil {
			return err
		}
	}
	return nil
}

// index returns the graph this transaction must use for idx.
func (vt *vectorTxn) index(ctx context.Context, tb *catalog.Table, idx *catalog.Index) (*vectorIndex, error) {
	if vi := vt.created[idx.ID]; vi != nil {
		return vi, nil
	}
	return vt.eng.vectorIndex(ctx, tb, idx)
}

type vectorEntry struct {
	info   *nodeInfo
	delete bool
	// vi and key locate info's node, so its end (a committed delete, a
	// rolled-back insert) queues it for the tombstone pass. A delete
	// recorded while a build scans (info nil, pend set): its row's nodes
	// are found by pk when the transaction ends.
	vi   *vectorIndex
	key  uint64
	pk   string
	pend *pendDelete
}

// endPending settles a delete recorded during a build scan: committed at
// ts (0: rolled back).
func (e vectorEntry) endPending(vt *vectorTxn, ts uint64) {
	vi := e.vi
	vi.mu.Lock()
	defer vi.mu.Unlock()
	if ts == 0 {
		e.pend.aborted = true
	} else {
		e.pend.ts = ts
	}
	for _, k := range vi.versions.appendKeys(nil, e.pk) {
		info := vi.info(k)
		if info == nil || info.deleter.Load() != vt {
			continue
		}
		if ts != 0 {
			info.deleteTs.CompareAndSwap(0, ts)
			vi.dying.push(k)
		}
		info.deleter.CompareAndSwap(vt, nil)
	}
}

// RowWritten implements storage.WriteObserver.
func (vt *vectorTxn) RowWritten(ctx context.Context, tb *catalog.Table, oldRow, newRow []types.Datum) error {
	// Compaction swaps graphs only while no write is being applied: the
	// shared hold lasts until the graph inserts are done (runLinks).
	vt.eng.vindex.writeMu.RLock()
	jobs, err := vt.recordWrite(ctx, tb, oldRow, newRow)
	if err != nil {
		vt.eng.vindex.writeMu.RUnlock()
		return err
	}
	return vt.runLinks(jobs)
}

// recordWrite applies a write's visibility changes to the table's graphs
// and returns the graph inserts of its new version.
func (vt *vectorTxn) recordWrite(ctx context.Context, tb *catalog.Table, oldRow, newRow []types.Datum) ([]linkJob, error) {
	targets := vt.targets[:0]
	for i := range tb.Indexes {
		idx := &tb.Indexes[i]
		if idx.Method != "hnsw" {
			continue
		}
		vi, err := vt.index(ctx, tb, idx)
		if err != nil {
			return nil, err
		}
		targets = append(targets, vi)
	}
	// Graphs being built on the table follow every write too (the same
	// graph twice when the build already committed and this transaction
	// sees it in its catalog).
	targets = vt.eng.buildTargets(tb.ID, vt, targets)
	vt.targets = targets
	var jobs []linkJob
	for _, vi := range targets {
		vi.changes.Add(1)
		if oldRow != nil && newRow != nil && sameVersionKey(vi, tb, oldRow, newRow) {
			// Neither the vector nor the key changed: the node stays,
			// unless the row moved into or out of a partial index.
			inOld, err := vi.indexes(oldRow)
			if err != nil {
				return nil, err
			}
			inNew, err := vi.indexes(newRow)
			if err != nil {
				return nil, err
			}
			if inOld == inNew {
				continue
			}
		}
		if oldRow != nil {
			if err := vi.remove(tb, oldRow, vt); err != nil {
				return nil, err
			}
		}
		if newRow != nil {
			j, err := vi.addRecord(tb, newRow, vt, 0)
			if err != nil {
				return nil, err
			}
			if j.vi != nil {
				jobs = append(jobs, j)
			}
		}
	}
	return jobs, nil
}

func sameVersionKey(vi *vectorIndex, tb *catalog.Table, a, b []types.Datum) bool {
	for _, c := range append([]int{vi.col}, tb.PrimaryKey...) {
		x, y := a[c], b[c]
		if types.IsNull(x) != types.IsNull(y) {
			return false
		}
		if !types.IsNull(x) && types.Compare(tb.Columns[c].Type, x, y) != 0 {
			return false
		}
	}
	return true
}

// Committed implements storage.WriteObserver.
func (vt *vectorTxn) Committed(ts uint64) {
	// Statements wait for their graph inserts before they complete, so
	// this finds none running (and their errors were reported).
	vt.inflight.Wait()
	vt.commitTs = ts
	for _, e := range vt.entries {
		if e.pend != nil {
			e.endPending(vt, ts)
		} else if e.delete {
			e.info.deleteTs.Store(ts)
			e.info.deleter.Store(nil)
			e.vi.dying.push(e.key)
		} else {
			e.info.insertTs.Store(ts)
		}
	}
	vt.entries = nil
	for _, f := range vt.onCommit {
		f()
	}
	vt.onCommit = nil
	vt.onAbort = nil
	vt.created = nil
	vt.eng.untrack(vt)
}

// Aborted implements storage.WriteObserver.
func (vt *vectorTxn) Aborted() {
	vt.RollbackTo(0)
	for _, f := range vt.onAbort {
		f()
	}
	vt.onAbort = nil
	vt.onCommit = nil
	vt.created = nil
	vt.eng.untrack(vt)
}

// Savepoint implements storage.WriteObserver.
func (vt *vectorTxn) Savepoint() int { return len(vt.entries) }

// RollbackTo implements storage.WriteObserver.
func (vt *vectorTxn) RollbackTo(mark int) {
	// A failed statement may leave graph inserts running; their rows go.
	_ = vt.waitLinks()
	for _, e := range vt.entries[mark:] {
		if e.pend != nil {
			e.endPending(vt, 0)
		} else if e.delete {
			e.info.deleter.CompareAndSwap(vt, nil)
		} else {
			e.info.kill()
			e.vi.dying.push(e.key)
		}
	}
	vt.entries = vt.entries[:mark]
}

// loadedIndex is one registry entry: ready closes once vi (or err) is
// set, so the first user loads the graph while later users of the same
// index wait, and users of other indexes do not.
type loadedIndex struct {
	ready chan struct{}
	vi    *vectorIndex
	err   error
	// missing: the last maintenance pass did not find the index in the
	// catalog (guarded by vectorIndexes.mu).
	missing bool
}

// vectorIndex returns the loaded index, loading its checkpoint (or
// building it from the table) the first time it is needed after a start.
// Writers of the table wait for that, so no row version is missed: a
// version committed before the load's snapshot is in the table scan, a
// later one is registered by its writer after the load.
func (e *Engine) vectorIndex(ctx context.Context, tb *catalog.Table, idx *catalog.Index) (*vectorIndex, error) {
	e.vindex.mu.Lock()
	li := e.vindex.byIndex[idx.ID]
	if li == nil {
		li = &loadedIndex{ready: make(chan struct{})}
		if e.vindex.byIndex == nil {
			e.vindex.byIndex = map[catalog.ID]*loadedIndex{}
		}
		e.vindex.byIndex[idx.ID] = li
		e.vindex.mu.Unlock()
		li.vi, li.err = e.loadVectorIndex(ctx, tb, idx)
		if li.err != nil {
			// Forget the failure so a later statement tries again.
			e.vindex.mu.Lock()
			if e.vindex.byIndex[idx.ID] == li {
				delete(e.vindex.byIndex, idx.ID)
			}
			e.vindex.mu.Unlock()
		}
		close(li.ready)
		if li.err == nil {
			e.startMaintenance()
		}
		return li.vi, li.err
	}
	e.vindex.mu.Unlock()
	select {
	case <-li.ready:
		return li.vi, li.err
	case <-ctx.Done():
		return nil, canceled(ctx.Err())
	}
}

func (e *Engine) loadVectorIndex(ctx context.Context, tb *catalog.Table, idx *catalog.Index) (vi *vectorIndex, err error) {
	err = e.store.BulkRead(func() error {
		vi, err = e.readVectorIndex(ctx, tb, idx)
		return err
	})
	return vi, err
}

// readVectorIndex restores an index from its checkpoint and the table, or
// builds it from the table when there is no usable checkpoint.
func (e *Engine) readVectorIndex(ctx context.Context, tb *catalog.Table, idx *catalog.Index) (*vectorIndex, error) {
	txn := e.store.Begin()
	defer txn.Rollback()
	cat, err := txn.Catalog()
	if err != nil {
		return nil, err
	}
	dir, err := e.store.ScratchDir()
	if err != nil {
		return nil, err
	}
	vi, err := newVectorIndex(cat, tb, idx, dir)
	if err != nil {
		return nil, err
	}
	switch err := vi.loadCheckpoint(ctx, txn, tb, idx); {
	case errors.Is(err, errNoCheckpoint):
		if vi, err = newVectorIndex(cat, tb, idx, dir); err != nil {
			return nil, err
		}
		if err := vi.build(ctx, txn, tb); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	}
	return vi, nil
}

// registerVectorIndex installs an index built by CREATE INDEX or REINDEX
// once the creating transaction commits.
func (e *Engine) registerVectorIndex(id catalog.ID, vi *vectorIndex) {
	li := &loadedIndex{ready: make(chan struct{}), vi: vi}
	close(li.ready)
	e.vindex.mu.Lock()
	defer e.vindex.mu.Unlock()
	if e.vindex.byIndex == nil {
		e.vindex.byIndex = map[catalog.ID]*loadedIndex{}
	}
	e.vindex.byIndex[id] = li
	e.startMaintenance()
}

// efSearch reads hnsw.ef_search (pgvector's default 40).
func (s *Session) efSearch() int {
	v, err := strconv.Atoi(s.Setting0("hnsw.ef_search"))
	if err != nil || v < 1 {
		return 40
	}
	return v
}

// datum wraps a node's vector as a value of the indexed column's type.
func (vi *vectorIndex) datum(v []float32) types.Datum {
	switch vi.metric.family {
	case types.FamHalfvec:
		return types.DHalfvec(v)
	case types.FamBit:
		return bitsOf(v)
	}
	return types.DVector(v)
}
