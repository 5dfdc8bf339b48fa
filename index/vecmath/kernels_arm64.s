//go:build arm64 && !purego

#include "textflag.h"
#include "neon_arm64.h"

// Layout shared by the kernels: R0 = a, R1 = b, R2 = n. A 16-element loop
// feeds four 4-lane accumulators, a 4-element loop drains whole vectors and
// a scalar loop handles n%4. VLD1 has no alignment requirement.

// func l2SquaredNEON(a, b []float32) float32
TEXT ·l2SquaredNEON(SB), NOSPLIT, $0-52
	MOVD a_base+0(FP), R0
	MOVD a_len+8(FP), R2
	MOVD b_base+24(FP), R1
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	AND  $~15, R2, R3
	CBZ  R3, l2sq_by4

l2sq_loop16:
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P 64(R1), [V16.S4, V17.S4, V18.S4, V19.S4]
	VFSUB4S(16, 4, 4)
	VFSUB4S(17, 5, 5)
	VFSUB4S(18, 6, 6)
	VFSUB4S(19, 7, 7)
	VFMLA  V4.S4, V4.S4, V0.S4
	VFMLA  V5.S4, V5.S4, V1.S4
	VFMLA  V6.S4, V6.S4, V2.S4
	VFMLA  V7.S4, V7.S4, V3.S4
	SUBS   $16, R3, R3
	BNE    l2sq_loop16

l2sq_by4:
	AND $12, R2, R3
	CBZ R3, l2sq_reduce

l2sq_loop4:
	VLD1.P 16(R0), [V4.S4]
	VLD1.P 16(R1), [V16.S4]
	VFSUB4S(16, 4, 4)
	VFMLA  V4.S4, V4.S4, V0.S4
	SUBS   $4, R3, R3
	BNE    l2sq_loop4

l2sq_reduce:
	VFADD4S(1, 0, 0)
	VFADD4S(3, 2, 2)
	VFADD4S(2, 0, 0)
	HSUM4(0)
	AND $3, R2, R3
	CBZ R3, l2sq_done

l2sq_loop1:
	FMOVS  (R0), F4
	FMOVS  (R1), F5
	ADD    $4, R0
	ADD    $4, R1
	FSUBS  F5, F4, F4
	FMADDS F4, F0, F4, F0
	SUBS   $1, R3, R3
	BNE    l2sq_loop1

l2sq_done:
	FMOVS F0, ret+48(FP)
	RET

// func dotNEON(a, b []float32) float32
TEXT ·dotNEON(SB), NOSPLIT, $0-52
	MOVD a_base+0(FP), R0
	MOVD a_len+8(FP), R2
	MOVD b_base+24(FP), R1
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	AND  $~15, R2, R3
	CBZ  R3, dot_by4

dot_loop16:
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P 64(R1), [V16.S4, V17.S4, V18.S4, V19.S4]
	VFMLA  V16.S4, V4.S4, V0.S4
	VFMLA  V17.S4, V5.S4, V1.S4
	VFMLA  V18.S4, V6.S4, V2.S4
	VFMLA  V19.S4, V7.S4, V3.S4
	SUBS   $16, R3, R3
	BNE    dot_loop16

dot_by4:
	AND $12, R2, R3
	CBZ R3, dot_reduce

dot_loop4:
	VLD1.P 16(R0), [V4.S4]
	VLD1.P 16(R1), [V16.S4]
	VFMLA  V16.S4, V4.S4, V0.S4
	SUBS   $4, R3, R3
	BNE    dot_loop4

dot_reduce:
	VFADD4S(1, 0, 0)
	VFADD4S(3, 2, 2)
	VFADD4S(2, 0, 0)
	HSUM4(0)
	AND $3, R2, R3
	CBZ R3, dot_done

dot_loop1:
	FMOVS  (R0), F4
	FMOVS  (R1), F5
	ADD    $4, R0
	ADD    $4, R1
	FMADDS F5, F0, F4, F0
	SUBS   $1, R3, R3
	BNE    dot_loop1

dot_done:
	FMOVS F0, ret+48(FP)
	RET

