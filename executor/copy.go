package executor

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgdialect"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

// CopyStart tells the server what to announce in CopyInResponse or
// CopyOutResponse once the COPY statement has been validated.
type CopyStart func(columns int, binary bool) error

// copyBinarySignature opens every binary COPY stream.
const copyBinarySignature = "PGCOPY\n\xff\r\n\x00"

// copyOptions are a COPY statement's parsed WITH options.
type copyOptions struct {
	format     string // text, csv, binary
	header     bool
	delim      byte
	quote      byte
	escape     byte
	null       string
	forceQuote map[string]bool
	forceAll   bool
}

func parseCopyOptions(n *tree.Copy) (*copyOptions, error) {
	o := &copyOptions{format: "text"}
	var delim, quote, escape, null *string
	for _, p := range n.Options {
		v := p.Value
		switch strings.ToLower(p.Name) {
		case "format":
			switch strings.ToLower(v) {
			case "text", "csv", "binary":
				o.format = strings.ToLower(v)
			default:
				return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "COPY format \"%s\" not recognized", v)
			}
		case "header":
			switch strings.ToLower(v) {
			case "", "true", "on", "1":
				o.header = true
			case "false", "off", "0":
			default:
				return nil, pgerror.New(pgerror.CodeSyntaxError, "header requires a Boolean value or \"match\"")
			}
		case "delimiter":
			delim = &v
		case "quote":
			quote = &v
		case "escape":
			escape = &v
		case "null":
			null = &v
		case "force_quote":
			if v == "*" {
				o.forceAll = true
			} else {
				o.forceQuote = map[string]bool{}
				for _, c := range strings.Split(v, ",") {
					o.forceQuote[strings.TrimSpace(c)] = true
				}
			}
		case "freeze":
			// Accepted: rows of a COPY are visible only after its commit anyway.
		case "encoding":
			if e := strings.ToUpper(strings.ReplaceAll(v, "-", "")); e != "UTF8" && e != "UNICODE" {
				return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "COPY encoding \"%s\" is not supported: Quiver uses UTF8", v)
			}
		case "force_not_null", "force_null":
			return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "COPY option %s is not supported yet", strings.ToUpper(p.Name))
		default:
			return nil, pgerror.New(pgerror.CodeSyntaxError, "option \"%s\" not recognized", p.Name)
		}
	}
	csv := o.format == "csv"
	if o.format == "binary" && (delim != nil || null != nil || quote != nil || escape != nil) {
		return nil, pgerror.New(pgerror.CodeSyntaxError, "cannot specify DELIMITER in BINARY mode")
	}
	if !csv && (quote != nil || escape != nil) {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "COPY quote available only in CSV mode")
	}
	if !csv && (o.forceAll || o.forceQuote != nil) {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "COPY force quote available only in CSV mode")
	}
	if o.header && o.format == "binary" {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "cannot specify HEADER in BINARY mode")
	}
	if (o.forceAll || o.forceQuote != nil) && n.From {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "COPY force quote only available using COPY TO")
	}
	o.delim, o.quote, o.null = '\t', '"', `\N`
	if csv {
		o.delim, o.null = ',', ""
	}
	single := func(s *string, what string, into *byte) error {
		if s == nil {
			return nil
		}
		if len(*s) != 1 {
			return pgerror.New(pgerror.CodeFeatureNotSupported, "COPY %s must be a single one-byte character", what)
		}
		*into = (*s)[0]
		return nil
	}
	if err := single(delim, "delimiter", &o.delim); err != nil {
		return nil, err
	}
	if err := single(quote, "quote", &o.quote); err != nil {
		return nil, err
	}
	o.escape = o.quote
	if err := single(escape, "escape", &o.escape); err != nil {
		return nil, err
	}
	if null != nil {
		o.null = *null
	}
	if o.delim == '\n' || o.delim == '\r' || (!csv && o.delim == '\\') {
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "COPY delimiter cannot be newline or carriage return")
	}
	if csv && o.delim == o.quote {
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "COPY delimiter and quote must be different")
	}
	return o, nil
}

