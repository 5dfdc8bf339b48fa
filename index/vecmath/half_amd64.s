//go:build amd64 && !purego

#include "textflag.h"
#include "hsum_amd64.h"

// The mixed kernels keep the float32 kernels' layout (kernels_amd64.s):
// SI = a (float32), DI = b (binary16), CX = n, AX = i. VCVTPH2PS (F16C)
// widens eight halves straight from memory into a YMM register, exactly
// (every half is a float32), so the arithmetic after it is the float32
// kernel's on b widened.

// HALF1 widens the half b[AX] into lane 0 of X(r), clobbering BX.
#define HALF1(Xr) \
	MOVWLZX   (DI)(AX*2), BX \
	VMOVD     BX, Xr         \
	VCVTPH2PS Xr, Xr

// func hasF16C() bool
// CPUID leaf 1, ECX bit 29; golang.org/x/sys/cpu does not report F16C.
TEXT ·hasF16C(SB), NOSPLIT, $0-1
	MOVL  $1, AX
	XORL  CX, CX
	CPUID
	SHRL  $29, CX
	ANDL  $1, CX
	MOVB  CX, ret+0(FP)
	RET

// func l2SquaredHalfAVX2(a []float32, b []uint16) float32
TEXT ·l2SquaredHalfAVX2(SB), NOSPLIT, $0-52
	MOVQ   a_base+0(FP), SI
	MOVQ   a_len+8(FP), CX
	MOVQ   b_base+24(FP), DI
	XORQ   AX, AX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVQ   CX, DX
	ANDQ   $-32, DX
	JZ     hl2_by8

hl2_loop32:
	VCVTPH2PS   (DI)(AX*2), Y8
	VCVTPH2PS   16(DI)(AX*2), Y9
	VCVTPH2PS   32(DI)(AX*2), Y10
	VCVTPH2PS   48(DI)(AX*2), Y11
	VMOVUPS     (SI)(AX*4), Y4
	VMOVUPS     32(SI)(AX*4), Y5
	VMOVUPS     64(SI)(AX*4), Y6
	VMOVUPS     96(SI)(AX*4), Y7
	VSUBPS      Y8, Y4, Y4
	VSUBPS      Y9, Y5, Y5
	VSUBPS      Y10, Y6, Y6
	VSUBPS      Y11, Y7, Y7
	VFMADD231PS Y4, Y4, Y0
	VFMADD231PS Y5, Y5, Y1
	VFMADD231PS Y6, Y6, Y2
	VFMADD231PS Y7, Y7, Y3
	ADDQ        $32, AX
	CMPQ        AX, DX
	JLT         hl2_loop32

hl2_by8:
	MOVQ CX, DX
	ANDQ $-8, DX
	CMPQ AX, DX
	JGE  hl2_reduce

hl2_loop8:
	VCVTPH2PS   (DI)(AX*2), Y8
	VMOVUPS     (SI)(AX*4), Y4
	VSUBPS      Y8, Y4, Y4
	VFMADD231PS Y4, Y4, Y0
	ADDQ        $8, AX
	CMPQ        AX, DX
	JLT         hl2_loop8

hl2_reduce:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	HSUM8(Y0, X0, X1)
	CMPQ   AX, CX
	JGE    hl2_done

hl2_loop1:
	HALF1(X8)
	VMOVSS      (SI)(AX*4), X1
	VSUBSS      X8, X1, X1
	VFMADD231SS X1, X1, X0
	INCQ        AX
	CMPQ        AX, CX
	JLT         hl2_loop1

hl2_done:
	VZEROUPPER
	MOVSS X0, ret+48(FP)
	RET

// func dotHalfAVX2(a []float32, b []uint16) float32
TEXT ·dotHalfAVX2(SB), NOSPLIT, $0-52
	MOVQ   a_base+0(FP), SI
	MOVQ   a_len+8(FP), CX
	MOVQ   b_base+24(FP), DI
	XORQ   AX, AX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVQ   CX, DX
	ANDQ   $-32, DX
	JZ     hdot_by8

