package hnsw

import "sort"

type candidate struct {
	node Node
	dist float32
}

func sortCandidates(cs []candidate) {
	sort.Slice(cs, func(i, j int) bool { return cs[i].dist < cs[j].dist })
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

// visited is a search's reusable scratch: a visited set (a generation
// counter per node avoids clearing between searches) and the heaps.
type visited struct {
	marks []uint16
	gen   uint16
	cand  candHeap
	res   candHeap
	buf   []Node
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
}

// searchLayer is the paper's SEARCH-LAYER with ef results. With accept
// set, only accepted nodes count as results, and the search continues
// past the usual stopping point until ef accepted nodes are found or the
// reachable layer is exhausted, so a selective filter never ends a search
// early.
func (g *Graph) searchLayer(q []float32, eps []candidate, ef, l int, vs *visited, accept func(Node) bool, st *Stats) []candidate {
	cand, res := &vs.cand, &vs.res
	cand.reset()
	res.reset()
	res.max = true
	for _, e := range eps {
		if !vs.visit(e.node) {
			continue
		}
		cand.push(e)
		if g.acceptable(e.node, accept) {
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
		vs.buf = g.links(c.node, l, vs.buf)
		for _, nb := range vs.buf {
			if !vs.visit(nb) {
				continue
			}
			d := g.dist(q, g.Vector(nb))
			if st != nil {
				st.Visited++
				st.Distances++
			}
			if res.len() < ef || d < res.top().dist {
				cand.push(candidate{nb, d})
				if g.acceptable(nb, accept) {
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
	out := make([]candidate, res.len())
	copy(out, res.items)
	sortCandidates(out)
	return out
}

// acceptable: deleted nodes are never results; accept filters the rest.
func (g *Graph) acceptable(n Node, accept func(Node) bool) bool {
	if g.Deleted(n) {
		return false
	}
	return accept == nil || accept(n)
}

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
	g.entryMu.RLock()
	entry, maxLevel, has := g.entry, g.maxLevel, g.hasEntry
	g.entryMu.RUnlock()
	if !has || k <= 0 {
		return nil, nil
	}
	ep, epDist := entry, g.dist(q, g.Vector(entry))
	var buf []Node
	for l := maxLevel; l > 0; l-- {
		ep, epDist = g.greedy(q, ep, epDist, l, &buf)
	}
	vs := g.getVisited()
	defer g.putVisited(vs)
	found := g.searchLayer(q, []candidate{{ep, epDist}}, ef, 0, vs, accept, st)
	if len(found) > k {
		found = found[:k]
	}
	out := make([]Result, len(found))
	for i, c := range found {
		out[i] = Result{Node: c.node, Key: g.Key(c.node), Dist: c.dist}
	}
	return out, nil
}
