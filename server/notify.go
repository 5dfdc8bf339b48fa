package server

import (
	"fmt"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/quiverdb/quiver/executor"
	"github.com/quiverdb/quiver/sql/pgerror"
)

// notifySession is implemented by sessions that take part in
// LISTEN/NOTIFY: committed notifications wait in the session's inbox until
// the connection sends them.
type notifySession interface {
	// SetNotifyWake registers a function called, from any goroutine and
	// without blocking, when notifications arrive.
	SetNotifyWake(wake func())
	// TakeNotifications returns the waiting notifications and how many
	// were dropped because the session's queue was full.
	TakeNotifications() ([]executor.Notification, int64)
}

// startNotifier starts the goroutine that sends notifications to a client
// idle outside a transaction (PostgreSQL sends them then, and never inside
// a statement's results). The returned func stops it.
func (c *conn) startNotifier() func() {
	ns, ok := c.sess.(notifySession)
	if !ok {
		return func() {}
	}
	wake := make(chan struct{}, 1)
	done := make(chan struct{})
	ns.SetNotifyWake(func() {
		select {
		case wake <- struct{}{}:
		default: // a wake-up is already pending
		}
	})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-wake:
			}
			c.notifyMu.Lock()
			if c.notifyIdle {
				if c.sendNotifications(ns) {
					if err := c.be.Flush(); err != nil {
						// The read side will see the connection fail too.
						c.log.Debug("sending notifications", "err", err)
						c.notifyIdle = false
					}
				}
			}
			c.notifyMu.Unlock()
		}
	}()
	return func() {
		close(done)
		ns.SetNotifyWake(nil)
	}
}

// sendNotifications queues the session's waiting notifications (after a
// warning when some were dropped) and reports whether there were any.
// The caller holds notifyMu and flushes.
func (c *conn) sendNotifications(ns notifySession) bool {
	notes, dropped := ns.TakeNotifications()
	if dropped > 0 {
		w := pgerror.New(pgerror.CodeWarning, "%d notifications for this session were dropped because its notification queue was full", dropped)
		w.Severity = "WARNING"
		w.Hint = "The client is not reading notifications as fast as they are sent."
		c.be.Send(noticeResponse(w))
	}
	for _, n := range notes {
		c.be.Send(&pgproto3.NotificationResponse{PID: uint32(n.PID), Channel: n.Channel, Payload: n.Payload})
	}
	return dropped > 0 || len(notes) > 0
}

// sendReady sends ReadyForQuery, preceded, outside a transaction, by the
// notifications waiting, and marks the connection idle for the notifier
// until the next message arrives (notifyBusy).
func (c *conn) sendReady(status byte) error {
	c.notifyMu.Lock()
	defer c.notifyMu.Unlock()
	ns, listens := c.sess.(notifySession)
	if listens && status == 'I' {
		c.sendNotifications(ns)
	}
	c.be.Send(&pgproto3.ReadyForQuery{TxStatus: status})
	if err := c.flush(); err != nil {
		c.notifyIdle = false
		return fmt.Errorf("sending ReadyForQuery: %w", err)
	}
	c.notifyIdle = status == 'I'
	return nil
}

// notifyBusy ends the idle period sendReady began: from now on the
// connection's goroutine writes, and notifications wait for the next
// ReadyForQuery.
func (c *conn) notifyBusy() {
	c.notifyMu.Lock()
	c.notifyIdle = false
	c.notifyMu.Unlock()
}
