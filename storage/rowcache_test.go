package storage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/quiverdb/quiver/sql/catalog"
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

// cachedRowKeys counts the row cache's entries of table rows and of other
// table keys (index entries, counters), and returns whether key is cached.
func cachedRowKeys(e *Engine, key []byte) (rows, others int, has bool) {
	for i := range e.rows.shards {
		s := &e.rows.shards[i]
		s.mu.RLock()
		for _, ent := range s.m {
			k := ent.kv[:ent.keyLen]
			switch {
			case isRowKey(k):
				rows++
			case string(k[:min(3, len(k))]) == "/t/":
				others++
			}
			has = has || string(k) == string(key)
		}
		s.mu.RUnlock()
	}
	return rows, others, has
}

// A bulk commit (more than rowCacheWriteThroughKeys keys) puts its table
// rows into free room only: into an empty cache all of them, into a full
// one none, so rows that readers brought in are never evicted for it; its
// index entries never enter.
func TestRowCacheBulkCommitFillsOnlyFreeRoom(t *testing.T) {
	ctx := context.Background()
	const bulkRows = 5000
	insertRange := func(e *Engine, tb *catalog.Table, from, to int) {
		t.Helper()
		tx := e.Begin()
		for i := from; i <= to; i++ {
			if err := tx.InsertRow(ctx, tb, user(int64(i), fmt.Sprintf("u%d", i), fmt.Sprintf("u%d@x", i), int64(i%50))); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	hotKey := func(e *Engine, tb *catalog.Table) []byte {
		t.Helper()
		tx := e.Begin()
		defer tx.Rollback()
		if r, err := tx.GetRow(ctx, tb, []types.Datum{types.DInt(1)}); err != nil || r == nil {
			t.Fatalf("row 1: %v %v", r, err)
		}
		for i := range e.rows.shards {
			for _, ent := range e.rows.shards[i].m {
				if k := ent.kv[:ent.keyLen]; isRowKey(k) {
					return append([]byte(nil), k...)
				}
			}
		}
		t.Fatal("row 1 is not cached after a read")
		return nil
	}

	t.Run("empty cache", func(t *testing.T) {
		e, err := Open(Options{InMemory: true, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		tb := createTable(t, e, usersTable(20000))
		insertRange(e, tb, 1, bulkRows)
		rows, others, _ := cachedRowKeys(e, nil)
		if rows != bulkRows || others != 0 {
			t.Fatalf("after a bulk insert of %d rows into an empty cache: %d rows and %d other keys cached", bulkRows, rows, others)
		}
	})

	t.Run("hidden row ids", func(t *testing.T) {
		e, err := Open(Options{InMemory: true, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		tb := createTable(t, e, noPKTable(20000))
		tx := e.Begin()
		for i := range bulkRows {
			if err := tx.InsertRow(ctx, tb, []types.Datum{types.DString(fmt.Sprint(i)), types.Null}); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if rows, _, _ := cachedRowKeys(e, nil); rows != 0 {
			t.Fatalf("a bulk insert under hidden row ids cached %d rows", rows)
		}
		// A small commit's rows are cached all the same.
		tx = e.Begin()
		if err := tx.InsertRow(ctx, tb, []types.Datum{types.DString("x"), types.Null}); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if rows, _, _ := cachedRowKeys(e, nil); rows != 1 {
			t.Fatalf("a one-row insert under a hidden row id: %d rows cached, want 1", rows)
		}
	})

	t.Run("full cache", func(t *testing.T) {
		const capacity = 256 << 10
		e, err := Open(Options{InMemory: true, Logger: quiet, RowCacheBytes: capacity})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		tb := createTable(t, e, usersTable(20000))
		insertRange(e, tb, 1, 1) // a small commit: cached by write-through
		key := hotKey(e, tb)
		insertRange(e, tb, 2, 1+bulkRows)
		rows, _, has := cachedRowKeys(e, key)
		if !has {
			t.Fatal("a bulk commit evicted a cached row")
		}
		var bytes int64
		for i := range e.rows.shards {
			bytes += e.rows.shards[i].bytes
		}
		if rows < 100 || rows >= bulkRows || bytes > capacity {
			t.Fatalf("bulk insert of %d rows into a %d-byte cache: %d rows cached, %d bytes", bulkRows, capacity, rows, bytes)
		}
		// A full cache takes no more bulk rows, and keeps the hot one.
		insertRange(e, tb, 2+bulkRows, 1+2*bulkRows)
		if again, _, has := cachedRowKeys(e, key); !has || again > rows+rows/10 {
			t.Fatalf("a second bulk insert into the full cache: %d rows cached (was %d), hot row kept %v", again, rows, has)
		}
	})
}
