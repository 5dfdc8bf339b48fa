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
// once.
//
// Chunks are carved from segments that double in size up to
// maxSegmentBytes, and segments ask for transparent huge pages: a search
// touches vectors scattered over the whole graph, and with 4 KB pages
// nearly every neighbour costs a TLB miss (100,000 x 128 floats span
// 12,500 pages; a core's TLB holds about 1,500).
//
// A segment's memory is returned when no chunk carved from it is
// reachable, so no slice into it may outlive every reference to the
// Graph: Vector's result is valid only while the caller keeps the graph.

const maxSegmentBytes = 32 << 20

// chunkLayout gives the byte offsets of a chunk's arrays in one block,
// each aligned for its element type.
type chunkLayout struct {
	keys, vecs, l0, dead, levels, size int
}

func layoutChunk(dims, m0 int, half bool) chunkLayout {
	elem := 4
	if half {
		elem = 2
	}
	var l chunkLayout
	l.keys = 0
	l.vecs = l.keys + chunkSize*8
	l.l0 = l.vecs + (chunkSize*dims*elem+3)&^3
	l.dead = l.l0 + chunkSize*(m0+1)*4
	l.levels = l.dead + chunkSize*int(unsafe.Sizeof(atomic.Bool{}))
	l.size = (l.levels + chunkSize + 63) &^ 63 // chunks start on cache lines
	return l
}

// segment is one mapping chunks are carved from; chunks point to it so it
// lives as long as any of them.
type segment struct {
	mem  []byte
	used int
}

// chunkAllocator hands out chunk memory from segments; the caller
// serialises calls (Graph.chunks.LoadOrStore).
type chunkAllocator struct {
	cur    *segment
	chunks int // chunks allocated so far: sizes the next segment
}

// newChunk allocates a zeroed chunk for dims-long vectors (of float32s,
// or halves) and layer-0 lists of m0 entries.
func (a *chunkAllocator) newChunk(dims, m0 int, half bool) (*chunk, error) {
	l := layoutChunk(dims, m0, half)
	if a.cur == nil || len(a.cur.mem)-a.cur.used < l.size {
		// The first segment holds one chunk (small tables stay small),
		// then each as many chunks as exist already, up to the cap.
		n := max(1, min(a.chunks, maxSegmentBytes/l.size))
		mem, release, err := allocChunkMemory(n * l.size)
		if err != nil {
			return nil, fmt.Errorf("%w: mapping %d bytes for %d nodes: %w", ErrNoMemory, n*l.size, n*chunkSize, err)
		}
		seg := &segment{mem: mem}
		if release != nil {
			// The cleanup must not reference seg, or it would never run.
			runtime.AddCleanup(seg, func(f func()) { f() }, release)
		}
		a.cur = seg
	}
	seg := a.cur
	base := unsafe.Pointer(unsafe.SliceData(seg.mem[seg.used:]))
	seg.used += l.size
	a.chunks++
	c := &chunk{
		seg:    seg,
		keys:   unsafe.Slice((*uint64)(unsafe.Add(base, l.keys)), chunkSize),
		l0:     unsafe.Slice((*atomic.Uint32)(unsafe.Add(base, l.l0)), chunkSize*(m0+1)),
		dead:   unsafe.Slice((*atomic.Bool)(unsafe.Add(base, l.dead)), chunkSize),
		levels: unsafe.Slice((*int8)(unsafe.Add(base, l.levels)), chunkSize),
		upper:  make([]*[]atomic.Uint32, chunkSize),
	}
	if half {
		c.halves = unsafe.Slice((*uint16)(unsafe.Add(base, l.vecs)), chunkSize*dims)
	} else {
		c.vecs = unsafe.Slice((*float32)(unsafe.Add(base, l.vecs)), chunkSize*dims)
	}
	return c, nil
}
