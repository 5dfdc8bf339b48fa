package hnsw

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/quiverdb/quiver/index/vecmath"
)

func l2(a, b []float32) float32 {
	var s float32
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return s
}

// mixture is a Gaussian mixture, like real embeddings; data and queries
// are drawn from the same one.
type mixture [][]float32

func newMixture(rng *rand.Rand, dims, clusters int) mixture {
	centres := make(mixture, clusters)
	for c := range centres {
		centres[c] = make([]float32, dims)
		for d := range centres[c] {
			centres[c][d] = float32(rng.NormFloat64() * 3)
		}
	}
	return centres
}

func (centres mixture) draw(rng *rand.Rand, n int) [][]float32 {
	dims := len(centres[0])
	clusters := len(centres)
	out := make([][]float32, n)
	for i := range out {
		c := centres[rng.IntN(clusters)]
		v := make([]float32, dims)
		for d := range v {
			v[d] = c[d] + float32(rng.NormFloat64())
		}
		out[i] = v
	}
	return out
}

func bruteForce(data [][]float32, q []float32, k int, accept func(int) bool) []int {
	idx := make([]int, 0, len(data))
	for i := range data {
		if accept == nil || accept(i) {
			idx = append(idx, i)
		}
	}
	sort.Slice(idx, func(a, b int) bool { return l2(q, data[idx[a]]) < l2(q, data[idx[b]]) })
	if len(idx) > k {
		idx = idx[:k]
	}
	return idx
}

func recall(got []Result, want []int) float64 {
	set := map[uint64]bool{}
	for _, w := range want {
		set[uint64(w)] = true
	}
	hit := 0
	for _, g := range got {
		if set[g.Key] {
			hit++
		}
	}
	if len(want) == 0 {
		return 1
	}
	return float64(hit) / float64(len(want))
}

func build(t *testing.T, data [][]float32, workers int) *Graph {
	t.Helper()
	g := mustNew(t, Config{Dims: len(data[0]), Distance: l2, Seed: 42})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	next := 0
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= len(data) {
					return
				}
				if _, err := g.Insert(uint64(i), data[i]); err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}
	return g
}

func TestRecall(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	mix := newMixture(rng, 32, 50)
	data := mix.draw(rng, 10000)
	queries := mix.draw(rng, 200)
	g := build(t, data, 2)
	if r := meanRecall(t, g, data, queries, nil); r < 0.95 {
		t.Fatalf("recall@10 at ef 40 = %.3f, want >= 0.95", r)
	}
}

