package storage

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/types"
)

// TestPartitionScanMatchesScanTable checks that the partitions of a
// PartitionScan, scanned concurrently, hold exactly the rows ScanTable
// returns (committed rows merged with the transaction's own inserts and
// deletions), each once and in key order within a partition, for text
// keys of uneven length and for a key range.
func TestPartitionScanMatchesScanTable(t *testing.T) {
	ctx := context.Background()
	e := openMem(t)
	tb := createTable(t, e, &catalog.Table{
		ID: 30000, DatabaseID: BootstrapDatabaseID, SchemaID: PublicSchemaID, Name: "words",
		Columns: []catalog.Column{
			{ID: 1, Name: "w", Type: types.Text, NotNull: true},
			{ID: 2, Name: "v", Type: types.Vector},
		},
		PrimaryKey: []int{0},
	})
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		b := make([]byte, 1+rng.IntN(12))
		for i := range b {
			b[i] = byte('a' + rng.IntN(26))
		}
		return string(b)
	}
	tx := e.Begin()
	for range 3000 {
		if err := tx.InsertRow(ctx, tb, []types.Datum{types.DString(word()), types.DVector{1, 2}}); err != nil && pgCode(err) != "23505" {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	tx = e.Begin()
	defer tx.Rollback()
	all := collect(t)(tx.ScanTable(ctx, tb, Span{}, false))
	for i, r := range all {
		if i%3 == 0 {
			if err := tx.DeleteRow(ctx, tb, r); err != nil {
				t.Fatal(err)
			}
		}
	}
	for range 500 {
		if err := tx.InsertRow(ctx, tb, []types.Datum{types.DString(word() + "!"), types.Null}); err != nil && pgCode(err) != "23505" {
			t.Fatal(err)
		}
	}
	dec := NewRowDecoder(tb)
	for _, span := range []Span{{}, {Start: &Bound{Values: []types.Datum{types.DString("f")}, Inclusive: true}, End: &Bound{Values: []types.Datum{types.DString("q")}}}} {
		want := collect(t)(tx.ScanTable(ctx, tb, span, false))
		for _, parts := range []int{1, 7, 64} {
			ps, err := tx.NewPartitionScan(ctx, tb, span, parts)
			if err != nil {
				t.Fatal(err)
			}
			got := make([][]string, ps.Partitions())
			errs := make([]error, ps.Partitions())
			var wg sync.WaitGroup
			for i := range got {
				wg.Go(func() {
					errs[i] = ps.Scan(ctx, i, func(key, val []byte) error {
						row, err := dec.Row(val)
						if err != nil {
							return err
						}
						got[i] = append(got[i], string(row[0].(types.DString)))
						return nil
					})
				})
			}
			wg.Wait()
			ps.Close()
			var flat []string
			for i := range got {
				if errs[i] != nil {
					t.Fatal(errs[i])
				}
				flat = append(flat, got[i]...)
			}
			wantKeys := make([]string, len(want))
			for i, r := range want {
				wantKeys[i] = string(r[0].(types.DString))
			}
			if !slices.Equal(flat, wantKeys) {
				t.Fatalf("span %v, %d parts (%d made): %d rows, want %d", span, parts, ps.Partitions(), len(flat), len(wantKeys))
			}
			if parts > 1 && ps.Partitions() < 2 {
				t.Errorf("span %v: %d parts asked, %d made", span, parts, ps.Partitions())
			}
		}
	}
}

// TestRowDecoderColumns checks the partial decode against the full one.
func TestRowDecoderColumns(t *testing.T) {
	tb := &catalog.Table{ID: 1, Name: "t", Columns: []catalog.Column{
		{ID: 1, Name: "a", Type: types.Int8}, {ID: 2, Name: "v", Type: types.Vector}, {ID: 3, Name: "s", Type: types.Text},
	}}
	dec := NewRowDecoder(tb)
	for _, row := range [][]types.Datum{
		{types.DInt(7), types.DVector{1.5, -2, 3e38}, types.DString("x")},
		{types.DInt(8), types.Null, types.DString("y")},
	} {
		val, err := encodeRow(nil, tb, row, RowVersion{})
		if err != nil {
			t.Fatal(err)
		}
		out := []types.Datum{types.DInt(99), types.DInt(99), types.DInt(99)}
		vec, isNull, err := dec.Columns(val, []bool{false, false, true}, out, 1, make([]float32, 1))
		if err != nil {
			t.Fatal(err)
		}
		if out[0] != types.DInt(99) || out[2] != row[2] {
			t.Errorf("%v: decoded %v", row, out)
		}
		if want, ok := row[1].(types.DVector); ok != !isNull || (ok && !slices.Equal(vec, []float32(want))) {
			t.Errorf("%v: vector %v null %v", row, vec, isNull)
		}
		if fmt.Sprint(out[1]) != "99" {
			t.Errorf("%v: the vector column was written to the row", row)
		}
	}
	// A halfvec column decodes from its two-byte elements to float32s.
	tb.Columns[1].Type = types.HalfvecN(3)
	val, err := encodeRow(nil, tb, []types.Datum{types.DInt(9), types.DHalfvec{1.5, -2, 65504}, types.DString("z")}, RowVersion{})
	if err != nil {
		t.Fatal(err)
	}
	vec, isNull, err := dec.Columns(val, []bool{false, false, false}, make([]types.Datum, 3), 1, nil)
	if err != nil || isNull || !slices.Equal(vec, []float32{1.5, -2, 65504}) {
		t.Errorf("halfvec column: %v null %v err %v", vec, isNull, err)
	}
}
