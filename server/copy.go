package server

import (
	"context"
	"io"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/quiverdb/quiver/executor"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
)

// copyInReader yields the payload of the client's CopyData messages until
// CopyDone (EOF) or CopyFail (an error), as COPY FROM STDIN reads them.
type copyInReader struct {
	c    *conn
	buf  []byte
	done bool
	err  error
}

func (r *copyInReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.done {
			return 0, io.EOF
		}
		if r.err != nil {
			return 0, r.err
		}
		msg, err := r.c.be.Receive()
		if err != nil {
			r.err = err
			r.c.copyBroken = true
			return 0, err
		}
		switch m := msg.(type) {
		case *pgproto3.CopyData:
			// pgproto3 reuses the message buffer on the next Receive.
			r.buf = append(r.buf[:0], m.Data...)
		case *pgproto3.CopyDone:
			r.done = true
		case *pgproto3.CopyFail:
			r.err = pgerror.New(pgerror.CodeQueryCanceled, "COPY from stdin failed: %s", m.Message)
		case *pgproto3.Flush, *pgproto3.Sync:
			// PostgreSQL ignores these during COPY IN.
		default:
			r.err = pgerror.New(pgerror.CodeProtocolViolation, "unexpected message type 0x%02X during COPY from stdin", messageType(msg))
		}
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

func messageType(msg pgproto3.FrontendMessage) byte {
	b, err := msg.Encode(nil)
	if err != nil || len(b) == 0 {
		return 0
	}
	return b[0]
}

// runCopy runs a COPY statement of a simple query.
func (c *conn) runCopy(ctx context.Context, st parsedStmt, n *tree.Copy, writeErr *error) error {
	cs, ok := c.sess.(copySession)
	if !ok {
		return pgerror.New(pgerror.CodeFeatureNotSupported, "COPY is not supported yet")
	}
	prep, err := c.sess.Prepare(ctx, st, nil)
	if err != nil {
		return err
	}
	return c.copyPrepared(ctx, cs, prep, n, writeErr)
}

// copyPrepared drives the COPY sub-protocol for a prepared COPY, from a
// simple query or a portal's Execute.
func (c *conn) copyPrepared(ctx context.Context, cs copySession, prep *executor.Prepared, n *tree.Copy, writeErr *error) error {
	var err error
	formats := func(cols int, binary bool) (int16, []uint16) {
		f := uint16(0)
		if binary {
			f = 1
		}
		codes := make([]uint16, cols)
		for i := range codes {
			codes[i] = f
		}
		return int16(f), codes
	}
	var tag string
	if n.From {
		src := &copyInReader{c: c}
		tag, err = cs.CopyIn(ctx, prep, func(cols int, binary bool) error {
			overall, codes := formats(cols, binary)
			c.be.Send(&pgproto3.CopyInResponse{OverallFormat: byte(overall), ColumnFormatCodes: codes})
			if err := c.flush(); err != nil {
				*writeErr = err
				return err
			}
			return nil
		}, src)
		// A COPY that failed before the client finished answers at once,
		// as PostgreSQL does; the loop ignores the rest of the client's
		// CopyData, CopyDone and CopyFail.
		if c.copyBroken {
			*writeErr = src.err
			return nil
		}
	} else {
		tag, err = cs.CopyOut(ctx, prep, func(cols int, binary bool) error {
			overall, codes := formats(cols, binary)
			if *writeErr = c.send(&pgproto3.CopyOutResponse{OverallFormat: byte(overall), ColumnFormatCodes: codes}, 16+2*cols); *writeErr != nil {
				return *writeErr
			}
			return nil
		}, func(b []byte) error {
			if *writeErr = c.send(&pgproto3.CopyData{Data: b}, len(b)+5); *writeErr != nil {
				return *writeErr
			}
			return nil
		})
		if err == nil {
			if *writeErr = c.send(&pgproto3.CopyDone{}, 5); *writeErr != nil {
				return nil
			}
		}
	}
	if *writeErr != nil {
		return nil
	}
	if err != nil {
		return err
	}
	c.sendNotices()
	*writeErr = c.send(&pgproto3.CommandComplete{CommandTag: []byte(tag)}, 32)
	return nil
}

var _ copySession = (*executor.Session)(nil)
