package executor

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/quiverdb/quiver/auth"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
	"github.com/quiverdb/quiver/storage"
)

// LoginRole is what authentication needs to know about a role.
type LoginRole struct {
	Name      string
	Superuser bool
	CanLogin  bool
	// Password is the stored verifier (SCRAM-SHA-256 or md5), "" when the
	// role has none.
	Password string
	// PasswordExpired is set when VALID UNTIL has passed.
	PasswordExpired bool
	// ConnLimit is CONNECTION LIMIT, -1 for none.
	ConnLimit int32
}

// LookupRole finds a role for authentication; nil when there is none.
func (e *Engine) LookupRole(ctx context.Context, name string) (*LoginRole, error) {
	txn := e.store.Begin()
	defer txn.Rollback()
	cat, err := txn.Catalog()
	if err != nil {
		return nil, fmt.Errorf("looking up role %q: %w", name, err)
	}
	r := cat.RoleByName(name)
	if r == nil {
		return nil, nil
	}
	lr := &LoginRole{Name: r.Name, Superuser: r.Superuser, CanLogin: r.Login, Password: r.PasswordVerifier, ConnLimit: r.ConnectionLimit()}
	if r.ValidUntil != nil && *r.ValidUntil != types.TSPosInfinity {
		lr.PasswordExpired = *r.ValidUntil < timestamptzNow()
	}
	return lr, nil
}

// timestamptzNow is the current time as a timestamptz value.
func timestamptzNow() int64 {
	epoch2000 := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	return time.Since(epoch2000).Microseconds()
}

// EnsureSuperuser makes sure a superuser role called name exists with
// LOGIN, creating it when the store was bootstrapped under another name,
// and, when password is not "", that it has this password (stored as a
// SCRAM-SHA-256 secret; an unchanged password keeps its secret).
func (e *Engine) EnsureSuperuser(ctx context.Context, name, password string) error {
	txn := e.store.Begin()
	defer txn.Rollback()
	cat, err := txn.Catalog()
	if err != nil {
		return fmt.Errorf("ensuring superuser %q: %w", name, err)
	}
	var r catalog.Role
	changed := false
	if old := cat.RoleByName(name); old != nil {
		r = *old
	} else {
		id, err := e.store.AllocateID(ctx)
		if err != nil {
			return fmt.Errorf("ensuring superuser %q: %w", name, err)
		}
		r = catalog.Role{ID: id, Name: name, CreateRole: true, CreateDB: true, Replication: true, BypassRLS: true}
		changed = true
	}
	if !r.Superuser || !r.Login {
		r.Superuser, r.Login, changed = true, true, true
	}
	if password != "" && !auth.CheckPlaintext(name, r.PasswordVerifier, password) {
		v, err := auth.Encrypt(name, password, auth.EncryptionSCRAM)
		if err != nil {
			return fmt.Errorf("ensuring superuser %q: %w", name, err)
		}
		r.PasswordVerifier, changed = v, true
	}
	if !changed {
		return nil
	}
	if err := txn.PutRole(&r); err != nil {
		return fmt.Errorf("ensuring superuser %q: %w", name, err)
	}
	if err := txn.Commit(ctx); err != nil {
		return fmt.Errorf("ensuring superuser %q: %w", name, err)
	}
	return nil
}

// roleOptions is a parsed role option list; nil pointers are options not
// given.
type roleOptions struct {
	superuser, login, createRole, createDB, inherit, replication, bypassRLS *bool
	password                                                                *string
	passwordGiven                                                           bool
	connLimit                                                               *int32
	validUntil                                                              *int64
}

func conflictingOptions(o tree.RoleOption) error {
	return pgerror.New(pgerror.CodeSyntaxError, "conflicting or redundant options").WithPosition(o.Pos)
}

