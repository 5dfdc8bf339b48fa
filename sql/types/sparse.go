package types

import (
	"encoding/binary"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/quiverdb/quiver/sql/pgerror"
)

// pgvector's sparsevec limits (SPARSEVEC_MAX_DIM, SPARSEVEC_MAX_NNZ).
const (
	maxSparseDims = 1000000000
	maxSparseNnz  = 16000
)

// DSparsevec is a pgvector sparsevec: Dim dimensions of which only the
// non-zero elements are kept, at 0-based Indices in ascending order with
// their Values. It is a pointer datum so that values stay comparable as
// interfaces; nothing mutates one after it is built.
type DSparsevec struct {
	Dim     int32
	Indices []int32
	Values  []float32
}

func (*DSparsevec) datum() {}

// Dense expands s into its dim elements.
func (s *DSparsevec) Dense() []float32 {
	out := make([]float32, s.Dim)
	for i, ix := range s.Indices {
		out[ix] = s.Values[i]
	}
	return out
}

// SparseFromDense keeps v's non-zero elements, as pgvector's
// vector_to_sparsevec, halfvec_to_sparsevec and array_to_sparsevec do; to
// carries the sparsevec(n) typmod, if any. Like them it does not apply
// the 16,000 non-zero limit (an array can exceed it), which only input
// functions check.
func SparseFromDense(to *T, v []float32) (*DSparsevec, error) {
	if err := checkSparseDim(len(v)); err != nil {
		return nil, err
	}
	if err := checkVectorDims(to, len(v)); err != nil {
		return nil, err
	}
	s := &DSparsevec{Dim: int32(len(v))}
	for i, f := range v {
		if f != 0 {
			s.Indices = append(s.Indices, int32(i))
			s.Values = append(s.Values, f)
		}
	}
	return s, nil
}

// sparseToDense is sparsevec_to_vector and sparsevec_to_halfvec: the
// dense type's dimension limit applies, and halfvec rounds each value.
func sparseToDense(s *DSparsevec, to *T) (Datum, error) {
	if err := checkVectorDimCount(to, int(s.Dim)); err != nil {
		return nil, err
	}
	v := s.Dense()
	if to.Family == FamHalfvec {
		for i, f := range v {
			h, err := HalfvecElem(f)
			if err != nil {
				return nil, err
			}
			v[i] = h
		}
	}
	return vectorDatum(to, v), nil
}

func sparseSyntax(s string) *pgerror.Error {
	return pgerror.New(pgerror.CodeInvalidTextRepresentation, "invalid input syntax for type sparsevec: %q", s)
}

func sparseNnzError() error {
	return pgerror.New(pgerror.CodeProgramLimitExceeded, "sparsevec cannot have more than %d non-zero elements", maxSparseNnz)
}

// checkSparseDim is pgvector's CheckDim for sparsevec.
func checkSparseDim(n int) error {
	if n < 1 {
		return pgerror.New(pgerror.CodeDataException, "sparsevec must have at least 1 dimension")
	}
	if n > maxSparseDims {
		return pgerror.New(pgerror.CodeProgramLimitExceeded, "sparsevec cannot have more than %d dimensions", maxSparseDims)
	}
	return nil
}

// checkSparseIndex is pgvector's CheckIndex on 0-based indices: each in
// range and strictly above the one before.
func checkSparseIndex(indices []int32, i int, dim int32) error {
	ix := indices[i]
	if ix < 0 || ix >= dim {
		return pgerror.New(pgerror.CodeDataException, "sparsevec index out of bounds")
	}
	if i > 0 {
		if ix < indices[i-1] {
			return pgerror.New(pgerror.CodeDataException, "sparsevec indices must be in ascending order")
		}
		if ix == indices[i-1] {
			return pgerror.New(pgerror.CodeDataException, "sparsevec indices must not contain duplicates")
		}
	}
	return nil
}

func checkSparseElem(f float32) error {
	if math.IsNaN(float64(f)) {
		return pgerror.New(pgerror.CodeDataException, "NaN not allowed in sparsevec")
	}
	if math.IsInf(float64(f), 0) {
		return pgerror.New(pgerror.CodeDataException, "infinite value not allowed in sparsevec")
	}
	return nil
}

