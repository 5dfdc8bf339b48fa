package tree

// ---- DML ----

// Insert is INSERT INTO t [(cols)] {VALUES .. | query | DEFAULT VALUES}
// [ON CONFLICT ..] [RETURNING ..]. Source is nil for DEFAULT VALUES.
type Insert struct {
	With    *With
	Table   ObjectName
	Alias   string
	Columns []string
	Source  *Select // VALUES arrives as a Select whose body is *Values
	// Overriding is OVERRIDING SYSTEM VALUE ("system") or OVERRIDING USER
	// VALUE ("user"), "" when absent.
	Overriding string
	OnConflict *OnConflict
	Returning  []Target
}

// OnConflict is ON CONFLICT [(cols) | ON CONSTRAINT name] DO NOTHING | DO UPDATE.
type OnConflict struct {
	Columns []string
	// Exprs are the target's expression elements (lower(email), (a + b));
	// Collate is set when an element names a collation.
	Exprs      []Expr
	Collate    bool
	Constraint string
	Where      Expr // index predicate of the target
	DoNothing  bool
	Set        []SetClause
	UpdWhere   Expr
}

// SetClause is one `col = expr` of UPDATE or ON CONFLICT DO UPDATE.
// Columns has several names for (a, b) = (x, y).
type SetClause struct {
	Column  string
	Columns []string
	Value   Expr
	Pos     Pos
}

// Update is UPDATE t [alias] SET .. [FROM ..] [WHERE ..] [RETURNING ..].
type Update struct {
	With      *With
	Table     ObjectName
	Alias     string
	Set       []SetClause
	From      []TableExpr
	Where     Expr
	Returning []Target
}

// Delete is DELETE FROM t [alias] [USING ..] [WHERE ..] [RETURNING ..].
type Delete struct {
	With      *With
	Table     ObjectName
	Alias     string
	Using     []TableExpr
	Where     Expr
	Returning []Target
}

// ---- DDL ----

// CreateTable is CREATE TABLE.
type CreateTable struct {
	Name        ObjectName
	IfNotExists bool
	Temporary   bool
	Columns     []ColumnDef
	Constraints []Constraint
	AsSelect    *Select // CREATE TABLE .. AS query, and SELECT .. INTO
	// AsColumns renames the query's columns: CREATE TABLE t (a, b) AS ...
	AsColumns []string
	// WithNoData is CREATE TABLE AS ... WITH NO DATA.
	WithNoData bool
	// SelectInto marks a table made by SELECT ... INTO.
	SelectInto bool
	// OnCommit is a temporary table's ON COMMIT action: "drop",
	// "delete rows", "preserve rows", or "" when not given.
	OnCommit string
}

// ColumnDef is one column of CREATE TABLE or ALTER TABLE ADD COLUMN.
type ColumnDef struct {
	Name        string
	Type        TypeName
	NotNull     bool
	Null        bool // explicit NULL
	Default     Expr
	DefaultText string // the DEFAULT expression exactly as written
	Identity    string // "", "always", "by default"
	// IdentityOptions are the sequence options of GENERATED ... AS
	// IDENTITY (START WITH, INCREMENT BY, ...).
	IdentityOptions []SeqOption
	// Generated is GENERATED ALWAYS AS (expr) STORED's expression.
	Generated Expr
	// Like, when set, makes this entry a LIKE clause of CREATE TABLE
	// standing for the source table's columns (the other fields unset).
	Like        *TableLike
	Constraints []Constraint
	Collate     string
	Pos         Pos
}

// TableLike is CREATE TABLE's LIKE source [{INCLUDING|EXCLUDING} option
// ...]. Including holds the options in effect after the list is read
// ("defaults", "constraints", "identity", "generated", "indexes",
// "comments", "statistics", "storage", "compression").
type TableLike struct {
	Table     ObjectName
	Including map[string]bool
}

// Constraint is a table constraint, or a column constraint (then Columns
// is empty and means the column itself). Kind is "primary key", "unique",
// "check", "foreign key".
type Constraint struct {
	Name       string
	Kind       string
	Columns    []string
	Check      Expr
	CheckText  string
	RefTable   ObjectName
	RefColumns []string
	OnDelete   string // "", "cascade", "set null", "set default", "restrict", "no action"
	OnUpdate   string
	Match      string // "", "simple", "full", "partial"
	Deferrable bool
	// InitiallyDeferred is INITIALLY DEFERRED (checked at commit).
	InitiallyDeferred bool
	// NotValid is NOT VALID: existing rows are not checked (ALTER TABLE
	// ADD CONSTRAINT only; CREATE TABLE ignores it, as PostgreSQL does).
	NotValid bool
}

// DropBehavior is CASCADE/RESTRICT.
type DropBehavior string

