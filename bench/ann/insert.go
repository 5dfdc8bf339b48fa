package main

// Insert mode (-insert): throughput of INSERTs into a table that already
// has its HNSW index, as an application writes. The table ann_insert is
// created with -n base rows loaded by COPY and the index built over them
// (m, ef_construction as given; -n 0 builds it on the empty table), then
// for each batch size of -insert-batch and each client count of -clients
// the clients insert -insert-rows fresh draws from the same mixture over
// pgwire's extended protocol (prepared statements, autocommit):
//
//	INSERT INTO ann_insert (id, embedding) VALUES ($1, $2)            -- batch 1
//	INSERT INTO ann_insert (id, embedding) VALUES ($1, $2), ($3, $4)… -- batch 100: one statement, one transaction
//
// It reports rows/s and p50/p99 per statement, then checks that the index
// holds the inserted rows: recall@k at -insert-ef-search against brute
// force over every row, base and inserted. The statements are plain
// pgvector SQL, so PostgreSQL runs them unchanged.

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

type insertResult struct {
	Batch   int     `json:"batch"`
	Clients int     `json:"clients"`
	Rows    int     `json:"rows"`
	RowsPS  float64 `json:"rows_per_second"`
	P50ms   float64 `json:"p50_ms"`
	P99ms   float64 `json:"p99_ms"`
	// ServerCPUms is the server's CPU time per inserted row (with
	// -server-pid): steadier than rows/s on a busy machine.
	ServerCPUms float64 `json:"server_cpu_ms_per_row,omitempty"`
}

type insertReport struct {
	report
	// BuildRowsPS and BuildCPUms (server CPU per row, with -server-pid)
	// are the bulk build's figures in the same run: the insert rates'
	// yardstick on a machine whose speed varies (pgvector's build rate is
	// the conservative anchor for its per-row inserts).
	BuildRowsPS float64        `json:"build_rows_per_second"`
	BuildCPUms  float64        `json:"build_server_cpu_ms_per_row,omitempty"`
	Inserts     []insertResult `json:"inserts"`
	// Recall is measured after every insert run, over all rows.
	Recall result `json:"recall_after"`
}

// insertSQL is the INSERT of batch rows: (id, embedding) pairs as
// parameters $1, $2, ...
func insertSQL(batch int) string {
	var sb strings.Builder
	sb.WriteString("INSERT INTO ann_insert (id, embedding) VALUES ")
	for i := range batch {
		if i > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, "($%d, $%d)", 2*i+1, 2*i+2)
	}
	return sb.String()
}

// insertSearchSQL is measure's k-NN query when it checks ann_insert.
func insertSearchSQL(k int) string {
	return fmt.Sprintf("SELECT id FROM ann_insert ORDER BY embedding <-> $1::vector LIMIT %d", k)
}

