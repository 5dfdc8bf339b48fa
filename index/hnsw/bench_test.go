package hnsw

import (
	"fmt"
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
	g := mustNew(b, Config{Dims: dims, Distance: vecmath.L2Squared, Seed: 42})
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

// BenchmarkSearch100kx128 is the in-process counterpart of bench/ann's
// default data set, to compare the graph alone with hnswlib's figures
// (11,600 QPS at recall 0.955, ef 40, on this kind of machine).
func BenchmarkSearch100kx128(b *testing.B) {
	g, mix := benchGraph(b, 100000, 128)
	queries := mix.draw(rand.New(rand.NewPCG(7, 8)), 200)
	for _, ef := range []int{20, 40} {
		b.Run(fmt.Sprintf("ef%d", ef), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := g.Search(queries[i%len(queries)], 10, ef, nil, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
