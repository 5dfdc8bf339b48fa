package pgcatalog

import (
	"fmt"
	"sort"
	"strings"

	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgdialect"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// Synthetic OIDs. Quiver's catalog gives IDs to tables, secondary indexes
// and sequences only; the objects PostgreSQL also numbers (the primary key's
// index, constraints, column defaults) get OIDs derived from their owner's
// ID, so they are stable across restarts. User IDs are allocated upwards
// from 16384 and never come near these high bits.
const (
	pkIndexBit   = 1 << 31
	constraintPK = 3 << 30 // | table ID
	constraintUQ = 1 << 30 // | index ID
	constraintCK = 1 << 29 // | table ID<<8 | ordinal
	constraintFK = 1 << 28 // | table ID<<8 | ordinal
)

// storedOrPositional is a CHECK's or FOREIGN KEY's OID: the one stored
// with it, or for descriptors written before constraints had one, an OID
// from its table and position.
func storedOrPositional(stored catalog.ID, kindBit uint32, t *catalog.Table, i int) uint32 {
	if stored != 0 {
		return uint32(stored)
	}
	return kindBit | uint32(t.ID)<<8 | uint32(i)
}

// Fixed OIDs of built-in objects (PostgreSQL's where it has them).
const (
	oidHeapAM    = 2
	oidBtreeAM   = 403
	oidHashAM    = 405
	oidHnswAM    = 16389
	oidPgClass   = 1259
	oidPgRewrite = 2618
	oidPgConstr  = 2606
	oidPgNsp     = 2615
	oidPgDB      = 1262
	oidPgAuthid  = 1260
	oidDefColl   = 100
	oidCColl     = 950
	oidPosixColl = 951
	oidPlpgsql   = 13790
	oidVectorExt = 16388
	// uuid-ossp's and pgcrypto's OIDs follow the ones pgvector's objects
	// take (up to 16400, sparsevec_ops).
	oidUUIDOsspExt = 16401
	oidPgcryptoExt = 16402
	oidCitextExt   = 16403
	// oidDatabaseOwner is pg_database_owner, public's owner in PostgreSQL 15.
	oidDatabaseOwner = 6171
)

// RoleName is pg_get_userbyid: the role's name, including the built-in
// pg_database_owner.
func RoleName(c *Context, oid uint32) (string, bool) {
	if oid == oidDatabaseOwner {
		return "pg_database_owner", true
	}
	if r := c.Cat.Roles[catalog.ID(oid)]; r != nil {
		return r.Name, true
	}
	return "", false
}

// DefaultExpr is a column default as pg_get_expr shows it: PostgreSQL
// prints string constants and negative numbers with a cast to the
// column's type ('x'::text, '-1'::integer); Quiver stores the default's
// SQL text and adds that cast the same way.
func DefaultExpr(col *catalog.Column) string {
	d := strings.TrimSpace(col.Default)
	if d == "" || col.Type == nil {
		return d
	}
	if b, ok := bitLiteral(d); ok {
		// A B'...' or X'...' constant is of type bit, whatever the
		// column's; PostgreSQL shows its bits.
		return "'" + b + `'::"bit"`
	}
	castName := col.Type.BaseString()
	switch col.Type.Family {
	case types.FamChar:
		castName = "bpchar"
	case types.FamBit:
		// Unquoted, bit would mean bit(1).
		castName = `"bit"`
	case types.FamArray:
		return d
	}
	if isStringLiteral(d) {
		if strings.Contains(d, "::") {
			return d
		}
		return d + "::" + castName
	}
	if len(d) > 1 && d[0] == '-' && isNumber(d[1:]) {
		return "'" + d + "'::" + castName
	}
	return d
}

// bitLiteral reads s as a B'...' or X'...' constant, giving its bits.
func bitLiteral(s string) (string, bool) {
	if len(s) < 3 || !strings.ContainsRune("bBxX", rune(s[0])) || !isStringLiteral(s[1:]) {
		return "", false
	}
	d, err := types.ParseText(types.Bit, s[:1]+s[2:len(s)-1])
	if err != nil {
		return "", false
	}
	return types.FormatText(types.Bit, d), true
}

func isStringLiteral(s string) bool {
	if len(s) < 2 || s[0] != '\'' || s[len(s)-1] != '\'' {
		return false
	}
	inner := s[1 : len(s)-1]
	return !strings.Contains(strings.ReplaceAll(inner, "''", ""), "'")
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != '.' {
			return false
		}
	}
	return true
}

