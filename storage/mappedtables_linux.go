package storage

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// releaseMappedTables asks the kernel to reclaim the resident pages of
// the Badger table files under dir that this process maps. MADV_PAGEOUT
// loses nothing: table pages are clean copies of the files and fault
// back in when read. Unlike MADV_DONTNEED it is also harmless on memory
// that is no longer a table: Badger may unmap a compacted table between
// the reading of /proc/self/maps and the call, and its address range may
// by then hold anonymous memory, which PAGEOUT at worst swaps out.
func releaseMappedTables(dir string) error {
	return eachTableMapping(dir, func(string) bool { return true })
}

// releaseNewTables is releaseMappedTables for the tables not in released,
// which it adds them to; it forgets tables no longer mapped. Badger
// writes a new table (a memtable flush, a compaction's output) through
// its mapping, which leaves the whole table resident in this process
// though nothing may read it again: 12 MB after a 100,000-row load.
// Paged out once, a table holds only what reads fault back in.
func releaseNewTables(dir string, released map[string]bool) error {
	mapped := map[string]bool{}
	err := eachTableMapping(dir, func(path string) bool {
		mapped[path] = true
		return !released[path]
	})
	for path := range mapped {
		released[path] = true
	}
	for path := range released {
		if !mapped[path] {
			delete(released, path)
		}
	}
	return err
}

// eachTableMapping pages out the mappings of Badger table files under dir
// for which release returns true.
func eachTableMapping(dir string, release func(path string) bool) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("release mapped tables: %w", err)
	}
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		abs = resolved
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return fmt.Errorf("release mapped tables: %w", err)
	}
	defer f.Close()
	prefix := abs + string(filepath.Separator)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// address perms offset dev inode path
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 {
			continue
		}
		path := fields[5]
		if !strings.HasPrefix(path, prefix) || !strings.HasSuffix(path, ".sst") {
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		if !release(path) {
			continue
		}
		// EINVAL or ENOMEM (range gone meanwhile) are expected races.
		_, _, _ = unix.Syscall(unix.SYS_MADVISE, uintptr(start), uintptr(end-start), unix.MADV_PAGEOUT)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("release mapped tables: %w", err)
	}
	return nil
}