hdot_loop32:
	VCVTPH2PS   (DI)(AX*2), Y8
	VCVTPH2PS   16(DI)(AX*2), Y9
	VCVTPH2PS   32(DI)(AX*2), Y10
	VCVTPH2PS   48(DI)(AX*2), Y11
	VFMADD231PS (SI)(AX*4), Y8, Y0
	VFMADD231PS 32(SI)(AX*4), Y9, Y1
	VFMADD231PS 64(SI)(AX*4), Y10, Y2
	VFMADD231PS 96(SI)(AX*4), Y11, Y3
	ADDQ        $32, AX
	CMPQ        AX, DX
	JLT         hdot_loop32

hdot_by8:
	MOVQ CX, DX
	ANDQ $-8, DX
	CMPQ AX, DX
	JGE  hdot_reduce

hdot_loop8:
	VCVTPH2PS   (DI)(AX*2), Y8
	VFMADD231PS (SI)(AX*4), Y8, Y0
	ADDQ        $8, AX
	CMPQ        AX, DX
	JLT         hdot_loop8

hdot_reduce:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	HSUM8(Y0, X0, X1)
	CMPQ   AX, CX
	JGE    hdot_done

hdot_loop1:
	HALF1(X8)
	VFMADD231SS (SI)(AX*4), X8, X0
	INCQ        AX
	CMPQ        AX, CX
	JLT         hdot_loop1

hdot_done:
	VZEROUPPER
	MOVSS X0, ret+48(FP)
	RET

// func l1HalfAVX2(a []float32, b []uint16) float32
TEXT ·l1HalfAVX2(SB), NOSPLIT, $0-52
	MOVQ   a_base+0(FP), SI
	MOVQ   a_len+8(FP), CX
	MOVQ   b_base+24(FP), DI
	XORQ   AX, AX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

	// Y15 = 0x7fffffff in every lane: AND clears the sign bit (fabsf).
	VPCMPEQD Y15, Y15, Y15
	VPSRLD   $1, Y15, Y15
	MOVQ     CX, DX
	ANDQ     $-32, DX
	JZ       hl1_by8

hl1_loop32:
	VCVTPH2PS (DI)(AX*2), Y8
	VCVTPH2PS 16(DI)(AX*2), Y9
	VCVTPH2PS 32(DI)(AX*2), Y10
	VCVTPH2PS 48(DI)(AX*2), Y11
	VMOVUPS   (SI)(AX*4), Y4
	VMOVUPS   32(SI)(AX*4), Y5
	VMOVUPS   64(SI)(AX*4), Y6
	VMOVUPS   96(SI)(AX*4), Y7
	VSUBPS    Y8, Y4, Y4
	VSUBPS    Y9, Y5, Y5
	VSUBPS    Y10, Y6, Y6
	VSUBPS    Y11, Y7, Y7
	VANDPS    Y15, Y4, Y4
	VANDPS    Y15, Y5, Y5
	VANDPS    Y15, Y6, Y6
	VANDPS    Y15, Y7, Y7
	VADDPS    Y4, Y0, Y0
	VADDPS    Y5, Y1, Y1
	VADDPS    Y6, Y2, Y2
	VADDPS    Y7, Y3, Y3
	ADDQ      $32, AX
	CMPQ      AX, DX
	JLT       hl1_loop32

hl1_by8:
	MOVQ CX, DX
	ANDQ $-8, DX
	CMPQ AX, DX
	JGE  hl1_reduce

hl1_loop8:
	VCVTPH2PS (DI)(AX*2), Y8
	VMOVUPS   (SI)(AX*4), Y4
	VSUBPS    Y8, Y4, Y4
	VANDPS    Y15, Y4, Y4
	VADDPS    Y4, Y0, Y0
	ADDQ      $8, AX
	CMPQ      AX, DX
	JLT       hl1_loop8

hl1_reduce:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	HSUM8(Y0, X0, X1)
	CMPQ   AX, CX
	JGE    hl1_done

hl1_loop1:
	HALF1(X8)
	VMOVSS (SI)(AX*4), X1
	VSUBSS X8, X1, X1
	VANDPS X15, X1, X1
	VADDSS X1, X0, X0
	INCQ   AX
	CMPQ   AX, CX
	JLT    hl1_loop1

hl1_done:
	VZEROUPPER
	MOVSS X0, ret+48(FP)
	RET

