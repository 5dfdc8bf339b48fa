package executor

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/quiverdb/quiver/executor/pgcatalog"
	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// rowidColumn names the hidden key column of a table declared without a
// primary key; the name cannot be written as an unquoted identifier.
const rowidColumn = "?rowid?"

// execUtility runs DDL and other statements that need no plan.
func (s *Session) execUtility(ec *execCtx, stmt tree.Statement) (Result, error) {
	cat, err := ec.txn.Catalog()
	if err != nil {
		return nil, err
	}
	b := s.binder(cat, nil)
	switch n := stmt.(type) {
	case *tree.CreateTable:
		return s.createTable(ec, b, n)
	case *tree.DropTable:
		return s.dropTables(ec, b, n)
	case *tree.CreateSchema:
		if cat.SchemaByName(s.db.ID, n.Name) != nil {
			if n.IfNotExists {
				s.noticeCode(pgerror.CodeDuplicateSchema, "schema \"%s\" already exists, skipping", n.Name)
				return doneResult("CREATE SCHEMA"), nil
			}
			return nil, pgerror.New(pgerror.CodeDuplicateSchema, "schema \"%s\" already exists", n.Name)
		}
		if strings.HasPrefix(n.Name, "pg_") {
			return nil, pgerror.New("42939", "unacceptable schema name \"%s\"", n.Name).WithDetail("The prefix \"pg_\" is reserved for system schemas.")
		}
		id, err := s.eng.store.AllocateID(ec.ctx)
		if err != nil {
			return nil, err
		}
		if err := ec.txn.PutSchema(&catalog.Schema{ID: id, DatabaseID: s.db.ID, Name: n.Name, Owner: s.user}); err != nil {
			return nil, err
		}
		return doneResult("CREATE SCHEMA"), nil
	case *tree.DropSchema:
		return s.dropSchemas(ec, cat, n)
	case *tree.CreateDatabase:
		if r := s.currentRole(cat); !r.Superuser && !r.CreateDB {
			return nil, pgerror.New(pgerror.CodeInsufficientPrivilege, "permission denied to create database")
		}
		if cat.DatabaseByName(n.Name) != nil {
			if n.IfNotExists {
				s.notice("database \"%s\" already exists, skipping", n.Name)
				return doneResult("CREATE DATABASE"), nil
			}
			return nil, pgerror.New(pgerror.CodeDuplicateDatabase, "database \"%s\" already exists", n.Name)
		}
		dbID, err := s.eng.store.AllocateID(ec.ctx)
		if err != nil {
			return nil, err
		}
		if err := ec.txn.PutDatabase(&catalog.Database{ID: dbID, Name: n.Name, Owner: s.user}); err != nil {
			return nil, err
		}
		for _, name := range []string{"pg_catalog", "information_schema", "public"} {
			id, err := s.eng.store.AllocateID(ec.ctx)
			if err != nil {
				return nil, err
			}
			if err := ec.txn.PutSchema(&catalog.Schema{ID: id, DatabaseID: dbID, Name: name, Owner: s.user}); err != nil {
				return nil, err
			}
		}
		return doneResult("CREATE DATABASE"), nil
	case *tree.DropDatabase:
		d := cat.DatabaseByName(n.Name)
		if d == nil {
			if n.IfExists {
				s.notice("database \"%s\" does not exist, skipping", n.Name)
				return doneResult("DROP DATABASE"), nil
			}
			return nil, pgerror.New(pgerror.CodeInvalidCatalogName, "database \"%s\" does not exist", n.Name)
		}
		if r := s.currentRole(cat); !r.Superuser && d.Owner != r.Name {
			return nil, pgerror.New(pgerror.CodeInsufficientPrivilege, "must be owner of database %s", d.Name)
		}
		if d.ID == s.db.ID {
			return nil, pgerror.New(pgerror.CodeObjectInUse, "cannot drop the currently open database")
		}
		if err := ec.txn.DropDatabase(d.ID); err != nil {
			return nil, err
		}
		return doneResult("DROP DATABASE"), nil
	case *tree.CreateSequence:
		return s.createSequence(ec, b, n)
	case *tree.CreateType:
		return s.createType(ec, b, n)
	case *tree.DropType:
		return s.dropTypes(ec, b, n)
	case *tree.AlterType:
		return s.alterType(ec, b, n)
	case *tree.DropSequence:
		for _, name := range n.Names {
			if name.Schema != "" && n.IfExists && b.Cat.SchemaByName(s.db.ID, name.Schema) == nil {
				s.notice("schema \"%s\" does not exist, skipping", name.Schema)
				continue
			}
			seq, err := s.resolveSequence(b, name)
			if err != nil {
				return nil, err
			}
			if seq == nil {
				if n.IfExists {
					s.notice("sequence \"%s\" does not exist, skipping", name.Name)
					continue
				}
				return nil, pgerror.New(pgerror.CodeUndefinedTable, "sequence \"%s\" does not exist", name.Name)
			}
			if err := ec.txn.DropSequence(seq.ID); err != nil {
				return nil, err
			}
		}
		return doneResult("DROP SEQUENCE"), nil
	case *tree.Truncate:
		var tables []*catalog.Table
		for _, name := range n.Names {
			t, err := b.ResolveTable(name)
			if err != nil {
				return nil, err
			}
			if t.Matview != nil {
				return nil, pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a table", t.Name)
			}
			tables = append(tables, t)
		}
		if tables, err = s.truncateReferenced(cat, tables, n.Cascade); err != nil {
			return nil, err
		}
		for _, t := range tables {
			if err := ec.deleteAllRows(t); err != nil {
				return nil, err
			}
		}
		if n.RestartIdentity {
			if err := s.restartOwnedSequences(ec, cat, tables); err != nil {
				return nil, err
			}
		}
		return doneResult("TRUNCATE TABLE"), nil
	case *tree.Lock:
		return s.lockTables(b, n)
	case *tree.AlterSequence:
		return s.alterSequence(ec, b, n)
	case *tree.CommentOn:
		return s.commentOn(ec, b, n)
	case *tree.AlterOwner:
		return s.alterOwner(ec, b, n)
	case *tree.CreateExtension:
		return s.createExtension(b, n)
	case *tree.AlterExtension:
		// Built in, so always at its one version: PostgreSQL's answer for
		// an extension already at the version asked for.
		version, ok := pgcatalog.ExtensionVersion(n.Name)
		if !ok {
			return nil, pgerror.New(pgerror.CodeUndefinedObject, "extension \"%s\" does not exist", n.Name)
		}
		if n.Version != "" && n.Version != version {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "extension \"%s\" has no update path from version \"%s\" to version \"%s\"", n.Name, version, n.Version)
		}
		s.notice("version \"%s\" of extension \"%s\" is already installed", version, n.Name)
		return doneResult("ALTER EXTENSION"), nil
	case *tree.DropExtension:
		for _, name := range n.Names {
			if _, ok := pgcatalog.ExtensionComment(name); !ok {
				if n.IfExists {
					s.notice("extension \"%s\" does not exist, skipping", name)
					continue
				}
				return nil, pgerror.New(pgerror.CodeUndefinedObject, "extension \"%s\" does not exist", name)
			}
			// Built-in extensions' objects cannot go away, so dropping one
			// would leave it installed while saying it is gone.
			return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "extension \"%s\" is built into Quiver and cannot be dropped", name)
		}
		return doneResult("DROP EXTENSION"), nil
	case *tree.Vacuum:
		return doneResult(map[bool]string{true: "ANALYZE", false: "VACUUM"}[n.Analyze]), nil
	case *tree.CreateRole:
		return s.createRole(ec, cat, n)
	case *tree.AlterRole:
		return s.alterRole(ec, cat, n)
	case *tree.DropRole:
		return s.dropRoles(ec, cat, n)
	case *tree.Grant:
		return nil, notSupportedStmt("GRANT/REVOKE")
	case *tree.Explain:
		return nil, notSupportedStmt("EXPLAIN")
	case *tree.Copy:
		return nil, notSupportedStmt("COPY")
	case *tree.CreateIndex:
		return s.createIndex(ec, b, n)
	case *tree.DropIndex:
		return s.dropIndexes(ec, b, n)
	case *tree.Reindex:
		return s.reindex(ec, b, n)
	case *tree.AlterTable:
		return s.alterTable(ec, b, n)
	case *tree.CreateView:
		if n.Materialized {
			return s.createMatview(ec, b, n)
		}
		return s.createView(ec, b, n)
	case *tree.DropView:
		return s.dropViews(ec, b, n)
	case *tree.RefreshMatview:
		return s.refreshMatview(ec, b, n)
	case *tree.SetConstraints:
		return s.setConstraints(ec, b, n)
	}
	return nil, notSupportedStmt(statementName(stmt))
}

