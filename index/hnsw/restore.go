package hnsw

import "fmt"

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
func (g *Graph) Restore(key uint64, vec []float32, links [][]Node, limit Node) (Node, error) {
	if len(vec) != g.dims {
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
