package builtins

import (
	"math"

	"github.com/quiverdb/quiver/index/vecmath"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// pgvector's operators and functions over the vector and halfvec types.
// Both hold float32s in memory, so one implementation serves both: a
// vecKind says how results are rounded, wrapped and named.

// maxVectorDims is pgvector's VECTOR_MAX_DIM (and HALFVEC_MAX_DIM).
const maxVectorDims = 16000

// vecKind is what differs between vector and halfvec.
type vecKind struct {
	t    *types.T
	name string // in messages: "different halfvec dimensions ..."
	// round brings a float32 result to the type's precision: identity for
	// vector, nearest half (infinite on overflow) for halfvec.
	round func(float32) float32
	wrap  func([]float32) types.Datum
}

var (
	vectorKind = vecKind{t: types.Vector, name: "vector", round: func(f float32) float32 { return f },
		wrap: func(v []float32) types.Datum { return types.DVector(v) }}
	halfvecKind = vecKind{t: types.Halfvec, name: "halfvec", round: types.RoundHalf,
		wrap: func(v []float32) types.Datum { return types.DHalfvec(v) }}
)

// vec is a vector's or halfvec's elements.
func vec(d types.Datum) []float32 {
	v, _ := types.VectorElems(d)
	return v
}

func (k vecKind) checkDims(a, b []float32) error {
	if len(a) != len(b) {
		return k.dimsDiffer(len(a), len(b))
	}
	return nil
}

func (k vecKind) dimsDiffer(a, b int) error {
	return pgerror.New(pgerror.CodeDataException, "different %s dimensions %d and %d", k.name, a, b)
}

func (k vecKind) tooManyDims() error {
	return pgerror.New(pgerror.CodeProgramLimitExceeded, "%s cannot have more than %d dimensions", k.name, maxVectorDims)
}

func (k vecKind) tooFewDims() error {
	return pgerror.New(pgerror.CodeDataException, "%s must have at least 1 dimension", k.name)
}

func (k vecKind) distance(f func(a, b []float32) float64) evalFn {
	return func(ctx *EvalContext, args []types.Datum) (types.Datum, error) {
		a, b := vec(args[0]), vec(args[1])
		if err := k.checkDims(a, b); err != nil {
			return nil, err
		}
		return types.DFloat(f(a, b)), nil
	}
}

// errVecOverflow and errVecUnderflow are float_overflow_error's and
// float_underflow_error's reports (new each time: callers may amend them).
func errVecOverflow() error {
	return pgerror.New(pgerror.CodeNumericValueOutOfRange, "value out of range: overflow")
}

func errVecUnderflow() error {
	return pgerror.New(pgerror.CodeNumericValueOutOfRange, "value out of range: underflow")
}

// elementwise is pgvector's +, - and *: float32 arithmetic rounded to the
// type's precision that reports an infinite result as overflow and, with
// underflow (for *), a zero from two non-zero operands as underflow.
func (k vecKind) elementwise(op func(x, y float32) float32, underflow bool) evalFn {
	return func(ctx *EvalContext, args []types.Datum) (types.Datum, error) {
		a, b := vec(args[0]), vec(args[1])
		if err := k.checkDims(a, b); err != nil {
			return nil, err
		}
		r := make([]float32, len(a))
		for i := range a {
			r[i] = k.round(op(a[i], b[i]))
			if math.IsInf(float64(r[i]), 0) {
				return nil, errVecOverflow()
			}
			if underflow && r[i] == 0 && a[i] != 0 && b[i] != 0 {
				return nil, errVecUnderflow()
			}
		}
		return k.wrap(r), nil
	}
}

// vecSumAgg is pgvector's sum and avg over vector or halfvec.
type vecSumAgg struct {
	k   vecKind
	sum []float64
	n   int64
	avg bool
}

func (a *vecSumAgg) Add(ctx *EvalContext, args []types.Datum) error {
	if types.IsNull(args[0]) {
		return nil
	}
	v := vec(args[0])
	if a.sum == nil {
		a.sum = make([]float64, len(v))
	} else if len(v) != len(a.sum) {
		if !a.avg {
			// pgvector's sum adds with vector_add, avg accumulates with
			// vector_accum: their dimension errors differ.
			return a.k.dimsDiffer(len(a.sum), len(v))
		}
		return pgerror.New(pgerror.CodeDataException, "expected %d dimensions, not %d", len(a.sum), len(v))
	}
	for i, x := range v {
		if a.avg {
			a.sum[i] += float64(x)
			continue
		}
		// sum is the type's own + in pgvector, which reports overflow.
		r := a.k.round(float32(a.sum[i]) + x)
		if math.IsInf(float64(r), 0) {
			return errVecOverflow()
		}
		a.sum[i] = float64(r)
	}
	a.n++
	return nil
}

func (a *vecSumAgg) Result(ctx *EvalContext) (types.Datum, error) {
	if a.n == 0 {
		return types.Null, nil
	}
	r := make([]float32, len(a.sum))
	for i, s := range a.sum {
		if a.avg {
			s /= float64(a.n)
		}
		r[i] = float32(s)
		if a.k.t.Family == types.FamHalfvec {
			// halfvec_avg: Float4ToHalf of the float4 mean.
			var err error
			if r[i], err = types.HalfvecElem(r[i]); err != nil {
				return nil, err
			}
		}
	}
	return a.k.wrap(r), nil
}

// l1Fn and ipFn widen vecmath's float32 results as pgvector does.
func l1Fn(a, b []float32) float64 { return float64(vecmath.L1(a, b)) }
func ipFn(a, b []float32) float64 { return float64(vecmath.Dot(a, b)) }

func registerVector() {
	registerVectorKind(vectorKind)
	registerVectorKind(halfvecKind)
	v := types.Vector
	addFunc("vector_norm", fn(params(v), types.Float8, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DFloat(vecmath.Norm(vec(a[0]))), nil
	}))
	// halfvec's norm is l2_norm (vector has only vector_norm).
	addFunc("l2_norm", fn(params(types.Halfvec), types.Float8, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DFloat(vecmath.Norm(vec(a[0]))), nil
	}))
	addFunc("vector_cmp", fn(params(v, v), types.Int4, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DInt(types.Compare(types.Vector, a[0], a[1])), nil
	}))
	addFunc("halfvec_cmp", fn(params(types.Halfvec, types.Halfvec), types.Int4, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DInt(types.Compare(types.Halfvec, a[0], a[1])), nil
	}))
	// TiDB's spellings of the same functions, which its grammar knows.
	for name, same := range map[string]string{
		"vec_l2_distance": "l2_distance", "vec_cosine_distance": "cosine_distance",
		"vec_negative_inner_product": "negative_inner_product", "vec_l1_distance": "l1_distance",
		"vec_dims": "vector_dims", "vec_l2_norm": "vector_norm",
	} {
		for _, o := range Functions(same) {
			if o.Params[0].Family == types.FamVector {
				addFunc(name, o)
			}
		}
	}
	addFunc("vec_from_text", fn(params(types.Text), v, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.ParseText(types.Vector, string(a[0].(types.DString)))
	}))
	addFunc("vec_as_text", fn(params(v), types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DString(types.FormatText(types.Vector, a[0])), nil
	}))
}

