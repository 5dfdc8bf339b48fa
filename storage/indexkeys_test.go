package storage

import (
	"context"
	"reflect"
	"testing"

	"github.com/quiverdb/quiver/sql/types"
)

// ScanIndexKeys finds what ScanIndex finds, own uncommitted writes
// included, and GetRowByKey reads those rows.
func TestScanIndexKeys(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	tb := createTable(t, e, usersTable(20000))
	insertUsers(t, e, tb, 100) // age = id % 50
	tx := e.Begin()
	defer tx.Rollback()
	if err := tx.UpdateRow(ctx, tb, user(7, "u7", "u7@x", 7), user(7, "u7", "seven@x", 8)); err != nil {
		t.Fatal(err)
	}
	if err := tx.DeleteRow(ctx, tb, user(58, "u58", "u58@x", 8)); err != nil {
		t.Fatal(err)
	}
	if err := tx.InsertRow(ctx, tb, user(500, "n", "n@x", 8)); err != nil {
		t.Fatal(err)
	}
	age := func(v int64) *Bound { return &Bound{Values: []types.Datum{types.DInt(v)}, Inclusive: true} }
	for _, a := range []int64{7, 8, 49, 50} {
		span := Span{age(a), age(a)}
		want := ids(collect(t)(tx.ScanIndex(ctx, tb, &tb.Indexes[1], span, false)))
		got := []int64{}
		err := tx.ScanIndexKeys(ctx, tb, &tb.Indexes[1], span, func(pk []byte) error {
			row, err := tx.GetRowByKey(ctx, tb, pk)
			if err != nil || row == nil {
				t.Fatalf("GetRowByKey(%x) = %v, %v", pk, row, err)
			}
			got = append(got, int64(row[0].(types.DInt)))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("age %d: ScanIndexKeys %v, ScanIndex %v", a, got, want)
		}
	}
	if got := ids(collect(t)(tx.ScanIndex(ctx, tb, &tb.Indexes[1], Span{age(8), age(8)}, false))); !reflect.DeepEqual(got, []int64{7, 8, 500}) {
		t.Fatalf("age 8 -> %v", got)
	}
	ctx2, cancel := context.WithCancel(ctx)
	cancel()
	if err := tx.ScanIndexKeys(ctx2, tb, &tb.Indexes[1], Span{}, func([]byte) error { return nil }); err == nil {
		t.Fatal("canceled scan succeeded")
	}
}
