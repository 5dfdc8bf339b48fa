// Package executor owns sessions and transactions, the physical operators,
// expression evaluation and the execution of DDL, DML and utility
// statements. The server hands it parsed statements and parameters and
// reads back result columns and rows.
package executor

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/quiverdb/quiver/executor/pgcatalog"
	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgdialect"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// Engine is the shared, server-wide state sessions run against.
type Engine struct {
	store  *storage.Engine
	vindex vectorIndexes
	checks checkCache
	// partials caches partial b-tree indexes' compiled predicates
	// (partialIndexHolds).
	partials partialPredicates
	notify   notifyBroker
	// advisory is the server's advisory lock table.
	advisory advisoryLocks
	// tempIDs numbers the temporary schemas of sessions without a
	// backend pid (in-process sessions), above any pid.
	tempIDs atomic.Int32
}

// begin starts a transaction whose writes vector indexes follow.
func (e *Engine) begin() *storage.Txn {
	// Tracked before its snapshot is taken, so index builds never miss
	// a transaction that reads an older catalog.
	vt := &vectorTxn{eng: e}
	e.track(vt)
	t := e.store.Begin()
	e.setReadTs(vt, t.ReadTs())
	t.Observe(vt)
	return t
}

// NewEngine wraps an open store.
func NewEngine(store *storage.Engine) *Engine {
	e := &Engine{store: store}
	store.SetIndexPredicate(e.partialIndexHolds)
	return e
}

// Store returns the underlying store.
func (e *Engine) Store() *storage.Engine { return e.store }

// SessionOptions are the start-up parameters of a connection.
type SessionOptions struct {
	User     string
	Database string
	// Settings are startup parameters and `-c key=value` options
	// (application_name, search_path, DateStyle, TimeZone, ...).
	Settings map[string]string
	// BackendPID identifies the session (pg_backend_pid, cancel keys).
	BackendPID int32
	// Backends reaches the server's other sessions (pg_cancel_backend,
	// pg_terminate_backend, pg_stat_activity); nil outside a server.
	Backends Backends
}

// ResultColumn describes one column of a result (RowDescription).
type ResultColumn struct {
	Name     string
	Type     *types.T
	TableOID uint32 // 0 when not a plain table column
	AttNum   int16
}

// Prepared is a statement parsed and bound once, executable many times.
type Prepared struct {
	Parsed pgdialect.Parsed
	// Params are the parameter types ($1 is Params[0]).
	Params []*types.T
	// Columns is nil for statements that return no rows.
	Columns []ResultColumn

	mu      sync.Mutex
	plan    any              // cached plan for the catalog it was bound against
	planCat *storage.Catalog // catalog the cached plan belongs to
}

// Result is a running statement's output.
type Result interface {
	Columns() []ResultColumn
	// Next returns the next row or nil at the end.
	Next(ctx context.Context) ([]types.Datum, error)
	// Tag is the CommandComplete tag, valid after Next returned nil.
	Tag() string
	// Close releases resources; an autocommit statement commits here, so
	// its effects are final only when Close returned nil.
	Close() error
}

// Session is one connection's state. Not safe for concurrent use.
type Session struct {
	eng    *Engine
	user   string
	db     *catalog.Database
	pid    int32
	tempID int32 // names the temporary schema pg_temp_<tempID> (temp.go)
	// onCommitTables are temporary tables with an ON COMMIT action.
	onCommitTables []onCommitTable
	backends       Backends
	settings       map[string]string // lower-case name -> value
	local          map[string]string // SET LOCAL values saved for restore
	// txnModes are the block's BEGIN / SET TRANSACTION modes (isolation
	// level, read only), over default_transaction_*; cleared at its end.
	txnModes map[string]string
	changed  map[string]string
	notices  []*pgerror.Error
	// deferredFK holds the INITIALLY DEFERRED foreign key checks the open
	// transaction owes at commit.
	deferredFK deferredFKs

	txn *storage.Txn // open transaction: a block's, or an implicit one
	// stmtTxn is the transaction the running statement uses (the block's,
	// or its own autocommit one), for txid_current; cleared when an
	// autocommit statement ends so a finished transaction's write buffer
	// is not kept alive.
	stmtTxn *storage.Txn
	inBlock bool
	// enumPending says the transaction added enum labels that its commit
	// must make usable (settleEnumLabels).
	enumPending bool
	// implicit is set while a multi-statement simple query runs in one
	// implicit transaction (PostgreSQL's behaviour without BEGIN).
	implicit bool
	failed   bool
	txnStart time.Time
	// savepoints is the stack of open savepoints of the block.
	savepoints []namedSavepoint
	cursors    map[string]*cursor
	seqCurr    map[catalog.ID]int64
	prepared   map[string]*Prepared
	// lastStats is the storage work of the last statement's transaction
	// (cumulative inside a block), for tests and EXPLAIN ANALYZE.
	lastStats storage.Stats
	notify    sessionNotify
	advisory  sessionAdvisory
}

// LastStats reports the storage counters of the most recent statement.
func (s *Session) LastStats() storage.Stats { return s.lastStats }

