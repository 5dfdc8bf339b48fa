package storage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// The row cache must never answer with a version other than the one the
// reader's snapshot sees. Writers increment counters by read-modify-write
// (their reads go through the cache), readers check that successive
// snapshots never go back and that one snapshot always reads the same
// value; at the end each counter equals its number of committed
// increments, which a stale cached read would have lost.
func TestRowCacheNeverStale(t *testing.T) {
	ctx := context.Background()
	for _, cacheBytes := range []int64{0, 64 << 10} { // default, and one small enough to evict
		t.Run(fmt.Sprint(cacheBytes), func(t *testing.T) {
			e, err := Open(Options{InMemory: true, Logger: quiet, RowCacheBytes: cacheBytes})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			tb := createTable(t, e, usersTable(20000))
			const rows = 4
			tx := e.Begin()
			for id := int64(1); id <= rows; id++ {
				if err := tx.InsertRow(ctx, tb, user(id, "n", "", 0)); err != nil {
					t.Fatal(err)
				}
			}
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			counter := func(tx *Txn, id int64) (int64, []types.Datum, error) {
				r, err := tx.GetRow(ctx, tb, []types.Datum{types.DInt(id)})
				if err != nil || r == nil {
					return 0, nil, fmt.Errorf("row %d: %v, %w", id, r, err)
				}
				return int64(r[3].(types.DInt)), r, nil
			}
			var committed [rows + 1]atomic.Int64
			var stop atomic.Bool
			var writers, wg sync.WaitGroup
			errc := make(chan error, 8)
			for w := range 3 {
				writers.Go(func() {
					for i := 0; i < 300; i++ {
						id := int64(1 + (i+w)%rows)
						tx := e.Begin()
						n, old, err := counter(tx, id)
						if err == nil {
							err = tx.UpdateRow(ctx, tb, old, user(id, "n", "", n+1))
						}
						if err == nil {
							err = tx.Commit(ctx)
						} else {
							tx.Rollback()
						}
						var pe *pgerror.Error
						if errors.As(err, &pe) && pe.Code == pgerror.CodeSerializationFailure {
							continue
						}
						if err != nil {
							errc <- err
							return
						}
						committed[id].Add(1)
					}
				})
			}
			for range 2 {
				wg.Go(func() {
					var last [rows + 1]int64
					held := e.Begin() // an old snapshot kept across many newer ones
					defer func() { held.Rollback() }()
					var heldSeen [rows + 1]int64
					for id := int64(1); id <= rows; id++ {
						heldSeen[id], _, _ = counter(held, id)
					}
					for i := 0; !stop.Load(); i++ {
						tx := e.Begin()
						for id := int64(1); id <= rows; id++ {
							n, _, err := counter(tx, id)
							if err != nil {
								errc <- err
								tx.Rollback()
								return
							}
							if n < last[id] {
								errc <- fmt.Errorf("row %d went back from %d to %d", id, last[id], n)
								tx.Rollback()
								return
							}
							last[id] = n
							if h, _, _ := counter(held, id); h != heldSeen[id] {
								errc <- fmt.Errorf("row %d: an old snapshot read %d, then %d", id, heldSeen[id], h)
								tx.Rollback()
								return
							}
						}
						tx.Rollback()
						if i%50 == 49 {
							held.Rollback()
							held = e.Begin()
							for id := int64(1); id <= rows; id++ {
								heldSeen[id], _, _ = counter(held, id)
							}
						}
					}
				})
			}
			writers.Wait()
			stop.Store(true)
			wg.Wait()
			close(errc)
			for err := range errc {
				t.Fatal(err)
			}
			tx = e.Begin()
			defer tx.Rollback()
			for id := int64(1); id <= rows; id++ {
				n, _, err := counter(tx, id)
				if err != nil {
					t.Fatal(err)
				}
				if n != committed[id].Load() {
					t.Errorf("row %d: counter %d, %d increments committed", id, n, committed[id].Load())
				}
			}
		})
	}
}
