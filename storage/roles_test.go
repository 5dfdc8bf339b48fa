package storage

import (
	"context"
	"testing"

	"github.com/quiverdb/quiver/sql/catalog"
)

// Options.Superuser names the bootstrap superuser (OID 10) and the owner
// of the bootstrap objects, as initdb -U does; roles persist like any
// descriptor.
func TestBootstrapSuperuserAndRoles(t *testing.T) {
	e, err := Open(Options{InMemory: true, NoSync: true, Superuser: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	txn := e.Begin()
	cat, err := txn.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	r := cat.RoleByName("admin")
	if r == nil || r.ID != BootstrapRoleID || !r.Superuser || !r.Login || !r.CreateRole || !r.CreateDB || r.ConnectionLimit() != -1 {
		t.Fatalf("bootstrap role = %+v", r)
	}
	if cat.RoleByName("postgres") != nil {
		t.Fatal("a postgres role exists beside the named superuser")
	}
	if d := cat.DatabaseByName("postgres"); d == nil || d.Owner != "admin" {
		t.Fatalf("database postgres = %+v", d)
	}
	limit := int32(3)
	if err := txn.PutRole(&catalog.Role{ID: catalog.FirstUserID + 100, Name: "bob", ConnLimit: &limit, PasswordVerifier: "md5" + "0123456789abcdef0123456789abcdef"}); err != nil {
		t.Fatal(err)
	}
	if err := txn.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	txn = e.Begin()
	defer txn.Rollback()
	cat, err = txn.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	b := cat.RoleByName("bob")
	if b == nil || b.ConnectionLimit() != 3 || b.PasswordVerifier != "md50123456789abcdef0123456789abcdef" || b.Login {
		t.Fatalf("bob = %+v", b)
	}
	if err := txn.DropRole(b.ID); err != nil {
		t.Fatal(err)
	}
	if c, _ := txn.Catalog(); c.RoleByName("bob") != nil {
		t.Fatal("bob still visible after DropRole")
	}
}