// PKIndexOID is the OID of a table's primary-key index.
func PKIndexOID(t *catalog.Table) uint32 { return pkIndexBit | uint32(t.ID) }

// HasPrimaryKey reports whether the table has a declared primary key (not
// the hidden rowid).
func HasPrimaryKey(t *catalog.Table) bool {
	if len(t.PrimaryKey) == 0 {
		return false
	}
	for _, i := range t.PrimaryKey {
		if i < 0 || i >= len(t.Columns) || t.Columns[i].Hidden {
			return false
		}
	}
	return true
}

func pkName(t *catalog.Table) string {
	if t.PrimaryKeyName != "" {
		return t.PrimaryKeyName
	}
	return t.Name + "_pkey"
}

// indexInfo is one index as pg_class/pg_index see it, the primary key's
// included.
type indexInfo struct {
	oid     uint32
	table   *catalog.Table
	name    string
	primary bool
	unique  bool
	// constraint backs a PRIMARY KEY or UNIQUE constraint.
	constraint  bool
	method      string
	cols        []int
	desc        []bool
	opclass     []string
	where       string
	wherePretty string
	building    bool
	options     map[string]string
	optionOrder []string
	colNames    []string
}

func tableIndexes(t *catalog.Table) []indexInfo {
	var out []indexInfo
	if HasPrimaryKey(t) {
		out = append(out, indexInfo{oid: PKIndexOID(t), table: t, name: pkName(t), primary: true, unique: true, constraint: true, method: "btree", cols: t.PrimaryKey})
	}
	for i := range t.Indexes {
		x := &t.Indexes[i]
		m := x.Method
		if m == "" {
			m = "btree"
		}
		out = append(out, indexInfo{oid: uint32(x.ID), table: t, name: x.Name, unique: x.Unique, constraint: x.Constraint,
			method: m, cols: x.Columns, desc: x.Desc, opclass: x.Opclass, where: x.Where, wherePretty: x.WherePretty, building: x.Building, options: x.Options, optionOrder: x.OptionOrder, colNames: x.ColumnNames})
	}
	return out
}

// dbTables returns the current database's tables in OID order, so output
// is deterministic.
func dbTables(c *Context) []*catalog.Table {
	return inDatabase(c, c.Cat.Tables, func(t *catalog.Table) (catalog.ID, catalog.ID) { return t.DatabaseID, t.ID })
}

func dbSequences(c *Context) []*catalog.Sequence {
	return inDatabase(c, c.Cat.Sequences, func(s *catalog.Sequence) (catalog.ID, catalog.ID) { return s.DatabaseID, s.ID })
}

func dbTypes(c *Context) []*catalog.Type {
	return inDatabase(c, c.Cat.Types, func(t *catalog.Type) (catalog.ID, catalog.ID) { return t.DatabaseID, t.ID })
}

func dbViews(c *Context) []*catalog.View {
	return inDatabase(c, c.Cat.Views, func(v *catalog.View) (catalog.ID, catalog.ID) { return v.DatabaseID, v.ID })
}

// dbViewQueries are the views and, in View form, the materialized views
// (catalog.Table.MatviewQuery): the relations with a _RETURN rule.
func dbViewQueries(c *Context) []*catalog.View {
	vs := dbViews(c)
	for _, t := range dbTables(c) {
		if v := t.MatviewQuery(); v != nil {
			vs = append(vs, v)
		}
	}
	return vs
}

// ViewDefinition is pg_get_viewdef's text of view oid: the query as it
// was written, framed as PostgreSQL frames its deparsed one (a leading
// space, a closing semicolon). false when oid is no view.
func ViewDefinition(c *Context, oid uint32) (string, bool) {
	v := c.Cat.Views[catalog.ID(oid)]
	if t := c.Cat.Tables[catalog.ID(oid)]; t != nil {
		v = t.MatviewQuery()
	}
	if v == nil || v.DatabaseID != c.DB.ID {
		return "", false
	}
	return viewDefinition(c, v), true
}

// viewDefinition qualifies the relations the query names that are not
// visible on the search path, as pg_get_viewdef does (pg_dump, with an
// empty search_path, gets every one qualified).
func viewDefinition(c *Context, v *catalog.View) string {
	text := planner.ViewQueryText(c.Cat, v, func(rel, schema catalog.ID) bool {
		return !strings.HasPrefix(schemaName(c, schema), "pg_temp_") && !RelationVisible(c, c.SearchPath, uint32(rel))
	})
	return " " + strings.TrimSpace(text) + ";"
}

