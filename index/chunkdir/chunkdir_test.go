package chunkdir

import (
	"errors"
	"sync"
	"testing"
)

func TestLoadOrStoreGrows(t *testing.T) {
	var d Dir[int]
	if d.Load(0) != nil || d.Load(1000) != nil {
		t.Fatal("an empty directory holds chunks")
	}
	boom := errors.New("no memory")
	if _, err := d.LoadOrStore(3, func() (*int, error) { return nil, boom }); err != boom {
		t.Fatalf("a failed chunk gave %v", err)
	}
	if d.Load(3) != nil {
		t.Fatal("a failed chunk was stored")
	}
	var made [100]int
	for _, i := range []int{0, 7, 8, 40, 99, 3} {
		made[i] = i + 1
		c, err := d.LoadOrStore(i, func() (*int, error) { return &made[i], nil })
		if err != nil || c != &made[i] {
			t.Fatalf("chunk %d: %v, %v", i, c, err)
		}
	}
	for _, i := range []int{0, 7, 8, 40, 99, 3} {
		again, err := d.LoadOrStore(i, func() (*int, error) { t.Fatalf("chunk %d made twice", i); return nil, nil })
		if err != nil || again != &made[i] || d.Load(i) != &made[i] {
			t.Fatalf("chunk %d lost after the directory grew", i)
		}
	}
	if d.Load(1) != nil || d.Load(127) != nil || d.Load(128) != nil {
		t.Fatal("chunks never stored are found")
	}
}

// TestConcurrentReaders stores chunks in order while readers check that
// every chunk below the published count is found (run with -race).
func TestConcurrentReaders(t *testing.T) {
	var d Dir[int]
	var published sync.WaitGroup
	const n = 2000
	count := make(chan int, n)
	vals := make([]int, n)
	published.Add(1)
	go func() {
		defer published.Done()
		for i := range n {
			vals[i] = i
			if _, err := d.LoadOrStore(i, func() (*int, error) { return &vals[i], nil }); err != nil {
				t.Error(err)
				return
			}
			count <- i
		}
		close(count)
	}()
	for i := range count {
		if c := d.Load(i); c == nil || *c != i {
			t.Fatalf("chunk %d published but loads as %v", i, c)
		}
	}
	published.Wait()
}
