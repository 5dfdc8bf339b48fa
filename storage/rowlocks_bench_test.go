package storage

import (
	"context"
	"encoding/binary"
	"sync/atomic"
	"testing"
)

// BenchmarkRowLock measures the lock table on the path every UPDATE and
// DELETE takes (pgbench's): an exclusive lock of a free row key, then
// its release when the transaction ends; one key per transaction, a
// hundred (a statement changing many rows), and transactions on all
// cores at once (they share the table's mutex).
func BenchmarkRowLock(b *testing.B) {
	ctx := context.Background()
	e, err := Open(Options{InMemory: true, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	key := func(i uint64) []byte { return binary.BigEndian.AppendUint64([]byte("/t/1/r/"), i) }
	for _, n := range []int{1, 100} {
		b.Run(map[int]string{1: "one", 100: "hundred"}[n], func(b *testing.B) {
			tx := e.Begin()
			defer tx.Rollback()
			keys := make([][]byte, n)
			for i := range keys {
				keys[i] = key(uint64(i))
			}
			b.ReportAllocs()
			for b.Loop() {
				for _, k := range keys {
					if err := tx.lockRowKey(ctx, k, LockNoKeyUpdate); err != nil {
						b.Fatal(err)
					}
				}
				tx.releaseLocks()
			}
		})
	}
	b.Run("parallel", func(b *testing.B) {
		var next atomic.Uint64
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			tx := e.Begin()
			defer tx.Rollback()
			base := next.Add(1) << 32
			keys := make([][]byte, 1024)
			for i := range keys {
				keys[i] = key(base + uint64(i))
			}
			for i := 0; pb.Next(); i++ {
				if err := tx.lockRowKey(ctx, keys[i%len(keys)], LockNoKeyUpdate); err != nil {
					b.Error(err)
					return
				}
				tx.releaseLocks()
			}
		})
	})
}
