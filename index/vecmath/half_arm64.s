//go:build arm64 && !purego

#include "textflag.h"
#include "neon_arm64.h"

// The mixed kernels keep the float32 kernels' layout (kernels_arm64.s):
// R0 = a (float32), R1 = b (binary16), R2 = n. FCVTL and FCVTL2 widen the
// low and high four halves of a vector to float32, exactly, so the
// arithmetic after them is the float32 kernel's on b widened.
// The assembler has no mnemonics for them either.
#define FCVTL4S(n, d) WORD $(0x0E217800 | (n)<<5 | (d))  // d.4S = n.4H[0:4]
#define FCVTL24S(n, d) WORD $(0x4E217800 | (n)<<5 | (d)) // d.4S = n.8H[4:8]

// HALF1 widens the half at R1 into F(d) and advances R1, clobbering R5.
#define HALF1(d) \
	MOVHU.P 2(R1), R5 \
	FMOVS   R5, F(d)   \
	FCVTHS  F(d), F(d)

// HALF16 loads sixteen halves from R1 (advancing it) and widens them into
// V20-V23.
#define HALF16 \
	VLD1.P 32(R1), [V16.H8, V17.H8] \
	FCVTL4S(16, 20)                  \
	FCVTL24S(16, 21)                 \
	FCVTL4S(17, 22)                  \
	FCVTL24S(17, 23)

// HALF4 loads four halves from R1 (advancing it) and widens them into V20.
#define HALF4 \
	VLD1.P 8(R1), [V16.H4] \
	FCVTL4S(16, 20)

// func l2SquaredHalfNEON(a []float32, b []uint16) float32
TEXT ·l2SquaredHalfNEON(SB), NOSPLIT, $0-52
	MOVD a_base+0(FP), R0
	MOVD a_len+8(FP), R2
	MOVD b_base+24(FP), R1
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	AND  $~15, R2, R3
	CBZ  R3, hl2_by4

hl2_loop16:
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	HALF16
	VFSUB4S(20, 4, 4)
	VFSUB4S(21, 5, 5)
	VFSUB4S(22, 6, 6)
	VFSUB4S(23, 7, 7)
	VFMLA  V4.S4, V4.S4, V0.S4
	VFMLA  V5.S4, V5.S4, V1.S4
	VFMLA  V6.S4, V6.S4, V2.S4
	VFMLA  V7.S4, V7.S4, V3.S4
	SUBS   $16, R3, R3
	BNE    hl2_loop16

hl2_by4:
	AND $12, R2, R3
	CBZ R3, hl2_reduce

hl2_loop4:
	VLD1.P 16(R0), [V4.S4]
	HALF4
	VFSUB4S(20, 4, 4)
	VFMLA  V4.S4, V4.S4, V0.S4
	SUBS   $4, R3, R3
	BNE    hl2_loop4

hl2_reduce:
	VFADD4S(1, 0, 0)
	VFADD4S(3, 2, 2)
	VFADD4S(2, 0, 0)
	HSUM4(0)
	AND $3, R2, R3
	CBZ R3, hl2_done

hl2_loop1:
	FMOVS.P 4(R0), F4
	HALF1(5)
	FSUBS   F5, F4, F4
	FMADDS  F4, F0, F4, F0
	SUBS    $1, R3, R3
	BNE     hl2_loop1

hl2_done:
	FMOVS F0, ret+48(FP)
	RET

// func dotHalfNEON(a []float32, b []uint16) float32
TEXT ·dotHalfNEON(SB), NOSPLIT, $0-52
	MOVD a_base+0(FP), R0
	MOVD a_len+8(FP), R2
	MOVD b_base+24(FP), R1
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	AND  $~15, R2, R3
	CBZ  R3, hdot_by4

hdot_loop16:
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	HALF16
	VFMLA  V20.S4, V4.S4, V0.S4
	VFMLA  V21.S4, V5.S4, V1.S4
	VFMLA  V22.S4, V6.S4, V2.S4
	VFMLA  V23.S4, V7.S4, V3.S4
	SUBS   $16, R3, R3
	BNE    hdot_loop16

hdot_by4:
	AND $12, R2, R3
	CBZ R3, hdot_reduce

hdot_loop4:
	VLD1.P 16(R0), [V4.S4]
	HALF4
	VFMLA  V20.S4, V4.S4, V0.S4
	SUBS   $4, R3, R3
	BNE    hdot_loop4

