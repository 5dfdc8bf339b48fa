// Package hnsw owns Quiver's in-memory HNSW graph (Malkov & Yashunin): level
// generation, greedy descent, the neighbour-selection heuristic, concurrent
// inserts with striped neighbour-list locks, tombstones, and filter-aware
// search that keeps going until enough matching nodes are found.
// Persistence and transactional visibility live above it.
package hnsw

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/quiverdb/quiver/index/chunkdir"
	"github.com/quiverdb/quiver/index/vecmath"
)

// Node identifies a vector inside one graph (dense, from 0).
type Node uint32

// DistanceFunc returns the distance the index orders by (smaller is
// closer). It must not retain its arguments.
type DistanceFunc func(a, b []float32) float32

// HalfDistanceFunc is DistanceFunc with b in half precision
// (vecmath.L2SquaredHalf and its siblings); it must agree with the
// DistanceFunc on b widened.
type HalfDistanceFunc func(a []float32, b []uint16) float32

// Config configures a graph. Zero values take pgvector's defaults.
type Config struct {
	Dims           int
	M              int // max neighbours per node above layer 0 (layer 0: 2M)
	EfConstruction int
	Distance       DistanceFunc
	Seed           uint64
	// HalfDistance and ExactDir, both set, make the graph keep its
	// vectors in half precision: vectors are most of a graph's memory,
	// and a search's ranking barely changes at half precision. The
	// full-precision vectors go to an unlinked file in ExactDir (read
	// back with pread, so they cost page cache the kernel may reclaim,
	// not the server's own memory), for the caller to re-rank the
	// results by their exact distances (Exact, HalfError).
	HalfDistance HalfDistanceFunc
	ExactDir     string
	// Lossless, with HalfDistance, says the vectors are half precision
	// values already (a halfvec column's): the graph keeps them in half
	// precision with no file, and Exact widens them.
	Lossless bool
}

const (
	chunkBits  = 10
	chunkSize  = 1 << chunkBits
	maxChunks  = 1 << 16 // 67M nodes per graph
	lockStripe = 1024    // neighbour-list locks: 8 KB a graph, ample for a build on all cores
)

// chunk holds chunkSize nodes contiguously: vectors, levels, links.
//
// Neighbour lists are fixed-capacity arrays of atomic words, [count,
// n1, ..., nmax] per node and layer: layer 0 of the whole chunk is one
// flat array (a node's list is one or two cache lines, no pointer to
// chase), upper layers (a node has one only with probability 1/m) are
// allocated per node. Writers change a list under the node's stripe
// lock, storing the entries before the count; searches read without any
// lock. A reader racing with a writer may see a mix of the old and the
// new list, but every entry it sees is a node whose vector was stored
// before it was linked, which is all a search needs.
type chunk struct {
	seg    *segment           // the memory the arrays below point into
	vecs   []float32          // chunkSize * dims, unless the graph is half
	halves []uint16           // chunkSize * dims, if the graph is half
	levels []int8             // top layer of each node
	l0     []atomic.Uint32    // chunkSize * (m0+1): layer-0 lists
	upper  []*[]atomic.Uint32 // nil for nodes on layer 0 only: 8 bytes each, not a slice's 24
	keys   []uint64           // caller's key for each node
	dead   []atomic.Bool
}

// Graph is an HNSW graph. Insert and Search may run concurrently.
type Graph struct {
	dims      int
	m, m0     int
	efC       int
	mult      float64
	dist      DistanceFunc
	halfDist  HalfDistanceFunc // set when vectors are kept in half precision
	exact     *exactFile       // the full-precision vectors of a half graph
	halfErr   halfErrors
	chunks    chunkdir.Dir[chunk]
	count     atomic.Uint32
	alloc     chunkAllocator // used only inside chunks.LoadOrStore, which serialises it
	locks     [lockStripe]sync.Mutex
	entryMu   sync.Mutex    // serialises entry point changes
	entry     atomic.Uint64 // packEntry(entry, top layer); 0 while empty
	rngMu     sync.Mutex
	rng       *rand.Rand
	visitPool sync.Pool
	deleted   atomic.Int64
	// Test hooks: levelOf overrides the random level of a new node;
	// linked runs after a node's links at a layer are published.
	levelOf func() int
	linked  func(n Node, l int)
}

// ErrDims reports a vector of the wrong length.
var ErrDims = errors.New("hnsw: vector has the wrong number of dimensions")

// ErrFull reports a graph at its node limit; ErrNoMemory a chunk whose
// memory could not be mapped.
var (
	ErrFull     = errors.New("hnsw: graph is full")
	ErrNoMemory = errors.New("hnsw: out of memory")
)

