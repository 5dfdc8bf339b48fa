package logictest

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/lib/pq"
	"github.com/pgvector/pgvector-go"
	pgxvec "github.com/pgvector/pgvector-go/pgx"
)

// vectorCases are values whose float32s must survive a round trip
// unchanged: the shortest text form and the binary form are both exact.
var vectorCases = [][]float32{
	{1, 2, 3},
	{-1.5, 0, 1e-38, 3.4e38},
	{0.1, 0.2, 0.30000001, 1.23456},
	{float32(math.Copysign(0, -1)), 7},
}

// TestVectorPgvectorGo checks that pgvector-go works unchanged: its
// RegisterTypes finds the type by name, and vectors round-trip through
// parameters and results in the binary format (extended protocol) and in
// the text format (simple protocol).
func TestVectorPgvectorGo(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn := pgvectorGoConn(ctx, t, "vector_pgvector_go", "vector", "CREATE TABLE items (id bigint PRIMARY KEY, embedding vector)")
	modes := pgxModes()
	id := 0
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			for _, want := range vectorCases {
				id++
				if _, err := conn.Exec(ctx, "INSERT INTO items VALUES ($1, $2)", m.mode, id, pgvector.NewVector(want)); err != nil {
					t.Fatalf("insert %v: %v", want, err)
				}
				var got pgvector.Vector
				if err := conn.QueryRow(ctx, "SELECT embedding FROM items WHERE id = $1", m.mode, id).Scan(&got); err != nil {
					t.Fatalf("select %v: %v", want, err)
				}
				if !sameBits(got.Slice(), want) {
					t.Errorf("round trip of %v gave %v", want, got.Slice())
				}
				// A parameter used in an expression, and a distance back.
				var dist float64
				if err := conn.QueryRow(ctx, "SELECT embedding <-> $1 FROM items WHERE id = $2", m.mode, pgvector.NewVector(want), id).Scan(&dist); err != nil {
					t.Fatalf("distance to itself: %v", err)
				}
				if dist != 0 {
					t.Errorf("distance of %v to itself = %v, want 0", want, dist)
				}
			}
		})
	}
	t.Run("wrong dimensions", func(t *testing.T) {
		if _, err := conn.Exec(ctx, "CREATE TABLE items3 (embedding vector(3))"); err != nil {
			t.Fatal(err)
		}
		_, err := conn.Exec(ctx, "INSERT INTO items3 VALUES ($1)", pgvector.NewVector([]float32{1, 2}))
		if err == nil || !strings.Contains(err.Error(), "expected 3 dimensions, not 2") {
			t.Errorf("inserting 2 dims into vector(3): err = %v, want expected 3 dimensions, not 2", err)
		}
	})
}