// lockTables is LOCK TABLE. Quiver has no table locks: a transaction
// reads its snapshot whatever others commit meanwhile, so ACCESS SHARE —
// which only keeps the table from being dropped or altered under a reader,
// as pg_dump uses it — is already given. Stronger modes promise to keep
// out concurrent writers, which Quiver cannot, so they are refused rather
// than granted in name only.
func (s *Session) lockTables(b *planner.Binder, n *tree.Lock) (Result, error) {
	if !s.inBlock {
		return nil, pgerror.New(pgerror.CodeNoActiveSQLTransaction, "LOCK TABLE can only be used in transaction blocks")
	}
	for _, name := range n.Names {
		if _, err := b.ResolveTable(name); err != nil {
			return nil, err
		}
	}
	if n.Mode != "access share" {
		return nil, notSupportedStmt("LOCK TABLE IN " + strings.ToUpper(n.Mode) + " MODE")
	}
	return doneResult("LOCK TABLE"), nil
}

// statementName names a statement type for 0A000 messages.
func statementName(stmt tree.Statement) string {
	name := fmt.Sprintf("%T", stmt)
	name = strings.TrimPrefix(name, "*tree.")
	var sb strings.Builder
	for i, r := range name {
		if i > 0 && r >= 'A' && r <= 'Z' {
			sb.WriteByte(' ')
		}
		sb.WriteRune(r)
	}
	return strings.ToUpper(sb.String())
}

