//go:build !unix

package hnsw

// allocChunkMemory falls back to the Go heap where anonymous mappings are
// not available; the collector frees it.
func allocChunkMemory(size int) ([]byte, func(), error) {
	return make([]byte, size), nil, nil
}
