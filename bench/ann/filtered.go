package main

// Filtered mode (-filtered): the same vectors in a table ann_filtered with
// an integer column cat of filterCats values, assigned by a hash of the id
// so that every value selects about 1/filterCats of the rows independently
// of the mixture's clusters, and queries
//
//	SELECT id FROM ann_filtered WHERE cat = $2 ORDER BY embedding <-> $1 LIMIT k
//
// with query i asking for cat i % filterCats. Ground truth is the exact
// top-k among the rows of that cat; besides recall, QPS and latency it
// reports the fraction of queries that got k rows (pgvector without
// iterative scan returns fewer). With -cat-index (the default) the load
// also creates a b-tree index on cat, as an application would; the
// statements are plain pgvector SQL, so PostgreSQL runs them unchanged
// (its iterative scan is set through the DSN, e.g.
// options=-c%20hnsw.iterative_scan%3Drelaxed_order).

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// filterCats is the number of distinct cat values: 1% selectivity each.
const filterCats = 100

// rowCat is row id's cat: splitmix64 of the id, so neighbouring ids and
// clusters spread evenly over the values.
func rowCat(id int) int {
	z := uint64(id) + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return int(z % filterCats)
}

// queryCat is the cat query qi filters on.
func queryCat(qi int) int { return qi % filterCats }

func filteredSQL(k int) string {
	return fmt.Sprintf("SELECT id FROM ann_filtered WHERE cat = $2::int ORDER BY embedding <-> $1::vector LIMIT %d", k)
}

// filteredTruth is the exact top-k of each query among the rows of its
// cat: groundTruth over each cat's rows, mapped back to row ids.
func filteredTruth(base, queries [][]float32, k int) [][]int {
	var rows, qs [filterCats][]int
	for id := range base {
		rows[rowCat(id)] = append(rows[rowCat(id)], id)
	}
	for qi := range queries {
		qs[queryCat(qi)] = append(qs[queryCat(qi)], qi)
	}
	out := make([][]int, len(queries))
	for cat := range filterCats {
		if len(qs[cat]) == 0 || len(rows[cat]) == 0 {
			continue
		}
		sub := make([][]float32, len(rows[cat]))
		for i, id := range rows[cat] {
			sub[i] = base[id]
		}
		subQ := make([][]float32, len(qs[cat]))
		for i, qi := range qs[cat] {
			subQ[i] = queries[qi]
		}
		for i, t := range groundTruth(sub, subQ, min(k, len(sub))) {
			ids := make([]int, len(t))
			for j, x := range t {
				ids[j] = rows[cat][x]
			}
			out[qs[cat][i]] = ids
		}
	}
	return out
}

type filteredReport struct {
	report
	Filtered    bool     `json:"filtered"`
	Selectivity float64  `json:"selectivity"`
	CatIndex    bool     `json:"cat_index"`
	SQL         string   `json:"sql"`
	Plan        []string `json:"plan"`
}

func runFiltered(ctx context.Context, c config, base, queries [][]float32) error {
	truth := filteredTruth(base, queries, c.k)
	conn, err := pgx.Connect(ctx, c.dsn)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)
	rep := filteredReport{report: report{N: c.n, Dims: c.dims, K: c.k, M: c.m, EfConstruction: c.efC},
		Filtered: true, Selectivity: 1.0 / filterCats, CatIndex: c.catIndex, SQL: filteredSQL(c.k)}
	if !c.skipLoad {
		d, err := loadTable(ctx, conn, "ann_filtered", "id, cat, embedding",
			fmt.Sprintf("CREATE TABLE ann_filtered (id int PRIMARY KEY, cat int NOT NULL, embedding vector(%d))", c.dims), len(base),
			func(w *bufio.Writer, i int) { fmt.Fprintf(w, "%d\t%d\t%s", i, rowCat(i), vecText(base[i])) })
		if err != nil {
			return err
		}
		rep.LoadSeconds = d.Seconds()
		wall, _, err := buildHNSW(ctx, conn, c, "ann_filtered")
		if err != nil {
			return err
		}
		rep.BuildSeconds = wall.Seconds()
		fmt.Printf("load %.1f s, index build %.1f s (%d x %d)\n", rep.LoadSeconds, rep.BuildSeconds, c.n, c.dims)
	}
	// The b-tree index follows -cat-index even with -skip-load, so one
	// load serves both configurations.
	idx := "DROP INDEX IF EXISTS ann_filtered_cat"
	if c.catIndex {
		idx = "CREATE INDEX IF NOT EXISTS ann_filtered_cat ON ann_filtered (cat)"
	}
	for _, sql := range []string{idx, "ANALYZE ann_filtered"} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			return fmt.Errorf("%s: %w", sql, err)
		}
	}
	var plan []string
	rows, err := conn.Query(ctx, "EXPLAIN (COSTS OFF) "+filteredSQL(c.k), vecText(queries[0]), queryCat(0))
	if err != nil {
		return fmt.Errorf("explain: %w", err)
	}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("explain: %w", err)
		}
		plan = append(plan, line)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("explain: %w", err)
	}
	rep.Plan = plan
	fmt.Printf("filtered, selectivity %.0f%%, b-tree index on cat: %v; plan (default ef_search):\n  %s\n",
		100.0/filterCats, c.catIndex, strings.Join(plan, "\n  "))
	if rep.Results, err = measureAll(ctx, c, queries, truth, true); err != nil {
		return err
	}
	title := fmt.Sprintf("%s %d x %d, WHERE cat = $2 (1%%), m %d, ef_construction %d, recall@%d", c.data, c.n, c.dims, c.m, c.efC, c.k)
	return writeOutputs(c, title, rep, rep.Results)
}
