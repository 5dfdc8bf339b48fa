// build times hnswlib's index build over the vectors of bench/ann's table,
// the in-process anchor of issue 6 ("index build within 1.2x of hnswlib's
// 2-thread build"), on the machine and data Quiver is measured on.
//
// It reads pgvector text ("[1,2,3]", one vector per line) on stdin, builds
// an L2 index with m 16 and ef_construction 64 three times, inserting the
// first vector alone and the rest from THREADS threads as hnswlib's Python
// binding does, and prints each build's wall time. See bench/README.md.
//
//   g++ -O3 -march=native -std=c++17 -pthread -o /tmp/hnswlib-build bench/hnswlib/build.cpp
//   psql -h HOST -p PORT -U postgres -Atc \
//     'COPY (SELECT embedding FROM ann_items ORDER BY id) TO STDOUT' | /tmp/hnswlib-build 2
#include <hnswlib/hnswlib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  std::vector<float> data;
  size_t dim = 0, n = 0;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.size() < 2 || line.front() != '[' || line.back() != ']') {
      std::cerr << "line " << n + 1 << ": not a vector" << std::endl;
      return 1;
    }
    std::stringstream ss(line.substr(1, line.size() - 2));
    size_t before = data.size();
    for (std::string f; std::getline(ss, f, ',');) data.push_back(std::strtof(f.c_str(), nullptr));
    size_t d = data.size() - before;
    if (dim == 0) dim = d;
    if (d != dim) {
      std::cerr << "line " << n + 1 << ": " << d << " dimensions, expected " << dim << std::endl;
      return 1;
    }
    n++;
  }
  if (n == 0) {
    std::cerr << "no vectors on stdin" << std::endl;
    return 1;
  }
  std::printf("%zu x %zu, m 16, ef_construction 64, %d threads\n", n, dim, threads);
  for (int run = 0; run < 3; run++) {
    hnswlib::L2Space space(dim);
    auto* index = new hnswlib::HierarchicalNSW<float>(&space, n, 16, 64, 100 + run);
    auto start = std::chrono::steady_clock::now();
    index->addPoint(data.data(), 0);
    std::atomic<size_t> next(1);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; t++) {
      workers.emplace_back([&] {
        for (size_t i; (i = next++) < n;) index->addPoint(data.data() + i * dim, i);
      });
    }
    for (auto& w : workers) w.join();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("build %d: %.2f s\n", run + 1, s);
    delete index;
  }
  return 0;
}