// openLibPq opens a lib/pq connection pool on a fresh database, closed
// when the test ends, with a context that bounds the test.
func openLibPq(t *testing.T, name string) (*sql.DB, context.Context) {
	t.Helper()
	srv := startLogicServer(t)
	db, err := sql.Open("postgres", freshDatabase(t, srv.adminDSN, name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return db, ctx
}

// TestVectorLibPq round-trips vectors through lib/pq, which sends and
// reads them in the text format via pgvector.Vector's Valuer and Scanner.
func TestVectorLibPq(t *testing.T) {
	db, ctx := openLibPq(t, "vector_libpq")
	if _, err := db.ExecContext(ctx, "CREATE TABLE items (id bigint PRIMARY KEY, embedding vector)"); err != nil {
		t.Fatal(err)
	}
	for i, want := range vectorCases {
		if _, err := db.ExecContext(ctx, "INSERT INTO items VALUES ($1, $2)", i, pgvector.NewVector(want)); err != nil {
			t.Fatalf("insert %v: %v", want, err)
		}
		var got pgvector.Vector
		if err := db.QueryRowContext(ctx, "SELECT embedding FROM items WHERE id = $1", i).Scan(&got); err != nil {
			t.Fatalf("select %v: %v", want, err)
		}
		if !sameBits(got.Slice(), want) {
			t.Errorf("round trip of %v gave %v", want, got.Slice())
		}
	}
	var nearest int
	if err := db.QueryRowContext(ctx, "SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 1", pgvector.NewVector(vectorCases[2])).Scan(&nearest); err == nil {
		t.Errorf("ordering mixed-dimension rows by distance succeeded (id %d), want different vector dimensions", nearest)
	}
}

func sameBits(a, b []float32) bool {
	return len(a) == len(b) && slices.EqualFunc(a, b, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
}

// TestVectorExactSearch checks ORDER BY distance LIMIT k (the bounded
// top-k path) against a brute-force reference over the same float32s.
func TestVectorExactSearch(t *testing.T) {
	const n, dims, groups = 3000, 16, 4
	srv := startLogicServer(t)
	dsn := freshDatabase(t, srv.adminDSN, "vector_exact_search")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if err := pgxvec.RegisterTypes(ctx, conn); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE TABLE pts (id int PRIMARY KEY, grp int, v vector(%d))", dims)); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 17))
	randVec := func() []float32 {
		v := make([]float32, dims)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return v
	}
	data := make([][]float32, n)
	grp := make([]int, n)
	for start := 0; start < n; start += 500 {
		var b strings.Builder
		b.WriteString("INSERT INTO pts VALUES ")
		for i := start; i < start+500; i++ {
			data[i], grp[i] = randVec(), rng.IntN(groups)
			if i > start {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "(%d, %d, '%s')", i, grp[i], pgvector.NewVector(data[i]).String())
		}
		if _, err := conn.Exec(ctx, b.String()); err != nil {
			t.Fatalf("loading: %v", err)
		}
	}
	metrics := []exactMetric{
		{"<->", func(a, b []float32) float64 {
			var s float64
			for i := range a {
				d := float64(a[i]) - float64(b[i])
				s += d * d
			}
			return math.Sqrt(s)
		}},
		{"<#>", func(a, b []float32) float64 {
			var s float64
			for i := range a {
				s += float64(a[i]) * float64(b[i])
			}
			return -s
		}},
		{"<=>", func(a, b []float32) float64 {
			var ab, aa, bb float64
			for i := range a {
				ab += float64(a[i]) * float64(b[i])
				aa += float64(a[i]) * float64(a[i])
				bb += float64(b[i]) * float64(b[i])
			}
			return 1 - ab/math.Sqrt(aa*bb)
		}},
		{"<+>", func(a, b []float32) float64 {
			var s float64
			for i := range a {
				s += math.Abs(float64(a[i]) - float64(b[i]))
			}
			return s
		}},
	}
	alive := make([]bool, n)
	for i := range alive {
		alive[i] = true
	}
	check := func(label string, db querier) {
		t.Helper()
		checkExactSearch(t, ctx, label, db, randVec(), data, alive, grp, metrics)
	}
	for q := 0; q < 3; q++ {
		check(fmt.Sprintf("q%d", q), conn)
	}
	// Inside a transaction the scan sees its own inserts, updates and
	// deletions, and after the rollback the committed rows again.
	origData, origGrp, origAlive := slices.Clone(data), slices.Clone(grp), slices.Clone(alive)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	for i := n; i < n+200; i++ {
		data, grp, alive = append(data, randVec()), append(grp, rng.IntN(groups)), append(alive, true)
		if _, err := tx.Exec(ctx, "INSERT INTO pts VALUES ($1, $2, $3)", i, grp[i], pgvector.NewVector(data[i])); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tx.Exec(ctx, "DELETE FROM pts WHERE id % 5 = 0"); err != nil {
		t.Fatal(err)
	}
	for i := range alive {
		alive[i] = alive[i] && i%5 != 0
	}
	for i := 1; i < n; i += 50 {
		if alive[i] {
			data[i] = randVec()
			if _, err := tx.Exec(ctx, "UPDATE pts SET v = $1 WHERE id = $2", pgvector.NewVector(data[i]), i); err != nil {
				t.Fatal(err)
			}
		}
	}
	check("own writes", tx)
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	data, grp, alive = origData, origGrp, origAlive
	check("after rollback", conn)
}

type exactMetric struct {
	op   string
	dist func(a, b []float32) float64
}

// querier is a pgx connection or transaction.
type querier interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}

// checkExactSearch runs every metric, k and filter of TestVectorExactSearch
// for one query vector and compares with brute force over the live rows.
func checkExactSearch(t *testing.T, ctx context.Context, label string, db querier, query []float32, data [][]float32, alive []bool, grp []int, metrics []exactMetric) {
	t.Helper()
	for _, m := range metrics {
		for _, k := range []int{1, 10, 100} {
			for _, where := range []int{-1, 2} {
				name := fmt.Sprintf("%s %s k=%d where=%d", label, m.op, k, where)
				sqlText := fmt.Sprintf("SELECT id, v %s $1 FROM pts ORDER BY v %s $1 LIMIT %d", m.op, m.op, k)
				if where >= 0 {
					sqlText = fmt.Sprintf("SELECT id, v %s $1 FROM pts WHERE grp = %d ORDER BY v %s $1 LIMIT %d", m.op, where, m.op, k)
				}
				rows, err := db.Query(ctx, sqlText, pgvector.NewVector(query))
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				var gotIDs []int
				var gotDist []float64
				for rows.Next() {
					var id int
					var d float64
					if err := rows.Scan(&id, &d); err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					gotIDs, gotDist = append(gotIDs, id), append(gotDist, d)
				}
				if err := rows.Err(); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				type cand struct {
					id int
					d  float64
				}
				var ref []cand
				for i := range data {
					if alive[i] && (where < 0 || grp[i] == where) {
						ref = append(ref, cand{i, m.dist(query, data[i])})
					}
				}
				slices.SortFunc(ref, func(a, b cand) int { return cmp.Or(cmp.Compare(a.d, b.d), cmp.Compare(a.id, b.id)) })
				ref = ref[:min(k, len(ref))]
				if len(gotIDs) != len(ref) {
					t.Errorf("%s: %d rows, want %d", name, len(gotIDs), len(ref))
					continue
				}
				for i := range ref {
					// Distances are float32 sums in the engine and float64 here, so
					// near-ties may swap: accept a different id only at a distance
					// equal to the reference's within float32 rounding.
					tol := 1e-5 * math.Max(1, math.Abs(ref[i].d))
					if math.Abs(gotDist[i]-ref[i].d) > tol {
						t.Errorf("%s: rank %d distance %v, want %v (id %d, want %d)", name, i, gotDist[i], ref[i].d, gotIDs[i], ref[i].id)
						break
					}
					if gotIDs[i] != ref[i].id && math.Abs(m.dist(query, data[gotIDs[i]])-ref[i].d) > tol {
						t.Errorf("%s: rank %d id %d, want %d", name, i, gotIDs[i], ref[i].id)
						break
					}
					if where >= 0 && grp[gotIDs[i]] != where {
						t.Errorf("%s: id %d is not in group %d", name, gotIDs[i], where)
					}
				}
			}
		}
	}
}

// halfvecCases are halfvec values and what the server keeps of them:
// each element rounded to the nearest half (ties to even).
var halfvecCases = []struct{ in, want []float32 }{
	{[]float32{1, 2, 3}, []float32{1, 2, 3}},
	{[]float32{0.1, -65504, 6e-8, 1e-8}, []float32{0.099975586, -65504, 5.9604645e-08, 0}},
	{[]float32{1.0004883, 2049, float32(math.Copysign(0, -1))}, []float32{1, 2048, float32(math.Copysign(0, -1))}},
}

// TestHalfvecPgvectorGo checks pgvector-go's HalfVector against halfvec:
// RegisterTypes finds halfvec and _halfvec by name, and values round-trip
// through parameters and results in the binary and the text format, with
// exact search over the column.
func TestHalfvecPgvectorGo(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn := pgvectorGoConn(ctx, t, "halfvec_pgvector_go", "halfvec", "CREATE TABLE items (id bigint PRIMARY KEY, embedding halfvec)")
	id := 0
	for _, m := range pgxModes() {
		t.Run(m.name, func(t *testing.T) {
			for k, c := range halfvecCases {
				id++
				if _, err := conn.Exec(ctx, "INSERT INTO items VALUES ($1, $2)", m.mode, id, pgvector.NewHalfVector(c.in)); err != nil {
					t.Fatalf("insert %v: %v", c.in, err)
				}
				var got pgvector.HalfVector
				if err := conn.QueryRow(ctx, "SELECT embedding FROM items WHERE id = $1", m.mode, id).Scan(&got); err != nil {
					t.Fatalf("select %v: %v", c.in, err)
				}
				if !sameBits(got.Slice(), c.want) {
					t.Errorf("round trip of %v gave %v, want %v", c.in, got.Slice(), c.want)
				}
				var dist float64
				var nearest int
				if err := conn.QueryRow(ctx, "SELECT embedding <-> $1, id FROM items WHERE vector_dims(embedding) = $2 ORDER BY embedding <-> $1, id LIMIT 1",
					m.mode, pgvector.NewHalfVector(c.want), len(c.want)).Scan(&dist, &nearest); err != nil {
					t.Fatalf("nearest to %v: %v", c.want, err)
				}
				// The binary mode's row of the same case comes first.
				if dist != 0 || nearest != k+1 {
					t.Errorf("nearest to %v: id %d at %v, want id %d at 0", c.want, nearest, dist, k+1)
				}
			}
		})
	}
	t.Run("array", func(t *testing.T) {
		var got []pgvector.HalfVector
		if err := conn.QueryRow(ctx, "SELECT array_agg(embedding ORDER BY id) FROM items WHERE id <= 2").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || !sameBits(got[0].Slice(), halfvecCases[0].want) || !sameBits(got[1].Slice(), halfvecCases[1].want) {
			t.Errorf("halfvec[] gave %v", got)
		}
	})
	t.Run("wrong dimensions", func(t *testing.T) {
		if _, err := conn.Exec(ctx, "CREATE TABLE items3 (embedding halfvec(3))"); err != nil {
			t.Fatal(err)
		}
		_, err := conn.Exec(ctx, "INSERT INTO items3 VALUES ($1)", pgvector.NewHalfVector([]float32{1, 2}))
		if err == nil || !strings.Contains(err.Error(), "expected 3 dimensions, not 2") {
			t.Errorf("inserting 2 dims into halfvec(3): err = %v, want expected 3 dimensions, not 2", err)
		}
	})
}

// TestHalfvecLibPq round-trips halfvecs through lib/pq's text format.
func TestHalfvecLibPq(t *testing.T) {
	db, ctx := openLibPq(t, "halfvec_libpq")
	if _, err := db.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS vector"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE items (id bigint PRIMARY KEY, embedding halfvec)"); err != nil {
		t.Fatal(err)
	}
	for i, c := range halfvecCases {
		if _, err := db.ExecContext(ctx, "INSERT INTO items VALUES ($1, $2)", i, pgvector.NewHalfVector(c.in)); err != nil {
			t.Fatalf("insert %v: %v", c.in, err)
		}
		var got pgvector.HalfVector
		if err := db.QueryRowContext(ctx, "SELECT embedding FROM items WHERE id = $1", i).Scan(&got); err != nil {
			t.Fatalf("select %v: %v", c.in, err)
		}
		if !sameBits(got.Slice(), c.want) {
			t.Errorf("round trip of %v gave %v, want %v", c.in, got.Slice(), c.want)
		}
	}
}

// TestSparsevecPgvectorGo checks pgvector-go's SparseVector against
// sparsevec: RegisterTypes finds sparsevec by name, and values round-trip
// through parameters and results in the binary and the text format, with
// exact search over the column.
func TestSparsevecPgvectorGo(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn := pgvectorGoConn(ctx, t, "sparsevec_pgvector_go", "sparsevec", "CREATE TABLE items (id bigint PRIMARY KEY, embedding sparsevec(1000000))")
	cases := []pgvector.SparseVector{
		pgvector.NewSparseVectorFromMap(map[int32]float32{0: 1.5, 999999: -2}, 1000000),
		pgvector.NewSparseVectorFromMap(map[int32]float32{7: float32(math.Pi), 8: 1e-40}, 1000000),
		pgvector.NewSparseVectorFromMap(map[int32]float32{}, 1000000),
	}
	id := 0
	for _, m := range pgxModes() {
		t.Run(m.name, func(t *testing.T) {
			for k, c := range cases {
				if m.name == "text" && len(c.Indices()) == 0 {
					// pgvector-go's text parser fails on "{}/n" (with
					// PostgreSQL too): its binary form is tested above.
					continue
				}
				id++
				if _, err := conn.Exec(ctx, "INSERT INTO items VALUES ($1, $2)", m.mode, id, c); err != nil {
					t.Fatalf("insert %v: %v", c, err)
				}
				var got pgvector.SparseVector
				if err := conn.QueryRow(ctx, "SELECT embedding FROM items WHERE id = $1", m.mode, id).Scan(&got); err != nil {
					t.Fatalf("select %v: %v", c, err)
				}
				if got.String() != c.String() || !sameBits(got.Values(), c.Values()) {
					t.Errorf("round trip of %v gave %v", c, got)
				}
				var dist float64
				var nearest int
				if err := conn.QueryRow(ctx, "SELECT embedding <-> $1, id FROM items ORDER BY embedding <-> $1, id LIMIT 1",
					m.mode, c).Scan(&dist, &nearest); err != nil {
					t.Fatalf("nearest to %v: %v", c, err)
				}
				// The binary mode's row of the same case comes first.
				if dist != 0 || nearest != k+1 {
					t.Errorf("nearest to %v: id %d at %v, want id %d at 0", c, nearest, dist, k+1)
				}
			}
		})
	}
	t.Run("wrong dimensions", func(t *testing.T) {
		_, err := conn.Exec(ctx, "INSERT INTO items VALUES (100, $1)", pgvector.NewSparseVector([]float32{1, 2}))
		if err == nil || !strings.Contains(err.Error(), "expected 1000000 dimensions, not 2") {
			t.Errorf("inserting 2 dims into sparsevec(1000000): err = %v", err)
		}
	})
}

// freshPgx connects pgx to a fresh database db on the test server, closed
// when the test ends.
func freshPgx(ctx context.Context, t *testing.T, db string) *pgx.Conn {
	t.Helper()
	srv := startLogicServer(t)
	conn, err := pgx.Connect(ctx, freshDatabase(t, srv.adminDSN, db))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// pgvectorGoConn connects to a fresh database on a new server, with
// extension vector created, pgvector-go's types registered by name (typ
// among them) and the test's table made by ddl.
func pgvectorGoConn(ctx context.Context, t *testing.T, db, typ, ddl string) *pgx.Conn {
	t.Helper()
	conn := freshPgx(ctx, t, db)
	if _, err := conn.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS vector"); err != nil {
		t.Fatal(err)
	}
	if err := pgxvec.RegisterTypes(ctx, conn); err != nil {
		t.Fatalf("pgxvec.RegisterTypes: %v", err)
	}
	if _, ok := conn.TypeMap().TypeForName(typ); !ok {
		t.Fatalf("RegisterTypes did not register %s", typ)
	}
	if _, err := conn.Exec(ctx, ddl); err != nil {
		t.Fatal(err)
	}
	return conn
}

// pgxMode is a way pgx sends parameters and reads results: binary with
// the extended protocol, text with the simple one.
type pgxMode struct {
	name string
	mode pgx.QueryExecMode
}

func pgxModes() []pgxMode {
	return []pgxMode{{"binary", pgx.QueryExecModeCacheStatement}, {"text", pgx.QueryExecModeSimpleProtocol}}
}
