package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/dgraph-io/badger/v4"
	"github.com/quiverdb/quiver/sql/catalog"
)

// Catalog is an immutable view of all descriptors.
type Catalog struct {
	Databases map[catalog.ID]*catalog.Database
	Schemas   map[catalog.ID]*catalog.Schema
	Tables    map[catalog.ID]*catalog.Table
	Sequences map[catalog.ID]*catalog.Sequence
	Roles     map[catalog.ID]*catalog.Role
	Views     map[catalog.ID]*catalog.View
	Types     map[catalog.ID]*catalog.Type

	// Version is the catalog version this view was read at (a view with
	// uncommitted changes carries its snapshot's version).
	Version uint64

	// Name indexes, built once per view.
	dbByName     map[string]*catalog.Database
	roleByName   map[string]*catalog.Role
	schemaByName map[nameKey]*catalog.Schema
	tableByName  map[nameKey]*catalog.Table
	seqByName    map[nameKey]*catalog.Sequence
	viewByName   map[nameKey]*catalog.View
	typeByName   map[nameKey]*catalog.Type
	indexByName  map[nameKey]indexRef
	tablesIn     map[catalog.ID][]*catalog.Table
}

type nameKey struct {
	parent catalog.ID
	name   string
}

type indexRef struct {
	table *catalog.Table
	index int
}

// Descriptor kinds in /c/<kind><id> keys.
const (
	kindDatabase byte = 'd'
	kindSchema   byte = 's'
	kindTable    byte = 't'
	kindSequence byte = 'q'
	kindRole     byte = 'r'
	kindView     byte = 'V' // not 'v': /c/v is the catalog version key
	kindType     byte = 'T'
)

func newCatalog() *Catalog {
	return &Catalog{
		Databases: map[catalog.ID]*catalog.Database{},
		Schemas:   map[catalog.ID]*catalog.Schema{},
		Tables:    map[catalog.ID]*catalog.Table{},
		Sequences: map[catalog.ID]*catalog.Sequence{},
		Roles:     map[catalog.ID]*catalog.Role{},
		Views:     map[catalog.ID]*catalog.View{},
		Types:     map[catalog.ID]*catalog.Type{},
	}
}

// descCache keeps the decoded descriptors of the last committed catalog
// load by key, with the bytes they were decoded from. Descriptors are
// immutable once loaded, so a load whose stored bytes are unchanged takes
// the decoded one: every DDL statement reloads the whole catalog (once
// for its snapshot, once more with its own writes), and decoding every
// table's JSON each time made N CREATE TABLEs cost O(N^2) (half of a
// 300-table script's CPU).
type descCache struct {
	mu      sync.Mutex
	entries map[string]decodedDesc
}

type decodedDesc struct {
	raw []byte
	obj any
}

// lookup returns the descriptor decoded from raw under key, if cached.
func (d *descCache) lookup(key string, raw []byte) (any, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.entries[key]
	if !ok || !bytes.Equal(e.raw, raw) {
		return nil, false
	}
	return e.obj, true
}

// replace makes entries the cache, as a committed load saw them; a
// transaction's private load (its own uncommitted writes) leaves it.
func (d *descCache) replace(entries map[string]decodedDesc) {
	d.mu.Lock()
	d.entries = entries
	d.mu.Unlock()
}

