package executor

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

// hnswLimits are pgvector's bounds for the HNSW options.
var hnswLimits = map[string][2]int{"m": {2, 100}, "ef_construction": {4, 1000}}

// hnswMaxDims are pgvector's dimension limits for HNSW indexes, which
// keep a vector within an 8 KB page: 2,000 four-byte elements, 4,000
// half-precision ones or 64,000 bits.
var hnswMaxDims = map[types.Family]int{types.FamVector: 2000, types.FamHalfvec: 4000, types.FamBit: 64000}

// sparsevecHNSWOpclasses are pgvector's HNSW operator classes for
// sparsevec, which Quiver knows by name but does not build.
var sparsevecHNSWOpclasses = map[string]bool{
	"sparsevec_l2_ops": true, "sparsevec_ip_ops": true, "sparsevec_cosine_ops": true, "sparsevec_l1_ops": true,
}

func (s *Session) createIndex(ec *execCtx, b *planner.Binder, n *tree.CreateIndex) (Result, error) {
	if n.Concurrently && s.inBlock {
		return nil, pgerror.New(pgerror.CodeActiveSQLTransaction, "CREATE INDEX CONCURRENTLY cannot run inside a transaction block")
	}
	t, err := b.ResolveTable(n.Table)
	if err != nil {
		return nil, err
	}
	method := strings.ToLower(n.Method)
	switch method {
	case "", "btree":
		method = "btree"
	case "hnsw":
	case "ivfflat", "hash", "gist", "gin", "brin", "spgist":
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "access method \"%s\" is not supported yet", method)
	default:
		return nil, pgerror.New(pgerror.CodeUndefinedObject, "access method \"%s\" does not exist", method)
	}
	if len(n.Include) > 0 {
		return nil, notSupportedStmt("CREATE INDEX ... INCLUDE")
	}
	idx := catalog.Index{Name: n.Name, Unique: n.Unique, Method: method}
	if n.Where != nil {
		// A partial index holds only the rows its WHERE passes (its
		// uniqueness is among them), and serves only queries whose WHERE
		// implies it: a unique index over live rows of a soft-deleting
		// table, pgvector's advice for filtering an HNSW index on a few
		// values.
		pred, err := b.BindIndexPredicate(t, n.Where)
		if err != nil {
			return nil, err
		}
		idx.Where = planner.DeparseCheck(t, pred, false)
		idx.WherePretty = planner.DeparseCheck(t, pred, true)
	}
	var colNames []string
	// An expression element is kept in a hidden STORED generated column
	// (added to nt) which the index covers like any other column.
	nt := *t
	nt.Columns = append([]catalog.Column(nil), t.Columns...)
	hasExprs := false
	for _, el := range n.Elems {
		if el.Expr == nil {
			c := t.ColumnByName(el.Column)
			if c < 0 || t.Columns[c].Hidden {
				return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" does not exist", el.Column)
			}
			idx.Columns = append(idx.Columns, c)
			colNames = append(colNames, el.Column)
		} else {
			c, name, err := indexExprColumn(b, &nt, el.Expr)
			if err != nil {
				return nil, err
			}
			if typ := nt.Columns[c].Type; method == "btree" && (typ.Family == types.FamUnknown || typ.Family == types.FamJSON) {
				// values of these types have no b-tree order
				return nil, pgerror.New(pgerror.CodeUndefinedObject, "data type %s has no default operator class for access method \"btree\"", typ.BaseString()).
					WithHint("You must specify an operator class for the index or define a default operator class for the data type.")
			}
			hasExprs = true
			idx.Columns = append(idx.Columns, c)
			colNames = append(colNames, name)
		}
		idx.Desc = append(idx.Desc, el.Desc)
		idx.Opclass = append(idx.Opclass, el.Opclass)
	}
	colNames = uniqueIndexColumnNames(colNames)
	if hasExprs {
		idx.ColumnNames = colNames
	}
	if method == "hnsw" {
		if err := checkHNSW(&nt, &idx, n.With); err != nil {
			return nil, err
		}
	} else if len(n.With) > 0 {
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "unrecognized parameter \"%s\"", n.With[0].Name)
	}
	if idx.Name == "" {
		idx.Name = s.freeRelationName(b, t.SchemaID, t.Name+"_"+strings.Join(colNames, "_")+"_idx")
	} else if s.relationExists(b, t.SchemaID, idx.Name) {
		if n.IfNotExists {
			s.noticeCode(pgerror.CodeDuplicateTable, "relation \"%s\" already exists, skipping", idx.Name)
			return doneResult("CREATE INDEX"), nil
		}
		return nil, pgerror.New(pgerror.CodeDuplicateTable, "relation \"%s\" already exists", idx.Name)
	}
	if idx.ID, err = s.eng.store.AllocateID(ec.ctx); err != nil {
		return nil, err
	}
	nt.Indexes = append(append([]catalog.Index(nil), t.Indexes...), idx)
	added := &nt.Indexes[len(nt.Indexes)-1]
	if hasExprs && len(nt.Columns) > len(t.Columns) && method == "btree" {
		// New hidden columns: every row is stored again with their
		// values, which also fills the index.
		if err := ec.txn.PutTable(&nt); err != nil {
			return nil, err
		}
		if err := s.rewriteRows(ec, t, &nt, nil, nil); err != nil {
			return nil, err
		}
		return doneResult("CREATE INDEX"), nil
	}
	if hasExprs && len(nt.Columns) > len(t.Columns) {
		// An HNSW graph is built from the rows once they hold the
		// hidden column's values, which rewriting the table stores: no
		// concurrent writers can be followed through that.
		if n.Concurrently {
			return nil, notSupportedStmt("CREATE INDEX CONCURRENTLY on an expression")
		}
		filled := nt
		filled.Indexes = t.Indexes
		if err := ec.txn.PutTable(&filled); err != nil {
			return nil, err
		}
		if err := s.rewriteRows(ec, t, &filled, nil, nil); err != nil {
			return nil, err
		}
	}
	if method == "btree" {
		if err := ec.txn.PutTable(&nt); err != nil {
			return nil, err
		}
		if err := ec.txn.BackfillIndex(ec.ctx, &nt, added); err != nil {
			return nil, err
		}
		return doneResult("CREATE INDEX"), nil
	}
	// The build follows concurrent writers itself, so the table version
	// stays and their transactions commit normally.
	if err := ec.txn.PutTableIndexes(&nt); err != nil {
		return nil, err
	}
	command := "CREATE INDEX"
	if n.Concurrently {
		command = "CREATE INDEX CONCURRENTLY"
	}
	vi, _, err := s.buildHNSW(ec, &nt, added, command)
	if err != nil {
		return nil, err
	}
	// The graph serves readers only once the index exists for them.
	vt, _ := ec.txn.Observer().(*vectorTxn)
	if vt == nil {
		return nil, pgerror.New(pgerror.CodeInternal, "transaction does not track vector indexes")
	}
	id := added.ID
	if vt.created == nil {
		vt.created = map[catalog.ID]*vectorIndex{}
	}
	vt.created[id] = vi
	vt.onCommit = append(vt.onCommit, func() { s.eng.registerVectorIndex(id, vi) })
	return doneResult("CREATE INDEX"), nil
}

