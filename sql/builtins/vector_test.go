package builtins

import (
	"testing"

	"github.com/quiverdb/quiver/sql/types"
)

func TestVectorOperators(t *testing.T) {
	v := types.Vector
	a, b := types.DVector{1, 2, 3}, types.DVector{4, 6, 3}
	runBinary(t, []evalCase{
		{name: "<->", typs: ts(v, v), args: ds(a, b), want: "5"},
		{name: "<#>", typs: ts(v, v), args: ds(a, b), want: "-25"},
		{name: "<+>", typs: ts(v, v), args: ds(a, b), want: "7"},
		{name: "<=>", typs: ts(v, v), args: ds(types.DVector{1, 0}, types.DVector{0, 1}), want: "1"},
		{name: "<->", typs: ts(v, unk), args: ds(a, types.DVector{1, 2}), code: "22000", msg: "different vector dimensions 3 and 2"},
		{name: "+", typs: ts(v, v), args: ds(a, b), want: "[5,8,6]"},
		{name: "<", typs: ts(v, v), args: ds(a, b), want: "t"},
	})
	runFuncs(t, []evalCase{
		{name: "vector_dims", typs: ts(v), args: ds(a), want: "3"},
		{name: "vector_norm", typs: ts(v), args: ds(types.DVector{3, 4}), want: "5"},
		{name: "inner_product", typs: ts(v, v), args: ds(a, b), want: "25"},
		{name: "l2_normalize", typs: ts(v), args: ds(types.DVector{3, 4}), want: "[0.6,0.8]"},
	})
	o, casts, err := ResolveAggregate("avg", Aggregates("avg"), ts(v))
	if err != nil {
		t.Fatal(err)
	}
	agg := o.New(casts)
	for _, x := range []types.DVector{{1, 2}, {3, 4}} {
		if err := agg.Add(testCtx(), ds(x)); err != nil {
			t.Fatal(err)
		}
	}
	r, _ := agg.Result(testCtx())
	if got := datumText(r); got != "[2,3]" {
		t.Errorf("avg(vector) = %s", got)
	}
}
