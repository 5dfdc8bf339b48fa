package builtins

import (
	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// Notifier is implemented by sessions that take part in LISTEN/NOTIFY
// (pg_notify, pg_listening_channels).
type Notifier interface {
	// Notify queues a notification that is delivered when the
	// transaction commits; it validates the channel and payload.
	Notify(channel, payload string) error
	// ListeningChannels lists the channels the session listens on, in the
	// order it started listening.
	ListeningChannels() []string
}

func registerNotify() {
	// pg_notify is not strict: PostgreSQL treats a NULL channel or payload
	// as empty (so a NULL channel is "channel name cannot be empty").
	addFunc("pg_notify", &Overload{Params: params(types.Text, types.Text), Return: types.Void, NullCall: true, Volatile: true,
		Fn: func(ctx *EvalContext, a []types.Datum) (types.Datum, error) {
			var channel, payload string
			if !types.IsNull(a[0]) {
				channel = str(a[0])
			}
			if !types.IsNull(a[1]) {
				payload = str(a[1])
			}
			n, ok := ctx.Session.(Notifier)
			if !ok {
				return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "NOTIFY is not supported in this context")
			}
			if err := n.Notify(channel, payload); err != nil {
				return nil, err
			}
			return types.Null, nil
		}})
	addSRF("pg_listening_channels", &SRFOverload{
		Columns: []Column{{Name: "pg_listening_channels", Type: types.Text}},
		Fn: func(ctx *EvalContext, _ []types.Datum) (func() ([]types.Datum, bool, error), error) {
			var chans []string
			if n, ok := ctx.Session.(Notifier); ok {
				chans = n.ListeningChannels()
			}
			i := 0
			return func() ([]types.Datum, bool, error) {
				if i >= len(chans) {
					return nil, true, nil
				}
				i++
				return []types.Datum{types.DString(chans[i-1])}, false, nil
			}, nil
		},
	})
}