hdot_reduce:
	VFADD4S(1, 0, 0)
	VFADD4S(3, 2, 2)
	VFADD4S(2, 0, 0)
	HSUM4(0)
	AND $3, R2, R3
	CBZ R3, hdot_done

hdot_loop1:
	FMOVS.P 4(R0), F4
	HALF1(5)
	FMADDS  F5, F0, F4, F0
	SUBS    $1, R3, R3
	BNE     hdot_loop1

hdot_done:
	FMOVS F0, ret+48(FP)
	RET

// func l1HalfNEON(a []float32, b []uint16) float32
TEXT ·l1HalfNEON(SB), NOSPLIT, $0-52
	MOVD a_base+0(FP), R0
	MOVD a_len+8(FP), R2
	MOVD b_base+24(FP), R1
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	AND  $~15, R2, R3
	CBZ  R3, hl1_by4

hl1_loop16:
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	HALF16
	VFABD4S(20, 4, 4)
	VFABD4S(21, 5, 5)
	VFABD4S(22, 6, 6)
	VFABD4S(23, 7, 7)
	VFADD4S(4, 0, 0)
	VFADD4S(5, 1, 1)
	VFADD4S(6, 2, 2)
	VFADD4S(7, 3, 3)
	SUBS   $16, R3, R3
	BNE    hl1_loop16

hl1_by4:
	AND $12, R2, R3
	CBZ R3, hl1_reduce

hl1_loop4:
	VLD1.P 16(R0), [V4.S4]
	HALF4
	VFABD4S(20, 4, 4)
	VFADD4S(4, 0, 0)
	SUBS   $4, R3, R3
	BNE    hl1_loop4

hl1_reduce:
	VFADD4S(1, 0, 0)
	VFADD4S(3, 2, 2)
	VFADD4S(2, 0, 0)
	HSUM4(0)
	AND $3, R2, R3
	CBZ R3, hl1_done

hl1_loop1:
	FMOVS.P 4(R0), F4
	HALF1(5)
	FSUBS   F5, F4, F4
	FABSS   F4, F4
	FADDS   F4, F0, F0
	SUBS    $1, R3, R3
	BNE     hl1_loop1

hl1_done:
	FMOVS F0, ret+48(FP)
	RET

// func cosinePartsHalfNEON(a []float32, b []uint16) (dot, normA, normB float32)
// Two accumulators per sum (six in all) over 8 elements per iteration.
TEXT ·cosinePartsHalfNEON(SB), NOSPLIT, $0-60
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
	CBZ  R3, hcos_by4

hcos_loop8:
	VLD1.P 32(R0), [V16.S4, V17.S4]
	VLD1.P 16(R1), [V24.H8]
	FCVTL4S(24, 18)
	FCVTL24S(24, 19)
	VFMLA  V18.S4, V16.S4, V0.S4
	VFMLA  V19.S4, V17.S4, V1.S4
	VFMLA  V16.S4, V16.S4, V2.S4
	VFMLA  V17.S4, V17.S4, V3.S4
	VFMLA  V18.S4, V18.S4, V4.S4
	VFMLA  V19.S4, V19.S4, V5.S4
	SUBS   $8, R3, R3
	BNE    hcos_loop8

hcos_by4:
	AND $4, R2, R3
	CBZ R3, hcos_reduce
	VLD1.P 16(R0), [V16.S4]
	VLD1.P 8(R1), [V24.H4]
	FCVTL4S(24, 18)
	VFMLA  V18.S4, V16.S4, V0.S4
	VFMLA  V16.S4, V16.S4, V2.S4
	VFMLA  V18.S4, V18.S4, V4.S4

hcos_reduce:
	VFADD4S(1, 0, 0)
	VFADD4S(3, 2, 2)
	VFADD4S(5, 4, 4)
	HSUM4(0)
	HSUM4(2)
	HSUM4(4)
	AND $3, R2, R3
	CBZ R3, hcos_done

hcos_loop1:
	FMOVS.P 4(R0), F16
	HALF1(18)
	FMADDS  F18, F0, F16, F0
	FMADDS  F16, F2, F16, F2
	FMADDS  F18, F4, F18, F4
	SUBS    $1, R3, R3
	BNE     hcos_loop1

hcos_done:
	FMOVS F0, dot+48(FP)
	FMOVS F2, normA+52(FP)
	FMOVS F4, normB+56(FP)
	RET
