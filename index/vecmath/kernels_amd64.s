//go:build amd64 && !purego

#include "textflag.h"
#include "hsum_amd64.h"

// Layout shared by the float32 kernels: SI = a, DI = b, CX = n, AX = i.
// A 32-element loop feeds four 8-lane accumulators (hiding FMA latency),
// an 8-element loop drains what is left in whole vectors, and a scalar
// loop handles the last n%8 elements. Unaligned loads are used throughout
// so subslices at any offset work.

// func l2SquaredAVX2(a, b []float32) float32
TEXT ·l2SquaredAVX2(SB), NOSPLIT, $0-52
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
	JZ     l2sq_by8

l2sq_loop32:
	VMOVUPS     (SI)(AX*4), Y4
	VMOVUPS     32(SI)(AX*4), Y5
	VMOVUPS     64(SI)(AX*4), Y6
	VMOVUPS     96(SI)(AX*4), Y7
	VSUBPS      (DI)(AX*4), Y4, Y4
	VSUBPS      32(DI)(AX*4), Y5, Y5
	VSUBPS      64(DI)(AX*4), Y6, Y6
	VSUBPS      96(DI)(AX*4), Y7, Y7
	VFMADD231PS Y4, Y4, Y0
	VFMADD231PS Y5, Y5, Y1
	VFMADD231PS Y6, Y6, Y2
	VFMADD231PS Y7, Y7, Y3
	ADDQ        $32, AX
	CMPQ        AX, DX
	JLT         l2sq_loop32

l2sq_by8:
	MOVQ CX, DX
	ANDQ $-8, DX
	CMPQ AX, DX
	JGE  l2sq_reduce

l2sq_loop8:
	VMOVUPS     (SI)(AX*4), Y4
	VSUBPS      (DI)(AX*4), Y4, Y4
	VFMADD231PS Y4, Y4, Y0
	ADDQ        $8, AX
	CMPQ        AX, DX
	JLT         l2sq_loop8

l2sq_reduce:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	HSUM8(Y0, X0, X1)
	CMPQ   AX, CX
	JGE    l2sq_done

l2sq_loop1:
	VMOVSS      (SI)(AX*4), X1
	VSUBSS      (DI)(AX*4), X1, X1
	VFMADD231SS X1, X1, X0
	INCQ        AX
	CMPQ        AX, CX
	JLT         l2sq_loop1

l2sq_done:
	VZEROUPPER
	MOVSS X0, ret+48(FP)
	RET

// func dotAVX2(a, b []float32) float32
TEXT ·dotAVX2(SB), NOSPLIT, $0-52
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
	JZ     dot_by8

dot_loop32:
	VMOVUPS     (SI)(AX*4), Y4
	VMOVUPS     32(SI)(AX*4), Y5
	VMOVUPS     64(SI)(AX*4), Y6
	VMOVUPS     96(SI)(AX*4), Y7
	VFMADD231PS (DI)(AX*4), Y4, Y0
	VFMADD231PS 32(DI)(AX*4), Y5, Y1
	VFMADD231PS 64(DI)(AX*4), Y6, Y2
	VFMADD231PS 96(DI)(AX*4), Y7, Y3
	ADDQ        $32, AX
	CMPQ        AX, DX
	JLT         dot_loop32

dot_by8:
	MOVQ CX, DX
	ANDQ $-8, DX
	CMPQ AX, DX
	JGE  dot_reduce

dot_loop8:
	VMOVUPS     (SI)(AX*4), Y4
	VFMADD231PS (DI)(AX*4), Y4, Y0
	ADDQ        $8, AX
	CMPQ        AX, DX
	JLT         dot_loop8

dot_reduce:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	HSUM8(Y0, X0, X1)
	CMPQ   AX, CX
	JGE    dot_done

dot_loop1:
	VMOVSS      (SI)(AX*4), X1
	VFMADD231SS (DI)(AX*4), X1, X0
	INCQ        AX
	CMPQ        AX, CX
	JLT         dot_loop1

dot_done:
	VZEROUPPER
	MOVSS X0, ret+48(FP)
	RET

// func l1AVX2(a, b []float32) float32
TEXT ·l1AVX2(SB), NOSPLIT, $0-52
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
	JZ       l1_by8

l1_loop32:
	VMOVUPS (SI)(AX*4), Y4
	VMOVUPS 32(SI)(AX*4), Y5
	VMOVUPS 64(SI)(AX*4), Y6
	VMOVUPS 96(SI)(AX*4), Y7
	VSUBPS  (DI)(AX*4), Y4, Y4
	VSUBPS  32(DI)(AX*4), Y5, Y5
	VSUBPS  64(DI)(AX*4), Y6, Y6
	VSUBPS  96(DI)(AX*4), Y7, Y7
	VANDPS  Y15, Y4, Y4
	VANDPS  Y15, Y5, Y5
	VANDPS  Y15, Y6, Y6
	VANDPS  Y15, Y7, Y7
	VADDPS  Y4, Y0, Y0
	VADDPS  Y5, Y1, Y1
	VADDPS  Y6, Y2, Y2
	VADDPS  Y7, Y3, Y3
	ADDQ    $32, AX
	CMPQ    AX, DX
	JLT     l1_loop32

