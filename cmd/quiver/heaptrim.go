package main

import (
	"context"
	"log/slog"
	"runtime/debug"
	"runtime/metrics"
	"time"

	"github.com/quiverdb/quiver/storage"
)

// A burst of short-lived memory (an HNSW build, a checkpoint, the table
// builders of Badger's compactions after a bulk load) leaves the heap
// hundreds of MB larger than what stays live, and Go gives little of it
// back on its own. Its scavenger's goal is scaled from the heap in use at
// the last collection, burst included; and the next collection waits
// until the heap doubles the live bytes the last one found, burst
// included again, which a server back to small queries takes minutes to
// reach. After a 100,000 x 128 load and index build, 375 of 430 MB of
// anonymous RSS was freed heap, and once that was returned, 180 MB more
// was garbage no collection had looked at.
//
// The trimmer acts on both: every heapTrimEvery it collects and returns
// memory (debug.FreeOSMemory) when the free resident pages exceed
// heapTrimMinFree and the live heap (a steady GOGC=100 heap frees about
// its live size per cycle, so that is a burst's mark), or when no
// collection has run for heapTrimQuiet while the heap holds more than
// heapTrimMinFree of objects: once per quiet spell (the trimmer's own
// collection does not count as activity), and again in the same spell
// only after the heap grew by half heapTrimMinFree since, as k-NN
// queries, which allocate a few KB each, grow it without a collection
// for minutes.
const (
	heapTrimEvery   = 2 * time.Second
	heapTrimQuiet   = 5 // ticks
	heapTrimMinFree = 64 << 20
)

// serverGCPercent is the collector's target growth unless GOGC says
// otherwise. Go's default, 100, lets garbage reach the live heap's size
// before a collection; the server's live heap is mostly caches and
// buffers (Badger's memtable, the row cache, vector visibility records)
// with few pointers to trace, so collecting at half that costs little.
// Measured at 50: PSS while serving k-NN queries 136 MiB instead of 153,
// peak RSS of pgbench -i -s 10 1.15-1.18 GB instead of 1.46-1.61, pgbench
// -S unchanged within noise. The trimmer then lowers it for small heaps
// (gcPercentFor): 114-117 MiB instead of 114-125 for the same queries.
// At 25, with half-precision graphs: 84-91 MiB instead of 90-91 (three
// interleaved pairs), pgbench TPC-B and -S within noise of 50 (two
// interleaved pairs each, twice), k-NN QPS unchanged.
const serverGCPercent = 25

// setGCPercent applies serverGCPercent unless gogc (the GOGC variable,
// which the runtime has read already) is set, and reports whether it did:
// then the trimmer keeps adjusting it (gcPercentFor).
func setGCPercent(gogc string) bool {
	if gogc == "" {
		debug.SetGCPercent(serverGCPercent)
		return true
	}
	return false
}

// The collector lets garbage grow to a percentage of the live heap, and
// Badger's memtable arena counts as live: 21 MB allocated whole with each
// memtable, most of it untouched (not resident) until written. Beside a
// k-NN server's 13 MB of other live heap, it let 17 MB of garbage sit
// resident instead of 6.5. So the trimmer scales the percentage to the
// share of the live heap beyond one arena: the garbage allowed is
// serverGCPercent of the heap that grows with the data, never below
// minGCPercent of the whole.
const minGCPercent = 10

func gcPercentFor(live uint64) int {
	const arena = storage.MemtableArenaBytes
	if live <= arena {
		return minGCPercent
	}
	return max(int(serverGCPercent*(live-arena)/live), minGCPercent)
}

// heapTrimmer is the trimmer's state between ticks.
type heapTrimmer struct {
	tuneGC    bool // adjust the collector's percentage (gcPercentFor)
	gcPercent int  // the percentage last set
	minFree   uint64
	quietFor  int    // ticks without a collection before a quiet trim
	cycles    uint64 // collections counted at the last tick
	quiet     int    // ticks since the count changed
	trimmedAt uint64 // the count right after the last trim
	// trimmedObjects is the heap's object bytes right after it.
	trimmedObjects uint64
}

// heapState is what the trimmer reads of the runtime.
type heapState struct {
	free, objects, live, cycles uint64
}

func readHeapState() heapState {
	s := []metrics.Sample{
		{Name: "/memory/classes/heap/free:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/gc/heap/live:bytes"},
		{Name: "/gc/cycles/total:gc-cycles"},
	}
	metrics.Read(s)
	return heapState{s[0].Value.Uint64(), s[1].Value.Uint64(), s[2].Value.Uint64(), s[3].Value.Uint64()}
}

// tick trims when either condition above holds and reports whether it
// did.
func (h *heapTrimmer) tick() bool {
	st := readHeapState()
	if p := gcPercentFor(st.live); h.tuneGC && p != h.gcPercent {
		debug.SetGCPercent(p)
		h.gcPercent = p
	}
	if st.cycles != h.cycles {
		h.cycles, h.quiet = st.cycles, 0
	} else {
		h.quiet++
	}
	burst := st.free > h.minFree && st.free > st.live
	grown := st.cycles != h.trimmedAt || st.objects > h.trimmedObjects+h.minFree/2
	stale := h.quiet >= h.quietFor && grown && st.objects > h.minFree
	if !burst && !stale {
		return false
	}
	debug.FreeOSMemory()
	after := readHeapState()
	h.cycles = after.cycles
	h.trimmedAt, h.trimmedObjects, h.quiet = h.cycles, after.objects, 0
	return true
}

// trimHeapUntilDone ticks a trimmer every heapTrimEvery until ctx ends;
// tuneGC: it adjusts the collector's percentage too. Each tick also runs
// releaseTables (storage's ReleaseWrittenTables): the table files Badger
// wrote since the last tick are the other memory a burst of writes
// leaves resident (12 MB after a 100,000 x 128 load and index build).
func trimHeapUntilDone(ctx context.Context, tuneGC bool, releaseTables func() error, log *slog.Logger) {
	h := heapTrimmer{minFree: heapTrimMinFree, quietFor: heapTrimQuiet, tuneGC: tuneGC}
	t := time.NewTicker(heapTrimEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			h.tick()
			if err := releaseTables(); err != nil {
				// Only a hint is lost: the pages are clean once
				// written, and the kernel reclaims them under pressure.
				log.Debug("releasing written tables", "err", err)
			}
		}
	}
}
