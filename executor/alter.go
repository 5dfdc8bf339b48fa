package executor

import (
	"fmt"
	"strings"

	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// alterTable applies ALTER TABLE commands to a copy of the descriptor and
// rewrites the rows when a command changes how they are keyed or what
// existing rows hold (a new primary key, a new column with a default).
func (s *Session) alterTable(ec *execCtx, b *planner.Binder, n *tree.AlterTable) (Result, error) {
	old, err := b.LookupTable(n.Name)
	if err != nil {
		return nil, err
	}
	if old != nil && n.View {
		return nil, pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a view", n.Name.Name)
	}
	if old != nil && old.Matview != nil {
		for _, cmd := range n.Cmds {
			switch cmd.Kind {
			case "rename to", "rename column", "owner to":
			default:
				return nil, pgerror.New(pgerror.CodeWrongObjectType, "ALTER action %s cannot be performed on relation \"%s\"", strings.ToUpper(cmd.Kind), old.Name).
					WithDetail("This operation is not supported for materialized views.")
			}
		}
	}
	if n.Matview {
		if old != nil && old.Matview == nil {
			return nil, pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a materialized view", n.Name.Name)
		}
		if old == nil {
			if v, _ := b.LookupView(n.Name); v != nil {
				return nil, pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a materialized view", n.Name.Name)
			}
		}
	}
	if old == nil {
		if v, err := b.LookupView(n.Name); err == nil && v != nil {
			return s.alterView(ec, b, v, n)
		}
	}
	if old == nil && len(n.Cmds) == 1 && n.Cmds[0].Kind == "owner to" {
		// PostgreSQL takes ALTER TABLE ... OWNER TO for a sequence too,
		// and pg_dump writes it so.
		if seq, err := s.resolveSequence(b, n.Name); err == nil && seq != nil {
			if err := s.setSequenceOwner(b, seq, n.Cmds[0].NewName); err != nil {
				return nil, err
			}
			return doneResult("ALTER TABLE"), nil
		}
	}
	if old == nil {
		if n.IfExists {
			s.notice("relation \"%s\" does not exist, skipping", n.Name.Name)
			return doneResult(ddlCommand(n)), nil
		}
		return nil, pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", n.Name.Name)
	}
	t := *old
	t.Columns = append([]catalog.Column(nil), old.Columns...)
	t.Indexes = append([]catalog.Index(nil), old.Indexes...)
	t.PrimaryKey = append([]int(nil), old.PrimaryKey...)
	t.Checks = append([]catalog.Check(nil), old.Checks...)
	t.ForeignKeys = append([]catalog.ForeignKey(nil), old.ForeignKeys...)
	sc := b.Cat.Schemas[t.SchemaID]
	rewrite := false
	// New CHECK and FOREIGN KEY constraints are validated against the rows
	// once every command has been applied.
	var newChecks []string
	var newFKs []string
	var taken map[string]bool
	addCheckOrFK := func(c tree.Constraint) error {
		if taken == nil {
			taken = constraintNames(b.Cat, t.SchemaID, &t)
		}
		if c.Kind == "check" {
			ck, err := s.addCheck(b, &t, c, taken)
			if err != nil {
				return err
			}
			if ck.NotValid = c.NotValid; !c.NotValid {
				newChecks = append(newChecks, ck.Name)
			}
			return nil
		}
		fk, err := s.fkFromDef(b, &t, c, taken)
		if err != nil {
			return err
		}
		fk.NotValid = c.NotValid
		t.ForeignKeys = append(t.ForeignKeys, *fk)
		if !c.NotValid {
			newFKs = append(newFKs, fk.Name)
		}
		return nil
	}
	// validate is VALIDATE CONSTRAINT: a NOT VALID check or foreign key is
	// checked against the existing rows with the new ones
	// (validateNewConstraints) and marked valid.
	validate := func(name string) error {
		for k := range t.Checks {
			if ck := &t.Checks[k]; ck.Name == name {
				if ck.NotValid {
					ck.NotValid = false
					newChecks = append(newChecks, name)
				}
				return nil
			}
		}
		for k := range t.ForeignKeys {
			if fk := &t.ForeignKeys[k]; fk.Name == name {
				if fk.NotValid {
					fk.NotValid = false
					newFKs = append(newFKs, name)
				}
				return nil
			}
		}
		if hasConstraintNamed(&t, name) {
			return pgerror.New(pgerror.CodeWrongObjectType, "constraint \"%s\" of relation \"%s\" is not a foreign key or check constraint", name, t.Name)
		}
		return pgerror.New(pgerror.CodeUndefinedObject, "constraint \"%s\" of relation \"%s\" does not exist", name, t.Name)
	}
	var fills []int // new columns whose default fills existing rows
	var retyped *typeRewrite
	cmds := alterOrder(n.Cmds)
	for _, cmd := range cmds {
		switch cmd.Kind {
		case "alter column type":
			if retyped != nil {
				continue // done with the first
			}
			var typeCmds []tree.AlterTableCmd
			for _, c := range cmds {
				if c.Kind == "alter column type" {
					typeCmds = append(typeCmds, c)
				}
			}
			var err error
			if retyped, err = s.alterColumnTypes(ec, b, old, &t, typeCmds); err != nil {
				return nil, err
			}
			rewrite = rewrite || retyped.rewrite
		case "add column":
			cd := *cmd.Column
			if err := checkNotSystemColumn(cd.Name); err != nil {
				return nil, err
			}
			if t.ColumnByName(cd.Name) >= 0 {
				if cmd.IfExists {
					s.noticeCode(pgerror.CodeDuplicateColumn, "column \"%s\" of relation \"%s\" already exists, skipping", cd.Name, t.Name)
					continue
				}
				return nil, pgerror.New(pgerror.CodeDuplicateColumn, "column \"%s\" of relation \"%s\" already exists", cd.Name, t.Name)
			}
			col, seq, err := s.columnFromDef(ec, b, &t, sc, cd)
			if err != nil {
				return nil, err
			}
			for _, c := range cd.Constraints {
				if c.Kind != "primary key" && c.Kind != "unique" && c.Kind != "check" && c.Kind != "foreign key" {
					return nil, notSupportedStmt(strings.ToUpper(c.Kind) + " constraints")
				}
			}
			if seq != nil {
				if err := ec.txn.PutSequence(seq); err != nil {
					return nil, err
				}
			}
			t.Columns = append(t.Columns, col)
			if col.Default != "" || col.NotNull {
				fills = append(fills, len(t.Columns)-1)
				rewrite = true
			}
			if cd.Generated != nil {
				// existing rows get the value computed (rewriteRows)
				if err := bindGeneratedColumns(b, &t, []tree.ColumnDef{cd}); err != nil {
					return nil, err
				}
				rewrite = true
			}
			for _, c := range cd.Constraints {
				c.Columns = []string{cd.Name}
				var err error
				if c.Kind == "check" || c.Kind == "foreign key" {
					err = addCheckOrFK(c)
				} else {
					err = s.addConstraint(ec, &t, c, &rewrite)
				}
				if err != nil {
					return nil, err
				}
			}
		case "drop column":
			i := t.ColumnByName(cmd.Name)
			if i < 0 || t.Columns[i].Hidden {
				if cmd.IfExists {
					s.notice("column \"%s\" of relation \"%s\" does not exist, skipping", cmd.Name, t.Name)
					continue
				}
				return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", cmd.Name, t.Name)
			}
			for _, c := range t.PrimaryKey {
				if c == i {
					return nil, notSupportedStmt("dropping a primary-key column")
				}
			}
			kept := t.Indexes[:0]
			for _, idx := range t.Indexes {
				uses := false
				for _, c := range idx.Columns {
					uses = uses || c == i
				}
				if !uses {
					kept = append(kept, idx)
				}
			}
			t.Indexes = kept
			if err := s.dropGeneratedDependents(b, &t, i, cmd.Cascade); err != nil {
				return nil, err
			}
			if err := s.dropColumnConstraints(ec, b, &t, i, cmd.Cascade); err != nil {
				return nil, err
			}
			// The column stays in the descriptor so stored rows keep
			// decoding; its name is freed as PostgreSQL does.
			t.Columns[i].Dropped = true
			t.Columns[i].Name = fmt.Sprintf("........pg.dropped.%d........", i+1)
		case "rename to":
			if s.relationExists(b, t.SchemaID, cmd.NewName) {
				return nil, pgerror.New(pgerror.CodeDuplicateTable, "relation \"%s\" already exists", cmd.NewName)
			}
			t.Name = cmd.NewName
		case "rename constraint":
			if err := renameConstraint(&t, cmd.Name, cmd.NewName); err != nil {
				return nil, err
			}
		case "rename column":
			i := t.ColumnByName(cmd.Name)
			if i < 0 || t.Columns[i].Hidden {
				return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" does not exist", cmd.Name)
			}
			if err := checkNotSystemColumn(cmd.NewName); err != nil {
				return nil, err
			}
			if t.ColumnByName(cmd.NewName) >= 0 {
				return nil, pgerror.New(pgerror.CodeDuplicateColumn, "column \"%s\" of relation \"%s\" already exists", cmd.NewName, t.Name)
			}
			renamed := t
			renamed.Columns = append([]catalog.Column(nil), t.Columns...)
			renamed.Columns[i].Name = cmd.NewName
			if err := renameInChecks(b, &t, &renamed); err != nil {
				return nil, err
			}
			if err := renameInGenerated(b, &t, &renamed); err != nil {
				return nil, err
			}
			t.Columns = renamed.Columns
			if t.Matview != nil {
				m, err := renamedMatviewQuery(&t)
				if err != nil {
					return nil, err
				}
				t.Matview = m
			}
		case "alter column add identity", "alter column set identity", "alter column restart", "alter column drop identity":
			if err := s.alterIdentity(ec, b, sc, &t, cmd); err != nil {
				return nil, err
			}
		case "owner to":
			r, err := roleNamed(b, cmd.NewName)
			if err != nil {
				return nil, err
			}
			if cur := s.currentRole(b.Cat); !cur.Superuser && cur.Name != t.Owner {
				kind := "table"
				if t.Matview != nil {
					kind = "materialized view"
				}
				return nil, pgerror.New(pgerror.CodeInsufficientPrivilege, "must be owner of %s %s", kind, t.Name)
			}
			t.Owner = r.Name
		case "alter column set default":
			i := t.ColumnByName(cmd.Name)
			if i < 0 {
				return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", cmd.Name, t.Name)
			}
			if t.Columns[i].Identity != "" {
				return nil, pgerror.New(pgerror.CodeSyntaxError, "column \"%s\" of relation \"%s\" is an identity column", cmd.Name, t.Name)
			}
			if t.Columns[i].Generated != "" {
				return nil, pgerror.New(pgerror.CodeSyntaxError, "column \"%s\" of relation \"%s\" is a generated column", cmd.Name, t.Name)
			}
			text, err := defaultText(b, &t.Columns[i], *cmd.Column)
			if err != nil {
				return nil, err
			}
			t.Columns[i].Default = text
		case "alter column set storage":
			i := t.ColumnByName(cmd.Name)
			if i < 0 {
				return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", cmd.Name, t.Name)
			}
			st, ok := map[string]string{"plain": "p", "external": "e", "extended": "x", "main": "m"}[cmd.Storage]
			if !ok {
				return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "invalid storage type \"%s\"", cmd.Storage)
			}
			if ct := t.Columns[i].Type; st != "p" && ct.Len() != -1 {
				return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "column data type %s can only have storage PLAIN", ct)
			}
			t.Columns[i].Storage = st
		case "alter column drop default":
			i := t.ColumnByName(cmd.Name)
			if i < 0 {
				return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", cmd.Name, t.Name)
			}
			if t.Columns[i].Identity != "" {
				return nil, pgerror.New(pgerror.CodeSyntaxError, "column \"%s\" of relation \"%s\" is an identity column", cmd.Name, t.Name).
					WithHint("Use ALTER TABLE ... ALTER COLUMN ... DROP IDENTITY instead.")
			}
			t.Columns[i].Default = ""
		case "alter column set not null":
			i := t.ColumnByName(cmd.Name)
			if i < 0 {
				return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", cmd.Name, t.Name)
			}
			if !t.Columns[i].NotNull {
				t.Columns[i].NotNull = true
				rewrite = true // checks every row
			}
		case "alter column drop not null":
			i := t.ColumnByName(cmd.Name)
			if i < 0 {
				return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", cmd.Name, t.Name)
			}
			for _, c := range t.PrimaryKey {
				if c == i && !t.Columns[c].Hidden {
					return nil, pgerror.New(pgerror.CodeInvalidTableDefinition, "column \"%s\" is in a primary key", cmd.Name)
				}
			}
			t.Columns[i].NotNull = false
		case "validate constraint":
			if err := validate(cmd.Name); err != nil {
				return nil, err
			}
		case "add constraint":
			var err error
			if k := cmd.Constraint.Kind; k == "check" || k == "foreign key" {
				err = addCheckOrFK(*cmd.Constraint)
			} else if cmd.Constraint.NotValid {
				err = pgerror.New(pgerror.CodeFeatureNotSupported, "%s constraints cannot be marked NOT VALID", strings.ToUpper(k))
			} else {
				err = s.addConstraint(ec, &t, *cmd.Constraint, &rewrite)
			}
			if err != nil {
				return nil, err
			}
		case "drop constraint":
			found := dropCheckOrFK(&t, cmd.Name)
			for k, idx := range t.Indexes {
				if found {
					break
				}
				if idx.Name == cmd.Name && idx.Constraint {
					if err := s.dropKeyDependents(ec, &t, idx.Columns, idx.Name, cmd.Cascade); err != nil {
						return nil, err
					}
					t.Indexes = append(t.Indexes[:k:k], t.Indexes[k+1:]...)
					found = true
					break
				}
			}
			if !found && cmd.Name == t.PrimaryKeyName && !t.Columns[t.PrimaryKey[0]].Hidden {
				if err := s.dropKeyDependents(ec, &t, t.PrimaryKey, cmd.Name, cmd.Cascade); err != nil {
					return nil, err
				}
				// Rows go back to being keyed by the hidden rowid
				// (the one kept from before a primary key was added, if
				// any); the key columns stay NOT NULL, as in PostgreSQL.
				ri := t.ColumnByName(rowidColumn)
				if ri < 0 {
					var nextID uint32 = 1
					for _, c := range t.Columns {
						if c.ID >= nextID {
							nextID = c.ID + 1
						}
					}
					t.Columns = append(t.Columns, catalog.Column{ID: nextID, Name: rowidColumn, Type: types.Int8, NotNull: true, Hidden: true})
					ri = len(t.Columns) - 1
				}
				t.PrimaryKey = []int{ri}
				t.PrimaryKeyName = ""
				rewrite = true
				found = true
			}
			if !found {
				if cmd.IfExists {
					s.notice("constraint \"%s\" of relation \"%s\" does not exist, skipping", cmd.Name, t.Name)
					continue
				}
				return nil, pgerror.New(pgerror.CodeUndefinedObject, "constraint \"%s\" of relation \"%s\" does not exist", cmd.Name, t.Name)
			}
		default:
			return nil, notSupportedStmt("ALTER TABLE " + strings.ToUpper(cmd.Kind))
		}
	}
	if err := ec.txn.PutTable(&t); err != nil {
		return nil, err
	}
	if rewrite {
		if err := s.rewriteRows(ec, old, &t, fills, retyped); err != nil {
			return nil, err
		}
	} else {
		for i := range t.Indexes {
			if idx := &t.Indexes[i]; old.IndexByName(idx.Name) == nil && idx.Method == "btree" {
				if err := ec.txn.BackfillIndex(ec.ctx, &t, idx); err != nil {
					return nil, err
				}
			}
		}
	}
	if err := s.validateNewConstraints(ec, b, &t, newChecks, newFKs); err != nil {
		return nil, err
	}
	if retyped != nil {
		if err := s.checkRetyped(ec, b, &t, retyped); err != nil {
			return nil, err
		}
	}
	obj := "table " + old.Name
	if old.Matview != nil {
		obj = "materialized view " + old.Name
	}
	if err := s.checkDependentViews(ec, t.ID, obj); err != nil {
		return nil, err
	}
	// Last, when nothing can fail any more: a rebuilt graph is installed
	// when the transaction commits.
	if retyped != nil && retyped.rebuildsGraphs() {
		if err := s.rebuildVectorIndexes(ec, &t, retyped); err != nil {
			return nil, err
		}
	}
	return doneResult(ddlCommand(n)), nil
}