// NewSession opens a session; an unknown database is 3D000.
func (e *Engine) NewSession(ctx context.Context, opts SessionOptions) (*Session, error) {
	s := &Session{
		eng:      e,
		user:     opts.User,
		pid:      opts.BackendPID,
		backends: opts.Backends,
		settings: map[string]string{},
		changed:  map[string]string{},
		seqCurr:  map[catalog.ID]int64{},
		prepared: map[string]*Prepared{},
	}
	if s.user == "" {
		s.user = "postgres"
	}
	dbName := opts.Database
	if dbName == "" {
		dbName = s.user
	}
	txn := e.store.Begin()
	defer txn.Rollback()
	cat, err := txn.Catalog()
	if err != nil {
		return nil, fmt.Errorf("load catalog: %w", err)
	}
	s.db = cat.DatabaseByName(dbName)
	if s.db == nil {
		return nil, pgerror.New(pgerror.CodeInvalidCatalogName, "database \"%s\" does not exist", dbName)
	}
	s.settings["session_authorization"] = s.user
	if r := cat.RoleByName(s.user); r != nil && !r.Superuser {
		s.settings["is_superuser"] = "off"
	}
	for k, v := range opts.Settings {
		switch strings.ToLower(k) {
		case "user", "database", "options", "replication":
			continue
		}
		if err := s.setSetting(k, v, false); err != nil {
			return nil, err
		}
	}
	s.changed = map[string]string{}
	s.tempID = s.pid
	if s.tempID == 0 {
		s.tempID = 1<<30 + e.tempIDs.Add(1)
	}
	// A temporary schema of this pid left by a crash is dropped now.
	if err := s.dropTempSchema(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Close ends the session, rolling back any open transaction and dropping
// its temporary tables.
func (s *Session) Close() {
	if s.txn != nil {
		s.txn.Rollback()
		s.txn = nil
	}
	s.notifyAborted()
	s.unlistenAll()
	s.advisoryClosed()
	if err := s.dropTempSchema(context.Background()); err != nil {
		s.eng.store.Logger().Warn("dropping temporary tables at session end", "pid", s.pid, "err", err)
	}
}

// TxnStatus is the ReadyForQuery status byte.
func (s *Session) TxnStatus() byte {
	switch {
	case s.failed:
		return 'E'
	case s.inBlock:
		return 'T'
	}
	return 'I'
}

// TakeNotices returns and clears notices raised since the last call.
func (s *Session) TakeNotices() []*pgerror.Error {
	n := s.notices
	s.notices = nil
	return n
}

func (s *Session) notice(format string, args ...any) {
	s.notices = append(s.notices, pgerror.Notice(format, args...))
}

// ChangedParameters returns and clears the reported settings changed since
// the last call.
func (s *Session) ChangedParameters() map[string]string {
	if len(s.changed) == 0 {
		return nil
	}
	c := s.changed
	s.changed = map[string]string{}
	return c
}

// ParameterStatus returns the initial ParameterStatus set.
func (s *Session) ParameterStatus() map[string]string {
	out := map[string]string{}
	for _, d := range settingDefs {
		if d.reported {
			out[d.name] = s.Setting0(d.name)
		}
	}
	return out
}

// Setting0 returns a setting's current value ("" when unknown).
func (s *Session) Setting0(name string) string {
	v, _ := s.Setting(name)
	return v
}

// Setting implements builtins.Session.
func (s *Session) Setting(name string) (string, bool) {
	key := strings.ToLower(name)
	if mode, ok := txnModeDefaults[key]; ok {
		// A transaction's mode is its block's, else the session default.
		if v, ok := s.txnModes[key]; ok {
			return v, true
		}
		key = mode
	}
	if v, ok := s.settings[key]; ok {
		return v, true
	}
	if d, ok := settingDefs[key]; ok {
		return d.def, true
	}
	return "", false
}

// SetSetting implements builtins.Session (set_config).
func (s *Session) SetSetting(name, value string, local bool) error {
	return s.setSetting(name, value, local)
}

func (s *Session) setSetting(name, value string, local bool) error {
	d, err := lookupSetting(name)
	if err != nil {
		return err
	}
	if _, ok := txnModeDefaults[strings.ToLower(d.name)]; ok {
		return s.setTxnMode(d, value)
	}
	if strings.EqualFold(d.name, "role") {
		if err := s.checkSetRole(value); err != nil {
			return err
		}
	}
	if d.readOnly {
		if cur, _ := s.Setting(d.name); cur == value || strings.EqualFold(d.name, "session_authorization") {
			if strings.EqualFold(d.name, "session_authorization") {
				s.settings["session_authorization"] = value
			}
			return nil
		}
		if d.restart {
			return pgerror.New("55P02", "parameter \"%s\" cannot be changed without restarting the server", d.name)
		}
		return pgerror.New("55P02", "parameter \"%s\" cannot be changed", d.name)
	}
	if d.check != nil {
		if value, err = d.check(value); err != nil {
			return err
		}
	}
	key := strings.ToLower(d.name)
	if strings.EqualFold(key, "timezone") {
		if _, err := loadLocation(value); err != nil {
			return err
		}
	}
	if local && s.inBlock {
		if s.local == nil {
			s.local = map[string]string{}
		}
		if _, saved := s.local[key]; !saved {
			s.local[key], _ = s.Setting(key)
		}
	}
	s.settings[key] = value
	if d.reported {
		s.changed[d.name] = value
	}
	return nil
}

// txnModeDefaults maps each transaction mode parameter to the session
// default it starts from.
var txnModeDefaults = map[string]string{
	"transaction_isolation": "default_transaction_isolation",
	"transaction_read_only": "default_transaction_read_only",
}

// setTxnMode sets a mode of the open block (SET TRANSACTION, BEGIN's
// modes, SET transaction_isolation). Outside a block PostgreSQL warns
// and changes nothing.
func (s *Session) setTxnMode(d settingDef, value string) error {
	if d.check != nil {
		var err error
		if value, err = d.check(value); err != nil {
			return err
		}
	}
	if !s.inBlock {
		w := pgerror.Notice("SET TRANSACTION can only be used in transaction blocks")
		w.Severity, w.Code = "WARNING", pgerror.CodeNoActiveSQLTransaction
		s.notices = append(s.notices, w)
		return nil
	}
	if s.txnModes == nil {
		s.txnModes = map[string]string{}
	}
	s.txnModes[strings.ToLower(d.name)] = value
	return nil
}

// applyTxnModes applies BEGIN's or SET TRANSACTION's modes ("isolation
// level serializable", "read only", ...) to the open block, or, for SET
// SESSION CHARACTERISTICS, to the session's defaults.
func (s *Session) applyTxnModes(modes []string, session bool) error {
	for _, m := range modes {
		name, value := "", ""
		switch {
		case strings.HasPrefix(m, "isolation level "):
			name, value = "transaction_isolation", strings.TrimPrefix(m, "isolation level ")
		case m == "read only":
			name, value = "transaction_read_only", "on"
		case m == "read write":
			name, value = "transaction_read_only", "off"
		default: // [NOT] DEFERRABLE: only serializable read-only blocks wait
			continue
		}
		if session {
			name = txnModeDefaults[name]
		}
		if err := s.setSetting(name, value, false); err != nil {
			return err
		}
	}
	return nil
}

func loadLocation(name string) (*time.Location, error) {
	switch strings.ToUpper(name) {
	case "UTC", "GMT", "Z", "ZULU", "UCT":
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "invalid value for parameter \"TimeZone\": \"%s\"", name)
	}
	return loc, nil
}

// CurrentUser implements builtins.Session.
func (s *Session) CurrentUser() string { return s.user }

// CurrentDatabase implements builtins.Session.
func (s *Session) CurrentDatabase() string { return s.db.Name }

// BackendPID implements builtins.Session.
func (s *Session) BackendPID() int32 { return s.pid }

// SearchPath implements builtins.Session: the schemas of search_path
// that exist, in order (what current_schemas(false) shows).
func (s *Session) SearchPath() []string {
	txn, release := s.readTxn()
	defer release()
	cat, err := txn.Catalog()
	if err != nil {
		return nil
	}
	var out []string
	for _, name := range s.searchPathSetting() {
		if cat.SchemaByName(s.db.ID, name) != nil {
			out = append(out, name)
		}
	}
	return out
}

// searchPathSetting parses search_path, resolving "$user".
func (s *Session) searchPathSetting() []string {
	raw, _ := s.Setting("search_path")
	var out []string
	for _, p := range strings.Split(raw, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if len(p) >= 2 && p[0] == '"' && p[len(p)-1] == '"' {
			p = strings.ReplaceAll(p[1:len(p)-1], `""`, `"`)
		} else {
			p = strings.ToLower(p)
		}
		switch p {
		case "$user":
			p = s.user
		case "pg_temp":
			p = s.tempSchemaName()
		}
		out = append(out, p)
	}
	return out
}

// NextVal implements builtins.Session.
func (s *Session) NextVal(ctx context.Context, name string) (int64, error) {
	seq, err := s.sequenceByName(name)
	if err != nil {
		return 0, err
	}
	return s.nextVal(ctx, seq)
}

// CurrVal implements builtins.Session.
func (s *Session) CurrVal(name string) (int64, error) {
	seq, err := s.sequenceByName(name)
	if err != nil {
		return 0, err
	}
	return s.currVal(seq)
}

// SetVal implements builtins.Session.
func (s *Session) SetVal(ctx context.Context, name string, v int64, isCalled bool) (int64, error) {
	seq, err := s.sequenceByName(name)
	if err != nil {
		return 0, err
	}
	if err := s.refuseSequenceChange(seq, "setval()"); err != nil {
		return 0, err
	}
	if v < seq.Min || v > seq.Max {
		return 0, pgerror.New(pgerror.CodeNumericValueOutOfRange, "setval: value %d is out of bounds for sequence \"%s\" (%d..%d)", v, seq.Name, seq.Min, seq.Max)
	}
	if err := s.eng.store.SetVal(ctx, seq, v, isCalled); err != nil {
		return 0, err
	}
	if isCalled {
		s.seqCurr[seq.ID] = v
	}
	return v, nil
}

func (s *Session) nextVal(ctx context.Context, seq *catalog.Sequence) (int64, error) {
	if err := s.refuseSequenceChange(seq, "nextval()"); err != nil {
		return 0, err
	}
	v, err := s.eng.store.NextVal(ctx, seq)
	if err != nil {
		return 0, err
	}
	s.seqCurr[seq.ID] = v
	return v, nil
}

func (s *Session) currVal(seq *catalog.Sequence) (int64, error) {
	v, ok := s.seqCurr[seq.ID]
	if !ok {
		return 0, pgerror.New("55000", "currval of sequence \"%s\" is not yet defined in this session", seq.Name)
	}
	return v, nil
}

func (s *Session) sequenceByName(name string) (*catalog.Sequence, error) {
	txn := s.txn
	if txn == nil {
		txn = s.eng.store.Begin()
		defer txn.Rollback()
	}
	cat, err := txn.Catalog()
	if err != nil {
		return nil, err
	}
	b := s.binder(cat, nil)
	parts := strings.Split(name, ".")
	for i := range parts {
		p := parts[i]
		if len(p) >= 2 && p[0] == '"' {
			parts[i] = strings.ReplaceAll(p[1:len(p)-1], `""`, `"`)
		} else {
			parts[i] = strings.ToLower(p)
		}
	}
	seq := b.LookupSequence(strings.Join(parts, "."))
	if seq == nil {
		return nil, pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", name)
	}
	return seq, nil
}

// refuseSequenceChange refuses fn's change of seq in a read-only
// transaction unless seq is temporary: PostgreSQL lets only those advance
// there.
func (s *Session) refuseSequenceChange(seq *catalog.Sequence, fn string) error {
	if s.Setting0("transaction_read_only") != "on" {
		return nil
	}
	txn := s.txn
	if txn == nil {
		txn = s.stmtTxn
	}
	if txn != nil {
		if cat, err := txn.Catalog(); err == nil {
			if temp := cat.SchemaByName(s.db.ID, s.tempSchemaName()); temp != nil && temp.ID == seq.SchemaID {
				return nil
			}
		}
	}
	return pgerror.New(pgerror.CodeReadOnlySQLTransaction, "cannot execute %s in a read-only transaction", fn)
}

func (s *Session) binder(cat *storage.Catalog, params []*types.T) *planner.Binder {
	return &planner.Binder{
		Cat:        cat,
		DB:         s.db,
		SearchPath: s.searchPathSetting(),
		TempSchema: s.tempSchemaName(),
		Params:     append([]*types.T(nil), params...),
		ParseExpr:  pgdialect.ParseExpr,
		ParseQuery: pgdialect.ParseQuery,
		Virtual:    pgcatalog.Lookup,
		IndexOID:   pgcatalog.IndexOIDByName,
		Proc:       pgcatalog.ProcsNamed,
	}
}

// Parse parses a query string into statements.
func (s *Session) Parse(sql string) ([]pgdialect.Parsed, error) { return pgdialect.Parse(sql) }

// Prepare binds a parsed statement to learn its parameter and result
// types. paramTypes may be shorter than the statement's parameters or
// hold nil for "infer".
func (s *Session) Prepare(ctx context.Context, p pgdialect.Parsed, paramTypes []*types.T) (*Prepared, error) {
	prep := &Prepared{Parsed: p}
	params := make([]*types.T, max(len(paramTypes), p.NumParams))
	for i := range params {
		if i < len(paramTypes) && paramTypes[i] != nil {
			params[i] = paramTypes[i]
		} else {
			params[i] = types.Unknown
		}
	}
	stmt := p.Stmt
	if ex, ok := stmt.(*tree.Execute); ok {
		target, found := s.prepared[ex.Name]
		if !found {
			return nil, pgerror.New(pgerror.CodeUndefinedPreparedStatement, "prepared statement \"%s\" does not exist", ex.Name)
		}
		prep.Params = params
		prep.Columns = target.Columns
		return prep, nil
	}
	if ex, ok := stmt.(*tree.Explain); ok {
		if _, ok := ex.Stmt.(*tree.Execute); ok {
			prep.Params = params
			prep.Columns = explainColumns
			return prep, nil
		}
	}
	if !needsBinding(stmt) {
		prep.Params = params
		if sh, ok := stmt.(*tree.Show); ok {
			prep.Columns = showColumns(sh)
		}
		if fc, ok := stmt.(*tree.FetchCursor); ok {
			prep.Columns = s.cursorColumns(fc)
		}
		return prep, nil
	}
	if s.failed {
		// Binding would read the catalog of an aborted transaction.
		prep.Params = params
		return prep, nil
	}
	txn, release := s.readTxn()
	defer release()
	cat, err := txn.Catalog()
	if err != nil {
		return nil, err
	}
	b := s.binder(cat, params)
	plan, err := bindStatement(b, stmt)
	if err != nil {
		return nil, err
	}
	b.FinishParams()
	prep.Params = b.Params
	prep.Columns = resultColumns(plan)
	if _, ok := stmt.(*tree.Explain); ok {
		prep.Columns = explainColumns
	}
	prep.plan, prep.planCat = plan, cat
	return prep, nil
}

// readTxn returns the open transaction or a short-lived read transaction.
func (s *Session) readTxn() (*storage.Txn, func()) {
	if s.txn != nil {
		return s.txn, func() {}
	}
	t := s.eng.store.Begin()
	return t, t.Rollback
}

func needsBinding(stmt tree.Statement) bool {
	switch n := stmt.(type) {
	case *tree.Select, *tree.Insert, *tree.Update, *tree.Delete:
		return true
	case *tree.Explain:
		return needsBinding(n.Stmt)
	}
	return false
}

// explained returns the statement EXPLAIN wraps, or stmt itself.
func explained(stmt tree.Statement) tree.Statement {
	if e, ok := stmt.(*tree.Explain); ok {
		return e.Stmt
	}
	return stmt
}

// bindStatement plans a query or DML statement.
func bindStatement(b *planner.Binder, stmt tree.Statement) (planner.Plan, error) {
	switch n := explained(stmt).(type) {
	case *tree.Select:
		return b.BindQuery(n)
	case *tree.Insert:
		return b.BindInsert(n)
	case *tree.Update:
		return b.BindUpdate(n)
	case *tree.Delete:
		return b.BindDelete(n)
	}
	return nil, pgerror.New(pgerror.CodeInternal, "cannot plan %T", stmt)
}

func resultColumns(p planner.Plan) []ResultColumn {
	cols := p.Columns()
	if cols == nil {
		return nil
	}
	out := make([]ResultColumn, 0, len(cols))
	for _, c := range cols {
		if c.Hidden {
			continue
		}
		t := c.T
		if t.Family == types.FamUnknown {
			t = types.Text
		}
		out = append(out, ResultColumn{Name: c.Name, Type: t, TableOID: c.TableOID, AttNum: c.AttNum})
	}
	return out
}

// Execute runs a prepared statement with parameter values.
func (s *Session) Execute(ctx context.Context, p *Prepared, params []types.Datum) (res Result, err error) {
	stmt := p.Parsed.Stmt
	if s.failed {
		switch n := stmt.(type) {
		case *tree.Commit, *tree.Rollback:
			if r, ok := n.(*tree.Rollback); ok && r.Savepoint != "" {
				return s.rollbackToSavepoint(r.Savepoint)
			}
			s.endBlock(false)
			return doneResult("ROLLBACK"), nil
		}
		return nil, pgerror.New(pgerror.CodeInFailedSQLTransaction, "current transaction is aborted, commands ignored until end of transaction block")
	}
	defer func() {
		if err != nil {
			s.StatementFailed()
		}
	}()
	switch n := stmt.(type) {
	case *tree.Empty:
		return doneResult(""), nil
	case *tree.Begin:
		if s.inBlock {
			s.notice("there is already a transaction in progress")
			return doneResult("BEGIN"), nil
		}
		s.inBlock = true
		if s.implicit {
			// BEGIN inside a multi-statement query turns the implicit
			// transaction into a block.
			s.implicit = false
		} else {
			s.txn = s.eng.begin()
		}
		s.txnStart = time.Now()
		if err := s.applyTxnModes(n.Modes, false); err != nil {
			s.inBlock = false
			s.endBlock(false)
			return nil, err
		}
		return doneResult("BEGIN"), nil
	case *tree.Commit:
		if s.implicit {
			s.notice("there is no transaction in progress")
			return doneResult("COMMIT"), s.EndImplicit(ctx)
		}
		if !s.inBlock {
			s.notice("there is no transaction in progress")
			return doneResult("COMMIT"), nil
		}
		err := s.commitTxn(ctx, s.txn)
		s.txn = nil
		s.endBlock(err == nil)
		if err != nil {
			return nil, err
		}
		return doneResult("COMMIT"), nil
	case *tree.Rollback:
		if n.Savepoint != "" {
			return s.rollbackToSavepoint(n.Savepoint)
		}
		if s.implicit {
			s.txn.Rollback()
			s.txn, s.implicit = nil, false
			s.txnEnded(false)
		}
		if !s.inBlock {
			s.notice("there is no transaction in progress")
			return doneResult("ROLLBACK"), nil
		}
		s.endBlock(false)
		return doneResult("ROLLBACK"), nil
	case *tree.Savepoint:
		if !s.inBlock {
			return nil, pgerror.New(pgerror.CodeNoActiveSQLTransaction, "SAVEPOINT can only be used in transaction blocks")
		}
		s.savepoints = append(s.savepoints, namedSavepoint{name: n.Name, sp: s.txn.Savepoint(), notify: s.notifyMark(),
			advisory: len(s.advisory.xact), graphs: s.graphMark()})
		return doneResult("SAVEPOINT"), nil
	case *tree.ReleaseSavepoint:
		return s.releaseSavepoint(n.Name)
	case *tree.Set:
		return s.execSet(n)
	case *tree.Reset:
		return s.execReset(n)
	case *tree.Show:
		return s.execShow(n)
	case *tree.SetTransaction:
		if err := s.applyTxnModes(n.Modes, n.Session); err != nil {
			return nil, err
		}
		return doneResult("SET"), nil
	case *tree.Prepare:
		return s.execPrepareStmt(ctx, n, p.Parsed)
	case *tree.Execute:
		return s.execExecuteStmt(ctx, n)
	case *tree.Deallocate:
		if n.All {
			s.prepared = map[string]*Prepared{}
		} else if _, ok := s.prepared[n.Name]; !ok {
			return nil, pgerror.New(pgerror.CodeUndefinedPreparedStatement, "prepared statement \"%s\" does not exist", n.Name)
		} else {
			delete(s.prepared, n.Name)
		}
		return doneResult("DEALLOCATE"), nil
	case *tree.Discard:
		if s.inBlock && strings.EqualFold(n.What, "all") {
			return nil, pgerror.New(pgerror.CodeActiveSQLTransaction, "DISCARD ALL cannot run inside a transaction block")
		}
		// DISCARD ALL is the other three plus dropping prepared
		// statements, settings, LISTENs and session advisory locks; PLANS
		// keeps the statements.
		what := strings.ToLower(n.What)
		all := what == "all"
		if all || what == "plans" {
			for _, p := range s.prepared {
				p.mu.Lock()
				p.plan, p.planCat = nil, nil
				p.mu.Unlock()
			}
		}
		if all || what == "sequences" {
			s.seqCurr = map[catalog.ID]int64{}
		}
		if all || what == "temp" {
			if err := s.discardTemp(ctx); err != nil {
				return nil, err
			}
		}
		if all {
			s.prepared = map[string]*Prepared{}
			for k := range s.settings {
				if k != "session_authorization" {
					delete(s.settings, k)
				}
			}
			s.unlistenAll()
			s.AdvisoryUnlockAll()
		}
		return doneResult("DISCARD " + strings.ToUpper(what)), nil
	case *tree.Listen, *tree.Unlisten, *tree.Notify:
		return s.execNotifyStmt(n)
	case *tree.Unsupported:
		return nil, notSupportedStmt(n.What)
	case *tree.DeclareCursor:
		return s.declareCursor(ctx, n, params)
	case *tree.FetchCursor:
		return s.fetchCursor(ctx, n)
	case *tree.CloseCursor:
		return s.closeCursor(n)
	case *tree.CreateDatabase, *tree.DropDatabase:
		if s.inBlock {
			what := "CREATE DATABASE"
			if _, ok := n.(*tree.DropDatabase); ok {
				what = "DROP DATABASE"
			}
			return nil, pgerror.New(pgerror.CodeActiveSQLTransaction, "%s cannot run inside a transaction block", what)
		}
	}
	if s.txn != nil || !schemaDDL(p.Parsed.Stmt) {
		return s.execInTxn(ctx, p, params)
	}
	// Every DDL commit writes the catalog's version, so two sessions'
	// DDL on unrelated objects conflicts (40001) where PostgreSQL would
	// at most make one wait for the other's lock. A DDL statement in its
	// own transaction has shown the client nothing but notices yet, so
	// it runs again, as if it had waited.
	notices := len(s.notices)
	for attempt := 1; ; attempt++ {
		res, err := s.execInTxn(ctx, p, params)
		if r, ok := res.(*rowsResult); ok && err == nil && r.it == nil {
			// No rows to stream: commit here, where a conflict can still
			// be retried, rather than when the caller closes the result.
			err = r.Close()
		}
		if err == nil || attempt == ddlAttempts || pgerror.CodeOf(err) != pgerror.CodeSerializationFailure || ctx.Err() != nil {
			return res, err
		}
		s.notices = s.notices[:notices]
		// Jittered, so that sessions that collided do not collide again.
		time.Sleep(time.Duration(attempt)*time.Millisecond + time.Duration(rand.Int64N(int64(attempt)*int64(time.Millisecond))))
	}
}

// checkReadOnly refuses a statement that writes when the transaction is
// read-only (BEGIN READ ONLY, SET TRANSACTION READ ONLY,
// default_transaction_read_only), with PostgreSQL's 25006.
func (s *Session) checkReadOnly(stmt tree.Statement) error {
	what := ""
	switch n := stmt.(type) {
	case *tree.Insert:
		what = "INSERT"
	case *tree.Update:
		what = "UPDATE"
	case *tree.Delete:
		what = "DELETE"
	case *tree.Truncate:
		what = "TRUNCATE TABLE"
	case *tree.RefreshMatview:
		what = "REFRESH MATERIALIZED VIEW"
	case *tree.Copy:
		if n.From {
			what = "COPY FROM"
		}
	case *tree.Select:
		if n.ForUpdate != "" {
			what = "SELECT FOR " + strings.ToUpper(n.ForUpdate)
		}
	default:
		what = ddlCommand(stmt)
	}
	// Most statements read: the setting is consulted only for writes.
	if what == "" || s.Setting0("transaction_read_only") != "on" {
		return nil
	}
	return pgerror.New(pgerror.CodeReadOnlySQLTransaction, "cannot execute %s in a read-only transaction", what)
}

// ddlCommand names a statement that changes only the schema as
// PostgreSQL's messages do ("" for other statements).
func ddlCommand(stmt tree.Statement) string {
	switch n := stmt.(type) {
	case *tree.CreateTable:
		if n.AsSelect != nil {
			return "CREATE TABLE AS"
		}
		return "CREATE TABLE"
	case *tree.DropTable:
		return "DROP TABLE"
	case *tree.CreateIndex:
		return "CREATE INDEX"
	case *tree.DropIndex:
		return "DROP INDEX"
	case *tree.AlterTable:
		if n.View {
			return "ALTER VIEW"
		}
		if n.Matview {
			return "ALTER MATERIALIZED VIEW"
		}
		return "ALTER TABLE"
	case *tree.CreateSchema:
		return "CREATE SCHEMA"
	case *tree.DropSchema:
		return "DROP SCHEMA"
	case *tree.CreateSequence:
		return "CREATE SEQUENCE"
	case *tree.AlterSequence:
		return "ALTER SEQUENCE"
	case *tree.DropSequence:
		return "DROP SEQUENCE"
	case *tree.CreateView:
		if n.Materialized {
			return "CREATE MATERIALIZED VIEW"
		}
		return "CREATE VIEW"
	case *tree.DropView:
		if n.Materialized {
			return "DROP MATERIALIZED VIEW"
		}
		return "DROP VIEW"
	case *tree.CommentOn:
		return "COMMENT"
	case *tree.CreateType:
		return "CREATE TYPE"
	case *tree.DropType:
		return "DROP TYPE"
	case *tree.AlterType:
		return "ALTER TYPE"
	case *tree.AlterOwner:
		return "ALTER " + strings.ToUpper(n.Kind)
	}
	return ""
}

// ddlAttempts bounds the runs of an autocommit DDL statement that keeps
// meeting other sessions' DDL (about a second of waiting in all).
const ddlAttempts = 30

// schemaDDL reports whether stmt changes only the schema: a statement
// Execute may run again after a catalog conflict.
func schemaDDL(stmt tree.Statement) bool { return ddlCommand(stmt) != "" }

func notSupportedStmt(what string) error {
	return pgerror.New(pgerror.CodeFeatureNotSupported, "%s is not supported yet", what)
}

// StatementFailed records a failed statement: inside a block the
// transaction becomes aborted until ROLLBACK; an implicit transaction is
// rolled back at once.
func (s *Session) StatementFailed() {
	if s.inBlock {
		s.failed = true
		// PostgreSQL aborts the (sub)transaction at the error, not at
		// the ROLLBACK (TO SAVEPOINT) that follows, so its locks are
		// released now.
		mark := 0
		if n := len(s.savepoints); n > 0 {
			mark = s.savepoints[n-1].advisory
		}
		s.advisoryRollbackTo(mark)
		return
	}
	if s.implicit {
		s.txn.Rollback()
		s.txn, s.implicit = nil, false
		s.txnEnded(false)
	}
}

// AbortImplicit rolls back an implicit transaction after a failure the
// session did not see itself (a panic, a row the server could not send).
func (s *Session) AbortImplicit() {
	if s.implicit {
		s.txn.Rollback()
		s.txn, s.implicit = nil, false
		s.txnEnded(false)
	}
}

// StartImplicit opens the implicit transaction that makes the statements
// of one multi-statement simple query atomic. Inside a block it does
// nothing.
func (s *Session) StartImplicit() {
	if s.inBlock || s.txn != nil {
		return
	}
	s.txn = s.eng.begin()
	s.implicit = true
}

// EndImplicit commits the implicit transaction StartImplicit opened (if a
// statement has not already ended it).
func (s *Session) EndImplicit(ctx context.Context) error {
	if !s.implicit {
		return nil
	}
	txn := s.txn
	s.txn, s.implicit = nil, false
	if err := s.commitTxn(ctx, txn); err != nil {
		s.txnEnded(false)
		return err
	}
	s.txnEnded(true)
	return nil
}

// commitTxn commits txn after its temporary tables' ON COMMIT actions,
// rolling it back if they fail; the caller delivers or drops the
// transaction's notifications by the outcome.
func (s *Session) commitTxn(ctx context.Context, txn *storage.Txn) error {
	if err := s.applyOnCommit(ctx, txn); err != nil {
		txn.Rollback()
		return err
	}
	if err := s.settleEnumLabels(txn); err != nil {
		txn.Rollback()
		return err
	}
	return txn.Commit(ctx)
}

// endBlock leaves a transaction block; SET LOCAL values are restored.
func (s *Session) endBlock(committed bool) {
	if s.txn != nil {
		s.txn.Rollback()
		s.txn = nil
	}
	for k, v := range s.local {
		s.settings[k] = v
		if d, ok := settingDefs[k]; ok && d.reported {
			s.changed[d.name] = v
		}
	}
	s.local = nil
	s.txnModes = nil
	s.savepoints = nil
	s.closeBlockCursors()
	s.txnEnded(committed)
	s.inBlock, s.failed = false, false
}

// txnEnded does what the end of a transaction owes besides storage: its
// notifications are delivered or dropped, its transaction-level advisory
// locks released.
func (s *Session) txnEnded(committed bool) {
	s.enumPending = false
	if committed {
		s.notifyCommitted()
	} else {
		s.notifyAborted()
	}
	s.advisoryTxnEnded()
}

type namedSavepoint struct {
	name   string
	sp     storage.Savepoint
	notify notifyMark
	// advisory is how many transaction-level advisory locks the
	// transaction had taken.
	advisory int
	graphs   graphMark
}

// findSavepoint returns the innermost open savepoint with that name.
func (s *Session) findSavepoint(name string) (int, error) {
	if !s.inBlock {
		return 0, pgerror.New(pgerror.CodeNoActiveSQLTransaction, "ROLLBACK TO SAVEPOINT can only be used in transaction blocks")
	}
	for i := len(s.savepoints) - 1; i >= 0; i-- {
		if s.savepoints[i].name == name {
			return i, nil
		}
	}
	return 0, pgerror.New("3B001", "savepoint \"%s\" does not exist", name)
}

// rollbackToSavepoint undoes the block's work since the savepoint, which
// stays open, and leaves an aborted block usable again.
func (s *Session) rollbackToSavepoint(name string) (Result, error) {
	i, err := s.findSavepoint(name)
	if err != nil {
		return nil, err
	}
	for _, inner := range s.savepoints[i+1:] {
		s.txn.Release(inner.sp)
	}
	s.savepoints = s.savepoints[:i+1]
	if err := s.txn.RollbackTo(s.savepoints[i].sp); err != nil {
		return nil, err
	}
	s.notifyRollbackTo(s.savepoints[i].notify)
	s.advisoryRollbackTo(s.savepoints[i].advisory)
	s.graphRollbackTo(s.savepoints[i].graphs)
	s.failed = false
	return doneResult("ROLLBACK"), nil
}

// releaseSavepoint closes a savepoint and every one opened after it.
func (s *Session) releaseSavepoint(name string) (Result, error) {
	i, err := s.findSavepoint(name)
	if err != nil {
		return nil, err
	}
	for j := len(s.savepoints) - 1; j >= i; j-- {
		s.txn.Release(s.savepoints[j].sp)
	}
	s.savepoints = s.savepoints[:i]
	return doneResult("RELEASE"), nil
}

// evalContext builds the per-statement context for built-ins.
func (s *Session) evalContext(ctx context.Context) *builtins.EvalContext {
	now := time.Now()
	txnTime := now
	if s.inBlock {
		txnTime = s.txnStart
	}
	return &builtins.EvalContext{Ctx: ctx, StmtTime: now, TxnTime: txnTime, Location: s.location(), Session: s}
}

// execInTxn runs a statement inside the open block or its own autocommit
// transaction.
func (s *Session) execInTxn(ctx context.Context, p *Prepared, params []types.Datum) (Result, error) {
	if err := s.checkReadOnly(p.Parsed.Stmt); err != nil {
		return nil, err
	}
	txn := s.txn
	auto := txn == nil
	if auto {
		txn = s.eng.begin()
	}
	finish := func(ok bool) error {
		s.lastStats = txn.Stats()
		if !auto {
			return nil
		}
		s.stmtTxn = nil
		if !ok {
			txn.Rollback()
			s.txnEnded(false)
			return nil
		}
		if err := s.commitTxn(ctx, txn); err != nil {
			s.txnEnded(false)
			return err
		}
		s.txnEnded(true)
		return nil
	}
	s.stmtTxn = txn
	if !auto && s.readCommitted() {
		s.newStatementSnapshot(txn)
	}
	notices := len(s.notices)
	ec := &execCtx{ctx: ctx, txn: txn, sess: s, eval: s.evalContext(ctx), params: params}
	res, err := s.dispatch(ec, p)
	// A READ COMMITTED statement of its own that met a row changed after
	// its snapshot runs again in a new transaction (rerunOnConcurrentUpdate
	// says why); its first run's work and notices are dropped.
	for attempt := 1; auto && s.reruns(err, attempt); attempt++ {
		_ = finish(false)
		s.notices = s.notices[:notices]
		txn = s.eng.begin()
		s.stmtTxn = txn
		ec = &execCtx{ctx: ctx, txn: txn, sess: s, eval: s.evalContext(ctx), params: params}
		res, err = s.dispatch(ec, p)
	}
	if err != nil {
		_ = finish(false)
		return nil, err
	}
	if r, ok := res.(*rowsResult); ok {
		r.finish = func(ok bool) error {
			err := finish(ok)
			if err != nil || !ok {
				s.StatementFailed()
			}
			return err
		}
		return r, nil
	}
	if err := finish(true); err != nil {
		return nil, err
	}
	return res, nil
}

func (s *Session) dispatch(ec *execCtx, p *Prepared) (Result, error) {
	stmt := p.Parsed.Stmt
	if ex, ok := stmt.(*tree.Explain); ok && needsBinding(stmt) {
		return s.explain(ec, ex, p)
	}
	if ex, ok := stmt.(*tree.Explain); ok {
		if exe, ok := ex.Stmt.(*tree.Execute); ok {
			return s.explainExecute(ec, ex, exe)
		}
	}
	if needsBinding(stmt) {
		plan, err := s.planFor(ec, p)
		if err != nil {
			return nil, err
		}
		switch n := plan.(type) {
		case *planner.Insert:
			// Only an insert that locks its keys can be run again: the
			// others may be bulk loads, whose writes a savepoint would
			// keep from spilling.
			if !insertLocksKeys(n) {
				res, err := ec.execInsert(n)
				return res, s.withSchemaName(ec, n.Table, err)
			}
			return s.rerunOnConcurrentUpdate(ec, p)
		case *planner.Update, *planner.Delete:
			return s.rerunOnConcurrentUpdate(ec, p)
		}
		if locksRows(plan) {
			return s.selectLocking(ec, p)
		}
		it, err := ec.build(plan)
		if err != nil {
			return nil, err
		}
		cols := resultColumns(plan)
		it, err = s.nameRegclass(ec, cols, it)
		if err != nil {
			return nil, err
		}
		return &rowsResult{cols: cols, it: it, tagWord: "SELECT", ctx: ec.ctx}, nil
	}
	return s.execUtility(ec, stmt)
}

// execChange runs a data-changing statement's plan.
func (s *Session) execChange(ec *execCtx, plan planner.Plan) (Result, error) {
	var res Result
	var err error
	var target *catalog.Table
	switch n := plan.(type) {
	case *planner.Insert:
		target = n.Table
		res, err = ec.execInsert(n)
	case *planner.Update:
		target = n.Table
		res, err = ec.execUpdate(n)
	case *planner.Delete:
		target = n.Table
		res, err = ec.execDelete(n)
	default:
		return nil, pgerror.New(pgerror.CodeInternal, "%T is not a data-changing plan", plan)
	}
	return res, s.withSchemaName(ec, target, err)
}

// maxStatementReruns bounds how often READ COMMITTED runs a statement
// again after rows it changes were changed concurrently; each run first
// waited for the transactions holding them to end.
const maxStatementReruns = 100

// rerunOnConcurrentUpdate runs an UPDATE, DELETE or an INSERT that locks
// its keys (insertLocksKeys). Under READ COMMITTED, when a row it changes
// or locks has a version committed after the statement's snapshot (it
// waited for that transaction on the row's lock; or a row it deletes got
// a referencing row since, which its foreign key check must see),
// PostgreSQL applies the change to the newest version if it still
// qualifies; Quiver undoes the statement's work, takes a new snapshot and
// runs it again (CockroachDB's approach), which gives that answer for the
// statements that change each row once, pgbench's and most
// applications'. The other levels fail with 40001, as PostgreSQL's do.
func (s *Session) rerunOnConcurrentUpdate(ec *execCtx, p *Prepared) (Result, error) {
	// A statement of its own is run again in a new transaction by
	// execInTxn: a savepoint would keep its writes from spilling.
	rerun := s.txn != nil && s.readCommitted()
	for attempt := 1; ; attempt++ {
		plan, err := s.planFor(ec, p)
		if err != nil {
			return nil, err
		}
		if !rerun {
			return s.execChange(ec, plan)
		}
		sp := ec.txn.Savepoint()
		notices := len(s.notices)
		res, err := s.execChange(ec.again(), plan)
		if !s.reruns(err, attempt) {
			ec.txn.Release(sp)
			return res, err
		}
		if err := ec.txn.RollbackTo(sp); err != nil {
			return nil, err
		}
		ec.txn.Release(sp)
		s.notices = s.notices[:notices]
		s.newStatementSnapshot(ec.txn)
	}
}

// selectLocking runs a SELECT ... FOR UPDATE to its end before a row is
// sent: under READ COMMITTED, a row committed after the statement's
// snapshot makes it run again on a new one (rerunOnConcurrentUpdate says
// why), which must not repeat rows a client already has. The locks the
// first run took stay until the transaction ends, as PostgreSQL's do.
func (s *Session) selectLocking(ec *execCtx, p *Prepared) (Result, error) {
	for attempt := 1; ; attempt++ {
		plan, err := s.planFor(ec, p)
		if err != nil {
			return nil, err
		}
		rows, err := ec.again().drain(plan)
		if err == nil {
			cols := resultColumns(plan)
			it, err := s.nameRegclass(ec, cols, &sliceIter{rows: rows})
			if err != nil {
				return nil, err
			}
			return &rowsResult{cols: cols, it: it, tagWord: "SELECT", ctx: ec.ctx}, nil
		}
		if !s.reruns(err, attempt) {
			return nil, err
		}
		s.newStatementSnapshot(ec.txn)
	}
}

// reruns reports whether a statement that ended with err on its attempt-th
// run is run again: under READ COMMITTED, after a row it changes or locks
// was committed after its snapshot, up to maxStatementReruns runs.
func (s *Session) reruns(err error, attempt int) bool {
	return errors.Is(err, storage.ErrConcurrentUpdate) && attempt < maxStatementReruns && s.readCommitted()
}

// again is a fresh execution context for running ec's statement again:
// nothing the failed run cached (subquery results, CTE buffers) carries
// over.
func (ec *execCtx) again() *execCtx {
	return &execCtx{ctx: ec.ctx, txn: ec.txn, sess: ec.sess, eval: ec.eval, params: ec.params}
}

// readCommitted reports whether the transaction runs at READ COMMITTED
// (PostgreSQL's READ UNCOMMITTED is the same).
func (s *Session) readCommitted() bool {
	switch s.Setting0("transaction_isolation") {
	case "read committed", "read uncommitted":
		return true
	}
	return false
}

// newStatementSnapshot gives a READ COMMITTED statement a snapshot of its
// own, and vector indexes the transaction's new read timestamp.
func (s *Session) newStatementSnapshot(txn *storage.Txn) {
	txn.NewSnapshot()
	if vt, ok := txn.Observer().(*vectorTxn); ok {
		s.eng.setReadTs(vt, txn.ReadTs())
	}
}

// planFor reuses the plan bound at Prepare while the catalog is unchanged.
func (s *Session) planFor(ec *execCtx, p *Prepared) (planner.Plan, error) {
	cat, err := ec.txn.Catalog()
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.plan != nil && p.planCat == cat {
		return p.plan.(planner.Plan), nil
	}
	b := s.binder(cat, p.Params)
	plan, err := bindStatement(b, p.Parsed.Stmt)
	if err != nil {
		return nil, err
	}
	if p.plan != nil && !isExplain(p.Parsed.Stmt) && !sameResultColumns(p.Columns, resultColumns(plan)) {
		// The client was told the columns when the statement was
		// prepared; rows of another shape (a column added or retyped
		// since) would be misread.
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "cached plan must not change result type")
	}
	p.plan, p.planCat = plan, cat
	return plan, nil
}

