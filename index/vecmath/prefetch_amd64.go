//go:build amd64 && !purego

package vecmath

//go:noescape
func prefetch(v []float32)
