// RunOrdered: a bounded pipeline whose expensive middle stage runs on every core while the
// stages that must see the items in order run on the calling thread.
#ifndef AMANAT_VAULT_PIPELINE_H_
#define AMANAT_VAULT_PIPELINE_H_

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>
#include <thread>
#include <vector>

#include "crypto/status.h"

namespace amanat::vault {

// For every item i = 0, 1, 2, ... until load says there is none:
//   load(i)    on the calling thread, in order; returns true if it loaded item i, false if
//              there is no item i (the run then ends with i items), or an error (which stops
//              the run and is returned);
//   work(i)    on any thread, after load(i): the part that depends on no other item;
//   consume(i) on the calling thread, in order, after work(i).
// Returns the number of items. The caller need not know it beforehand: counting the rows of
// a table can cost as much as reading them.
// At most `window` items are loaded and not yet consumed, so a caller that keeps item i in
// slot i % window holds at most `window` items in memory, however many there are. While the
// next item to consume is not ready, the calling thread does work() itself, so no core waits
// idle.
//
// work() must not throw and must be safe to call concurrently for different i; load and
// consume may throw (the other threads are stopped and joined before the exception goes on).
template <typename Load, typename Work, typename Consume>
Result<size_t> RunOrdered(size_t window, Load load, Work work, Consume consume) {
  constexpr size_t kChunk = 16;       // items a thread takes at a time
  constexpr size_t kLoadBatch = 256;  // items loaded before the caller looks at the rest
  const size_t threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
  window = std::max(window, kChunk);
  std::atomic<size_t> loaded{0}, next{0};
  std::atomic<bool> stop{false};
  // done[i % window] == i + 1 once work(i) has finished.
  std::unique_ptr<std::atomic<size_t>[]> done(new std::atomic<size_t>[window]);
  for (size_t k = 0; k < window; ++k) done[k].store(0, std::memory_order_relaxed);

  auto try_work = [&]() -> bool {
    size_t start = next.load(std::memory_order_relaxed);
    for (;;) {
      const size_t limit = loaded.load(std::memory_order_acquire);
      if (start >= limit) return false;
      const size_t end = std::min(limit, start + kChunk);
      if (next.compare_exchange_weak(start, end, std::memory_order_relaxed)) {
        for (size_t i = start; i < end; ++i) {
          work(i);
          done[i % window].store(i + 1, std::memory_order_release);
        }
        return true;
      }
    }
  };
  auto idle = [](unsigned& spins) {
    if (++spins < 64) {
      std::this_thread::yield();
    } else {
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  };

  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) {
    pool.emplace_back([&] {
      unsigned spins = 0;
      while (!stop.load(std::memory_order_acquire)) {
        if (try_work()) {
          spins = 0;
        } else {
          idle(spins);
        }
      }
    });
  }

  Status status = OkStatus();
  size_t read = 0;  // items loaded
  std::exception_ptr failed;
  try {
    bool more = true;
    unsigned spins = 0;
    for (size_t c = 0; status.ok();) {
      if (more && read < c + window) {
        const size_t until = std::min(c + window, read + kLoadBatch);
        for (; read < until; ++read) {
          Result<bool> got = load(read);
          if (!got.ok()) status = got.status();
          if (!got.ok() || !*got) {
            more = false;
            break;
          }
        }
        loaded.store(read, std::memory_order_release);
        continue;
      }
      if (c == read) break;  // all consumed, and nothing more to load
      if (done[c % window].load(std::memory_order_acquire) == c + 1) {
        consume(c);
        ++c;
        spins = 0;
      } else if (try_work()) {
        spins = 0;
      } else {
        idle(spins);
      }
    }
  } catch (...) {
    failed = std::current_exception();
  }
  stop.store(true, std::memory_order_release);
  for (auto& th : pool) th.join();
  if (failed) std::rethrow_exception(failed);
  RETURN_IF_ERROR(status);
  return read;
}

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_PIPELINE_H_
