// Package logictest runs sqllogictest-style files (testdata/logic/*.test)
// against a PostgreSQL-wire server and holds Quiver's end-to-end tests. The
// same files run against Quiver and, through QUIVER_LOGIC_DSN, against real
// PostgreSQL, which is how every expected result in them was recorded.
//
// File format (one record per block, records separated by blank lines):
//
//	# comment
//	statement ok
//	CREATE TABLE t (a int PRIMARY KEY)
//
//	statement count 2
//	INSERT INTO t VALUES (1), (2)
//
//	statement error 23505 duplicate key value violates unique constraint
//	INSERT INTO t VALUES (1)
//
//	query IT rowsort
//	SELECT a, 'x' FROM t
//	----
//	1 | x
//	2 | x
//
// "statement error" takes an optional SQLSTATE (five characters) followed by
// an optional regular expression matched against the error message.
// "query" takes one letter per column, checked against the column's type:
// I integer types, R real/double/numeric, B boolean, T anything else; then an
// optional sort mode: nosort (default), rowsort or valuesort. Rows are the
// text-format values joined by " | ", NULL for SQL NULL and ” for the
// empty string. "query error" is a
// synonym of "statement error". "skipif <target>" and "onlyif <target>"
// before a record restrict it to targets (quiver, postgres).
// "connection <name>" switches the following records to a named connection
// of the same database, opened on first use.
package logictest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Record kinds.
const (
	KindStatement  = "statement"
	KindQuery      = "query"
	KindConnection = "connection"
)

// Sort modes of a query record.
const (
	SortNone  = "nosort"
	SortRows  = "rowsort"
	SortValue = "valuesort"
)

// Record is one directive of a logic-test file.
type Record struct {
	Kind string
	// Line is the 1-based line of the directive, for error messages.
	Line int
	SQL  string
	// Conn is the connection name of a KindConnection record.
	Conn string

	ExpectError bool
	ErrCode     string // empty: any SQLSTATE
	ErrPattern  string // empty: any message
	// Count is the expected rows-affected of "statement count N", -1 if unset.
	Count int

	Types    string
	SortMode string
	Expected []string
	// ResultStart and ResultEnd delimit (0-based, half open) the expected
	// result lines in the file, so a rewrite can replace them. ResultStart is
	// -1 when the record has no "----" line.
	ResultStart, ResultEnd int

	SkipIf []string
	OnlyIf []string
}

// File is a parsed logic-test file.
type File struct {
	Path    string
	Lines   []string
	Records []Record
}

var sqlstateRe = regexp.MustCompile(`^[0-9A-Z]{5}$`)

