package hnsw

import (
	"fmt"
	"slices"
)

// Export and restore let a caller persist a graph and load it back without
// rebuilding: nodes are restored in their original order, so their ids
// and every link stay valid.

// Level returns node n's top layer.
func (g *Graph) Level(n Node) int { return g.level(n) }

// Links returns a copy of node n's neighbours at layer l.
func (g *Graph) Links(n Node, l int) []Node { return g.links(n, l, nil) }

// Entry returns the entry point and the top layer (ok false when empty).
func (g *Graph) Entry() (n Node, maxLevel int, ok bool) {
	return g.loadEntry()
}

// Restore appends a node with its stored links; it must be called for
// nodes 0, 1, 2, ... in order, before the graph is shared. Links to nodes
// at or beyond limit are dropped (they were not part of the checkpoint).
// A nil vec leaves the node's vector zero until RestoreVector sets it.
func (g *Graph) Restore(key uint64, vec []float32, links [][]Node, limit Node) (Node, error) {
	if vec != nil && len(vec) != g.dims {
		return 0, ErrDims
	}
	if len(links) == 0 {
		return 0, fmt.Errorf("hnsw: restored node has no layers")
	}
	n, err := g.allocate(key, vec, len(links)-1)
	if err != nil {
		return 0, err
	}
	mu := g.lock(n)
	mu.Lock()
	defer mu.Unlock()
	var kept []Node
	for l, ls := range links {
		list := g.list(n, l)
		kept = kept[:0]
		for _, x := range ls {
			if x < limit && len(kept) < len(list)-1 {
				kept = append(kept, x)
			}
		}
		storeLinks(list, kept)
	}
	return n, nil
}

// SetEntry sets the entry point after a restore.
func (g *Graph) SetEntry(n Node, maxLevel int) {
	g.entryMu.Lock()
	defer g.entryMu.Unlock()
	g.entry.Store(packEntry(n, maxLevel))
}

// RestoreVector sets restored node n's vector, for a caller whose
// checkpoint keeps vectors elsewhere (Restore took a placeholder); like
// Restore, it must run before the graph is shared.
func (g *Graph) RestoreVector(n Node, vec []float32) error {
	if len(vec) != g.dims {
		return ErrDims
	}
	if uint32(n) >= g.count.Load() {
		return fmt.Errorf("hnsw: restored vector for node %d of %d", n, g.count.Load())
	}
	return g.storeVector(n, vec)
}

// detachExpand bounds how many detached nodes Detach follows to find
// replacements for one neighbour list.
const detachExpand = 64

// Detach makes the nodes for which gone is true unreachable, for a
// restored graph some of whose vectors could not be recovered: no search
// may then measure a distance to them. Each list that linked to a gone
// node has it replaced by the nodes the gone node linked to (following
// runs of gone nodes), reselected with the neighbour heuristic, as
// hnswlib repairs a deleted element's neighbours; merely dropping the
// links would cut the paths the gone nodes carried (on a line of points,
// two adjacent gone nodes split the graph). The entry point moves to the
// highest remaining node, and the gone nodes are tombstoned. Like
// Restore, it must run before the graph is shared.
func (g *Graph) Detach(gone func(Node) bool) {
	n := Node(g.count.Load())
	var (
		ls, more     []Node
		cands, kept  []candidate
		xv, buf      []float32
		seen         = map[Node]bool{}
		pending, nbs []Node
	)
	for x := Node(0); x < n; x++ {
		if gone(x) {
			g.Delete(x)
			continue
		}
		xv = g.stored(x, xv)
		for l := 0; l <= g.level(x); l++ {
			ls = g.links(x, l, ls)
			if !slices.ContainsFunc(ls, gone) {
				continue
			}
			clear(seen)
			seen[x] = true
			cands, pending = cands[:0], pending[:0]
			for _, y := range ls {
				seen[y] = true
				if gone(y) {
					pending = append(pending, y)
				} else {
					cands = append(cands, candidate{y, g.Distance(xv, y)})
				}
			}
			for expanded := 0; len(pending) > 0 && expanded < detachExpand; expanded++ {
				y := pending[len(pending)-1]
				pending = pending[:len(pending)-1]
				if g.level(y) < l {
					continue
				}
				more = g.links(y, l, more)
				for _, z := range more {
					if seen[z] {
						continue
					}
					seen[z] = true
					if gone(z) {
						pending = append(pending, z)
					} else {
						cands = append(cands, candidate{z, g.Distance(xv, z)})
					}
				}
			}
			sortCandidates(cands)
			maxN := g.m
			if l == 0 {
				maxN = g.m0
			}
			kept = g.selectHeuristic(cands, maxN, kept[:0], &buf)
			nbs = nbs[:0]
			for _, k := range kept {
				nbs = append(nbs, k.node)
			}
			storeLinks(g.list(x, l), nbs)
		}
	}
	if e, _, ok := g.loadEntry(); !ok || !gone(e) {
		return
	}
	best, top := Node(0), -1
	for x := Node(0); x < n; x++ {
		if l := g.level(x); l > top && !gone(x) {
			best, top = x, l
		}
	}
	if top < 0 {
		g.entry.Store(0) // nothing left to enter by
		return
	}
	g.SetEntry(best, top)
}