// New creates an empty graph. It fails only when a half-precision graph
// cannot create its file of exact vectors.
func New(cfg Config) (*Graph, error) {
	if cfg.M == 0 {
		cfg.M = 16
	}
	if cfg.EfConstruction == 0 {
		cfg.EfConstruction = 64
	}
	g := &Graph{
		dims: cfg.Dims,
		m:    cfg.M,
		m0:   2 * cfg.M,
		efC:  cfg.EfConstruction,
		mult: 1 / math.Log(float64(cfg.M)),
		dist: cfg.Distance,
		rng:  rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
	}
	switch {
	case cfg.HalfDistance != nil && cfg.Lossless:
		g.halfDist = cfg.HalfDistance
	case cfg.HalfDistance != nil && cfg.ExactDir != "":
		f, err := createExactFile(cfg.ExactDir, cfg.Dims)
		if err != nil {
			return nil, err
		}
		g.halfDist, g.exact = cfg.HalfDistance, f
	}
	return g, nil
}

// Half reports whether the graph keeps its vectors in half precision.
func (g *Graph) Half() bool { return g.halfDist != nil }

// Len returns the number of nodes (including deleted ones).
func (g *Graph) Len() int { return int(g.count.Load()) }

// Dims returns the vector length.
func (g *Graph) Dims() int { return g.dims }

func (g *Graph) chunkOf(n Node) (*chunk, int) {
	return g.chunks.Load(int(n >> chunkBits)), int(n & (chunkSize - 1))
}

// Exact returns node n's vector at full precision: the graph's own
// memory for a float32 graph (shared; do not modify), or the vector read
// into buf for a half one.
func (g *Graph) Exact(n Node, buf []float32) ([]float32, error) {
	switch {
	case g.halfDist == nil:
		c, i := g.chunkOf(n)
		return c.vecs[i*g.dims : (i+1)*g.dims : (i+1)*g.dims], nil
	case g.exact == nil:
		return g.stored(n, buf), nil
	}
	return g.exact.read(n, buf)
}

// stored returns node n's vector as the graph holds it, widened into buf
// for a half graph.
func (g *Graph) stored(n Node, buf []float32) []float32 {
	c, i := g.chunkOf(n)
	if g.halfDist == nil {
		return c.vecs[i*g.dims : (i+1)*g.dims : (i+1)*g.dims]
	}
	buf = slices.Grow(buf[:0], g.dims)[:g.dims]
	vecmath.DecodeHalf(buf, c.halves[i*g.dims:(i+1)*g.dims])
	return buf
}

// Distance returns the graph's distance from q to node n: the distance to
// the rounded vector in a half graph.
func (g *Graph) Distance(q []float32, n Node) float32 {
	c, i := g.chunkOf(n)
	if g.halfDist != nil {
		return g.halfDist(q, c.halves[i*g.dims:(i+1)*g.dims:(i+1)*g.dims])
	}
	return g.dist(q, c.vecs[i*g.dims:(i+1)*g.dims:(i+1)*g.dims])
}

// prefetch starts loading node n's vector into cache.
func (g *Graph) prefetch(n Node) {
	c, i := g.chunkOf(n)
	if g.halfDist != nil {
		vecmath.PrefetchHalf(c.halves[i*g.dims : (i+1)*g.dims])
		return
	}
	vecmath.Prefetch(c.vecs[i*g.dims : (i+1)*g.dims])
}

// Key returns the caller's key of node n.
func (g *Graph) Key(n Node) uint64 {
	c, i := g.chunkOf(n)
	return c.keys[i]
}

// Deleted reports whether node n is tombstoned.
func (g *Graph) Deleted(n Node) bool {
	c, i := g.chunkOf(n)
	return c.dead[i].Load()
}

// Delete tombstones node n: searches skip it as a result but still route
// through it, so the graph stays connected until it is repaired.
func (g *Graph) Delete(n Node) {
	c, i := g.chunkOf(n)
	if !c.dead[i].Swap(true) {
		g.deleted.Add(1)
	}
}

// DeletedCount is the number of tombstoned nodes.
func (g *Graph) DeletedCount() int { return int(g.deleted.Load()) }

// The entry point and the top layer are one atomic word, so searches
// read them without a lock (an RWMutex's reader count is a cache line
// every search on every core would write).
func packEntry(n Node, level int) uint64 { return 1<<40 | uint64(level)<<32 | uint64(n) }

func (g *Graph) loadEntry() (n Node, level int, ok bool) {
	w := g.entry.Load()
	return Node(uint32(w)), int(w >> 32 & 0xff), w != 0
}

func (g *Graph) lock(n Node) *sync.Mutex { return &g.locks[uint32(n)%lockStripe] }

// list returns node n's neighbour list at layer l: word 0 is the count.
func (g *Graph) list(n Node, l int) []atomic.Uint32 {
	c, i := g.chunkOf(n)
	if l == 0 {
		w := g.m0 + 1
		return c.l0[i*w : (i+1)*w : (i+1)*w]
	}
	w := g.m + 1
	return (*c.upper[i])[(l-1)*w : l*w : l*w]
}