// ParseFile reads and parses a logic-test file.
func ParseFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read logic test: %w", err)
	}
	f, err := Parse(path, string(data))
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Parse parses logic-test text; name is used in error messages.
func Parse(name, text string) (*File, error) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	f := &File{Path: name, Lines: lines}
	var skipIf, onlyIf []string
	i := 0
	for i < len(lines) {
		line := strings.TrimSpace(lines[i])
		if line == "" || strings.HasPrefix(line, "#") {
			i++
			continue
		}
		fields := strings.Fields(line)
		lineNo := i + 1
		switch fields[0] {
		case "skipif", "onlyif":
			if len(fields) != 2 {
				return nil, fmt.Errorf("%s:%d: %s needs one target", name, lineNo, fields[0])
			}
			if fields[0] == "skipif" {
				skipIf = append(skipIf, fields[1])
			} else {
				onlyIf = append(onlyIf, fields[1])
			}
			i++
			continue
		case "connection":
			if len(fields) != 2 {
				return nil, fmt.Errorf("%s:%d: connection needs one name", name, lineNo)
			}
			f.Records = append(f.Records, Record{Kind: KindConnection, Line: lineNo, Conn: fields[1], Count: -1, ResultStart: -1})
			i++
			continue
		}
		rec := Record{Line: lineNo, Count: -1, ResultStart: -1, SkipIf: skipIf, OnlyIf: onlyIf}
		skipIf, onlyIf = nil, nil
		switch {
		case fields[0] == "statement" && len(fields) >= 2 && fields[1] == "ok":
			rec.Kind = KindStatement
		case fields[0] == "statement" && len(fields) == 3 && fields[1] == "count":
			n, err := strconv.Atoi(fields[2])
			if err != nil {
				return nil, fmt.Errorf("%s:%d: bad count %q", name, lineNo, fields[2])
			}
			rec.Kind, rec.Count = KindStatement, n
		case (fields[0] == "statement" || fields[0] == "query") && len(fields) >= 2 && fields[1] == "error":
			rec.Kind, rec.ExpectError = KindStatement, true
			rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line[len(fields[0]):]), "error"))
			if len(fields) >= 3 && sqlstateRe.MatchString(fields[2]) {
				rec.ErrCode = fields[2]
				rest = strings.TrimSpace(rest[len(fields[2]):])
			}
			if rest != "" {
				if _, err := regexp.Compile(rest); err != nil {
					return nil, fmt.Errorf("%s:%d: bad error pattern: %w", name, lineNo, err)
				}
				rec.ErrPattern = rest
			}
		case fields[0] == "query" && len(fields) >= 2:
			rec.Kind, rec.Types, rec.SortMode = KindQuery, fields[1], SortNone
			for _, c := range rec.Types {
				if !strings.ContainsRune("IRBT", c) {
					return nil, fmt.Errorf("%s:%d: unknown column type %q", name, lineNo, c)
				}
			}
			if len(fields) >= 3 {
				switch fields[2] {
				case SortNone, SortRows, SortValue:
					rec.SortMode = fields[2]
				default:
					return nil, fmt.Errorf("%s:%d: unknown sort mode %q", name, lineNo, fields[2])
				}
			}
			if len(fields) > 3 {
				return nil, fmt.Errorf("%s:%d: unexpected %q", name, lineNo, strings.Join(fields[3:], " "))
			}
		default:
			return nil, fmt.Errorf("%s:%d: unknown directive %q", name, lineNo, line)
		}
		i++
		var sqlLines []string
		for i < len(lines) && strings.TrimSpace(lines[i]) != "" && lines[i] != "----" {
			sqlLines = append(sqlLines, lines[i])
			i++
		}
		if len(sqlLines) == 0 {
			return nil, fmt.Errorf("%s:%d: record without SQL", name, lineNo)
		}
		rec.SQL = strings.Join(sqlLines, "\n")
		if i < len(lines) && lines[i] == "----" {
			if rec.Kind != KindQuery {
				return nil, fmt.Errorf("%s:%d: only a query has results", name, lineNo)
			}
			i++
			rec.ResultStart = i
			for i < len(lines) && lines[i] != "" {
				rec.Expected = append(rec.Expected, lines[i])
				i++
			}
			rec.ResultEnd = i
		}
		f.Records = append(f.Records, rec)
	}
	return f, nil
}

// Applies reports whether the record runs against target.
func (r *Record) Applies(target string) bool {
	for _, s := range r.SkipIf {
		if s == target {
			return false
		}
	}
	for _, o := range r.OnlyIf {
		if o != target {
			return false
		}
	}
	return true
}

// Conn runs statements in one protocol mode. Simple uses the simple query
// protocol; otherwise each statement is an unnamed extended-protocol
// Parse/Bind/Execute with text results.
type Conn struct {
	PG     *pgconn.PgConn
	Simple bool
}

// Result is the outcome of one statement: text rows or an error.
type Result struct {
	Columns  []pgconn.FieldDescription
	Rows     [][]*string
	Affected int64
	Err      error
}

// Run executes one SQL text.
func (c *Conn) Run(ctx context.Context, sql string) Result {
	if !c.Simple {
		return readResult(c.PG.ExecParams(ctx, sql, nil, nil, nil, nil))
	}
	mrr := c.PG.Exec(ctx, sql)
	var out Result
	// A multi-statement string reports its last statement's rows and the
	// first error.
	for mrr.NextResult() {
		res := readResult(mrr.ResultReader())
		if res.Err != nil {
			_ = mrr.Close()
			return res
		}
		out = res
	}
	if err := mrr.Close(); err != nil {
		return Result{Err: err}
	}
	return out
}

// readResult drains one statement's result. pgconn's Result.Read leaves the
// columns unset when there are no rows, so the reader is walked directly.
func readResult(rr *pgconn.ResultReader) Result {
	var out Result
	for rr.NextRow() {
		vals := make([]*string, len(rr.Values()))
		for j, v := range rr.Values() {
			if v != nil {
				s := string(v)
				vals[j] = &s
			}
		}
		out.Rows = append(out.Rows, vals)
	}
	out.Columns = append([]pgconn.FieldDescription(nil), rr.FieldDescriptions()...)
	tag, err := rr.Close()
	if err != nil {
		return Result{Err: err}
	}
	out.Affected = tag.RowsAffected()
	return out
}

// Type OIDs accepted for each query column letter.
var (
	intOIDs  = map[uint32]bool{20: true, 21: true, 23: true, 26: true}
	realOIDs = map[uint32]bool{700: true, 701: true, 1700: true}
	boolOID  = uint32(16)
)

