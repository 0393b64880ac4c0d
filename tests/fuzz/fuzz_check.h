// FUZZ_CHECK(cond): a property a fuzz target asserts beyond "does not crash". A false
// condition prints where and aborts, so that libFuzzer (and replay_main.cc) reports a crash.
#ifndef AMANAT_TESTS_FUZZ_FUZZ_CHECK_H_
#define AMANAT_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                              \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                   \
    }                                                                                 \
  } while (0)

#endif  // AMANAT_TESTS_FUZZ_FUZZ_CHECK_H_
