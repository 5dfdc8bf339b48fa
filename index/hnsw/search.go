package hnsw

import (
	"container/heap"
	"sort"
)

type candidate struct {
	node Node
	dist float32
}

func sortCandidates(cs []candidate) {
	sort.Slice(cs, func(i, j int) bool { return cs[i].dist < cs[j].dist })
}

// minHeap pops the closest candidate first.
type minHeap []candidate

func (h minHeap) Len() int           { return len(h) }
func (h minHeap) Less(i, j int) bool { return h[i].dist < h[j].dist }
func (h minHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *minHeap) Push(x any)        { *h = append(*h, x.(candidate)) }
func (h *minHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// maxHeap keeps the farthest result on top.
type maxHeap []candidate

func (h maxHeap) Len() int           { return len(h) }
func (h maxHeap) Less(i, j int) bool { return h[i].dist > h[j].dist }
func (h maxHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *maxHeap) Push(x any)        { *h = append(*h, x.(candidate)) }
func (h *maxHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// visited is a reusable visited set: a generation counter per node avoids
// clearing between searches.
type visited struct {
	marks []uint16
	gen   uint16
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
	cand := make(minHeap, 0, ef*2)
	res := make(maxHeap, 0, ef+1)
	for _, e := range eps {
		if !vs.visit(e.node) {
			continue
		}
		heap.Push(&cand, e)
		if g.acceptable(e.node, accept) {
			heap.Push(&res, e)
		} else if st != nil {
			st.Rejected++
		}
	}
	var buf []Node
	for cand.Len() > 0 {
		c := heap.Pop(&cand).(candidate)
		if res.Len() >= ef && c.dist > res[0].dist {
			break
		}
		buf = g.links(c.node, l, buf)
		for _, nb := range buf {
			if !vs.visit(nb) {
				continue
			}
			if st != nil {
				st.Visited++
				st.Distances++
			}
			d := g.dist(q, g.Vector(nb))
			if res.Len() < ef || d < res[0].dist {
				heap.Push(&cand, candidate{nb, d})
				if g.acceptable(nb, accept) {
					heap.Push(&res, candidate{nb, d})
					if res.Len() > ef {
						heap.Pop(&res)
					}
				} else if st != nil {
					st.Rejected++
				}
			}
		}
	}
	out := make([]candidate, len(res))
	copy(out, res)
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