// copyStatement returns the COPY of a prepared statement.
func copyStatement(p *Prepared) (*tree.Copy, error) {
	n, ok := p.Parsed.Stmt.(*tree.Copy)
	if !ok {
		return nil, pgerror.New(pgerror.CodeInternal, "not a COPY statement: %T", p.Parsed.Stmt)
	}
	if n.Target != "stdin" && n.Target != "stdout" {
		return nil, pgerror.New(pgerror.CodeInsufficientPrivilege, "must be superuser or have privileges of the pg_read_server_files role to COPY to or from a file").
			WithHint("Anyone can COPY to stdout or from stdin. psql's \\copy command also works for anyone.")
	}
	return n, nil
}

// inCopyTxn runs f inside the open transaction block or its own
// transaction, which commits only when f succeeds: a COPY is atomic.
func (s *Session) inCopyTxn(ctx context.Context, f func(ec *execCtx) error) (err error) {
	if s.failed {
		return pgerror.New(pgerror.CodeInFailedSQLTransaction, "current transaction is aborted, commands ignored until end of transaction block")
	}
	txn := s.txn
	auto := txn == nil
	if auto {
		txn = s.eng.begin()
	}
	defer func() {
		s.lastStats = txn.Stats()
		if err != nil {
			if auto {
				txn.Rollback()
			}
			s.StatementFailed()
		}
	}()
	ec := &execCtx{ctx: ctx, txn: txn, sess: s, eval: s.evalContext(ctx)}
	if err := f(ec); err != nil {
		return err
	}
	if auto {
		if err := s.commitTxn(ctx, txn); err != nil {
			return fmt.Errorf("committing COPY: %w", err)
		}
	}
	return nil
}

