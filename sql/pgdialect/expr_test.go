package pgdialect

import (
	"testing"
)

// TestParseAST checks the meaning of parsed statements through a compact
// printed form: operators show exactly which operands they got.
func TestParseAST(t *testing.T) {
	cases := []struct{ sql, want string }{
		// PostgreSQL precedence (README "Operator precedence")
		{"SELECT a <-> b + c < d", "{select (< (<-> a (+ b c)) d)}"},
		{"SELECT a || b <-> c", "{select (<-> (|| a b) c)}"},
		{"SELECT a || b + c", "{select (|| a (+ b c))}"},
		{"SELECT 1 - (embedding <=> $1)", "{select (- 1 (<=> embedding $1))}"},
		{"SELECT -2 ^ 2", "{select (^ -2 2)}"},
		{"SELECT - a ^ 2", "{select (^ (- a) 2)}"},
		{"SELECT NOT a <-> b", "{select (not (<-> a b))}"},
		{"SELECT a = b LIKE c", "{select (= a (like b c))}"},
		{"SELECT a = b IN (1)", "{select (= a (in b [1]))}"},
		{"SELECT x = ANY($1) <-> y", "{select (<-> (= any x $1) y)}"},
		{"SELECT a + b = ANY(c)", "{select (= any (+ a b) c)}"},
		{"SELECT a BETWEEN b AND c <-> d", "{select (between a b (<-> c d))}"},
		{"SELECT a BETWEEN 1 AND 2 AND c", "{select (and (between a 1 2) c)}"},
		{"SELECT a IS NULL AND b", "{select (and (is null a) b)}"},
		{"SELECT NOT a = b", "{select (not (= a b))}"},
		{"SELECT a OR b AND c", "{select (or a (and b c))}"},
		{"SELECT a + b * c, (a + b) * c, a - b - c", "{select (+ a (* b c)) (* (+ a b) c) (- (- a b) c)}"},
		{"SELECT 2 ^ 3 ^ 2", "{select (^ (^ 2 3) 2)}"},
		{"SELECT ~ a + b", "{select (~ (+ a b))}"},
		{"SELECT |/ 25, @ -5, 5 & 3, 5 | 3, 1 << 2, 1 # 2", "{select (|/ 25) (@ -5) (& 5 3) (| 5 3) (<< 1 2) (# 1 2)}"},
		{"SELECT a::int + b", "{select (+ (cast a int4) b)}"},
		{"SELECT -a::int", "{select (- (cast a int4))}"},
		{"SELECT a.b[1]::text", "{select (cast (sub a.b 1) text)}"},
		{"SELECT x AT TIME ZONE 'UTC' + y", "{select (+ timezone(\"UTC\" x) y)}"},
		// traps: each has PostgreSQL's meaning, never MySQL's
		{"SELECT id FROM t WHERE id = $1", "{select id from t where (= id $1)}"},
		{"SELECT a <=> b", "{select (<=> a b)}"},
		{"SELECT a <#> b, c", "{select (<#> a b) c}"},
		{"SELECT a #> '{x}', a #>> '{x}', a #- '{x}'", "{select (#> a \"{x}\") (#>> a \"{x}\") (#- a \"{x}\")}"},
		{"SELECT 1 --comment\n+ 2", "{select (+ 1 2)}"},
		{"SELECT 1 /* a /* nested */ b */ + 2", "{select (+ 1 2)}"},
		{"SELECT E'a\\nb', 'c\\d'", "{select \"a\\nb\" \"c\\\\d\"}"},
		{"SELECT a -> 'k', a ->> 'k'", "{select (-> a \"k\") (->> a \"k\")}"},
		{"SELECT a && b, a ^ b, a ? 'k', a ?| b, a ?& b", "{select (&& a b) (^ a b) (? a \"k\") (?| a b) (?& a b)}"},
		{"SELECT \"MixedCase\", MixedCase, \"a\"\"b\" FROM \"T\"", "{select MixedCase mixedcase a\"b from T}"},
		{"SELECT key, keys, schema FROM t AS \"table\"", "{select key keys schema from t as table}"},
		// literals and casts
		{"SELECT 'it''s', $$x'y$$, $t$a$$b$t$, U&'d\\0061t\\+000061'", "{select \"it's\" \"x'y\" \"a$$b\" \"data\"}"},
		{"SELECT 1.5e3, .5, 42, X'ff', B'101', B'12'", "{select 1.5e3 .5 42 xff b101 b12}"},
		// BIT alone is bit(1) in a cast, unconstrained as a literal's type
		// (as is CHARACTER); a quoted or qualified "bit" has no default.
		{"SELECT x::bit, x::bit(3), x::bit varying, x::\"bit\", x::pg_catalog.bit, x::varbit(2)", "{select (cast x bit(1)) (cast x bit(3)) (cast x varbit) (cast x bit) (cast x pg_catalog.bit) (cast x varbit(2))}"},
		{"SELECT bit '01', bit(3) '01', bit varying '01', char 'ab', character(2) 'abc'", "{select (cast \"01\" bit) (cast \"01\" bit(3)) (cast \"01\" varbit) (cast \"ab\" bpchar) (cast \"abc\" bpchar(2))}"},
		{"SELECT overlay(a placing b from 2 for 3), overlay(a placing b from 2), overlay(a, b, 2)", "{select overlay(a b 2 3) overlay(a b 2) overlay(a b 2)}"},
		{"SELECT x::int, $2::text[], '[1,2,3]'::vector(3), '1'::pg_catalog.regclass", "{select (cast x int4) (cast $2 text[]) (cast \"[1,2,3]\" vector(3)) (cast \"1\" pg_catalog.regclass)}"},
		{"SELECT CAST(x AS double precision), y::numeric(10,2), z::varchar(5), w::timestamp with time zone, v::character varying", "{select (cast x float8) (cast y numeric(10,2)) (cast z varchar(5)) (cast w timestamptz) (cast v varchar)}"},
		{"SELECT interval '1 day', interval '2' hour, timestamptz '2020-01-01', date '2020-01-02', double precision '1.5'", "{select (cast \"1 day\" interval) (cast \"2 hour\" interval) (cast \"2020-01-01\" timestamptz) (cast \"2020-01-02\" date) (cast \"1.5\" float8)}"},
		{"SELECT x::float, x::float(10), x::real, x::bigint, x::smallint, x::boolean, x::serial", "{select (cast x float8) (cast x float4) (cast x float4) (cast x int8) (cast x int2) (cast x bool) (cast x serial)}"},
		{"SELECT TRUE, false, NULL", "{select true false NULL}"},
		// other expression forms
		{"SELECT a.b[1], c[1:2], (d).e, f[2][3]", "{select (sub a.b 1) (sub c 1:2) (field (paren d) e) (sub (sub f 2) 3)}"},
		{"SELECT ARRAY[1,2], ARRAY[[1],[2]], ARRAY(SELECT 1)", "{select array[1 2] array[array[1] array[2]] (array {select 1})}"},
		{"SELECT c.relname OPERATOR(pg_catalog.~) '^(x)$' COLLATE pg_catalog.default", "{select (OPERATOR(pg_catalog.~) c.relname (collate \"^(x)$\" pg_catalog.default))}"},
		{"SELECT a ~ b, a !~* c, a @> b, a <@ b", "{select (~ a b) (!~* a c) (@> a b) (<@ a b)}"},
		{"SELECT a IS DISTINCT FROM b, a IS NOT DISTINCT FROM b", "{select (is distinct from a b) (is not distinct from a b)}"},
		{"SELECT a ILIKE 'x%', b NOT LIKE 'y' ESCAPE '!', c NOT BETWEEN 1 AND 2, d NOT ILIKE 'z', e SIMILAR TO 'f'", "{select (ilike a \"x%\") (not like b \"y\" escape \"!\") (not between c 1 2) (not ilike d \"z\") (similar to e \"f\")}"},
		{"SELECT CASE WHEN a THEN 1 ELSE 2 END, CASE a WHEN 1 THEN 'x' END", "{select (case (when a 1) (else 2)) (case a (when 1 \"x\"))}"},
		{"SELECT coalesce(a, b), a IS NULL, b IS NOT NULL, c ISNULL, d NOTNULL, e IS TRUE", "{select coalesce(a b) (is null a) (is not null b) (is null c) (is not null d) (is true e)}"},
		{"SELECT count(*), count(DISTINCT x), sum(x) FILTER (WHERE x > 0)", "{select count(*) count(distinct x) sum(x) filter (> x 0)}"},
		{"SELECT string_agg(a, ',' ORDER BY a DESC), rank() OVER (PARTITION BY a ORDER BY b)", "{select string_agg(a \",\" order by a desc) rank() over(a order by b)}"},
		{"SELECT extract(epoch FROM ts), position('a' IN s), substring(s FROM 2 FOR 3), trim(both ' ' from s), current_timestamp, now()", "{select extract(\"epoch\" ts) position(s \"a\") substring(s 2 3) btrim(s \" \") current_timestamp() now()}"},
		{"SELECT pg_catalog.format_type(a, b)", "{select pg_catalog.format_type(a b)}"},
		{"SELECT (a, b) = (1, 2), ROW(1, 2)", "{select (= row(a b) row(1 2)) row(1 2)}"},
		{"SELECT a FROM t WHERE b = ANY(ARRAY[1,2]) AND c <> ALL (SELECT d FROM u)", "{select a from t where (and (= any b array[1 2]) (<> all c {select d from u}))}"},
		{"SELECT ((SELECT 1) + 1), ((SELECT 2))", "{select (+ (subquery {select 1}) 1) (subquery {select 2})}"},
		// queries
		{"SELECT * FROM generate_series(1, 10) AS g(n)", "{select * from generate_series(1 10) as g[n]}"},
		{"SELECT * FROM generate_series(1, 3) g", "{select * from generate_series(1 3) as g}"},
		{"SELECT * FROM a JOIN b USING (id) LEFT JOIN c ON a.x = c.x RIGHT OUTER JOIN d ON true CROSS JOIN e FULL JOIN f ON f.y = e.y",
			"{select * from (full join (cross join (right join (left join (inner join a b using [id]) c on (= a.x c.x)) d on true) e) f on (= f.y e.y))}"},
		{"SELECT * FROM a, b AS x, c y", "{select * from a b as x c as y}"},
		{"SELECT * FROM ((SELECT 1) r JOIN b ON true)", "{select * from ((inner join {select 1} as r b on true))}"},
		{"SELECT 1 UNION ALL SELECT 2 INTERSECT SELECT 3 EXCEPT SELECT 4 ORDER BY 1 LIMIT 5", "{(except (union all select 1 (intersect select 2 select 3)) select 4) order by 1 limit 5}"},
		{"(SELECT 1 LIMIT 1) UNION (SELECT 2)", "{(union {select 1 limit 1} select 2)}"},
		{"WITH x AS (SELECT 1 AS a) SELECT a FROM x", "{with x[] as {select 1 as a} select a from x}"},
		{"WITH RECURSIVE x(n) AS (SELECT 1) SELECT n FROM x", "{with recursive x[n] as {select 1} select n from x}"},
		{"SELECT a FROM t WHERE a IN (1, 2) AND b NOT IN (SELECT c FROM u) AND EXISTS (SELECT 1) AND d = (SELECT max(e) FROM v)",
			"{select a from t where (and (and (and (in a [1 2]) (not in b {select c from u})) (exists {select 1})) (= d (subquery {select max(e) from v})))}"},
		{"SELECT DISTINCT a FROM t GROUP BY a HAVING count(*) > 1 ORDER BY a DESC NULLS LAST OFFSET 5", "{select distinct a from t group by a having (> count(*) 1) order by a desc nulls last offset 5}"},
		{"SELECT a FROM t ORDER BY a NULLS FIRST LIMIT ALL", "{select a from t order by a nulls first}"},
		{"SELECT 1 FROM t LIMIT $1 OFFSET $2", "{select 1 from t limit $1 offset $2}"},
		{"SELECT * FROM t FETCH FIRST 3 ROWS ONLY", "{select * from t limit 3}"},
		{"SELECT * FROM t FOR UPDATE SKIP LOCKED", "{select * from t for update}"},
		{"SELECT DISTINCT ON (a) a, b FROM t", "{select distinct on(a) a b from t}"},
		{"SELECT FROM t", "{select  from t}"},
		{"SELECT a AS x, b y, c AS \"Z\", t.*", "{select a as x b as y c as Z t.*}"},
		{"VALUES (1, 'a'), (2, 'b')", "{values (1 \"a\") (2 \"b\")}"},
		{"TABLE t", "{select * from t}"},
		{"SELECT * FROM unnest(ARRAY[1,2]) WITH ORDINALITY AS u(x, n), LATERAL (SELECT 1) s", "{select * from unnest(array[1 2]) with ordinality as u[x n] {select 1} as s}"},
		// DML
		{"INSERT INTO t (a, b) VALUES (1, DEFAULT), ($1, 'x') ON CONFLICT (a) DO UPDATE SET b = EXCLUDED.b RETURNING *",
			"insert t[a b] {values (1 DEFAULT) ($1 \"x\")} on conflict [a] do update b=excluded.b returning *"},
		{"INSERT INTO t DEFAULT VALUES", "insert t[] default values"},
		{"INSERT INTO t SELECT * FROM u ON CONFLICT DO NOTHING", "insert t[] {select * from u} on conflict [] do nothing"},
		{"INSERT INTO s.t (a) VALUES (1) RETURNING a, b AS c", "insert s.t[a] {values (1)} returning a b as c"},
		{"UPDATE t SET a = a + 1, b = DEFAULT WHERE id = $1 RETURNING id, a AS new_a", "update t set a=(+ a 1) b=DEFAULT where (= id $1) returning id a as new_a"},
		{"UPDATE t AS x SET (a, b) = (1, 2) FROM u WHERE x.id = u.id", "update t as x set [a b]=row(1 2) from u where (= x.id u.id)"},
		{"DELETE FROM t WHERE id IN (1, 2) RETURNING *", "delete t where (in id [1 2]) returning *"},
		{"DELETE FROM t", "delete t"},
	}
	for _, c := range cases {
		ps, err := Parse(c.sql)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		if len(ps) != 1 {
			t.Errorf("%s: %d statements", c.sql, len(ps))
			continue
		}
		if got := sexpr(ps[0].Stmt); got != c.want {
			t.Errorf("%s\n got: %s\nwant: %s", c.sql, got, c.want)
		}
	}
}

