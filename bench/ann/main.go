// Command ann measures approximate nearest-neighbour search over pgwire
// with pgvector's SQL only, so it runs unchanged against Quiver and against
// PostgreSQL + pgvector: it generates a deterministic Gaussian mixture
// (anisotropic clusters, log-normal cluster sizes, queries drawn fresh
// from the same mixture), loads it, builds an HNSW index, and reports
// recall@k against brute-force ground truth, QPS and latency percentiles
// for several hnsw.ef_search values, as a table, as JSON and as an SVG plot
// of QPS against recall. -data reads real data sets instead: Debian's
// dataset-fashion-mnist (fashion-mnist-784, L2) or TEXMEX .fvecs files.
//
//	go run ./bench/ann -dsn 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable' -n 100000 -dims 128
package main

import (
	"bufio"
	"cmp"
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

type config struct {
	dsn              string
	n, dims, queries int
	passes           int
	k, m, efC        int
	clusters         int
	efs              string
	clients          string
	seed             uint64
	jsonOut          string
	svgOut           string
	data             string
	skipLoad         bool
	rebuild          bool
	serverPID        int
	restartCmd       string
	restartKill      bool
	filtered         bool
	catIndex         bool
	insert           bool
	insertRows       int
	insertBatches    string
	insertEf         int
}

type result struct {
	EfSearch int     `json:"ef_search"`
	Clients  int     `json:"clients"`
	Recall   float64 `json:"recall"`
	QPS      float64 `json:"qps"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
	// FullFraction is the fraction of queries that returned k rows (or
	// every matching row, when fewer match).
	FullFraction float64 `json:"full_fraction"`
	// ServerCPUms is the server's CPU time per query (with -server-pid):
	// steadier than QPS on a busy machine.
	ServerCPUms float64 `json:"server_cpu_ms,omitempty"`
}

type report struct {
	N, Dims, K, M, EfConstruction int
	LoadSeconds                   float64  `json:"load_seconds"`
	BuildSeconds                  float64  `json:"build_seconds"`
	Results                       []result `json:"results"`
	// With -server-pid: memory after each phase; with -restart-cmd: the
	// restart's stop and ready times (see restart).
	ServerMemory        []serverMemory `json:"server_memory,omitempty"`
	RestartStopSeconds  float64        `json:"restart_stop_seconds,omitempty"`
	RestartReadySeconds float64        `json:"restart_ready_seconds,omitempty"`
	RestartKilled       bool           `json:"restart_killed,omitempty"`
}

func main() {
	var c config
	flag.StringVar(&c.dsn, "dsn", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "server")
	flag.IntVar(&c.n, "n", 100_000, "base vectors")
	flag.IntVar(&c.dims, "dims", 128, "dimensions")
	flag.IntVar(&c.queries, "queries", 1000, "query vectors")
	flag.IntVar(&c.passes, "passes", 1, "runs of the query set per ef_search and client count; the pass with the median QPS is reported (a background compaction or checkpoint during one short pass skews it)")
	flag.IntVar(&c.k, "k", 10, "neighbours per query")
	flag.IntVar(&c.m, "m", 16, "HNSW m")
	flag.IntVar(&c.efC, "ef-construction", 64, "HNSW ef_construction")
	flag.IntVar(&c.clusters, "clusters", 100, "mixture components")
	flag.StringVar(&c.efs, "ef-search", "10,20,40,80,160", "hnsw.ef_search values")
	flag.StringVar(&c.clients, "clients", "1,2", "concurrent clients")
	flag.Uint64Var(&c.seed, "seed", 1, "data seed")
	flag.StringVar(&c.jsonOut, "json", "", "write results as JSON here")
	flag.StringVar(&c.svgOut, "svg", "", "write a plot of QPS against recall as SVG here (default: beside -json)")
	flag.StringVar(&c.data, "data", "mixture", "data set: mixture (generated), fashion-mnist[:DIR] (Debian's dataset-fashion-mnist, L2), fvecs:BASE,QUERIES")
	flag.BoolVar(&c.skipLoad, "skip-load", false, "reuse the loaded table and index")
	flag.IntVar(&c.serverPID, "server-pid", 0, "local server process id: also report its CPU time per query and per build (Linux /proc)")
	flag.StringVar(&c.restartCmd, "restart-cmd", "", "with -server-pid: after the queries stop the server, run this shell command, which must start it in the background and print its pid, and report the time to the first k-NN answer")
	flag.BoolVar(&c.restartKill, "restart-kill", false, "with -restart-cmd: stop the server with SIGKILL (a crash) instead of SIGTERM")
	flag.BoolVar(&c.rebuild, "rebuild", false, "with -skip-load: drop the index and build it again (build time only)")
	flag.BoolVar(&c.filtered, "filtered", false, "filtered search: table ann_filtered with a column cat of 100 values (1% selectivity each), queries WHERE cat = $2 (see filtered.go)")
	flag.BoolVar(&c.catIndex, "cat-index", true, "with -filtered: create a b-tree index on cat")
	flag.BoolVar(&c.insert, "insert", false, "insert throughput into an HNSW-indexed table ann_insert (-n base rows), then recall over all rows (see insert.go)")
	flag.IntVar(&c.insertRows, "insert-rows", 10_000, "with -insert: fresh rows inserted per batch size and client count")
	flag.StringVar(&c.insertBatches, "insert-batch", "1,100", "with -insert: rows per INSERT statement (each its own transaction)")
	flag.IntVar(&c.insertEf, "insert-ef-search", 40, "with -insert: hnsw.ef_search of the recall check after the inserts")
	flag.Parse()
	if err := run(context.Background(), c); err != nil {
		fmt.Fprintln(os.Stderr, "ann:", err)
		os.Exit(1)
	}
}

// mixture draws vectors from anisotropic Gaussian clusters: per-coordinate
// standard deviations decay like (r+1)^-0.5 in a random coordinate order
// per cluster, cluster weights are log-normal (sigma 1), and centres lie
// about three within-cluster spreads apart.
type mixture struct {
	centres [][]float32
	scales  [][]float32
	cum     []float64
}

func newMixture(rng *rand.Rand, clusters, dims int) *mixture {
	mx := &mixture{}
	var total float64
	for c := 0; c < clusters; c++ {
		centre := make([]float32, dims)
		for d := range centre {
			centre[d] = float32(rng.NormFloat64() * 3 / math.Sqrt(float64(dims)) * 4)
		}
		scale := make([]float32, dims)
		perm := rng.Perm(dims)
		for r, d := range perm {
			scale[d] = float32(1 / math.Sqrt(float64(r+1)))
		}
		mx.centres = append(mx.centres, centre)
		mx.scales = append(mx.scales, scale)
		total += math.Exp(rng.NormFloat64())
		mx.cum = append(mx.cum, total)
	}
	for i := range mx.cum {
		mx.cum[i] /= total
	}
	return mx
}

func (mx *mixture) draw(rng *rand.Rand) []float32 {
	c := sort.SearchFloat64s(mx.cum, rng.Float64())
	if c >= len(mx.centres) {
		c = len(mx.centres) - 1
	}
	v := make([]float32, len(mx.centres[c]))
	for d := range v {
		v[d] = mx.centres[c][d] + mx.scales[c][d]*float32(rng.NormFloat64())
	}
	return v
}

func vecText(v []float32) string {
	var sb strings.Builder
	sb.WriteByte('[')
	for i, x := range v {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(strconv.FormatFloat(float64(x), 'g', -1, 32))
	}
	sb.WriteByte(']')
	return sb.String()
}

func l2(a, b []float32) float64 {
	var s float64
	for i := range a {
		d := float64(a[i] - b[i])
		s += d * d
	}
	return s
}

func ints(s string) []int {
	var out []int
	for _, p := range strings.Split(s, ",") {
		if v, err := strconv.Atoi(strings.TrimSpace(p)); err == nil {
			out = append(out, v)
		}
	}
	return out
}

func run(ctx context.Context, c config) error {
	var base, queries [][]float32
	if c.data == "mixture" {
		rng := rand.New(rand.NewPCG(c.seed, c.seed+1))
		mx := newMixture(rng, c.clusters, c.dims)
		base = make([][]float32, c.n)
		for i := range base {
			base[i] = mx.draw(rng)
		}
		queries = make([][]float32, c.queries)
		for i := range queries {
			queries[i] = mx.draw(rng)
		}
	} else {
		var err error
		if base, queries, err = loadDataset(c.data, c.n, c.queries); err != nil {
			return err
		}
		c.n, c.dims = len(base), len(base[0])
		fmt.Printf("data set %s: %d base vectors, %d queries, %d dimensions\n", c.data, len(base), len(queries), c.dims)
	}
	if c.filtered {
		return runFiltered(ctx, c, base, queries)
	}
	if c.insert {
		return runInsert(ctx, c, base, queries)
	}
	truth := groundTruth(base, queries, c.k)
	conn, err := pgx.Connect(ctx, c.dsn)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)
	rep := report{N: c.n, Dims: c.dims, K: c.k, M: c.m, EfConstruction: c.efC}
	if !c.skipLoad {
		d, err := loadTable(ctx, conn, "ann_items", "id, embedding",
			fmt.Sprintf("CREATE TABLE ann_items (id int PRIMARY KEY, embedding vector(%d))", c.dims), len(base),
			func(w *bufio.Writer, i int) { fmt.Fprintf(w, "%d\t%s", i, vecText(base[i])) })
		if err != nil {
			return err
		}
		rep.LoadSeconds = d.Seconds()
	}
	if c.rebuild {
		if _, err := conn.Exec(ctx, "DROP INDEX IF EXISTS ann_items_hnsw"); err != nil {
			return fmt.Errorf("drop index: %w", err)
		}
	}
	if !c.skipLoad || c.rebuild {
		wall, cpu, err := buildHNSW(ctx, conn, c, "ann_items")
		if err != nil {
			return err
		}
		rep.BuildSeconds = wall.Seconds()
		fmt.Printf("load %.1f s, index build %.1f s (%d x %d)\n", rep.LoadSeconds, rep.BuildSeconds, c.n, c.dims)
		if c.serverPID > 0 {
			fmt.Printf("server CPU during the build %.2f s\n", cpu.Seconds())
		}
	}
	recordMemory := func(phase string) {
		if c.serverPID > 0 {
			m := readServerMemory(c.serverPID, phase)
			rep.ServerMemory = append(rep.ServerMemory, m)
			fmt.Println(m)
		}
	}
	recordMemory("before queries")
	if rep.Results, err = measureAll(ctx, c, queries, truth, false); err != nil {
		return err
	}
	recordMemory("after queries")
	if c.restartCmd != "" && c.serverPID > 0 {
		pid, stopS, readyS, err := restart(ctx, c, queries[0])
		if err != nil {
			return err
		}
		c.serverPID = pid
		rep.RestartStopSeconds, rep.RestartReadySeconds, rep.RestartKilled = stopS, readyS, c.restartKill
		fmt.Printf("restart: stopped in %.2f s (SIGKILL %v), ready (first k-NN answer) %.2f s after launch\n", stopS, c.restartKill, readyS)
		recordMemory("after restart")
		if efs := ints(c.efs); len(efs) > 0 {
			r, err := measure(ctx, c, efs[0], 1, queries, truth)
			if err != nil {
				return err
			}
			fmt.Printf("after restart: ef_search %d recall %.3f QPS %.0f\n", r.EfSearch, r.Recall, r.QPS)
			recordMemory("after restart and queries")
		}
	}
	title := fmt.Sprintf("%s %d x %d, m %d, ef_construction %d, recall@%d", c.data, c.n, c.dims, c.m, c.efC, c.k)
	return writeOutputs(c, title, rep, rep.Results)
}

// groundTruth is exact k-NN by brute force, in parallel.
func groundTruth(base, queries [][]float32, k int) [][]int {
	out := make([][]int, len(queries))
	var wg sync.WaitGroup
	work := make(chan int)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// The k nearest so far, nearest first: a full sort of every
			// distance per query made ground truth the slowest phase.
			ids := make([]int, 0, k+1)
			d := make([]float64, 0, k+1)
			for qi := range work {
				ids, d = ids[:0], d[:0]
				for i := range base {
					x := l2(base[i], queries[qi])
					if len(d) == k && x >= d[k-1] {
						continue
					}
					j, _ := slices.BinarySearch(d, x)
					for j < len(d) && d[j] == x {
						j++ // equal distances keep the lower id first
					}
					d, ids = slices.Insert(d, j, x), slices.Insert(ids, j, i)
					if len(d) > k {
						d, ids = d[:k], ids[:k]
					}
				}
				out[qi] = append([]int(nil), ids...)
			}
		}()
	}
	for qi := range queries {
		work <- qi
	}
	close(work)
	wg.Wait()
	return out
}

func measure(ctx context.Context, c config, ef, clients int, queries [][]float32, truth [][]int) (result, error) {
	type sample struct {
		lat        time.Duration
		hits, rows int
	}
	samples := make([]sample, len(queries))
	// Query texts are formatted before the clock starts, so the client's
	// own formatting does not count against the server.
	texts := make([]string, len(queries))
	for i, q := range queries {
		texts[i] = vecText(q)
	}
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	cpu0 := processCPU(c.serverPID)
	start := time.Now()
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			conn, err := pgx.Connect(ctx, c.dsn)
			if err != nil {
				errs <- fmt.Errorf("connect: %w", err)
				return
			}
			defer conn.Close(ctx)
			if _, err := conn.Exec(ctx, fmt.Sprintf("SET hnsw.ef_search = %d", ef)); err != nil {
				errs <- fmt.Errorf("set ef_search: %w", err)
				return
			}
			sql := fmt.Sprintf("SELECT id FROM ann_items ORDER BY embedding <-> $1::vector LIMIT %d", c.k)
			if c.filtered {
				sql = filteredSQL(c.k)
			}
			if c.insert {
				sql = insertSearchSQL(c.k)
			}
			for qi := w; qi < len(queries); qi += clients {
				args := []any{texts[qi]}
				if c.filtered {
					args = append(args, queryCat(qi))
				}
				t0 := time.Now()
				rows, err := conn.Query(ctx, sql, args...)
				if err != nil {
					errs <- fmt.Errorf("query: %w", err)
					return
				}
				got := make([]int, 0, c.k)
				for rows.Next() {
					var id int
					if err := rows.Scan(&id); err != nil {
						errs <- err
						return
					}
					got = append(got, id)
				}
				if err := rows.Err(); err != nil {
					errs <- err
					return
				}
				lat := time.Since(t0)
				hits := 0
				for _, id := range truth[qi] {
					if slices.Contains(got, id) {
						hits++
					}
				}
				samples[qi] = sample{lat: lat, hits: hits, rows: len(got)}
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := processCPU(c.serverPID) - cpu0
	close(errs)
	if err := <-errs; err != nil {
		return result{}, err
	}
	lats := make([]time.Duration, len(samples))
	hits, want, full := 0, 0, 0
	for i, s := range samples {
		lats[i] = s.lat
		hits += s.hits
		want += len(truth[i])
		if s.rows == len(truth[i]) {
			full++
		}
	}
	slices.Sort(lats)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return result{
		EfSearch: ef, Clients: clients,
		Recall:       float64(hits) / float64(want),
		FullFraction: float64(full) / float64(len(queries)),
		QPS:          float64(len(queries)) / elapsed.Seconds(),
		P50ms:        ms(lats[len(lats)/2]),
		P99ms:        ms(lats[len(lats)*99/100]),
		ServerCPUms:  cpu.Seconds() * 1000 / float64(len(queries)),
	}, nil
}

// processCPU is the CPU time process pid's threads have run so far, from
// /proc/PID/task/*/schedstat (nanoseconds; 0 without a pid). Threads that
// exited in between are missed, which Go servers rarely do.
func processCPU(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	dirs, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return 0
	}
	var total time.Duration
	for _, d := range dirs {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/schedstat", pid, d.Name()))
		if err != nil {
			continue
		}
		if f := strings.Fields(string(b)); len(f) > 0 {
			if ns, err := strconv.ParseInt(f[0], 10, 64); err == nil {
				total += time.Duration(ns)
			}
		}
	}
	return total
}

// measureAll runs measure for every -ef-search and -clients value,
// printing a table row for each; withFull adds the column of queries that
// got k rows (the filtered mode's concern).
func measureAll(ctx context.Context, c config, queries [][]float32, truth [][]int, withFull bool) ([]result, error) {
	head := fmt.Sprintf("%9s %7s %7s", "ef_search", "clients", "recall")
	if withFull {
		head += fmt.Sprintf(" %7s", "k rows")
	}
	fmt.Printf("%s %9s %8s %8s %8s\n", head, "QPS", "p50 ms", "p99 ms", "cpu ms")
	var out []result
	for _, ef := range ints(c.efs) {
		for _, clients := range ints(c.clients) {
			var passes []result
			for range max(1, c.passes) {
				r, err := measure(ctx, c, ef, clients, queries, truth)
				if err != nil {
					return nil, err
				}
				passes = append(passes, r)
			}
			slices.SortFunc(passes, func(a, b result) int { return cmp.Compare(a.QPS, b.QPS) })
			r := passes[len(passes)/2]
			out = append(out, r)
			row := fmt.Sprintf("%9d %7d %7.3f", r.EfSearch, r.Clients, r.Recall)
			if withFull {
				row += fmt.Sprintf(" %7.3f", r.FullFraction)
			}
			fmt.Printf("%s %9.0f %8.3f %8.3f %8.3f\n", row, r.QPS, r.P50ms, r.P99ms, r.ServerCPUms)
		}
	}
	return out, nil
}
