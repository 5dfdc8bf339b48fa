//go:build amd64 && !purego

package vecmath

import "golang.org/x/sys/cpu"

var avx2Kernels = kernels{
	name:        "avx2",
	l2Squared:   l2SquaredAVX2,
	dot:         dotAVX2,
	l1:          l1AVX2,
	cosineParts: cosinePartsAVX2,
	normSquared: normSquaredAVX2,

	// Without F16C (see archKernels) the half kernels stay portable.
	l2SquaredHalf:   l2SquaredHalfGeneric,
	dotHalf:         dotHalfGeneric,
	l1Half:          l1HalfGeneric,
	cosinePartsHalf: cosinePartsHalfGeneric,
	encodeHalf:      encodeHalfGeneric,
	decodeHalf:      decodeHalfGeneric,
}

// archKernels lists the accelerated kernels this CPU can run, best first.
// cpu.X86.HasAVX2 already accounts for the OS saving the YMM state, which
// F16C's VEX-encoded conversions need too. golang.org/x/sys/cpu has no
// F16C field, so hasF16C asks CPUID itself. Real AVX2 CPUs all have F16C
// (it came earlier), but virtual machines may mask features one by one.
func archKernels() []kernels {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		return nil
	}
	ks := avx2Kernels
	if hasF16C() {
		ks.l2SquaredHalf = l2SquaredHalfAVX2
		ks.dotHalf = dotHalfAVX2
		ks.l1Half = l1HalfAVX2
		ks.cosinePartsHalf = cosinePartsHalfAVX2
		ks.encodeHalf = encodeHalfF16C
		ks.decodeHalf = decodeHalfF16C
	}
	return []kernels{ks}
}

// The assembly kernels read len(a) elements from both slices; callers
// guarantee len(b) == len(a).

//go:noescape
func l2SquaredAVX2(a, b []float32) float32

//go:noescape
func dotAVX2(a, b []float32) float32

//go:noescape
func l1AVX2(a, b []float32) float32

//go:noescape
func cosinePartsAVX2(a, b []float32) (dot, normA, normB float32)

//go:noescape
func normSquaredAVX2(a []float32) float64

// hasF16C reports CPUID leaf 1 ECX bit 29 (half-precision conversions).
func hasF16C() bool

// The mixed kernels read len(a) halves from b (half_amd64.s).

//go:noescape
func l2SquaredHalfAVX2(a []float32, b []uint16) float32

//go:noescape
func dotHalfAVX2(a []float32, b []uint16) float32

//go:noescape
func l1HalfAVX2(a []float32, b []uint16) float32

//go:noescape
func cosinePartsHalfAVX2(a []float32, b []uint16) (dot, normA, normB float32)

// VCVTPS2PH with rounding immediate 0 (nearest, ties to even) gives
// ToHalf's bits for every float32, NaN included: both quiet a signalling
// NaN and keep the top of its payload.
//
//go:noescape
func encodeHalfF16C(dst []uint16, src []float32)

// decodeHalfF16C is DecodeHalf with VCVTPH2PS, which, unlike FromHalf,
// quiets a signalling NaN; the eight-element blocks holding any NaN (rare
// in a vector that came through ToHalf) and the last len%8 elements go
// through the portable path.
func decodeHalfF16C(dst []float32, src []uint16) {
	dst = dst[:len(src)]
	for len(src) > 0 {
		n := decodeHalfBlocksF16C(dst, src)
		m := min(n+8, len(src))
		decodeHalfGeneric(dst[n:m], src[n:m])
		dst, src = dst[m:], src[m:]
	}
}

// decodeHalfBlocksF16C widens whole eight-element blocks of src into dst
// up to the first block holding a NaN, and returns how many elements it
// wrote.
//
//go:noescape
func decodeHalfBlocksF16C(dst []float32, src []uint16) int
