package server

import (
	"context"
	"io"

	"github.com/quiverdb/quiver/executor"
	"github.com/quiverdb/quiver/sql/pgdialect"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// Session is what a connection needs from the executor's session. It lets
// protocol tests substitute a scripted session; *executor.Session satisfies
// it.
type Session interface {
	Parse(sql string) ([]pgdialect.Parsed, error)
	Prepare(ctx context.Context, p pgdialect.Parsed, paramTypes []*types.T) (*executor.Prepared, error)
	Execute(ctx context.Context, p *executor.Prepared, params []types.Datum) (executor.Result, error)
	TxnStatus() byte
	TakeNotices() []*pgerror.Error
	ChangedParameters() map[string]string
	ParameterStatus() map[string]string
	Close()
}

// implicitTxnSession is implemented by sessions that can group several
// statements into one implicit transaction (a multi-statement simple query,
// an extended-protocol batch up to Sync), as PostgreSQL does.
type implicitTxnSession interface {
	StartImplicit()
	EndImplicit(ctx context.Context) error
}

// failureRecorder is implemented by sessions that can be told a statement
// failed outside their own Prepare/Execute (a parse, bind or protocol
// error, a panic): inside a block the transaction becomes aborted, an
// implicit transaction is rolled back — PostgreSQL's rule for any error.
type failureRecorder interface {
	StatementFailed()
}

// paramTyper is implemented by sessions whose prepared statements'
// parameter types may need refreshing before a Bind's values are read
// (an enum's labels changed since the statement was prepared).
type paramTyper interface {
	ParamTypes(p *executor.Prepared) ([]*types.T, error)
}

// implicitAborter is implemented by sessions that can drop an implicit
// transaction after a failure the session itself did not see (a panic, a
// row that could not be encoded).
type implicitAborter interface {
	AbortImplicit()
}

// settingSession is implemented by sessions that expose their settings;
// the server reads statement_timeout from it, since it owns the statement's
// context.
type settingSession interface {
	Setting(name string) (string, bool)
}

// SessionFactory opens sessions for new connections.
type SessionFactory interface {
	NewSession(ctx context.Context, opts executor.SessionOptions) (Session, error)
}

// EngineSessions adapts an executor engine to SessionFactory.
func EngineSessions(e *executor.Engine) SessionFactory { return engineSessions{e} }

type engineSessions struct{ e *executor.Engine }

func (a engineSessions) NewSession(ctx context.Context, opts executor.SessionOptions) (Session, error) {
	s, err := a.e.NewSession(ctx, opts)
	if err != nil {
		// Returned as a bare error so a nil *executor.Session never becomes a
		// non-nil Session.
		return nil, err
	}
	return s, nil
}

// copySession is implemented by sessions that run COPY FROM STDIN and
// COPY TO STDOUT; the connection drives the sub-protocol around them.
type copySession interface {
	CopyIn(ctx context.Context, p *executor.Prepared, start executor.CopyStart, src io.Reader) (string, error)
	CopyOut(ctx context.Context, p *executor.Prepared, start executor.CopyStart, emit func([]byte) error) (string, error)
}
