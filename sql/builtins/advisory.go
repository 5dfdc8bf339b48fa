package builtins

import (
	"context"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// AdvisoryKey names an advisory lock as pg_locks shows it. A bigint key
// and a pair of integers are separate key spaces, told apart by ObjSubID
// (1 and 2), as in PostgreSQL.
type AdvisoryKey struct {
	ClassID, ObjID uint32
	ObjSubID       uint16
}

// AdvisoryLockRequest is one call of a pg_*advisory*lock function.
type AdvisoryLockRequest struct {
	Key    AdvisoryKey
	Shared bool
	// Xact: held until the transaction ends, not until unlocked.
	Xact bool
	// Try: give up (false) at once rather than wait.
	Try bool
}

// AdvisoryLocker is implemented by sessions that take advisory locks.
type AdvisoryLocker interface {
	// AdvisoryLock takes a lock, waiting in ctx unless the request is a
	// try; granted is false only for a try that found the lock taken.
	AdvisoryLock(ctx context.Context, r AdvisoryLockRequest) (granted bool, err error)
	// AdvisoryUnlock releases one session-level hold of the key in that
	// mode; false (with a warning) when the session holds none.
	AdvisoryUnlock(key AdvisoryKey, shared bool) bool
	// AdvisoryUnlockAll releases every session-level advisory lock.
	AdvisoryUnlockAll()
}

func advisoryLocker(ctx *EvalContext) (AdvisoryLocker, error) {
	if l, ok := ctx.Session.(AdvisoryLocker); ok {
		return l, nil
	}
	return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "advisory locks are not supported in this context")
}

// advisoryKeyOf reads a bigint key (one argument) or a pair of integers.
func advisoryKeyOf(a []types.Datum) AdvisoryKey {
	if len(a) == 1 {
		k := uint64(a[0].(types.DInt))
		return AdvisoryKey{ClassID: uint32(k >> 32), ObjID: uint32(k), ObjSubID: 1}
	}
	return AdvisoryKey{ClassID: uint32(int32(a[0].(types.DInt))), ObjID: uint32(int32(a[1].(types.DInt))), ObjSubID: 2}
}

func registerAdvisory() {
	keyForms := [][]*types.T{params(types.Int8), params(types.Int4, types.Int4)}
	for _, f := range []struct {
		name              string
		shared, xact, try bool
	}{
		{"pg_advisory_lock", false, false, false},
		{"pg_advisory_lock_shared", true, false, false},
		{"pg_try_advisory_lock", false, false, true},
		{"pg_try_advisory_lock_shared", true, false, true},
		{"pg_advisory_xact_lock", false, true, false},
		{"pg_advisory_xact_lock_shared", true, true, false},
		{"pg_try_advisory_xact_lock", false, true, true},
		{"pg_try_advisory_xact_lock_shared", true, true, true},
	} {
		ret := types.Void
		if f.try {
			ret = types.Bool
		}
		for _, ps := range keyForms {
			addFunc(f.name, &Overload{Params: ps, Return: ret, Volatile: true, Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
				l, err := advisoryLocker(ctx)
				if err != nil {
					return nil, err
				}
				ok, err := l.AdvisoryLock(ctx.Ctx, AdvisoryLockRequest{Key: advisoryKeyOf(a), Shared: f.shared, Xact: f.xact, Try: f.try})
				if err != nil {
					return nil, err
				}
				if !f.try {
					return types.Null, nil
				}
				return types.DBool(ok), nil
			}})
		}
	}
	for _, f := range []struct {
		name   string
		shared bool
	}{{"pg_advisory_unlock", false}, {"pg_advisory_unlock_shared", true}} {
		for _, ps := range keyForms {
			addFunc(f.name, &Overload{Params: ps, Return: types.Bool, Volatile: true, Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
				l, err := advisoryLocker(ctx)
				if err != nil {
					return nil, err
				}
				return types.DBool(l.AdvisoryUnlock(advisoryKeyOf(a), f.shared)), nil
			}})
		}
	}
	addFunc("pg_advisory_unlock_all", &Overload{Return: types.Void, Volatile: true, Fn: func(ctx *EvalContext, _ []types.Datum) (types.Datum, error) {
		l, err := advisoryLocker(ctx)
		if err != nil {
			return nil, err
		}
		l.AdvisoryUnlockAll()
		return types.Null, nil
	}})
}