// FormatRows renders a query result the way expected results are written.
func FormatRows(rows [][]*string, mode string) []string {
	if mode == SortValue {
		var vals []string
		for _, row := range rows {
			for _, v := range row {
				vals = append(vals, formatValue(v))
			}
		}
		sort.Strings(vals)
		return vals
	}
	out := make([]string, 0, len(rows))
	for _, row := range rows {
		parts := make([]string, len(row))
		for j, v := range row {
			parts[j] = formatValue(v)
		}
		out = append(out, strings.TrimRight(strings.Join(parts, " | "), " "))
	}
	if mode == SortRows {
		sort.Strings(out)
	}
	return out
}

func formatValue(v *string) string {
	switch {
	case v == nil:
		return "NULL"
	case *v == "":
		// An empty line would end the result block.
		return "''"
	}
	return *v
}

// Check compares a statement's result with its record and returns a
// description of every mismatch (empty when it passed). For queries it also
// returns the rendered rows, used by rewrite mode.
func Check(rec *Record, res Result) (problems []string, got []string) {
	if rec.ExpectError {
		if res.Err == nil {
			return []string{"expected an error, statement succeeded"}, nil
		}
		var pgErr *pgconn.PgError
		if !errors.As(res.Err, &pgErr) {
			return []string{fmt.Sprintf("expected a server error, got %v", res.Err)}, nil
		}
		codeOK := rec.ErrCode == "" || pgErr.Code == rec.ErrCode
		msgOK := true
		if rec.ErrPattern != "" {
			msgOK, _ = regexp.MatchString(rec.ErrPattern, pgErr.Message)
		}
		if !codeOK || !msgOK {
			want := strings.TrimSpace(rec.ErrCode + " " + rec.ErrPattern)
			problems = append(problems, fmt.Sprintf("error %s %q, expected %s", pgErr.Code, pgErr.Message, want))
		}
		return problems, nil
	}
	if res.Err != nil {
		return []string{fmt.Sprintf("unexpected error: %v", describeErr(res.Err))}, nil
	}
	if rec.Kind == KindStatement {
		if rec.Count >= 0 && res.Affected != int64(rec.Count) {
			problems = append(problems, fmt.Sprintf("%d rows affected, expected %d", res.Affected, rec.Count))
		}
		return problems, nil
	}
	if len(res.Columns) != len(rec.Types) {
		problems = append(problems, fmt.Sprintf("%d columns, expected %d (%s)", len(res.Columns), len(rec.Types), rec.Types))
	} else {
		for i, c := range rec.Types {
			oid := res.Columns[i].DataTypeOID
			var ok bool
			switch c {
			case 'I':
				ok = intOIDs[oid]
			case 'R':
				ok = realOIDs[oid]
			case 'B':
				ok = oid == boolOID
			default:
				ok = !intOIDs[oid] && !realOIDs[oid] && oid != boolOID
			}
			if !ok {
				problems = append(problems, fmt.Sprintf("column %d (%s) has type OID %d, expected %c", i+1, res.Columns[i].Name, oid, c))
			}
		}
	}
	got = FormatRows(res.Rows, rec.SortMode)
	if strings.Join(got, "\n") != strings.Join(rec.Expected, "\n") {
		problems = append(problems, fmt.Sprintf("result mismatch\n--- expected\n%s\n--- got\n%s",
			strings.Join(rec.Expected, "\n"), strings.Join(got, "\n")))
	}
	return problems, got
}

func describeErr(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return fmt.Sprintf("%s %s", pgErr.Code, pgErr.Message)
	}
	return err.Error()
}

// Rewrite returns the file text with every query's expected rows replaced
// by results[i] for the query record at index i (records absent from
// results keep their text).
func (f *File) Rewrite(results map[int][]string) []byte {
	type repl struct {
		start, end int
		rows       []string
	}
	var reps []repl
	for i, rec := range f.Records {
		rows, ok := results[i]
		if !ok {
			continue
		}
		if rec.ResultStart < 0 {
			// No "----" yet: insert one right after the SQL.
			sqlEnd := rec.Line + strings.Count(rec.SQL, "\n") + 1
			reps = append(reps, repl{start: sqlEnd, end: sqlEnd, rows: append([]string{"----"}, rows...)})
			continue
		}
		reps = append(reps, repl{start: rec.ResultStart, end: rec.ResultEnd, rows: rows})
	}
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	next := 0
	for _, r := range reps {
		for _, l := range f.Lines[next:r.start] {
			fmt.Fprintln(w, l)
		}
		for _, l := range r.rows {
			fmt.Fprintln(w, l)
		}
		next = r.end
	}
	for _, l := range f.Lines[next:] {
		fmt.Fprintln(w, l)
	}
	_ = w.Flush()
	return buf.Bytes()
}