// addConstraint adds a PRIMARY KEY or UNIQUE constraint to t.
func (s *Session) addConstraint(ec *execCtx, t *catalog.Table, c tree.Constraint, rewrite *bool) error {
	cols := make([]int, len(c.Columns))
	for k, name := range c.Columns {
		i := t.ColumnByName(name)
		if i < 0 || t.Columns[i].Hidden {
			return pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" named in key does not exist", name)
		}
		cols[k] = i
	}
	switch c.Kind {
	case "primary key":
		if len(t.PrimaryKey) > 0 && !t.Columns[t.PrimaryKey[0]].Hidden {
			return pgerror.New(pgerror.CodeInvalidTableDefinition, "multiple primary keys for table \"%s\" are not allowed", t.Name)
		}
		for _, i := range cols {
			t.Columns[i].NotNull = true
		}
		t.PrimaryKey = cols
		t.PrimaryKeyName = c.Name
		if t.PrimaryKeyName == "" {
			t.PrimaryKeyName = t.Name + "_pkey"
		}
		*rewrite = true // rows move to their new keys
	case "unique":
		idx := catalog.Index{Name: c.Name, Unique: true, Method: "btree", Constraint: true, Columns: cols}
		if idx.Name == "" {
			idx.Name = t.Name + "_" + strings.Join(c.Columns, "_") + "_key"
		}
		id, err := s.eng.store.AllocateID(ec.ctx)
		if err != nil {
			return err
		}
		idx.ID = id
		t.Indexes = append(t.Indexes, idx)
	default:
		return notSupportedStmt(strings.ToUpper(c.Kind) + " constraints")
	}
	return nil
}