// links returns a copy of n's neighbour list at layer l (no lock: see
// chunk).
func (g *Graph) links(n Node, l int, buf []Node) []Node {
	ls := g.list(n, l)
	cnt := min(int(ls[0].Load()), len(ls)-1)
	buf = buf[:0]
	for j := 1; j <= cnt; j++ {
		buf = append(buf, Node(ls[j].Load()))
	}
	return buf
}

// storeLinks replaces n's list at layer l; the caller holds n's lock.
func storeLinks(ls []atomic.Uint32, nodes []Node) {
	for j, x := range nodes {
		ls[j+1].Store(uint32(x))
	}
	ls[0].Store(uint32(len(nodes)))
}

func (g *Graph) randomLevel() int {
	g.rngMu.Lock()
	u := g.rng.Float64()
	g.rngMu.Unlock()
	if u == 0 {
		u = math.SmallestNonzeroFloat64
	}
	l := int(-math.Log(u) * g.mult)
	if l > 31 {
		l = 31
	}
	return l
}

// allocate reserves a node slot and stores its vector and key. A slot is
// taken only once its chunk exists, so a failed allocation (out of
// memory, a full graph) leaves no slot below Len() without memory behind
// it for Key, Vector or a checkpoint to trip over.
func (g *Graph) allocate(key uint64, vec []float32, level int) (Node, error) {
	var n Node
	var c *chunk
	for {
		cur := g.count.Load()
		ci := int(cur >> chunkBits)
		if ci >= maxChunks {
			return 0, ErrFull
		}
		var err error
		c, err = g.chunks.LoadOrStore(ci, func() (*chunk, error) {
			return g.alloc.newChunk(g.dims, g.m0, g.halfDist != nil)
		})
		if err != nil {
			return 0, err
		}
		if g.count.CompareAndSwap(cur, cur+1) {
			n = Node(cur)
			break
		}
	}
	i := int(n & (chunkSize - 1))
	if vec != nil { // nil: a restored node's placeholder (Restore)
		if err := g.storeVector(n, vec); err != nil {
			// The slot stays taken: tombstoned, no search returns it.
			g.Delete(n)
			return 0, err
		}
	}
	c.levels[i] = int8(level)
	c.keys[i] = key
	if level > 0 {
		// Published before n is linked anywhere (links are atomic
		// stores), so searches that reach n see it.
		ls := make([]atomic.Uint32, level*(g.m+1))
		c.upper[i] = &ls
	}
	return n, nil
}

// storeVector writes node n's vector: in half precision plus the exact
// file for a half graph.
func (g *Graph) storeVector(n Node, vec []float32) error {
	c, i := g.chunkOf(n)
	if g.halfDist == nil {
		copy(c.vecs[i*g.dims:(i+1)*g.dims], vec)
		return nil
	}
	g.halfErr.note(encodeClamped(c.halves[i*g.dims:(i+1)*g.dims], vec))
	if g.exact == nil {
		return nil
	}
	return g.exact.write(n, vec)
}

func (g *Graph) level(n Node) int {
	c, i := g.chunkOf(n)
	return int(c.levels[i])
}

// Insert adds a vector under the caller's key and links it into the graph.
func (g *Graph) Insert(key uint64, vec []float32) (Node, error) {
	if len(vec) != g.dims {
		return 0, ErrDims
	}
	level := g.randomLevel()
	if g.levelOf != nil {
		level = g.levelOf()
	}
	n, err := g.allocate(key, vec, level)
	if err != nil {
		return 0, err
	}
	entry, maxLevel, has := g.loadEntry()
	if !has {
		g.entryMu.Lock()
		if entry, maxLevel, has = g.loadEntry(); !has {
			g.entry.Store(packEntry(n, level))
			g.entryMu.Unlock()
			return n, nil
		}
		g.entryMu.Unlock()
	}
	q := vec
	ep := entry
	epDist := g.Distance(q, ep)
	vs := g.getVisited()
	defer g.putVisited(vs)
	// A new node on layer 0 only routes through layer 1 with a beam, as
	// Search does; it costs little and gives better neighbours.
	beam := level == 0 && maxLevel >= 1
	greedyTo := level + 1
	if beam {
		greedyTo = 2
	}
	for l := maxLevel; l >= greedyTo; l-- {
		ep, epDist = g.greedy(q, ep, epDist, l)
	}
	vs.found = append(vs.found[:0], candidate{ep, epDist})
	if beam {
		vs.found = g.searchLayer(q, vs.found, routeBeam, 1, vs, nil, nil)
		if len(vs.found) == 0 {
			vs.found = append(vs.found, candidate{ep, epDist})
		}
	}
	// Neighbours are chosen top-down but published bottom-up: a node
	// becomes reachable at a layer only once its lower layers are linked.
	// Published top-down, a concurrent insert whose greedy descent ended
	// at this node would search the next layer from a node with no links
	// yet and link itself to that node alone, on every layer below.
	top := min(level, maxLevel)
	if cap(vs.layers) <= top {
		vs.layers = make([][]candidate, top+1)
	}
	vs.layers = vs.layers[:top+1]
	for l := top; l >= 0; l-- {
		vs.next() // each layer is searched afresh
		vs.found = g.searchLayer(q, vs.found, g.efC, l, vs, nil, nil)
		vs.layers[l] = g.selectHeuristic(vs.found, g.m, vs.layers[l][:0], &vs.vec)
	}
	for l := 0; l <= top; l++ {
		maxN := g.m
		if l == 0 {
			maxN = g.m0
		}
		g.setLinks(n, l, vs.layers[l], maxN, vs)
		for _, nb := range vs.layers[l] {
			g.addLink(nb.node, n, nb.dist, l, maxN, vs)
		}
		if g.linked != nil {
			g.linked(n, l)
		}
	}
	if level > maxLevel {
		g.entryMu.Lock()
		if _, top, _ := g.loadEntry(); level > top {
			g.entry.Store(packEntry(n, level))
		}
		g.entryMu.Unlock()
	}
	return n, nil
}

