//go:build arm64 && !purego

package vecmath

import "testing"

// An amd64 machine runs these under user-mode emulation:
//
//	GOARCH=arm64 go test -c -o /tmp/vecmath.test ./index/vecmath
//	qemu-aarch64-static /tmp/vecmath.test

func TestHalfNEONMirrorsFloat32NEON(t *testing.T) {
	checkHalfMirrorsFloat32(t, neonKernels)
}
