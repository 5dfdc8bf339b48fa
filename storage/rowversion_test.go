package storage

import (
	"reflect"
	"testing"

	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/types"
)

// TestRowVersionCodec: the version record rides in a row value as column
// 0, which decoding skips (with or without a column map), and reads back
// whole; a row stored without one has a zero version.
func TestRowVersionCodec(t *testing.T) {
	tb := &catalog.Table{Name: "t", Columns: []catalog.Column{
		{ID: 1, Name: "a", Type: types.Int8}, {ID: 2, Name: "b", Type: types.Text}}}
	row := []types.Datum{types.DInt(7), types.DString("x")}
	v := RowVersion{Stored: true, Xmin: 1 << 33, Xmax: 12, Tuple: 300}
	b, err := encodeRow(nil, tb, row, v)
	if err != nil {
		t.Fatal(err)
	}
	for _, idx := range []map[uint32]int{nil, columnIndex(tb)} {
		got, err := decodeRow(tb, idx, b)
		if err != nil || !reflect.DeepEqual(got, row) {
			t.Fatalf("decodeRow = %v, %v; want %v", got, err, row)
		}
	}
	if got, err := decodeVersion(b); err != nil || got != v {
		t.Fatalf("decodeVersion = %+v, %v; want %+v", got, err, v)
	}
	old, err := encodeRow(nil, tb, row, RowVersion{})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := decodeVersion(old); err != nil || got != (RowVersion{}) {
		t.Fatalf("decodeVersion of a row without a record = %+v, %v", got, err)
	}
	if _, err := decodeVersion(b[:4]); err == nil {
		t.Fatal("decodeVersion of a truncated record: no error")
	}
}

func TestRowVersionCtid(t *testing.T) {
	for _, c := range []struct {
		tuple int64
		want  types.DTid
	}{
		{0, types.DTid{}}, {1, types.DTid{Block: 0, Offset: 1}}, {291, types.DTid{Block: 0, Offset: 291}},
		{292, types.DTid{Block: 1, Offset: 1}}, {583, types.DTid{Block: 2, Offset: 1}},
	} {
		if got := (RowVersion{Tuple: c.tuple}).Ctid(); got != c.want {
			t.Errorf("tuple %d: ctid %v, want %v", c.tuple, got, c.want)
		}
	}
}

// TestRowVersionOwnWrites: a transaction sees its own id as the xmin of
// rows it wrote, a new tuple number for every version, and its id as
// xmax only after UpsertRow; a row it deleted is not found.
func TestRowVersionOwnWrites(t *testing.T) {
	e := openMem(t)
	tb := createTable(t, e, usersTable(500))
	ctx := t.Context()
	tx := e.Begin()
	defer tx.Rollback()
	id, err := tx.ID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	row := user(1, "a", "a@x", 30)
	if err := tx.InsertRow(ctx, tb, row); err != nil {
		t.Fatal(err)
	}
	pk := []types.Datum{types.DInt(1)}
	v1, found, err := tx.RowVersion(ctx, tb, pk)
	if err != nil || !found || v1.Xmin != id || v1.Xmax != 0 || v1.Tuple <= 0 {
		t.Fatalf("after insert: %+v found=%v err=%v, want xmin %d", v1, found, err, id)
	}
	row2 := user(1, "b", "b@x", 31)
	if err := tx.UpsertRow(ctx, tb, row, row2); err != nil {
		t.Fatal(err)
	}
	v2, _, err := tx.RowVersion(ctx, tb, pk)
	if err != nil || v2.Xmin != id || v2.Xmax != id || v2.Tuple <= v1.Tuple {
		t.Fatalf("after upsert: %+v (before %+v), %v", v2, v1, err)
	}
	if err := tx.DeleteRow(ctx, tb, row2); err != nil {
		t.Fatal(err)
	}
	if _, found, err := tx.RowVersion(ctx, tb, pk); found || err != nil {
		t.Fatalf("after delete: found=%v err=%v", found, err)
	}
}