// meanRecall is g's mean recall@10 at ef 40 over queries; check, when
// set, inspects each query's results.
func meanRecall(t *testing.T, g *Graph, data, queries [][]float32, check func(q []float32, res []Result)) float64 {
	t.Helper()
	var total float64
	for _, q := range queries {
		res, err := g.Search(q, 10, 40, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if check != nil {
			check(q, res)
		}
		total += recall(res, bruteForce(data, q, 10, nil))
	}
	return total / float64(len(queries))
}

// TestFilteredSearchNeverShort checks that a selective filter still
// yields k rows whenever k rows match.
func TestFilteredSearchNeverShort(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	mix := newMixture(rng, 16, 20)
	data := mix.draw(rng, 5000)
	g := build(t, data, 1)
	accept := func(i int) bool { return i%100 == 7 } // 1% selectivity
	for qi, q := range mix.draw(rng, 20) {
		res, err := g.Search(q, 10, 40, func(n Node) bool { return accept(int(g.Key(n))) }, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 10 {
			t.Fatalf("query %d: %d results, want 10", qi, len(res))
		}
		for _, r := range res {
			if !accept(int(r.Key)) {
				t.Fatalf("query %d: result %d fails the filter", qi, r.Key)
			}
		}
		if rc := recall(res, bruteForce(data, q, 10, accept)); rc < 0.9 {
			t.Errorf("query %d: filtered recall %.2f", qi, rc)
		}
	}
}

func TestDeletedNodesNeverReturned(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	mix := newMixture(rng, 16, 10)
	data := mix.draw(rng, 3000)
	g := build(t, data, 2)
	for i := 0; i < len(data); i += 2 {
		g.Delete(Node(i)) // node ids follow insertion order with one worker... keys decide below
	}
	for _, q := range mix.draw(rng, 20) {
		res, err := g.Search(q, 10, 40, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 10 {
			t.Fatalf("%d results, want 10", len(res))
		}
		for _, r := range res {
			if g.Deleted(r.Node) {
				t.Fatalf("deleted node %d returned", r.Node)
			}
		}
	}
	if g.DeletedCount() != len(data)/2 {
		t.Fatalf("deleted count %d", g.DeletedCount())
	}
}

func TestWrongDimensions(t *testing.T) {
	g := mustNew(t, Config{Dims: 3, Distance: l2})
	if _, err := g.Insert(1, []float32{1, 2}); err != ErrDims {
		t.Fatalf("insert: %v", err)
	}
	if _, err := g.Search([]float32{1}, 1, 1, nil, nil); err != ErrDims {
		t.Fatalf("search: %v", err)
	}
	if res, err := g.Search([]float32{1, 2, 3}, 5, 10, nil, nil); err != nil || len(res) != 0 {
		t.Fatalf("empty graph: %v %v", res, err)
	}
}

func TestExportRestore(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	mix := newMixture(rng, 16, 10)
	data := mix.draw(rng, 2000)
	g := build(t, data, 2)
	r := mustNew(t, Config{Dims: 16, Distance: l2, Seed: 1})
	for n := Node(0); int(n) < g.Len(); n++ {
		links := make([][]Node, g.Level(n)+1)
		for l := range links {
			links[l] = append([]Node(nil), g.Links(n, l)...)
		}
		if _, err := r.Restore(g.Key(n), mustExact(t, g, n), links, Node(g.Len())); err != nil {
			t.Fatal(err)
		}
	}
	e, lvl, _ := g.Entry()
	r.SetEntry(e, lvl)
	for _, q := range mix.draw(rng, 20) {
		a, _ := g.Search(q, 10, 40, nil, nil)
		b, _ := r.Search(q, 10, 40, nil, nil)
		if len(a) != len(b) {
			t.Fatalf("restored graph returns %d results, original %d", len(b), len(a))
		}
		for i := range a {
			if a[i].Key != b[i].Key {
				t.Fatalf("result %d differs: %d vs %d", i, a[i].Key, b[i].Key)
			}
		}
	}
}

// TestSearchWhileInserting runs searches during concurrent inserts (the
// lists are read without locks): every result is a node inserted under
// its key, with its true distance, in ascending order. Run with -race.
func TestSearchWhileInserting(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	mix := newMixture(rng, 16, 20)
	data := mix.draw(rng, 4000)
	queries := mix.draw(rng, 50)
	g := mustNew(t, Config{Dims: 16, Distance: l2, Seed: 7})
	done := make(chan struct{})
	var searchers sync.WaitGroup
	errs := make(chan string, 4)
	for w := 0; w < 2; w++ {
		searchers.Add(1)
		go func(w int) {
			defer searchers.Done()
			for i := w; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				q := queries[i%len(queries)]
				res, err := g.Search(q, 10, 20, nil, nil)
				if err != nil {
					errs <- err.Error()
					return
				}
				for j, r := range res {
					if r.Key >= uint64(len(data)) || l2(data[r.Key], q) != r.Dist || (j > 0 && r.Dist < res[j-1].Dist) {
						errs <- fmt.Sprintf("bad result %+v for query %d", r, i%len(queries))
						return
					}
				}
			}
		}(w)
	}
	var inserters sync.WaitGroup
	for w := 0; w < 2; w++ {
		inserters.Add(1)
		go func(w int) {
			defer inserters.Done()
			for i := w; i < len(data); i += 2 {
				if _, err := g.Insert(uint64(i), data[i]); err != nil {
					errs <- err.Error()
					return
				}
			}
		}(w)
	}
	inserters.Wait()
	close(done)
	searchers.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}

// TestInsertThroughHalfLinkedNode inserts a node whose greedy descent
// ends at a node another insert is still linking: the new node must
// still find its real neighbourhood, not link to that one node alone
// (which happens when links are published top layer first).
func TestInsertThroughHalfLinkedNode(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	g := mustNew(t, Config{Dims: 2, M: 4, EfConstruction: 32, Distance: l2, Seed: 1})
	levels := []int{2} // node 0 is the only node on layer 2 at first
	for range 400 {
		levels = append(levels, rng.IntN(2))
	}
	g.levelOf = func() int { l := levels[0]; levels = levels[1:]; return l }
	if _, err := g.Insert(0, []float32{-100, -100}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 400; i++ {
		if _, err := g.Insert(uint64(i), []float32{rng.Float32() * 10, rng.Float32() * 10}); err != nil {
			t.Fatal(err)
		}
	}
	a := Node(g.Len())
	var x Node
	g.levelOf = func() int { return 2 } // a reaches layer 2
	g.linked = func(n Node, l int) {
		if n != a || l != 2 {
			return
		}
		// a is now reachable on layer 2; x, next to it, descends to it.
		g.levelOf = func() int { return 1 }
		var err error
		if x, err = g.Insert(1001, []float32{5.01, 5.01}); err != nil {
			t.Error(err)
		}
	}
	if _, err := g.Insert(1000, []float32{5, 5}); err != nil {
		t.Fatal(err)
	}
	if x == 0 {
		t.Fatal("the second insert did not run")
	}
	for l := 0; l <= 1; l++ {
		if got := g.Links(x, l); len(got) < 2 {
			t.Errorf("layer %d: node inserted through a half-linked node has links %v, want its neighbourhood", l, got)
		}
	}
}

// TestRestoreVectorsAndDetach restores a graph without vectors, sets the
// vectors of two thirds of its nodes (RestoreVector) and detaches the
// rest, as a checkpoint load does with rows it cannot read any more. The
// detached nodes' placeholder vectors are NaN, and the distance function
// fails the test if a search ever measures one; the remaining nodes are
// still found (recall against brute force over them).
func TestRestoreVectorsAndDetach(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	mix := newMixture(rng, 16, 10)
	data := mix.draw(rng, 3000)
	g := build(t, data, 2)
	gone := func(n Node) bool { return g.Key(n)%3 == 0 }
	measuredGone := false
	dist := func(a, b []float32) float32 {
		if math.IsNaN(float64(b[0])) {
			measuredGone = true
		}
		return l2(a, b)
	}
	r := mustNew(t, Config{Dims: 16, Distance: dist, Seed: 1})
	placeholder := make([]float32, 16)
	placeholder[0] = float32(math.NaN())
	for n := Node(0); int(n) < g.Len(); n++ {
		links := make([][]Node, g.Level(n)+1)
		for l := range links {
			links[l] = g.Links(n, l)
		}
		if _, err := r.Restore(g.Key(n), placeholder, links, Node(g.Len())); err != nil {
			t.Fatal(err)
		}
	}
	e, lvl, _ := g.Entry()
	r.SetEntry(e, lvl)
	for n := Node(0); int(n) < r.Len(); n++ {
		if !gone(n) {
			if err := r.RestoreVector(n, mustExact(t, g, n)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := r.RestoreVector(Node(r.Len()), data[0]); err == nil {
		t.Fatal("RestoreVector accepted a node beyond the graph")
	}
	r.Detach(gone)
	if e, _, ok := r.Entry(); !ok || gone(e) {
		t.Fatalf("entry point %d (ok %v) is detached", e, ok)
	}
	for n := Node(0); int(n) < r.Len(); n++ {
		if gone(n) != r.Deleted(n) {
			t.Fatalf("node %d: detached %v, tombstoned %v", n, gone(n), r.Deleted(n))
		}
		for l := 0; l <= r.Level(n) && !gone(n); l++ {
			for _, x := range r.Links(n, l) {
				if gone(x) {
					t.Fatalf("node %d still links to detached node %d at layer %d", n, x, l)
				}
			}
		}
	}
	var total float64
	queries := mix.draw(rng, 50)
	for _, q := range queries {
		res, err := r.Search(q, 10, 40, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		total += recall(res, bruteForce(data, q, 10, func(i int) bool { return i%3 != 0 }))
	}
	if measuredGone {
		t.Fatal("a search measured the distance to a detached node")
	}
	if rc := total / float64(len(queries)); rc < 0.9 {
		t.Fatalf("recall@10 over the remaining nodes = %.3f, want >= 0.9", rc)
	}
	r.Detach(func(Node) bool { return true })
	if _, _, ok := r.Entry(); ok {
		t.Fatal("a graph with every node detached still has an entry point")
	}
	if res, err := r.Search(queries[0], 10, 40, nil, nil); err != nil || len(res) != 0 {
		t.Fatalf("search of a fully detached graph: %v, %v", res, err)
	}
}

// TestDetachKeepsLineConnected detaches a run of adjacent nodes from
// points on a line, where the neighbour heuristic leaves each node about
// one link per side: without the gone nodes' links passed on to their
// neighbours, the line splits and searches from one side miss the other.
// Every remaining point must find itself.
func TestDetachKeepsLineConnected(t *testing.T) {
	const n = 400
	data := make([][]float32, n)
	for i := range data {
		data[i] = []float32{float32(i), 0}
	}
	g := build(t, data, 1)
	gone := func(x Node) bool { k := g.Key(x); return k >= 180 && k < 220 }
	g.Detach(gone)
	for x := Node(0); x < n; x++ {
		if gone(x) {
			continue
		}
		res, err := g.Search(mustExact(t, g, x), 1, 10, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 1 || res[0].Key != g.Key(x) {
			t.Fatalf("search for point %d found %v", g.Key(x), res)
		}
	}
}

// TestSmallGraphHeap: a graph of a few nodes costs little heap. Tables of
// chunk pointers sized for the largest graph cost every graph 512 KB, so
// 200 small tables with vector indexes held 214 MB.
func TestSmallGraphHeap(t *testing.T) {
	const graphs = 50
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	keep := make([]*Graph, graphs)
	for i := range keep {
		g := mustNew(t, Config{Dims: 3, Distance: l2, Seed: uint64(i)})
		for j := range 3 {
			if _, err := g.Insert(uint64(j), []float32{float32(j), 1, 2}); err != nil {
				t.Fatal(err)
			}
		}
		keep[i] = g
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / graphs
	if per > 96<<10 {
		t.Fatalf("a 3-node graph holds %d KB of heap", per>>10)
	}
	runtime.KeepAlive(keep)
}

func mustNew(t testing.TB, cfg Config) *Graph {
	t.Helper()
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func mustExact(t testing.TB, g *Graph, n Node) []float32 {
	t.Helper()
	v, err := g.Exact(n, nil)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestHalfGraph builds a graph that keeps its vectors in half precision:
// its recall matches the float32 graph's, Exact gives every vector back
// bit for bit from the unlinked file, and HalfError bounds every node's
// true distance from its graph distance.
func TestHalfGraph(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	mix := newMixture(rng, 32, 50)
	data := mix.draw(rng, 10000)
	queries := mix.draw(rng, 200)
	dir := t.TempDir()
	g := mustNew(t, Config{Dims: 32, Distance: l2, HalfDistance: vecmath.L2SquaredHalf, ExactDir: dir, Seed: 42})
	if !g.Half() {
		t.Fatal("graph with HalfDistance and ExactDir is not half")
	}
	for i, v := range data {
		if _, err := g.Insert(uint64(i), v); err != nil {
			t.Fatal(err)
		}
	}
	if ents, err := os.ReadDir(dir); err != nil || len(ents) != 0 {
		t.Fatalf("exact file left a name in %s: %v %v", dir, ents, err)
	}
	for n := range Node(g.Len()) {
		if got := mustExact(t, g, n); !slices.Equal(got, data[g.Key(n)]) {
			t.Fatalf("Exact(%d) = %v, want %v", n, got, data[g.Key(n)])
		}
	}
	he := g.HalfError()
	if he.L2 <= 0 || he.L1 < he.L2 || he.Rel <= 0 || he.Rel > 1e-3 {
		t.Fatalf("HalfError = %+v", he)
	}
	r := meanRecall(t, g, data, queries, func(q []float32, res []Result) {
		for _, r := range res {
			exact := math.Sqrt(float64(l2(q, data[r.Key])))
			if d := math.Abs(exact - math.Sqrt(float64(r.Dist))); d > float64(he.L2)*1.001+1e-6 {
				t.Fatalf("node %d: exact distance %g, graph %g: off by %g, more than the bound %g", r.Node, exact, math.Sqrt(float64(r.Dist)), d, he.L2)
			}
		}
	})
	if r < 0.95 {
		t.Fatalf("half graph recall@10 at ef 40 = %.3f, want >= 0.95", r)
	}
}

// TestHalfGraphClamps: a component beyond half precision's range is
// clamped, not made infinite, and the error bound covers the clamping.
func TestHalfGraphClamps(t *testing.T) {
	g := mustNew(t, Config{Dims: 2, Distance: l2, HalfDistance: vecmath.L2SquaredHalf, ExactDir: t.TempDir()})
	if _, err := g.Insert(1, []float32{1e6, 0}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Insert(2, []float32{0, 1}); err != nil {
		t.Fatal(err)
	}
	res, err := g.Search([]float32{1e6, 0}, 2, 10, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].Key != 1 || math.IsInf(float64(res[0].Dist), 0) {
		t.Fatalf("search = %+v", res)
	}
	if he := g.HalfError(); he.L2 < 1e6-vecmath.MaxHalf {
		t.Fatalf("HalfError.L2 = %g, below the clamping's %g", he.L2, 1e6-vecmath.MaxHalf)
	}
	if v := mustExact(t, g, res[0].Node); v[0] != 1e6 {
		t.Fatalf("Exact = %v", v)
	}
}

// TestLosslessHalfGraph: vectors that are halves already (a halfvec
// column's) need no file: Exact widens the graph's own copy, and the
// error bound is zero, so a caller's re-ranking reads nothing more.
func TestLosslessHalfGraph(t *testing.T) {
	g := mustNew(t, Config{Dims: 3, Distance: l2, HalfDistance: vecmath.L2SquaredHalf, Lossless: true})
	vecs := [][]float32{{0.5, 1.25, -3}, {1000, 0.0009765625, 2}, {-0.1 + 0.0001, 7, 8}}
	for i, v := range vecs {
		for j := range v {
			v[j] = vecmath.FromHalf(vecmath.ToHalf(v[j]))
		}
		if _, err := g.Insert(uint64(i), v); err != nil {
			t.Fatal(err)
		}
	}
	if !g.Half() || g.exact != nil {
		t.Fatalf("lossless graph: half %v, file %v", g.Half(), g.exact)
	}
	for n := range Node(3) {
		if got := mustExact(t, g, n); !slices.Equal(got, vecs[g.Key(n)]) {
			t.Fatalf("Exact(%d) = %v, want %v", n, got, vecs[g.Key(n)])
		}
	}
	if he := g.HalfError(); he != (HalfError{}) {
		t.Fatalf("HalfError of halves = %+v, want zero", he)
	}
}

// TestExactFileClosedWithGraph: the file of a dropped graph's exact
// vectors is closed once the graph is garbage, so its disk space goes
// back without anyone closing it (searches may hold a graph past its
// index's drop).
func TestExactFileClosedWithGraph(t *testing.T) {
	g := mustNew(t, Config{Dims: 2, Distance: l2, HalfDistance: vecmath.L2SquaredHalf, ExactDir: t.TempDir()})
	if _, err := g.Insert(1, []float32{1, 2}); err != nil {
		t.Fatal(err)
	}
	f := g.exact.f
	g = nil
	for range 100 {
		runtime.GC()
		if f.Fd() == ^uintptr(0) { // closed
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the exact-vector file of an unreachable graph is still open")
}

// TestExactFileErrors: a failing file of exact vectors is reported as
// ErrExactFile (the caller's I/O error), from a read and from an insert,
// and the node whose write failed is never a result.
func TestExactFileErrors(t *testing.T) {
	g := mustNew(t, Config{Dims: 2, Distance: l2, HalfDistance: vecmath.L2SquaredHalf, ExactDir: t.TempDir()})
	if _, err := g.Insert(1, []float32{1, 2}); err != nil {
		t.Fatal(err)
	}
	if err := g.exact.f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Exact(0, nil); !errors.Is(err, ErrExactFile) {
		t.Fatalf("Exact on a closed file: %v, want ErrExactFile", err)
	}
	if _, err := g.Insert(2, []float32{1, 2}); !errors.Is(err, ErrExactFile) {
		t.Fatalf("Insert on a closed file: %v, want ErrExactFile", err)
	}
	res, err := g.Search([]float32{1, 2}, 2, 10, nil, nil)
	if err != nil || len(res) != 1 || res[0].Key != 1 {
		t.Fatalf("search after a failed insert: %+v %v", res, err)
	}
}