// loadCatalog reads every descriptor visible to the transaction. shared
// says the load is of committed descriptors only: it takes the decodes
// of unchanged ones from the engine's descCache and leaves its own there
// for the next load.
func loadCatalog(t *Txn, shared bool) (*Catalog, error) {
	c := newCatalog()
	var seen map[string]decodedDesc
	if shared {
		seen = map[string]decodedDesc{}
	}
	it := t.newMergeIter(badger.IteratorOptions{Prefix: prefixCatalog, PrefetchValues: true, PrefetchSize: 64})
	defer it.Close()
	for it.Seek(prefixCatalog); it.Valid(); it.Next() {
		k := it.Key()
		if len(k) != len(prefixCatalog)+5 {
			continue
		}
		kind := k[len(prefixCatalog)]
		id := catalog.ID(binary.BigEndian.Uint32(k[len(prefixCatalog)+1:]))
		v, err := it.Value()
		if err != nil {
			return nil, fmt.Errorf("storage: read catalog: %w", err)
		}
		var obj any
		ok := false
		if shared {
			// A private load decodes afresh: DDL may change what it
			// loaded before its commit makes new descriptors.
			obj, ok = t.e.descs.lookup(string(k), v)
		}
		if !ok {
			switch kind {
			case kindDatabase:
				obj = &catalog.Database{}
			case kindSchema:
				obj = &catalog.Schema{}
			case kindTable:
				obj = &catalog.Table{}
			case kindSequence:
				obj = &catalog.Sequence{}
			case kindRole:
				obj = &catalog.Role{}
			case kindView:
				obj = &catalog.View{}
			case kindType:
				obj = &catalog.Type{}
			default:
				continue
			}
			if err := json.Unmarshal(v, obj); err != nil {
				return nil, fmt.Errorf("storage: decode descriptor %q: %w", k, err)
			}
		}
		switch d := obj.(type) {
		case *catalog.Database:
			c.Databases[id] = d
		case *catalog.Schema:
			c.Schemas[id] = d
		case *catalog.Table:
			c.Tables[id] = d
		case *catalog.Sequence:
			c.Sequences[id] = d
		case *catalog.Role:
			c.Roles[id] = d
		case *catalog.View:
			c.Views[id] = d
		case *catalog.Type:
			c.Types[id] = d
		}
		if shared {
			seen[string(k)] = decodedDesc{raw: bytes.Clone(v), obj: obj}
		}
	}
	c.index()
	if shared {
		t.e.descs.replace(seen)
	}
	return c, nil
}

func (c *Catalog) index() {
	c.dbByName = make(map[string]*catalog.Database, len(c.Databases))
	for _, d := range c.Databases {
		c.dbByName[d.Name] = d
	}
	c.roleByName = make(map[string]*catalog.Role, len(c.Roles))
	for _, r := range c.Roles {
		c.roleByName[r.Name] = r
	}
	c.schemaByName = make(map[nameKey]*catalog.Schema, len(c.Schemas))
	for _, s := range c.Schemas {
		c.schemaByName[nameKey{s.DatabaseID, s.Name}] = s
	}
	c.tableByName = make(map[nameKey]*catalog.Table, len(c.Tables))
	c.indexByName = map[nameKey]indexRef{}
	c.tablesIn = map[catalog.ID][]*catalog.Table{}
	for _, t := range c.Tables {
		c.tableByName[nameKey{t.SchemaID, t.Name}] = t
		c.tablesIn[t.SchemaID] = append(c.tablesIn[t.SchemaID], t)
		for i := range t.Indexes {
			c.indexByName[nameKey{t.SchemaID, t.Indexes[i].Name}] = indexRef{t, i}
		}
	}
	for _, ts := range c.tablesIn {
		sort.Slice(ts, func(i, j int) bool { return ts[i].Name < ts[j].Name })
	}
	c.seqByName = make(map[nameKey]*catalog.Sequence, len(c.Sequences))
	for _, s := range c.Sequences {
		c.seqByName[nameKey{s.SchemaID, s.Name}] = s
	}
	c.viewByName = make(map[nameKey]*catalog.View, len(c.Views))
	for _, v := range c.Views {
		c.viewByName[nameKey{v.SchemaID, v.Name}] = v
	}
	c.typeByName = make(map[nameKey]*catalog.Type, len(c.Types))
	for _, ty := range c.Types {
		c.typeByName[nameKey{ty.SchemaID, ty.Enum.Name}] = ty
	}
}

