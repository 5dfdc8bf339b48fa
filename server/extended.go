package server

import (
	"context"
	"errors"
	"runtime/debug"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/quiverdb/quiver/executor"
	"github.com/quiverdb/quiver/sql/pgdialect"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

type parsedStmt = pgdialect.Parsed

// portal is a bound statement, possibly suspended part-way through its
// rows.
type portal struct {
	prep    *executor.Prepared
	params  []types.Datum
	formats []int16
	// res is the running result once Execute started it; ctx lives as
	// long as the portal so a suspended result can resume.
	res    executor.Result
	ctx    context.Context
	cancel context.CancelFunc
	done   bool
}

// close releases the portal's result; the error is the result's own (an
// autocommit statement commits on Close).
func (p *portal) close() error {
	var err error
	if p.res != nil && !p.done {
		err = p.res.Close()
	}
	p.done = true
	if p.cancel != nil {
		p.cancel()
	}
	return err
}

// errWrite marks a failure to write to the client, which ends the
// connection rather than being reported.
type errWrite struct{ err error }

func (e *errWrite) Error() string { return e.err.Error() }
func (e *errWrite) Unwrap() error { return e.err }

// extended runs one extended-protocol message. After an error PostgreSQL
// discards messages until Sync, and so does this.
func (c *conn) extended(f func() error) bool {
	err := c.guard(f)
	if err == nil {
		return true
	}
	var we *errWrite
	if errors.As(err, &we) {
		c.log.Debug("writing result", "err", we.err)
		return false
	}
	c.statementFailed(c.batchImplicit)
	c.sendNotices()
	c.sendError(err)
	c.ignoreTillSync = true
	return true
}

// statementFailed applies PostgreSQL's rule that any error aborts the
// transaction, for errors the session may not have seen itself.
// implicitOpen says whether the server started an implicit transaction.
func (c *conn) statementFailed(implicitOpen bool) {
	if fr, ok := c.sess.(failureRecorder); ok && c.sess != nil {
		c.batchImplicit = false
		func() {
			defer func() {
				if r := recover(); r != nil {
					c.log.Error("panic recording a failed statement", "panic", r, "stack", string(debug.Stack()))
				}
			}()
			fr.StatementFailed()
		}()
		return
	}
	if _, ok := c.sess.(implicitAborter); ok {
		if implicitOpen {
			c.abortImplicit()
		}
		return
	}
	c.batchImplicit = false
	c.failInSession()
}

// abortImplicit drops an implicit transaction after an error the session
// may not have seen.
func (c *conn) abortImplicit() {
	c.batchImplicit = false
	if a, ok := c.sess.(implicitAborter); ok {
		defer func() {
			if r := recover(); r != nil {
				c.log.Error("panic aborting implicit transaction", "panic", r, "stack", string(debug.Stack()))
			}
		}()
		a.AbortImplicit()
		return
	}
	c.failInSession()
}

// failInSession makes the session run a statement that always fails, for
// sessions without StatementFailed: its own failure handling then aborts a
// block or rolls back an implicit transaction, as any failed statement
// does. The error itself is not the client's business.
func (c *conn) failInSession() {
	if c.sess == nil || c.sess.TxnStatus() == 'E' {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("panic aborting the transaction", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	prep := &executor.Prepared{Parsed: pgdialect.Parsed{Stmt: &tree.Unsupported{What: "a statement after an error"}}}
	if res, err := c.sess.Execute(c.srv.baseCtx, prep, nil); err == nil {
		// Only a session that ignores unsupported statements gets here.
		_ = res.Close()
	}
}

func (c *conn) handleSync() bool {
	c.ignoreTillSync = false
	err := c.guard(func() error {
		var errs []error
		if c.sess.TxnStatus() == 'I' {
			// Outside a block the transaction ends at Sync and takes its
			// portals with it.
			for name, p := range c.portals {
				if err := p.close(); err != nil {
					errs = append(errs, err)
				}
				delete(c.portals, name)
			}
		}
		if c.batchImplicit && len(errs) == 0 {
			if im, ok := c.sess.(implicitTxnSession); ok {
				if err := im.EndImplicit(c.srv.baseCtx); err != nil {
					errs = append(errs, err)
				}
			}
		}
		if len(errs) > 0 {
			return errs[0]
		}
		return nil
	})
	if err != nil {
		c.statementFailed(c.batchImplicit)
	}
	c.batchImplicit = false
	c.sendNotices()
	if err != nil {
		c.sendError(err)
	}
	return c.readyForQuery()
}

// dropUnnamed forgets the unnamed statement and portal, as a simple Query
// does in PostgreSQL.
func (c *conn) dropUnnamed() {
	delete(c.stmts, "")
	if p, ok := c.portals[""]; ok {
		if err := p.close(); err != nil {
			c.log.Debug("closing unnamed portal", "err", err)
		}
		delete(c.portals, "")
	}
}

func (c *conn) handleParse(m *pgproto3.Parse) error {
	name := m.Name
	if _, ok := c.stmts[name]; ok && name != "" {
		return pgerror.New("42P05", "prepared statement \"%s\" already exists", name)
	}
	ps, err := c.sess.Parse(m.Query)
	if err != nil {
		return err
	}
	if len(ps) > 1 {
		return pgerror.New(pgerror.CodeSyntaxError, "cannot insert multiple commands into a prepared statement")
	}
	paramTypes := make([]*types.T, len(m.ParameterOIDs))
	for i, oid := range m.ParameterOIDs {
		if oid == 0 {
			continue
		}
		t := types.ByOID(oid)
		if t == nil {
			return pgerror.New(pgerror.CodeUndefinedObject, "type with OID %d does not exist", oid)
		}
		if t.Family != types.FamUnknown {
			paramTypes[i] = t
		}
	}
	ctx, cancel := context.WithCancel(c.srv.baseCtx)
	defer cancel()
	defer c.running(cancel)()
	prep, err := c.sess.Prepare(ctx, ps[0], paramTypes)
	if err != nil {
		return err
	}
	c.stmts[name] = prep
	return c.send(&pgproto3.ParseComplete{}, 5)
}

func stmtMissing(name string) error {
	if name == "" {
		return pgerror.New(pgerror.CodeUndefinedPreparedStatement, "unnamed prepared statement does not exist")
	}
	return pgerror.New(pgerror.CodeUndefinedPreparedStatement, "prepared statement \"%s\" does not exist", name)
}

func portalMissing(name string) error {
	return pgerror.New(pgerror.CodeInvalidCursorName, "portal \"%s\" does not exist", name)
}

func (c *conn) handleBind(m *pgproto3.Bind) error {
	prep, ok := c.stmts[m.PreparedStatement]
	if !ok {
		return stmtMissing(m.PreparedStatement)
	}
	if old, ok := c.portals[m.DestinationPortal]; ok {
		if m.DestinationPortal != "" {
			return pgerror.New("42P03", "portal \"%s\" already exists", m.DestinationPortal)
		}
		if err := old.close(); err != nil {
			return err
		}
		delete(c.portals, "")
	}
	nParams := len(prep.Params)
	if len(m.Parameters) != nParams {
		return pgerror.New(pgerror.CodeProtocolViolation,
			"bind message supplies %d parameters, but prepared statement \"%s\" requires %d",
			len(m.Parameters), m.PreparedStatement, nParams)
	}
	if n := len(m.ParameterFormatCodes); n > 1 && n != nParams {
		return pgerror.New(pgerror.CodeProtocolViolation,
			"bind message has %d parameter formats but %d parameters", n, nParams)
	}
	paramTypes := prep.Params
	if pt, ok := c.sess.(paramTyper); ok {
		var err error
		if paramTypes, err = pt.ParamTypes(prep); err != nil {
			return err
		}
	}
	params := make([]types.Datum, nParams)
	for i, raw := range m.Parameters {
		if raw == nil {
			params[i] = types.DNull{}
			continue
		}
		t := paramTypes[i]
		if t == nil || t.Family == types.FamUnknown {
			// An untyped parameter nobody inferred is text, as in
			// PostgreSQL's unknown-literal handling.
			t = types.Text
		}
		var d types.Datum
		var err error
		switch formatFor(m.ParameterFormatCodes, i) {
		case 0:
			d, err = types.ParseText(t, string(raw))
		case 1:
			d, err = types.DecodeBinary(t, raw)
			var pe *pgerror.Error
			if err != nil && !errors.As(err, &pe) {
				err = pgerror.New(pgerror.CodeInvalidBinaryRepresentation, "incorrect binary data format in bind parameter %d", i+1)
			}
		default:
			err = pgerror.New(pgerror.CodeProtocolViolation, "unsupported format code: %d", formatFor(m.ParameterFormatCodes, i))
		}
		if err != nil {
			return err
		}
		params[i] = d
	}
	nCols := len(prep.Columns)
	formats := append([]int16(nil), m.ResultFormatCodes...)
	if n := len(formats); n > 1 && n != nCols {
		return pgerror.New(pgerror.CodeProtocolViolation, "bind message has %d result formats but query has %d columns", n, nCols)
	}
	for _, f := range formats {
		if f != 0 && f != 1 {
			return pgerror.New(pgerror.CodeProtocolViolation, "unsupported format code: %d", f)
		}
	}
	c.portals[m.DestinationPortal] = &portal{prep: prep, params: params, formats: formats}
	return c.send(&pgproto3.BindComplete{}, 5)
}

func (c *conn) handleDescribe(m *pgproto3.Describe) error {
	switch m.ObjectType {
	case 'S':
		prep, ok := c.stmts[m.Name]
		if !ok {
			return stmtMissing(m.Name)
		}
		oids := make([]uint32, len(prep.Params))
		for i, t := range prep.Params {
			if t == nil || t.Family == types.FamUnknown {
				// Reported as text, which is how Bind will read it.
				t = types.Text
			}
			oids[i] = t.OID()
		}
		c.be.Send(&pgproto3.ParameterDescription{ParameterOIDs: oids})
		return c.describeColumns(prep.Columns, nil)
	case 'P':
		p, ok := c.portals[m.Name]
		if !ok {
			return portalMissing(m.Name)
		}
		return c.describeColumns(p.prep.Columns, p.formats)
	}
	return pgerror.New(pgerror.CodeProtocolViolation, "invalid DESCRIBE message subtype %d", m.ObjectType)
}

func (c *conn) describeColumns(cols []executor.ResultColumn, formats []int16) error {
	if cols == nil {
		return c.send(&pgproto3.NoData{}, 5)
	}
	return c.send(rowDescription(cols, formats), 64*len(cols))
}

func (c *conn) handleExecute(m *pgproto3.Execute) error {
	p, ok := c.portals[m.Portal]
	if !ok {
		return portalMissing(m.Portal)
	}
	if p.done {
		// PostgreSQL answers a finished portal with an empty completion.
		return c.send(&pgproto3.CommandComplete{CommandTag: []byte(commandWord(p))}, 16)
	}
	stmt := p.prep.Parsed.Stmt
	if _, ok := stmt.(*tree.Empty); ok {
		p.done = true
		return c.send(&pgproto3.EmptyQueryResponse{}, 5)
	}
	if n, ok := stmt.(*tree.Copy); ok {
		p.done = true
		cs, ok := c.sess.(copySession)
		if !ok {
			return pgerror.New(pgerror.CodeFeatureNotSupported, "COPY is not supported yet")
		}
		ctx, cancel := c.statementContext()
		defer cancel()
		defer c.running(cancel)()
		if im, ok := c.sess.(implicitTxnSession); ok && !c.batchImplicit && c.sess.TxnStatus() == 'I' {
			im.StartImplicit()
			c.batchImplicit = true
		}
		var writeErr error
		err := c.copyPrepared(ctx, cs, p.prep, n, &writeErr)
		if writeErr != nil {
			return &errWrite{writeErr}
		}
		return err
	}
	if p.ctx == nil {
		p.ctx, p.cancel = c.statementContext()
	}
	defer c.running(p.cancel)()
	if p.res == nil {
		if im, ok := c.sess.(implicitTxnSession); ok && !c.batchImplicit && c.sess.TxnStatus() == 'I' {
			im.StartImplicit()
			c.batchImplicit = true
		}
		res, err := c.sess.Execute(p.ctx, p.prep, p.params)
		if err != nil {
			p.done = true
			return err
		}
		p.res = res
		c.sendNotices()
	}
	cols := p.res.Columns()
	if cols == nil {
		cols = p.prep.Columns
	}
	var writeErr error
	done, err := c.streamRows(p.ctx, p.res, cols, p.formats, int64(m.MaxRows), &writeErr)
	if writeErr != nil {
		p.done = true
		return &errWrite{writeErr}
	}
	if err != nil {
		p.done = true
		return err
	}
	if !done {
		return c.send(&pgproto3.PortalSuspended{}, 5)
	}
	p.done = true
	c.sendNotices()
	return c.send(&pgproto3.CommandComplete{CommandTag: []byte(p.res.Tag())}, 32)
}

// commandWord is the tag of an Execute on a portal that already finished:
// PostgreSQL reports zero rows for queries.
func commandWord(p *portal) string {
	if p.prep.Columns != nil {
		return "SELECT 0"
	}
	if p.res != nil {
		return p.res.Tag()
	}
	return ""
}

func (c *conn) handleClose(m *pgproto3.Close) error {
	switch m.ObjectType {
	case 'S':
		delete(c.stmts, m.Name)
	case 'P':
		if p, ok := c.portals[m.Name]; ok {
			delete(c.portals, m.Name)
			if err := p.close(); err != nil {
				return err
			}
		}
	default:
		return pgerror.New(pgerror.CodeProtocolViolation, "invalid CLOSE message subtype %d", m.ObjectType)
	}
	return c.send(&pgproto3.CloseComplete{}, 5)
}