// CopyIn runs COPY ... FROM STDIN. start is called once the statement is
// known to be valid (the server answers CopyInResponse there); src then
// yields the client's data, which is parsed and inserted as it arrives.
// Any bad row aborts the whole COPY.
func (s *Session) CopyIn(ctx context.Context, p *Prepared, start CopyStart, src io.Reader) (tag string, err error) {
	n, err := copyStatement(p)
	if err != nil {
		s.StatementFailed()
		return "", err
	}
	if !n.From || n.Query != nil {
		s.StatementFailed()
		return "", pgerror.New(pgerror.CodeInternal, "CopyIn called for COPY TO")
	}
	var count int64
	err = s.inCopyTxn(ctx, func(ec *execCtx) error {
		if err := s.checkReadOnly(n); err != nil {
			return err
		}
		o, err := parseCopyOptions(n)
		if err != nil {
			return err
		}
		cat, err := ec.txn.Catalog()
		if err != nil {
			return err
		}
		b := s.binder(cat, nil)
		if v, err := b.LookupView(n.Table); err == nil && v != nil {
			return pgerror.New(pgerror.CodeWrongObjectType, "cannot copy to view \"%s\"", v.Name).
				WithHint("To enable copying to a view, provide an INSTEAD OF INSERT trigger.")
		}
		t, err := b.ResolveTable(n.Table)
		if err != nil {
			return err
		}
		if t.Matview != nil {
			return pgerror.New(pgerror.CodeWrongObjectType, "cannot copy to materialized view \"%s\"", t.Name)
		}
		colNames, err := copyColumns(t, n.Columns)
		if err != nil {
			return err
		}
		width := len(colNames)
		// Binding the equivalent INSERT gives the target columns and their
		// defaults exactly as INSERT resolves them; COPY writes GENERATED
		// ALWAYS identity columns as given, like OVERRIDING SYSTEM VALUE.
		nulls := make([]tree.Expr, width)
		for i := range nulls {
			nulls[i] = &tree.NullLit{}
		}
		ins, err := b.BindInsert(&tree.Insert{Table: n.Table, Columns: colNames, Overriding: "system",
			Source: &tree.Select{Body: &tree.Values{Rows: [][]tree.Expr{nulls}}}})
		if err != nil {
			return err
		}
		if err := start(len(ins.Targets), o.format == "binary"); err != nil {
			return err
		}
		ri, err := ec.newRowInserter(ins)
		if err != nil {
			return err
		}
		r := &copyReader{ec: ec, o: o, t: t, ins: ins, in: bufio.NewReaderSize(src, 64<<10), ri: ri}
		count, err = r.run()
		if err == nil {
			err = ri.finish()
		}
		if err != nil {
			return s.withSchemaName(ec, t, err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("COPY %d", count), nil
}

// copyReader parses one COPY FROM stream.
type copyReader struct {
	ec   *execCtx
	o    *copyOptions
	t    *catalog.Table
	ins  *planner.Insert
	in   *bufio.Reader
	ri   *rowInserter
	line int64
	raw  string // the current line, for error context
	// eol is the line break the last line read ended with ("" for a last
	// line without one): inside a quoted CSV field it is data, and
	// PostgreSQL counts it as a line.
	eol string
}

// lineContext is the error context naming a line of the data, as
// PostgreSQL's COPY reports it.
func (r *copyReader) lineContext(line int64) string {
	return fmt.Sprintf("COPY %s, line %d", r.t.Name, line)
}

func (r *copyReader) where(col int, val string, withVal bool) string {
	w := r.lineContext(r.line)
	if col >= 0 {
		w += fmt.Sprintf(", column %s", r.t.Columns[r.ins.Targets[col]].Name)
		if withVal {
			if val == "" && r.o.format != "binary" {
				return w + ": null input"
			}
			w += ": \"" + truncateForContext(val) + "\""
		}
		return w
	}
	return w + ": \"" + truncateForContext(r.raw) + "\""
}

// truncateForContext shortens values in error context as PostgreSQL does.
func truncateForContext(s string) string {
	if len(s) > 100 {
		cut := 100
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return s[:cut] + "..."
	}
	return s
}

func withWhere(err error, where string) error {
	var pe *pgerror.Error
	if errors.As(err, &pe) {
		c := *pe
		if c.Where == "" {
			c.Where = where
		}
		return &c
	}
	return err
}

func (r *copyReader) run() (int64, error) {
	if r.o.format == "binary" {
		return r.runBinary()
	}
	var count int64
	vals := make([]types.Datum, len(r.ins.Targets))
	loc := r.ec.eval.Location
	for {
		if count&1023 == 0 {
			if err := r.ec.ctx.Err(); err != nil {
				return 0, canceled(err)
			}
		}
		fields, nulls, eof, err := r.readRecord()
		if err != nil {
			return 0, err
		}
		if eof {
			return count, nil
		}
		if r.o.header && r.line == 1 {
			continue
		}
		if len(fields) > len(vals) {
			return 0, withWhere(pgerror.New("22P04", "extra data after last expected column"), r.where(-1, "", false))
		}
		if len(fields) < len(vals) {
			if len(vals) == 0 && len(fields) == 1 && fields[0] == "" {
				fields = fields[:0]
			} else {
				return 0, withWhere(pgerror.New("22P04", "missing data for column \"%s\"", r.t.Columns[r.ins.Targets[len(fields)]].Name), r.where(-1, "", false))
			}
		}
		for j, f := range fields {
			if nulls[j] {
				vals[j] = types.Null
				continue
			}
			d, err := types.ParseTextLoc(r.t.Columns[r.ins.Targets[j]].Type, f, loc)
			if err != nil {
				return 0, withWhere(err, r.where(j, f, true))
			}
			vals[j] = d
		}
		row, err := r.ri.build(vals)
		if err != nil {
			return 0, withWhere(err, r.where(-1, "", false))
		}
		// PostgreSQL reports index conflicts after the line buffer is gone:
		// the context names only the line.
		if err := r.ri.store(row); err != nil {
			return 0, withWhere(err, r.lineContext(r.line))
		}
		count++
	}
}

// readLine reads one physical line without its terminator.
func (r *copyReader) readLine() (string, bool, error) {
	s, err := r.in.ReadString('\n')
	if err == io.EOF {
		if s == "" {
			return "", true, nil
		}
	} else if err != nil {
		return "", false, err
	}
	t := strings.TrimSuffix(s, "\n")
	t = strings.TrimSuffix(t, "\r")
	r.eol = s[len(t):]
	return t, false, nil
}

// readRecord reads one data row; nulls marks the NULL fields.
func (r *copyReader) readRecord() (fields []string, nulls []bool, eof bool, err error) {
	line, eof, err := r.readLine()
	if err != nil {
		// The stream itself failed (CopyFail, a protocol error): PostgreSQL
		// names the line it was reading.
		return nil, nil, false, withWhere(err, r.lineContext(r.line+1))
	}
	if eof {
		return nil, nil, true, nil
	}
	r.line++
	r.raw = line
	if line == `\.` {
		return nil, nil, true, nil
	}
	if r.o.format == "csv" {
		return r.splitCSV(line)
	}
	fields, nulls, err = r.splitText(line)
	return fields, nulls, false, err
}

func (r *copyReader) splitText(line string) ([]string, []bool, error) {
	var fields []string
	var nulls []bool
	for {
		i := strings.IndexByte(line, r.o.delim)
		// A delimiter after a backslash is data, not a separator.
		for i > 0 && backslashesBefore(line, i)%2 == 1 {
			j := strings.IndexByte(line[i+1:], r.o.delim)
			if j < 0 {
				i = -1
				break
			}
			i += 1 + j
		}
		f := line
		if i >= 0 {
			f = line[:i]
		}
		if f == r.o.null {
			fields, nulls = append(fields, ""), append(nulls, true)
		} else {
			u, err := unescapeText(f)
			if err != nil {
				return nil, nil, err
			}
			fields, nulls = append(fields, u), append(nulls, false)
		}
		if i < 0 {
			return fields, nulls, nil
		}
		line = line[i+1:]
	}
}

func backslashesBefore(s string, i int) int {
	n := 0
	for i > 0 && s[i-1] == '\\' {
		n++
		i--
	}
	return n
}

// unescapeText undoes text-format backslash escapes.
func unescapeText(f string) (string, error) {
	if strings.IndexByte(f, '\\') < 0 {
		return f, nil
	}
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '\\' || i+1 >= len(f) {
			b.WriteByte(c)
			continue
		}
		i++
		switch c = f[i]; c {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case 'x':
			j := i + 1
			for j < len(f) && j < i+3 && isHex(f[j]) {
				j++
			}
			if j == i+1 {
				b.WriteByte('x')
				continue
			}
			v, _ := strconv.ParseUint(f[i+1:j], 16, 8)
			b.WriteByte(byte(v))
			i = j - 1
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(f) && j < i+3 && f[j] >= '0' && f[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(f[i:j], 8, 16)
			b.WriteByte(byte(v))
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	s := b.String()
	if !utf8.ValidString(s) {
		return "", pgerror.New("22021", "invalid byte sequence for encoding \"UTF8\"")
	}
	return s, nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// splitCSV splits a CSV record, reading further lines while a quoted
// field is open.
func (r *copyReader) splitCSV(line string) ([]string, []bool, bool, error) {
	o := r.o
	var fields []string
	var nulls []bool
	var b strings.Builder
	quoted, inQuote := false, false
	for i := 0; ; i++ {
		if i >= len(line) {
			if inQuote {
				// PostgreSQL counts the line breaks inside a quoted field as
				// lines once it has seen a record end (before that it does
				// not know the data's line terminator yet).
				brk := r.eol
				if brk != "" && r.line > 1 {
					r.line++
				}
				next, eof, err := r.readLine()
				if err != nil {
					return nil, nil, false, withWhere(err, r.lineContext(r.line))
				}
				if eof {
					r.raw += brk // the context shows the field's last line break
					return nil, nil, false, withWhere(pgerror.New("22P04", "unterminated CSV quoted field"), r.where(-1, "", false))
				}
				b.WriteString(brk)
				line, i = next, -1
				r.raw += brk + next
				continue
			}
			f := b.String()
			fields = append(fields, f)
			nulls = append(nulls, !quoted && f == o.null)
			return fields, nulls, false, nil
		}
		c := line[i]
		switch {
		case inQuote && c == o.escape && i+1 < len(line) && line[i+1] == o.quote:
			b.WriteByte(o.quote)
			i++
		case inQuote && c == o.quote:
			inQuote = false
		case inQuote:
			b.WriteByte(c)
		case c == o.quote:
			inQuote, quoted = true, true
		case c == o.delim:
			f := b.String()
			fields = append(fields, f)
			nulls = append(nulls, !quoted && f == o.null)
			b.Reset()
			quoted = false
		default:
			b.WriteByte(c)
		}
	}
}

func (r *copyReader) runBinary() (int64, error) {
	badFormat := func(msg string) error {
		return withWhere(pgerror.New("22P04", "%s", msg), r.lineContext(r.line))
	}
	// readFailed reports a short read as bad data, unless the stream
	// itself failed (CopyFail, a broken connection).
	readFailed := func(err error, msg string) error {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return badFormat(msg)
		}
		if r.line == 0 {
			return err // PostgreSQL gives no context while reading the header
		}
		return withWhere(err, r.lineContext(r.line))
	}
	hdr := make([]byte, len(copyBinarySignature)+8)
	if _, err := io.ReadFull(r.in, hdr); err != nil {
		return 0, readFailed(err, "COPY file signature not recognized")
	}
	if string(hdr[:len(copyBinarySignature)]) != copyBinarySignature {
		return 0, badFormat("COPY file signature not recognized")
	}
	if ext := binary.BigEndian.Uint32(hdr[len(copyBinarySignature)+4:]); ext > 0 {
		if _, err := io.CopyN(io.Discard, r.in, int64(ext)); err != nil {
			return 0, readFailed(err, "invalid COPY file header (wrong length)")
		}
	}
	vals := make([]types.Datum, len(r.ins.Targets))
	var buf []byte
	var count int64
	var w [4]byte
	for {
		if count&1023 == 0 {
			if err := r.ec.ctx.Err(); err != nil {
				return 0, canceled(err)
			}
		}
		r.line++
		if _, err := io.ReadFull(r.in, w[:2]); err != nil {
			if err == io.EOF {
				return count, nil
			}
			return 0, readFailed(err, "unexpected EOF in COPY data")
		}
		nf := int16(binary.BigEndian.Uint16(w[:2]))
		if nf == -1 {
			return count, nil
		}
		if int(nf) != len(vals) {
			return 0, badFormat(fmt.Sprintf("row field count is %d, expected %d", nf, len(vals)))
		}
		for j := range vals {
			if _, err := io.ReadFull(r.in, w[:4]); err != nil {
				return 0, readFailed(err, "unexpected EOF in COPY data")
			}
			l := int32(binary.BigEndian.Uint32(w[:4]))
			if l == -1 {
				vals[j] = types.Null
				continue
			}
			if l < 0 {
				return 0, badFormat("invalid field size")
			}
			if cap(buf) < int(l) {
				buf = make([]byte, l)
			}
			buf = buf[:l]
			if _, err := io.ReadFull(r.in, buf); err != nil {
				return 0, readFailed(err, "unexpected EOF in COPY data")
			}
			d, err := types.DecodeBinary(r.t.Columns[r.ins.Targets[j]].Type, buf)
			if err != nil {
				return 0, withWhere(err, r.where(j, "", false))
			}
			vals[j] = d
		}
		if err := r.ri.insert(vals); err != nil {
			return 0, withWhere(err, r.lineContext(r.line))
		}
		count++
	}
}

// CopyOut runs COPY table|(query) TO STDOUT: start announces the format,
// then emit receives each row's bytes (one CopyData each).
func (s *Session) CopyOut(ctx context.Context, p *Prepared, start CopyStart, emit func([]byte) error) (tag string, err error) {
	n, err := copyStatement(p)
	if err != nil {
		s.StatementFailed()
		return "", err
	}
	if n.From {
		s.StatementFailed()
		return "", pgerror.New(pgerror.CodeInternal, "CopyOut called for COPY FROM")
	}
	var count int64
	err = s.inCopyTxn(ctx, func(ec *execCtx) error {
		o, err := parseCopyOptions(n)
		if err != nil {
			return err
		}
		cat, err := ec.txn.Catalog()
		if err != nil {
			return err
		}
		b := s.binder(cat, nil)
		q, _ := n.Query.(*tree.Select)
		if n.Query != nil && q == nil {
			return notSupportedStmt("COPY of a statement other than SELECT")
		}
		if q == nil {
			if v, err := b.LookupView(n.Table); err == nil && v != nil {
				return pgerror.New(pgerror.CodeWrongObjectType, "cannot copy from view \"%s\"", v.Name).
					WithHint("Try the COPY (SELECT ...) TO variant.")
			}
			t, err := b.ResolveTable(n.Table)
			if err != nil {
				return err
			}
			if t.Matview != nil {
				return pgerror.New(pgerror.CodeWrongObjectType, "cannot copy from materialized view \"%s\"", t.Name).
					WithHint("Try the COPY (SELECT ...) TO variant.")
			}
			names, err := copyColumns(t, n.Columns)
			if err != nil {
				return err
			}
			cols := make([]string, len(names))
			for i, name := range names {
				cols[i] = builtins.QuoteIdent(name)
			}
			from := builtins.QuoteIdent(t.Name)
			if sc := cat.Schemas[t.SchemaID]; sc != nil {
				from = builtins.QuoteIdent(sc.Name) + "." + from
			}
			parsed, err := pgdialect.ParseOne("SELECT " + strings.Join(cols, ", ") + " FROM " + from)
			if err != nil {
				return fmt.Errorf("planning COPY TO: %w", err)
			}
			q = parsed.Stmt.(*tree.Select)
		}
		plan, err := b.BindQuery(q)
		if err != nil {
			return err
		}
		pcols := plan.Columns()
		if err := start(len(pcols), o.format == "binary"); err != nil {
			return err
		}
		it, err := ec.build(plan)
		if err != nil {
			return err
		}
		defer it.Close()
		force := make([]bool, len(pcols))
		for i, c := range pcols {
			force[i] = o.forceAll || o.forceQuote[c.Name]
		}
		loc := ec.eval.Location
		var buf []byte
		switch o.format {
		case "binary":
			buf = append(buf, copyBinarySignature...)
			buf = append(buf, 0, 0, 0, 0, 0, 0, 0, 0)
		case "csv":
			if o.header {
				for i, c := range pcols {
					if i > 0 {
						buf = append(buf, o.delim)
					}
					buf = appendCSV(buf, o, c.Name, false)
				}
				buf = append(buf, '\n')
			}
		case "text":
			if o.header {
				for i, c := range pcols {
					if i > 0 {
						buf = append(buf, o.delim)
					}
					buf = appendTextEscaped(buf, o.delim, c.Name)
				}
				buf = append(buf, '\n')
			}
		}
		// The binary header travels in the first row's message, as
		// PostgreSQL sends it: psycopg 3 parses one row per CopyData.
		header := len(buf)
		if len(buf) > 0 && o.format != "binary" {
			if err := emit(buf); err != nil {
				return err
			}
			header = 0
		}
		var val []byte
		for {
			if count&1023 == 0 {
				if err := ctx.Err(); err != nil {
					return canceled(err)
				}
			}
			row, err := it.Next()
			if err != nil {
				return err
			}
			if row == nil {
				break
			}
			buf, header = buf[:header], 0
			if o.format == "binary" {
				buf = binary.BigEndian.AppendUint16(buf, uint16(len(pcols)))
			}
			for i, c := range pcols {
				d := row[i]
				if o.format == "binary" {
					if types.IsNull(d) {
						buf = binary.BigEndian.AppendUint32(buf, 0xffffffff)
						continue
					}
					at := len(buf)
					buf = append(buf, 0, 0, 0, 0)
					if buf, err = types.EncodeBinary(buf, c.T, d); err != nil {
						return err
					}
					binary.BigEndian.PutUint32(buf[at:], uint32(len(buf)-at-4))
					continue
				}
				if i > 0 {
					buf = append(buf, o.delim)
				}
				if types.IsNull(d) {
					buf = append(buf, o.null...)
					continue
				}
				val = types.AppendTextLoc(val[:0], c.T, d, loc)
				if o.format == "csv" {
					buf = appendCSV(buf, o, string(val), force[i])
				} else {
					buf = appendTextEscaped(buf, o.delim, string(val))
				}
			}
			if o.format != "binary" {
				buf = append(buf, '\n')
			}
			if err := emit(buf); err != nil {
				return err
			}
			count++
		}
		if o.format == "binary" {
			return emit(append(buf[:header], 0xff, 0xff))
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("COPY %d", count), nil
}

// appendTextEscaped writes a value in COPY text format.
func appendTextEscaped(buf []byte, delim byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			buf = append(buf, '\\', '\\')
		case '\n':
			buf = append(buf, '\\', 'n')
		case '\r':
			buf = append(buf, '\\', 'r')
		case '\t':
			buf = append(buf, '\\', 't')
		case '\b':
			buf = append(buf, '\\', 'b')
		case '\f':
			buf = append(buf, '\\', 'f')
		case '\v':
			buf = append(buf, '\\', 'v')
		default:
			if c == delim {
				buf = append(buf, '\\')
			}
			buf = append(buf, c)
		}
	}
	return buf
}

// appendCSV writes a value in CSV format, quoting it when it must be (or
// when FORCE_QUOTE asks).
func appendCSV(buf []byte, o *copyOptions, s string, force bool) []byte {
	need := force || s == o.null || s == `\.`
	if !need {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c == o.delim || c == o.quote || c == o.escape || c == '\n' || c == '\r' {
				need = true
				break
			}
		}
	}
	if !need {
		return append(buf, s...)
	}
	buf = append(buf, o.quote)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == o.quote || c == o.escape {
			buf = append(buf, o.escape)
		}
		buf = append(buf, c)
	}
	return append(buf, o.quote)
}