func isExplain(stmt tree.Statement) bool {
	_, ok := stmt.(*tree.Explain)
	return ok
}

// sameResultColumns is PostgreSQL's test that a prepared statement's
// result keeps its row type: the same number of columns, names and
// types (modifiers included).
func sameResultColumns(a, b []ResultColumn) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || !a[i].Type.Identical(b[i].Type) {
			return false
		}
	}
	return true
}

// rowsResult streams a query's rows, or replays rows already computed
// (DML RETURNING).
type rowsResult struct {
	ctx     context.Context
	cols    []ResultColumn
	it      rowIter
	tagWord string
	tag     string
	count   int64
	finish  func(ok bool) error
	failed  bool
	closed  bool
}

func (r *rowsResult) Columns() []ResultColumn { return r.cols }

func (r *rowsResult) Next(ctx context.Context) ([]types.Datum, error) {
	if r.it == nil {
		return nil, nil
	}
	if r.count&255 == 0 {
		if err := ctx.Err(); err != nil {
			r.failed = true
			return nil, canceled(err)
		}
	}
	row, err := r.it.Next()
	if err != nil {
		r.failed = true
		return nil, err
	}
	if row == nil {
		return nil, nil
	}
	r.count++
	return row, nil
}

func (r *rowsResult) Tag() string {
	if r.tag != "" {
		return r.tag
	}
	return r.tagWord + " " + strconv.FormatInt(r.count, 10)
}

