#include "vault/json_reader.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace amanat::vault {
namespace {

// True if none of the 8 bytes at `p` ends or escapes a string or needs a UTF-8 check: no '"',
// no '\\', no control character, nothing above 0x7F. Strings are mostly such bytes (base64
// payloads, hex digests), and eight at a time is several times faster than one.
bool EightPlainBytes(const char* p) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  uint64_t w;
  std::memcpy(&w, p, sizeof w);
  // Some byte of x is below n (n <= 0x80), for bytes below 0x80: the classic "hasless".
  auto below = [&](uint64_t x, uint64_t n) { return (x - kOnes * n) & ~x & kHigh; };
  const uint64_t quote = below(w ^ (kOnes * '"'), 1);
  const uint64_t backslash = below(w ^ (kOnes * '\\'), 1);
  return (quote | backslash | below(w, 0x20) | (w & kHigh)) == 0;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Length of the well-formed UTF-8 sequence (RFC 3629: no overlongs, no surrogates, at most
// U+10FFFF) starting at s[i], or 0.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<uint8_t>(s[i + k]); };
  const uint8_t c = b(0);
  size_t n;
  uint8_t lo = 0x80, hi = 0xBF;  // bounds of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (b(1) < lo || b(1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
  }
  return n;
}

}  // namespace

void JsonReader::SkipSpace() {
  while (pos_ < s_.size()) {
    const char c = s_[pos_];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
    ++pos_;
  }
}

bool JsonReader::Peek(char c) {
  SkipSpace();
  return pos_ < s_.size() && s_[pos_] == c;
}

bool JsonReader::Open(char c) {
  if (failed_ || !Peek(c) || depth_ >= kMaxDepth) return Fail();
  ++pos_;
  first_[++depth_] = true;
  return true;
}

bool JsonReader::NextItem(char close) {
  if (failed_ || depth_ == 0) return Fail();
  if (Peek(close)) {
    ++pos_;
    --depth_;
    return false;
  }
  if (!first_[depth_]) {
    if (!Peek(',')) return Fail();
    ++pos_;
  }
  first_[depth_] = false;
  return true;
}

bool JsonReader::NextMember(std::string* name) {
  if (!NextItem('}')) return false;
  if (!Peek('"')) return Fail();
  name->clear();
  if (!ReadString(name) || !Peek(':')) return Fail();
  ++pos_;
  return true;
}

bool JsonReader::NextElement() { return NextItem(']'); }

bool JsonReader::String(std::string* out) {
  if (failed_ || !Peek('"')) return Fail();
  out->clear();
  return ReadString(out) || Fail();
}

bool JsonReader::RawString(std::string_view* raw) {
  if (failed_ || !Peek('"')) return Fail();
  const size_t start = pos_ + 1;
  if (!ReadString(nullptr)) return Fail();
  *raw = s_.substr(start, pos_ - 1 - start);
  return true;
}