func TestParseExpr(t *testing.T) {
	cases := []struct{ sql, want string }{
		{"nextval('s'::regclass)", "nextval((cast \"s\" regclass))"},
		{"0", "0"},
		{"'x'::text || 'y'", "(|| (cast \"x\" text) \"y\")"},
		{"price > 0 AND price < 100", "(and (> price 0) (< price 100))"},
	}
	for _, c := range cases {
		e, err := ParseExpr(c.sql)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		if got := sexpr(e); got != c.want {
			t.Errorf("%s: got %s want %s", c.sql, got, c.want)
		}
	}
	if _, err := ParseExpr("1 +"); err == nil {
		t.Errorf("ParseExpr(\"1 +\") succeeded")
	}
}

// TestParams checks which $n each parameter is and NumParams.
func TestParams(t *testing.T) {
	cases := []struct {
		sql  string
		n    int
		want string
	}{
		{"SELECT $1, $3, $2", 3, "{select $1 $3 $2}"},
		{"SELECT $2 + $2", 2, "{select (+ $2 $2)}"},
		{"SELECT $1::int4", 1, "{select (cast $1 int4)}"},
		{"SELECT 1", 0, "{select 1}"},
		{"SELECT $10", 10, "{select $10}"},
	}
	for _, c := range cases {
		p, err := ParseOne(c.sql)
		if err != nil {
			t.Fatalf("%s: %v", c.sql, err)
		}
		if p.NumParams != c.n || sexpr(p.Stmt) != c.want {
			t.Errorf("%s: got %d %s, want %d %s", c.sql, p.NumParams, sexpr(p.Stmt), c.n, c.want)
		}
	}
}
