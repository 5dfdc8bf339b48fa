package builtins

import (
	"context"
	"math"
	"runtime"
	"time"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// Version is what version() reports: PostgreSQL 15 for client
// compatibility checks, then Quiver's own version.
var versionString = "PostgreSQL 15.0 (Quiver 0.1.0) on x86_64-pc-linux-gnu, compiled by " + runtime.Version() + ", 64-bit"

func errNoSession(fn string) error {
	return pgerror.New(pgerror.CodeFeatureNotSupported, "%s is not available without a session", fn)
}

func sessionText(name string, get func(s Session) string) *Overload {
	return fn(nil, types.Name, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		if ctx.Session == nil {
			return nil, errNoSession(name + "()")
		}
		return types.DString(get(ctx.Session)), nil
	})
}

func registerSystem() {
	addFunc("version", fn(nil, types.Text, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return types.DString(versionString), nil
	}))
	addFunc("current_database", sessionText("current_database", func(s Session) string { return s.CurrentDatabase() }))
	addFunc("current_catalog", registry.funcs["current_database"][0])
	for _, n := range []string{"current_user", "session_user", "user", "current_role"} {
		addFunc(n, sessionText(n, func(s Session) string { return s.CurrentUser() }))
	}
	addFunc("current_schema", &Overload{Return: types.Name, Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		if ctx.Session == nil {
			return types.DString("public"), nil
		}
		for _, s := range ctx.Session.SearchPath() {
			if s != "pg_catalog" && s != "$user" {
				return types.DString(s), nil
			}
		}
		return types.Null, nil
	}})
	addFunc("current_schemas", fn(params(types.Bool), types.ArrayOf(types.Name), func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		var elems []types.Datum
		if bool(a[0].(types.DBool)) {
			elems = append(elems, types.DString("pg_catalog"))
		}
		if ctx.Session != nil {
			for _, s := range ctx.Session.SearchPath() {
				if s != "pg_catalog" && s != "$user" {
					elems = append(elems, types.DString(s))
				}
			}
		}
		return &types.DArray{Elem: types.Name, Elems: elems}, nil
	}))
	// pg_sleep waits in the statement's context, so a cancel request or
	// statement_timeout ends it with 57014 as in PostgreSQL.
	addFunc("pg_sleep", &Overload{Params: params(types.Float8), Return: types.Void, Volatile: true, Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		secs := float64(a[0].(types.DFloat))
		if secs <= 0 || math.IsNaN(secs) {
			return types.Null, nil
		}
		t := time.NewTimer(time.Duration(secs * float64(time.Second)))
		defer t.Stop()
		select {
		case <-t.C:
			return types.Null, nil
		case <-ctx.Ctx.Done():
			return nil, canceledError(ctx.Ctx)
		}
	}})
	// pg_cancel_backend and pg_terminate_backend reach other sessions
	// through the session's server; PostgreSQL's pg_terminate_backend has a
	// timeout parameter defaulting to 0 (do not wait).
	signal := func(terminate bool) func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			var wait time.Duration
			if len(a) > 1 {
				ms := int64(a[1].(types.DInt))
				if ms < 0 {
					return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "\"timeout\" must not be negative")
				}
				wait = time.Duration(ms) * time.Millisecond
			}
			bs, ok := ctx.Session.(BackendSignaler)
			if !ok {
				return types.DBool(false), nil
			}
			done, err := bs.SignalBackend(ctx.Ctx, int32(a[0].(types.DInt)), terminate, wait)
			if err != nil {
				return nil, err
			}
			return types.DBool(done), nil
		}
	}
	addFunc("pg_cancel_backend", &Overload{Params: params(types.Int4), Return: types.Bool, Volatile: true, Fn: signal(false)})
	addFunc("pg_terminate_backend", &Overload{Params: params(types.Int4), Return: types.Bool, Volatile: true, Fn: signal(true)})
	addFunc("pg_terminate_backend", &Overload{Params: params(types.Int4, types.Int8), Return: types.Bool, Volatile: true, Fn: signal(true)})
	// txid_current is stable within a transaction, but a plan reused by
	// a later transaction must ask again, so it is never folded.
	addFunc("txid_current", &Overload{Return: types.Int8, Volatile: true, Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		ts, ok := ctx.Session.(TxnIDSession)
		if !ok {
			return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "txid_current is not supported in this context")
		}
		id, err := ts.CurrentTxnID(ctx.Ctx)
		if err != nil {
			return nil, err
		}
		return types.DInt(id), nil
	}})
	addFunc("pg_backend_pid", fn(nil, types.Int4, func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		if ctx.Session == nil {
			return types.DInt(0), nil
		}
		return types.DInt(ctx.Session.BackendPID()), nil
	}))
	setting := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		name := str(a[0])
		missingOK := len(a) > 1 && !types.IsNull(a[1]) && bool(a[1].(types.DBool))
		if ctx.Session != nil {
			if v, ok := ctx.Session.Setting(name); ok {
				return types.DString(v), nil
			}
		}
		if missingOK {
			return types.Null, nil
		}
		return nil, pgerror.New(pgerror.CodeUndefinedObject, "unrecognized configuration parameter \"%s\"", name)
	}
	addFunc("current_setting", fn(t1, types.Text, setting))
	addFunc("current_setting", fn(params(types.Text, types.Bool), types.Text, setting))
	addFunc("set_config", &Overload{Params: params(types.Text, types.Text, types.Bool), Return: types.Text, Volatile: true,
		Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			if ctx.Session == nil {
				return nil, errNoSession("set_config()")
			}
			if err := ctx.Session.SetSetting(str(a[0]), str(a[1]), bool(a[2].(types.DBool))); err != nil {
				return nil, err
			}
			if v, ok := ctx.Session.Setting(str(a[0])); ok {
				return types.DString(v), nil
			}
			return a[1], nil
		}})
	addFunc("nextval", &Overload{Params: t1, Return: types.Int8, Volatile: true, Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		if ctx.Session == nil {
			return nil, errNoSession("nextval()")
		}
		v, err := ctx.Session.NextVal(ctx.Ctx, str(a[0]))
		if err != nil {
			return nil, err
		}
		return types.DInt(v), nil
	}})
	addFunc("currval", &Overload{Params: t1, Return: types.Int8, Volatile: true, Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		if ctx.Session == nil {
			return nil, errNoSession("currval()")
		}
		v, err := ctx.Session.CurrVal(str(a[0]))
		if err != nil {
			return nil, err
		}
		return types.DInt(v), nil
	}})
	setval := func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		if ctx.Session == nil {
			return nil, errNoSession("setval()")
		}
		called := true
		if len(a) == 3 {
			called = bool(a[2].(types.DBool))
		}
		v, err := ctx.Session.SetVal(ctx.Ctx, str(a[0]), i64(a[1]), called)
		if err != nil {
			return nil, err
		}
		return types.DInt(v), nil
	}
	addFunc("setval", &Overload{Params: params(types.Text, types.Int8), Return: types.Int8, Volatile: true, Fn: setval})
	addFunc("setval", &Overload{Params: params(types.Text, types.Int8, types.Bool), Return: types.Int8, Volatile: true, Fn: setval})
	addFunc("pg_typeof", &Overload{Params: params(Any), Return: types.Regtype, NullCall: true, keepUnknown: true,
		Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			return nil, pgerror.New(pgerror.CodeInternal, "pg_typeof must be bound to its argument type")
		},
		Bind: func(argTypes []*types.T) func(ctx *EvalContext, args []types.Datum) (types.Datum, error) {
			oid := types.DOid(argTypes[0].OID())
			return func(ctx *EvalContext, args []types.Datum) (types.Datum, error) { return oid, nil }
		}})
	addFunc("gen_random_uuid", &Overload{Return: types.UUID, Volatile: true, Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
		return randomUUID()
	}})
}

// BackendSignaler is implemented by sessions that can reach the server's
// other sessions (pg_cancel_backend, pg_terminate_backend).
type BackendSignaler interface {
	// SignalBackend cancels the running statement of the session with
	// this PID, or ends the session; with terminate and a positive wait it
	// reports true only once the session is gone. An unknown PID is false
	// (the session warns the client, as PostgreSQL does).
	SignalBackend(ctx context.Context, pid int32, terminate bool, wait time.Duration) (bool, error)
}

// canceledError is PostgreSQL's error for a statement whose context
// ended: statement_timeout's deadline or a cancel request.
func canceledError(ctx context.Context) error {
	if ctx.Err() == context.DeadlineExceeded {
		return pgerror.New(pgerror.CodeQueryCanceled, "canceling statement due to statement timeout")
	}
	return pgerror.New(pgerror.CodeQueryCanceled, "canceling statement due to user request")
}