func (s *Session) parseRoleOptions(opts []tree.RoleOption) (*roleOptions, error) {
	ro := &roleOptions{}
	for _, o := range opts {
		flag := func(dst **bool, v bool) error {
			if *dst != nil {
				return conflictingOptions(o)
			}
			*dst = &v
			return nil
		}
		var err error
		switch o.Name {
		case "superuser", "nosuperuser":
			err = flag(&ro.superuser, o.Name == "superuser")
		case "login", "nologin":
			err = flag(&ro.login, o.Name == "login")
		case "createrole", "nocreaterole":
			err = flag(&ro.createRole, o.Name == "createrole")
		case "createdb", "nocreatedb":
			err = flag(&ro.createDB, o.Name == "createdb")
		case "inherit", "noinherit":
			err = flag(&ro.inherit, o.Name == "inherit")
		case "replication", "noreplication":
			err = flag(&ro.replication, o.Name == "replication")
		case "bypassrls", "nobypassrls":
			err = flag(&ro.bypassRLS, o.Name == "bypassrls")
		case "password":
			if ro.passwordGiven {
				return nil, conflictingOptions(o)
			}
			ro.passwordGiven, ro.password = true, o.Value
		case "connection limit":
			if ro.connLimit != nil {
				return nil, conflictingOptions(o)
			}
			n, perr := strconv.ParseInt(*o.Value, 10, 32)
			if perr != nil {
				return nil, pgerror.New(pgerror.CodeSyntaxError, "syntax error at or near \"%s\"", *o.Value)
			}
			if n < -1 {
				return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "invalid connection limit: %d", n)
			}
			v := int32(n)
			ro.connLimit = &v
		case "valid until":
			if ro.validUntil != nil {
				return nil, conflictingOptions(o)
			}
			d, perr := types.ParseTextLoc(types.TimestampTZ, *o.Value, s.location())
			if perr != nil {
				return nil, perr
			}
			v := int64(d.(types.DTimestampTZ))
			ro.validUntil = &v
		case "sysid":
			s.notice("SYSID can no longer be specified")
		case "in", "role", "admin", "user":
			return nil, notSupportedStmt("role membership (IN ROLE, ROLE, ADMIN)")
		default:
			return nil, pgerror.New(pgerror.CodeSyntaxError, "unrecognized role option \"%s\"", o.Name)
		}
		if err != nil {
			return nil, err
		}
	}
	return ro, nil
}

// location is the session's TimeZone (UTC when it cannot be loaded).
func (s *Session) location() *time.Location {
	loc, err := loadLocation(s.Setting0("TimeZone"))
	if err != nil {
		return time.UTC
	}
	return loc
}

// storedPassword turns a PASSWORD option into the verifier to store ("" to
// clear), hashed with password_encryption.
func (s *Session) storedPassword(role string, pw *string) (string, error) {
	if pw == nil {
		return "", nil
	}
	if *pw == "" {
		s.notice("empty string is not a valid password, clearing password")
		return "", nil
	}
	method, _ := s.Setting("password_encryption")
	v, err := auth.Encrypt(role, *pw, method)
	if err != nil {
		return "", fmt.Errorf("storing the password of role %q: %w", role, err)
	}
	return v, nil
}

func (ro *roleOptions) apply(r *catalog.Role) {
	set := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	set(&r.Superuser, ro.superuser)
	set(&r.Login, ro.login)
	set(&r.CreateRole, ro.createRole)
	set(&r.CreateDB, ro.createDB)
	set(&r.Replication, ro.replication)
	set(&r.BypassRLS, ro.bypassRLS)
	if ro.inherit != nil {
		r.NoInherit = !*ro.inherit
	}
	if ro.connLimit != nil {
		if *ro.connLimit == -1 {
			r.ConnLimit = nil
		} else {
			v := *ro.connLimit
			r.ConnLimit = &v
		}
	}
	if ro.validUntil != nil {
		v := *ro.validUntil
		r.ValidUntil = &v
	}
}

// currentRole is the session's role in cat; a role that is gone (or a
// session opened without authentication by a test) has no privileges.
func (s *Session) currentRole(cat *storage.Catalog) *catalog.Role {
	if r := cat.RoleByName(s.user); r != nil {
		return r
	}
	return &catalog.Role{Name: s.user}
}

func checkNewRoleName(name string) error {
	if strings.HasPrefix(name, "pg_") {
		return pgerror.New("42939", "role name \"%s\" is reserved", name).WithDetail("Role names starting with \"pg_\" are reserved.")
	}
	switch name {
	case "public", "none":
		return pgerror.New("42939", "role name \"%s\" is reserved", name)
	}
	return nil
}

func (s *Session) createRole(ec *execCtx, cat *storage.Catalog, n *tree.CreateRole) (Result, error) {
	tag := "CREATE ROLE"
	me := s.currentRole(cat)
	ro, err := s.parseRoleOptions(n.Options)
	if err != nil {
		return nil, err
	}
	if !me.Superuser {
		switch {
		case !me.CreateRole:
			return nil, pgerror.New(pgerror.CodeInsufficientPrivilege, "permission denied to create role")
		case ro.superuser != nil && *ro.superuser:
			return nil, pgerror.New(pgerror.CodeInsufficientPrivilege, "must be superuser to create superusers")
		case ro.replication != nil && *ro.replication:
			return nil, pgerror.New(pgerror.CodeInsufficientPrivilege, "must be superuser to create replication users")
		case ro.bypassRLS != nil && *ro.bypassRLS:
			return nil, pgerror.New(pgerror.CodeInsufficientPrivilege, "must be superuser to create bypassrls users")
		}
	}
	if err := checkNewRoleName(n.Name); err != nil {
		return nil, err
	}
	if cat.RoleByName(n.Name) != nil {
		return nil, pgerror.New(pgerror.CodeDuplicateObject, "role \"%s\" already exists", n.Name)
	}
	id, err := s.eng.store.AllocateID(ec.ctx)
	if err != nil {
		return nil, err
	}
	// CREATE USER is CREATE ROLE with LOGIN by default.
	r := &catalog.Role{ID: id, Name: n.Name, Login: n.IsUser}
	ro.apply(r)
	if r.PasswordVerifier, err = s.storedPassword(n.Name, ro.password); err != nil {
		return nil, err
	}
	if err := ec.txn.PutRole(r); err != nil {
		return nil, err
	}
	return doneResult(tag), nil
}