// checkHNSW validates an HNSW index as pgvector does, in PostgreSQL's
// order, and fills in its options.
func checkHNSW(t *catalog.Table, idx *catalog.Index, with []tree.StorageParam) error {
	if len(idx.Columns) != 1 {
		return pgerror.New(pgerror.CodeFeatureNotSupported, "access method \"hnsw\" does not support multicolumn indexes")
	}
	if idx.Unique {
		return pgerror.New(pgerror.CodeFeatureNotSupported, "access method \"hnsw\" does not support unique indexes")
	}
	// Only what WITH gave is stored, as reloptions are: the defaults
	// are hnswParams's, and pg_get_indexdef shows what the user wrote.
	idx.Options = map[string]string{}
	for _, p := range with {
		name := strings.ToLower(p.Name)
		lim, ok := hnswLimits[name]
		if !ok {
			return pgerror.New(pgerror.CodeInvalidParameterValue, "unrecognized parameter \"%s\"", p.Name)
		}
		if _, dup := idx.Options[name]; dup {
			return pgerror.New(pgerror.CodeInvalidParameterValue, "parameter \"%s\" specified more than once", name)
		}
		idx.OptionOrder = append(idx.OptionOrder, name)
		v, err := strconv.Atoi(strings.Trim(p.Value, "'"))
		if err != nil {
			return pgerror.New(pgerror.CodeInvalidParameterValue, "invalid value for integer option \"%s\": %s", name, p.Value)
		}
		if v < lim[0] || v > lim[1] {
			return pgerror.New(pgerror.CodeInvalidParameterValue, "value %d out of bounds for option \"%s\"", v, name).
				WithDetail("Valid values are between \"%d\" and \"%d\".", lim[0], lim[1])
		}
		idx.Options[name] = strconv.Itoa(v)
	}
	// As in PostgreSQL, the options are checked before the operator
	// class is resolved.
	if err := hnswOpclassError(t, idx); err != nil {
		return err
	}
	if err := hnswDimsError(t, idx); err != nil {
		return err
	}
	m, efC := hnswParams(idx)
	if efC < 2*m {
		return pgerror.New(pgerror.CodeInvalidParameterValue, "ef_construction must be greater than or equal to 2 * m")
	}
	return nil
}