// viewUpdatable reports whether INSERT, UPDATE and DELETE write through
// v. Its query names what it reads by OID, so no search path is needed.
func viewUpdatable(c *Context, v *catalog.View) bool {
	b := &planner.Binder{Cat: c.Cat, DB: c.DB, SearchPath: v.SearchPath, ParseExpr: pgdialect.ParseExpr,
		ParseQuery: pgdialect.ParseQuery, Virtual: Lookup}
	return b.ViewUpdatable(v)
}

func dbSchemas(c *Context) []*catalog.Schema {
	return inDatabase(c, c.Cat.Schemas, func(s *catalog.Schema) (catalog.ID, catalog.ID) { return s.DatabaseID, s.ID })
}

// inDatabase lists the objects of the session's database in OID order;
// ids gives an object's database and its own ID.
func inDatabase[T any](c *Context, all map[catalog.ID]T, ids func(T) (db, id catalog.ID)) []T {
	var out []T
	for _, o := range all {
		if db, _ := ids(o); db == c.DB.ID {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		_, a := ids(out[i])
		_, b := ids(out[j])
		return a < b
	})
	return out
}

// nsOID maps a bootstrap schema ID (pg_catalog, public,
// information_schema of the first database), which built-in objects are
// defined under, to the same-named schema of the session's database:
// each database has its own schema IDs.
func nsOID(c *Context, id catalog.ID) uint32 {
	var name string
	switch id {
	case storage.PgCatalogSchemaID:
		name = "pg_catalog"
	case storage.PublicSchemaID:
		name = "public"
	case storage.InformationSchemaID:
		name = "information_schema"
	default:
		return uint32(id)
	}
	for _, s := range c.Cat.Schemas {
		if s.DatabaseID == c.DB.ID && s.Name == name {
			return uint32(s.ID)
		}
	}
	return uint32(id)
}

func schemaName(c *Context, id catalog.ID) string {
	if s := c.Cat.Schemas[id]; s != nil {
		return s.Name
	}
	return ""
}

// roleOID maps an owner name to its role's OID (the bootstrap superuser
// when the role is gone).
func roleOID(c *Context, name string) uint32 {
	for _, r := range c.Cat.Roles {
		if r.Name == name {
			return uint32(r.ID)
		}
	}
	return uint32(storage.BootstrapRoleID)
}

// userColumns reports whether a column is visible in pg_attribute.
func userColumn(col *catalog.Column) bool { return !col.Hidden }

// relnatts counts the attributes pg_attribute lists for the table.
func relnatts(t *catalog.Table) int {
	n := 0
	for i := range t.Columns {
		if userColumn(&t.Columns[i]) {
			n++
		}
	}
	return n
}

// qualified spells schema.name for definitions.
func qualified(schema, name string) string {
	return builtins.QuoteIdent(schema) + "." + builtins.QuoteIdent(name)
}

// searchPath is the session's effective search path (pg_catalog first).
func searchPath(c *Context) []string {
	path := []string{"pg_catalog"}
	if c.Setting == nil {
		return append(path, "public")
	}
	for _, p := range strings.Split(c.Setting("search_path"), ",") {
		p = strings.TrimSpace(p)
		if len(p) >= 2 && p[0] == '"' && p[len(p)-1] == '"' {
			p = strings.ReplaceAll(p[1:len(p)-1], `""`, `"`)
		}
		if p == "$user" {
			p = c.User
		}
		if p != "" {
			path = append(path, p)
		}
	}
	return path
}

// relationRef spells a table as pg_get_indexdef and pg_get_constraintdef
// do: bare when the search path finds it, schema-qualified otherwise.
func relationRef(c *Context, t *catalog.Table) string {
	schema := schemaName(c, t.SchemaID)
	for _, s := range searchPath(c) {
		if s == schema {
			return builtins.QuoteIdent(t.Name)
		}
		if sc := c.Cat.SchemaByName(c.DB.ID, s); sc != nil && c.Cat.TableByName(sc.ID, t.Name) != nil {
			break
		}
	}
	return qualified(schema, t.Name)
}