func (r *rowsResult) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if r.it != nil {
		r.it.Close()
	}
	if r.finish != nil {
		return r.finish(!r.failed)
	}
	return nil
}

// doneResult is a statement with no rows.
func doneResult(tag string) Result { return &rowsResult{tag: tag} }

// ---- SET / SHOW ----

func (s *Session) execSet(n *tree.Set) (Result, error) {
	name := n.Name
	if name == "time zone" || name == "timezone" {
		name = "TimeZone"
	}
	if n.Default {
		d, err := lookupSetting(name)
		if err != nil {
			return nil, err
		}
		if err := s.setSetting(name, d.def, n.Local); err != nil {
			return nil, err
		}
		return doneResult("SET"), nil
	}
	value := strings.Join(n.Values, ", ")
	if strings.EqualFold(name, "search_path") {
		quoted := make([]string, len(n.Values))
		for i, v := range n.Values {
			quoted[i] = quoteIdentIfNeeded(v)
		}
		value = strings.Join(quoted, ", ")
	}
	if strings.EqualFold(name, "TimeZone") && strings.EqualFold(value, "local") {
		value = "UTC"
	}
	if err := s.setSetting(name, value, n.Local); err != nil {
		return nil, err
	}
	return doneResult("SET"), nil
}

func quoteIdentIfNeeded(s string) string {
	if s == "$user" || s == `"$user"` {
		return `"$user"`
	}
	return builtins.QuoteIdent(s)
}

