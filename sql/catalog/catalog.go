// Package catalog owns the descriptors of schema objects — databases,
// schemas, tables, columns, indexes, sequences, roles — as plain values.
// Persisting them is storage's job; resolving names against them is the
// planner's.
package catalog

import "github.com/quiverdb/quiver/sql/types"

// ID identifies a catalog object. IDs are unique across the whole server
// (all databases) and never reused; they double as PostgreSQL OIDs, so they
// start above PostgreSQL's fixed-OID range.
type ID uint32

// FirstUserID is the first ID handed to user objects (PostgreSQL's
// FirstNormalObjectId).
const FirstUserID ID = 16384

// Database is a database: its own key space of schemas and tables.
type Database struct {
	ID    ID     `json:"id"`
	Name  string `json:"name"`
	Owner string `json:"owner"`
}

// Schema is a namespace inside a database.
type Schema struct {
	ID         ID     `json:"id"`
	DatabaseID ID     `json:"db"`
	Name       string `json:"name"`
	Owner      string `json:"owner"`
}

// Table describes a table. Columns are in attnum order (attnum = index+1);
// dropped columns stay with Dropped set so stored rows keep decoding.
type Table struct {
	ID         ID       `json:"id"`
	DatabaseID ID       `json:"db"`
	SchemaID   ID       `json:"schema"`
	Name       string   `json:"name"`
	Owner      string   `json:"owner"`
	Columns    []Column `json:"columns"`
	// PrimaryKey holds column ordinals (0-based into Columns). A table
	// declared without a primary key gets a hidden rowid column used here.
	PrimaryKey     []int        `json:"pk"`
	PrimaryKeyName string       `json:"pk_name,omitempty"`
	Indexes        []Index      `json:"indexes,omitempty"`
	Checks         []Check      `json:"checks,omitempty"`
	ForeignKeys    []ForeignKey `json:"fks,omitempty"`
	// Version increases with every change to the descriptor; plans cached
	// against an older version are rebuilt.
	Version uint64 `json:"version"`
	// Comment is COMMENT ON TABLE's text.
	Comment string `json:"comment,omitempty"`
	// Matview makes the table a materialized view (pg_class relkind
	// 'm'): its rows are what its query returned at the last refresh.
	Matview *Matview `json:"matview,omitempty"`
}

// Matview is what a materialized view keeps besides its rows: its query,
// kept as a view keeps it (see View), and whether it holds data.
type Matview struct {
	Query      string    `json:"query"`
	Refs       []ViewRef `json:"refs,omitempty"`
	SearchPath []string  `json:"search_path,omitempty"`
	DependsOn  []ID      `json:"depends_on,omitempty"`
	// Sources are the names the query gave its columns at creation, one
	// per visible column (ViewColumn.Source).
	Sources []string `json:"sources"`
	// Populated is false after WITH NO DATA, until a REFRESH fills it.
	Populated bool `json:"populated"`
	// RuleOID is the OID of its _RETURN rule, as a view's (View.RuleOID):
	// pg_dump orders refreshes by the rule's dependencies.
	RuleOID ID `json:"rule_oid"`
}

// MatviewQuery is a materialized view's query in the form of a View, so
// that the machinery that binds, prints and tracks views' queries serves
// both; nil for a plain table.
func (t *Table) MatviewQuery() *View {
	if t.Matview == nil {
		return nil
	}
	m := t.Matview
	v := &View{ID: t.ID, DatabaseID: t.DatabaseID, SchemaID: t.SchemaID, Name: t.Name, Owner: t.Owner,
		Query: m.Query, Refs: m.Refs, SearchPath: m.SearchPath, DependsOn: m.DependsOn, Comment: t.Comment, RuleOID: m.RuleOID, Materialized: true}
	i := 0
	for _, c := range t.Columns {
		if c.Hidden || c.Dropped {
			continue
		}
		vc := ViewColumn{Name: c.Name, Source: c.Name, Type: c.Type, Comment: c.Comment}
		if i < len(m.Sources) {
			vc.Source = m.Sources[i]
		}
		v.Columns = append(v.Columns, vc)
		i++
	}
	return v
}