// DatabaseByName, SchemaByName, TableByName, SequenceByName and RoleByName
// resolve names; nil when absent.
func (c *Catalog) DatabaseByName(name string) *catalog.Database { return c.dbByName[name] }
func (c *Catalog) SchemaByName(db catalog.ID, name string) *catalog.Schema {
	return c.schemaByName[nameKey{db, name}]
}
func (c *Catalog) TableByName(schema catalog.ID, name string) *catalog.Table {
	return c.tableByName[nameKey{schema, name}]
}
func (c *Catalog) SequenceByName(schema catalog.ID, name string) *catalog.Sequence {
	return c.seqByName[nameKey{schema, name}]
}
func (c *Catalog) RoleByName(name string) *catalog.Role { return c.roleByName[name] }

// TypeByName finds a user-defined type in a schema.
func (c *Catalog) TypeByName(schema catalog.ID, name string) *catalog.Type {
	return c.typeByName[nameKey{schema, name}]
}
func (c *Catalog) ViewByName(schema catalog.ID, name string) *catalog.View {
	return c.viewByName[nameKey{schema, name}]
}

// RelationNameTaken reports whether a relation of any kind — table,
// view, sequence or index, which share one namespace in PostgreSQL — has
// the name in the schema.
func (c *Catalog) RelationNameTaken(schema catalog.ID, name string) bool {
	if c.TableByName(schema, name) != nil || c.SequenceByName(schema, name) != nil || c.ViewByName(schema, name) != nil {
		return true
	}
	_, idx := c.IndexByName(schema, name)
	return idx != nil
}

// ViewsDependingOn returns the views whose query reads the relation id,
// sorted by name; materialized views among them are in the form
// catalog.Table.MatviewQuery gives them.
func (c *Catalog) ViewsDependingOn(id catalog.ID) []*catalog.View {
	var vs []*catalog.View
	for _, v := range c.Views {
		if slices.Contains(v.DependsOn, id) {
			vs = append(vs, v)
		}
	}
	for _, t := range c.Tables {
		if t.Matview != nil && slices.Contains(t.Matview.DependsOn, id) {
			vs = append(vs, t.MatviewQuery())
		}
	}
	sort.Slice(vs, func(i, j int) bool { return vs[i].Name < vs[j].Name })
	return vs
}

// IndexByName resolves an index name in a schema to its table and index.
func (c *Catalog) IndexByName(schema catalog.ID, name string) (*catalog.Table, *catalog.Index) {
	r, ok := c.indexByName[nameKey{schema, name}]
	if !ok {
		return nil, nil
	}
	return r.table, &r.table.Indexes[r.index]
}

// TablesInSchema returns a schema's tables sorted by name.
func (c *Catalog) TablesInSchema(schema catalog.ID) []*catalog.Table {
	return c.tablesIn[schema]
}

// putDescriptor stores a descriptor and bumps the catalog version.
func (t *Txn) putDescriptor(kind byte, id catalog.ID, desc any) error {
	if id == 0 {
		return errors.New("storage: descriptor without an ID")
	}
	v, err := json.Marshal(desc)
	if err != nil {
		return fmt.Errorf("storage: encode descriptor: %w", err)
	}
	if err := t.bumpCatalogVersion(); err != nil {
		return err
	}
	return t.set(catalogKey(kind, id), v)
}

func (t *Txn) deleteDescriptor(kind byte, id catalog.ID) error {
	if err := t.bumpCatalogVersion(); err != nil {
		return err
	}
	return t.del(catalogKey(kind, id))
}

// bumpCatalogVersion writes version+1 once per transaction. Every DDL
// transaction writes the same key, so concurrent DDL conflicts (40001).
func (t *Txn) bumpCatalogVersion() error {
	if err := t.usable(); err != nil {
		return err
	}
	t.cat = nil
	if t.catWritten {
		return nil
	}
	v, err := t.catalogVersion()
	if err != nil {
		return err
	}
	if err := t.set(keyCatalogVersion, binary.BigEndian.AppendUint64(nil, v+1)); err != nil {
		return err
	}
	t.catWritten = true
	return nil
}

