package logictest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// pgDumpSchema is the source database of TestPgDumpRoundTrip: every kind of
// object pg_dump has to read back from Quiver's catalog, and data whose
// text form COPY must escape.
var pgDumpSchema = []string{
	`CREATE EXTENSION IF NOT EXISTS vector`,
	`CREATE TABLE authors (
		id serial PRIMARY KEY,
		name text NOT NULL UNIQUE,
		email text,
		created timestamptz DEFAULT now(),
		CONSTRAINT email_has_at CHECK (email LIKE '%@%'))`,
	`COMMENT ON TABLE authors IS 'people who write'`,
	`COMMENT ON COLUMN authors.name IS 'full name, as printed'`,
	`CREATE TABLE posts (
		id bigserial PRIMARY KEY,
		author_id integer NOT NULL REFERENCES authors(id) ON DELETE CASCADE,
		title text NOT NULL DEFAULT 'untitled',
		body text,
		meta jsonb,
		price numeric(10,2) CHECK (price >= 0),
		tags text[],
		uid uuid,
		blob bytea,
		embedding vector(3))`,
	`CREATE TABLE events (
		id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		kind text NOT NULL,
		at timestamptz NOT NULL)`,
	`CREATE TABLE items (a integer, b text, qty integer DEFAULT 1, UNIQUE (a, b))`,
	`CREATE INDEX posts_title_idx ON posts (title)`,
	`CREATE INDEX posts_author_title_idx ON posts (author_id, title)`,
	`CREATE INDEX posts_embedding_idx ON posts USING hnsw (embedding vector_l2_ops) WITH (m = 8, ef_construction = 32)`,
	`CREATE UNIQUE INDEX authors_lower_email ON authors (lower(email))`,
	`CREATE INDEX ON posts ((meta->>'a'), id)`,
	`CREATE SEQUENCE counter START 100 INCREMENT 5`,
	`INSERT INTO authors (name, email) VALUES ('Ann O''Neil', 'ann@x.org'), (E'Tab\tNew\nLine\\back', NULL), ('Zoë 日本 😀', 'z@y.jp')`,
	`INSERT INTO posts (author_id, title, body, meta, price, tags, uid, blob, embedding) VALUES
		(1, 'first', 'hello "world"', '{"a": 1, "b": [1, 2]}', 12.50, ARRAY['x', 'y z', 'q"r', NULL], 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\xdeadbeef', '[1,2,3]'),
		(2, 'second', NULL, NULL, NULL, NULL, NULL, NULL, NULL),
		(3, E'back\\slash', E'multi\nline\r\ttext\\.', '"str"', 0, '{}', NULL, '\x', '[0.5,-1,2e-3]')`,
	`INSERT INTO events (kind, at) VALUES ('start', '2024-01-02 03:04:05+00'), ('stop', '2024-06-07 08:09:10.123456+02')`,
	`INSERT INTO items VALUES (1, 'a', 2), (NULL, NULL, NULL), (2, '', 3)`,
	`SELECT nextval('counter')`,
	// Views, one over another and one whose column list renames: the
	// dump must qualify what they read (it restores with an empty
	// search_path) and keep their column names.
	`CREATE VIEW priced (post, cost) AS SELECT id, price FROM posts WHERE price IS NOT NULL`,
	`CREATE VIEW author_posts AS SELECT a.name, count(p.post) AS n FROM authors a LEFT JOIN posts q ON q.author_id = a.id LEFT JOIN priced p ON p.post = q.id GROUP BY a.name`,
	`COMMENT ON VIEW priced IS 'posts with a price'`,
	// Enum types: pg_dump rebuilds them from pg_enum in sort order (a
	// label added BEFORE another sits between them), and a default's
	// cast must name the type with its schema.
	`CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN')`,
	`CREATE TYPE mood AS ENUM ('sad', 'ok')`,
	`ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok'`,
	`CREATE TABLE members (id serial PRIMARY KEY, role "Role" NOT NULL DEFAULT 'USER', moods mood[], m mood UNIQUE)`,
	`INSERT INTO members (role, moods, m) VALUES ('ADMIN', '{meh,sad}', 'ok'), (DEFAULT, NULL, 'meh'), (DEFAULT, '{}', NULL)`,
	// Materialized views: pg_dump creates them WITH NO DATA and refreshes
	// the populated ones at the end, after their indexes; one left
	// unpopulated must stay so.
	`CREATE MATERIALIZED VIEW post_counts (author, n) AS SELECT author_id, count(*) FROM posts GROUP BY author_id`,
	`CREATE UNIQUE INDEX post_counts_author ON post_counts (author)`,
	`CREATE MATERIALIZED VIEW later AS SELECT name FROM authors WITH NO DATA`,
	`CREATE MATERIALIZED VIEW post_total AS SELECT sum(n) AS total FROM post_counts`,
}