// rewriteRows moves every row from the old descriptor to the new one:
// deleted under its old key and index entries, filled in (defaults of new
// columns, values of a new type computed from the old row) and stored
// again, which checks NOT NULL and uniqueness. When column types change,
// the HNSW graphs are built again afterwards (rebuildVectorIndexes)
// rather than fed row by row.
func (s *Session) rewriteRows(ec *execCtx, old, t *catalog.Table, fills []int, retyped *typeRewrite) error {
	// Bind defaults against the catalog as this statement changed it (a
	// serial column's new sequence).
	cat, err := ec.txn.Catalog()
	if err != nil {
		return err
	}
	b := s.binder(cat, nil)
	// A row a concurrent transaction adds after the snapshot would be
	// left as it was written, under the old descriptor: such a commit
	// makes this one fail instead.
	ec.txn.DependOnRows(old)
	// The rows are read twice, first to delete them and then to store
	// them again. From the statement's snapshot without its own writes
	// they stream; when the transaction has written the table already,
	// they are read through it once and held.
	snap, err := ec.txn.SnapshotReader(old)
	if err != nil {
		return err
	}
	scan := func(txn *storage.Txn, fn func(row []types.Datum) error) error {
		it, err := txn.ScanTable(ec.ctx, old, storage.Span{}, false)
		if err != nil {
			return err
		}
		defer it.Close()
		for {
			row, err := it.Next()
			if err != nil || row == nil {
				return err
			}
			if err := fn(row); err != nil {
				return err
			}
		}
	}
	var eachRow func(fn func(row []types.Datum) error) error
	if snap != nil {
		defer snap.Rollback()
		eachRow = func(fn func(row []types.Datum) error) error { return scan(snap, fn) }
	} else {
		var rows [][]types.Datum
		if err := scan(ec.txn, func(row []types.Datum) error { rows = append(rows, row); return nil }); err != nil {
			return err
		}
		eachRow = func(fn func(row []types.Datum) error) error {
			for _, row := range rows {
				if err := fn(row); err != nil {
					return err
				}
			}
			return nil
		}
	}
	defaults := make([]evalFn, len(t.Columns))
	for _, i := range fills {
		if t.Columns[i].Default == "" {
			continue
		}
		e, err := b.ParseExpr(t.Columns[i].Default)
		if err != nil {
			return err
		}
		x, err := b.BindScalar(e)
		if err == nil {
			x, err = b.Coerce(x, t.Columns[i].Type)
		}
		if err != nil {
			return err
		}
		if defaults[i], err = ec.compile(x); err != nil {
			return err
		}
	}
	genExprs, err := b.GeneratedExprs(t)
	if err != nil {
		return err
	}
	generated, err := ec.compileGenerated(genExprs)
	if err != nil {
		return err
	}
	var converts []evalFn
	target := t
	if retyped != nil {
		converts = make([]evalFn, len(retyped.transforms))
		for i, x := range retyped.transforms {
			if x == nil {
				continue
			}
			if converts[i], err = ec.compile(x); err != nil {
				return err
			}
		}
		if retyped.rebuildsGraphs() {
			target = withoutVectorIndexes(t)
		}
	}
	// Every old key goes first: a new primary key may equal another
	// row's old one (a hidden row id 2 and a new key 2), which is no
	// conflict.
	if err := eachRow(func(row []types.Datum) error { return ec.txn.DeleteRowNoLock(ec.ctx, old, row) }); err != nil {
		return err
	}
	return eachRow(func(row []types.Datum) error {
		next := make([]types.Datum, len(t.Columns))
		copy(next, row)
		for i := len(row); i < len(next); i++ {
			next[i] = types.Null
		}
		for i, f := range converts {
			if f != nil {
				if next[i], err = f(row); err != nil {
					return err
				}
			}
		}
		for i, f := range defaults {
			if f != nil {
				if next[i], err = f(nil); err != nil {
					return err
				}
			}
		}
		if err := generated.fill(next); err != nil {
			return err
		}
		for i, c := range t.Columns {
			if c.NotNull && !c.Dropped && !c.Hidden && types.IsNull(next[i]) {
				return &pgerror.Error{Severity: "ERROR", Code: pgerror.CodeNotNullViolation,
					Message: fmt.Sprintf("column \"%s\" of relation \"%s\" contains null values", c.Name, t.Name), Table: t.Name, Column: c.Name}
			}
		}
		// Two existing rows colliding on the new key: PostgreSQL reports
		// the index it could not build.
		return storage.IndexBuildError(ec.txn.InsertRow(ec.ctx, target, next))
	})
}

