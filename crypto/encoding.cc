#include "crypto/encoding.h"

#include <sodium.h>

#include <array>

namespace amanat::crypto {

std::string HexEncode(ByteView data) {
  std::string out(data.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data.data(), data.size());
  out.pop_back();
  return out;
}

Result<Bytes> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return InvalidInput("hex value has odd length");
  if (hex.empty()) return Bytes();
  Bytes out(hex.size() / 2);
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &len, &end) != 0 ||
      end != hex.data() + hex.size() || len != out.size()) {
    return InvalidInput("invalid hex value");
  }
  return out;
}

bool IsLowerHex(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string Base64Encode(ByteView data) {
  const size_t n = sodium_base64_encoded_len(data.size(), sodium_base64_VARIANT_ORIGINAL);
  std::string out(n, '\0');
  sodium_bin2base64(out.data(), n, data.data(), data.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(n - 1);  // drop the terminating NUL
  return out;
}

bool IsAscii(std::string_view s) {
  unsigned char all = 0;
  for (char c : s) all = static_cast<unsigned char>(all | static_cast<unsigned char>(c));
  return (all & 0x80) == 0;
}

Result<Bytes> Base64Decode(std::string_view b64) {
  Bytes out(b64.size() / 4 * 3 + 3);
  size_t len = 0;
  const char* end = nullptr;
  if (!IsAscii(b64) ||
      sodium_base642bin(out.data(), out.size(), b64.data(), b64.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != b64.data() + b64.size()) {
    return InvalidInput("invalid base64 value");
  }
  out.resize(len);
  return out;
}

namespace {

// 0-63 for the standard alphabet, 64 for '=', 255 for anything else.
constexpr std::array<uint8_t, 256> kBase64Values = [] {
  std::array<uint8_t, 256> t{};
  t.fill(255);
  const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (uint8_t i = 0; i < 64; ++i) t[static_cast<uint8_t>(alphabet[i])] = i;
  t['='] = 64;
  return t;
}();

}  // namespace

bool Base64DecodePublicAppend(std::string_view b64, Bytes* out) {
  if (b64.size() % 4 != 0) return false;
  size_t pad = 0;
  if (!b64.empty() && b64.back() == '=') pad = b64[b64.size() - 2] == '=' ? 2 : 1;
  const size_t start = out->size();
  out->resize(start + b64.size() / 4 * 3);
  uint8_t* o = out->data() + start;
  const auto* in = reinterpret_cast<const uint8_t*>(b64.data());
  const size_t full = b64.size() - (pad ? 4 : 0);  // quads without padding
  for (size_t i = 0; i < full; i += 4) {
    const uint32_t a = kBase64Values[in[i]], b = kBase64Values[in[i + 1]],
                   c = kBase64Values[in[i + 2]], d = kBase64Values[in[i + 3]];
    if ((a | b | c | d) >= 64) return false;
    const uint32_t v = (a << 18) | (b << 12) | (c << 6) | d;
    *o++ = static_cast<uint8_t>(v >> 16);
    *o++ = static_cast<uint8_t>(v >> 8);
    *o++ = static_cast<uint8_t>(v);
  }
  if (pad != 0) {
    const uint8_t* q = in + full;
    const uint32_t a = kBase64Values[q[0]], b = kBase64Values[q[1]], c = kBase64Values[q[2]];
    if (a >= 64 || b >= 64) return false;
    if (pad == 2) {
      if ((b & 0x0F) != 0) return false;  // non-zero bits a canonical encoder never sets
      *o++ = static_cast<uint8_t>((a << 2) | (b >> 4));
    } else {
      if (c >= 64 || (c & 0x03) != 0) return false;
      const uint32_t v = (a << 18) | (b << 12) | (c << 6);
      *o++ = static_cast<uint8_t>(v >> 16);
      *o++ = static_cast<uint8_t>(v >> 8);
    }
  }
  out->resize(static_cast<size_t>(o - out->data()));
  return true;
}

}  // namespace amanat::crypto