// func l1NEON(a, b []float32) float32
TEXT ·l1NEON(SB), NOSPLIT, $0-52
	MOVD a_base+0(FP), R0
	MOVD a_len+8(FP), R2
	MOVD b_base+24(FP), R1
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	AND  $~15, R2, R3
	CBZ  R3, l1_by4

l1_loop16:
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P 64(R1), [V16.S4, V17.S4, V18.S4, V19.S4]
	VFABD4S(16, 4, 4)
	VFABD4S(17, 5, 5)
	VFABD4S(18, 6, 6)
	VFABD4S(19, 7, 7)
	VFADD4S(4, 0, 0)
	VFADD4S(5, 1, 1)
	VFADD4S(6, 2, 2)
	VFADD4S(7, 3, 3)
	SUBS   $16, R3, R3
	BNE    l1_loop16

l1_by4:
	AND $12, R2, R3
	CBZ R3, l1_reduce

l1_loop4:
	VLD1.P 16(R0), [V4.S4]
	VLD1.P 16(R1), [V16.S4]
	VFABD4S(16, 4, 4)
	VFADD4S(4, 0, 0)
	SUBS   $4, R3, R3
	BNE    l1_loop4

l1_reduce:
	VFADD4S(1, 0, 0)
	VFADD4S(3, 2, 2)
	VFADD4S(2, 0, 0)
	HSUM4(0)
	AND $3, R2, R3
	CBZ R3, l1_done

l1_loop1:
	FMOVS (R0), F4
	FMOVS (R1), F5
	ADD   $4, R0
	ADD   $4, R1
	FSUBS F5, F4, F4
	FABSS F4, F4
	FADDS F4, F0, F0
	SUBS  $1, R3, R3
	BNE   l1_loop1

l1_done:
	FMOVS F0, ret+48(FP)
	RET

// func cosinePartsNEON(a, b []float32) (dot, normA, normB float32)
// Two accumulators per sum (six in all) over 8 elements per iteration.
TEXT ·cosinePartsNEON(SB), NOSPLIT, $0-60
	MOVD a_base+0(FP), R0
	MOVD a_len+8(FP), R2
	MOVD b_base+24(FP), R1
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	AND  $~7, R2, R3
	CBZ  R3, cos_by4

cos_loop8:
	VLD1.P 32(R0), [V16.S4, V17.S4]
	VLD1.P 32(R1), [V18.S4, V19.S4]
	VFMLA  V18.S4, V16.S4, V0.S4
	VFMLA  V19.S4, V17.S4, V1.S4
	VFMLA  V16.S4, V16.S4, V2.S4
	VFMLA  V17.S4, V17.S4, V3.S4
	VFMLA  V18.S4, V18.S4, V4.S4
	VFMLA  V19.S4, V19.S4, V5.S4
	SUBS   $8, R3, R3
	BNE    cos_loop8

cos_by4:
	AND $4, R2, R3
	CBZ R3, cos_reduce
	VLD1.P 16(R0), [V16.S4]
	VLD1.P 16(R1), [V18.S4]
	VFMLA  V18.S4, V16.S4, V0.S4
	VFMLA  V16.S4, V16.S4, V2.S4
	VFMLA  V18.S4, V18.S4, V4.S4

cos_reduce:
	VFADD4S(1, 0, 0)
	VFADD4S(3, 2, 2)
	VFADD4S(5, 4, 4)
	HSUM4(0)
	HSUM4(2)
	HSUM4(4)
	AND $3, R2, R3
	CBZ R3, cos_done

cos_loop1:
	FMOVS  (R0), F16
	FMOVS  (R1), F18
	ADD    $4, R0
	ADD    $4, R1
	FMADDS F18, F0, F16, F0
	FMADDS F16, F2, F16, F2
	FMADDS F18, F4, F18, F4
	SUBS   $1, R3, R3
	BNE    cos_loop1

cos_done:
	FMOVS F0, dot+48(FP)
	FMOVS F2, normA+52(FP)
	FMOVS F4, normB+56(FP)
	RET
