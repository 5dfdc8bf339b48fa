// Package chunkdir owns the directory of fixed-size chunks that the HNSW
// graph keeps its nodes in and the vector index its visibility records
// in: a table of chunk pointers that readers index without a lock while
// a writer adds chunks, and that grows with the data. A table sized for
// the largest graph (65,536 pointers, 512 KB) up front cost every index
// that much heap, so 200 tiny tables with vector indexes held 214 MB.
package chunkdir

import (
	"sync"
	"sync/atomic"
)

// Dir maps chunk numbers to chunks. The zero value is empty and usable.
type Dir[T any] struct {
	table atomic.Pointer[[]atomic.Pointer[T]]
	mu    sync.Mutex // serialises stores and growth
}

// Load returns chunk i, nil when it was not stored. A reader that learnt
// of chunk i from a store that happened before (say, a node count
// published after it) finds it: Store publishes a grown table before it
// returns.
func (d *Dir[T]) Load(i int) *T {
	t := d.table.Load()
	if t == nil || i >= len(*t) {
		return nil
	}
	return (*t)[i].Load()
}

// LoadOrStore returns chunk i, storing newChunk's chunk there first when
// there is none; newChunk runs at most once per chunk, under the directory's
// lock, and a failure stores nothing.
func (d *Dir[T]) LoadOrStore(i int, newChunk func() (*T, error)) (*T, error) {
	if c := d.Load(i); c != nil {
		return c, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if c := d.Load(i); c != nil {
		return c, nil
	}
	c, err := newChunk()
	if err != nil {
		return nil, err
	}
	t := d.table.Load()
	if t == nil || i >= len(*t) {
		// Grow to a power of two past i. The old table stays valid for
		// readers that loaded it: the pointers it holds are copied, and
		// chunks are never removed.
		n := 8
		for n <= i {
			n *= 2
		}
		grown := make([]atomic.Pointer[T], n)
		if t != nil {
			for j := range *t {
				grown[j].Store((*t)[j].Load())
			}
		}
		grown[i].Store(c)
		d.table.Store(&grown)
		return c, nil
	}
	(*t)[i].Store(c)
	return c, nil
}