// withoutVectorIndexes is t without its HNSW indexes, for writing rows
// whose graphs are built again afterwards.
func withoutVectorIndexes(t *catalog.Table) *catalog.Table {
	out := *t
	out.Indexes = nil
	for _, idx := range t.Indexes {
		if idx.Method != "hnsw" {
			out.Indexes = append(out.Indexes, idx)
		}
	}
	return &out
}

// roleNamed finds a role for OWNER TO (42704 when there is none).
func roleNamed(b *planner.Binder, name string) (*catalog.Role, error) {
	r := b.Cat.RoleByName(name)
	if r == nil {
		return nil, pgerror.New(pgerror.CodeUndefinedObject, "role \"%s\" does not exist", name)
	}
	return r, nil
}

// setSequenceOwner is OWNER TO for a sequence. Quiver's sequences belong
// to the bootstrap superuser (pg_class.relowner says so) and have no owner
// of their own yet, so only that owner can be set.
func (s *Session) setSequenceOwner(b *planner.Binder, seq *catalog.Sequence, owner string) error {
	r, err := roleNamed(b, owner)
	if err != nil {
		return err
	}
	if r.ID != storage.BootstrapRoleID {
		return notSupportedStmt("changing the owner of a sequence")
	}
	return nil
}

// alterSequence is ALTER SEQUENCE: OWNER TO, OWNED BY and the options
// that change how values are generated (AS, which would change the
// bounds' meaning, is refused).
func (s *Session) alterSequence(ec *execCtx, b *planner.Binder, n *tree.AlterSequence) (Result, error) {
	seq, err := s.resolveSequence(b, n.Name)
	if err != nil {
		return nil, err
	}
	if seq == nil {
		if n.IfExists {
			s.notice("relation \"%s\" does not exist, skipping", n.Name.Name)
			return doneResult("ALTER SEQUENCE"), nil
		}
		return nil, pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", n.Name.Name)
	}
	if n.OwnerTo != "" {
		if err := s.setSequenceOwner(b, seq, n.OwnerTo); err != nil {
			return nil, err
		}
		return doneResult("ALTER SEQUENCE"), nil
	}
	next := *seq
	restart, restartTo := false, int64(0)
	lo, hi := sequenceTypeBounds(seq.TypeOID)
	for _, o := range n.Options {
		num := func() (int64, error) { return seqOptionInt(o) }
		var err error
		switch o.Name {
		case "owned by":
			err = s.setOwnedBy(ec, b, &next, o.Value)
		case "increment":
			if next.Increment, err = num(); err == nil && next.Increment == 0 {
				err = pgerror.New(pgerror.CodeInvalidParameterValue, "INCREMENT must not be zero")
			}
		case "minvalue":
			next.Min, err = num()
		case "no minvalue":
			next.Min = 1
			if next.Increment < 0 {
				next.Min = lo
			}
		case "maxvalue":
			next.Max, err = num()
		case "no maxvalue":
			next.Max = hi
			if next.Increment < 0 {
				next.Max = -1
			}
		case "start":
			next.Start, err = num()
		case "restart":
			restart, restartTo = true, next.Start
			if o.Value != "" {
				restartTo, err = num()
			}
		case "cycle":
			next.Cycle = true
		case "no cycle":
			next.Cycle = false
		case "cache":
			var c int64
			if c, err = num(); err == nil && c <= 0 {
				err = pgerror.New(pgerror.CodeInvalidParameterValue, "CACHE (%d) must be greater than zero", c)
			}
		default:
			return nil, notSupportedStmt("ALTER SEQUENCE " + strings.ToUpper(o.Name))
		}
		if err != nil {
			return nil, err
		}
	}
	switch {
	case next.Min >= next.Max:
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "MINVALUE (%d) must be less than MAXVALUE (%d)", next.Min, next.Max)
	case next.Start < next.Min:
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "START value (%d) cannot be less than MINVALUE (%d)", next.Start, next.Min)
	case next.Start > next.Max:
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "START value (%d) cannot be greater than MAXVALUE (%d)", next.Start, next.Max)
	case restart && restartTo < next.Min:
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "RESTART value (%d) cannot be less than MINVALUE (%d)", restartTo, next.Min)
	case restart && restartTo > next.Max:
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "RESTART value (%d) cannot be greater than MAXVALUE (%d)", restartTo, next.Max)
	}
	if err := ec.txn.PutSequence(&next); err != nil {
		return nil, fmt.Errorf("alter sequence %s: %w", seq.Name, err)
	}
	if restart {
		if err := s.eng.store.SetVal(ec.ctx, &next, restartTo, false); err != nil {
			return nil, fmt.Errorf("restarting sequence %s: %w", seq.Name, err)
		}
	}
	return doneResult("ALTER SEQUENCE"), nil
}