// leadingInt reads strtol's [+-]digits at the start of s (after
// whitespace), returning the value, bytes read (0 if none) and whether
// it overflowed int64.
func leadingInt(s string) (int64, int, bool) {
	i := 0
	for i < len(s) && pgSpace(s[i]) {
		i++
	}
	start := i
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	d := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == d {
		return 0, 0, false
	}
	n, err := strconv.ParseInt(s[start:i], 10, 64)
	return n, i, err != nil
}

// clampInt is sparsevec_in's clamp of strtol's long into int range (lo
// is INT_MIN or INT_MIN+1); strtol itself saturates on overflow, toward
// the sign of the text's number.
func clampInt(n int64, overflow bool, text string, lo int64) int64 {
	if overflow {
		n = math.MaxInt64
		if strings.HasPrefix(strings.TrimLeft(text, " \t\n\r\v\f"), "-") {
			n = math.MinInt64
		}
	}
	return max(lo, min(n, math.MaxInt32))
}

// parseSparsevec follows pgvector's sparsevec_in step by step so that
// the same inputs fail with the same messages: zero values are dropped
// before the index checks, and elements are sorted by index first.
func parseSparsevec(t *T, s string) (Datum, error) {
	if strings.Count(s, ",")+1 > maxSparseNnz {
		return nil, sparseNnzError()
	}
	type elem struct {
		index int32
		value float32
	}
	var elems []elem
	i := 0
	skip := func() {
		for i < len(s) && pgSpace(s[i]) {
			i++
		}
	}
	skip()
	if i >= len(s) || s[i] != '{' {
		return nil, sparseSyntax(s).WithDetail("Vector contents must start with \"{\".")
	}
	i++
	skip()
	if i < len(s) && s[i] == '}' {
		i++
	} else {
		for {
			skip()
			if i >= len(s) {
				return nil, sparseSyntax(s)
			}
			index, n, overflow := leadingInt(s[i:])
			if n == 0 {
				return nil, sparseSyntax(s)
			}
			// pgvector clamps into int range and lets CheckIndex report
			// anything outside 1..dim.
			index = clampInt(index, overflow, s[i:], math.MinInt32+1)
			i += n
			skip()
			if i >= len(s) || s[i] != ':' {
				return nil, sparseSyntax(s)
			}
			i++
			skip()
			f, n, ok := parseDecimalFloat32(s[i:])
			if !ok || (i+n < len(s) && isVectorElemChar(s[i+n])) {
				var err error
				if f, n, err = parseVectorElem(Sparsevec, s, i); err != nil {
					return nil, err
				}
			}
			if f == 0 && underflows(s[i:i+n]) {
				// strtof's ERANGE with a zero result, which sparsevec_in
				// rejects as float4in does (vector_in lets it pass).
				return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "\"%s\" is out of range for type sparsevec", s[i:i+n])
			}
			if err := checkSparseElem(f); err != nil {
				return nil, err
			}
			if f != 0 {
				elems = append(elems, elem{int32(index - 1), f})
			}
			i += n
			skip()
			if i < len(s) && s[i] == ',' {
				i++
				continue
			}
			if i < len(s) && s[i] == '}' {
				i++
				break
			}
			return nil, sparseSyntax(s)
		}
	}
	skip()
	if i >= len(s) || s[i] != '/' {
		return nil, sparseSyntax(s).WithDetail("Unexpected end of input.")
	}
	i++
	dim, n, overflow := leadingInt(s[i:])
	if n == 0 {
		return nil, sparseSyntax(s)
	}
	i += n
	skip()
	if i != len(s) {
		return nil, sparseSyntax(s).WithDetail("Junk after closing.")
	}
	dim = clampInt(dim, overflow, s[i-n:], math.MinInt32)
	if err := checkSparseDim(int(dim)); err != nil {
		return nil, err
	}
	if err := checkVectorDims(t, int(dim)); err != nil {
		return nil, err
	}
	sort.SliceStable(elems, func(a, b int) bool { return elems[a].index < elems[b].index })
	out := &DSparsevec{Dim: int32(dim), Indices: make([]int32, len(elems)), Values: make([]float32, len(elems))}
	for k, e := range elems {
		out.Indices[k], out.Values[k] = e.index, e.value
		if err := checkSparseIndex(out.Indices, k, out.Dim); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// underflows reports whether a number that parsed as zero was written
// with a non-zero digit before its exponent, so that only rounding made
// it zero.
func underflows(tok string) bool {
	for i := 0; i < len(tok); i++ {
		switch c := tok[i]; {
		case c == 'e' || c == 'E':
			return false
		case c >= '1' && c <= '9':
			return true
		}
	}
	return false
}

// appendSparsevec writes sparsevec_out's text: 1-based indices, values
// in float4's shortest form.
func appendSparsevec(buf []byte, s *DSparsevec) []byte {
	buf = append(buf, '{')
	for i, ix := range s.Indices {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = strconv.AppendInt(buf, int64(ix)+1, 10)
		buf = append(buf, ':')
		buf = appendFloat(buf, float64(s.Values[i]), 32)
	}
	buf = append(buf, '}', '/')
	return strconv.AppendInt(buf, int64(s.Dim), 10)
}

// appendSparsevecBinary is sparsevec_send: int32 dim, int32 nnz, int32
// unused, the 0-based indices, then float4 values, all big-endian.
func appendSparsevecBinary(buf []byte, s *DSparsevec) []byte {
	buf = binary.BigEndian.AppendUint32(buf, uint32(s.Dim))
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(s.Indices)))
	buf = binary.BigEndian.AppendUint32(buf, 0)
	for _, ix := range s.Indices {
		buf = binary.BigEndian.AppendUint32(buf, uint32(ix))
	}
	for _, f := range s.Values {
		buf = binary.BigEndian.AppendUint32(buf, math.Float32bits(f))
	}
	return buf
}

