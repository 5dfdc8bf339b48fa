package executor

import (
	"fmt"

	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgdialect"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// generatedCols computes a table's STORED generated columns over a full
// row; nil computes nothing.
type generatedCols []generatedCol

type generatedCol struct {
	idx int
	f   evalFn
}

func (ec *execCtx) compileGenerated(exprs []planner.Expr) (generatedCols, error) {
	var out generatedCols
	for i, x := range exprs {
		if x == nil {
			continue
		}
		f, err := ec.compile(x)
		if err != nil {
			return nil, err
		}
		out = append(out, generatedCol{idx: i, f: f})
	}
	return out, nil
}

// fill stores each generated column's value into row. The expressions read
// only non-generated columns, so the order of evaluation does not matter.
func (g generatedCols) fill(row []types.Datum) error {
	for _, c := range g {
		v, err := c.f(row)
		if err != nil {
			return err
		}
		row[c.idx] = v
	}
	return nil
}

// generatedPending marks a generated column of a table being created
// until every column exists and its expression can be bound.
const generatedPending = "\x00pending"

// checkGeneratedDef rejects the column definitions PostgreSQL refuses:
// two of DEFAULT, identity and a generation expression (serial types
// count as a default).
func checkGeneratedDef(t *catalog.Table, cd tree.ColumnDef) error {
	_, serial := serialTypes[cd.Type.Name]
	hasDefault := cd.Default != nil || serial && cd.Type.ArrayDims == 0
	var what string
	switch {
	case hasDefault && cd.Identity != "":
		what = "both default and identity"
	case cd.Generated != nil && hasDefault:
		what = "both default and generation expression"
	case cd.Generated != nil && cd.Identity != "":
		what = "both identity and generation expression"
	default:
		return nil
	}
	return pgerror.New(pgerror.CodeSyntaxError, "%s specified for column \"%s\" of table \"%s\"", what, cd.Name, t.Name)
}

// identityType resolves an identity column's type, which must be an
// integer type.
func identityType(tn tree.TypeName) (*types.T, error) {
	t, err := planner.ResolveTypeName(tn)
	if err != nil {
		return nil, err
	}
	switch t.Family {
	case types.FamInt2, types.FamInt4, types.FamInt8:
		return t, nil
	}
	return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "identity column type must be smallint, integer, or bigint")
}

// bindGeneratedColumns binds the generation expressions of a new table's
// columns once all columns exist, storing each as pg_get_expr spells it.
func bindGeneratedColumns(b *planner.Binder, t *catalog.Table, defs []tree.ColumnDef) error {
	for _, cd := range defs {
		if cd.Generated == nil {
			continue
		}
		i := t.ColumnByName(cd.Name)
		if i < 0 {
			return pgerror.New(pgerror.CodeInternal, "generated column \"%s\" not found", cd.Name)
		}
		coerced, bound, err := b.BindGenerated(t, i, cd.Generated)
		if err != nil {
			return err
		}
		t.Columns[i].Generated, t.Columns[i].GeneratedPretty = generatedText(t, coerced, bound, t.Columns[i].Type)
	}
	return nil
}

// copyColumns resolves COPY's column list: the named columns, or every
// visible column but the generated ones. Generated columns cannot be
// named (PostgreSQL 15 neither reads nor writes them in COPY).
func copyColumns(t *catalog.Table, names []string) ([]string, error) {
	if len(names) == 0 {
		for _, c := range t.Columns {
			if !c.Hidden && !c.Dropped && c.Generated == "" {
				names = append(names, c.Name)
			}
		}
		return names, nil
	}
	for _, name := range names {
		i := t.ColumnByName(name)
		if i < 0 || t.Columns[i].Hidden {
			return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", name, t.Name)
		}
		if t.Columns[i].Generated != "" {
			return nil, pgerror.New(pgerror.CodeInvalidColumnReference, "column \"%s\" is a generated column", name).
				WithDetail("Generated columns cannot be used in COPY.")
		}
	}
	return names, nil
}

