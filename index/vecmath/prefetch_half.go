package vecmath

import "unsafe"

// prefetchHalf prefetches v's lines through the float32 prefetch: the
// bytes, not the element type, are what it touches.
func prefetchHalf(v []uint16) {
	if len(v) < 2 {
		return
	}
	prefetch(unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(v))), len(v)/2))
}
