//go:build purego || !(amd64 || arm64)

package vecmath

// archKernels has no accelerated kernels to offer on this build.
func archKernels() []kernels { return nil }