// dropGeneratedDependents runs before column i of t is dropped: the
// generated columns whose expression reads it make the drop fail as in
// PostgreSQL, or with CASCADE are dropped too.
func (s *Session) dropGeneratedDependents(b *planner.Binder, t *catalog.Table, i int, cascade bool) error {
	deps, err := generatedReaders(b, t, i)
	if err != nil {
		return err
	}
	// Expression indexes' hidden columns go with the column, and their
	// indexes too, as PostgreSQL drops an index on a dropped column.
	var shown []int
	for _, g := range deps {
		if !t.Columns[g].Hidden {
			shown = append(shown, g)
		}
	}
	if len(shown) == 0 {
		dropGeneratedColumns(t, deps)
		return nil
	}
	lines := make([]string, len(shown))
	for k, g := range shown {
		lines[k] = fmt.Sprintf("column %s of table %s", t.Columns[g].Name, t.Name)
	}
	obj := fmt.Sprintf("column %s of table %s", t.Columns[i].Name, t.Name)
	detail := make([]string, len(lines))
	for k, l := range lines {
		detail[k] = l + " depends on " + obj
	}
	if err := s.reportDependents(obj, lines, detail, cascade); err != nil {
		return err
	}
	dropGeneratedColumns(t, deps)
	return nil
}

// dropGeneratedColumns marks generated columns cols of t dropped, with
// the indexes over them.
func dropGeneratedColumns(t *catalog.Table, cols []int) {
	for _, g := range cols {
		kept := t.Indexes[:0]
		for _, idx := range t.Indexes {
			uses := false
			for _, c := range idx.Columns {
				uses = uses || c == g
			}
			if !uses {
				kept = append(kept, idx)
			}
		}
		t.Indexes = kept
		t.Columns[g].Dropped = true
		t.Columns[g].Name = fmt.Sprintf("........pg.dropped.%d........", g+1)
	}
}

// generatedReaders lists, in column order, the generated columns of t
// whose expression reads column i.
func generatedReaders(b *planner.Binder, t *catalog.Table, i int) ([]int, error) {
	exprs, err := b.GeneratedExprs(t)
	if err != nil {
		return nil, err
	}
	var deps []int
	for g, x := range exprs {
		if x == nil || g == i {
			continue
		}
		for _, c := range planner.CheckColumns(x) {
			if c == i {
				deps = append(deps, g)
				break
			}
		}
	}
	return deps, nil
}

// renameInGenerated respells the generation expressions of old's columns
// for renamed, the same table after a column rename.
func renameInGenerated(b *planner.Binder, old, renamed *catalog.Table) error {
	for i := range old.Columns {
		if c := &old.Columns[i]; c.Generated == "" || c.Dropped {
			continue
		}
		if old.Columns[i].Hidden {
			if err := respellIndexExpr(b, old, renamed, i); err != nil {
				return err
			}
			continue
		}
		if err := respellGenerated(b, old, renamed, i); err != nil {
			return err
		}
	}
	return nil
}

// respellGenerated binds generated column i's expression over from and
// spells it into to (the same table renamed, or with the column's type
// changed: pg_get_expr shows the coercion to the column's type).
func respellGenerated(b *planner.Binder, from, to *catalog.Table, i int) error {
	c := &from.Columns[i]
	e, err := pgdialect.ParseExpr(c.Generated)
	if err != nil {
		return fmt.Errorf("generation expression of %s: %w", c.Name, err)
	}
	coerced, bound, err := b.BindGenerated(from, i, e)
	if err != nil {
		return err
	}
	to.Columns[i].Generated, to.Columns[i].GeneratedPretty = generatedText(to, coerced, bound, to.Columns[i].Type)
	return nil
}

// respellIndexExpr binds the expression of an expression index's hidden
// column i over from and spells it into to (the same table with columns
// renamed or retyped), with the name the index's errors show.
func respellIndexExpr(b *planner.Binder, from, to *catalog.Table, i int) error {
	c := &from.Columns[i]
	e, err := pgdialect.ParseExpr(c.Generated)
	if err != nil {
		return fmt.Errorf("index expression %s: %w", c.Name, err)
	}
	x, err := b.BindIndexExpr(from, e)
	if err != nil {
		return err
	}
	setIndexExprColumn(&to.Columns[i], to, x)
	return nil
}

// setIndexExprColumn makes c the hidden column of an expression index
// holding x, bound over t's row.
func setIndexExprColumn(c *catalog.Column, t *catalog.Table, x planner.Expr) {
	c.Hidden, c.Type = true, x.Type()
	// The name is what PostgreSQL's unique-violation DETAIL shows for
	// the element; SQL cannot name a hidden column.
	c.Name = planner.IndexElemText(t, x, true)
	c.Generated, c.GeneratedPretty = planner.DeparseCheck(t, x, false), planner.DeparseCheck(t, x, true)
}

// generatedText is a bound generation expression as PostgreSQL shows it
// over t: a constant folded and typed, anything else as written.
func generatedText(t *catalog.Table, coerced, bound planner.Expr, colType *types.T) (plain, pretty string) {
	if _, isConst := coerced.(*planner.Const); isConst {
		bound = coerced
	}
	return planner.DeparseGenerated(t, bound, colType)
}