// createExtension accepts a built-in extension, which every database
// already has: its objects exist from the start (as pgvector's, which
// tables and indexes need), so there is nothing to create. The clauses
// are still checked as PostgreSQL checks them for an extension not yet
// installed, so a script that fails there fails here.
func (s *Session) createExtension(b *planner.Binder, n *tree.CreateExtension) (Result, error) {
	version, ok := pgcatalog.ExtensionVersion(n.Name)
	if !ok {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "extension \"%s\" is not available", n.Name).
			WithHint("Quiver has the extensions %s built in.", strings.Join(pgcatalog.ExtensionNames(), ", "))
	}
	if n.Schema != "" && b.Cat.SchemaByName(s.db.ID, n.Schema) == nil {
		return nil, pgerror.New(pgerror.CodeInvalidSchemaName, "schema \"%s\" does not exist", n.Schema)
	}
	if n.Version != "" && n.Version != version {
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "extension \"%s\" has no installation script nor update path for version \"%s\"", n.Name, n.Version)
	}
	return doneResult("CREATE EXTENSION"), nil
}

// creationSchema is where an unqualified CREATE puts its object: the first
// existing schema of the search path.
func (s *Session) creationSchema(b *planner.Binder, name tree.ObjectName) (*catalog.Schema, error) {
	if name.Schema != "" {
		sc := b.Cat.SchemaByName(s.db.ID, name.Schema)
		if sc == nil {
			return nil, pgerror.New(pgerror.CodeInvalidSchemaName, "schema \"%s\" does not exist", name.Schema)
		}
		return sc, nil
	}
	for _, p := range s.SearchPath() {
		if sc := b.Cat.SchemaByName(s.db.ID, p); sc != nil && p != "pg_catalog" && p != "information_schema" {
			return sc, nil
		}
	}
	return nil, pgerror.New(pgerror.CodeInvalidSchemaName, "no schema has been selected to create in")
}

var serialTypes = map[string]*types.T{
	"serial": types.Int4, "serial4": types.Int4,
	"bigserial": types.Int8, "serial8": types.Int8,
	"smallserial": types.Int2, "serial2": types.Int2,
}

