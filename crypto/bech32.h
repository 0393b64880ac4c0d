// Bech32 (BIP 173; not Bech32m), the encoding of age's keys: recipients `age1…` (lowercase,
// HRP "age") and identities `AGE-SECRET-KEY-1…` (uppercase, HRP "AGE-SECRET-KEY-").
//
// BIP 173's 90-character limit is kept: both age key forms fit (62 and 74 characters for
// 32-byte keys). Stateless and thread-safe.
#ifndef AMANAT_CRYPTO_BECH32_H_
#define AMANAT_CRYPTO_BECH32_H_

#include <string>
#include <string_view>

#include "crypto/bytes.h"
#include "crypto/status.h"

namespace amanat::crypto {

inline constexpr size_t kBech32MaxLength = 90;

// The length of the Bech32 string for `data_size` bytes under an HRP of `hrp_size` characters.
constexpr size_t Bech32EncodedLength(size_t hrp_size, size_t data_size) {
  return hrp_size + 1 + (data_size * 8 + 4) / 5 + 6;
}

// Encodes `data` under `hrp` in lowercase, or in uppercase if `upper`.
// REQUIRES: hrp is 1..83 characters in the range 33..126, without uppercase letters;
// Bech32EncodedLength(hrp.size(), data.size()) <= kBech32MaxLength.
std::string Bech32Encode(std::string_view hrp, ByteView data, bool upper = false);

// Writes the encoding into `out`, which must hold exactly Bech32EncodedLength(...)
// characters: for secrets, so that no copy lands in ordinary memory. Same REQUIRES.
void Bech32EncodeTo(std::string_view hrp, ByteView data, bool upper, char* out);

struct Bech32Decoded {
  std::string hrp;  // as written: lowercase or uppercase
  Bytes data;
};

// Decodes a Bech32 string. kInvalidInput for mixed case, characters outside 33..126, a
// missing separator, an empty HRP, a data part under 6 characters, more than 90
// characters, a bad checksum, or non-zero or overlong padding bits. Messages never quote
// `s` (it may be a secret key).
Result<Bech32Decoded> Bech32Decode(std::string_view s);

}  // namespace amanat::crypto

#endif  // AMANAT_CRYPTO_BECH32_H_