// restartOwnedSequences is TRUNCATE ... RESTART IDENTITY: the sequences of
// the tables' serial and identity columns start over.
func (s *Session) restartOwnedSequences(ec *execCtx, cat *storage.Catalog, tables []*catalog.Table) error {
	for _, t := range tables {
		for _, c := range t.Columns {
			seq := cat.Sequences[c.SequenceID]
			if c.SequenceID == 0 || c.Dropped || seq == nil {
				continue
			}
			if err := s.eng.store.SetVal(ec.ctx, seq, seq.Start, false); err != nil {
				return fmt.Errorf("restarting sequence %s: %w", seq.Name, err)
			}
		}
	}
	return nil
}

// alterIdentity runs ALTER TABLE ... ALTER COLUMN's identity commands on
// t: ADD GENERATED ... AS IDENTITY, SET GENERATED, RESTART [WITH n] and
// DROP IDENTITY [IF EXISTS], with PostgreSQL's checks and messages.
func (s *Session) alterIdentity(ec *execCtx, b *planner.Binder, sc *catalog.Schema, t *catalog.Table, cmd tree.AlterTableCmd) error {
	i := t.ColumnByName(cmd.Name)
	if i < 0 || t.Columns[i].Hidden {
		return pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", cmd.Name, t.Name)
	}
	c := &t.Columns[i]
	notIdentity := func() error {
		return pgerror.New(codeObjectNotInPrerequisiteState, "column \"%s\" of relation \"%s\" is not an identity column", c.Name, t.Name)
	}
	switch cmd.Kind {
	case "alter column add identity":
		switch {
		case !c.NotNull:
			return pgerror.New(codeObjectNotInPrerequisiteState, "column \"%s\" of relation \"%s\" must be declared NOT NULL before identity can be added", c.Name, t.Name)
		case c.Identity != "":
			return pgerror.New(codeObjectNotInPrerequisiteState, "column \"%s\" of relation \"%s\" is already an identity column", c.Name, t.Name)
		case c.Default != "":
			return pgerror.New(codeObjectNotInPrerequisiteState, "column \"%s\" of relation \"%s\" already has a default value", c.Name, t.Name)
		}
		tn, err := typeNameOf(c.Type)
		if err != nil {
			return err
		}
		def := *cmd.Column
		def.Type = tn
		// columnFromDef makes the owned sequence as for a new column
		others := *t
		others.Columns = append(append([]catalog.Column(nil), t.Columns[:i]...), t.Columns[i+1:]...)
		col, seq, err := s.columnFromDef(ec, b, &others, sc, def)
		if err != nil {
			return err
		}
		seq.OwnedByColumn = i
		if err := ec.txn.PutSequence(seq); err != nil {
			return err
		}
		c.Identity, c.SequenceID, c.Default = col.Identity, col.SequenceID, col.Default
	case "alter column set identity":
		if c.Identity == "" {
			return notIdentity()
		}
		c.Identity = cmd.Column.Identity
	case "alter column restart":
		seq := b.Cat.Sequences[c.SequenceID]
		if c.Identity == "" || seq == nil {
			return notIdentity()
		}
		v := seq.Start
		if cmd.Default != nil {
			x, err := b.BindScalar(cmd.Default)
			if err != nil {
				return err
			}
			f, err := ec.compile(x)
			if err != nil {
				return err
			}
			d, err := f(nil)
			if err != nil {
				return err
			}
			n, ok := d.(types.DInt)
			if !ok {
				return pgerror.New(pgerror.CodeInvalidParameterValue, "RESTART WITH needs an integer")
			}
			v = int64(n)
		}
		if v < seq.Min || v > seq.Max {
			return pgerror.New(pgerror.CodeInvalidParameterValue, "RESTART value (%d) cannot be less than MINVALUE (%d)", v, seq.Min)
		}
		return s.eng.store.SetVal(ec.ctx, seq, v, false)
	case "alter column drop identity":
		if c.Identity == "" {
			if cmd.IfExists {
				s.notice("column \"%s\" of relation \"%s\" is not an identity column, skipping", c.Name, t.Name)
				return nil
			}
			return notIdentity()
		}
		if err := ec.txn.DropSequence(c.SequenceID); err != nil {
			return err
		}
		c.Identity, c.SequenceID, c.Default = "", 0, ""
	}
	return nil
}

// codeObjectNotInPrerequisiteState is SQLSTATE 55000.
const codeObjectNotInPrerequisiteState = "55000"
