// RunOrdered (vault/pipeline.h), the pipeline verify reads the custody log with: every item
// loaded, worked and consumed exactly once, consumed in order after its work, never more
// than a window of items in flight, the run ending where load finds no more, and failures
// stopping the run cleanly.
#include "vault/pipeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <vector>

namespace amanat::vault {
namespace {

struct Counts {
  explicit Counts(size_t n) : worked(new std::atomic<int>[n]) {
    for (size_t i = 0; i < n; ++i) worked[i] = 0;
  }
  std::unique_ptr<std::atomic<int>[]> worked;
  std::vector<size_t> loaded, consumed;
};

TEST(RunOrdered, EveryItemOnceConsumedInOrderAfterItsWork) {
  for (size_t n : {0u, 1u, 15u, 16u, 17u, 1000u, 20000u}) {
    SCOPED_TRACE("n = " + std::to_string(n));
    constexpr size_t kWindow = 64;
    Counts c(n);
    size_t max_in_flight = 0;
    bool worked_before_consumed = true;
    Result<size_t> s = RunOrdered(
        kWindow,
        [&](size_t i) -> Result<bool> {
          if (i == n) return false;
          c.loaded.push_back(i);
          max_in_flight = std::max(max_in_flight, c.loaded.size() - c.consumed.size());
          return true;
        },
        [&](size_t i) { c.worked[i].fetch_add(1); },
        [&](size_t i) {
          if (c.worked[i].load() != 1) worked_before_consumed = false;
          c.consumed.push_back(i);
        });
    ASSERT_TRUE(s.ok()) << s.status().message();
    EXPECT_EQ(*s, n);
    ASSERT_EQ(c.loaded.size(), n);
    ASSERT_EQ(c.consumed.size(), n);
    for (size_t i = 0; i < n; ++i) {
      ASSERT_EQ(c.loaded[i], i);
      ASSERT_EQ(c.consumed[i], i);
      ASSERT_EQ(c.worked[i].load(), 1) << "item " << i;
    }
    EXPECT_TRUE(worked_before_consumed);
    EXPECT_LE(max_in_flight, kWindow);
  }
}

TEST(RunOrdered, ALoadFailureStopsTheRunAndIsReturned) {
  constexpr size_t kN = 5000, kBad = 1234;
  Counts c(kN);
  Result<size_t> s = RunOrdered(
      100,
      [&](size_t i) -> Result<bool> {
        if (i == kBad) return IoError("row " + std::to_string(i) + " unreadable");
        return i < kN;
      },
      [&](size_t i) { c.worked[i].fetch_add(1); },
      [&](size_t i) { c.consumed.push_back(i); });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "row 1234 unreadable");
  for (size_t i = kBad; i < kN; ++i) ASSERT_EQ(c.worked[i].load(), 0) << "item " << i;
  for (size_t i : c.consumed) EXPECT_LT(i, kBad);
}

TEST(RunOrdered, AnExceptionFromConsumeReachesTheCallerAfterTheThreadsStop) {
  constexpr size_t kN = 5000;
  Counts c(kN);
  EXPECT_THROW(
      (void)RunOrdered(
          256, [](size_t i) -> Result<bool> { return i < kN; },
          [&](size_t i) { c.worked[i].fetch_add(1); },
          [&](size_t i) {
            if (i == 300) throw std::runtime_error("consume failed");
            c.consumed.push_back(i);
          }),
      std::runtime_error);
  EXPECT_EQ(c.consumed.size(), 300u);
  // Nothing runs after the call returned: the counts stay as they are.
  int total = 0;
  for (size_t i = 0; i < kN; ++i) total += c.worked[i].load();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  int later = 0;
  for (size_t i = 0; i < kN; ++i) later += c.worked[i].load();
  EXPECT_EQ(total, later);
  EXPECT_LE(total, 300 + 256);
}

}  // namespace
}  // namespace amanat::vault
