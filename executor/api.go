// Package executor owns sessions and transactions, the physical operators,
// expression evaluation and the execution of DDL, DML and utility
// statements. The server hands it parsed statements and parameters and
// reads back result columns and rows.
package executor

import (
	"context"

	"github.com/quiverdb/quiver/sql/pgdialect"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// Engine is the shared, server-wide state sessions run against.
type Engine struct {
	store *storage.Engine
}

// NewEngine wraps an open store.
func NewEngine(store *storage.Engine) *Engine { return &Engine{store: store} }

// SessionOptions are the start-up parameters of a connection.
type SessionOptions struct {
	User     string
	Database string
	// Settings are startup parameters and `-c key=value` options
	// (application_name, search_path, DateStyle, TimeZone, ...).
	Settings map[string]string
	// BackendPID identifies the session (pg_backend_pid, cancel keys).
	BackendPID int32
}

// Session is one connection's state. Not safe for concurrent use, except
// Cancel.
type Session struct{}

// NewSession opens a session; an unknown database is 3D000.
func (e *Engine) NewSession(ctx context.Context, opts SessionOptions) (*Session, error) {
	return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "executor not implemented")
}

// ResultColumn describes one column of a result (RowDescription).
type ResultColumn struct {
	Name     string
	Type     *types.T
	TableOID uint32 // 0 when not a plain table column
	AttNum   int16
}

// Prepared is a statement parsed, bound and planned once, executable many
// times with different parameters.
type Prepared struct {
	Parsed pgdialect.Parsed
	// Params are the inferred parameter types ($1 is Params[0]).
	Params []*types.T
	// Columns is nil for statements that return no rows.
	Columns []ResultColumn
}

// Result is a running statement's output.
type Result interface {
	// Columns describes the rows (nil for no rows).
	Columns() []ResultColumn
	// Next returns the next row or nil at the end.
	Next(ctx context.Context) ([]types.Datum, error)
	// Tag is the CommandComplete tag, valid after Next returned nil
	// ("SELECT 3", "INSERT 0 1", "CREATE TABLE").
	Tag() string
	// Close releases resources; the statement's effects are final only
	// after Close returned nil (autocommit commits here).
	Close() error
}

// Parse parses a query string into statements.
func (s *Session) Parse(sql string) ([]pgdialect.Parsed, error) { return pgdialect.Parse(sql) }

// Prepare binds and plans a parsed statement. paramTypes may be shorter
// than the statement's parameters or hold nil for "infer".
func (s *Session) Prepare(ctx context.Context, p pgdialect.Parsed, paramTypes []*types.T) (*Prepared, error) {
	return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "executor not implemented")
}

// Execute runs a prepared statement with parameter values.
func (s *Session) Execute(ctx context.Context, p *Prepared, params []types.Datum) (Result, error) {
	return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "executor not implemented")
}

// TxnStatus is the ReadyForQuery status byte: 'I' idle, 'T' in a
// transaction block, 'E' in a failed transaction block.
func (s *Session) TxnStatus() byte { return 'I' }

// TakeNotices returns and clears notices raised since the last call.
func (s *Session) TakeNotices() []*pgerror.Error { return nil }

// ChangedParameters returns and clears the reported settings
// (ParameterStatus) changed since the last call.
func (s *Session) ChangedParameters() map[string]string { return nil }

// ParameterStatus returns the initial ParameterStatus set.
func (s *Session) ParameterStatus() map[string]string { return nil }

// Close ends the session, rolling back any open transaction.
func (s *Session) Close() {}