func (s *Session) alterRole(ec *execCtx, cat *storage.Catalog, n *tree.AlterRole) (Result, error) {
	if n.NewName != "" {
		return s.renameRole(ec, cat, n.Name, n.NewName)
	}
	old := cat.RoleByName(n.Name)
	if old == nil {
		return nil, pgerror.New(pgerror.CodeUndefinedObject, "role \"%s\" does not exist", n.Name)
	}
	ro, err := s.parseRoleOptions(n.Options)
	if err != nil {
		return nil, err
	}
	me := s.currentRole(cat)
	if !me.Superuser {
		switch {
		case old.Superuser || ro.superuser != nil:
			return nil, pgerror.New(pgerror.CodeInsufficientPrivilege, "must be superuser to alter superuser roles or change superuser attribute")
		case old.Replication || ro.replication != nil:
			return nil, pgerror.New(pgerror.CodeInsufficientPrivilege, "must be superuser to alter replication roles or change replication attribute")
		case ro.bypassRLS != nil:
			return nil, pgerror.New(pgerror.CodeInsufficientPrivilege, "must be superuser to change bypassrls attribute")
		case !me.CreateRole:
			// Anyone may change their own password, and only that.
			onlyPassword := ro.passwordGiven && ro.login == nil && ro.createRole == nil && ro.createDB == nil &&
				ro.inherit == nil && ro.connLimit == nil && ro.validUntil == nil
			if !onlyPassword || old.ID != me.ID {
				return nil, pgerror.New(pgerror.CodeInsufficientPrivilege, "permission denied")
			}
		}
	}
	r := *old
	ro.apply(&r)
	if ro.passwordGiven {
		if r.PasswordVerifier, err = s.storedPassword(r.Name, ro.password); err != nil {
			return nil, err
		}
	}
	if err := ec.txn.PutRole(&r); err != nil {
		return nil, err
	}
	return doneResult("ALTER ROLE"), nil
}

func (s *Session) renameRole(ec *execCtx, cat *storage.Catalog, name, newName string) (Result, error) {
	old := cat.RoleByName(name)
	if old == nil {
		return nil, pgerror.New(pgerror.CodeUndefinedObject, "role \"%s\" does not exist", name)
	}
	if name == s.user {
		// Without SET ROLE the session user is the current user.
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "session user cannot be renamed")
	}
	if strings.HasPrefix(newName, "pg_") {
		return nil, checkNewRoleName(newName)
	}
	if cat.RoleByName(newName) != nil {
		return nil, pgerror.New(pgerror.CodeDuplicateObject, "role \"%s\" already exists", newName)
	}
	if err := checkNewRoleName(newName); err != nil {
		return nil, err
	}
	me := s.currentRole(cat)
	switch {
	case old.Superuser && !me.Superuser:
		return nil, pgerror.New(pgerror.CodeInsufficientPrivilege, "must be superuser to rename superusers")
	case !me.Superuser && !me.CreateRole:
		return nil, pgerror.New(pgerror.CodeInsufficientPrivilege, "permission denied to rename role")
	}
	r := *old
	r.Name = newName
	if auth.KindOf(r.PasswordVerifier) == auth.KindMD5 {
		// The md5 hash salts with the role name: it is useless now.
		r.PasswordVerifier = ""
		s.notice("MD5 password cleared because of role rename")
	}
	if err := ec.txn.PutRole(&r); err != nil {
		return nil, err
	}
	// Owners are recorded by name: move them to the new one.
	for _, d := range sortedByID(cat.Databases, func(d *catalog.Database) catalog.ID { return d.ID }) {
		if d.Owner == name {
			c := *d
			c.Owner = newName
			if err := ec.txn.PutDatabase(&c); err != nil {
				return nil, err
			}
		}
	}
	for _, sc := range sortedByID(cat.Schemas, func(sc *catalog.Schema) catalog.ID { return sc.ID }) {
		if sc.Owner == name {
			c := *sc
			c.Owner = newName
			if err := ec.txn.PutSchema(&c); err != nil {
				return nil, err
			}
		}
	}
	for _, t := range sortedByID(cat.Tables, func(t *catalog.Table) catalog.ID { return t.ID }) {
		if t.Owner == name {
			c := *t
			c.Owner = newName
			if err := ec.txn.PutTable(&c); err != nil {
				return nil, err
			}
		}
	}
	return doneResult("ALTER ROLE"), nil
}