func (s *Session) execReset(n *tree.Reset) (Result, error) {
	if n.All {
		for k := range s.settings {
			if k == "session_authorization" {
				continue
			}
			delete(s.settings, k)
			if d, ok := settingDefs[k]; ok && d.reported {
				s.changed[d.name] = d.def
			}
		}
		return doneResult("RESET"), nil
	}
	d, err := lookupSetting(n.Name)
	if err != nil {
		return nil, err
	}
	if err := s.setSetting(n.Name, d.def, false); err != nil {
		return nil, err
	}
	return doneResult("RESET"), nil
}

func showColumns(n *tree.Show) []ResultColumn {
	if strings.EqualFold(n.Name, "all") {
		return []ResultColumn{{Name: "name", Type: types.Text}, {Name: "setting", Type: types.Text}, {Name: "description", Type: types.Text}}
	}
	// PostgreSQL names the column with the setting's canonical spelling
	// (SHOW timezone -> TimeZone).
	name := strings.ToLower(n.Name)
	if name == "time zone" {
		name = "timezone"
	}
	if d, ok := settingDefs[name]; ok {
		name = d.name
	}
	return []ResultColumn{{Name: name, Type: types.Text}}
}

func (s *Session) execShow(n *tree.Show) (Result, error) {
	cols := showColumns(n)
	if strings.EqualFold(n.Name, "all") {
		names := make([]string, 0, len(settingDefs))
		for _, d := range settingDefs {
			names = append(names, d.name)
		}
		sort.Slice(names, func(i, j int) bool { return strings.ToLower(names[i]) < strings.ToLower(names[j]) })
		rows := make([][]types.Datum, len(names))
		for i, name := range names {
			rows[i] = []types.Datum{types.DString(name), types.DString(s.Setting0(name)), types.DString("")}
		}
		return &rowsResult{cols: cols, it: &sliceIter{rows: rows}, tag: "SHOW"}, nil
	}
	name := n.Name
	if name == "time zone" {
		name = "TimeZone"
	}
	v, ok := s.Setting(name)
	if !ok {
		return nil, pgerror.New(pgerror.CodeUndefinedObject, "unrecognized configuration parameter \"%s\"", n.Name)
	}
	return &rowsResult{cols: cols, it: &sliceIter{rows: [][]types.Datum{{types.DString(v)}}}, tag: "SHOW"}, nil
}