// registerVectorKind adds the operators, functions and aggregates vector
// and halfvec share in pgvector.
func registerVectorKind(k vecKind) {
	v := k.t
	dist := func(f func(a, b []float32) float64) *Overload {
		return &Overload{Params: params(v, v), Return: types.Float8, Fn: k.distance(f), Distance: f}
	}
	for _, d := range []struct {
		op, name string
		f        func(a, b []float32) float64
	}{{"<->", "l2_distance", vecmath.L2}, {"<=>", "cosine_distance", vecmath.CosineDistance},
		{"<#>", "negative_inner_product", vecmath.NegativeInnerProduct}, {"<+>", "l1_distance", l1Fn}} {
		o := dist(d.f)
		registry.binary[d.op] = append(registry.binary[d.op], o)
		addFunc(d.name, o)
	}
	addFunc("inner_product", dist(ipFn))
	addFunc("vector_dims", fn(params(v), types.Int4, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DInt(len(vec(a[0]))), nil
	}))
	addFunc("l2_normalize", fn(params(v), v, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		x := vec(a[0])
		n := vecmath.Norm(x)
		r := make([]float32, len(x))
		if n > 0 {
			for i, f := range x {
				r[i] = k.round(float32(float64(f) / n))
			}
		}
		return k.wrap(r), nil
	}))
	addBin("+", v, v, v, k.elementwise(func(x, y float32) float32 { return x + y }, false))
	addBin("-", v, v, v, k.elementwise(func(x, y float32) float32 { return x - y }, false))
	addBin("*", v, v, v, k.elementwise(func(x, y float32) float32 { return x * y }, true))
	addBin("||", v, v, v, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		x, y := vec(a[0]), vec(a[1])
		if len(x)+len(y) > maxVectorDims {
			return nil, k.tooManyDims()
		}
		r := make([]float32, 0, len(x)+len(y))
		return k.wrap(append(append(r, x...), y...)), nil
	})
	addFunc("subvector", fn(params(v, types.Int4, types.Int4), v, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		// pgvector: elements start..start+count-1 (1-based), clipped to the
		// vector; an empty result is an error.
		x := vec(a[0])
		start, count := int64(a[1].(types.DInt)), int64(a[2].(types.DInt))
		end := start + count
		if count > 0 && end < start { // overflow
			end = math.MaxInt64
		}
		if start < 1 {
			start = 1
		}
		if end > int64(len(x))+1 {
			end = int64(len(x)) + 1
		}
		if end <= start {
			return nil, k.tooFewDims()
		}
		return k.wrap(append([]float32(nil), x[start-1:end-1]...)), nil
	}))
	addAgg("sum", params(v), v, func([]*types.T) Aggregator { return &vecSumAgg{k: k} })
	addAgg("avg", params(v), v, func([]*types.T) Aggregator { return &vecSumAgg{k: k, avg: true} })
}
