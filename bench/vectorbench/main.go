// Command vectorbench measures exact (unindexed) nearest-neighbour search
// over pgwire with pgvector's SQL only, so it runs unchanged against Quiver
// and against PostgreSQL + pgvector: it loads N deterministic
// Gaussian-mixture vectors by multi-row INSERT, then times
// `ORDER BY embedding <-> $1 LIMIT k` through a pgx prepared statement and
// checks the first answers against a brute-force scan done here.
//
//	go run ./bench/vectorbench -dsn 'postgres://postgres@127.0.0.1:5442/postgres?sslmode=disable'
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"
	pgxvec "github.com/pgvector/pgvector-go/pgx"
)

type config struct {
	dsn                  string
	n, dims, k, clusters int
	queries, warmup      int
	batch, verify        int
	seed                 uint64
	table                string
	keep, skipLoad       bool
}

func main() {
	var c config
	flag.StringVar(&c.dsn, "dsn", "postgres://postgres@127.0.0.1:5442/postgres?sslmode=disable", "server to measure")
	flag.IntVar(&c.n, "n", 100000, "vectors to load")
	flag.IntVar(&c.dims, "dims", 128, "dimensions")
	flag.IntVar(&c.k, "k", 10, "neighbours per query (LIMIT)")
	flag.IntVar(&c.clusters, "clusters", 64, "mixture components")
	flag.IntVar(&c.queries, "queries", 200, "timed queries")
	flag.IntVar(&c.warmup, "warmup", 10, "untimed queries first")
	flag.IntVar(&c.batch, "batch", 500, "rows per INSERT statement")
	flag.IntVar(&c.verify, "verify", 5, "queries checked against brute force")
	flag.Uint64Var(&c.seed, "seed", 1, "data seed")
	flag.StringVar(&c.table, "table", "vectorbench_items", "table to create (and drop unless -keep)")
	flag.BoolVar(&c.keep, "keep", false, "keep the table afterwards")
	flag.BoolVar(&c.skipLoad, "skip-load", false, "reuse a table left by -keep (same -n -dims -seed)")
	flag.Parse()
	if err := run(context.Background(), c); err != nil {
		fmt.Fprintln(os.Stderr, "vectorbench:", err)
		os.Exit(1)
	}
}

// mixture draws points around a fixed set of centres with per-cluster
// spread, so distances are not the near-uniform ones of pure Gaussian data.
type mixture struct {
	rng     *rand.Rand
	centres [][]float32
	spread  []float64
}

func newMixture(seed uint64, clusters, dims int) *mixture {
	m := &mixture{rng: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))}
	for range clusters {
		c := make([]float32, dims)
		for i := range c {
			c[i] = float32(m.rng.NormFloat64())
		}
		m.centres = append(m.centres, c)
		m.spread = append(m.spread, 0.1+0.4*m.rng.Float64())
	}
	return m
}

func (m *mixture) draw() []float32 {
	j := m.rng.IntN(len(m.centres))
	v := make([]float32, len(m.centres[j]))
	for i := range v {
		v[i] = m.centres[j][i] + float32(m.spread[j]*m.rng.NormFloat64())
	}
	return v
}