// DropTable is DROP TABLE [IF EXISTS] names [CASCADE].
type DropTable struct {
	Names    []ObjectName
	IfExists bool
	Cascade  bool
}

// AlterTable is ALTER TABLE with a list of commands, or ALTER VIEW
// (View set; RENAME TO is the one command it has).
type AlterTable struct {
	Name     ObjectName
	IfExists bool
	View     bool
	// Matview is ALTER MATERIALIZED VIEW.
	Matview bool
	Cmds    []AlterTableCmd
}

// AlterTableCmd is one ALTER TABLE action. Kind is "add column",
// "drop column", "add constraint", "drop constraint", "rename column",
// "rename to", "alter column set default", "alter column drop default",
// "alter column set not null", "alter column drop not null",
// "alter column type" (Type, Collate, and Using: the USING expression or
// nil), "alter column add identity" (Column carries the
// identity kind and options), "alter column set identity" (Column's
// Identity), "alter column restart" (Default: the value, or nil),
// "alter column drop identity", "validate constraint" (Name).
type AlterTableCmd struct {
	Kind       string
	Column     *ColumnDef
	Name       string
	NewName    string
	Constraint *Constraint
	Default    Expr
	Type       *TypeName
	IfExists   bool
	Cascade    bool
	Storage    string // SET STORAGE's strategy, lower case
	Collate    string // ALTER COLUMN TYPE's COLLATE ("" when none)
	Using      Expr   // ALTER COLUMN TYPE's USING (nil when none)
}

// CreateIndex is PostgreSQL's CREATE INDEX.
type CreateIndex struct {
	Name         string // "" when not given
	Table        ObjectName
	Unique       bool
	Concurrently bool
	IfNotExists  bool
	Method       string // "" (btree), "btree", "hash", "hnsw", "ivfflat", ...
	Elems        []IndexElem
	Include      []string
	With         []StorageParam
	Where        Expr
}

// IndexElem is a column or expression with its options.
type IndexElem struct {
	Column  string
	Expr    Expr
	Opclass string
	Desc    bool
	Nulls   string
}

// StorageParam is one WITH (name = value) entry; Value keeps the literal text.
type StorageParam struct {
	Name  string
	Value string
}

// DropIndex is DROP INDEX [CONCURRENTLY] [IF EXISTS] names.
type DropIndex struct {
	Names        []ObjectName
	IfExists     bool
	Concurrently bool
	Cascade      bool
}

// Reindex is REINDEX INDEX|TABLE name.
type Reindex struct {
	Kind string
	Name ObjectName
}

// CreateSchema is CREATE SCHEMA [IF NOT EXISTS] name.
type CreateSchema struct {
	Name        string
	IfNotExists bool
}

// DropSchema is DROP SCHEMA [IF EXISTS] names [CASCADE].
type DropSchema struct {
	Names    []string
	IfExists bool
	Cascade  bool
}

// CreateDatabase is CREATE DATABASE name.
type CreateDatabase struct {
	Name        string
	IfNotExists bool
}

// DropDatabase is DROP DATABASE [IF EXISTS] name.
type DropDatabase struct {
	Name     string
	IfExists bool
}

// CreateSequence is CREATE SEQUENCE; options keep their words.
type CreateSequence struct {
	Name        ObjectName
	IfNotExists bool
	Temporary   bool
	Options     []SeqOption
}

// SeqOption is one sequence option: "increment", "minvalue", "maxvalue",
// "start", "cache", "cycle", "no cycle", "owned by", "as".
type SeqOption struct {
	Name  string
	Value string
}

// AlterSequence is ALTER SEQUENCE.
type AlterSequence struct {
	Name     ObjectName
	IfExists bool
	Options  []SeqOption
	OwnerTo  string // OWNER TO's role ("" for other forms)
}

// AlterOwner is ALTER SCHEMA|DATABASE name OWNER TO role.
type AlterOwner struct {
	Kind    string // "schema" or "database"
	Name    string
	OwnerTo string
}

// DropSequence is DROP SEQUENCE.
type DropSequence struct {
	Names    []ObjectName
	IfExists bool
	Cascade  bool
}

// CreateView is CREATE [OR REPLACE] [TEMP] VIEW.
type CreateView struct {
	Name      ObjectName
	Replace   bool
	Temporary bool
	Columns   []string
	Query     *Select
	QueryText string
	// QueryPos is the position where QueryText starts: subtracted from
	// the positions in Query, it gives positions within QueryText.
	QueryPos Pos
	// Materialized is CREATE MATERIALIZED VIEW, which alone has
	// IfNotExists and WithNoData.
	Materialized bool
	IfNotExists  bool
	WithNoData   bool
}

// DropView is DROP VIEW, or DROP MATERIALIZED VIEW when Materialized.
type DropView struct {
	Names        []ObjectName
	IfExists     bool
	Cascade      bool
	Materialized bool
}

