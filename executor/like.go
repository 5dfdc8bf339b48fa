package executor

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgdialect"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

// likeIndex is a plain b-tree index of a LIKE source that INCLUDING
// INDEXES copies onto the new table.
type likeIndex struct {
	columns []string
	// exprs hold, per column, an expression element's text ("" for a
	// column), and names the index's attribute names, when it has any.
	exprs  []string
	names  []string
	desc   []bool
	unique bool
}

// likeExtras is what LIKE copies once the new table's columns exist:
// plain indexes (INCLUDING INDEXES) and column comments (INCLUDING
// COMMENTS, by column name).
type likeExtras struct {
	indexes  []likeIndex
	comments map[string]string
}

// expandLike replaces the LIKE clauses of CREATE TABLE by the source
// tables' columns, with the parts the INCLUDING options ask for, as
// PostgreSQL's transformTableLikeClause does. Column NOT NULL is always
// copied. The statement is not modified (it may be a cached prepared one);
// a rewritten copy is returned with the indexes to add once the table
// exists.
func (s *Session) expandLike(b *planner.Binder, n *tree.CreateTable) (*tree.CreateTable, *likeExtras, error) {
	hasLike := false
	for _, cd := range n.Columns {
		if cd.Like != nil {
			hasLike = true
		}
	}
	if !hasLike {
		return n, nil, nil
	}
	out := *n
	out.Columns = nil
	out.Constraints = append([]tree.Constraint(nil), n.Constraints...)
	extras := &likeExtras{comments: map[string]string{}}
	for _, cd := range n.Columns {
		if cd.Like == nil {
			out.Columns = append(out.Columns, cd)
			continue
		}
		src, err := b.ResolveTable(cd.Like.Table)
		if err != nil {
			if pe, ok := err.(*pgerror.Error); ok && pe.Position == 0 {
				return nil, nil, pe.WithPosition(int(cd.Like.Table.Pos))
			}
			return nil, nil, err
		}
		opt := cd.Like.Including
		for i := range src.Columns {
			c := &src.Columns[i]
			if c.Hidden || c.Dropped {
				continue
			}
			tn, err := typeNameOf(c.Type)
			if err != nil {
				return nil, nil, err
			}
			def := tree.ColumnDef{Name: c.Name, Type: tn, NotNull: c.NotNull, Pos: cd.Pos}
			switch {
			case c.Identity != "":
				if opt["identity"] {
					def.Identity = c.Identity
					if seq := b.Cat.Sequences[c.SequenceID]; seq != nil {
						def.IdentityOptions = []tree.SeqOption{
							{Name: "start", Value: strconv.FormatInt(seq.Start, 10)},
							{Name: "increment", Value: strconv.FormatInt(seq.Increment, 10)},
						}
					}
				}
			case c.Generated != "":
				if opt["generated"] {
					if def.Generated, err = pgdialect.ParseExpr(c.Generated); err != nil {
						return nil, nil, fmt.Errorf("LIKE %s: generation expression of %s: %w", src.Name, c.Name, err)
					}
				}
			case c.Default != "" && opt["defaults"]:
				if def.Default, err = pgdialect.ParseExpr(c.Default); err != nil {
					return nil, nil, fmt.Errorf("LIKE %s: default of %s: %w", src.Name, c.Name, err)
				}
				def.DefaultText = c.Default
			}
			out.Columns = append(out.Columns, def)
			if opt["comments"] && c.Comment != "" {
				extras.comments[c.Name] = c.Comment
			}
		}
		if opt["constraints"] {
			for _, ck := range src.Checks {
				e, err := pgdialect.ParseExpr(ck.Expr)
				if err != nil {
					return nil, nil, fmt.Errorf("LIKE %s: check constraint %s: %w", src.Name, ck.Name, err)
				}
				out.Constraints = append(out.Constraints, tree.Constraint{Name: ck.Name, Kind: "check", Check: e, CheckText: ck.Expr})
			}
		}
		if opt["indexes"] {
			names := func(cols []int) []string {
				l := make([]string, len(cols))
				for i, c := range cols {
					l[i] = src.Columns[c].Name
				}
				return l
			}
			if !src.Columns[src.PrimaryKey[0]].Hidden {
				out.Constraints = append(out.Constraints, tree.Constraint{Kind: "primary key", Columns: names(src.PrimaryKey)})
			}
			for _, x := range src.Indexes {
				switch {
				case x.Building || x.Method != "btree" || x.Where != "":
					// partial and non-b-tree indexes are not copied
				case x.Constraint:
					out.Constraints = append(out.Constraints, tree.Constraint{Kind: "unique", Columns: names(x.Columns)})
				default:
					li := likeIndex{columns: names(x.Columns), desc: x.Desc, unique: x.Unique, names: x.ColumnNames}
					if len(x.ColumnNames) > 0 {
						for _, c := range x.Columns {
							col := &src.Columns[c]
							if col.Hidden {
								li.exprs = append(li.exprs, col.Generated)
							} else {
								li.exprs = append(li.exprs, "")
							}
						}
					}
					extras.indexes = append(extras.indexes, li)
				}
			}
		}
	}
	return &out, extras, nil
}

// typeNameOf spells a column type as the parser would have read it.
func typeNameOf(t *types.T) (tree.TypeName, error) {
	e, err := pgdialect.ParseExpr("NULL::" + t.String())
	if err != nil {
		return tree.TypeName{}, fmt.Errorf("type %s: %w", t, err)
	}
	c, ok := e.(*tree.CastExpr)
	if !ok {
		return tree.TypeName{}, pgerror.New(pgerror.CodeInternal, "type %s does not read back as a type name", t)
	}
	return c.Type, nil
}

// addLikeIndexes adds the copied plain indexes to the new, empty table t,
// named as PostgreSQL names an index without a name, and the copied
// column comments.
func (s *Session) addLikeIndexes(ec *execCtx, b *planner.Binder, t *catalog.Table, extras *likeExtras) error {
	if extras == nil {
		return nil
	}
	for name, comment := range extras.comments {
		if i := t.ColumnByName(name); i >= 0 {
			t.Columns[i].Comment = comment
		}
	}
	for _, li := range extras.indexes {
		x := catalog.Index{Method: "btree", Unique: li.unique, Desc: li.desc, ColumnNames: li.names}
		for k, name := range li.columns {
			if k < len(li.exprs) && li.exprs[k] != "" {
				e, err := pgdialect.ParseExpr(li.exprs[k])
				if err != nil {
					return fmt.Errorf("index expression %s: %w", name, err)
				}
				i, _, err := indexExprColumn(b, t, e)
				if err != nil {
					return err
				}
				x.Columns = append(x.Columns, i)
				continue
			}
			i := t.ColumnByName(name)
			if i < 0 {
				return pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" does not exist", name)
			}
			x.Columns = append(x.Columns, i)
		}
		named := li.columns
		if len(li.names) > 0 {
			named = li.names
		}
		base := t.Name + "_" + strings.Join(named, "_") + "_idx"
		x.Name = base
		for k := 1; t.IndexByName(x.Name) != nil || x.Name == t.PrimaryKeyName; k++ {
			x.Name = base + strconv.Itoa(k)
		}
		var err error
		if x.ID, err = s.eng.store.AllocateID(ec.ctx); err != nil {
			return err
		}
		t.Indexes = append(t.Indexes, x)
	}
	return nil
}