func run(ctx context.Context, c config) error {
	conn, err := pgx.Connect(ctx, c.dsn)
	if err != nil {
		return fmt.Errorf("connecting: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS vector"); err != nil {
		return fmt.Errorf("creating extension: %w", err)
	}
	if err := pgxvec.RegisterTypes(ctx, conn); err != nil {
		return fmt.Errorf("registering vector types: %w", err)
	}
	mix := newMixture(c.seed, c.clusters, c.dims)
	data := make([][]float32, c.n)
	for i := range data {
		data[i] = mix.draw()
	}
	var loadSecs float64
	if !c.skipLoad {
		if loadSecs, err = load(ctx, conn, c, data); err != nil {
			return err
		}
	}
	if !c.keep {
		defer func() { _, _ = conn.Exec(context.Background(), "DROP TABLE IF EXISTS "+c.table) }()
	}
	query := fmt.Sprintf("SELECT id FROM %s ORDER BY embedding <-> $1 LIMIT %d", c.table, c.k)
	if _, err := conn.Prepare(ctx, "knn", query); err != nil {
		return fmt.Errorf("preparing %q: %w", query, err)
	}
	ask := func(q []float32) ([]int64, time.Duration, error) {
		start := time.Now()
		rows, err := conn.Query(ctx, "knn", pgvector.NewVector(q))
		if err != nil {
			return nil, 0, err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		return ids, time.Since(start), err
	}
	queries := make([][]float32, c.warmup+c.queries)
	for i := range queries {
		queries[i] = mix.draw()
	}
	for i := range min(c.verify, len(queries)) {
		got, _, err := ask(queries[i])
		if err != nil {
			return fmt.Errorf("query: %w", err)
		}
		if want := bruteForce(data, queries[i], c.k); !sameNeighbours(data, queries[i], got, want) {
			return fmt.Errorf("query %d: got ids %v, brute force says %v", i, got, want)
		}
	}
	for _, q := range queries[:c.warmup] {
		if _, _, err := ask(q); err != nil {
			return fmt.Errorf("warm-up query: %w", err)
		}
	}
	lat := make([]time.Duration, 0, c.queries)
	for _, q := range queries[c.warmup:] {
		ids, d, err := ask(q)
		if err != nil {
			return fmt.Errorf("query: %w", err)
		}
		if len(ids) != min(c.k, c.n) {
			return fmt.Errorf("query returned %d rows, want %d", len(ids), c.k)
		}
		lat = append(lat, d)
	}
	slices.Sort(lat)
	var total time.Duration
	for _, d := range lat {
		total += d
	}
	var version string
	_ = conn.QueryRow(ctx, "SELECT version()").Scan(&version)
	fmt.Printf("server: %s\n", version)
	fmt.Printf("data: %d x %d Gaussian mixture (%d clusters, seed %d)\n", c.n, c.dims, c.clusters, c.seed)
	if !c.skipLoad {
		fmt.Printf("load (%d-row INSERTs): %.2f s (%.0f rows/s)\n", c.batch, loadSecs, float64(c.n)/loadSecs)
	}
	fmt.Printf("exact top-%d by <->, %d prepared queries after %d warm-up, %d verified against brute force:\n", c.k, len(lat), c.warmup, c.verify)
	fmt.Printf("  p50 %.2f ms  p99 %.2f ms  mean %.2f ms  min %.2f ms  max %.2f ms\n",
		ms(percentile(lat, 0.50)), ms(percentile(lat, 0.99)), ms(total/time.Duration(len(lat))), ms(lat[0]), ms(lat[len(lat)-1]))
	return nil
}

func load(ctx context.Context, conn *pgx.Conn, c config, data [][]float32) (float64, error) {
	for _, q := range []string{
		"DROP TABLE IF EXISTS " + c.table,
		fmt.Sprintf("CREATE TABLE %s (id bigint PRIMARY KEY, embedding vector(%d))", c.table, c.dims),
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return 0, fmt.Errorf("%s: %w", q, err)
		}
	}
	start := time.Now()
	var b strings.Builder
	for lo := 0; lo < len(data); lo += c.batch {
		b.Reset()
		fmt.Fprintf(&b, "INSERT INTO %s VALUES ", c.table)
		for i := lo; i < min(lo+c.batch, len(data)); i++ {
			if i > lo {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "(%d,'%s')", i, pgvector.NewVector(data[i]).String())
		}
		if _, err := conn.Exec(ctx, b.String()); err != nil {
			return 0, fmt.Errorf("loading rows from %d: %w", lo, err)
		}
	}
	return time.Since(start).Seconds(), nil
}

func l2(a, b []float32) float64 {
	var s float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		s += d * d
	}
	return s
}

func bruteForce(data [][]float32, q []float32, k int) []int64 {
	ids := make([]int64, len(data))
	dist := make([]float64, len(data))
	for i := range data {
		ids[i], dist[i] = int64(i), l2(q, data[i])
	}
	slices.SortFunc(ids, func(a, b int64) int { return cmp.Or(cmp.Compare(dist[a], dist[b]), cmp.Compare(a, b)) })
	return ids[:min(k, len(ids))]
}

// sameNeighbours accepts a different id at a rank only where its distance
// ties the reference's within float32 rounding (the server sums in float32).
func sameNeighbours(data [][]float32, q []float32, got, want []int64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range want {
		if got[i] == want[i] {
			continue
		}
		dg, dw := l2(q, data[got[i]]), l2(q, data[want[i]])
		if math.Abs(dg-dw) > 1e-5*math.Max(1, dw) {
			return false
		}
	}
	return true
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	return sorted[min(len(sorted)-1, int(math.Ceil(p*float64(len(sorted))))-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
