package main

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/quiverdb/quiver/storage"
)

const trimTestBurst = 256 << 20

// burst allocates trimTestBurst bytes in 1 MB chunks, every page touched
// so that it is resident.
func burst() [][]byte {
	chunks := make([][]byte, 0, trimTestBurst>>20)
	for range trimTestBurst >> 20 {
		c := make([]byte, 1<<20)
		for i := 0; i < len(c); i += 4096 {
			c[i] = 1
		}
		chunks = append(chunks, c)
	}
	return chunks
}

// TestHeapTrimmerReturnsCollectedBurst: garbage much larger than the live
// heap, collected but resident, is returned at the next tick, and a heap
// with little free is left alone.
func TestHeapTrimmerReturnsCollectedBurst(t *testing.T) {
	h := heapTrimmer{minFree: heapTrimMinFree, quietFor: 1000}
	chunks := burst()
	runtime.KeepAlive(chunks)
	chunks = nil
	runtime.GC()
	if st := readHeapState(); st.free < trimTestBurst/2 {
		t.Fatalf("after the collected burst only %d MB is free (live %d MB): the test needs a resident burst", st.free>>20, st.live>>20)
	}
	if !h.tick() {
		t.Fatal("the tick did not trim a collected burst")
	}
	if st := readHeapState(); st.free > heapTrimMinFree {
		t.Fatalf("after the trim %d MB of the heap is still free and resident", st.free>>20)
	}
	if h.tick() {
		t.Fatal("the tick trimmed again right after trimming")
	}
}

// TestHeapTrimmerCollectsQuietGarbage: garbage the last collection saw as
// live (the burst was in use then) waits for a collection that an idle
// process would not run for minutes; after quietFor ticks without one the
// trimmer runs it, and only once per quiet spell.
func TestHeapTrimmerCollectsQuietGarbage(t *testing.T) {
	h := heapTrimmer{minFree: heapTrimMinFree, quietFor: 3}
	chunks := burst()
	runtime.GC() // the burst is live for this collection
	runtime.KeepAlive(chunks)
	chunks = nil
	h.tick() // sees the collection above
	before := readHeapState()
	if before.objects < trimTestBurst/2 || before.free > heapTrimMinFree {
		t.Fatalf("before the quiet ticks: %d MB of objects, %d MB free: the test needs uncollected garbage", before.objects>>20, before.free>>20)
	}
	for i := 1; i < h.quietFor; i++ {
		if h.tick() {
			t.Fatalf("quiet tick %d trimmed before quietFor (%d)", i, h.quietFor)
		}
	}
	if !h.tick() {
		t.Fatalf("no trim after %d quiet ticks with %d MB of objects", h.quietFor, before.objects>>20)
	}
	if after := readHeapState(); after.objects > before.objects/2 || after.free > heapTrimMinFree {
		t.Fatalf("after the quiet trim: %d MB of objects (before %d), %d MB free", after.objects>>20, before.objects>>20, after.free>>20)
	}
	for i := 0; i < 2*h.quietFor; i++ {
		if h.tick() {
			t.Fatal("the trimmer collected again in the same quiet spell")
		}
	}
	// Garbage made without a collection (queries that each allocate
	// little) is collected again once it passes half of minFree. The
	// collector is held off while it is made, as the heap is small now
	// and the runtime would collect at once.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	more := burst()
	runtime.KeepAlive(more)
	more = nil
	if c := readHeapState().cycles; c != h.cycles {
		t.Fatalf("a collection ran while the collector was off (%d cycles, had %d)", c, h.cycles)
	}
	trimmed := false
	for i := 0; i < h.quietFor && !trimmed; i++ {
		trimmed = h.tick()
	}
	if !trimmed {
		t.Fatalf("%d MB of new garbage in the quiet spell was not collected", trimTestBurst>>20)
	}
}

// TestSetGCPercent: the server's collector target applies unless GOGC
// chose one.
func TestSetGCPercent(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	if setGCPercent("200") {
		t.Fatal("with GOGC set, the trimmer would tune the collector")
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("with GOGC set, the target became %d", got)
	}
	if !setGCPercent("") {
		t.Fatal("without GOGC, the trimmer would not tune the collector")
	}
	if got := debug.SetGCPercent(100); got != serverGCPercent {
		t.Fatalf("without GOGC, the target is %d, want %d", got, serverGCPercent)
	}
}

// TestGCPercentFor: the garbage allowed is serverGCPercent of the live
// heap beyond one memtable arena, and a tuning trimmer applies it.
func TestGCPercentFor(t *testing.T) {
	const arena = storage.MemtableArenaBytes
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, minGCPercent},
		{arena, minGCPercent},
		{arena + arena/9, minGCPercent}, // 5% would be too little
		{2 * arena, serverGCPercent / 2},
		{4 * arena, serverGCPercent * 3 / 4},
		{100 * arena, serverGCPercent * 99 / 100},
	} {
		if got := gcPercentFor(c.live); got != c.want {
			t.Errorf("live %d MB: %d%%, want %d%%", c.live>>20, got, c.want)
		}
	}
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	h := heapTrimmer{minFree: heapTrimMinFree, quietFor: 1000, tuneGC: true}
	h.tick()
	want := gcPercentFor(readHeapState().live)
	if got := debug.SetGCPercent(100); got != want {
		t.Fatalf("after a tick the collector's target is %d%%, want %d%%", got, want)
	}
	h = heapTrimmer{minFree: heapTrimMinFree, quietFor: 1000}
	h.tick()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("a trimmer that does not tune changed the target to %d%%", got)
	}
}