func (s *Session) createTable(ec *execCtx, b *planner.Binder, n *tree.CreateTable) (Result, error) {
	if n.AsSelect != nil {
		return s.createTableAs(ec, b, n)
	}
	n, likeIdxs, err := s.expandLike(b, n)
	if err != nil {
		return nil, err
	}
	sc, err := s.tableSchema(ec, b, n)
	if err != nil {
		return nil, err
	}
	if b.Cat.RelationNameTaken(sc.ID, n.Name.Name) {
		if n.IfNotExists {
			s.noticeCode(pgerror.CodeDuplicateTable, "relation \"%s\" already exists, skipping", n.Name.Name)
			return doneResult("CREATE TABLE"), nil
		}
		return nil, pgerror.New(pgerror.CodeDuplicateTable, "relation \"%s\" already exists", n.Name.Name)
	}
	if err := typeNameClash(b, sc.ID, n.Name.Name); err != nil {
		return nil, err
	}
	id, err := s.eng.store.AllocateID(ec.ctx)
	if err != nil {
		return nil, err
	}
	t := &catalog.Table{ID: id, DatabaseID: s.db.ID, SchemaID: sc.ID, Name: n.Name.Name, Owner: s.user}
	var pk []string
	pkName := ""
	var uniques, checks, fks []tree.Constraint
	var seqs []*catalog.Sequence
	addConstraint := func(c tree.Constraint, col string) error {
		if len(c.Columns) == 0 && col != "" {
			c.Columns = []string{col}
		}
		switch c.Kind {
		case "primary key":
			if pk != nil {
				return pgerror.New(pgerror.CodeInvalidTableDefinition, "multiple primary keys for table \"%s\" are not allowed", t.Name)
			}
			pk, pkName = c.Columns, c.Name
		case "unique":
			uniques = append(uniques, c)
		case "check":
			checks = append(checks, c)
		case "foreign key":
			fks = append(fks, c)
		default:
			return notSupportedStmt(strings.ToUpper(c.Kind) + " constraints")
		}
		return nil
	}
	for _, cd := range n.Columns {
		if t.ColumnByName(cd.Name) >= 0 {
			return nil, pgerror.New(pgerror.CodeDuplicateColumn, "column \"%s\" specified more than once", cd.Name)
		}
		col, seq, err := s.columnFromDef(ec, b, t, sc, cd)
		if err != nil {
			return nil, err
		}
		if seq != nil {
			seqs = append(seqs, seq)
		}
		t.Columns = append(t.Columns, col)
		for _, c := range cd.Constraints {
			if err := addConstraint(c, cd.Name); err != nil {
				return nil, err
			}
		}
	}
	// After the loop: PostgreSQL reports a duplicate name first, wherever
	// it stands.
	for _, cd := range n.Columns {
		if err := checkNotSystemColumn(cd.Name); err != nil {
			return nil, err
		}
	}
	if err := bindGeneratedColumns(b, t, n.Columns); err != nil {
		return nil, err
	}
	for _, c := range n.Constraints {
		if err := addConstraint(c, ""); err != nil {
			return nil, err
		}
	}
	if len(t.Columns) == 0 {
		return nil, notSupportedStmt("tables without columns")
	}
	if pk != nil {
		for _, name := range pk {
			i := t.ColumnByName(name)
			if i < 0 {
				return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" named in key does not exist", name)
			}
			t.Columns[i].NotNull = true
			t.PrimaryKey = append(t.PrimaryKey, i)
		}
		if pkName == "" {
			pkName = t.Name + "_pkey"
		}
		t.PrimaryKeyName = pkName
	} else {
		addRowid(t)
	}
	for _, u := range uniques {
		idx := catalog.Index{Name: u.Name, Unique: true, Method: "btree", Constraint: true}
		for _, name := range u.Columns {
			i := t.ColumnByName(name)
			if i < 0 {
				return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" named in key does not exist", name)
			}
			idx.Columns = append(idx.Columns, i)
		}
		if sameColumns(idx.Columns, t.PrimaryKey) && pk != nil {
			continue // a UNIQUE on the primary key adds nothing
		}
		if idx.Name == "" {
			idx.Name = t.Name + "_" + strings.Join(u.Columns, "_") + "_key"
		}
		if idx.ID, err = s.eng.store.AllocateID(ec.ctx); err != nil {
			return nil, err
		}
		t.Indexes = append(t.Indexes, idx)
	}
	if err := s.addLikeIndexes(ec, b, t, likeIdxs); err != nil {
		return nil, err
	}
	if err := s.newTableConstraints(b, t, checks, fks); err != nil {
		return nil, err
	}
	for _, seq := range seqs {
		if err := ec.txn.PutSequence(seq); err != nil {
			return nil, err
		}
	}
	if err := ec.txn.PutTable(t); err != nil {
		return nil, err
	}
	s.registerOnCommit(n, t.ID)
	return doneResult("CREATE TABLE"), nil
}

