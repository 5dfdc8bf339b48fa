package hnsw

import (
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"sync/atomic"
	"unsafe"

	"github.com/quiverdb/quiver/index/vecmath"
)

// ErrExactFile reports a failure of a half graph's file of exact vectors
// (creating, writing or reading it): an I/O error.
var ErrExactFile = errors.New("hnsw: file of exact vectors")

// exactFile holds a half graph's vectors at full precision, node n's at
// offset n*dims*4, in native byte order: it is this process's scratch,
// created unlinked, so a crash or a dropped graph leaves nothing behind
// and a restart refills it from the checkpoint. Reads are preads: the
// pages they touch are the kernel's page cache, which it may reclaim,
// while a mapping's would count as the server's own memory.
type exactFile struct {
	f    *os.File
	dims int
}

func createExactFile(dir string, dims int) (*exactFile, error) {
	f, err := os.CreateTemp(dir, "hnsw-exact-*")
	if err != nil {
		return nil, fmt.Errorf("%w: creating it: %w", ErrExactFile, err)
	}
	// Where an open file cannot be unlinked (Windows), it is removed
	// when closed, and the store's next start clears what a crash left.
	unlinked := os.Remove(f.Name()) == nil
	e := &exactFile{f: f, dims: dims}
	// The file lives as long as the graph that points to it.
	runtime.AddCleanup(e, func(f *os.File) {
		_ = f.Close()
		if !unlinked {
			_ = os.Remove(f.Name())
		}
	}, f)
	return e, nil
}

func floatBytes(v []float32) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), len(v)*4)
}

func (e *exactFile) write(n Node, v []float32) error {
	if _, err := e.f.WriteAt(floatBytes(v), int64(n)*int64(e.dims)*4); err != nil {
		return fmt.Errorf("%w: writing node %d: %w", ErrExactFile, n, err)
	}
	return nil
}

func (e *exactFile) read(n Node, buf []float32) ([]float32, error) {
	buf = slices.Grow(buf[:0], e.dims)[:e.dims]
	if _, err := e.f.ReadAt(floatBytes(buf), int64(n)*int64(e.dims)*4); err != nil {
		return nil, fmt.Errorf("%w: reading node %d: %w", ErrExactFile, n, err)
	}
	return buf, nil
}

// HalfError bounds how far a half graph's rounded vectors are from the
// exact ones, over every vector stored so far: the largest L2 and L1
// norms of a vector's rounding error, and the largest L2 error relative
// to the vector's own norm. A caller turns them into a bound on how much
// nearer than its graph distance a node can be (triangle inequality), so
// it can re-rank exactly while reading only the vectors that may matter.
// All zero for a float32 graph.
type HalfError struct {
	L2, L1, Rel float32
}

// halfErrors is HalfError kept as float32 bits, raised with CAS.
type halfErrors struct {
	l2, l1, rel atomic.Uint32
}

func raise(w *atomic.Uint32, v float32) {
	for {
		old := w.Load()
		if v <= math.Float32frombits(old) || w.CompareAndSwap(old, math.Float32bits(v)) {
			return
		}
	}
}

func (h *halfErrors) note(e HalfError) {
	raise(&h.l2, e.L2)
	raise(&h.l1, e.L1)
	raise(&h.rel, e.Rel)
}

// HalfError returns the rounding error bounds of the vectors stored so
// far (HalfError).
func (g *Graph) HalfError() HalfError {
	return HalfError{
		L2:  math.Float32frombits(g.halfErr.l2.Load()),
		L1:  math.Float32frombits(g.halfErr.l1.Load()),
		Rel: math.Float32frombits(g.halfErr.rel.Load()),
	}
}

// encodeClamped stores v in half precision, clamping magnitudes beyond
// the largest half so distances stay finite (an infinity would make
// every comparison with that node meaningless); the error bound covers
// the clamping too. It returns v's rounding error, rounded up so float32
// arithmetic never makes the bound smaller than the truth.
func encodeClamped(dst []uint16, v []float32) HalfError {
	clamp := false
	for _, x := range v {
		if x > vecmath.MaxHalf || x < -vecmath.MaxHalf {
			clamp = true
			break
		}
	}
	if clamp {
		for i, x := range v {
			dst[i] = vecmath.ToHalf(min(max(x, -vecmath.MaxHalf), vecmath.MaxHalf))
		}
	} else {
		vecmath.EncodeHalf(dst, v)
	}
	// The error is measured against the halves widened back, a block at
	// a time (no allocation: inserts run on every core at once).
	var l2, l1, norm float64
	var wide [64]float32
	for i := 0; i < len(v); i += len(wide) {
		n := min(len(wide), len(v)-i)
		vecmath.DecodeHalf(wide[:n], dst[i:i+n])
		for j, w := range wide[:n] {
			x := float64(v[i+j])
			d := math.Abs(x - float64(w))
			l2 += d * d
			l1 += d
			norm += x * x
		}
	}
	e := HalfError{L2: roundUp(math.Sqrt(l2)), L1: roundUp(l1)}
	if norm > 0 {
		e.Rel = roundUp(math.Sqrt(l2) / math.Sqrt(norm))
	}
	return e
}

// roundUp converts x to the float32 at or above it.
func roundUp(x float64) float32 {
	f := float32(x)
	if float64(f) < x {
		f = math.Nextafter32(f, float32(math.Inf(1)))
	}
	return f
}