// func cosinePartsHalfAVX2(a []float32, b []uint16) (dot, normA, normB float32)
// Two accumulators per sum (six in all) over 16 elements per iteration.
TEXT ·cosinePartsHalfAVX2(SB), NOSPLIT, $0-60
	MOVQ   a_base+0(FP), SI
	MOVQ   a_len+8(FP), CX
	MOVQ   b_base+24(FP), DI
	XORQ   AX, AX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	MOVQ   CX, DX
	ANDQ   $-16, DX
	JZ     hcos_by8

hcos_loop16:
	VMOVUPS     (SI)(AX*4), Y6
	VMOVUPS     32(SI)(AX*4), Y7
	VCVTPH2PS   (DI)(AX*2), Y8
	VCVTPH2PS   16(DI)(AX*2), Y9
	VFMADD231PS Y8, Y6, Y0
	VFMADD231PS Y9, Y7, Y1
	VFMADD231PS Y6, Y6, Y2
	VFMADD231PS Y7, Y7, Y3
	VFMADD231PS Y8, Y8, Y4
	VFMADD231PS Y9, Y9, Y5
	ADDQ        $16, AX
	CMPQ        AX, DX
	JLT         hcos_loop16

hcos_by8:
	MOVQ CX, DX
	ANDQ $-8, DX
	CMPQ AX, DX
	JGE  hcos_reduce

hcos_loop8:
	VMOVUPS     (SI)(AX*4), Y6
	VCVTPH2PS   (DI)(AX*2), Y8
	VFMADD231PS Y8, Y6, Y0
	VFMADD231PS Y6, Y6, Y2
	VFMADD231PS Y8, Y8, Y4
	ADDQ        $8, AX
	CMPQ        AX, DX
	JLT         hcos_loop8

hcos_reduce:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y5, Y4, Y4
	HSUM8(Y0, X0, X1)
	HSUM8(Y2, X2, X3)
	HSUM8(Y4, X4, X5)
	CMPQ   AX, CX
	JGE    hcos_done

hcos_loop1:
	VMOVSS      (SI)(AX*4), X6
	HALF1(X8)
	VFMADD231SS X8, X6, X0
	VFMADD231SS X6, X6, X2
	VFMADD231SS X8, X8, X4
	INCQ        AX
	CMPQ        AX, CX
	JLT         hcos_loop1

hcos_done:
	VZEROUPPER
	MOVSS X0, dot+48(FP)
	MOVSS X2, normA+52(FP)
	MOVSS X4, normB+56(FP)
	RET

// func encodeHalfF16C(dst []uint16, src []float32)
TEXT ·encodeHalfF16C(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	XORQ AX, AX
	MOVQ CX, DX
	ANDQ $-8, DX
	JZ   enc_tail

enc_loop8:
	VMOVUPS   (SI)(AX*4), Y0
	VCVTPS2PH $0, Y0, (DI)(AX*2)
	ADDQ      $8, AX
	CMPQ      AX, DX
	JLT       enc_loop8

enc_tail:
	CMPQ AX, CX
	JGE  enc_done

enc_loop1:
	VMOVSS    (SI)(AX*4), X0
	VCVTPS2PH $0, X0, X0
	VMOVD     X0, BX
	MOVW      BX, (DI)(AX*2)
	INCQ      AX
	CMPQ      AX, CX
	JLT       enc_loop1

enc_done:
	VZEROUPPER
	RET

// func decodeHalfBlocksF16C(dst []float32, src []uint16) int
// A half is a NaN when its bits without the sign exceed 0x7c00 (infinity);
// both sides are non-negative int16s, so VPCMPGTW compares them.
TEXT ·decodeHalfBlocksF16C(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	XORQ AX, AX
	ANDQ $-8, CX
	JZ   dec_done

	// X14 = 0x7fff and X15 = 0x7c00 in every word.
	MOVL         $0x7fff, BX
	VMOVD        BX, X14
	VPBROADCASTW X14, X14
	MOVL         $0x7c00, BX
	VMOVD        BX, X15
	VPBROADCASTW X15, X15

dec_loop8:
	VMOVDQU   (SI)(AX*2), X0
	VPAND     X14, X0, X1
	VPCMPGTW  X15, X1, X1
	VPTEST    X1, X1
	JNZ       dec_done
	VCVTPH2PS X0, Y0
	VMOVUPS   Y0, (DI)(AX*4)
	ADDQ      $8, AX
	CMPQ      AX, CX
	JLT       dec_loop8

dec_done:
	VZEROUPPER
	MOVQ AX, ret+48(FP)
	RET
