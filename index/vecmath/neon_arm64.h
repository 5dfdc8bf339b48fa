// Shared by kernels_arm64.s and half_arm64.s.

// The Go arm64 assembler has no mnemonics for the floating-point vector
// add/subtract/absolute-difference instructions, so they are encoded by
// hand (operand order follows Go: source m, source n, destination d).
#define VFADD4S(m, n, d) WORD $(0x4E20D400 | (m)<<16 | (n)<<5 | (d))   // d = n + m
#define VFSUB4S(m, n, d) WORD $(0x4EA0D400 | (m)<<16 | (n)<<5 | (d))   // d = n - m
#define VFABD4S(m, n, d) WORD $(0x6EA0D400 | (m)<<16 | (n)<<5 | (d))   // d = |n - m|
#define VFADDP4S(m, n, d) WORD $(0x6E20D400 | (m)<<16 | (n)<<5 | (d))  // pairwise add
#define FADDP2S(n, d) WORD $(0x7E30D800 | (n)<<5 | (d))                // s_d = n[0] + n[1]

// HSUM4 folds the four lanes of V(r) into S(r).
#define HSUM4(r) \
	VFADDP4S(r, r, r) \
	FADDP2S(r, r)