// pgDumpChecks are the queries whose results must survive dump and
// restore unchanged: every table's rows and every sequence's state.
var pgDumpChecks = []string{
	`SELECT * FROM authors ORDER BY id`,
	`SELECT * FROM posts ORDER BY id`,
	`SELECT * FROM events ORDER BY id`,
	`SELECT * FROM items ORDER BY a NULLS FIRST, b`,
	`SELECT last_value, is_called FROM counter`,
	`SELECT last_value, is_called FROM authors_id_seq`,
	`SELECT last_value, is_called FROM posts_id_seq`,
	`SELECT last_value, is_called FROM events_id_seq`,
	`SELECT obj_description('authors'::regclass, 'pg_class'), col_description('authors'::regclass, 2)`,
	`SELECT * FROM priced ORDER BY post`,
	`SELECT * FROM author_posts ORDER BY name`,
	`SELECT obj_description('priced'::regclass, 'pg_class')`,
	`SELECT * FROM members ORDER BY m NULLS FIRST`,
	`SELECT * FROM post_counts ORDER BY author`,
	`SELECT * FROM post_total`,
	`SELECT matviewname, hasindexes, ispopulated FROM pg_matviews ORDER BY 1`,
	`SELECT enum_range(NULL::mood), enum_range(NULL::"Role")`,
	`SELECT last_value, is_called FROM members_id_seq`,
	`SELECT indexrelid::regclass, pg_get_indexdef(indexrelid) FROM pg_index WHERE indkey[0] = 0 AND indrelid IN ('authors'::regclass, 'posts'::regclass) ORDER BY 2`,
}

