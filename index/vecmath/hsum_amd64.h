// Shared by kernels_amd64.s and half_amd64.s.

// HSUM8 folds the eight float32 lanes of Y(r) into lane 0 of X(r),
// clobbering X(t).
#define HSUM8(Yr, Xr, Xt) \
	VEXTRACTF128 $1, Yr, Xt \
	VADDPS       Xt, Xr, Xr \
	VMOVHLPS     Xr, Xr, Xt \
	VADDPS       Xt, Xr, Xr \
	VMOVSHDUP    Xr, Xt     \
	VADDSS       Xt, Xr, Xr
