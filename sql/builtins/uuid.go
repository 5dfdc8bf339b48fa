package builtins

import (
	"crypto/rand"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// randomUUID is a version 4 (random) UUID.
func randomUUID() (types.Datum, error) {
	var u types.DUUID
	if _, err := rand.Read(u[:]); err != nil {
		return nil, pgerror.Wrap(err, pgerror.CodeInternal, "could not generate random values")
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u, nil
}