func runInsert(ctx context.Context, c config, base, queries [][]float32) error {
	if c.data != "mixture" {
		return fmt.Errorf("-insert draws fresh rows from the generated mixture; -data %s is not supported", c.data)
	}
	batches, clientCounts := ints(c.insertBatches), ints(c.clients)
	if c.insertRows <= 0 || len(batches) == 0 || len(clientCounts) == 0 {
		return fmt.Errorf("-insert needs -insert-rows > 0, -insert-batch and -clients")
	}
	// Fresh rows: the same mixture (same seed, so the same clusters) drawn
	// from a separate stream, so they are neither base rows nor queries.
	mx := newMixture(rand.New(rand.NewPCG(c.seed, c.seed+1)), c.clusters, c.dims)
	fresh := rand.New(rand.NewPCG(c.seed+2, c.seed+3))
	all := slices.Clone(base)
	conn, err := pgx.Connect(ctx, c.dsn)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)
	rep := insertReport{report: report{N: c.n, Dims: c.dims, K: c.k, M: c.m, EfConstruction: c.efC}}
	d, err := loadTable(ctx, conn, "ann_insert", "id, embedding",
		fmt.Sprintf("CREATE TABLE ann_insert (id int PRIMARY KEY, embedding vector(%d))", c.dims), len(base),
		func(w *bufio.Writer, i int) { fmt.Fprintf(w, "%d\t%s", i, vecText(base[i])) })
	if err != nil {
		return err
	}
	rep.LoadSeconds = d.Seconds()
	wall, cpu, err := buildHNSW(ctx, conn, c, "ann_insert")
	if err != nil {
		return err
	}
	rep.BuildSeconds = wall.Seconds()
	if len(base) > 0 {
		rep.BuildRowsPS = float64(len(base)) / rep.BuildSeconds
		rep.BuildCPUms = cpu.Seconds() * 1000 / float64(len(base))
	}
	fmt.Printf("load %.1f s, index build %.1f s (%d x %d: %.0f rows/s, server CPU %.3f ms/row); inserting %d rows per run\n",
		rep.LoadSeconds, rep.BuildSeconds, len(base), c.dims, rep.BuildRowsPS, rep.BuildCPUms, c.insertRows)
	fmt.Printf("%6s %7s %7s %9s %8s %8s %8s %9s\n", "batch", "clients", "rows", "rows/s", "p50 ms", "p99 ms", "cpu ms", "/build")
	for _, batch := range batches {
		for _, clients := range clientCounts {
			rows := make([][]float32, c.insertRows)
			for i := range rows {
				rows[i] = mx.draw(fresh)
			}
			r, err := measureInsert(ctx, c, batch, clients, len(all), rows)
			if err != nil {
				return err
			}
			all = append(all, rows...)
			rep.Inserts = append(rep.Inserts, r)
			fmt.Printf("%6d %7d %7d %9.0f %8.3f %8.3f %8.3f %9.2f\n", r.Batch, r.Clients, r.Rows, r.RowsPS, r.P50ms, r.P99ms, r.ServerCPUms, r.RowsPS/rep.BuildRowsPS)
		}
	}
	var count int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM ann_insert").Scan(&count); err != nil {
		return fmt.Errorf("count: %w", err)
	}
	if count != len(all) {
		return fmt.Errorf("ann_insert holds %d rows, %d were loaded or inserted", count, len(all))
	}
	truth := groundTruth(all, queries, c.k)
	ic := c
	ic.insert = true
	r, err := measure(ctx, ic, c.insertEf, 1, queries, truth)
	if err != nil {
		return err
	}
	rep.Recall = r
	fmt.Printf("after the inserts: %d rows, ef_search %d recall@%d %.3f (%.0f QPS)\n", count, r.EfSearch, c.k, r.Recall, r.QPS)
	title := fmt.Sprintf("%s %d + %d inserted x %d, m %d, ef_construction %d, recall@%d after inserts", c.data, len(base), len(all)-len(base), c.dims, c.m, c.efC, c.k)
	return writeOutputs(c, title, rep, []result{r})
}

// measureInsert runs clients connections that together insert rows with
// ids from firstID on, batch rows per statement; client w takes the
// batches w, w+clients, ...
func measureInsert(ctx context.Context, c config, batch, clients, firstID int, rows [][]float32) (insertResult, error) {
	nStmts := (len(rows) + batch - 1) / batch
	lats := make([]time.Duration, nStmts)
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	conns := make([]*pgx.Conn, clients)
	for w := range conns {
		conn, err := pgx.Connect(ctx, c.dsn)
		if err != nil {
			return insertResult{}, fmt.Errorf("connect: %w", err)
		}
		defer conn.Close(ctx)
		conns[w] = conn
	}
	cpu0 := processCPU(c.serverPID)
	start := time.Now()
	for w, conn := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			args := make([]any, 0, 2*batch)
			for s := w; s < nStmts; s += clients {
				lo, hi := s*batch, min((s+1)*batch, len(rows))
				args = args[:0]
				for i := lo; i < hi; i++ {
					args = append(args, firstID+i, vecText(rows[i]))
				}
				t0 := time.Now()
				if _, err := conn.Exec(ctx, insertSQL(hi-lo), args...); err != nil {
					errs <- fmt.Errorf("insert rows %d..%d: %w", firstID+lo, firstID+hi-1, err)
					return
				}
				lats[s] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := processCPU(c.serverPID) - cpu0
	close(errs)
	if err := <-errs; err != nil {
		return insertResult{}, err
	}
	slices.Sort(lats)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return insertResult{
		Batch: batch, Clients: clients, Rows: len(rows),
		RowsPS:      float64(len(rows)) / elapsed.Seconds(),
		P50ms:       ms(lats[len(lats)/2]),
		P99ms:       ms(lats[len(lats)*99/100]),
		ServerCPUms: cpu.Seconds() * 1000 / float64(len(rows)),
	}, nil
}
