//go:build amd64 && !purego

#include "textflag.h"

// func prefetch(v []float32)
// Touches every 64-byte line of v with PREFETCHT0 (a hint: it never
// faults, so the one line read for an empty slice is harmless).
TEXT ·prefetch(SB), NOSPLIT, $0-24
	MOVQ v_base+0(FP), SI
	MOVQ v_len+8(FP), CX
	LEAQ (SI)(CX*4), CX

pf_loop:
	PREFETCHT0 (SI)
	ADDQ       $64, SI
	CMPQ       SI, CX
	JLT        pf_loop
	RET
