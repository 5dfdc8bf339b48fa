package hnsw

import (
	"slices"
)

type candidate struct {
	node Node
	dist float32
}

func sortCandidates(cs []candidate) {
	slices.SortFunc(cs, func(a, b candidate) int {
		switch {
		case a.dist < b.dist:
			return -1
		case a.dist > b.dist:
			return 1
		}
		return 0
	})
}

// candHeap is a binary heap of candidates ordered by less; typed (not
// container/heap) so pushes do not box and searches do not allocate.
type candHeap struct {
	items []candidate
	max   bool // max-heap (farthest on top) when set, else min-heap
}

func (h *candHeap) before(a, b candidate) bool {
	if h.max {
		return a.dist > b.dist
	}
	return a.dist < b.dist
}

func (h *candHeap) len() int       { return len(h.items) }
func (h *candHeap) top() candidate { return h.items[0] }
func (h *candHeap) reset()         { h.items = h.items[:0] }

func (h *candHeap) push(c candidate) {
	h.items = append(h.items, c)
	i := len(h.items) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !h.before(h.items[i], h.items[p]) {
			break
		}
		h.items[i], h.items[p] = h.items[p], h.items[i]
		i = p
	}
}

func (h *candHeap) pop() candidate {
	top := h.items[0]
	last := len(h.items) - 1
	h.items[0] = h.items[last]
	h.items = h.items[:last]
	i := 0
	for {
		l := 2*i + 1
		if l >= last {
			break
		}
		m := l
		if r := l + 1; r < last && h.before(h.items[r], h.items[l]) {
			m = r
		}
		if !h.before(h.items[m], h.items[i]) {
			break
		}
		h.items[i], h.items[m] = h.items[m], h.items[i]
		i = m
	}
	return top
}

// visited is a search's or an insert's reusable scratch: a visited set (a
// generation counter per node avoids clearing between searches), the
// heaps, and the buffers an insert's layers pass along, so neither
// allocates per step.
type visited struct {
	marks []uint16
	gen   uint16
	cand  candHeap
	res   candHeap
	found []candidate // searchLayer's result, the next layer's entry points
	// layers holds a new node's selected neighbours per layer until they
	// are published.
	layers [][]candidate
	cands  []candidate // addLink's candidates
	kept   []candidate // addLink's survivors
	nodes  []Node
	prev   []Node
	nbs    []Node // searchLayer's unvisited neighbours of one node
	// from and vec hold a half graph's vectors widened for addLink and
	// the heuristic.
	from, vec []float32
}

func (g *Graph) getVisited() *visited {
	n := g.Len()
	v, _ := g.visitPool.Get().(*visited)
	if v == nil {
		v = &visited{}
	}
	if len(v.marks) < n {
		v.marks = make([]uint16, n+n/2+chunkSize)
		v.gen = 0
	}
	v.next()
	return v
}

// next starts a new, empty visited set.
func (v *visited) next() {
	v.gen++
	if v.gen == 0 {
		clear(v.marks)
		v.gen = 1
	}
}

func (g *Graph) putVisited(v *visited) { g.visitPool.Put(v) }

func (v *visited) visit(n Node) bool {
	if int(n) >= len(v.marks) {
		// A node inserted after this search started: treat as visited.
		return false
	}
	if v.marks[n] == v.gen {
		return false
	}
	v.marks[n] = v.gen
	return true
}

// Stats counts a search's work (EXPLAIN ANALYZE).
type Stats struct {
	Visited   int
	Distances int
	Rejected  int // nodes passed over because deleted or filtered out
	// Exact counts vectors read back at full precision (Graph.Exact) to
	// re-rank the results; the caller that re-ranks counts them.
	Exact int
}

