// Command sqlbench measures whole-system figures over pgwire, the same way
// against Quiver and PostgreSQL: a bulk load by multi-row INSERT, a full
// aggregate scan, and primary-key point lookups through a prepared
// statement.
//
//	go run ./bench/sqlbench -dsn 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
)

type config struct {
	dsn     string
	table   string
	rows    int
	batch   int
	aggRuns int
	lookups int
	keep    bool
}

func main() {
	var cfg config
	flag.StringVar(&cfg.dsn, "dsn", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "server to measure")
	flag.StringVar(&cfg.table, "table", "sqlbench_rows", "table to create (dropped first if it exists)")
	flag.IntVar(&cfg.rows, "rows", 100_000, "rows to load")
	flag.IntVar(&cfg.batch, "batch", 1000, "rows per INSERT statement")
	flag.IntVar(&cfg.aggRuns, "agg-runs", 7, "timed runs of the aggregate query (the median is reported)")
	flag.IntVar(&cfg.lookups, "lookups", 20_000, "timed primary-key lookups")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the table afterwards")
	flag.Parse()
	if cfg.rows <= 0 || cfg.batch <= 0 || cfg.aggRuns <= 0 || cfg.lookups <= 0 {
		fmt.Fprintln(os.Stderr, "sqlbench: -rows, -batch, -agg-runs and -lookups must be positive")
		os.Exit(2)
	}
	if err := run(context.Background(), cfg); err != nil {
		fmt.Fprintln(os.Stderr, "sqlbench:", err)
		os.Exit(1)
	}
}

type result struct{ name, value string }

func run(ctx context.Context, cfg config) error {
	conn, err := pgx.Connect(ctx, cfg.dsn)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)

	var version string
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&version); err != nil {
		return fmt.Errorf("server_version: %w", err)
	}
	results := []result{{"server_version", version}}

	if _, err := conn.Exec(ctx, "DROP TABLE IF EXISTS "+cfg.table); err != nil {
		return fmt.Errorf("drop table: %w", err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE "+cfg.table+" (id bigint PRIMARY KEY, x integer NOT NULL, s text)"); err != nil {
		return fmt.Errorf("create table: %w", err)
	}
	if !cfg.keep {
		defer func() { _, _ = conn.Exec(ctx, "DROP TABLE IF EXISTS "+cfg.table) }()
	}

	load, err := loadRows(ctx, conn, cfg)
	if err != nil {
		return err
	}
	results = append(results,
		result{fmt.Sprintf("load %d rows (INSERT x %d rows, autocommit)", cfg.rows, cfg.batch), fmtDur(load)},
		result{"load rate", fmt.Sprintf("%.0f rows/s", float64(cfg.rows)/load.Seconds())})

	agg, err := aggregate(ctx, conn, cfg)
	if err != nil {
		return err
	}
	results = append(results, result{fmt.Sprintf("SELECT count(*), avg(x): median of %d", cfg.aggRuns), fmtDur(agg)})

	p50, p99, mean, err := lookups(ctx, conn, cfg)
	if err != nil {
		return err
	}
	results = append(results,
		result{fmt.Sprintf("PK lookup (prepared), %d lookups: p50", cfg.lookups), fmtDur(p50)},
		result{"PK lookup p99", fmtDur(p99)},
		result{"PK lookup mean", fmtDur(mean)})

	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "measurement\tresult")
	fmt.Fprintln(w, "-----------\t------")
	for _, r := range results {
		fmt.Fprintf(w, "%s\t%s\n", r.name, r.value)
	}
	return w.Flush()
}

// loadRows inserts rows as multi-row INSERT statements written out as SQL
// text, each its own (synced) transaction, as a client script would.
func loadRows(ctx context.Context, conn *pgx.Conn, cfg config) (time.Duration, error) {
	var sb strings.Builder
	start := time.Now()
	for first := 0; first < cfg.rows; first += cfg.batch {
		sb.Reset()
		sb.WriteString("INSERT INTO ")
		sb.WriteString(cfg.table)
		sb.WriteString(" (id, x, s) VALUES ")
		last := min(first+cfg.batch, cfg.rows)
		for id := first; id < last; id++ {
			if id > first {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, "(%d,%d,'row-%08d-payload')", id, id%1000, id)
		}
		tag, err := conn.Exec(ctx, sb.String(), pgx.QueryExecModeSimpleProtocol)
		if err != nil {
			return 0, fmt.Errorf("insert rows %d-%d: %w", first, last-1, err)
		}
		if tag.RowsAffected() != int64(last-first) {
			return 0, fmt.Errorf("insert rows %d-%d: server reported %d rows", first, last-1, tag.RowsAffected())
		}
	}
	return time.Since(start), nil
}

// aggregate times the full-scan aggregate after one untimed warm-up run and
// checks its answer.
func aggregate(ctx context.Context, conn *pgx.Conn, cfg config) (time.Duration, error) {
	q := "SELECT count(*), avg(x)::float8 FROM " + cfg.table
	times := make([]time.Duration, 0, cfg.aggRuns)
	for i := 0; i <= cfg.aggRuns; i++ {
		start := time.Now()
		var n int64
		var avg float64
		if err := conn.QueryRow(ctx, q).Scan(&n, &avg); err != nil {
			return 0, fmt.Errorf("aggregate: %w", err)
		}
		elapsed := time.Since(start)
		if n != int64(cfg.rows) {
			return 0, fmt.Errorf("aggregate: count(*) = %d, want %d", n, cfg.rows)
		}
		if i > 0 {
			times = append(times, elapsed)
		}
	}
	slices.Sort(times)
	return times[len(times)/2], nil
}

// lookups times point queries by primary key through a prepared statement,
// with keys drawn from a fixed-seed generator so runs are comparable.
func lookups(ctx context.Context, conn *pgx.Conn, cfg config) (p50, p99, mean time.Duration, err error) {
	const stmt = "sqlbench_lookup"
	if _, err := conn.Prepare(ctx, stmt, "SELECT id, x, s FROM "+cfg.table+" WHERE id = $1"); err != nil {
		return 0, 0, 0, fmt.Errorf("prepare lookup: %w", err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	warmup := min(1000, cfg.lookups)
	times := make([]time.Duration, 0, cfg.lookups)
	var total time.Duration
	for i := 0; i < warmup+cfg.lookups; i++ {
		key := rng.Int64N(int64(cfg.rows))
		start := time.Now()
		var id int64
		var x int32
		var s string
		if err := conn.QueryRow(ctx, stmt, key).Scan(&id, &x, &s); err != nil {
			return 0, 0, 0, fmt.Errorf("lookup %d: %w", key, err)
		}
		elapsed := time.Since(start)
		if id != key || int64(x) != key%1000 {
			return 0, 0, 0, fmt.Errorf("lookup %d returned id %d x %d", key, id, x)
		}
		if i >= warmup {
			times = append(times, elapsed)
			total += elapsed
		}
	}
	slices.Sort(times)
	return times[len(times)/2], times[len(times)*99/100], total / time.Duration(len(times)), nil
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond))
	}
}
