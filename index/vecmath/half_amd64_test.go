//go:build amd64 && !purego

package vecmath

import (
	"testing"

	"golang.org/x/sys/cpu"
)

func TestHalfAVX2MirrorsFloat32AVX2(t *testing.T) {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA || !hasF16C() {
		t.Skip("CPU lacks AVX2, FMA or F16C: the half kernels are the portable ones")
	}
	checkHalfMirrorsFloat32(t, archKernels()[0])
}