l1_by8:
	MOVQ CX, DX
	ANDQ $-8, DX
	CMPQ AX, DX
	JGE  l1_reduce

l1_loop8:
	VMOVUPS (SI)(AX*4), Y4
	VSUBPS  (DI)(AX*4), Y4, Y4
	VANDPS  Y15, Y4, Y4
	VADDPS  Y4, Y0, Y0
	ADDQ    $8, AX
	CMPQ    AX, DX
	JLT     l1_loop8

l1_reduce:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	HSUM8(Y0, X0, X1)
	CMPQ   AX, CX
	JGE    l1_done

l1_loop1:
	VMOVSS (SI)(AX*4), X1
	VSUBSS (DI)(AX*4), X1, X1
	VANDPS X15, X1, X1
	VADDSS X1, X0, X0
	INCQ   AX
	CMPQ   AX, CX
	JLT    l1_loop1

l1_done:
	VZEROUPPER
	MOVSS X0, ret+48(FP)
	RET

// func cosinePartsAVX2(a, b []float32) (dot, normA, normB float32)
// Two accumulators per sum (six in all) over 16 elements per iteration.
TEXT ·cosinePartsAVX2(SB), NOSPLIT, $0-60
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
	JZ     cos_by8

cos_loop16:
	VMOVUPS     (SI)(AX*4), Y6
	VMOVUPS     32(SI)(AX*4), Y7
	VMOVUPS     (DI)(AX*4), Y8
	VMOVUPS     32(DI)(AX*4), Y9
	VFMADD231PS Y8, Y6, Y0
	VFMADD231PS Y9, Y7, Y1
	VFMADD231PS Y6, Y6, Y2
	VFMADD231PS Y7, Y7, Y3
	VFMADD231PS Y8, Y8, Y4
	VFMADD231PS Y9, Y9, Y5
	ADDQ        $16, AX
	CMPQ        AX, DX
	JLT         cos_loop16

cos_by8:
	MOVQ CX, DX
	ANDQ $-8, DX
	CMPQ AX, DX
	JGE  cos_reduce

cos_loop8:
	VMOVUPS     (SI)(AX*4), Y6
	VMOVUPS     (DI)(AX*4), Y8
	VFMADD231PS Y8, Y6, Y0
	VFMADD231PS Y6, Y6, Y2
	VFMADD231PS Y8, Y8, Y4
	ADDQ        $8, AX
	CMPQ        AX, DX
	JLT         cos_loop8

cos_reduce:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y5, Y4, Y4
	HSUM8(Y0, X0, X1)
	HSUM8(Y2, X2, X3)
	HSUM8(Y4, X4, X5)
	CMPQ   AX, CX
	JGE    cos_done

cos_loop1:
	VMOVSS      (SI)(AX*4), X6
	VMOVSS      (DI)(AX*4), X8
	VFMADD231SS X8, X6, X0
	VFMADD231SS X6, X6, X2
	VFMADD231SS X8, X8, X4
	INCQ        AX
	CMPQ        AX, CX
	JLT         cos_loop1

cos_done:
	VZEROUPPER
	MOVSS X0, dot+48(FP)
	MOVSS X2, normA+52(FP)
	MOVSS X4, normB+56(FP)
	RET

// func normSquaredAVX2(a []float32) float64
// pgvector's vector_norm sums in double: widen 4 floats at a time.
TEXT ·normSquaredAVX2(SB), NOSPLIT, $0-32
	MOVQ   a_base+0(FP), SI
	MOVQ   a_len+8(FP), CX
	XORQ   AX, AX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	MOVQ   CX, DX
	ANDQ   $-16, DX
	JZ     norm_by4

norm_loop16:
	VCVTPS2PD   (SI)(AX*4), Y4
	VCVTPS2PD   16(SI)(AX*4), Y5
	VCVTPS2PD   32(SI)(AX*4), Y6
	VCVTPS2PD   48(SI)(AX*4), Y7
	VFMADD231PD Y4, Y4, Y0
	VFMADD231PD Y5, Y5, Y1
	VFMADD231PD Y6, Y6, Y2
	VFMADD231PD Y7, Y7, Y3
	ADDQ        $16, AX
	CMPQ        AX, DX
	JLT         norm_loop16

norm_by4:
	MOVQ CX, DX
	ANDQ $-4, DX
	CMPQ AX, DX
	JGE  norm_reduce

norm_loop4:
	VCVTPS2PD   (SI)(AX*4), Y4
	VFMADD231PD Y4, Y4, Y0
	ADDQ        $4, AX
	CMPQ        AX, DX
	JLT         norm_loop4

norm_reduce:
	VADDPD       Y1, Y0, Y0
	VADDPD       Y3, Y2, Y2
	VADDPD       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD       X1, X0, X0
	VUNPCKHPD    X0, X0, X1
	VADDSD       X1, X0, X0
	CMPQ         AX, CX
	JGE          norm_done

norm_loop1:
	VCVTSS2SD   (SI)(AX*4), X1, X1
	VFMADD231SD X1, X1, X0
	INCQ        AX
	CMPQ        AX, CX
	JLT         norm_loop1

norm_done:
	VZEROUPPER
	MOVSD X0, ret+24(FP)
	RET
