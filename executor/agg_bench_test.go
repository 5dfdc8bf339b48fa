package executor

import "testing"

// BenchmarkCountAvg is issue 2's full-scan aggregate over 100,000 rows,
// without the wire in between.
func BenchmarkCountAvg(b *testing.B) {
	s := newTestSession(b)
	mustRun(b, s, "CREATE TABLE r (id int PRIMARY KEY, x float8); INSERT INTO r SELECT g, g * 0.5 FROM generate_series(1, 100000) g")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if got := flat(mustRun(b, s, "SELECT count(*), avg(x) FROM r")); got != "100000|25000.25" {
			b.Fatalf("got %s", got)
		}
	}
}
