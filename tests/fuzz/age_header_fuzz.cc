// Fuzz target: the age header parser and AgeFile::Open (crypto/age_internal.h, crypto/age.h),
// as `verify-bundle --identity` and `import` meet an encrypted bundle. A header that parses
// must be canonical: encoding its stanzas again gives back exactly the bytes its MAC covers.
// When the input opens with the test identity, every plaintext byte is read.
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "crypto/age.h"
#include "crypto/age_internal.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

// The identity of the C2SP age test kit (tests/vectors/age/x25519); the seeds made by
// tests/fuzz/make_seeds are encrypted to it too.
constexpr char kIdentity[] =
    "AGE-SECRET-KEY-1XMWWC06LY3EE5RYTXM9MFLAZ2U56JJJ36S0MYPDRWSVLUL66MV4QX3S7F6\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace amanat;
  using namespace amanat::crypto;
  static const std::vector<AgeIdentity> identities = ParseAgeIdentities(kIdentity).value();

  ReadAtFn source = [&](uint64_t offset, uint8_t* buf, size_t n) -> Result<size_t> {
    if (offset >= size) return size_t{0};
    size_t k = std::min<uint64_t>(n, size - offset);
    std::memcpy(buf, data + offset, k);
    return k;
  };
  auto header = age_internal::ParseHeader(source, size);
  if (header.ok()) {
    FUZZ_CHECK(!header->stanzas.empty());
    FUZZ_CHECK(header->payload_offset <= size);
    FUZZ_CHECK(age_internal::EncodeHeaderWithoutMac(header->stanzas) == header->mac_input);
  }
  auto file = AgeFile::Open(source, size, identities);
  if (!file.ok()) return 0;
  FUZZ_CHECK(header.ok());
  uint8_t buf[4096];
  uint64_t offset = 0;
  for (;;) {
    auto n = file->ReadAt(offset, buf, sizeof buf);
    if (!n.ok()) return 0;  // a damaged chunk before the last one (Open checked the last)
    if (*n == 0) break;
    offset += *n;
  }
  FUZZ_CHECK(offset == file->plaintext_size());
  return 0;
}