// hnswOpclassError checks an HNSW index's operator class against its
// column's type (pgvector's hnsw has no default class), as PostgreSQL
// does when it defines the index.
func hnswOpclassError(t *catalog.Table, idx *catalog.Index) error {
	col := t.Columns[idx.Columns[0]]
	metric, known := opclassMetric[idx.Opclass[0]]
	switch {
	case idx.Opclass[0] == "":
		return pgerror.New(pgerror.CodeUndefinedObject, "data type %s has no default operator class for access method \"hnsw\"", col.Type.BaseString()).
			WithHint("You must specify an operator class for the index or define a default operator class for the data type.")
	case sparsevecHNSWOpclasses[idx.Opclass[0]] && col.Type.Family == types.FamSparsevec:
		// pgvector has these; Quiver's graph holds dense float32 vectors
		// only. ORDER BY distance LIMIT k over the column is still
		// answered, by exact search.
		return pgerror.New(pgerror.CodeFeatureNotSupported, "hnsw indexes on sparsevec columns are not supported (operator class %s)", idx.Opclass[0])
	case sparsevecHNSWOpclasses[idx.Opclass[0]]:
		return pgerror.New(pgerror.CodeDatatypeMismatch, "operator class \"%s\" does not accept data type %s", idx.Opclass[0], col.Type.BaseString())
	case !known:
		return pgerror.New(pgerror.CodeUndefinedObject, "operator class \"%s\" does not exist for access method \"hnsw\"", idx.Opclass[0])
	case metric.family == types.FamBit && col.Type.Family == types.FamVarbit:
		// The class accepts bit varying, bit's binary-compatible type,
		// and pgvector's build then refuses it.
		return pgerror.New(pgerror.CodeFeatureNotSupported, "type not supported for hnsw index")
	case col.Type.Family != metric.family:
		return pgerror.New(pgerror.CodeDatatypeMismatch, "operator class \"%s\" does not accept data type %s", idx.Opclass[0], col.Type.BaseString())
	}
	return nil
}

// hnswDimsError checks the dimensions of an HNSW index's column, as
// pgvector does when it builds the index.
func hnswDimsError(t *catalog.Table, idx *catalog.Index) error {
	col := t.Columns[idx.Columns[0]]
	if col.Type.Width == 0 {
		return pgerror.New(pgerror.CodeInvalidParameterValue, "column does not have dimensions")
	}
	if maxDims := hnswMaxDims[col.Type.Family]; int(col.Type.Width) > maxDims {
		return pgerror.New(pgerror.CodeProgramLimitExceeded, "column cannot have more than %d dimensions for hnsw index", maxDims)
	}
	return nil
}

// indexExprColumn binds an index expression over t and returns the
// hidden generated column holding its value, adding one to t unless an
// existing one holds the same expression, and the name PostgreSQL's
// ChooseIndexColumnNames gives the element.
func indexExprColumn(b *planner.Binder, t *catalog.Table, e tree.Expr) (int, string, error) {
	x, err := b.BindIndexExpr(t, e)
	if err != nil {
		return 0, "", err
	}
	if ref, ok := x.(*planner.ColRef); ok {
		// (email::text) over a text column is the column itself, which
		// PostgreSQL indexes as a plain column.
		return ref.Idx, t.Columns[ref.Idx].Name, nil
	}
	name := planner.IndexColumnName(e)
	if i := planner.IndexExprColumn(t, x); i >= 0 {
		return i, name, nil
	}
	var nextID uint32 = 1
	for _, c := range t.Columns {
		if c.ID >= nextID {
			nextID = c.ID + 1
		}
	}
	t.Columns = append(t.Columns, catalog.Column{ID: nextID})
	setIndexExprColumn(&t.Columns[len(t.Columns)-1], t, x)
	return len(t.Columns) - 1, name, nil
}