// setOwnedBy is OWNED BY table.column | NONE: the sequence is dropped with
// the column's table, and the column reports it as its serial sequence
// (pg_get_serial_sequence) unless it already has one.
func (s *Session) setOwnedBy(ec *execCtx, b *planner.Binder, seq *catalog.Sequence, target string) error {
	if seq.OwnedByTable != 0 {
		if old := b.Cat.Tables[seq.OwnedByTable]; old != nil && seq.OwnedByColumn < len(old.Columns) {
			oc := &old.Columns[seq.OwnedByColumn]
			if oc.Identity != "" {
				return pgerror.New(codeObjectNotInPrerequisiteState, "cannot change ownership of identity sequence").
					WithDetail("Sequence \"%s\" is linked to table \"%s\".", seq.Name, old.Name)
			}
			if oc.SequenceID == seq.ID {
				t := *old
				t.Columns = append([]catalog.Column(nil), old.Columns...)
				t.Columns[seq.OwnedByColumn].SequenceID = 0
				if err := ec.txn.PutTable(&t); err != nil {
					return fmt.Errorf("unlinking sequence %s: %w", seq.Name, err)
				}
			}
		}
	}
	seq.OwnedByTable, seq.OwnedByColumn = 0, 0
	if strings.EqualFold(target, "none") {
		return nil
	}
	dot := strings.LastIndexByte(target, '.')
	if dot < 0 {
		return pgerror.New(pgerror.CodeInvalidParameterValue, "invalid OWNED BY option").
			WithHint("Specify OWNED BY table.column or OWNED BY NONE.")
	}
	var name tree.ObjectName
	if i := strings.IndexByte(target[:dot], '.'); i >= 0 {
		name = tree.ObjectName{Schema: target[:i], Name: target[i+1 : dot]}
	} else {
		name = tree.ObjectName{Name: target[:dot]}
	}
	t, err := b.ResolveTable(name)
	if err != nil {
		return err
	}
	if t.SchemaID != seq.SchemaID {
		return pgerror.New(codeObjectNotInPrerequisiteState, "sequence must be in same schema as table it is linked to")
	}
	ci := t.ColumnByName(target[dot+1:])
	if ci < 0 || t.Columns[ci].Hidden || t.Columns[ci].Dropped {
		return pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", target[dot+1:], t.Name)
	}
	seq.OwnedByTable, seq.OwnedByColumn = t.ID, ci
	if t.Columns[ci].SequenceID == 0 {
		nt := *t
		nt.Columns = append([]catalog.Column(nil), t.Columns...)
		nt.Columns[ci].SequenceID = seq.ID
		if err := ec.txn.PutTable(&nt); err != nil {
			return fmt.Errorf("linking sequence %s: %w", seq.Name, err)
		}
	}
	return nil
}