// setLinks gives n its selected neighbours at layer l, keeping links that
// concurrent inserters added to n meanwhile (n is reachable from upper
// layers before its lower layers are linked).
func (g *Graph) setLinks(n Node, l int, cs []candidate, maxN int, vs *visited) {
	mu := g.lock(n)
	mu.Lock()
	defer mu.Unlock()
	vs.prev = g.links(n, l, vs.prev)
	ls := vs.nodes[:0]
	for _, x := range cs {
		ls = append(ls, x.node)
	}
	for _, p := range vs.prev {
		if len(ls) >= maxN {
			break
		}
		if !slices.Contains(ls, p) {
			ls = append(ls, p)
		}
	}
	storeLinks(g.list(n, l), ls)
	vs.nodes = ls
}

// addLink adds to -> from's list at layer l, shrinking the list with the
// heuristic when it overflows (hnswlib's mutuallyConnectNewElement).
func (g *Graph) addLink(from, to Node, d float32, l, maxN int, vs *visited) {
	mu := g.lock(from)
	mu.Lock()
	defer mu.Unlock()
	list := g.list(from, l)
	cnt := min(int(list[0].Load()), maxN)
	for j := 1; j <= cnt; j++ {
		if Node(list[j].Load()) == to {
			return
		}
	}
	if cnt < maxN {
		list[cnt+1].Store(uint32(to))
		list[0].Store(uint32(cnt + 1))
		return
	}
	vs.from = g.stored(from, vs.from)
	cands := append(vs.cands[:0], candidate{to, d})
	for j := 1; j <= cnt; j++ {
		x := Node(list[j].Load())
		cands = append(cands, candidate{x, g.Distance(vs.from, x)})
	}
	sortCandidates(cands)
	kept := g.selectHeuristic(cands, maxN, vs.kept[:0], &vs.vec)
	ls := vs.nodes[:0]
	for _, k := range kept {
		ls = append(ls, k.node)
	}
	storeLinks(list, ls)
	vs.cands, vs.kept, vs.nodes = cands, kept, ls
}

// greedy walks layer l from ep to the closest node it can reach.
func (g *Graph) greedy(q []float32, ep Node, epDist float32, l int) (Node, float32) {
	for changed := true; changed; {
		changed = false
		ls := g.list(ep, l)
		cnt := min(int(ls[0].Load()), len(ls)-1)
		for j := 1; j <= cnt; j++ {
			nb := Node(ls[j].Load())
			if d := g.Distance(q, nb); d < epDist {
				ep, epDist, changed = nb, d, true
			}
		}
	}
	return ep, epDist
}

// selectHeuristic is the paper's neighbour-selection heuristic (algorithm
// 4 without extension): keep a candidate only if it is closer to the base
// than to every neighbour already kept, which spreads links across
// directions. cands must be sorted by distance to the base; the result is
// appended to out; buf is scratch for a half graph's widened vectors.
func (g *Graph) selectHeuristic(cands []candidate, m int, out []candidate, buf *[]float32) []candidate {
	if len(cands) <= m {
		return append(out, cands...)
	}
	for _, c := range cands {
		if len(out) >= m {
			break
		}
		cv := g.stored(c.node, *buf)
		*buf = cv
		good := true
		for _, s := range out {
			if g.Distance(cv, s.node) < c.dist {
				good = false
				break
			}
		}
		if good {
			out = append(out, c)
		}
	}
	return out
}