// decodeSparsevecBinary is sparsevec_recv with its checks in its order.
func decodeSparsevecBinary(t *T, b []byte) (Datum, error) {
	if len(b) < 12 {
		return nil, badBinary("insufficient data left in message")
	}
	dim := int32(binary.BigEndian.Uint32(b))
	nnz := int32(binary.BigEndian.Uint32(b[4:]))
	unused := int32(binary.BigEndian.Uint32(b[8:]))
	if err := checkSparseDim(int(dim)); err != nil {
		return nil, err
	}
	if nnz < 0 {
		return nil, pgerror.New(pgerror.CodeDataException, "sparsevec cannot have negative number of elements")
	}
	if nnz > maxSparseNnz {
		return nil, sparseNnzError()
	}
	if nnz > dim {
		return nil, pgerror.New(pgerror.CodeDataException, "sparsevec cannot have more elements than dimensions")
	}
	if err := checkVectorDims(t, int(dim)); err != nil {
		return nil, err
	}
	if unused != 0 {
		return nil, pgerror.New(pgerror.CodeDataException, "expected unused to be 0, not %d", unused)
	}
	if len(b) != 12+8*int(nnz) {
		return nil, badBinary("incorrect binary data format")
	}
	s := &DSparsevec{Dim: dim, Indices: make([]int32, nnz), Values: make([]float32, nnz)}
	for i := range s.Indices {
		s.Indices[i] = int32(binary.BigEndian.Uint32(b[12+4*i:]))
		if err := checkSparseIndex(s.Indices, i, dim); err != nil {
			return nil, err
		}
	}
	vals := b[12+4*int(nnz):]
	for i := range s.Values {
		f := math.Float32frombits(binary.BigEndian.Uint32(vals[4*i:]))
		if err := checkSparseElem(f); err != nil {
			return nil, err
		}
		if f == 0 {
			return nil, pgerror.New(pgerror.CodeDataException, "binary representation of sparsevec cannot contain zero values")
		}
		s.Values[i] = f
	}
	return s, nil
}

// compareSparsevec is pgvector's sparsevec_cmp_internal: the dense
// element-by-element order (so an element before the other's first
// non-zero decides by its sign), then dimensions.
func compareSparsevec(a, b *DSparsevec) int {
	n := min(len(a.Indices), len(b.Indices))
	for i := 0; i < n; i++ {
		if a.Indices[i] < b.Indices[i] {
			return signOf(a.Values[i])
		}
		if a.Indices[i] > b.Indices[i] {
			return -signOf(b.Values[i])
		}
		if c := cmp3(a.Values[i], b.Values[i]); c != 0 {
			return c
		}
	}
	if len(a.Indices) < len(b.Indices) && b.Indices[n] < a.Dim {
		return -signOf(b.Values[n])
	}
	if len(a.Indices) > len(b.Indices) && a.Indices[n] < b.Dim {
		return signOf(a.Values[n])
	}
	return cmp3(a.Dim, b.Dim)
}

// signOf is -1 for a negative value and 1 otherwise (stored values are
// never zero).
func signOf(f float32) int {
	if f < 0 {
		return -1
	}
	return 1
}
