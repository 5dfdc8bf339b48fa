package executor

import (
	"github.com/quiverdb/quiver/index/vecmath"
	"github.com/quiverdb/quiver/sql/types"
)

// pgvector's HNSW operator classes over bit, bit_hamming_ops and
// bit_jaccard_ops. The graph holds float32 vectors, so a bit string
// enters it as its bits, 0s and 1s: over those the Hamming distance is
// the L1 distance, and the Jaccard distance comes from dot products. The
// sums are of at most 64,000 ones, exact in float32, so both equal
// pgvector's popcount results.
var (
	hammingMetric = indexMetric{op: "<~>", dist: vecmath.L1, value: widened, family: types.FamBit}
	jaccardMetric = indexMetric{op: "<%>", dist: func(a, b []float32) float32 { return float32(jaccard01(a, b)) },
		value: func(q, v []float32, _ float32) float64 { return jaccard01(v, q) }, family: types.FamBit}
)

// jaccard01 is pgvector's Jaccard distance of two bit strings given as 0s
// and 1s: 1 - |a∧b| / |a∨b|, and 1 when they share no set bit.
func jaccard01(a, b []float32) float64 {
	ab, aa, bb := vecmath.Dot(a, b), vecmath.Dot(a, a), vecmath.Dot(b, b)
	if ab == 0 {
		return 1
	}
	return 1 - float64(ab)/float64(aa+bb-ab)
}

// elems is a value of m's column type as the graph holds it: a vector's
// or halfvec's elements, a bit string's bits as 0s and 1s; ok is false
// for NULL.
func (m indexMetric) elems(d types.Datum) ([]float32, bool) {
	b, ok := d.(*types.DBit)
	if !ok {
		return types.VectorElems(d)
	}
	v := make([]float32, b.Len)
	for i := range v {
		if b.Bit(i) {
			v[i] = 1
		}
	}
	return v, true
}

// bitsOf is the bit string a graph vector of 0s and 1s holds.
func bitsOf(v []float32) *types.DBit {
	b := types.NewBit(len(v))
	for i, f := range v {
		b.SetBit(i, f != 0)
	}
	return b
}