// ---- SQL-level PREPARE / EXECUTE ----

func (s *Session) execPrepareStmt(ctx context.Context, n *tree.Prepare, parsed pgdialect.Parsed) (Result, error) {
	if _, exists := s.prepared[n.Name]; exists {
		return nil, pgerror.New("42P05", "prepared statement \"%s\" already exists", n.Name)
	}
	var ptypes []*types.T
	for _, tn := range n.Types {
		t, err := planner.ResolveTypeName(tn)
		if err != nil {
			return nil, err
		}
		ptypes = append(ptypes, t)
	}
	inner := pgdialect.Parsed{Stmt: n.Stmt, SQL: n.Text, NumParams: n.NumParams}
	p, err := s.Prepare(ctx, inner, ptypes)
	if err != nil {
		return nil, err
	}
	s.prepared[n.Name] = p
	return doneResult("PREPARE"), nil
}

func (s *Session) execExecuteStmt(ctx context.Context, n *tree.Execute) (Result, error) {
	p, vals, err := s.executeArgs(ctx, n)
	if err != nil {
		return nil, err
	}
	return s.Execute(ctx, p, vals)
}

// explainExecute is EXPLAIN [ANALYZE] EXECUTE name(args): the prepared
// statement's plan, run with those arguments when analyzing.
func (s *Session) explainExecute(ec *execCtx, ex *tree.Explain, n *tree.Execute) (Result, error) {
	p, vals, err := s.executeArgs(ec.ctx, n)
	if err != nil {
		return nil, err
	}
	if !needsBinding(p.Parsed.Stmt) {
		return nil, notSupportedStmt("EXPLAIN EXECUTE of a utility statement")
	}
	inner := *ex
	inner.Stmt = p.Parsed.Stmt
	pec := *ec
	pec.params = vals
	return s.explain(&pec, &inner, p)
}