// RefreshMatview is REFRESH MATERIALIZED VIEW [CONCURRENTLY] name
// [WITH [NO] DATA].
type RefreshMatview struct {
	Name         ObjectName
	Concurrently bool
	WithNoData   bool
}

// Truncate is TRUNCATE [TABLE] names [RESTART IDENTITY] [CASCADE].
type Truncate struct {
	Names           []ObjectName
	RestartIdentity bool
	Cascade         bool
}

// Lock is LOCK [TABLE] [ONLY] names [IN mode MODE] [NOWAIT].
type Lock struct {
	Names  []ObjectName
	Mode   string // lower case, words separated by one space; "access exclusive" when omitted
	NoWait bool
}

// CreateExtension is CREATE EXTENSION [IF NOT EXISTS] name.
type CreateExtension struct {
	Name        string
	IfNotExists bool
	Schema      string
	Version     string
}

// AlterExtension is ALTER EXTENSION name UPDATE [TO version].
type AlterExtension struct {
	Name    string
	Version string // "" without TO
}

// DropExtension is DROP EXTENSION.
type DropExtension struct {
	Names    []string
	IfExists bool
	Cascade  bool
}

// CreateType is CREATE TYPE name AS ENUM (...).
type CreateType struct {
	Name   ObjectName
	Labels []string
}

// DropType is DROP TYPE.
type DropType struct {
	Names    []ObjectName
	IfExists bool
	Cascade  bool
}

// AlterType is ALTER TYPE name followed by one of: ADD VALUE [IF NOT
// EXISTS] 'v' [BEFORE|AFTER 'w'] (Kind "add value"), RENAME VALUE 'a' TO
// 'b' ("rename value"), RENAME TO n ("rename to"), OWNER TO r ("owner to").
type AlterType struct {
	Name        ObjectName
	Kind        string
	Value       string // the new label, the renamed label's old spelling, the new name or the role
	NewValue    string // RENAME VALUE's new label
	Neighbor    string // BEFORE/AFTER's label
	After       bool
	HasNeighbor bool
	IfNotExists bool
}

// CommentOn is COMMENT ON kind name IS 'text'|NULL.
type CommentOn struct {
	Kind    string // "table", "column", "index", "schema", ...
	Name    ObjectName
	Column  string
	Comment *string
}

// CreateRole is CREATE ROLE/USER.
type CreateRole struct {
	Name        string
	IsUser      bool
	IfNotExists bool
	Options     []RoleOption
}

// RoleOption is one role option: "login", "nologin", "superuser",
// "password" (Value set), "createdb", ...
type RoleOption struct {
	Name  string
	Value *string
	// Pos is the option's 1-based character position, for errors about it.
	Pos int
}

// AlterRole is ALTER ROLE/USER name [WITH] options, or RENAME TO NewName
// (then Options is empty).
type AlterRole struct {
	Name    string
	Options []RoleOption
	NewName string
}

// DropRole is DROP ROLE/USER.
type DropRole struct {
	Names    []string
	IfExists bool
}

// Grant is GRANT/REVOKE (accepted, recorded as no-ops until roles matter).
type Grant struct {
	Revoke bool
	Text   string
}

// ---- session and transaction control ----

// Set is SET [SESSION|LOCAL] name {TO|=} value[, ...] | DEFAULT, and
// SET TIME ZONE. Values keep each item's text (strings unquoted).
type Set struct {
	Name    string // lower-cased, dotted names kept ("hnsw.ef_search")
	Values  []string
	Default bool
	Local   bool
}

// SetTransaction is SET TRANSACTION / SET SESSION CHARACTERISTICS.
type SetTransaction struct {
	Modes   []string
	Session bool
}

// Show is SHOW name | SHOW ALL.
type Show struct {
	Name string
}

// Reset is RESET name | RESET ALL.
type Reset struct {
	Name string
	All  bool
}

// Begin is BEGIN / START TRANSACTION with modes ("isolation level
// serializable", "read only", ...).
type Begin struct {
	Modes []string
}

// Commit is COMMIT / END [AND CHAIN].
type Commit struct{ Chain bool }

// Rollback is ROLLBACK / ABORT, or ROLLBACK TO SAVEPOINT when Savepoint != "".
type Rollback struct {
	Savepoint string
	Chain     bool
}

// Savepoint is SAVEPOINT name.
type Savepoint struct{ Name string }

// ReleaseSavepoint is RELEASE [SAVEPOINT] name.
type ReleaseSavepoint struct{ Name string }

// Explain is EXPLAIN [(options)] statement.
type Explain struct {
	Stmt    Statement
	Analyze bool
	Verbose bool
	Costs   *bool
	Format  string
	Options []StorageParam
}

