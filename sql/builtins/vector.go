package builtins

import (
	"math"

	"github.com/quiverdb/quiver/index/vecmath"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// pgvector's operators and functions over the vector type.

// maxVectorDims is pgvector's VECTOR_MAX_DIM.
const maxVectorDims = 16000

func vec(d types.Datum) []float32 { return d.(types.DVector) }

func checkDims(a, b []float32) error {
	if len(a) != len(b) {
		return pgerror.New(pgerror.CodeDataException, "different vector dimensions %d and %d", len(a), len(b))
	}
	return nil
}

func vecDistance(f func(a, b []float32) float64) evalFn {
	return func(ctx *EvalContext, args []types.Datum) (types.Datum, error) {
		a, b := vec(args[0]), vec(args[1])
		if err := checkDims(a, b); err != nil {
			return nil, err
		}
		return types.DFloat(f(a, b)), nil
	}
}

// vecElementwise is pgvector's +, - and *: float32 arithmetic that reports
// an infinite result as overflow and, with underflow (for *), a zero from
// two non-zero operands as underflow.
func vecElementwise(op func(x, y float32) float32, underflow bool) evalFn {
	return func(ctx *EvalContext, args []types.Datum) (types.Datum, error) {
		a, b := vec(args[0]), vec(args[1])
		if err := checkDims(a, b); err != nil {
			return nil, err
		}
		r := make(types.DVector, len(a))
		for i := range a {
			r[i] = op(a[i], b[i])
			if math.IsInf(float64(r[i]), 0) {
				return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value out of range: overflow")
			}
			if underflow && r[i] == 0 && a[i] != 0 && b[i] != 0 {
				return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value out of range: underflow")
			}
		}
		return r, nil
	}
}

// vecSumAgg is pgvector's sum(vector) and avg(vector).
type vecSumAgg struct {
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
			return pgerror.New(pgerror.CodeDataException, "different vector dimensions %d and %d", len(a.sum), len(v))
		}
		return pgerror.New(pgerror.CodeDataException, "expected %d dimensions, not %d", len(a.sum), len(v))
	}
	for i, x := range v {
		if a.avg {
			a.sum[i] += float64(x)
			continue
		}
		// sum is float32 arithmetic in pgvector, which reports overflow.
		r := float32(a.sum[i]) + x
		if math.IsInf(float64(r), 0) {
			return pgerror.New(pgerror.CodeNumericValueOutOfRange, "value out of range: overflow")
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
	r := make(types.DVector, len(a.sum))
	for i, s := range a.sum {
		if a.avg {
			s /= float64(a.n)
		}
		r[i] = float32(s)
	}
	return r, nil
}

func registerVector() {
	v := types.Vector
	l2Fn := vecmath.L2
	cosFn := vecmath.CosineDistance
	nipFn := vecmath.NegativeInnerProduct
	l1Fn := func(a, b []float32) float64 { return float64(vecmath.L1(a, b)) }
	ipFn := func(a, b []float32) float64 { return float64(vecmath.Dot(a, b)) }
	dist := func(f func(a, b []float32) float64) *Overload {
		return &Overload{Params: params(v, v), Return: types.Float8, Fn: vecDistance(f), Distance: f}
	}
	for _, d := range []struct {
		op, name string
		f        func(a, b []float32) float64
	}{{"<->", "l2_distance", l2Fn}, {"<=>", "cosine_distance", cosFn}, {"<#>", "negative_inner_product", nipFn}, {"<+>", "l1_distance", l1Fn}} {
		o := dist(d.f)
		registry.binary[d.op] = append(registry.binary[d.op], o)
		addFunc(d.name, o)
	}
	addFunc("inner_product", dist(ipFn))
	addFunc("vector_dims", fn(params(v), types.Int4, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DInt(len(vec(a[0]))), nil
	}))
	addFunc("vector_norm", fn(params(v), types.Float8, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DFloat(vecmath.Norm(vec(a[0]))), nil
	}))
	addFunc("l2_normalize", fn(params(v), v, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		x := vec(a[0])
		n := vecmath.Norm(x)
		r := make(types.DVector, len(x))
		if n > 0 {
			for i, f := range x {
				r[i] = float32(float64(f) / n)
			}
		}
		return r, nil
	}))
	addBin("+", v, v, v, vecElementwise(func(x, y float32) float32 { return x + y }, false))
	addBin("-", v, v, v, vecElementwise(func(x, y float32) float32 { return x - y }, false))
	addBin("*", v, v, v, vecElementwise(func(x, y float32) float32 { return x * y }, true))
	addBin("||", v, v, v, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		x, y := vec(a[0]), vec(a[1])
		if len(x)+len(y) > maxVectorDims {
			return nil, pgerror.New(pgerror.CodeProgramLimitExceeded, "vector cannot have more than %d dimensions", maxVectorDims)
		}
		r := make(types.DVector, 0, len(x)+len(y))
		return append(append(r, x...), y...), nil
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
			return nil, pgerror.New(pgerror.CodeDataException, "vector must have at least 1 dimension")
		}
		return append(types.DVector(nil), x[start-1:end-1]...), nil
	}))
	addFunc("vector_cmp", fn(params(v, v), types.Int4, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DInt(types.Compare(types.Vector, a[0], a[1])), nil
	}))
	addFunc("binary_quantize", fn(params(v), types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "binary_quantize is not supported yet: Quiver has no bit type")
	}))
	// TiDB's spellings of the same functions, which its grammar knows.
	for name, same := range map[string]string{
		"vec_l2_distance": "l2_distance", "vec_cosine_distance": "cosine_distance",
		"vec_negative_inner_product": "negative_inner_product", "vec_l1_distance": "l1_distance",
		"vec_dims": "vector_dims", "vec_l2_norm": "vector_norm",
	} {
		for _, o := range Functions(same) {
			addFunc(name, o)
		}
	}
	addFunc("vec_from_text", fn(params(types.Text), v, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.ParseText(types.Vector, string(a[0].(types.DString)))
	}))
	addFunc("vec_as_text", fn(params(v), types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DString(types.FormatText(types.Vector, a[0])), nil
	}))
	addAgg("sum", params(v), v, func([]*types.T) Aggregator { return &vecSumAgg{} })
	addAgg("avg", params(v), v, func([]*types.T) Aggregator { return &vecSumAgg{avg: true} })
}
