package executor

import (
	"math"
	"slices"

	"github.com/quiverdb/quiver/index/hnsw"
	"github.com/quiverdb/quiver/index/vecmath"
	"github.com/quiverdb/quiver/sql/pgerror"
)

// A graph on disk keeps its vectors in half precision (hnsw.Config's
// HalfDistance): half the memory, and a search's ranking barely changes.
// What a query returns must still be exact, so every result is re-ranked
// by its exact distance, read from the graph's file of exact vectors.
// The graph's rounding error bounds how much nearer than its graph
// distance a node can be (the triangle inequality: a node at graph
// distance d from q is within the vectors' rounding error of d), so the
// candidates, taken nearest first by graph distance, need reading only
// until the next one cannot beat the k-th exact distance found: usually
// k+1 reads. Exact searches (a span of few rows, the exhaustive pass)
// use the same bound, so they stay exact. A float32 graph's distances are
// exact already and the same code reads its vectors from memory.

// Each nearer function is the least exact graph distance of a node whose
// graph distance from q is d, given the graph's rounding error e.
func l2Nearer(d float32, e hnsw.HalfError, _ float32) float32 {
	r := float32(math.Sqrt(float64(d))) - e.L2
	if r <= 0 {
		return 0
	}
	return r * r
}

func l1Nearer(d float32, e hnsw.HalfError, _ float32) float32 { return d - e.L1 }

// ipNearer: |q·v - q·v'| <= |q| |v - v'|.
func ipNearer(d float32, e hnsw.HalfError, qNorm float32) float32 { return d - qNorm*e.L2 }

// cosineNearer: the cosine of q and v moves by at most the distance
// between v and v' normalised, which is at most 2|v - v'|/|v|.
func cosineNearer(d float32, e hnsw.HalfError, _ float32) float32 { return d - 2*e.Rel }

// ranker re-ranks one query's candidates by exact distance.
type ranker struct {
	vi    *vectorIndex
	q     []float32
	err   hnsw.HalfError
	qNorm float32
	// slack covers the float32 summation error of the graph's distance
	// and of the exact one: each within (n+4)*2^-24 of its sum of
	// absolute terms, which is the distance itself for L2 and L1. For
	// inner product and cosine, whose terms may cancel, two rows whose
	// distances agree to that precision may come out in either order,
	// as they may between two pgvector builds.
	slack float32
	// nearer is the metric's bound for a half graph, nil where graph
	// distances are exact.
	nearer func(d float32, e hnsw.HalfError, qNorm float32) float32
	buf    []float32   // a half graph's vector read back
	st     *hnsw.Stats // EXPLAIN ANALYZE's counters, when it runs
}

func (vi *vectorIndex) ranker(q []float32) *ranker {
	r := &ranker{vi: vi, q: q, err: vi.graph.HalfError(), slack: float32(vi.dims+4) * 0x1p-23}
	if vi.graph.Half() && vi.metric.nearer != nil {
		r.nearer = vi.metric.nearer
		r.qNorm = float32(vecmath.Norm(q))
	}
	return r
}

// nearest is the least exact distance a node at graph distance d may have.
func (r *ranker) nearest(d float32) float32 {
	lb := d
	if r.nearer != nil {
		lb = r.nearer(d, r.err, r.qNorm)
	}
	return lb - r.slack*float32(math.Abs(float64(d)))
}

// excluded reports whether a node at graph distance d cannot enter best,
// which already holds k hits.
func (r *ranker) excluded(best []vectorHit, k int, d float32) bool {
	return len(best) == k && distBefore(best[k-1].dist, r.nearest(d))
}

// exact reads node n's full-precision vector (valid until the next read).
func (r *ranker) exact(n hnsw.Node) ([]float32, error) {
	v, err := r.vi.graph.Exact(n, r.buf)
	if err != nil {
		return nil, pgerror.Wrap(err, pgerror.CodeIOError, "reading the exact vectors of an HNSW index")
	}
	if r.vi.graph.Half() {
		r.buf = v
		if r.st != nil {
			r.st.Exact++
		}
	}
	return v, nil
}

// distBefore orders distances with NaN (a zero vector's cosine) last, as
// PostgreSQL sorts NaN above every number.
func distBefore(a, b float32) bool {
	return a < b || !isNaN32(a) && isNaN32(b)
}

func isNaN32(f float32) bool { return f != f }

// consider measures node n exactly and adds it to best (at most k hits,
// nearest first, equal distances in the order considered). It reports
// false when n's graph distance d shows that neither it nor any farther
// candidate can enter.
func (r *ranker) consider(best []vectorHit, k int, n hnsw.Node, pk string, d float32, withVec bool) ([]vectorHit, bool, error) {
	if r.excluded(best, k, d) {
		return best, false, nil
	}
	v, err := r.exact(n)
	if err != nil {
		return best, false, err
	}
	exact := r.vi.dist(r.q, v)
	if len(best) == k && !distBefore(exact, best[k-1].dist) {
		return best, true, nil
	}
	h := vectorHit{pk: pk, dist: exact, value: r.vi.metric.value(r.q, v, exact)}
	if withVec {
		h.vec = slices.Clone(v)
	}
	i, _ := slices.BinarySearchFunc(best, exact, func(x vectorHit, d float32) int {
		if distBefore(d, x.dist) {
			return 1
		}
		return -1 // equal distances keep the order they were considered in
	})
	if len(best) < k {
		best = append(best, vectorHit{})
	}
	copy(best[i+1:], best[i:])
	best[i] = h
	return best, true, nil
}

// top returns the k nearest of cands by exact distance; cands are sorted
// by graph distance, as a search returns them, and pks are their keys.
func (r *ranker) top(cands []hnsw.Result, pks []string, k int, withVec bool) ([]vectorHit, error) {
	best := make([]vectorHit, 0, min(k, len(cands)))
	for i, c := range cands {
		var more bool
		var err error
		if best, more, err = r.consider(best, k, c.Node, pks[i], c.Dist, withVec); err != nil {
			return nil, err
		}
		if !more {
			break
		}
	}
	return best, nil
}
