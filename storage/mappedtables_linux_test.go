package storage

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestReleaseNewTables: a table file's mapping is paged out the first
// time releaseNewTables sees it, not again, and forgotten once unmapped.
func TestReleaseNewTables(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "000001.sst")
	const size = 1 << 20
	if err := os.WriteFile(path, make([]byte, size), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mem, err := unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	mapped := true
	defer func() {
		if mapped {
			_ = unix.Munmap(mem)
		}
	}()
	if err := unix.Madvise(mem, unix.MADV_PAGEOUT); err != nil {
		t.Skipf("the kernel has no MADV_PAGEOUT (%v): releasing is a no-op here", err)
	}
	for i := 0; i < size; i += 4096 {
		mem[i] = 1 // written through the mapping, as Badger writes a table
	}
	if err := unix.Msync(mem, unix.MS_SYNC); err != nil {
		t.Fatal(err)
	}
	// Pages of the mapping resident in this process (/proc/self/smaps),
	// which is what the release is for: the page cache may keep them.
	start := fmt.Sprintf("%x-", uintptr(unsafe.Pointer(&mem[0])))
	resident := func() int {
		b, err := os.ReadFile("/proc/self/smaps")
		if err != nil {
			t.Fatal(err)
		}
		in := false
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, start) {
				in = true
				continue
			}
			if in && strings.HasPrefix(line, "Rss:") {
				var kb int
				if _, err := fmt.Sscanf(strings.TrimPrefix(line, "Rss:"), "%d", &kb); err != nil {
					t.Fatal(err)
				}
				return kb / 4
			}
		}
		t.Fatal("mapping not in /proc/self/smaps")
		return 0
	}
	if n := resident(); n != size/4096 {
		t.Fatalf("%d of %d pages resident after writing", n, size/4096)
	}
	released := map[string]bool{}
	if err := releaseNewTables(dir, released); err != nil {
		t.Fatal(err)
	}
	if !released[path] || len(released) != 1 {
		t.Fatalf("released = %v, want just %s", released, path)
	}
	if n := resident(); n != 0 {
		t.Fatalf("%d of %d pages still resident after the page-out", n, size/4096)
	}
	// Seen once: read back in, it stays.
	sum := 0
	for i := 0; i < size; i += 4096 {
		sum += int(mem[i])
	}
	if sum != size/4096 {
		t.Fatalf("read back %d, want %d", sum, size/4096)
	}
	if err := releaseNewTables(dir, released); err != nil {
		t.Fatal(err)
	}
	if n := resident(); n != size/4096 {
		t.Fatalf("a table released before was paged out again: %d of %d pages resident", n, size/4096)
	}
	if err := unix.Munmap(mem); err != nil {
		t.Fatal(err)
	}
	mapped = false
	if err := releaseNewTables(dir, released); err != nil {
		t.Fatal(err)
	}
	if len(released) != 0 {
		t.Fatalf("released = %v after the unmap, want it forgotten", released)
	}
}
