// ParallelFor: runs fn(i) for every i in [0, n) on all cores (at most 8 threads).
#ifndef AMANAT_VAULT_PARALLEL_H_
#define AMANAT_VAULT_PARALLEL_H_

#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

namespace amanat::vault {

// `fn` must be safe to call concurrently for different i. Small jobs run on the caller.
template <typename Fn>
void ParallelFor(size_t n, Fn fn, size_t min_parallel = 64) {
  size_t threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
  if (n < min_parallel) threads = 1;
  if (threads == 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (size_t i = t; i < n; i += threads) fn(i);
    });
  }
  for (size_t i = 0; i < n; i += threads) fn(i);
  for (auto& th : pool) th.join();
}

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_PARALLEL_H_
