package storage

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// Runs written one after another, each overriding some keys of the ones
// before and deleting others, read back through spillIter forward and in
// reverse, from every kind of seek position and within prefixes, must give
// exactly what a map applying the runs in order holds.
func TestSpillIterMatchesModel(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(11, 12))
	type ent struct {
		val string
		del bool
	}
	model := map[string]ent{}
	var runs []*spillRun
	defer func() {
		for _, r := range runs {
			r.remove()
		}
	}()
	key := func() string { return fmt.Sprintf("%c/%04d", 'a'+rune(rng.IntN(3)), rng.IntN(3000)) }
	for r := range 5 {
		batch := map[string]ent{}
		for range 200 + rng.IntN(2000) {
			batch[key()] = ent{val: fmt.Sprintf("v%d-%d", r, rng.IntN(1000)), del: rng.IntN(5) == 0}
		}
		keys := slices.Sorted(maps.Keys(batch))
		s := &sortedWrites{keys: keys, vals: make([]wentry, len(keys))}
		for i, k := range keys {
			s.vals[i] = wentry{val: []byte(batch[k].val), del: batch[k].del}
		}
		skip := map[string]struct{}{keys[0]: {}} // a kept (unspilled) key
		delete(batch, keys[0])
		run, n, err := writeSpillRun(dir, s, skip)
		if err != nil {
			t.Fatal(err)
		}
		if n != len(keys)-1 {
			t.Fatalf("run %d: wrote %d entries, want %d", r, n, len(keys)-1)
		}
		runs = append(runs, run)
		maps.Copy(model, batch)
	}
	all := slices.Sorted(maps.Keys(model))
	walk := func(prefix, from string, reverse bool) []string {
		it := newSpillIter(runs, []byte(prefix), reverse)
		var out []string
		for it.seek([]byte(from)); it.valid(); it.next() {
			e := it.entry()
			out = append(out, fmt.Sprintf("%s=%s/%v", e.key, e.val, e.del))
		}
		if err := it.err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	want := func(prefix, from string, reverse bool) []string {
		var out []string
		for _, k := range all {
			if !strings.HasPrefix(k, prefix) || (!reverse && k < from) || (reverse && k > from) {
				continue
			}
			e := model[k]
			out = append(out, fmt.Sprintf("%s=%s/%v", k, e.val, e.del))
		}
		if reverse {
			slices.Reverse(out)
		}
		return out
	}
	for _, c := range []struct {
		prefix, from string
		reverse      bool
	}{
		{"", "", false}, {"", "\xff", true}, {"b/", "b/", false}, {"b/", "b/\xff", true},
		{"a/", "a/1500", false}, {"a/", "a/1500", true}, {"c/", "c/", false}, {"c/", "c/9999", true},
		{"b/0", "b/0", false}, {"", "a/0000", true}, {"z/", "z/", false}, {"", "c/2999x", false},
	} {
		if got, w := walk(c.prefix, c.from, c.reverse), want(c.prefix, c.from, c.reverse); !slices.Equal(got, w) {
			t.Fatalf("prefix %q from %q reverse %v: %d entries, want %d", c.prefix, c.from, c.reverse, len(got), len(w))
		}
	}
	// Point reads take the newest run holding the key.
	area := &spillArea{runs: runs}
	for _, k := range all[:200] {
		var got ent
		found := false
		for i := len(area.runs) - 1; i >= 0 && !found; i-- {
			if e, ok := area.runs[i].get([]byte(k)); ok {
				got, found = ent{val: string(e.val), del: e.del}, true
			}
		}
		if !found || got != model[k] {
			t.Fatalf("get %q: %v %v, want %v", k, got, found, model[k])
		}
	}
	if _, ok := runs[0].get([]byte("zzz")); ok {
		t.Fatal("get of a missing key found an entry")
	}
}
