#include "vault/text.h"

#include <cstdint>

namespace amanat::vault {

size_t Utf8SeqLen(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t c = b(i);
  if (c < 0x80) return 1;
  size_t n;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = Utf8SeqLen(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

bool IsCleanText(std::string_view s, size_t max_bytes, bool multiline) {
  if (s.size() > max_bytes || !IsValidUtf8(s)) return false;
  for (unsigned char c : s) {
    if (c == '\n' || c == '\t') {
      if (!multiline) return false;
    } else if (c < 0x20 || c == 0x7F) {
      return false;
    }
  }
  return true;
}

std::string DisplayFileName(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (auto slash = path.rfind('/'); slash != std::string_view::npos) path.remove_prefix(slash + 1);
  std::string out;
  for (size_t i = 0; i < path.size();) {
    size_t n = Utf8SeqLen(path, i);
    unsigned char c = static_cast<unsigned char>(path[i]);
    if (n == 0 || (n == 1 && (c < 0x20 || c == 0x7F))) {
      out += "\xEF\xBF\xBD";
      i += 1;
    } else {
      out.append(path.substr(i, n));
      i += n;
    }
  }
  if (out.size() > 255) out.resize(255);
  if (!IsValidUtf8(out)) out = "file";  // truncation split a sequence; never store bad text
  return out;
}

}  // namespace amanat::vault