// Column describes one column.
type Column struct {
	// ID is stable for the column's life; rows are encoded by column ID so
	// that adding and dropping columns never rewrites rows.
	ID      uint32   `json:"id"`
	Name    string   `json:"name"`
	Type    *types.T `json:"type"`
	NotNull bool     `json:"not_null,omitempty"`
	// Default is the DEFAULT expression's SQL text ("" when none), parsed
	// again when a statement needs it.
	Default string `json:"default,omitempty"`
	// Hidden columns (the implicit rowid) are invisible to SELECT *.
	Hidden bool `json:"hidden,omitempty"`
	// Dropped columns stay in the descriptor so old rows decode.
	Dropped bool `json:"dropped,omitempty"`
	// SequenceID is the sequence a serial column owns (0 when none).
	SequenceID ID     `json:"seq,omitempty"`
	Identity   string `json:"identity,omitempty"` // "", "always", "by default"
	// Generated is a STORED generated column's expression as pg_get_expr
	// spells it ("" for other columns); GeneratedPretty its pretty form
	// (psql's \d). The value is computed on every INSERT and UPDATE.
	Generated       string `json:"generated,omitempty"`
	GeneratedPretty string `json:"generated_pretty,omitempty"`
	Comment         string `json:"comment,omitempty"`
	// Storage is pg_attribute.attstorage as ALTER COLUMN SET STORAGE set
	// it ("" for the type's own). Rows are stored whole whatever it says:
	// Quiver has no TOAST, so every value is stored as PLAIN would.
	Storage string `json:"storage,omitempty"`
}

// Index describes a secondary index (b-tree or vector).
type Index struct {
	ID      ID     `json:"id"`
	Name    string `json:"name"`
	Unique  bool   `json:"unique,omitempty"`
	Method  string `json:"method"` // "btree", "hnsw"
	Columns []int  `json:"columns"`
	Desc    []bool `json:"desc,omitempty"`
	// Opclass per column for non-btree methods ("vector_l2_ops").
	Opclass []string          `json:"opclass,omitempty"`
	Options map[string]string `json:"options,omitempty"`
	// OptionOrder is the order WITH gave Options in, which
	// pg_get_indexdef keeps (indexes made before it was kept: empty).
	OptionOrder []string `json:"option_order,omitempty"`
	// ConstraintName is set when the index backs a UNIQUE constraint.
	Constraint bool `json:"constraint,omitempty"`
	// Where is a partial index's predicate as pg_get_expr spells it,
	// WherePretty its pretty form (psql's \d).
	Where       string `json:"where,omitempty"`
	WherePretty string `json:"where_pretty,omitempty"`
	// ColumnNames are the index's own attribute names when it has
	// expressions ("lower", "expr1": PostgreSQL's ChooseIndexColumnNames);
	// nil for an index of plain columns, named after them.
	ColumnNames []string `json:"column_names,omitempty"`
	// Building is true while CREATE INDEX is filling the index.
	Building bool `json:"building,omitempty"`
}

// Check is a CHECK constraint. Expr is the expression as PostgreSQL's
// pg_get_expr spells it (fully parenthesized, constants typed), parsed and
// bound again when rows are checked; Pretty is pg_get_constraintdef's
// pretty form of it. Columns are the ordinals it reads, ascending
// (pg_constraint.conkey).
type Check struct {
	// OID is the constraint's pg_constraint OID, allocated when the table
	// descriptor holding it is first stored, so it survives restarts and
	// the dropping of other constraints.
	OID     ID     `json:"oid,omitempty"`
	Name    string `json:"name"`
	Expr    string `json:"expr"`
	Pretty  string `json:"pretty,omitempty"`
	Columns []int  `json:"cols,omitempty"`
	// NotValid: added NOT VALID and not validated since, so existing rows
	// may fail it (new and changed rows never do).
	NotValid bool `json:"not_valid,omitempty"`
}