// indexDef is pg_get_indexdef's text for one index. As in PostgreSQL,
// the plain form always schema-qualifies the table, and the pretty one
// (psql's \d) only when the search path does not find it, and prints the
// predicate with only the parentheses precedence needs.
func indexDef(c *Context, x *indexInfo, pretty bool) string {
	var b strings.Builder
	b.WriteString("CREATE ")
	if x.unique {
		b.WriteString("UNIQUE ")
	}
	table := qualified(schemaName(c, x.table.SchemaID), x.table.Name)
	if pretty {
		table = relationRef(c, x.table)
	}
	fmt.Fprintf(&b, "INDEX %s ON %s USING %s (", builtins.QuoteIdent(x.name), table, x.method)
	for i, ci := range x.cols {
		if i > 0 {
			b.WriteString(", ")
		}
		if ci >= 0 && ci < len(x.table.Columns) {
			b.WriteString(indexColumnText(&x.table.Columns[ci], pretty))
		}
		if i < len(x.opclass) && x.opclass[i] != "" {
			b.WriteString(" " + x.opclass[i])
		}
		if i < len(x.desc) && x.desc[i] {
			b.WriteString(" DESC")
		}
	}
	b.WriteString(")")
	if len(x.options) > 0 {
		keys := x.optionOrder
		if len(keys) != len(x.options) {
			keys = make([]string, 0, len(x.options))
			for k := range x.options {
				keys = append(keys, k)
			}
			sort.Strings(keys)
		}
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "='" + x.options[k] + "'"
		}
		b.WriteString(" WITH (" + strings.Join(parts, ", ") + ")")
	}
	if where := x.where; where != "" {
		if pretty && x.wherePretty != "" {
			where = x.wherePretty
		}
		b.WriteString(" WHERE " + where)
	}
	return b.String()
}

func colList(t *catalog.Table, cols []int) string {
	names := make([]string, 0, len(cols))
	for _, ci := range cols {
		if ci >= 0 && ci < len(t.Columns) {
			names = append(names, builtins.QuoteIdent(t.Columns[ci].Name))
		}
	}
	return strings.Join(names, ", ")
}

// constraintInfo is one pg_constraint row.
type constraintInfo struct {
	oid     uint32
	table   *catalog.Table
	name    string
	kind    string // p u c f
	index   uint32
	cols    []int
	refRel  uint32
	refCols []int
	onDel   string
	onUpd   string
	def     string
	pretty  string // pg_get_constraintdef(oid, true)
	// matchFull is a MATCH FULL foreign key.
	matchFull bool
	// deferrable and deferred are a foreign key's DEFERRABLE and
	// INITIALLY DEFERRED.
	deferrable, deferred bool
	// notValid: added NOT VALID and not validated (convalidated false).
	notValid bool
	expr     string
}

func fkAction(a string) (code, text string) {
	switch strings.ToUpper(strings.TrimSpace(a)) {
	case "CASCADE":
		return "c", "CASCADE"
	case "SET NULL":
		return "n", "SET NULL"
	case "SET DEFAULT":
		return "d", "SET DEFAULT"
	case "RESTRICT":
		return "r", "RESTRICT"
	}
	return "a", ""
}

func tableConstraints(c *Context, t *catalog.Table) []constraintInfo {
	var out []constraintInfo
	for _, x := range tableIndexes(t) {
		if !x.constraint {
			continue
		}
		ci := constraintInfo{table: t, name: x.name, index: x.oid, cols: x.cols}
		if x.primary {
			ci.oid, ci.kind = constraintPK|uint32(t.ID), "p"
			ci.def = "PRIMARY KEY (" + colList(t, x.cols) + ")"
		} else {
			ci.oid, ci.kind = constraintUQ|x.oid, "u"
			ci.def = "UNIQUE (" + colList(t, x.cols) + ")"
		}
		out = append(out, ci)
	}
	for i, ck := range t.Checks {
		pretty := ck.Pretty
		if pretty == "" {
			pretty = ck.Expr
		}
		ci := constraintInfo{oid: storedOrPositional(ck.OID, constraintCK, t, i), table: t, name: ck.Name, kind: "c",
			cols: ck.Columns, expr: ck.Expr, def: "CHECK (" + ck.Expr + ")", pretty: "CHECK (" + pretty + ")", notValid: ck.NotValid}
		if ck.NotValid {
			ci.def += " NOT VALID"
			ci.pretty += " NOT VALID"
		}
		out = append(out, ci)
	}
	for i, fk := range t.ForeignKeys {
		ci := constraintInfo{oid: storedOrPositional(fk.OID, constraintFK, t, i), table: t, name: fk.Name, kind: "f",
			cols: fk.Columns, refRel: uint32(fk.RefTable), refCols: fk.RefColumns, onDel: fk.OnDelete, onUpd: fk.OnUpdate}
		ref := c.Cat.Tables[fk.RefTable]
		refName, refCols := "?", ""
		if ref != nil {
			refName = relationRef(c, ref)
			refCols = colList(ref, fk.RefColumns)
			// conindid is the referenced key's index (JDBC's
			// getImportedKeys joins it for PK_NAME).
			for _, x := range tableIndexes(ref) {
				if (x.primary || (x.unique && x.where == "")) && sameColumnSet(x.cols, fk.RefColumns) {
					ci.index = x.oid
					break
				}
			}
		}
		ci.def = "FOREIGN KEY (" + colList(t, fk.Columns) + ") REFERENCES " + refName + "(" + refCols + ")"
		if fk.MatchFull {
			ci.def += " MATCH FULL"
			ci.matchFull = true
		}

		if _, s := fkAction(fk.OnUpdate); s != "" {
			ci.def += " ON UPDATE " + s
		}
		if _, s := fkAction(fk.OnDelete); s != "" {
			ci.def += " ON DELETE " + s
		}
		if fk.Deferrable {
			ci.def += " DEFERRABLE"
		}
		if fk.Deferred {
			ci.def += " INITIALLY DEFERRED"
		}
		if fk.NotValid {
			ci.def += " NOT VALID"
		}
		ci.deferrable, ci.deferred, ci.notValid = fk.Deferrable, fk.Deferred, fk.NotValid
		out = append(out, ci)
	}
	return out
}

