//go:build !linux

package storage

// releaseMappedTables is a no-op where the kernel has no MADV_PAGEOUT.
func releaseMappedTables(string) error { return nil }

// releaseNewTables is a no-op where the kernel has no MADV_PAGEOUT.
func releaseNewTables(string, map[string]bool) error { return nil }
