// Fuzz target: the signed members of a bundle read as JSON, manifest.json
// (vault/bundle_manifest.h) and custody/proofs.json (vault/bundle_proofs.h), plus the stock
// minisign signature file format (crypto/minisign.h) of manifest.json.minisig. Property:
// what parses serialises to text that parses to the same serialisation.
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/minisign.h"
#include "tests/fuzz/fuzz_check.h"
#include "vault/bundle_manifest.h"
#include "vault/bundle_proofs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace amanat;
  std::string_view text(reinterpret_cast<const char*>(data), size);

  auto manifest = vault::Manifest::Parse(text);
  if (manifest.ok()) {
    std::string out = manifest->Serialize();
    auto again = vault::Manifest::Parse(out);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->Serialize() == out);
    (void)vault::ManifestTrustedComment(*manifest);
    (void)vault::ManifestUntrustedComment(*manifest);
  }

  auto proofs = vault::BundleProofs::Parse(text, "proofs.json");
  if (proofs.ok()) {
    std::string out = proofs->Serialize();
    auto again = vault::BundleProofs::Parse(out, "proofs.json");
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->Serialize() == out);
  }

  (void)crypto::MinisignSignatureKeyNumber(text);
  auto key = crypto::ParseMinisignPublicKey(text);
  if (key.ok()) {
    auto again = crypto::ParseMinisignPublicKey(crypto::FormatMinisignPublicKey(*key));
    FUZZ_CHECK(again.ok() && again->public_key == key->public_key);
  }
  return 0;
}
