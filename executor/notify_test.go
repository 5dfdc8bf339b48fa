package executor

import (
	"context"
	"fmt"
	"testing"
)

// TestNotifySessionEnd checks that closing a session or DISCARD ALL
// removes it from the broker, that a session with no connection reading
// its inbox still has it bounded, and that wake-ups reach the connection.
func TestNotifySessionEnd(t *testing.T) {
	a := newTestSession(t)
	b, err := a.eng.NewSession(context.Background(), SessionOptions{User: "postgres", Database: "postgres", BackendPID: 7})
	if err != nil {
		t.Fatal(err)
	}
	woken := 0
	a.SetNotifyWake(func() { woken++ })
	mustRun(t, a, "LISTEN one; LISTEN two")
	mustRun(t, b, "LISTEN one")
	listeners := func(ch string) int {
		a.eng.notify.mu.Lock()
		defer a.eng.notify.mu.Unlock()
		return len(a.eng.notify.listeners[notifyChannel{a.db.ID, ch}])
	}
	if listeners("one") != 2 || listeners("two") != 1 {
		t.Fatalf("listeners one=%d two=%d, want 2 and 1", listeners("one"), listeners("two"))
	}
	mustRun(t, b, "NOTIFY one, 'p'")
	notes, dropped := a.TakeNotifications()
	if len(notes) != 1 || notes[0] != (Notification{PID: 7, Channel: "one", Payload: "p"}) || dropped != 0 || woken != 1 {
		t.Fatalf("notifications %+v, dropped %d, woken %d; want one from pid 7, 0, 1", notes, dropped, woken)
	}
	b.Close()
	if listeners("one") != 1 {
		t.Fatalf("listeners of one after Close = %d, want 1", listeners("one"))
	}
	mustRun(t, a, "DISCARD ALL")
	if listeners("one") != 0 || listeners("two") != 0 || len(a.ListeningChannels()) != 0 {
		t.Fatalf("after DISCARD ALL: listeners one=%d two=%d, channels %v", listeners("one"), listeners("two"), a.ListeningChannels())
	}

	// Nobody reads a's inbox: it keeps what fits and counts the rest.
	a.eng.SetNotifyQueueBytes(2 * (len("q") + 3 + notifyOverhead))
	mustRun(t, a, "LISTEN q")
	for i := 0; i < 5; i++ {
		mustRun(t, a, fmt.Sprintf("NOTIFY q, 'p%02d'", i))
	}
	notes, dropped = a.TakeNotifications()
	if len(notes) != 2 || notes[1].Payload != "p01" || dropped != 3 {
		t.Fatalf("bounded inbox gave %+v and dropped %d, want p00 p01 and 3", notes, dropped)
	}
}

// TestNotifyStaysInDatabase checks that channels are per database, as in
// PostgreSQL: a NOTIFY in one database never reaches a listener connected to
// another, even on a channel of the same name.
func TestNotifyStaysInDatabase(t *testing.T) {
	a := newTestSession(t)
	mustRun(t, a, "CREATE DATABASE other")
	b, err := a.eng.NewSession(context.Background(), SessionOptions{User: "postgres", Database: "other", BackendPID: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	mustRun(t, a, "LISTEN ch")
	mustRun(t, b, "LISTEN ch")
	mustRun(t, b, "NOTIFY ch, 'from other'")
	if notes, _ := a.TakeNotifications(); len(notes) != 0 {
		t.Fatalf("listener in postgres got %+v from database other", notes)
	}
	notes, _ := b.TakeNotifications()
	if len(notes) != 1 || notes[0] != (Notification{PID: 8, Channel: "ch", Payload: "from other"}) {
		t.Fatalf("listener in other got %+v, want its own notification", notes)
	}
}