// IndexDef returns pg_get_indexdef(oid) or, pretty, pg_get_indexdef(oid,
// 0, true) ("" and false when no index has that OID).
func IndexDef(c *Context, oid uint32, pretty bool) (string, bool) {
	for _, t := range dbTables(c) {
		for _, x := range tableIndexes(t) {
			if x.oid == oid {
				return indexDef(c, &x, pretty), true
			}
		}
	}
	return "", false
}

// ConstraintDef returns pg_get_constraintdef(oid).
func ConstraintDef(c *Context, oid uint32) (string, bool) {
	for _, t := range dbTables(c) {
		for _, ci := range tableConstraints(c, t) {
			if ci.oid == oid {
				return ci.def, true
			}
		}
	}
	return "", false
}

// ConstraintDefPretty returns pg_get_constraintdef(oid, true).
func ConstraintDefPretty(c *Context, oid uint32) (string, bool) {
	for _, t := range dbTables(c) {
		for _, ci := range tableConstraints(c, t) {
			if ci.oid == oid {
				if ci.pretty != "" {
					return ci.pretty, true
				}
				return ci.def, true
			}
		}
	}
	return "", false
}

// triggerTables are the tables with pg_class.relhastriggers set:
// PostgreSQL implements foreign keys with triggers on both tables, and
// psql shows a table's foreign keys and referencing keys only when set.
func triggerTables(c *Context) map[catalog.ID]bool {
	out := map[catalog.ID]bool{}
	for _, t := range dbTables(c) {
		for _, fk := range t.ForeignKeys {
			out[t.ID] = true
			out[fk.RefTable] = true
		}
	}
	return out
}

// Description returns the comment on an object (obj_description /
// col_description); subid is the column's attnum, 0 for the object.
func Description(c *Context, oid uint32, subid int) (string, bool) {
	if v := c.Cat.Views[catalog.ID(oid)]; v != nil {
		if subid == 0 {
			return v.Comment, v.Comment != ""
		}
		if subid > 0 && subid <= len(v.Columns) {
			return v.Columns[subid-1].Comment, v.Columns[subid-1].Comment != ""
		}
		return "", false
	}
	t := c.Cat.Tables[catalog.ID(oid)]
	if t == nil {
		if d, ok := pgDescriptions[oid]; ok && subid == 0 {
			return d.text, true
		}
		// Objects other than tables (schema public, extensions) have
		// their comments in pg_description's fixed rows.
		rows, err := registry["pg_catalog.pg_description"].rows(c)
		if err != nil {
			return "", false
		}
		for _, r := range rows {
			if r[0] == types.DOid(oid) && r[2] == types.DInt(subid) {
				return string(r[3].(types.DString)), true
			}
		}
		return "", false
	}
	if subid == 0 {
		return t.Comment, t.Comment != ""
	}
	if subid > 0 && subid <= len(t.Columns) && t.Columns[subid-1].Comment != "" {
		return t.Columns[subid-1].Comment, true
	}
	return "", false
}