func sameColumns(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// columnFromDef builds a new column of t (ID after every existing one):
// its type, NOT NULL and DEFAULT; a serial type also yields the sequence it
// owns, for the caller to store.
func (s *Session) columnFromDef(ec *execCtx, b *planner.Binder, t *catalog.Table, sc *catalog.Schema, cd tree.ColumnDef) (catalog.Column, *catalog.Sequence, error) {
	var nextID uint32 = 1
	for _, c := range t.Columns {
		if c.ID >= nextID {
			nextID = c.ID + 1
		}
	}
	col := catalog.Column{ID: nextID, Name: cd.Name, NotNull: cd.NotNull}
	var seq *catalog.Sequence
	if err := checkGeneratedDef(t, cd); err != nil {
		return col, nil, err
	}
	if cd.Generated != nil {
		col.Generated = generatedPending
	}
	st, serial := serialTypes[cd.Type.Name]
	serial = serial && cd.Type.ArrayDims == 0
	if serial || cd.Identity != "" {
		if !serial {
			typ, err := identityType(cd.Type)
			if err != nil {
				return col, nil, err
			}
			st = typ
		}
		col.Type = st
		seqID, err := s.eng.store.AllocateID(ec.ctx)
		if err != nil {
			return col, nil, err
		}
		seqName := fmt.Sprintf("%s_%s_seq", t.Name, cd.Name)
		for _, o := range cd.IdentityOptions {
			if o.Name != "sequence name" {
				continue
			}
			schema, name := "", o.Value
			if i := strings.LastIndexByte(o.Value, '.'); i >= 0 {
				schema, name = o.Value[:i], o.Value[i+1:]
			}
			if schema != "" && schema != sc.Name {
				return col, nil, notSupportedStmt("an identity sequence in another schema than its table")
			}
			seqName = name
		}
		_, max := sequenceTypeBounds(st.OID())
		seq = &catalog.Sequence{ID: seqID, DatabaseID: s.db.ID, SchemaID: sc.ID, Name: seqName, Increment: 1, Min: 1, Max: max, Start: 1, OwnedByTable: t.ID, OwnedByColumn: len(t.Columns), TypeOID: st.OID()}
		col.SequenceID = seqID
		col.NotNull = true
		col.Default = pgcatalog.CanonicalSeqRef(sc.Name, seqName)
		if cd.Identity != "" {
			col.Identity = cd.Identity
			if err := applySeqOptions(seq, cd.IdentityOptions); err != nil {
				return col, nil, err
			}
		}
	} else {
		typ, err := b.ResolveType(cd.Type)
		if err != nil {
			return col, nil, err
		}
		col.Type = typ
	}
	if cd.Default != nil {
		if col.SequenceID != 0 {
			return col, nil, pgerror.New(pgerror.CodeSyntaxError, "multiple default values specified for column \"%s\" of table \"%s\"", cd.Name, t.Name)
		}
		text, err := defaultText(b, &col, cd)
		if err != nil {
			return col, nil, err
		}
		col.Default = text
	}
	return col, seq, nil
}

// defaultText checks cd's DEFAULT against col's type and returns the text
// to store: as written, but with each sequence nextval names resolved now
// and spelled as pgcatalog.CanonicalSeqRef does, since PostgreSQL binds
// that name when the default is defined, not when it is used.
func defaultText(b *planner.Binder, col *catalog.Column, cd tree.ColumnDef) (string, error) {
	text := cd.DefaultText
	if text == "" {
		return "", pgerror.New(pgerror.CodeInternal, "DEFAULT of column \"%s\" has no source text", cd.Name)
	}
	x, err := b.BindScalar(cd.Default)
	if err != nil {
		return "", err
	}
	if _, err := b.Coerce(x, col.Type); err != nil {
		return "", pgerror.New(pgerror.CodeDatatypeMismatch, "column \"%s\" is of type %s but default expression is of type %s", cd.Name, col.Type, x.Type()).WithHint("You will need to rewrite or cast the expression.")
	}
	return pgcatalog.RewriteSeqRefs(text, func(schema, name string) (string, bool) {
		qualified := name
		if schema != "" {
			qualified = schema + "." + name
		}
		seq := b.LookupSequence(qualified)
		if seq == nil {
			return "", false
		}
		return pgcatalog.CanonicalSeqRef(b.Cat.Schemas[seq.SchemaID].Name, seq.Name), true
	}), nil
}

func (s *Session) dropTables(ec *execCtx, b *planner.Binder, n *tree.DropTable) (Result, error) {
	dropping := map[catalog.ID]bool{}
	for _, name := range n.Names {
		if t, err := b.LookupTable(name); err == nil && t != nil {
			dropping[t.ID] = true
		}
	}
	for _, name := range n.Names {
		t, err := b.LookupTable(name)
		if err != nil {
			if n.IfExists && pgerror.CodeOf(err) == pgerror.CodeInvalidSchemaName {
				s.notice("schema \"%s\" does not exist, skipping", name.Schema)
				continue
			}
			return nil, err
		}
		if t == nil {
			if v, err := b.LookupView(name); err == nil && v != nil {
				return nil, pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a table", name.Name).WithHint("Use DROP VIEW to remove a view.")
			}
			if n.IfExists {
				s.notice("table \"%s\" does not exist, skipping", name.Name)
				continue
			}
			return nil, pgerror.New(pgerror.CodeUndefinedTable, "table \"%s\" does not exist", name.Name)
		}
		if t.Matview != nil {
			return nil, pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a table", name.Name).WithHint("Use DROP MATERIALIZED VIEW to remove a materialized view.")
		}
		cat, err := ec.txn.Catalog()
		if err != nil {
			return nil, err
		}
		if cat.Tables[t.ID] == nil {
			continue // named twice
		}
		if err := s.dropDependentViews(ec, cat, t.ID, "table "+t.Name, n.Cascade, nil); err != nil {
			return nil, err
		}
		if err := s.dropReferencingFKs(ec, t, n.Cascade, dropping, "table"); err != nil {
			return nil, err
		}
		if err := s.dropTable(ec, b.Cat, t); err != nil {
			return nil, err
		}
	}
	return doneResult("DROP TABLE"), nil
}

func (s *Session) dropTable(ec *execCtx, cat *storage.Catalog, t *catalog.Table) error {
	for _, seq := range cat.Sequences {
		if seq.OwnedByTable == t.ID {
			if err := ec.txn.DropSequence(seq.ID); err != nil {
				return err
			}
		}
	}
	return ec.txn.DropTable(t.ID)
}

func (s *Session) dropSchemas(ec *execCtx, cat *storage.Catalog, n *tree.DropSchema) (Result, error) {
	for _, name := range n.Names {
		sc := cat.SchemaByName(s.db.ID, name)
		if sc == nil {
			if n.IfExists {
				s.notice("schema \"%s\" does not exist, skipping", name)
				continue
			}
			return nil, pgerror.New(pgerror.CodeInvalidSchemaName, "schema \"%s\" does not exist", name)
		}
		var tables []*catalog.Table
		for _, t := range cat.Tables {
			if t.SchemaID == sc.ID {
				tables = append(tables, t)
			}
		}
		var seqs []*catalog.Sequence
		for _, q := range cat.Sequences {
			if q.SchemaID == sc.ID {
				seqs = append(seqs, q)
			}
		}
		var views []*catalog.View
		for _, v := range cat.Views {
			if v.SchemaID == sc.ID {
				views = append(views, v)
			}
		}
		var typs []*catalog.Type
		for _, ty := range cat.Types {
			if ty.SchemaID == sc.ID {
				typs = append(typs, ty)
			}
		}
		if (len(tables) > 0 || len(seqs) > 0 || len(views) > 0 || len(typs) > 0) && !n.Cascade {
			return nil, pgerror.New(pgerror.CodeDependentObjectsStillExist, "cannot drop schema %s because other objects depend on it", name).
				WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
		}
		dropping := map[catalog.ID]bool{}
		var rels []catalog.ID
		for _, t := range tables {
			dropping[t.ID] = true
			rels = append(rels, t.ID)
		}
		for _, v := range views {
			rels = append(rels, v.ID)
			if err := ec.txn.DropView(v.ID); err != nil {
				return nil, fmt.Errorf("drop view %s: %w", v.Name, err)
			}
		}
		if err := s.dropViewsOn(ec, cat, rels); err != nil {
			return nil, err
		}
		for _, t := range tables {
			if err := s.dropReferencingFKs(ec, t, true, dropping, "table"); err != nil {
				return nil, err
			}
			if err := s.dropTable(ec, cat, t); err != nil {
				return nil, err
			}
		}
		for _, q := range seqs {
			if q.OwnedByTable == 0 {
				if err := ec.txn.DropSequence(q.ID); err != nil {
					return nil, err
				}
			}
		}
		for _, ty := range typs {
			// Columns of tables in other schemas that use the type are
			// dropped with it, as DROP TYPE ... CASCADE does.
			if _, err := s.dropTypes(ec, s.binder(cat, nil), &tree.DropType{Names: []tree.ObjectName{{Schema: name, Name: ty.Enum.Name}}, Cascade: true}); err != nil {
				return nil, err
			}
		}
		if err := ec.txn.DropSchema(sc.ID); err != nil {
			return nil, err
		}
	}
	return doneResult("DROP SCHEMA"), nil
}

func (s *Session) resolveSequence(b *planner.Binder, name tree.ObjectName) (*catalog.Sequence, error) {
	if name.Schema != "" {
		sc := b.Cat.SchemaByName(s.db.ID, name.Schema)
		if sc == nil {
			return nil, pgerror.New(pgerror.CodeInvalidSchemaName, "schema \"%s\" does not exist", name.Schema)
		}
		return b.Cat.SequenceByName(sc.ID, name.Name), nil
	}
	return b.LookupSequence(name.Name), nil
}

// seqOptionInt is a sequence option's integer value.
func seqOptionInt(o tree.SeqOption) (int64, error) {
	v, err := strconv.ParseInt(strings.TrimSpace(o.Value), 10, 64)
	if err != nil {
		return 0, pgerror.New(pgerror.CodeInvalidParameterValue, "invalid value for sequence option %s: %s", o.Name, o.Value)
	}
	return v, nil
}

// applySeqOptions applies CREATE SEQUENCE's (or an identity column's)
// options to seq, whose fields hold the defaults, and validates the result.
func applySeqOptions(seq *catalog.Sequence, opts []tree.SeqOption) error {
	startSet, minSet, maxSet, asSet := false, false, false, false
	for _, o := range opts {
		num := func() (int64, error) { return seqOptionInt(o) }
		var err error
		switch o.Name {
		case "increment":
			seq.Increment, err = num()
		case "minvalue":
			seq.Min, err = num()
			minSet = true
		case "maxvalue":
			seq.Max, err = num()
			maxSet = true
		case "start":
			seq.Start, err = num()
			startSet = true
		case "cycle":
			seq.Cycle = true
		case "as":
			typ, terr := planner.ResolveTypeName(tree.TypeName{Name: o.Value})
			if terr != nil {
				return terr
			}
			switch typ.Family {
			case types.FamInt2, types.FamInt4, types.FamInt8:
			default:
				return pgerror.New(pgerror.CodeInvalidParameterValue, "sequence type must be smallint, integer, or bigint")
			}
			seq.TypeOID, asSet = typ.OID(), true
		case "sequence name":
			// the caller names the identity sequence
		case "no cycle", "cache", "no minvalue", "no maxvalue", "owned by":
		default:
			return notSupportedStmt("sequence option " + strings.ToUpper(o.Name))
		}
		if err != nil {
			return err
		}
	}
	if seq.Increment == 0 {
		return pgerror.New(pgerror.CodeInvalidParameterValue, "INCREMENT must not be zero")
	}
	lo, hi := sequenceTypeBounds(seq.TypeOID)
	if seq.Increment < 0 {
		if !maxSet {
			seq.Max = -1
		}
		if !minSet {
			seq.Min = lo
		}
	} else if asSet && !maxSet {
		seq.Max = hi
	}
	if !startSet {
		seq.Start = seq.Min
		if seq.Increment < 0 {
			seq.Start = seq.Max
		}
	}
	if seq.Start < seq.Min || seq.Start > seq.Max {
		return pgerror.New(pgerror.CodeInvalidParameterValue, "START value (%d) cannot be less than MINVALUE (%d)", seq.Start, seq.Min)
	}
	return nil
}

// sequenceTypeBounds is the range of a sequence's data type.
func sequenceTypeBounds(typ uint32) (lo, hi int64) {
	switch typ {
	case types.OidInt2:
		return math.MinInt16, math.MaxInt16
	case types.OidInt4:
		return math.MinInt32, math.MaxInt32
	}
	return math.MinInt64, math.MaxInt64
}

func (s *Session) createSequence(ec *execCtx, b *planner.Binder, n *tree.CreateSequence) (Result, error) {
	sc, err := s.relationSchema(ec, b, n.Name, n.Temporary)
	if err != nil {
		return nil, err
	}
	if b.Cat.RelationNameTaken(sc.ID, n.Name.Name) {
		if n.IfNotExists {
			s.noticeCode(pgerror.CodeDuplicateTable, "relation \"%s\" already exists, skipping", n.Name.Name)
			return doneResult("CREATE SEQUENCE"), nil
		}
		return nil, pgerror.New(pgerror.CodeDuplicateTable, "relation \"%s\" already exists", n.Name.Name)
	}
	id, err := s.eng.store.AllocateID(ec.ctx)
	if err != nil {
		return nil, err
	}
	seq := &catalog.Sequence{ID: id, DatabaseID: s.db.ID, SchemaID: sc.ID, Name: n.Name.Name, Increment: 1, Min: 1, Max: math.MaxInt64, TypeOID: types.OidInt8}
	if err := applySeqOptions(seq, n.Options); err != nil {
		return nil, err
	}
	if err := ec.txn.PutSequence(seq); err != nil {
		return nil, err
	}
	return doneResult("CREATE SEQUENCE"), nil
}

// noticeCode queues a notice with its own SQLSTATE: PostgreSQL's
// "already exists, skipping" notices carry the error code the statement
// would have raised without IF NOT EXISTS (42P07, 42P06, 42701).
func (s *Session) noticeCode(code, format string, args ...any) {
	n := pgerror.Notice(format, args...)
	n.Code = code
	s.notices = append(s.notices, n)
}

// deleteAllRows deletes every row of t the transaction sees (TRUNCATE,
// ON COMMIT DELETE ROWS).
func (ec *execCtx) deleteAllRows(t *catalog.Table) error {
	return scanRows(ec, t, func(row []types.Datum) error {
		return ec.txn.DeleteRowNoLock(ec.ctx, t, row)
	})
}

// commentOn is COMMENT ON TABLE and COLUMN, which the catalog stores;
// COMMENT ON EXTENSION may restate a built-in extension's own comment (as
// a pg_dump script does). Other objects have nowhere to keep a comment yet.
func (s *Session) commentOn(ec *execCtx, b *planner.Binder, n *tree.CommentOn) (Result, error) {
	text := ""
	if n.Comment != nil {
		text = *n.Comment
	}
	if n.Kind == "view" || n.Kind == "column" {
		v, err := b.LookupView(n.Name)
		if err != nil {
			return nil, err
		}
		if v == nil && n.Kind == "view" {
			if t, _ := b.LookupTable(n.Name); t != nil {
				return nil, pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a view", n.Name.Name)
			}
			return nil, pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", n.Name.Name)
		}
		if v != nil {
			return s.commentOnView(ec, b, v, n, text)
		}
	}
	switch n.Kind {
	case "table", "column", "materialized view":
		old, err := b.ResolveTable(n.Name)
		if err != nil {
			return nil, err
		}
		if n.Kind == "table" && old.Matview != nil {
			return nil, pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a table", old.Name)
		}
		if n.Kind == "materialized view" && old.Matview == nil {
			return nil, pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a materialized view", old.Name)
		}
		if r := s.currentRole(b.Cat); !r.Superuser && r.Name != old.Owner {
			return nil, pgerror.New(pgerror.CodeInsufficientPrivilege, "must be owner of relation %s", old.Name)
		}
		t := *old
		t.Columns = append([]catalog.Column(nil), old.Columns...)
		if n.Kind != "column" {
			t.Comment = text
		} else {
			i := t.ColumnByName(n.Column)
			if i < 0 || t.Columns[i].Hidden || t.Columns[i].Dropped {
				return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", n.Column, t.Name)
			}
			t.Columns[i].Comment = text
		}
		if err := ec.txn.PutTable(&t); err != nil {
			return nil, fmt.Errorf("comment on %s: %w", t.Name, err)
		}
	case "type":
		old, err := s.resolveUserType(b, n.Name)
		if err != nil {
			return nil, err
		}
		if old == nil {
			return nil, pgerror.New(pgerror.CodeUndefinedObject, "type \"%s\" does not exist", typeDisplayName(n.Name))
		}
		if r := s.currentRole(b.Cat); !r.Superuser && r.Name != old.Owner {
			return nil, pgerror.New(pgerror.CodeInsufficientPrivilege, "must be owner of type %s", types.QuoteIdent(old.Enum.Name))
		}
		ty := *old
		ty.Comment = text
		if err := ec.txn.PutType(&ty); err != nil {
			return nil, fmt.Errorf("comment on type %s: %w", ty.Enum.Name, err)
		}
	case "extension":
		builtin, ok := pgcatalog.ExtensionComment(n.Name.Name)
		if !ok {
			return nil, pgerror.New(pgerror.CodeUndefinedObject, "extension \"%s\" does not exist", n.Name.Name)
		}
		if text != builtin {
			return nil, notSupportedStmt("changing a built-in extension's comment")
		}
	case "schema":
		// Schemas have nowhere to keep a comment yet; public's initdb
		// comment may be restated (pg_dump --quote-all-identifiers does).
		if n.Name.Name != "public" || text != pgcatalog.PublicSchemaComment {
			return nil, notSupportedStmt("COMMENT ON SCHEMA")
		}
	default:
		return nil, notSupportedStmt("COMMENT ON " + strings.ToUpper(n.Kind))
	}
	return doneResult("COMMENT"), nil
}
