package executor

import (
	"bytes"
	"testing"

	"github.com/quiverdb/quiver/sql/types"
)

// TestRowKeyCitext: grouping keys fold citext values (also inside
// arrays) and only citext ones.
func TestRowKeyCitext(t *testing.T) {
	key := func(d types.Datum, typ *types.T) []byte {
		return appendRowKey(nil, []types.Datum{d}, []*types.T{typ})
	}
	if !bytes.Equal(key(types.DString("Foo"), types.Citext), key(types.DString("fOO"), types.Citext)) {
		t.Error("citext case variants group apart")
	}
	if bytes.Equal(key(types.DString("Foo"), types.Text), key(types.DString("fOO"), types.Text)) {
		t.Error("text case variants group together")
	}
	if bytes.Equal(key(types.DString("Foo"), nil), key(types.DString("fOO"), nil)) {
		t.Error("untyped case variants group together")
	}
	arr := func(s ...string) *types.DArray {
		a := &types.DArray{Elem: types.Citext}
		for _, e := range s {
			a.Elems = append(a.Elems, types.DString(e))
		}
		return a
	}
	ca := types.ArrayOf(types.Citext)
	if !bytes.Equal(key(arr("A", "b"), ca), key(arr("a", "B"), ca)) {
		t.Error("citext[] case variants group apart")
	}
	if bytes.Equal(key(arr("A", "b"), ca), key(arr("a", "C"), ca)) {
		t.Error("different citext[] values group together")
	}
}
