// Fuzz target: keyslots.json (vault/keyslots.h), the one file of a vault read before it is
// unlocked. Property: what parses serialises to text that parses to the same serialisation.
// No passphrase is tried (Argon2id would make each run slow, and its cost comes from the file).
#include <cstdint>
#include <string_view>

#include "tests/fuzz/fuzz_check.h"
#include "vault/keyslots.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace amanat;
  auto slots = vault::KeySlots::Parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!slots.ok()) return 0;
  std::string text = slots->Serialize();
  auto again = vault::KeySlots::Parse(text);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->Serialize() == text);
  for (const auto& slot : slots->slots) {
    auto found = slots->Find(slot.custodian);
    FUZZ_CHECK(found.ok() || found.status().code() == Code::kAuthFailed);
  }
  (void)slots->Find("");
  return 0;
}