// uniqueIndexColumnNames is PostgreSQL's ChooseIndexColumnNames: a name
// met before in the index gets the first number that makes it new.
func uniqueIndexColumnNames(names []string) []string {
	out := make([]string, 0, len(names))
	used := map[string]bool{}
	for _, name := range names {
		cur := name
		for i := 1; used[cur]; i++ {
			suffix := strconv.Itoa(i)
			base := name
			if len(base) > 63-len(suffix) {
				base = base[:63-len(suffix)]
			}
			cur = base + suffix
		}
		used[cur] = true
		out = append(out, cur)
	}
	return out
}

func (s *Session) relationExists(b *planner.Binder, schema catalog.ID, name string) bool {
	return b.Cat.RelationNameTaken(schema, name)
}

// freeRelationName is PostgreSQL's ChooseRelationName: the base name, or
// the base with the first free number appended.
func (s *Session) freeRelationName(b *planner.Binder, schema catalog.ID, base string) string {
	if len(base) > 63 {
		base = base[:63]
	}
	name := base
	for i := 1; s.relationExists(b, schema, name); i++ {
		name = fmt.Sprintf("%s%d", base, i)
	}
	return name
}

func (s *Session) dropIndexes(ec *execCtx, b *planner.Binder, n *tree.DropIndex) (Result, error) {
	for _, name := range n.Names {
		var schemas []catalog.ID
		if name.Schema != "" {
			if sc := b.Cat.SchemaByName(s.db.ID, name.Schema); sc != nil {
				schemas = append(schemas, sc.ID)
			}
		} else {
			for _, p := range s.searchPathSetting() {
				if sc := b.Cat.SchemaByName(s.db.ID, p); sc != nil {
					schemas = append(schemas, sc.ID)
				}
			}
		}
		var t *catalog.Table
		var idx *catalog.Index
		for _, id := range schemas {
			if t, idx = b.Cat.IndexByName(id, name.Name); idx != nil {
				break
			}
		}
		if idx == nil {
			if n.IfExists {
				s.notice("index \"%s\" does not exist, skipping", name.Name)
				continue
			}
			return nil, pgerror.New(pgerror.CodeUndefinedObject, "index \"%s\" does not exist", name.Name)
		}
		if idx.Constraint {
			return nil, pgerror.New(pgerror.CodeDependentObjectsStillExist, "cannot drop index %s because constraint %s on table %s requires it", idx.Name, idx.Name, t.Name).
				WithHint("You can drop constraint %s on table %s instead.", idx.Name, t.Name)
		}
		nt := *t
		nt.Indexes = nil
		inUse := map[int]bool{}
		for _, other := range t.Indexes {
			if other.ID != idx.ID {
				nt.Indexes = append(nt.Indexes, other)
				for _, c := range other.Columns {
					inUse[c] = true
				}
			}
		}
		// The hidden columns of its expressions go with it unless
		// another index shares them; stored rows keep their values,
		// which nothing reads any more.
		var unused []int
		for _, c := range idx.Columns {
			if col := &t.Columns[c]; col.Hidden && col.Generated != "" && !col.Dropped && !inUse[c] {
				unused = append(unused, c)
			}
		}
		if len(unused) > 0 {
			nt.Columns = append([]catalog.Column(nil), t.Columns...)
			dropGeneratedColumns(&nt, unused)
		}
		// The dropped index's b-tree entries stay behind under its never
		// reused ID until a later clean-up; nothing reads them.
		if err := ec.txn.PutTable(&nt); err != nil {
			return nil, err
		}
	}
	return doneResult("DROP INDEX"), nil
}