// executeArgs finds EXECUTE's prepared statement and evaluates its
// arguments, coerced to the statement's parameter types.
func (s *Session) executeArgs(ctx context.Context, n *tree.Execute) (*Prepared, []types.Datum, error) {
	p, ok := s.prepared[n.Name]
	if !ok {
		return nil, nil, pgerror.New(pgerror.CodeUndefinedPreparedStatement, "prepared statement \"%s\" does not exist", n.Name)
	}
	if len(n.Params) != len(p.Params) {
		return nil, nil, pgerror.New(pgerror.CodeSyntaxError, "wrong number of parameters for prepared statement \"%s\"", n.Name).
			WithDetail("Expected %d parameters but got %d.", len(p.Params), len(n.Params))
	}
	txn, release := s.readTxn()
	defer release()
	cat, err := txn.Catalog()
	if err != nil {
		return nil, nil, err
	}
	b := s.binder(cat, nil)
	ec := &execCtx{ctx: ctx, txn: txn, sess: s, eval: s.evalContext(ctx)}
	vals := make([]types.Datum, len(n.Params))
	paramTypes := refreshEnumTypes(cat, p.Params)
	for i, e := range n.Params {
		x, err := b.BindScalar(e)
		if err == nil {
			x, err = b.Coerce(x, paramTypes[i])
		}
		var f evalFn
		if err == nil {
			f, err = ec.compile(x)
		}
		if err == nil {
			vals[i], err = f(nil)
		}
		if err != nil {
			return nil, nil, err
		}
	}
	return p, vals, nil
}

// CurrentTxnID is txid_current: the id of the transaction the statement
// runs in.
func (s *Session) CurrentTxnID(ctx context.Context) (int64, error) {
	txn := s.txn
	if txn == nil {
		txn = s.stmtTxn
	}
	if txn == nil {
		return 0, pgerror.New(pgerror.CodeInternal, "txid_current called outside a transaction")
	}
	return txn.ID(ctx)
}
