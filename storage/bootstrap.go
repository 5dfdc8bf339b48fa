package storage

import (
	"context"
	"fmt"

	"github.com/quiverdb/quiver/sql/catalog"
)

// Fixed IDs of the bootstrap objects: PostgreSQL's OIDs for the same
// objects, all below catalog.FirstUserID so user IDs never collide.
const (
	BootstrapRoleID        catalog.ID = 10
	BootstrapDatabaseID    catalog.ID = 5
	PgCatalogSchemaID      catalog.ID = 11
	PublicSchemaID         catalog.ID = 2200
	InformationSchemaID    catalog.ID = 13000
	bootstrapSuperuserName            = "postgres"
)

// bootstrap fills a fresh store (no catalog version yet) with the database
// "postgres", its schemas and the bootstrap superuser (Options.Superuser,
// "postgres" by default, with every role attribute as initdb gives it).
func (e *Engine) bootstrap() error {
	su := e.opts.Superuser
	if su == "" {
		su = bootstrapSuperuserName
	}
	t := e.Begin()
	defer t.Rollback()
	v, err := t.catalogVersion()
	if err != nil {
		return err
	}
	if v != 0 {
		return nil
	}
	steps := []error{
		t.PutRole(&catalog.Role{ID: BootstrapRoleID, Name: su, Superuser: true, Login: true,
			CreateRole: true, CreateDB: true, Replication: true, BypassRLS: true}),
		t.PutDatabase(&catalog.Database{ID: BootstrapDatabaseID, Name: "postgres", Owner: su}),
		t.PutSchema(&catalog.Schema{ID: PgCatalogSchemaID, DatabaseID: BootstrapDatabaseID, Name: "pg_catalog", Owner: su}),
		t.PutSchema(&catalog.Schema{ID: PublicSchemaID, DatabaseID: BootstrapDatabaseID, Name: "public", Owner: su}),
		t.PutSchema(&catalog.Schema{ID: InformationSchemaID, DatabaseID: BootstrapDatabaseID, Name: "information_schema", Owner: su}),
	}
	for _, err := range steps {
		if err != nil {
			return fmt.Errorf("storage: bootstrap: %w", err)
		}
	}
	if err := t.Commit(context.Background()); err != nil {
		return fmt.Errorf("storage: bootstrap: %w", err)
	}
	return nil
}
