//go:build purego || !amd64

package vecmath

func prefetch([]float32) {}