func sortedByID[T any](m map[catalog.ID]T, id func(T) catalog.ID) []T {
	out := make([]T, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return id(out[i]) < id(out[j]) })
	return out
}

func (s *Session) dropRoles(ec *execCtx, cat *storage.Catalog, n *tree.DropRole) (Result, error) {
	me := s.currentRole(cat)
	if !me.Superuser && !me.CreateRole {
		return nil, pgerror.New(pgerror.CodeInsufficientPrivilege, "permission denied to drop role")
	}
	for _, name := range n.Names {
		r := cat.RoleByName(name)
		if r == nil {
			if n.IfExists {
				s.notice("role \"%s\" does not exist, skipping", name)
				continue
			}
			return nil, pgerror.New(pgerror.CodeUndefinedObject, "role \"%s\" does not exist", name)
		}
		if name == s.user {
			return nil, pgerror.New(pgerror.CodeObjectInUse, "current user cannot be dropped")
		}
		if r.Superuser && !me.Superuser {
			return nil, pgerror.New(pgerror.CodeInsufficientPrivilege, "must be superuser to drop superusers")
		}
		if r.ID == storage.BootstrapRoleID {
			return nil, pgerror.New(pgerror.CodeDependentObjectsStillExist, "cannot drop role %s because it is required by the database system", name)
		}
		if detail := s.ownedBy(cat, name); detail != "" {
			return nil, pgerror.New(pgerror.CodeDependentObjectsStillExist, "role \"%s\" cannot be dropped because some objects depend on it", name).WithDetail("%s", detail)
		}
		if err := ec.txn.DropRole(r.ID); err != nil {
			return nil, err
		}
	}
	return doneResult("DROP ROLE"), nil
}

// ownedBy describes what a role owns as DROP ROLE's detail does: objects
// of the current database one per line, other databases as counts.
func (s *Session) ownedBy(cat *storage.Catalog, name string) string {
	type owned struct {
		id   catalog.ID
		desc string
	}
	var here []owned
	elsewhere := map[catalog.ID]int{}
	for _, d := range cat.Databases {
		if d.Owner == name {
			here = append(here, owned{d.ID, "owner of database " + d.Name})
		}
	}
	for _, sc := range cat.Schemas {
		if sc.Owner != name {
			continue
		}
		if sc.DatabaseID == s.db.ID {
			here = append(here, owned{sc.ID, "owner of schema " + sc.Name})
		} else {
			elsewhere[sc.DatabaseID]++
		}
	}
	for _, t := range cat.Tables {
		if t.Owner != name {
			continue
		}
		if t.DatabaseID != s.db.ID {
			elsewhere[t.DatabaseID]++
			continue
		}
		tname := t.Name
		if sc := cat.Schemas[t.SchemaID]; sc != nil && sc.Name != "public" {
			tname = sc.Name + "." + t.Name
		}
		here = append(here, owned{t.ID, "owner of table " + tname})
	}
	sort.Slice(here, func(i, j int) bool { return here[i].id < here[j].id })
	var lines []string
	for _, o := range here {
		lines = append(lines, o.desc)
	}
	for _, d := range sortedByID(cat.Databases, func(d *catalog.Database) catalog.ID { return d.ID }) {
		switch n := elsewhere[d.ID]; {
		case n == 1:
			lines = append(lines, fmt.Sprintf("1 object in database %s", d.Name))
		case n > 1:
			lines = append(lines, fmt.Sprintf("%d objects in database %s", n, d.Name))
		}
	}
	return strings.Join(lines, "\n")
}

// checkSetRole vets SET ROLE. Quiver has no role membership and the
// current user is always the session user, so only NONE and the session's
// own role are accepted; any other existing role is refused rather than
// silently ignored, since a client switching roles expects its privileges
// to change.
func (s *Session) checkSetRole(value string) error {
	if strings.EqualFold(value, "none") || value == s.user {
		return nil
	}
	txn := s.eng.store.Begin()
	defer txn.Rollback()
	cat, err := txn.Catalog()
	if err != nil {
		return fmt.Errorf("SET ROLE: %w", err)
	}
	if cat.RoleByName(value) == nil {
		return pgerror.New(pgerror.CodeInvalidParameterValue, "role \"%s\" does not exist", value)
	}
	if !s.currentRole(cat).Superuser {
		return pgerror.New(pgerror.CodeInsufficientPrivilege, "permission denied to set role \"%s\"", value)
	}
	return notSupportedStmt("SET ROLE to another role")
}