// Copy is COPY table [(cols)] | (query) FROM STDIN | TO STDOUT [WITH] (options).
type Copy struct {
	Table   ObjectName
	Columns []string
	Query   Statement
	From    bool           // FROM (load) vs TO (unload)
	Target  string         // "stdin", "stdout", or a file name (unsupported)
	Options []StorageParam // format, header, delimiter, null, quote, escape, force_quote, ...
}

// Prepare is PREPARE name [(types)] AS statement.
type Prepare struct {
	Name  string
	Types []TypeName
	Stmt  Statement
	Text  string
	// NumParams is the highest $n the prepared statement references: its
	// own parameters, not the PREPARE statement's (which has none).
	NumParams int
}

// Execute is EXECUTE name [(params)].
type Execute struct {
	Name   string
	Params []Expr
}

// Deallocate is DEALLOCATE [PREPARE] name | ALL.
type Deallocate struct {
	Name string
	All  bool
}

// Discard is DISCARD ALL|PLANS|SEQUENCES|TEMP.
type Discard struct{ What string }

// Listen, Notify and Unlisten are async notification statements.
type Listen struct{ Channel string }
type Notify struct {
	Channel string
	Payload string
}
type Unlisten struct{ Channel string } // "*" for all

// Vacuum is VACUUM/ANALYZE (accepted; background work decides).
type Vacuum struct {
	Analyze bool
	Tables  []ObjectName
}

// SetConstraints is SET CONSTRAINTS {ALL | name, ...} {DEFERRED | IMMEDIATE}.
type SetConstraints struct {
	All      bool
	Names    []ObjectName
	Deferred bool
}

// Unsupported is a statement Quiver recognises but does not run (CREATE
// FUNCTION, DO, MERGE, DECLARE CURSOR, ...): answered with 0A000 naming What.
type Unsupported struct {
	What string
}

// Empty is an empty query (";", only comments).
type Empty struct{}

func (*Insert) stmt()           {}
func (*Update) stmt()           {}
func (*Delete) stmt()           {}
func (*CreateTable) stmt()      {}
func (*DropTable) stmt()        {}
func (*AlterTable) stmt()       {}
func (*CreateIndex) stmt()      {}
func (*DropIndex) stmt()        {}
func (*Reindex) stmt()          {}
func (*CreateSchema) stmt()     {}
func (*DropSchema) stmt()       {}
func (*CreateDatabase) stmt()   {}
func (*DropDatabase) stmt()     {}
func (*CreateSequence) stmt()   {}
func (*AlterSequence) stmt()    {}
func (*DropSequence) stmt()     {}
func (*CreateView) stmt()       {}
func (*DropView) stmt()         {}
func (*RefreshMatview) stmt()   {}
func (*Truncate) stmt()         {}
func (*Lock) stmt()             {}
func (*AlterOwner) stmt()       {}
func (*CreateExtension) stmt()  {}
func (*DropExtension) stmt()    {}
func (*AlterExtension) stmt()   {}
func (*CreateType) stmt()       {}
func (*DropType) stmt()         {}
func (*AlterType) stmt()        {}
func (*CommentOn) stmt()        {}
func (*CreateRole) stmt()       {}
func (*AlterRole) stmt()        {}
func (*DropRole) stmt()         {}
func (*Grant) stmt()            {}
func (*Set) stmt()              {}
func (*SetTransaction) stmt()   {}
func (*Show) stmt()             {}
func (*Reset) stmt()            {}
func (*Begin) stmt()            {}
func (*Commit) stmt()           {}
func (*Rollback) stmt()         {}
func (*Savepoint) stmt()        {}
func (*ReleaseSavepoint) stmt() {}
func (*Explain) stmt()          {}
func (*Copy) stmt()             {}
func (*Prepare) stmt()          {}
func (*Execute) stmt()          {}
func (*Deallocate) stmt()       {}
func (*Discard) stmt()          {}
func (*Listen) stmt()           {}
func (*Notify) stmt()           {}
func (*Unlisten) stmt()         {}
func (*Vacuum) stmt()           {}
func (*Unsupported) stmt()      {}
func (*SetConstraints) stmt()   {}
func (*Empty) stmt()            {}

// DeclareCursor is DECLARE name [BINARY] [NO SCROLL|SCROLL] CURSOR
// [WITH|WITHOUT HOLD] FOR query.
type DeclareCursor struct {
	Name   string
	Hold   bool
	Binary bool
	Query  *Select
}

// FetchCursor is FETCH/MOVE [direction] [FROM|IN] name. Count < 0 means
// ALL; only forward directions exist (NEXT, FORWARD n, n, ALL).
type FetchCursor struct {
	Name  string
	Count int64
	Move  bool
}

// CloseCursor is CLOSE name | ALL.
type CloseCursor struct {
	Name string
	All  bool
}

func (*DeclareCursor) stmt() {}
func (*FetchCursor) stmt()   {}
func (*CloseCursor) stmt()   {}
