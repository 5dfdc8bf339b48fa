package planner

import (
	"errors"
	"strings"

	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

// ResolveType maps a parsed type name to a type, user-defined enums
// included: built-in names first (pg_catalog is searched before the
// path, as in PostgreSQL), then the schemas of the search path.
func (b *Binder) ResolveType(tn tree.TypeName) (*types.T, error) {
	if tn.Schema == "" || tn.Schema == "pg_catalog" {
		t, err := ResolveTypeName(tn)
		var pe *pgerror.Error
		if err == nil || tn.Schema != "" || !errors.As(err, &pe) || pe.Code != pgerror.CodeUndefinedObject {
			return t, err
		}
	}
	ty, err := b.LookupType(tree.ObjectName{Schema: tn.Schema, Name: tn.Name})
	if err != nil {
		return nil, withPos(err, tn.Pos)
	}
	if ty == nil {
		name := tn.Name
		if tn.Schema != "" {
			name = tn.Schema + "." + name
		}
		return nil, withPos(pgerror.New(pgerror.CodeUndefinedObject, "type \"%s\" does not exist", name), tn.Pos)
	}
	if len(tn.Mods) > 0 {
		return nil, withPos(pgerror.New(pgerror.CodeSyntaxError, "type modifier is not allowed for type \"%s\"", ty.Enum.Name), tn.Pos)
	}
	t := ty.T()
	for i := 0; i < tn.ArrayDims; i++ {
		t = types.ArrayOf(t)
	}
	return t, nil
}

// LookupType finds a user-defined type by possibly qualified name: nil
// when there is none.
func (b *Binder) LookupType(n tree.ObjectName) (*catalog.Type, error) {
	ids, err := b.relationSchemas(n)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if ty := b.Cat.TypeByName(id, n.Name); ty != nil {
			return ty, nil
		}
	}
	return nil, nil
}

// TypeByString is regtype's input: built-in names, then user types.
func (b *Binder) TypeByString(name string) (*types.T, error) {
	t, err := TypeByName(name)
	if err == nil {
		return t, nil
	}
	n := strings.TrimSpace(name)
	dims := 0
	for strings.HasSuffix(n, "[]") {
		n, dims = strings.TrimSpace(strings.TrimSuffix(n, "[]")), dims+1
	}
	on := tree.ObjectName{Name: n}
	quoted := false
	for i := 0; i < len(n); i++ {
		switch {
		case n[i] == '"':
			quoted = !quoted
		case n[i] == '.' && !quoted:
			on.Schema, on.Name = n[:i], n[i+1:]
		}
	}
	on.Schema, on.Name = unquoteIdent(on.Schema), unquoteIdent(on.Name)
	ty, _ := b.LookupType(on)
	if ty == nil && strings.HasPrefix(on.Name, "_") {
		// The array type's pg_type name.
		on.Name = on.Name[1:]
		if ty, _ = b.LookupType(on); ty != nil {
			dims++
		}
	}
	if ty != nil {
		t := ty.T()
		for i := 0; i < dims; i++ {
			t = types.ArrayOf(t)
		}
		return t, nil
	}
	return nil, err
}
