package logictest

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// TestBitPgx round-trips bit strings through pgx's pgtype.Bits, which
// sends and reads bit and varbit in the binary format (bit_send and
// bit_recv: an int32 length, then the packed bytes) with the extended
// protocol and in the text format with the simple one; distances to a
// parameter and exact search over the column use the same values.
func TestBitPgx(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn := freshPgx(ctx, t, "bit_pgx")
	for _, q := range []string{
		"CREATE EXTENSION IF NOT EXISTS vector",
		"CREATE TABLE items (id int PRIMARY KEY, b bit(11), v varbit, a varbit[])",
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	cases := []pgtype.Bits{
		{Bytes: []byte{0xA5, 0xE0}, Len: 11, Valid: true},
		{Bytes: []byte{0x00, 0x20}, Len: 11, Valid: true},
		{Bytes: []byte{0xFF, 0xE0}, Len: 11, Valid: true},
	}
	id := 0
	for _, m := range pgxModes() {
		t.Run(m.name, func(t *testing.T) {
			for k, want := range cases {
				id++
				// The first 7 bits, for the varbit column.
				v := pgtype.Bits{Bytes: []byte{want.Bytes[0] &^ 1}, Len: 7, Valid: true}
				arr := []pgtype.Bits{want, {Bytes: []byte{}, Len: 0, Valid: true}}
				if _, err := conn.Exec(ctx, "INSERT INTO items VALUES ($1, $2, $3, $4)", m.mode, id, want, v, arr); err != nil {
					t.Fatalf("insert %v: %v", want, err)
				}
				var gotB, gotV pgtype.Bits
				var gotA []pgtype.Bits
				if err := conn.QueryRow(ctx, "SELECT b, v, a FROM items WHERE id = $1", m.mode, id).Scan(&gotB, &gotV, &gotA); err != nil {
					t.Fatalf("select %v: %v", want, err)
				}
				if !sameBitString(gotB, want) || !sameBitString(gotV, v) {
					t.Errorf("round trip of %v, %v gave %v, %v", want, v, gotB, gotV)
				}
				if len(gotA) != 2 || !sameBitString(gotA[0], want) || gotA[1].Len != 0 {
					t.Errorf("round trip of varbit[] %v gave %v", arr, gotA)
				}
				var dist float64
				var nearest int
				if err := conn.QueryRow(ctx, "SELECT b <~> $1, id FROM items ORDER BY b <~> $1, id LIMIT 1", m.mode, want).Scan(&dist, &nearest); err != nil {
					t.Fatalf("nearest to %v: %v", want, err)
				}
				// The binary mode's row of the same case comes first.
				if dist != 0 || nearest != k+1 {
					t.Errorf("nearest to %v: id %d at %v, want id %d at 0", want, nearest, dist, k+1)
				}
				var text string
				if err := conn.QueryRow(ctx, "SELECT b::text FROM items WHERE id = $1", m.mode, id).Scan(&text); err != nil {
					t.Fatal(err)
				}
				if len(text) != 11 || strings.Trim(text, "01") != "" {
					t.Errorf("text of %v is %q", want, text)
				}
			}
		})
	}
	t.Run("padding", func(t *testing.T) {
		// bit_recv clears bits past the length that a client left set.
		var got pgtype.Bits
		stray := pgtype.Bits{Bytes: []byte{0xFF, 0xFF}, Len: 11, Valid: true}
		if err := conn.QueryRow(ctx, "SELECT $1::bit(11)", stray).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if !sameBitString(got, cases[2]) {
			t.Errorf("11 bits sent as ffff came back as %x", got.Bytes)
		}
	})
	t.Run("parameter modifiers", func(t *testing.T) {
		// A parameter has its type without modifiers; the cast applies
		// them, explicitly: $1::bit(3) pads or truncates.
		for _, c := range []struct{ sql, arg, want string }{
			{"SELECT $1::bit(3)::text", "0101", "010"},
			{"SELECT $1::bit(3)::text", "01", "010"},
			{"SELECT $1::varbit(2)::text", "101", "10"},
			{"SELECT $1::varchar(2)", "abc", "ab"},
			{"SELECT (B'101' || $1)::text", "01", "10101"},
		} {
			var got string
			if err := conn.QueryRow(ctx, c.sql, pgx.QueryExecModeExec, c.arg).Scan(&got); err != nil || got != c.want {
				t.Errorf("%s with %q = %q, %v; want %q", c.sql, c.arg, got, err, c.want)
			}
		}
	})
	t.Run("wrong length", func(t *testing.T) {
		_, err := conn.Exec(ctx, "INSERT INTO items (id, b) VALUES (100, $1)", pgtype.Bits{Bytes: []byte{0xC0}, Len: 2, Valid: true})
		if err == nil || !strings.Contains(err.Error(), "bit string length 2 does not match type bit(11)") || !strings.Contains(err.Error(), "22026") {
			t.Errorf("inserting 2 bits into bit(11): err = %v", err)
		}
	})
}

func sameBitString(a, b pgtype.Bits) bool {
	return a.Valid == b.Valid && a.Len == b.Len && bytes.Equal(a.Bytes, b.Bytes)
}