// catalogVersion reads the version key at the snapshot.
func (t *Txn) catalogVersion() (uint64, error) {
	b, ok, err := t.lookup(keyCatalogVersion)
	if err != nil || !ok {
		return 0, err
	}
	if len(b) != 8 {
		return 0, errors.New("storage: corrupt catalog version")
	}
	return binary.BigEndian.Uint64(b), nil
}

// Catalog returns every descriptor visible to this transaction's snapshot
// plus its own uncommitted catalog changes. The result is shared and must
// not be modified; put changed copies back with the Put methods.
func (t *Txn) Catalog() (*Catalog, error) {
	if err := t.usable(); err != nil {
		return nil, err
	}
	if t.cat != nil {
		return t.cat, nil
	}
	e := t.e
	var catTs uint64
	if !t.catWritten {
		e.mu.Lock()
		if e.catTs <= t.readTs {
			// No catalog change this snapshot misses is even in flight:
			// the snapshot sees the catalog committed at catTs.
			catTs = e.catTs
		}
		e.mu.Unlock()
		if catTs != 0 {
			e.catMu.Lock()
			c := e.catCache
			hit := c != nil && e.catCacheTs == catTs
			e.catMu.Unlock()
			if hit {
				t.cat = c
				return c, nil
			}
		}
	}
	v, err := t.catalogVersion()
	if err != nil {
		return nil, err
	}
	if t.catWritten {
		// Uncommitted changes: private to this transaction.
		c, err := loadCatalog(t, false)
		if err != nil {
			return nil, err
		}
		c.Version = v
		t.cat = c
		return c, nil
	}
	e.catMu.Lock()
	if e.catCache != nil && e.catVersion == v {
		c := e.catCache
		if catTs != 0 {
			e.catCacheTs = catTs
		}
		e.catMu.Unlock()
		t.cat = c
		return c, nil
	}
	e.catMu.Unlock()
	c, err := loadCatalog(t, true)
	if err != nil {
		return nil, err
	}
	c.Version = v
	e.catMu.Lock()
	if e.catCache == nil || v >= e.catVersion {
		e.catCache, e.catVersion, e.catCacheTs = c, v, catTs
	}
	e.catMu.Unlock()
	t.cat = c
	return c, nil
}

// PutDatabase, PutSchema, PutTable, PutSequence and PutRole create or
// replace a descriptor (PutTable bumps its Version).
func (t *Txn) PutDatabase(d *catalog.Database) error { return t.putDescriptor(kindDatabase, d.ID, d) }
func (t *Txn) PutSchema(s *catalog.Schema) error     { return t.putDescriptor(kindSchema, s.ID, s) }
func (t *Txn) PutSequence(s *catalog.Sequence) error { return t.putDescriptor(kindSequence, s.ID, s) }
func (t *Txn) PutRole(r *catalog.Role) error         { return t.putDescriptor(kindRole, r.ID, r) }
func (t *Txn) PutView(v *catalog.View) error         { return t.putDescriptor(kindView, v.ID, v) }
func (t *Txn) PutType(ty *catalog.Type) error        { return t.putDescriptor(kindType, ty.ID, ty) }
func (t *Txn) DropType(id catalog.ID) error          { return t.deleteDescriptor(kindType, id) }

func (t *Txn) PutTable(tb *catalog.Table) error {
	c, err := t.Catalog()
	if err != nil {
		return err
	}
	next := tb.Version + 1
	if old := c.Tables[tb.ID]; old != nil && old.Version >= tb.Version {
		next = old.Version + 1
	}
	tb.Version = next
	if err := t.assignConstraintOIDs(tb); err != nil {
		return err
	}
	if err := t.set(tableVersionKey(tb.ID), []byte{}); err != nil {
		return err
	}
	return t.putDescriptor(kindTable, tb.ID, tb)
}