// alterOwner is ALTER SCHEMA|DATABASE ... OWNER TO.
func (s *Session) alterOwner(ec *execCtx, b *planner.Binder, n *tree.AlterOwner) (Result, error) {
	r, err := roleNamed(b, n.OwnerTo)
	if err != nil {
		return nil, err
	}
	cur := s.currentRole(b.Cat)
	if n.Kind == "database" {
		d := b.Cat.DatabaseByName(n.Name)
		if d == nil {
			return nil, pgerror.New(pgerror.CodeInvalidCatalogName, "database \"%s\" does not exist", n.Name)
		}
		if !cur.Superuser && cur.Name != d.Owner {
			return nil, pgerror.New(pgerror.CodeInsufficientPrivilege, "must be owner of database %s", d.Name)
		}
		next := *d
		next.Owner = r.Name
		if err := ec.txn.PutDatabase(&next); err != nil {
			return nil, fmt.Errorf("alter database %s: %w", d.Name, err)
		}
		return doneResult("ALTER DATABASE"), nil
	}
	sc := b.Cat.SchemaByName(s.db.ID, n.Name)
	if sc == nil {
		return nil, pgerror.New(pgerror.CodeInvalidSchemaName, "schema \"%s\" does not exist", n.Name)
	}
	if !cur.Superuser && cur.Name != sc.Owner {
		return nil, pgerror.New(pgerror.CodeInsufficientPrivilege, "must be owner of schema %s", sc.Name)
	}
	next := *sc
	next.Owner = r.Name
	if err := ec.txn.PutSchema(&next); err != nil {
		return nil, fmt.Errorf("alter schema %s: %w", sc.Name, err)
	}
	return doneResult("ALTER SCHEMA"), nil
}
