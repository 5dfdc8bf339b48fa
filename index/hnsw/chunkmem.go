package hnsw

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"unsafe"
)

// A chunk's flat arrays (vectors, layer-0 lists, keys, levels, tombstones)
// hold no pointers and are most of an index's memory. They live outside
// the Go heap: the garbage collector sizes its heap goal as a multiple of
// the live heap, so a 70 MB graph on the heap would let the server hold
// another 70 MB of garbage before collecting; off the heap it is counted
// once. The memory is returned when the chunk becomes unreachable, so no
// slice into it may outlive every reference to the Graph: Vector's result
// is valid only while the caller keeps the graph.

// chunkLayout gives the byte offsets of a chunk's arrays in one block,
// each aligned for its element type.
type chunkLayout struct {
	keys, vecs, l0, dead, levels, size int
}

func layoutChunk(dims, m0 int) chunkLayout {
	var l chunkLayout
	l.keys = 0
	l.vecs = l.keys + chunkSize*8
	l.l0 = l.vecs + chunkSize*dims*4
	l.dead = l.l0 + chunkSize*(m0+1)*4
	l.levels = l.dead + chunkSize*int(unsafe.Sizeof(atomic.Bool{}))
	l.size = l.levels + chunkSize
	return l
}

// newChunk allocates a zeroed chunk for dims-long vectors and layer-0
// lists of m0 entries.
func newChunk(dims, m0 int) (*chunk, error) {
	l := layoutChunk(dims, m0)
	mem, release, err := allocChunkMemory(l.size)
	if err != nil {
		return nil, fmt.Errorf("hnsw: allocate %d bytes for %d nodes: %w", l.size, chunkSize, err)
	}
	base := unsafe.Pointer(unsafe.SliceData(mem))
	c := &chunk{
		keys:   unsafe.Slice((*uint64)(unsafe.Add(base, l.keys)), chunkSize),
		vecs:   unsafe.Slice((*float32)(unsafe.Add(base, l.vecs)), chunkSize*dims),
		l0:     unsafe.Slice((*atomic.Uint32)(unsafe.Add(base, l.l0)), chunkSize*(m0+1)),
		dead:   unsafe.Slice((*atomic.Bool)(unsafe.Add(base, l.dead)), chunkSize),
		levels: unsafe.Slice((*int8)(unsafe.Add(base, l.levels)), chunkSize),
		upper:  make([][]atomic.Uint32, chunkSize),
	}
	if release != nil {
		// The cleanup must not reference c, or c would never be unreachable.
		runtime.AddCleanup(c, func(f func()) { f() }, release)
	}
	return c, nil
}