// assignConstraintOIDs gives each new CHECK and FOREIGN KEY of tb an OID
// of its own. An ID burnt by a transaction that rolls back is never
// reused, which is all OIDs need.
func (t *Txn) assignConstraintOIDs(tb *catalog.Table) error {
	for i := range tb.Checks {
		if tb.Checks[i].OID == 0 {
			id, err := t.e.AllocateID(context.Background())
			if err != nil {
				return fmt.Errorf("allocate OID of constraint %s: %w", tb.Checks[i].Name, err)
			}
			tb.Checks[i].OID = id
		}
	}
	for i := range tb.ForeignKeys {
		if tb.ForeignKeys[i].OID == 0 {
			id, err := t.e.AllocateID(context.Background())
			if err != nil {
				return fmt.Errorf("allocate OID of constraint %s: %w", tb.ForeignKeys[i].Name, err)
			}
			tb.ForeignKeys[i].OID = id
		}
	}
	return nil
}

// PutTableIndexes stores a table descriptor whose only change is its index
// list, without bumping the table's version: writers that started against
// the previous descriptor stay valid (their row layout is unchanged), so an
// index whose build follows concurrent writers itself does not fail them
// with 40001. Concurrent DDL on the table still conflicts on the
// descriptor key.
func (t *Txn) PutTableIndexes(tb *catalog.Table) error {
	c, err := t.Catalog()
	if err != nil {
		return err
	}
	next := tb.Version + 1
	if old := c.Tables[tb.ID]; old != nil && old.Version >= tb.Version {
		next = old.Version + 1
	}
	tb.Version = next
	return t.putDescriptor(kindTable, tb.ID, tb)
}

// DropDatabase, DropSchema, DropTable, DropSequence and DropRole delete a
// descriptor; dropping a table or database also deletes its data.
func (t *Txn) DropDatabase(id catalog.ID) error {
	c, err := t.Catalog()
	if err != nil {
		return err
	}
	for _, tb := range c.Tables {
		if tb.DatabaseID == id {
			if err := t.DropTable(tb.ID); err != nil {
				return err
			}
		}
	}
	for _, s := range c.Sequences {
		if s.DatabaseID == id {
			if err := t.DropSequence(s.ID); err != nil {
				return err
			}
		}
	}
	for _, v := range c.Views {
		if v.DatabaseID == id {
			if err := t.DropView(v.ID); err != nil {
				return err
			}
		}
	}
	for _, ty := range c.Types {
		if ty.DatabaseID == id {
			if err := t.DropType(ty.ID); err != nil {
				return err
			}
		}
	}
	for _, s := range c.Schemas {
		if s.DatabaseID == id {
			if err := t.DropSchema(s.ID); err != nil {
				return err
			}
		}
	}
	return t.deleteDescriptor(kindDatabase, id)
}

func (t *Txn) DropSchema(id catalog.ID) error { return t.deleteDescriptor(kindSchema, id) }
func (t *Txn) DropRole(id catalog.ID) error   { return t.deleteDescriptor(kindRole, id) }
func (t *Txn) DropView(id catalog.ID) error   { return t.deleteDescriptor(kindView, id) }

func (t *Txn) DropSequence(id catalog.ID) error {
	if err := t.deleteDescriptor(kindSequence, id); err != nil {
		return err
	}
	return t.del(seqStateKey(id))
}

func (t *Txn) DropTable(id catalog.ID) error {
	if err := t.deleteDescriptor(kindTable, id); err != nil {
		return err
	}
	if err := t.del(tableVersionKey(id)); err != nil {
		return err
	}
	// A small table is deleted inside the transaction; a large one would
	// not fit, so it is marked and removed by DropPrefix once the drop has
	// committed (the marker makes a crash in between finish the job).
	prefix := tablePrefix(id)
	var small [][]byte
	it := t.newMergeIter(badger.IteratorOptions{Prefix: prefix})
	for it.Seek(prefix); it.Valid() && len(small) <= smallDropKeys; it.Next() {
		small = append(small, append([]byte(nil), it.Key()...))
	}
	it.Close()
	if len(small) <= smallDropKeys {
		for _, k := range small {
			if err := t.del(k); err != nil {
				return err
			}
		}
		return nil
	}
	if err := t.set(pendingDropKey(id), []byte{1}); err != nil {
		return err
	}
	t.drops = append(t.drops, id)
	return nil
}