// ForeignKey is a FOREIGN KEY constraint. Columns are the
// referencing ordinals, RefColumns the referenced ones in the same order;
// OnDelete and OnUpdate are "" (NO ACTION), "no action", "restrict",
// "cascade", "set null" or "set default".
type ForeignKey struct {
	// OID: as Check's.
	OID        ID     `json:"oid,omitempty"`
	Name       string `json:"name"`
	Columns    []int  `json:"columns"`
	RefTable   ID     `json:"ref_table"`
	RefColumns []int  `json:"ref_columns"`
	OnDelete   string `json:"on_delete,omitempty"`
	OnUpdate   string `json:"on_update,omitempty"`
	// MatchFull is MATCH FULL: a key must be all NULL or all non-NULL.
	MatchFull bool `json:"match_full,omitempty"`
	// Deferrable and Deferred are DEFERRABLE and INITIALLY DEFERRED; a
	// deferred key's checks run at commit.
	Deferrable bool `json:"deferrable,omitempty"`
	Deferred   bool `json:"deferred,omitempty"`
	// NotValid: as Check's.
	NotValid bool `json:"not_valid,omitempty"`
}

// Sequence describes a sequence; its current value lives in storage apart
// from the descriptor because nextval is not transactional.
type Sequence struct {
	ID         ID     `json:"id"`
	DatabaseID ID     `json:"db"`
	SchemaID   ID     `json:"schema"`
	Name       string `json:"name"`
	Increment  int64  `json:"increment"`
	Min        int64  `json:"min"`
	Max        int64  `json:"max"`
	Start      int64  `json:"start"`
	Cycle      bool   `json:"cycle,omitempty"`
	// OwnedBy is the table and column ordinal a serial sequence belongs to.
	OwnedByTable  ID     `json:"owned_table,omitempty"`
	OwnedByColumn int    `json:"owned_column,omitempty"`
	TypeOID       uint32 `json:"type_oid,omitempty"`
}

// Role is a login or group role.
type Role struct {
	ID        ID     `json:"id"`
	Name      string `json:"name"`
	Superuser bool   `json:"superuser,omitempty"`
	Login     bool   `json:"login,omitempty"`
	// PasswordVerifier is a SCRAM-SHA-256 or md5 verifier, never the password.
	PasswordVerifier string `json:"password_verifier,omitempty"`
	// NoInherit is NOINHERIT (roles inherit by default, so the zero value
	// of descriptors written before the field existed stays right).
	NoInherit   bool `json:"noinherit,omitempty"`
	CreateRole  bool `json:"createrole,omitempty"`
	CreateDB    bool `json:"createdb,omitempty"`
	Replication bool `json:"replication,omitempty"`
	BypassRLS   bool `json:"bypassrls,omitempty"`
	// ConnLimit is CONNECTION LIMIT; nil means none (-1).
	ConnLimit *int32 `json:"conn_limit,omitempty"`
	// ValidUntil is VALID UNTIL as a timestamptz (microseconds since
	// 2000-01-01 UTC, infinity included); nil means none.
	ValidUntil *int64 `json:"valid_until,omitempty"`
}

// ConnectionLimit is rolconnlimit: -1 when there is none.
func (r *Role) ConnectionLimit() int32 {
	if r.ConnLimit == nil {
		return -1
	}
	return *r.ConnLimit
}

// ColumnByName returns the ordinal of a visible, not dropped column or -1.
// An expression index's hidden column is never found: its name is the
// expression's text, which a user column may also be called.
func (t *Table) ColumnByName(name string) int {
	for i := range t.Columns {
		c := &t.Columns[i]
		if c.Name == name && !c.Dropped && !(c.Hidden && c.Generated != "") {
			return i
		}
	}
	return -1
}

