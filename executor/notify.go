package executor

import (
	"sync"

	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/tree"
)

// Notification is one NOTIFY as a listening session receives it.
type Notification struct {
	// PID is the notifying session's backend PID.
	PID     int32
	Channel string
	Payload string
}

// Limits PostgreSQL 15 applies to NOTIFY (async.c): a channel is a name
// (NAMEDATALEN-1 bytes), a payload shorter than BLCKSZ-NAMEDATALEN-128.
const (
	maxChannelLen = 63
	maxPayloadLen = 8000
)

// DefaultNotifyQueueBytes bounds the notifications waiting for one session.
// PostgreSQL shares one 8 GB queue and makes NOTIFY fail once a stalled
// listener fills it; here each listener has its own bound and a listener
// that falls behind loses the notifications that do not fit (it is told
// how many with a warning), so a slow client never blocks notifiers.
const DefaultNotifyQueueBytes = 16 << 20

// notifyOverhead is what one queued notification costs beyond its
// strings, for the queue bound.
const notifyOverhead = 48

// notifyBroker routes committed notifications to the sessions listening on
// their channels; the Engine owns one (its zero value is ready to use).
type notifyBroker struct {
	mu sync.Mutex
	// listeners maps a channel to the inboxes of the sessions listening.
	// Channels are per database, as in PostgreSQL: a NOTIFY reaches only
	// listeners connected to the notifier's database.
	listeners map[notifyChannel]map[*notifyInbox]struct{}
	// queueBytes overrides DefaultNotifyQueueBytes when positive.
	queueBytes int
}

// SetNotifyQueueBytes sets how many bytes of notifications may wait for one
// session before further ones are dropped for it (DefaultNotifyQueueBytes
// when n <= 0).
func (e *Engine) SetNotifyQueueBytes(n int) {
	e.notify.mu.Lock()
	e.notify.queueBytes = n
	e.notify.mu.Unlock()
}

// notifyChannel names a channel within one database.
type notifyChannel struct {
	db   catalog.ID
	name string
}

func (b *notifyBroker) listen(channel notifyChannel, in *notifyInbox) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.listeners == nil {
		b.listeners = map[notifyChannel]map[*notifyInbox]struct{}{}
	}
	set := b.listeners[channel]
	if set == nil {
		set = map[*notifyInbox]struct{}{}
		b.listeners[channel] = set
	}
	set[in] = struct{}{}
}

func (b *notifyBroker) unlisten(channel notifyChannel, in *notifyInbox) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if set := b.listeners[channel]; set != nil {
		delete(set, in)
		if len(set) == 0 {
			delete(b.listeners, channel)
		}
	}
}

// deliver queues notes for every listener of their channels, in order, and
// wakes the listeners. It never waits for a listener.
func (b *notifyBroker) deliver(db catalog.ID, notes []Notification) {
	limit := DefaultNotifyQueueBytes
	woken := map[*notifyInbox]struct{}{}
	b.mu.Lock()
	if b.queueBytes > 0 {
		limit = b.queueBytes
	}
	for _, n := range notes {
		for in := range b.listeners[notifyChannel{db, n.Channel}] {
			in.push(n, limit)
			woken[in] = struct{}{}
		}
	}
	b.mu.Unlock()
	for in := range woken {
		in.wakeUp()
	}
}

// notifyInbox holds the notifications committed for one session until its
// connection sends them. It is shared between the session, the broker and
// the connection's writer, hence its own lock.
type notifyInbox struct {
	mu      sync.Mutex
	queue   []Notification
	bytes   int
	dropped int64
	wake    func()
}

func (in *notifyInbox) push(n Notification, limit int) {
	size := len(n.Channel) + len(n.Payload) + notifyOverhead
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.bytes+size > limit {
		in.dropped++
		return
	}
	in.queue = append(in.queue, n)
	in.bytes += size
}

func (in *notifyInbox) wakeUp() {
	in.mu.Lock()
	wake := in.wake
	in.mu.Unlock()
	if wake != nil {
		wake()
	}
}

// listenAction is a LISTEN or UNLISTEN waiting for its transaction's commit.
type listenAction struct {
	listen  bool
	channel string // "*" with listen false: UNLISTEN *
}

// sessionNotify is a session's LISTEN/NOTIFY state.
type sessionNotify struct {
	inbox *notifyInbox
	// channels are the channels listened on (committed), in LISTEN order.
	channels []string
	// The open transaction's NOTIFYs and LISTEN/UNLISTENs, applied at
	// commit and dropped at rollback.
	pending []Notification
	actions []listenAction
}

// notifyMark is the position a savepoint restores the pending lists to.
type notifyMark struct{ pending, actions int }

func (s *Session) notifyMark() notifyMark {
	return notifyMark{len(s.notify.pending), len(s.notify.actions)}
}

