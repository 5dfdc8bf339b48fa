package storage

import (
	"context"
	"encoding/binary"
	"errors"
	"math"

	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
)

// Sequence values live under /q/<id> as last value (8 bytes) and is_called
// (1 byte), written outside transactions: like PostgreSQL's nextval, a value
// once handed out is never handed out again, even if the caller rolls back.

// loadSeqLocked returns the cached state of seq, reading it on first use.
func (e *Engine) loadSeqLocked(seq *catalog.Sequence) (*seqState, error) {
	if s := e.seqs[seq.ID]; s != nil {
		return s, nil
	}
	s := &seqState{last: seq.Start}
	v, err := e.readLatest(seqStateKey(seq.ID))
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return nil, err
	case len(v) != 9:
		return nil, errors.New("storage: corrupt sequence state")
	default:
		s.last = int64(binary.BigEndian.Uint64(v))
		s.isCalled = v[8] != 0
	}
	e.seqs[seq.ID] = s
	return s, nil
}

func (e *Engine) storeSeqLocked(seq *catalog.Sequence, last int64, isCalled bool) error {
	v := binary.BigEndian.AppendUint64(nil, uint64(last))
	if isCalled {
		v = append(v, 1)
	} else {
		v = append(v, 0)
	}
	if err := e.writeInternal(map[string][]byte{string(seqStateKey(seq.ID)): v}); err != nil {
		return err
	}
	s := e.seqs[seq.ID]
	s.last, s.isCalled = last, isCalled
	return nil
}

// seqBounds returns the effective bounds (0 in the descriptor means the
// default for the increment's direction).
func seqBounds(seq *catalog.Sequence) (lo, hi int64) {
	lo, hi = seq.Min, seq.Max
	if lo == 0 && hi == 0 {
		if seq.Increment < 0 {
			return math.MinInt64, -1
		}
		return 1, math.MaxInt64
	}
	return lo, hi
}

// NextVal advances a sequence outside any transaction (as PostgreSQL's
// nextval), durably; 2200H when the sequence is exhausted.
func (e *Engine) NextVal(ctx context.Context, seq *catalog.Sequence) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, canceled(err)
	}
	e.seqMu.Lock()
	defer e.seqMu.Unlock()
	s, err := e.loadSeqLocked(seq)
	if err != nil {
		return 0, err
	}
	inc := seq.Increment
	if inc == 0 {
		inc = 1
	}
	lo, hi := seqBounds(seq)
	v := s.last
	if s.isCalled {
		next := v + inc
		overflow := (inc > 0 && next < v) || (inc < 0 && next > v)
		switch {
		case inc > 0 && (overflow || next > hi):
			if !seq.Cycle {
				return 0, pgerror.New("2200H", "nextval: reached maximum value of sequence \"%s\" (%d)", seq.Name, hi)
			}
			next = lo
		case inc < 0 && (overflow || next < lo):
			if !seq.Cycle {
				return 0, pgerror.New("2200H", "nextval: reached minimum value of sequence \"%s\" (%d)", seq.Name, lo)
			}
			next = hi
		}
		v = next
	}
	if err := e.storeSeqLocked(seq, v, true); err != nil {
		return 0, err
	}
	return v, nil
}

// SetVal sets a sequence's value; isCalled false means the next NextVal
// returns v itself.
func (e *Engine) SetVal(ctx context.Context, seq *catalog.Sequence, v int64, isCalled bool) error {
	if err := ctx.Err(); err != nil {
		return canceled(err)
	}
	lo, hi := seqBounds(seq)
	if v < lo || v > hi {
		return pgerror.New(pgerror.CodeNumericValueOutOfRange,
			"setval: value %d is out of bounds for sequence \"%s\" (%d..%d)", v, seq.Name, lo, hi)
	}
	e.seqMu.Lock()
	defer e.seqMu.Unlock()
	if _, err := e.loadSeqLocked(seq); err != nil {
		return err
	}
	return e.storeSeqLocked(seq, v, isCalled)
}

// SequenceState returns a sequence's last value and whether it was called.
func (e *Engine) SequenceState(seq *catalog.Sequence) (last int64, isCalled bool, err error) {
	e.seqMu.Lock()
	defer e.seqMu.Unlock()
	s, err := e.loadSeqLocked(seq)
	if err != nil {
		return 0, false, err
	}
	return s.last, s.isCalled, nil
}
