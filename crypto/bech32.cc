#include "crypto/bech32.h"

#include <cstdlib>

#include "crypto/secret.h"

namespace amanat::crypto {
namespace {

constexpr char kCharset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

// Position of a lowercase character in kCharset, or -1.
int CharsetIndex(char c) {
  for (int i = 0; i < 32; ++i) {
    if (kCharset[i] == c) return i;
  }
  return -1;
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
char Upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

// The BCH checksum of BIP 173, fed one 5-bit value at a time.
class Polymod {
 public:
  void Feed(uint32_t v) {
    static constexpr uint32_t kGen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd,
                                         0x2a1462b3};
    uint32_t top = chk_ >> 25;
    chk_ = ((chk_ & 0x1ffffff) << 5) ^ v;
    for (int i = 0; i < 5; ++i) {
      if ((top >> i) & 1) chk_ ^= kGen[i];
    }
  }
  // Feeds the expanded HRP: high bits of each character, a zero, low bits of each.
  void FeedHrp(std::string_view hrp) {
    for (char c : hrp) Feed(static_cast<uint8_t>(Lower(c)) >> 5);
    Feed(0);
    for (char c : hrp) Feed(static_cast<uint8_t>(Lower(c)) & 31);
  }
  uint32_t value() const { return chk_; }

 private:
  uint32_t chk_ = 1;
};

}  // namespace

void Bech32EncodeTo(std::string_view hrp, ByteView data, bool upper, char* out) {
  if (hrp.empty() || hrp.size() > 83 ||
      Bech32EncodedLength(hrp.size(), data.size()) > kBech32MaxLength) {
    std::abort();  // programming error: keys have fixed sizes
  }
  auto put = [&](char c) { *out++ = upper ? Upper(c) : c; };
  Polymod pm;
  pm.FeedHrp(hrp);
  for (char c : hrp) {
    if (c < 33 || c > 126 || (c >= 'A' && c <= 'Z')) std::abort();
    put(c);
  }
  put('1');
  uint32_t acc = 0;
  int bits = 0;
  for (uint8_t b : data) {
    acc = ((acc << 8) | b) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      uint32_t v = (acc >> bits) & 31;
      pm.Feed(v);
      put(kCharset[v]);
    }
  }
  if (bits > 0) {
    uint32_t v = (acc << (5 - bits)) & 31;
    pm.Feed(v);
    put(kCharset[v]);
  }
  acc = 0;
  for (int i = 0; i < 6; ++i) pm.Feed(0);
  uint32_t checksum = pm.value() ^ 1;
  for (int i = 0; i < 6; ++i) put(kCharset[(checksum >> (5 * (5 - i))) & 31]);
}

std::string Bech32Encode(std::string_view hrp, ByteView data, bool upper) {
  std::string out(Bech32EncodedLength(hrp.size(), data.size()), '\0');
  Bech32EncodeTo(hrp, data, upper, out.data());
  return out;
}

Result<Bech32Decoded> Bech32Decode(std::string_view s) {
  if (s.size() > kBech32MaxLength) return InvalidInput("Bech32 string is too long");
  bool has_lower = false, has_upper = false;
  for (char c : s) {
    if (c < 33 || c > 126) return InvalidInput("Bech32 string has an invalid character");
    has_lower |= (c >= 'a' && c <= 'z');
    has_upper |= (c >= 'A' && c <= 'Z');
  }
  if (has_lower && has_upper) return InvalidInput("Bech32 string mixes upper and lower case");
  size_t sep = s.rfind('1');
  if (sep == std::string_view::npos) return InvalidInput("Bech32 string has no separator");
  if (sep == 0) return InvalidInput("Bech32 string has an empty human-readable part");
  if (s.size() - sep - 1 < 6) return InvalidInput("Bech32 string is too short");

  Bech32Decoded out;
  out.hrp.assign(s.substr(0, sep));
  Polymod pm;
  pm.FeedHrp(out.hrp);
  const std::string_view part = s.substr(sep + 1);
  const size_t payload_values = part.size() - 6;
  out.data.reserve(payload_values * 5 / 8);
  uint32_t acc = 0;
  int bits = 0;
  Status bad;
  for (size_t i = 0; i < part.size(); ++i) {
    int v = CharsetIndex(Lower(part[i]));
    if (v < 0) {
      bad = InvalidInput("Bech32 string has an invalid character");
      break;
    }
    pm.Feed(static_cast<uint32_t>(v));
    if (i >= payload_values) continue;
    acc = ((acc << 5) | static_cast<uint32_t>(v)) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.data.push_back(static_cast<uint8_t>(acc >> bits));
    }
  }
  if (bad.ok() && pm.value() != 1) bad = InvalidInput("Bech32 checksum does not match");
  if (bad.ok() && (bits >= 5 || ((acc << (8 - bits)) & 0xff) != 0)) {
    bad = InvalidInput("Bech32 string has invalid padding");
  }
  acc = 0;
  if (!bad.ok()) {
    // It may have been part of a secret key.
    if (!out.data.empty()) Wipe(out.data.data(), out.data.size());
    return bad;
  }
  return out;
}

}  // namespace amanat::crypto
