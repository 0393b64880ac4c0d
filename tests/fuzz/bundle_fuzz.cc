// Fuzz target: `verify-bundle` of an untrusted file, end to end (vault/bundle_verify.h): the
// ZIP reader, the member limits, the manifest's minisign signature and everything after it.
// The input is the bundle's bytes. Mutations mostly break CRCs and the signature, so
// bundle_members_fuzz.cc drives the checks behind them.
#include <cstdint>
#include <string>

#include "tests/fuzz/fuzz_check.h"
#include "vault/bundle_verify.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace amanat;
  vault::MemorySource source(std::string(reinterpret_cast<const char*>(data), size), "fuzz.zip");
  auto report = vault::VerifyBundle(source, {});
  if (report.ok() && report->ok()) {
    FUZZ_CHECK(report->manifest_ok);
    FUZZ_CHECK(!report->items.empty());
    for (const auto& item : report->items) FUZZ_CHECK(item.ok);
  }
  return 0;
}
