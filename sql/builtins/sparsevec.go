package builtins

import (
	"math"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// pgvector's operators and functions over sparsevec. The kernels walk the
// two sorted index lists together and accumulate in float32 where
// pgvector's sparsevec.c does, so results match it to the last bit.

// sparseMerge calls both(i, j) for each index the two vectors share,
// onlyA(i) and onlyB(j) for the others, in index order.
func sparseMerge(a, b *types.DSparsevec, both func(i, j int), onlyA, onlyB func(int)) {
	i, j := 0, 0
	for i < len(a.Indices) && j < len(b.Indices) {
		switch ai, bj := a.Indices[i], b.Indices[j]; {
		case ai == bj:
			both(i, j)
			i++
			j++
		case ai < bj:
			onlyA(i)
			i++
		default:
			onlyB(j)
			j++
		}
	}
	for ; i < len(a.Indices); i++ {
		onlyA(i)
	}
	for ; j < len(b.Indices); j++ {
		onlyB(j)
	}
}

// sparseL2Squared is SparsevecL2SquaredDistance, summed in float32.
// pgvector adds a's lone elements as it passes them and b's as its scan
// passes them, which is index order, as sparseMerge visits them.
func sparseL2Squared(a, b *types.DSparsevec) float32 {
	var d float32
	sparseMerge(a, b, func(i, j int) {
		diff := a.Values[i] - b.Values[j]
		d += float32(diff * diff)
	}, func(i int) { d += float32(a.Values[i] * a.Values[i]) }, func(j int) { d += float32(b.Values[j] * b.Values[j]) })
	return d
}

// sparseDot is SparsevecInnerProduct, summed in float32.
func sparseDot(a, b *types.DSparsevec) float32 {
	var d float32
	sparseMerge(a, b, func(i, j int) { d += float32(a.Values[i] * b.Values[j]) }, func(int) {}, func(int) {})
	return d
}

// sparseL1 is sparsevec_l1_distance, summed in float32.
func sparseL1(a, b *types.DSparsevec) float32 {
	var d float32
	abs := func(f float32) float32 { return float32(math.Abs(float64(f))) }
	sparseMerge(a, b, func(i, j int) { d += abs(a.Values[i] - b.Values[j]) },
		func(i int) { d += abs(a.Values[i]) }, func(j int) { d += abs(b.Values[j]) })
	return d
}

// sparseCosine is sparsevec_cosine_distance: float32 norms, a float64
// quotient clamped to [-1, 1]; a zero vector gives NaN.
func sparseCosine(a, b *types.DSparsevec) float64 {
	sim := float64(sparseDot(a, b))
	var na, nb float32
	for _, f := range a.Values {
		na += float32(f * f)
	}
	for _, f := range b.Values {
		nb += float32(f * f)
	}
	sim /= math.Sqrt(float64(na) * float64(nb))
	if sim > 1 {
		sim = 1
	} else if sim < -1 {
		sim = -1
	}
	return 1 - sim
}

// sparseNorm is sparsevec_l2_norm: summed in float64.
func sparseNorm(a *types.DSparsevec) float64 {
	var n float64
	for _, f := range a.Values {
		n += float64(f) * float64(f)
	}
	return math.Sqrt(n)
}

func sparseL2(a, b *types.DSparsevec) float64    { return math.Sqrt(float64(sparseL2Squared(a, b))) }
func sparseNegIP(a, b *types.DSparsevec) float64 { return float64(-sparseDot(a, b)) }
func sparseL1Fn(a, b *types.DSparsevec) float64  { return float64(sparseL1(a, b)) }

func sparseArgs(args []types.Datum) (a, b *types.DSparsevec, err error) {
	a, _ = args[0].(*types.DSparsevec)
	b, _ = args[1].(*types.DSparsevec)
	if a == nil || b == nil {
		return nil, nil, pgerror.New(pgerror.CodeInternal, "sparsevec argument expected")
	}
	if a.Dim != b.Dim {
		return nil, nil, pgerror.New(pgerror.CodeDataException, "different sparsevec dimensions %d and %d", a.Dim, b.Dim)
	}
	return a, b, nil
}

func sparseDistanceFn(f func(a, b *types.DSparsevec) float64) evalFn {
	return func(ctx *EvalContext, args []types.Datum) (types.Datum, error) {
		a, b, err := sparseArgs(args)
		if err != nil {
			return nil, err
		}
		return types.DFloat(f(a, b)), nil
	}
}

func sameSparseDim(a, b *types.DSparsevec) bool { return a.Dim == b.Dim }

func registerSparsevec() {
	s := types.Sparsevec
	// <#> has no plain-named function in pgvector: negative_inner_product
	// is vector's alone.
	for _, d := range []struct {
		op, name string
		f        func(a, b *types.DSparsevec) float64
	}{{"<->", "l2_distance", sparseL2}, {"<=>", "cosine_distance", sparseCosine},
		{"<#>", "sparsevec_negative_inner_product", sparseNegIP}, {"<+>", "l1_distance", sparseL1Fn}} {
		o := &Overload{Params: params(s, s), Return: types.Float8, Fn: sparseDistanceFn(d.f), ValueDistance: valueDistance(d.f, sameSparseDim)}
		registry.binary[d.op] = append(registry.binary[d.op], o)
		addFunc(d.name, o)
	}
	ip := func(a, b *types.DSparsevec) float64 { return float64(sparseDot(a, b)) }
	addFunc("inner_product", &Overload{Params: params(s, s), Return: types.Float8, Fn: sparseDistanceFn(ip), ValueDistance: valueDistance(ip, sameSparseDim)})
	addFunc("sparsevec_l2_squared_distance", fn(params(s, s), types.Float8, sparseDistanceFn(func(a, b *types.DSparsevec) float64 {
		return float64(sparseL2Squared(a, b))
	})))
	addFunc("l2_norm", fn(params(s), types.Float8, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DFloat(sparseNorm(a[0].(*types.DSparsevec))), nil
	}))
	addFunc("l2_normalize", fn(params(s), s, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		// sparsevec_l2_normalize: float32 quotients by the float64 norm,
		// dropping elements that underflow to zero; a zero norm leaves
		// the (empty) vector as it is.
		x := a[0].(*types.DSparsevec)
		n := sparseNorm(x)
		out := &types.DSparsevec{Dim: x.Dim}
		if n == 0 {
			return out, nil
		}
		for i, f := range x.Values {
			r := float32(float64(f) / n)
			if math.IsInf(float64(r), 0) {
				return nil, errVecOverflow()
			}
			if r != 0 {
				out.Indices = append(out.Indices, x.Indices[i])
				out.Values = append(out.Values, r)
			}
		}
		return out, nil
	}))
	addFunc("sparsevec_cmp", fn(params(s, s), types.Int4, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DInt(types.Compare(s, a[0], a[1])), nil
	}))
}
