// ParallelFor: runs fn(i) for every i in [0, n) on all cores (at most 8 threads).
#ifndef AMANAT_VAULT_PARALLEL_H_
#define AMANAT_VAULT_PARALLEL_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
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

// Runs fn(i) for every i in [0, n) on the other cores while the calling thread runs `own()`;
// when `own` returns, the calling thread takes its share of what is left. Work is handed out
// in small chunks, so the cores finish together however long `own` takes. `fn` must be safe
// to call concurrently with itself and with `own`.
template <typename Fn, typename Own>
void ParallelForBeside(size_t n, Fn fn, Own own) {
  constexpr size_t kChunk = 32;
  const size_t threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (;;) {
      const size_t start = next.fetch_add(kChunk, std::memory_order_relaxed);
      if (start >= n) return;
      for (size_t i = start; i < std::min(n, start + kChunk); ++i) fn(i);
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  // An exception from `own` waits for the other threads (a joinable thread must not be
  // destroyed), then goes on to the caller.
  std::exception_ptr failed;
  try {
    own();
  } catch (...) {
    failed = std::current_exception();
  }
  work();
  for (auto& th : pool) th.join();
  if (failed) std::rethrow_exception(failed);
}

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_PARALLEL_H_