// reindex rebuilds HNSW graphs from their tables (b-tree entries are kept
// exact by every write, so they have nothing to rebuild). The new graph
// replaces the old one when the transaction commits.
func (s *Session) reindex(ec *execCtx, b *planner.Binder, n *tree.Reindex) (Result, error) {
	var t *catalog.Table
	var indexes []*catalog.Index
	if strings.EqualFold(n.Kind, "table") {
		var err error
		if t, err = b.ResolveTable(n.Name); err != nil {
			return nil, err
		}
		for i := range t.Indexes {
			indexes = append(indexes, &t.Indexes[i])
		}
	} else {
		for _, p := range s.searchPathSetting() {
			if n.Name.Schema != "" {
				p = n.Name.Schema
			}
			if sc := b.Cat.SchemaByName(s.db.ID, p); sc != nil {
				var idx *catalog.Index
				if t, idx = b.Cat.IndexByName(sc.ID, n.Name.Name); idx != nil {
					indexes = append(indexes, idx)
					break
				}
			}
		}
		if len(indexes) == 0 {
			return nil, pgerror.New(pgerror.CodeUndefinedObject, "index \"%s\" does not exist", n.Name.Name)
		}
	}
	for _, idx := range indexes {
		if idx.Method != "hnsw" {
			continue
		}
		if err := s.rebuildVectorIndex(ec, t, idx, "REINDEX"); err != nil {
			return nil, err
		}
	}
	// REINDEX writes nothing else; rewriting the table's descriptor makes
	// the transaction commit (and run onCommit). Concurrent writers are
	// followed by the build, so the table version stays.
	nt := *t
	if err := ec.txn.PutTableIndexes(&nt); err != nil {
		return nil, err
	}
	return doneResult("REINDEX"), nil
}

// rebuildVectorIndex builds idx's graph again from t's rows as the
// transaction sees them; the new graph serves the transaction at once
// and replaces the old one when it commits.
func (s *Session) rebuildVectorIndex(ec *execCtx, t *catalog.Table, idx *catalog.Index, command string) error {
	vt, _ := ec.txn.Observer().(*vectorTxn)
	if vt == nil {
		return pgerror.New(pgerror.CodeInternal, "transaction does not track vector indexes")
	}
	vi, _, err := s.buildHNSW(ec, t, idx, command)
	if err != nil {
		return err
	}
	if vt.created == nil {
		vt.created = map[catalog.ID]*vectorIndex{}
	}
	id := idx.ID
	vt.created[id] = vi
	vt.onCommit = append(vt.onCommit, func() { s.eng.registerVectorIndex(id, vi) })
	return nil
}

// partialPredicates holds the compiled WHERE of each partial b-tree index,
// for the store, which keeps such an index's entries for the rows it
// passes (storage.IndexPredicate).
type partialPredicates struct {
	mu sync.Mutex
	m  map[catalog.ID]*partialPredicate
}

// partialPredicate is one index's WHERE compiled over one version of its
// table's descriptor; where guards against a descriptor of the same
// version from a transaction that rolled back.
type partialPredicate struct {
	version uint64
	where   string
	holds   func(row []types.Datum) (bool, error)
}

// partialIndexHolds reports whether row belongs in idx, a partial b-tree
// index of tb; it runs inside any session's writes.
func (e *Engine) partialIndexHolds(tb *catalog.Table, idx *catalog.Index, row []types.Datum) (bool, error) {
	pp := &e.partials
	pp.mu.Lock()
	p := pp.m[idx.ID]
	pp.mu.Unlock()
	if p == nil || p.version != tb.Version || p.where != idx.Where {
		// The predicate binds against tb itself; the catalog only
		// resolves the functions and types it names, which a
		// transaction's own DDL cannot have changed under an index of
		// the same statement.
		txn := e.store.Begin()
		cat, err := txn.Catalog()
		txn.Rollback()
		if err != nil {
			return false, err
		}
		holds, err := compileIndexPredicate(cat, tb, idx)
		if err != nil {
			return false, err
		}
		p = &partialPredicate{version: tb.Version, where: idx.Where, holds: holds}
		pp.mu.Lock()
		if pp.m == nil {
			pp.m = map[catalog.ID]*partialPredicate{}
		}
		if old := pp.m[idx.ID]; old == nil || old.version <= tb.Version {
			pp.m[idx.ID] = p
		}
		pp.mu.Unlock()
	}
	return p.holds(row)
}