// TestPgDumpRoundTrip dumps a database with PostgreSQL 15's real pg_dump,
// in plain and custom formats, restores each into a fresh server (psql -f
// and pg_restore), and checks that the restored database holds the same
// rows, that its own dump is the same text, and that what the restore
// rebuilt (serial and identity defaults, the HNSW index) works.
func TestPgDumpRoundTrip(t *testing.T) {
	bins := map[string]string{}
	for _, name := range []string{"pg_dump", "pg_restore", "psql"} {
		p, err := exec.LookPath(name)
		if err != nil {
			t.Skipf("%s not found in PATH: install postgresql-client to run the pg_dump round trip", name)
		}
		bins[name] = p
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	src := freshDatabase(t, startLogicServer(t).adminDSN, "dump_src")
	sc := connect(t, src)
	for _, q := range pgDumpSchema {
		if _, err := sc.Exec(ctx, q).ReadAll(); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	want := queryTexts(ctx, t, sc, pgDumpChecks)
	plain := runPgTool(ctx, t, bins["pg_dump"], src, nil)
	for _, line := range []string{"CREATE MATERIALIZED VIEW public.post_counts AS", "  WITH NO DATA;", "REFRESH MATERIALIZED VIEW public.post_counts;"} {
		if !bytes.Contains(plain, []byte(line)) {
			t.Errorf("the dump lacks %q", line)
		}
	}
	// A materialized view over another is refreshed after it.
	if a, b := bytes.Index(plain, []byte("REFRESH MATERIALIZED VIEW public.post_counts;")), bytes.Index(plain, []byte("REFRESH MATERIALIZED VIEW public.post_total;")); b < a {
		t.Errorf("the dump refreshes post_total (at %d) before post_counts (at %d)", b, a)
	}
	if bytes.Contains(plain, []byte("REFRESH MATERIALIZED VIEW public.later")) {
		t.Errorf("the dump refreshes the unpopulated materialized view later")
	}

	t.Run("plain", func(t *testing.T) {
		dst := freshDatabase(t, startLogicServer(t).adminDSN, "dump_plain")
		script := filepath.Join(t.TempDir(), "dump.sql")
		if err := os.WriteFile(script, plain, 0o644); err != nil {
			t.Fatal(err)
		}
		out := runPgTool(ctx, t, bins["psql"], dst, []string{"-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", script})
		if bytes.Contains(out, []byte("ERROR")) {
			t.Fatalf("restoring the dump reported errors:\n%s", out)
		}
		checkRestored(ctx, t, bins["pg_dump"], dst, plain, want)
	})
	t.Run("custom", func(t *testing.T) {
		archive := filepath.Join(t.TempDir(), "dump.custom")
		runPgTool(ctx, t, bins["pg_dump"], src, []string{"-Fc", "-f", archive})
		dst := freshDatabase(t, startLogicServer(t).adminDSN, "dump_custom")
		runPgTool(ctx, t, bins["pg_restore"], dst, []string{"--exit-on-error", archive})
		checkRestored(ctx, t, bins["pg_dump"], dst, plain, want)
	})
}

// checkRestored compares a restored database with the source's rows and
// plain dump, then uses what the restore recreated.
func checkRestored(ctx context.Context, t *testing.T, pgDump, dsn string, srcDump []byte, want []string) {
	t.Helper()
	c := connect(t, dsn)
	got := queryTexts(ctx, t, c, pgDumpChecks)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%s after restore:\n got  %s\n want %s", pgDumpChecks[i], got[i], want[i])
		}
	}
	again := runPgTool(ctx, t, pgDump, dsn, nil)
	if a, b := comparableDump(srcDump), comparableDump(again); a != b {
		t.Errorf("the restored database dumps differently:\n%s", lineDiff(a, b))
	}
	after := queryTexts(ctx, t, c, []string{
		`INSERT INTO authors (name) VALUES ('new') RETURNING id`,
		`INSERT INTO posts (author_id) VALUES (4) RETURNING id, title`,
		`INSERT INTO events (kind, at) VALUES ('again', '2025-01-01') RETURNING id`,
		`SELECT id FROM posts ORDER BY embedding <-> '[1,2,2.5]' LIMIT 2`,
		`EXPLAIN SELECT id FROM posts ORDER BY embedding <-> '[1,2,2.5]' LIMIT 2`,
	})
	for i, w := range []string{"4", "4|untitled", "3", "1\n3"} {
		if after[i] != w {
			t.Errorf("after restore, query %d gave %q, want %q", i, after[i], w)
		}
	}
	if !strings.Contains(after[4], "posts_embedding_idx") {
		t.Errorf("the restored HNSW index is not used:\n%s", after[4])
	}
}

// runPgTool runs a PostgreSQL client program against dsn's database and
// returns its standard output; a non-zero exit fails the test.
func runPgTool(ctx context.Context, t *testing.T, bin, dsn string, args []string) []byte {
	t.Helper()
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	all := append([]string{"-h", cfg.Host, "-p", strconv.Itoa(int(cfg.Port)), "-U", cfg.User, "-d", cfg.Database}, args...)
	cmd := exec.CommandContext(ctx, bin, all...)
	cmd.Env = psqlEnv()
	if cfg.Password != "" {
		cmd.Env = append(cmd.Env, "PGPASSWORD="+cfg.Password)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

// queryTexts runs each query and returns its rows in text form, one line
// per row with columns joined by '|' (NULL spelled out).
func queryTexts(ctx context.Context, t *testing.T, c *pgconn.PgConn, queries []string) []string {
	t.Helper()
	out := make([]string, len(queries))
	for i, q := range queries {
		res, err := c.Exec(ctx, q).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var lines []string
		for _, r := range res {
			for _, row := range r.Rows {
				vals := make([]string, len(row))
				for j, v := range row {
					if v == nil {
						vals[j] = "NULL"
					} else {
						vals[j] = string(v)
					}
				}
				lines = append(lines, strings.Join(vals, "|"))
			}
		}
		out[i] = strings.Join(lines, "\n")
	}
	return out
}

// dumpVolatile matches the lines of a plain dump that differ between two
// dumps of equal databases: psql's per-dump \restrict key and the start
// and end times.
var dumpVolatile = regexp.MustCompile(`(?m)^(\\restrict|\\unrestrict|-- Started on|-- Completed on) .*\n`)

func comparableDump(d []byte) string { return dumpVolatile.ReplaceAllString(string(d), "") }
