package vecmath

import "math"

// The portable kernels use eight independent accumulators so the loop is
// not bound by floating-point add latency; short vectors (< 8) therefore
// sum strictly left to right. Explicit float32() conversions keep the Go
// compiler from fusing multiply-adds, so results are the same on every
// architecture.

func l2SquaredGeneric(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	i := 0
	for ; i+8 <= len(a); i += 8 {
		aa, bb := a[i:i+8:i+8], b[i:i+8:i+8]
		d0, d1, d2, d3 := aa[0]-bb[0], aa[1]-bb[1], aa[2]-bb[2], aa[3]-bb[3]
		d4, d5, d6, d7 := aa[4]-bb[4], aa[5]-bb[5], aa[6]-bb[6], aa[7]-bb[7]
		s0 += float32(d0 * d0)
		s1 += float32(d1 * d1)
		s2 += float32(d2 * d2)
		s3 += float32(d3 * d3)
		s4 += float32(d4 * d4)
		s5 += float32(d5 * d5)
		s6 += float32(d6 * d6)
		s7 += float32(d7 * d7)
	}
	s := ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
	for ; i < len(a); i++ {
		d := a[i] - b[i]
		s += float32(d * d)
	}
	return s
}

func dotGeneric(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	i := 0
	for ; i+8 <= len(a); i += 8 {
		aa, bb := a[i:i+8:i+8], b[i:i+8:i+8]
		s0 += float32(aa[0] * bb[0])
		s1 += float32(aa[1] * bb[1])
		s2 += float32(aa[2] * bb[2])
		s3 += float32(aa[3] * bb[3])
		s4 += float32(aa[4] * bb[4])
		s5 += float32(aa[5] * bb[5])
		s6 += float32(aa[6] * bb[6])
		s7 += float32(aa[7] * bb[7])
	}
	s := ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
	for ; i < len(a); i++ {
		s += float32(a[i] * b[i])
	}
	return s
}

func abs32(x float32) float32 {
	return math.Float32frombits(math.Float32bits(x) &^ (1 << 31))
}

func l1Generic(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	i := 0
	for ; i+8 <= len(a); i += 8 {
		aa, bb := a[i:i+8:i+8], b[i:i+8:i+8]
		s0 += abs32(aa[0] - bb[0])
		s1 += abs32(aa[1] - bb[1])
		s2 += abs32(aa[2] - bb[2])
		s3 += abs32(aa[3] - bb[3])
		s4 += abs32(aa[4] - bb[4])
		s5 += abs32(aa[5] - bb[5])
		s6 += abs32(aa[6] - bb[6])
		s7 += abs32(aa[7] - bb[7])
	}
	s := ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
	for ; i < len(a); i++ {
		s += abs32(a[i] - b[i])
	}
	return s
}

func cosinePartsGeneric(a, b []float32) (dot, normA, normB float32) {
	b = b[:len(a)]
	var d0, d1, d2, d3, p0, p1, p2, p3, q0, q1, q2, q3 float32
	i := 0
	// Below 8 elements sum sequentially like the other kernels do.
	for ; len(a) >= 8 && i+4 <= len(a); i += 4 {
		aa, bb := a[i:i+4:i+4], b[i:i+4:i+4]
		d0 += float32(aa[0] * bb[0])
		d1 += float32(aa[1] * bb[1])
		d2 += float32(aa[2] * bb[2])
		d3 += float32(aa[3] * bb[3])
		p0 += float32(aa[0] * aa[0])
		p1 += float32(aa[1] * aa[1])
		p2 += float32(aa[2] * aa[2])
		p3 += float32(aa[3] * aa[3])
		q0 += float32(bb[0] * bb[0])
		q1 += float32(bb[1] * bb[1])
		q2 += float32(bb[2] * bb[2])
		q3 += float32(bb[3] * bb[3])
	}
	dot, normA, normB = (d0+d1)+(d2+d3), (p0+p1)+(p2+p3), (q0+q1)+(q2+q3)
	for ; i < len(a); i++ {
		dot += float32(a[i] * b[i])
		normA += float32(a[i] * a[i])
		normB += float32(b[i] * b[i])
	}
	return dot, normA, normB
}

func normSquaredGeneric(a []float32) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		aa := a[i : i+4 : i+4]
		x0, x1, x2, x3 := float64(aa[0]), float64(aa[1]), float64(aa[2]), float64(aa[3])
		s0 += x0 * x0
		s1 += x1 * x1
		s2 += x2 * x2
		s3 += x3 * x3
	}
	s := (s0 + s1) + (s2 + s3)
	for ; i < len(a); i++ {
		x := float64(a[i])
		s += x * x
	}
	return s
}
