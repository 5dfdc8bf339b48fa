package pgdialect

import (
	"os"
	"testing"
)

func TestScratch(t *testing.T) {
	q := os.Getenv("Q")
	if q == "" {
		t.Skip()
	}
	ps, err := Parse(q)
	if err != nil {
		t.Fatalf("%v %+v", err, err)
	}
	for _, p := range ps {
		t.Logf("%s", sexpr(p.Stmt))
	}
}