// SameValues reports whether rows a and b of t hold equal values (NULL
// equal to NULL) in columns cols, as the columns' b-tree equality has it.
func (t *Table) SameValues(cols []int, a, b []types.Datum) bool {
	for _, c := range cols {
		an, bn := types.IsNull(a[c]), types.IsNull(b[c])
		if an != bn {
			return false
		}
		if !an && types.Compare(t.Columns[c].Type, a[c], b[c]) != 0 {
			return false
		}
	}
	return true
}

// IndexByName returns the index with the given name or nil.
func (t *Table) IndexByName(name string) *Index {
	for i := range t.Indexes {
		if t.Indexes[i].Name == name {
			return &t.Indexes[i]
		}
	}
	return nil
}

// View is a view: a stored query bound again whenever a statement reads
// the view. Quiver keeps the query as SQL text rather than a bound tree.
// The tables and views it names are kept apart (Refs), by ID, and spelled
// with their current, qualified names each time the text is bound, so
// that, as in PostgreSQL, renaming them or changing search_path does not
// change what the view reads. Other names (functions, types, catalog
// relations) are resolved against SearchPath, the schemas the creating
// session's search_path held.
type View struct {
	ID         ID     `json:"id"`
	DatabaseID ID     `json:"db"`
	SchemaID   ID     `json:"schema"`
	Name       string `json:"name"`
	Owner      string `json:"owner"`
	// Columns are the view's output columns with the names the view
	// gives them (its column list, else the query's) and the types the
	// query had at creation.
	Columns []ViewColumn `json:"columns"`
	// Query is the defining SELECT's text as written after AS.
	Query      string    `json:"query"`
	Refs       []ViewRef `json:"refs,omitempty"`
	SearchPath []string  `json:"search_path,omitempty"`
	// DependsOn are the tables and views the query reads, which cannot be
	// dropped without CASCADE while the view exists.
	DependsOn []ID   `json:"depends_on,omitempty"`
	Comment   string `json:"comment,omitempty"`
	// RuleOID is the OID of the view's _RETURN rule in pg_rewrite, which
	// pg_depend's rows for the view name.
	RuleOID ID `json:"rule_oid"`
	// Materialized marks the View that Table.MatviewQuery makes of a
	// materialized view; such a View is never stored.
	Materialized bool `json:"-"`
}

// ViewRef is a table or view named in a view's query: the name's bytes
// in Query (Offset, Len) and the relation it resolved to at creation.
type ViewRef struct {
	Offset   int `json:"off"`
	Len      int `json:"len"`
	Relation ID  `json:"rel"`
}

// ViewColumn is one output column of a view. Source is the name the
// query gave the column at creation: binding the query again must give
// the same, or what the view reads has changed under it.
type ViewColumn struct {
	Name    string   `json:"name"`
	Source  string   `json:"source"`
	Type    *types.T `json:"type"`
	Comment string   `json:"comment,omitempty"`
}

// Type is a user-defined type: an enum (CREATE TYPE ... AS ENUM). Its ID
// is the type's pg_type OID; Enum.ArrayOID is its array type's.
type Type struct {
	ID         ID             `json:"id"`
	DatabaseID ID             `json:"db"`
	SchemaID   ID             `json:"schema"`
	Owner      string         `json:"owner"`
	Enum       types.EnumType `json:"enum"`
	Comment    string         `json:"comment,omitempty"`
}

// T returns the SQL type of the descriptor's values.
func (t *Type) T() *types.T {
	e := t.Enum
	e.Labels = append([]types.EnumLabel(nil), t.Enum.Labels...)
	return types.EnumOf(&e)
}

// UsesType reports whether type t is, or is an array of, the enum with
// OID oid.
func UsesType(t *types.T, oid uint32) bool {
	for t != nil && t.Family == types.FamArray {
		t = t.Elem
	}
	return t != nil && t.Family == types.FamEnum && t.Enum != nil && t.Enum.OID == oid
}
