package hnsw

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/quiverdb/quiver/index/vecmath"
)

// benchGraph builds n x dims clustered vectors with 2 inserting goroutines
// and the SIMD L2 kernel, as CREATE INDEX would.
func benchGraph(b *testing.B, n, dims int) (*Graph, mixture) {
	rng := rand.New(rand.NewPCG(1, 2))
	mix := newMixture(rng, dims, 100)
	data := mix.draw(rng, n)
	g := New(Config{Dims: dims, Distance: vecmath.L2Squared, Seed: 42})
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for j := w; j < len(data); j += 2 {
				if _, err := g.Insert(uint64(j), data[j]); err != nil {
					b.Error(err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	return g, mix
}

func BenchmarkBuild20kx128(b *testing.B) {
	for i := 0; i < b.N; i++ {
		benchGraph(b, 20000, 128)
	}
}

func BenchmarkSearch20kx128(b *testing.B) {
	g, mix := benchGraph(b, 20000, 128)
	queries := mix.draw(rand.New(rand.NewPCG(7, 8)), 200)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := g.Search(queries[i%len(queries)], 10, 40, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}