// RelationVisible is pg_table_is_visible: the relation's schema is on the
// search path (pg_catalog always is) and no earlier schema has a relation
// of the same name.
func RelationVisible(c *Context, searchPath []string, oid uint32) bool {
	name, schema, ok := relationName(c, oid)
	if !ok {
		return false
	}
	for _, s := range append([]string{"pg_catalog"}, searchPath...) {
		if s == schema {
			return true
		}
		for _, t := range dbTables(c) {
			if schemaName(c, t.SchemaID) == s && t.Name == name {
				return false
			}
		}
		for _, v := range dbViews(c) {
			if schemaName(c, v.SchemaID) == s && v.Name == name {
				return false
			}
		}
	}
	return false
}

// relationName finds the name and schema of a relation OID.
func relationName(c *Context, oid uint32) (name, schema string, ok bool) {
	for _, t := range dbTables(c) {
		if uint32(t.ID) == oid {
			return t.Name, schemaName(c, t.SchemaID), true
		}
		for _, x := range tableIndexes(t) {
			if x.oid == oid {
				return x.name, schemaName(c, t.SchemaID), true
			}
		}
	}
	if s := c.Cat.Sequences[catalog.ID(oid)]; s != nil && s.DatabaseID == c.DB.ID {
		return s.Name, schemaName(c, s.SchemaID), true
	}
	if v := c.Cat.Views[catalog.ID(oid)]; v != nil && v.DatabaseID == c.DB.ID {
		return v.Name, schemaName(c, v.SchemaID), true
	}
	for _, t := range registry {
		if t.def.OID == oid {
			return t.def.Name, t.def.Schema, true
		}
	}
	return "", "", false
}

// SerialSequence is pg_get_serial_sequence(table, column): the qualified
// name of the sequence a column owns.
func SerialSequence(c *Context, tableOID uint32, column string) (string, bool) {
	t := c.Cat.Tables[catalog.ID(tableOID)]
	if t == nil {
		return "", false
	}
	ci := t.ColumnByName(column)
	if ci < 0 || t.Columns[ci].SequenceID == 0 {
		return "", false
	}
	s := c.Cat.Sequences[t.Columns[ci].SequenceID]
	if s == nil {
		return "", false
	}
	return qualified(schemaName(c, s.SchemaID), s.Name), true
}

// IndexColumn is pg_get_indexdef(oid, column, pretty) for column > 0: the
// key column's name or expression.
func IndexColumn(c *Context, oid uint32, column int, pretty bool) (string, bool) {
	for _, t := range dbTables(c) {
		for _, x := range tableIndexes(t) {
			if x.oid == oid {
				if column < 1 || column > len(x.cols) {
					return "", false
				}
				return indexColumnText(&t.Columns[x.cols[column-1]], pretty), true
			}
		}
	}
	return "", false
}

// sameColumnSet reports whether a and b hold the same column ordinals.
func sameColumnSet(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		found := false
		for _, y := range b {
			found = found || x == y
		}
		if !found {
			return false
		}
	}
	return true
}

// UserType is format_type's name for an enum type or its array type, and
// whether the type is visible: the first type of its name on the path
// (pg_type_is_visible). Invisible types are schema-qualified.
func UserType(c *Context, searchPath []string, oid uint32) (name string, visible, ok bool) {
	for _, ty := range dbTypes(c) {
		if ty.Enum.OID != oid && ty.Enum.ArrayOID != oid {
			continue
		}
		schema := schemaName(c, ty.SchemaID)
		for _, s := range searchPath {
			if s == schema {
				visible = true
				break
			}
			if sc := c.Cat.SchemaByName(c.DB.ID, s); sc != nil && c.Cat.TypeByName(sc.ID, ty.Enum.Name) != nil {
				break
			}
		}
		name = types.QuoteIdent(ty.Enum.Name)
		if !visible {
			name = types.QuoteIdent(schema) + "." + name
		}
		if oid == ty.Enum.ArrayOID {
			name += "[]"
		}
		return name, visible, true
	}
	return "", false, false
}

// indexColumnText is an index column as pg_get_indexdef spells it: the
// column's name, or for an expression index's hidden column the
// expression, parenthesized unless it is function-like. The hidden
// column's name is the pretty form already so parenthesized (the form
// PostgreSQL's unique-violation DETAIL shows).
func indexColumnText(col *catalog.Column, pretty bool) string {
	if !col.Hidden || col.Generated == "" {
		return builtins.QuoteIdent(col.Name)
	}
	if pretty {
		return col.Name
	}
	if col.Name != col.GeneratedPretty {
		return "(" + col.Generated + ")"
	}
	return col.Generated
}
