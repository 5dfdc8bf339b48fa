package storage

import (
	"testing"

	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/types"
)

// FuzzDecodeRow checks that corrupt row values are errors, never panics.
func FuzzDecodeRow(f *testing.F) {
	tb := &catalog.Table{Name: "t", Columns: []catalog.Column{
		{ID: 1, Name: "a", Type: types.Int8}, {ID: 2, Name: "b", Type: types.Numeric},
		{ID: 3, Name: "c", Type: types.ArrayOf(types.Text)}, {ID: 4, Name: "d", Type: types.Interval},
		{ID: 5, Name: "e", Type: types.VectorN(2)}, {ID: 6, Name: "f", Type: types.UUID},
		{ID: 7, Name: "g", Type: types.HalfvecN(2)}, {ID: 8, Name: "h", Type: types.Sparsevec},
		{ID: 9, Name: "i", Type: types.Varbit}}}
	good, err := encodeRow(nil, tb, []types.Datum{types.DInt(-7), dec("12.50"),
		&types.DArray{Elem: types.Text, Elems: []types.Datum{types.DString("x"), types.Null}},
		types.DInterval{Months: 1, Days: 2, Micros: 3}, types.DVector{1, 2}, types.DUUID{1}, types.DHalfvec{1, 2},
		&types.DSparsevec{Dim: 9, Indices: []int32{1, 8}, Values: []float32{1, -1}}, &types.DBit{Len: 10, Bytes: []byte{0xF0, 0xC0}}}, RowVersion{Stored: true, Xmin: 5, Tuple: 3})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte{rowFormatV1, 0x0a, 0xff})
	f.Add([]byte{})
	idx := columnIndex(tb)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = decodeRow(tb, idx, b)
	})
}