// notifyRollbackTo forgets the NOTIFYs and LISTENs made after a savepoint
// that is rolled back to.
func (s *Session) notifyRollbackTo(m notifyMark) {
	if m.pending <= len(s.notify.pending) {
		s.notify.pending = s.notify.pending[:m.pending]
	}
	if m.actions <= len(s.notify.actions) {
		s.notify.actions = s.notify.actions[:m.actions]
	}
}

func (s *Session) inbox() *notifyInbox {
	if s.notify.inbox == nil {
		s.notify.inbox = &notifyInbox{}
	}
	return s.notify.inbox
}

// SetNotifyWake registers the function called (from any goroutine, without
// blocking) when notifications arrive for the session.
func (s *Session) SetNotifyWake(wake func()) {
	in := s.inbox()
	in.mu.Lock()
	in.wake = wake
	in.mu.Unlock()
}

// TakeNotifications returns and clears the notifications waiting for the
// session, and how many were dropped because its queue was full. It may be
// called from another goroutine than the session's.
func (s *Session) TakeNotifications() ([]Notification, int64) {
	in := s.notify.inbox
	if in == nil {
		return nil, 0
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	notes, dropped := in.queue, in.dropped
	in.queue, in.bytes, in.dropped = nil, 0, 0
	return notes, dropped
}

// ListeningChannels lists the channels the session listens on.
func (s *Session) ListeningChannels() []string {
	return append([]string(nil), s.notify.channels...)
}

// Notify queues a notification for the end of the transaction
// (pg_notify and NOTIFY).
func (s *Session) Notify(channel, payload string) error {
	switch {
	case channel == "":
		return pgerror.New(pgerror.CodeInvalidParameterValue, "channel name cannot be empty")
	case len(channel) > maxChannelLen:
		return pgerror.New(pgerror.CodeInvalidParameterValue, "channel name too long")
	case len(payload) >= maxPayloadLen:
		return pgerror.New(pgerror.CodeInvalidParameterValue, "payload string too long")
	}
	s.notify.pending = append(s.notify.pending, Notification{PID: s.pid, Channel: channel, Payload: payload})
	return nil
}

// execNotifyStmt runs LISTEN, UNLISTEN and NOTIFY: their effect waits for
// the transaction's commit, which is at once outside a transaction.
func (s *Session) execNotifyStmt(stmt tree.Statement) (Result, error) {
	var tag string
	switch n := stmt.(type) {
	case *tree.Listen:
		tag = "LISTEN"
		s.notify.actions = append(s.notify.actions, listenAction{listen: true, channel: n.Channel})
	case *tree.Unlisten:
		tag = "UNLISTEN"
		s.notify.actions = append(s.notify.actions, listenAction{channel: n.Channel})
	case *tree.Notify:
		tag = "NOTIFY"
		if err := s.Notify(n.Channel, n.Payload); err != nil {
			return nil, err
		}
	}
	if s.txn == nil {
		s.notifyCommitted()
	}
	return doneResult(tag), nil
}

// notifyCommitted applies the committed transaction's LISTEN/UNLISTENs and
// then sends its NOTIFYs (so a session hears what its own transaction
// notified on a channel it started listening to), folding duplicates.
func (s *Session) notifyCommitted() {
	actions, pending := s.notify.actions, s.notify.pending
	s.notify.actions, s.notify.pending = nil, nil
	for _, a := range actions {
		switch {
		case a.listen:
			s.listenChannel(a.channel)
		case a.channel == "*":
			s.unlistenAll()
		default:
			s.unlistenChannel(a.channel)
		}
	}
	if len(pending) == 0 {
		return
	}
	type key struct{ channel, payload string }
	seen := make(map[key]struct{}, len(pending))
	notes := pending[:0:0]
	for _, n := range pending {
		k := key{n.Channel, n.Payload}
		if _, dup := seen[k]; dup {
			continue
		}
		seen[k] = struct{}{}
		notes = append(notes, n)
	}
	s.eng.notify.deliver(s.db.ID, notes)
}

// notifyAborted drops the rolled-back transaction's NOTIFYs and
// LISTEN/UNLISTENs.
func (s *Session) notifyAborted() {
	s.notify.actions, s.notify.pending = nil, nil
}

func (s *Session) listenChannel(channel string) {
	for _, c := range s.notify.channels {
		if c == channel {
			return
		}
	}
	s.notify.channels = append(s.notify.channels, channel)
	s.eng.notify.listen(notifyChannel{s.db.ID, channel}, s.inbox())
}

func (s *Session) unlistenChannel(channel string) {
	for i, c := range s.notify.channels {
		if c == channel {
			s.notify.channels = append(s.notify.channels[:i], s.notify.channels[i+1:]...)
			s.eng.notify.unlisten(notifyChannel{s.db.ID, channel}, s.notify.inbox)
			return
		}
	}
}

// unlistenAll stops listening on every channel (UNLISTEN *, DISCARD ALL,
// session end).
func (s *Session) unlistenAll() {
	for _, c := range s.notify.channels {
		s.eng.notify.unlisten(notifyChannel{s.db.ID, c}, s.notify.inbox)
	}
	s.notify.channels = nil
}
