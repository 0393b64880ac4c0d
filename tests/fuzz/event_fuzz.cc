// Fuzz target: the custody entry parser (vault/event.h) that `verify`, `log` and
// `verify-bundle` run over every stored or received entry, and the strict JSON pull reader
// under it (vault/json_reader.h). The input is parsed twice: as an entry (a DSSE envelope),
// and as the in-toto Statement inside one, wrapped in an envelope here, since mutations of
// the envelope's base64 payload seldom leave a Statement to parse. Properties: an entry that
// parses names a known action, carries a signature, and its payload is what was wrapped;
// JSON that JsonReader accepts, nlohmann::json accepts too (JsonReader is the stricter).
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "crypto/encoding.h"
#include "tests/fuzz/fuzz_check.h"
#include "vault/event.h"
#include "vault/json_reader.h"

namespace {

void CheckEntry(amanat::ByteView bytes, const std::string* wrapped_payload) {
  using namespace amanat;
  auto entry = vault::ParseEntry(bytes);
  if (!entry.ok()) return;
  FUZZ_CHECK(vault::IsKnownAction(entry->event.action));
  FUZZ_CHECK(!entry->signatures.empty());
  if (wrapped_payload != nullptr) {
    ByteView p = entry->payload();
    FUZZ_CHECK(std::string_view(reinterpret_cast<const char*>(p.data()), p.size()) ==
               *wrapped_payload);
  }
  crypto::Ed25519PublicKey pk{};
  for (const auto& sig : entry->signatures) {
    FUZZ_CHECK(!vault::VerifyEntrySignature(*entry, sig, pk));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace amanat;
  std::string text(reinterpret_cast<const char*>(data), size);

  CheckEntry(ByteView(data, size), nullptr);
  const std::string envelope =
      R"({"payload":")" + crypto::Base64Encode(AsBytes(text)) + R"(","payloadType":")" +
      vault::kDssePayloadType + R"(","signatures":[{"keyid":"0123456789abcdef","sig":")" +
      crypto::Base64Encode(crypto::Ed25519Signature{}) + R"("}]})";
  CheckEntry(AsBytes(envelope), &text);

  vault::JsonReader reader(text);
  std::string_view span;
  if (reader.Skip(&span) && reader.AtEnd()) {
    FUZZ_CHECK(!reader.failed());
    FUZZ_CHECK(span.size() <= text.size());
    FUZZ_CHECK(!nlohmann::json::parse(text, nullptr, false).is_discarded());
  }
  return 0;
}
