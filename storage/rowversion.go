package storage

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/types"
)

// Every row version Quiver writes carries what PostgreSQL's system
// columns show of it: the id of the transaction that wrote it (xmin), the
// id of a transaction holding it locked (xmax; only ON CONFLICT DO UPDATE
// records one) and a tuple number unique among the table's versions
// (ctid). They travel in the row value as the pseudo-column with ID 0,
// which no table column has: a reader that predates them skips it as a
// dropped column, and rows written before them have none (RowVersion's
// Stored is false).

// RowVersion is the system-column state of one stored row version.
type RowVersion struct {
	Stored bool  // the row carries a version record
	Xmin   int64 // the writing transaction's id (Txn.ID)
	Xmax   int64 // the locking transaction's id, 0 for none
	// Tuple numbers a table's versions from 1 in write order.
	Tuple int64
}

// tuplesPerBlock is how many tuple numbers one ctid block holds: 291,
// PostgreSQL's MaxHeapTuplesPerPage for 8 kB pages, so offsets stay in the
// range PostgreSQL's have and a fresh table's first rows are (0,1),
// (0,2), ... as there.
const tuplesPerBlock = 291

// Ctid is the tuple identifier PostgreSQL's ctid shows for the version:
// its tuple number as block and offset. Versions written before tuple
// numbers existed have (0,0), an offset no PostgreSQL tuple has.
func (v RowVersion) Ctid() types.DTid {
	if v.Tuple <= 0 {
		return types.DTid{}
	}
	n := v.Tuple - 1
	return types.DTid{Block: uint32(n / tuplesPerBlock), Offset: uint16(n%tuplesPerBlock) + 1}
}

// tupleBlockSize is how many tuple numbers a table's counter reserves per
// durable write: every row version takes one, so bulk loads would write
// the counter often with rowids' block size.
const tupleBlockSize = 1 << 16

func tupleCounterKey(id catalog.ID) []byte { return append(tablePrefix(id), 'c') }

// allocateTuple hands out a table's next tuple number.
func (e *Engine) allocateTuple(tableID catalog.ID) (int64, error) {
	return e.allocateTableCounter(e.tuples, tableID, tupleCounterKey(tableID), tupleBlockSize)
}

// newVersion is the version record of a row tb is about to get from this
// transaction; locked records the transaction as xmax too.
func (t *Txn) newVersion(ctx context.Context, tb *catalog.Table, locked bool) (RowVersion, error) {
	id, err := t.ID(ctx)
	if err != nil {
		return RowVersion{}, err
	}
	tuple, err := t.e.allocateTuple(tb.ID)
	if err != nil {
		return RowVersion{}, fmt.Errorf("allocate tuple number: %w", err)
	}
	v := RowVersion{Stored: true, Xmin: id, Tuple: tuple}
	if locked {
		v.Xmax = id
	}
	return v, nil
}

// appendVersion appends v as column 0 of a row value (nothing for a
// version that is not Stored).
func appendVersion(buf []byte, v RowVersion) []byte {
	if !v.Stored {
		return buf
	}
	var rec [3 * binary.MaxVarintLen64]byte
	p := binary.AppendUvarint(rec[:0], uint64(v.Xmin))
	p = binary.AppendUvarint(p, uint64(v.Tuple))
	p = binary.AppendUvarint(p, uint64(v.Xmax))
	buf = binary.AppendUvarint(buf, wireBytes) // tag: column 0, wireBytes
	buf = binary.AppendUvarint(buf, uint64(len(p)))
	return append(buf, p...)
}

// decodeVersion reads the version record of an encoded row value (a
// zero RowVersion when it has none).
func decodeVersion(b []byte) (RowVersion, error) {
	if len(b) == 0 || b[0] != rowFormatV1 {
		return RowVersion{}, errCorruptRow
	}
	b = b[1:]
	if len(b) == 0 || b[0] != wireBytes {
		return RowVersion{}, nil
	}
	l, n := binary.Uvarint(b[1:])
	if n <= 0 || uint64(len(b)-1-n) < l {
		return RowVersion{}, errCorruptRow
	}
	rec := b[1+n : 1+n+int(l)]
	var vals [3]uint64
	for i := range vals {
		v, n := binary.Uvarint(rec)
		if n <= 0 {
			return RowVersion{}, errCorruptRow
		}
		vals[i], rec = v, rec[n:]
	}
	return RowVersion{Stored: true, Xmin: int64(vals[0]), Tuple: int64(vals[1]), Xmax: int64(vals[2])}, nil
}

// RowVersion returns the system-column state of the version of the row
// with primary key values pk that the transaction sees (its own writes
// included); found is false when it sees no such row.
func (t *Txn) RowVersion(ctx context.Context, tb *catalog.Table, pk []types.Datum) (v RowVersion, found bool, err error) {
	if err := t.usable(); err != nil {
		return RowVersion{}, false, err
	}
	if err := ctx.Err(); err != nil {
		return RowVersion{}, false, canceled(err)
	}
	key, err := t.pkKeyOf(tb, pk)
	if err != nil {
		return RowVersion{}, false, err
	}
	val, err := t.getShared(key, true)
	if err != nil || val == nil {
		return RowVersion{}, false, err
	}
	if v, err = decodeVersion(val); err != nil {
		return RowVersion{}, false, fmt.Errorf("storage: table %q: %w", tb.Name, err)
	}
	return v, true, nil
}