// searchLayer is the paper's SEARCH-LAYER with ef results, which it
// returns sorted by distance in eps's storage (eps is consumed first).
// With accept set, only accepted nodes count as results, and the search
// continues past the usual stopping point until ef accepted nodes are
// found or the reachable layer is exhausted, so a selective filter never
// ends a search early.
func (g *Graph) searchLayer(q []float32, eps []candidate, ef, l int, vs *visited, accept func(Node) bool, st *Stats) []candidate {
	cand, res := &vs.cand, &vs.res
	cand.reset()
	res.reset()
	res.max = true
	// Tombstone flags are a scattered load per candidate; a graph without
	// tombstones (the common case) skips them. A node tombstoned during
	// this search may still be returned, as if the search had run just
	// before: callers re-check what they return anyway.
	tombs := g.deleted.Load() > 0
	for _, e := range eps {
		if !vs.visit(e.node) {
			continue
		}
		cand.push(e)
		if g.acceptable(e.node, tombs, accept) {
			res.push(e)
		} else if st != nil {
			st.Rejected++
		}
	}
	for cand.len() > 0 {
		c := cand.pop()
		if res.len() >= ef && c.dist > res.top().dist {
			break
		}
		// Mark and prefetch the unvisited neighbours first, so their
		// vectors load in parallel while the first distances run.
		ls := g.list(c.node, l)
		cnt := min(int(ls[0].Load()), len(ls)-1)
		nbs := vs.nbs[:0]
		for j := 1; j <= cnt; j++ {
			nb := Node(ls[j].Load())
			if vs.visit(nb) {
				g.prefetch(nb)
				nbs = append(nbs, nb)
			}
		}
		vs.nbs = nbs
		for _, nb := range nbs {
			d := g.Distance(q, nb)
			if st != nil {
				st.Visited++
				st.Distances++
			}
			if res.len() < ef || d < res.top().dist {
				cand.push(candidate{nb, d})
				if g.acceptable(nb, tombs, accept) {
					res.push(candidate{nb, d})
					if res.len() > ef {
						res.pop()
					}
				} else if st != nil {
					st.Rejected++
				}
			}
		}
	}
	// Draining the max-heap yields the results farthest first: fill the
	// output from the back instead of sorting it.
	out := slices.Grow(eps[:0], res.len())[:res.len()]
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = res.pop()
	}
	return out
}

// acceptable: deleted nodes (checked when tombs is set) are never results;
// accept filters the rest.
func (g *Graph) acceptable(n Node, tombs bool, accept func(Node) bool) bool {
	if tombs && g.Deleted(n) {
		return false
	}
	return accept == nil || accept(n)
}

// routeBeam is the beam width of a search's layer-1 pass (see Search).
const routeBeam = 10

// Result is one search hit.
type Result struct {
	Node Node
	Key  uint64
	Dist float32
}

// Search returns up to k nearest live nodes to q accepted by accept (nil:
// all), exploring with beam width ef (at least k).
func (g *Graph) Search(q []float32, k, ef int, accept func(Node) bool, st *Stats) ([]Result, error) {
	if len(q) != g.dims {
		return nil, ErrDims
	}
	if ef < k {
		ef = k
	}
	entry, maxLevel, has := g.loadEntry()
	if !has || k <= 0 {
		return nil, nil
	}
	ep, epDist := entry, g.Distance(q, entry)
	for l := maxLevel; l > 1; l-- {
		ep, epDist = g.greedy(q, ep, epDist, l)
	}
	vs := g.getVisited()
	defer g.putVisited(vs)
	vs.found = append(vs.found[:0], candidate{ep, epDist})
	if maxLevel >= 1 {
		// Layer 1 is searched with a small beam rather than greedily, and
		// all its results enter layer 0. On clustered data a greedy
		// descent often ends beside the wrong cluster, and no ef_search
		// recovers from that: on bench/ann's 100k x 128 mixture this
		// took recall@10 at ef_search 40 from 0.950 to 0.985 for about 5%
		// more work per query.
		vs.found = g.searchLayer(q, vs.found, routeBeam, 1, vs, nil, nil)
		if len(vs.found) == 0 { // every node near the route is deleted
			vs.found = append(vs.found, candidate{ep, epDist})
		}
		vs.next()
	}
	vs.found = g.searchLayer(q, vs.found, ef, 0, vs, accept, st)
	found := vs.found
	if len(found) > k {
		found = found[:k]
	}
	out := make([]Result, len(found))
	for i, c := range found {
		out[i] = Result{Node: c.node, Key: g.Key(c.node), Dist: c.dist}
	}
	return out, nil
}