// At the opening quote. Appends the unescaped text to `out` unless it is null.
bool JsonReader::ReadString(std::string* out) {
  ++pos_;
  for (;;) {
    // The run of bytes that need no unescaping is copied in one go.
    size_t run = pos_;
    while (run < s_.size()) {
      if (s_.size() - run >= 8 && EightPlainBytes(s_.data() + run)) {
        run += 8;
        continue;
      }
      const auto c = static_cast<uint8_t>(s_[run]);
      if (c == '"' || c == '\\' || c < 0x20) break;
      if (c < 0x80) {
        ++run;
        continue;
      }
      const size_t n = Utf8SequenceLength(s_, run);
      if (n == 0) return false;
      run += n;
    }
    if (out != nullptr) out->append(s_.data() + pos_, run - pos_);
    pos_ = run;
    if (pos_ >= s_.size()) return false;
    const char c = s_[pos_];
    if (c == '"') {
      ++pos_;
      return true;
    }
    if (c != '\\') return false;  // a control character
    if (pos_ + 1 >= s_.size()) return false;
    const char e = s_[pos_ + 1];
    pos_ += 2;
    char simple = 0;
    switch (e) {
      case '"': simple = '"'; break;
      case '\\': simple = '\\'; break;
      case '/': simple = '/'; break;
      case 'b': simple = '\b'; break;
      case 'f': simple = '\f'; break;
      case 'n': simple = '\n'; break;
      case 'r': simple = '\r'; break;
      case 't': simple = '\t'; break;
      case 'u': break;
      default: return false;
    }
    if (simple != 0) {
      if (out != nullptr) out->push_back(simple);
      continue;
    }
    auto hex4 = [&](uint32_t* v) {
      if (pos_ + 4 > s_.size()) return false;
      *v = 0;
      for (int k = 0; k < 4; ++k) {
        const int h = HexValue(s_[pos_ + static_cast<size_t>(k)]);
        if (h < 0) return false;
        *v = (*v << 4) | static_cast<uint32_t>(h);
      }
      pos_ += 4;
      return true;
    };
    uint32_t cp;
    if (!hex4(&cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a lone low surrogate
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      uint32_t low;
      if (pos_ + 2 > s_.size() || s_[pos_] != '\\' || s_[pos_ + 1] != 'u') return false;
      pos_ += 2;
      if (!hex4(&low) || low < 0xDC00 || low > 0xDFFF) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    if (out != nullptr) AppendUtf8(cp, out);
  }
}

bool JsonReader::Unsigned(uint64_t* out) {
  if (failed_) return false;
  SkipSpace();
  const size_t start = pos_;
  uint64_t v = 0;
  while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
    const auto d = static_cast<uint64_t>(s_[pos_] - '0');
    if (v > (UINT64_MAX - d) / 10) return Fail();
    v = v * 10 + d;
    ++pos_;
  }
  const size_t n = pos_ - start;
  if (n == 0 || (n > 1 && s_[start] == '0')) return Fail();
  if (pos_ < s_.size() && (s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E')) return Fail();
  *out = v;
  return true;
}

bool JsonReader::SkipNumber() {
  auto digits = [&] {
    const size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    return pos_ - start;
  };
  if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
  const size_t int_start = pos_;
  const size_t n = digits();
  if (n == 0 || (n > 1 && s_[int_start] == '0')) return false;
  if (pos_ < s_.size() && s_[pos_] == '.') {
    ++pos_;
    if (digits() == 0) return false;
  }
  if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
    ++pos_;
    if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
    if (digits() == 0) return false;
  }
  return true;
}

bool JsonReader::SkipValue(int depth) {
  SkipSpace();
  if (pos_ >= s_.size()) return false;
  const char c = s_[pos_];
  if (c == '"') return ReadString(nullptr);
  if (c == '{' || c == '[') {
    if (depth >= kMaxDepth) return false;
    const bool object = c == '{';
    ++pos_;
    std::vector<std::string> names;
    for (bool first = true;; first = false) {
      SkipSpace();
      if (pos_ < s_.size() && s_[pos_] == (object ? '}' : ']')) {
        ++pos_;
        return true;
      }
      if (!first) {
        if (pos_ >= s_.size() || s_[pos_] != ',') return false;
        ++pos_;
        SkipSpace();
      }
      if (object) {
        std::string name;
        if (pos_ >= s_.size() || s_[pos_] != '"' || !ReadString(&name)) return false;
        if (std::find(names.begin(), names.end(), name) != names.end()) return false;
        names.push_back(std::move(name));
        SkipSpace();
        if (pos_ >= s_.size() || s_[pos_] != ':') return false;
        ++pos_;
      }
      if (!SkipValue(depth + 1)) return false;
    }
  }
  if (c == '-' || (c >= '0' && c <= '9')) return SkipNumber();
  for (std::string_view word : {"true", "false", "null"}) {
    if (s_.substr(pos_, word.size()) == word) {
      pos_ += word.size();
      return true;
    }
  }
  return false;
}

bool JsonReader::Skip(std::string_view* span) {
  if (failed_) return false;
  SkipSpace();
  const size_t start = pos_;
  if (!SkipValue(depth_)) return Fail();
  *span = s_.substr(start, pos_ - start);
  return true;
}

bool JsonReader::AtEnd() {
  if (failed_ || depth_ != 0) return false;
  SkipSpace();
  return pos_ == s_.size();
}

}  // namespace amanat::vault
