// Hex and base64 (RFC 4648, standard alphabet, padded) through libsodium's constant-time codecs.
#ifndef AMANAT_CRYPTO_ENCODING_H_
#define AMANAT_CRYPTO_ENCODING_H_

#include <string>
#include <string_view>

#include "crypto/bytes.h"
#include "crypto/status.h"

namespace amanat::crypto {

std::string HexEncode(ByteView data);  // lowercase
// Accepts upper or lower case; fails on odd length or any non-hex character.
Result<Bytes> HexDecode(std::string_view hex);
// True if `s` is non-empty and all lowercase hex digits.
bool IsLowerHex(std::string_view s);

std::string Base64Encode(ByteView data);
// Strict: padding required, no whitespace, no trailing garbage.
Result<Bytes> Base64Decode(std::string_view b64);

// False if any byte of `s` is 0x80 or above, in time that depends only on its length.
// libsodium 1.0.18 (Debian 12) decodes every such byte as '/' instead of refusing it, so every
// caller of sodium_base642bin checks this first (found by tests/fuzz/age_header_fuzz.cc).
bool IsAscii(std::string_view s);

// The same strict rules (and the same results) as Base64Decode, appending to `out`, but
// table-driven and therefore NOT constant-time: only for public data, such as the custody
// entries `verify` decodes by the hundred thousand (libsodium's constant-time decoder is
// several times slower). False on invalid input; `out` is then unspecified.
bool Base64DecodePublicAppend(std::string_view b64, Bytes* out);

// Decodes into a fixed-size array; fails unless the decoded length is exactly N.
template <size_t N>
Result<std::array<uint8_t, N>> Base64DecodeFixed(std::string_view b64) {
  auto r = Base64Decode(b64);
  if (!r.ok()) return r.status();
  if (r->size() != N) return InvalidInput("base64 value has wrong length");
  std::array<uint8_t, N> out;
  std::copy(r->begin(), r->end(), out.begin());
  return out;
}
template <size_t N>
Result<std::array<uint8_t, N>> HexDecodeFixed(std::string_view hex) {
  auto r = HexDecode(hex);
  if (!r.ok()) return r.status();
  if (r->size() != N) return InvalidInput("hex value has wrong length");
  std::array<uint8_t, N> out;
  std::copy(r->begin(), r->end(), out.begin());
  return out;
}

}  // namespace amanat::crypto

#endif  // AMANAT_CRYPTO_ENCODING_H_
