//go:build unix

package hnsw

import "golang.org/x/sys/unix"

// hugePageBytes: mappings at least this large ask for transparent huge
// pages (a hint; where THP is off, 4 KB pages serve).
const hugePageBytes = 2 << 20

// allocChunkMemory maps size bytes of zeroed anonymous memory; pages
// become resident only when first written.
func allocChunkMemory(size int) ([]byte, func(), error) {
	mem, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		return nil, nil, err
	}
	if size >= hugePageBytes {
		_ = unix.Madvise(mem, unix.MADV_HUGEPAGE)
	}
	return mem, func() { _ = unix.Munmap(mem) }, nil
}
