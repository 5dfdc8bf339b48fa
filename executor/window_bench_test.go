package executor

import "testing"

// BenchmarkWindowRunningSum is a running sum (the default frame, which
// starts at UNBOUNDED PRECEDING) over 20,000 rows: the aggregate state runs
// along the frame, so the cost is linear in the rows.
func BenchmarkWindowRunningSum(b *testing.B) {
	benchWindow(b, "SELECT max(s) FROM (SELECT sum(x) OVER (ORDER BY id) s FROM r) t", "200010000")
}

// BenchmarkWindowSlidingSum is a 10-row sliding ROWS frame over the same
// rows, recomputed per row: linear in rows times frame width.
func BenchmarkWindowSlidingSum(b *testing.B) {
	benchWindow(b, "SELECT max(s) FROM (SELECT sum(x) OVER (ORDER BY id ROWS BETWEEN 9 PRECEDING AND CURRENT ROW) s FROM r) t", "199955")
}

func benchWindow(b *testing.B, q, want string) {
	s := newTestSession(b)
	mustRun(b, s, "CREATE TABLE r (id int PRIMARY KEY, x int); INSERT INTO r SELECT g, g FROM generate_series(1, 20000) g")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if got := flat(mustRun(b, s, q)); got != want {
			b.Fatalf("got %s, want %s", got, want)
		}
	}
}
