package planner

import (
	"strings"

	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// Binder turns one statement's tree into a plan. It is used for a single
// statement and then discarded.
type Binder struct {
	Cat        *storage.Catalog
	DB         *catalog.Database
	SearchPath []string
	// TempSchema is the session's temporary schema (pg_temp_N), which the
	// qualifier pg_temp names; it is searched first when it exists.
	TempSchema string
	// Params holds the parameter types: given ones first, the rest
	// inferred while binding (types.Unknown until then).
	Params []*types.T
	// ParseExpr parses stored expression text (column defaults).
	ParseExpr func(string) (tree.Expr, error)
	// ParseQuery parses a view's stored query.
	ParseQuery func(string) (*tree.Select, error)
	// Virtual finds a virtual catalog relation (nil when there is none).
	// Unqualified names look in pg_catalog first, as PostgreSQL's implicit
	// search path does.
	Virtual func(schema, name string) *VirtualTable
	// IndexOID finds table t's index named name ('idx'::regclass); nil
	// when the caller has no indexes to offer.
	IndexOID func(t *catalog.Table, name string) (uint32, bool)
	// Proc finds the functions named name in pg_proc for regproc's input:
	// the OID 'name'::regproc has and how many functions have the name.
	Proc func(name string) (oid uint32, count int)

	// viewStack holds the views being expanded around the current
	// point (a view reaching itself again is an error, not a loop).
	viewStack []catalog.ID
	// relations records the tables and views bound in FROM (Relations),
	// relationRefs where they were named (RelationRefs).
	relations    []catalog.ID
	relationRefs []RelationRef
	// columnReads, when not nil, collects the stored columns that column
	// references resolve to (ColumnsReadByView).
	columnReads map[TableColumn]bool

	ctes    []map[string]*cteBinding
	nextCTE int
	// sublinks counts the expression subqueries being bound around the
	// current point (a recursive reference may not sit in one).
	sublinks int
	// lock is the FOR UPDATE of the SELECT clause being bound, which adds
	// its table's primary key as hidden columns (rowLock).
	lock *rowLock
}

type cteBinding struct {
	def  *CTEDef
	cols []Column
	// refs, when set, counts the references bound (a recursive query's
	// work table), which must be made at sublinks depth; refErr, when
	// set, is the error a reference gets.
	refs     *int
	sublinks int
	refErr   error
}

// FinishParams gives every still-unknown parameter the type text, as
// PostgreSQL does for parameters no context typed.
func (b *Binder) FinishParams() {
	for i, t := range b.Params {
		if t == nil || t.Family == types.FamUnknown {
			b.Params[i] = types.Text
		}
	}
}

// BindQuery binds a SELECT (or VALUES) statement.
func (b *Binder) BindQuery(s *tree.Select) (Plan, error) {
	p, err := b.bindSelect(s, nil)
	if err != nil {
		return nil, err
	}
	return stripHidden(p), nil
}

// schemaIDs returns the schemas to search for an unqualified name.
func (b *Binder) schemaIDs() []catalog.ID {
	var ids []catalog.ID
	if b.TempSchema != "" {
		if s := b.Cat.SchemaByName(b.DB.ID, b.TempSchema); s != nil {
			ids = append(ids, s.ID)
		}
	}
	for _, name := range b.SearchPath {
		if name == b.TempSchema {
			continue
		}
		if name == "$user" {
			continue
		}
		if s := b.Cat.SchemaByName(b.DB.ID, name); s != nil {
			ids = append(ids, s.ID)
		}
	}
	return ids
}

// ResolveTable finds a table by possibly qualified name; missing is 42P01,
// and a view where a table is wanted is 42809.
func (b *Binder) ResolveTable(n tree.ObjectName) (*catalog.Table, error) {
	t, err := b.LookupTable(n)
	if err != nil {
		return nil, err
	}
	if t == nil {
		if v, _ := b.LookupView(n); v != nil {
			return nil, pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a table", v.Name)
		}
		return nil, pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", displayName(n)).WithPosition(int(n.Pos))
	}
	return t, nil
}

// LookupTable is ResolveTable returning nil for a missing table (or a
// view hiding tables of the name later on the path).
func (b *Binder) LookupTable(n tree.ObjectName) (*catalog.Table, error) {
	ids, err := b.relationSchemas(n)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if t := b.Cat.TableByName(id, n.Name); t != nil {
			return t, nil
		}
		if b.Cat.ViewByName(id, n.Name) != nil {
			return nil, nil
		}
	}
	return nil, nil
}

// LookupSequence finds a sequence by name ("s" or "schema.s").
func (b *Binder) LookupSequence(name string) *catalog.Sequence {
	schema, rel := "", name
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		schema, rel = name[:i], name[i+1:]
	}
	if schema != "" {
		s := b.Cat.SchemaByName(b.DB.ID, schema)
		if s == nil {
			return nil
		}
		return b.Cat.SequenceByName(s.ID, rel)
	}
	for _, id := range b.schemaIDs() {
		if s := b.Cat.SequenceByName(id, rel); s != nil {
			return s
		}
	}
	return nil
}

// lookupSequenceRef finds a sequence named in FROM (nil when none).
func (b *Binder) lookupSequenceRef(n tree.ObjectName) *catalog.Sequence {
	if n.Catalog != "" && n.Catalog != b.DB.Name {
		return nil
	}
	if n.Schema != "" {
		s := b.Cat.SchemaByName(b.DB.ID, n.Schema)
		if s == nil {
			return nil
		}
		return b.Cat.SequenceByName(s.ID, n.Name)
	}
	for _, id := range b.schemaIDs() {
		if s := b.Cat.SequenceByName(id, n.Name); s != nil {
			return s
		}
	}
	return nil
}

func displayName(n tree.ObjectName) string {
	if n.Schema != "" {
		return n.Schema + "." + n.Name
	}
	return n.Name
}

// TableColumns returns the columns a scan of t produces, qualified by alias.
func TableColumns(t *catalog.Table, alias string) []Column {
	cols := make([]Column, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = Column{
			Name:     c.Name,
			Table:    alias,
			T:        c.Type,
			TableOID: uint32(t.ID),
			AttNum:   int16(i + 1),
			Hidden:   c.Hidden || c.Dropped,
		}
	}
	return cols
}

// stripHidden projects away hidden trailing columns (sort keys).
func stripHidden(p Plan) Plan {
	cols := p.Columns()
	var keep []int
	for i, c := range cols {
		if !c.Hidden {
			keep = append(keep, i)
		}
	}
	if len(keep) == len(cols) {
		return p
	}
	exprs := make([]Expr, len(keep))
	out := make([]Column, len(keep))
	for j, i := range keep {
		exprs[j] = &ColRef{Idx: i, T: cols[i].T}
		out[j] = cols[i]
	}
	return &Project{Input: p, Exprs: exprs, Cols: out}
}

func (b *Binder) lookupCTE(name string) *cteBinding {
	for i := len(b.ctes) - 1; i >= 0; i-- {
		if c, ok := b.ctes[i][name]; ok {
			return c
		}
	}
	return nil
}

func notSupported(what string) error {
	return pgerror.New(pgerror.CodeFeatureNotSupported, "%s is not supported yet", what)
}
