package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
)

// loadTable (re)creates a table by the DDL create (after the vector
// extension and dropping table) and loads n rows by COPY in text form,
// streamed through a pipe as pgvector's own benchmarks load, so the same
// statements run on PostgreSQL. line writes row i's tab-separated columns
// (without the newline). It returns the COPY's duration.
func loadTable(ctx context.Context, conn *pgx.Conn, table, columns, create string, n int, line func(w *bufio.Writer, i int)) (time.Duration, error) {
	for _, sql := range []string{"CREATE EXTENSION IF NOT EXISTS vector", "DROP TABLE IF EXISTS " + table, create} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			return 0, fmt.Errorf("%s: %w", sql, err)
		}
	}
	start := time.Now()
	pr, pw := io.Pipe()
	go func() {
		w := bufio.NewWriterSize(pw, 1<<20)
		for i := range n {
			line(w, i)
			w.WriteByte('\n')
		}
		pw.CloseWithError(w.Flush())
	}()
	if _, err := conn.PgConn().CopyFrom(ctx, pr, fmt.Sprintf("COPY %s (%s) FROM STDIN", table, columns)); err != nil {
		pr.CloseWithError(err)
		return 0, fmt.Errorf("load %s by COPY: %w", table, err)
	}
	return time.Since(start), nil
}

// buildHNSW creates the benchmark's HNSW index <table>_hnsw on the
// embedding column and returns its wall time and the server's CPU time
// for it (zero without -server-pid).
func buildHNSW(ctx context.Context, conn *pgx.Conn, c config, table string) (wall, cpu time.Duration, err error) {
	cpu0 := processCPU(c.serverPID)
	start := time.Now()
	sql := fmt.Sprintf("CREATE INDEX %s_hnsw ON %s USING hnsw (embedding vector_l2_ops) WITH (m = %d, ef_construction = %d)", table, table, c.m, c.efC)
	if _, err := conn.Exec(ctx, sql); err != nil {
		return 0, 0, fmt.Errorf("build: %w", err)
	}
	return time.Since(start), processCPU(c.serverPID) - cpu0, nil
}
