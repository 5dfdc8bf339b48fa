package pgdialect

import (
	"fmt"
	"strings"
	"testing"

	tidb "github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	_ "github.com/pingcap/tidb/pkg/parser/test_driver"
)

const benchKNN = "SELECT id, content FROM items WHERE category_id = $1 ORDER BY embedding <-> $2 LIMIT 10"

// benchKNNMySQL is the same query in a form the MySQL grammar reads, the
// baseline the issue compares against.
const benchKNNMySQL = "SELECT id, content FROM items WHERE category_id = ? ORDER BY vec_l2_distance(embedding, ?) LIMIT 10"

// benchDescribe is psql 15's \d query.
const benchDescribe = `SELECT n.nspname as "Schema",
  c.relname as "Name",
  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN 'partitioned index' END as "Type",
  pg_catalog.pg_get_userbyid(c.relowner) as "Owner"
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
WHERE c.relkind IN ('r','p','v','m','S','f','')
      AND n.nspname <> 'pg_catalog'
      AND n.nspname !~ '^pg_toast'
      AND n.nspname <> 'information_schema'
  AND pg_catalog.pg_table_is_visible(c.oid)
ORDER BY 1,2`

// benchDescribeMySQL is \d without its PostgreSQL-only operator.
const benchDescribeMySQL = `SELECT n.nspname as "Schema",
  c.relname as "Name",
  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN 'partitioned index' END as "Type",
  pg_catalog.pg_get_userbyid(c.relowner) as "Owner"
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
WHERE c.relkind IN ('r','p','v','m','S','f','')
      AND n.nspname <> 'pg_catalog'
      AND n.nspname NOT REGEXP '^pg_toast'
      AND n.nspname <> 'information_schema'
  AND pg_catalog.pg_table_is_visible(c.oid)
ORDER BY 1,2`

func benchParse(b *testing.B, sql string) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(sql); err != nil {
			b.Fatal(err)
		}
	}
}

func benchTiDB(b *testing.B, sql string) {
	p := tidb.New()
	p.SetSQLMode(mysql.ModeANSIQuotes | mysql.ModePipesAsConcat | mysql.ModeNoBackslashEscapes)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, err := p.Parse(sql, "", ""); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseKNN(b *testing.B)        { benchParse(b, benchKNN) }
func BenchmarkTiDBRawKNN(b *testing.B)      { benchTiDB(b, benchKNNMySQL) }
func BenchmarkParseDescribe(b *testing.B)   { benchParse(b, benchDescribe) }
func BenchmarkTiDBRawDescribe(b *testing.B) { benchTiDB(b, benchDescribeMySQL) }

// BenchmarkParseInsert1000 is one 1000-row multi-row INSERT (bulk loads).
func BenchmarkParseInsert1000(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("INSERT INTO items (id, name, price, embedding) VALUES ")
	for i := 0; i < 1000; i++ {
		if i > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, "(%d, 'item %d', %d.50, '[1,2,3]')", i, i, i)
	}
	benchParse(b, sb.String())
}
