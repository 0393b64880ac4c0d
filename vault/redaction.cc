#include "vault/redaction.h"

#include <algorithm>
#include <charconv>
#include <memory>
#include <nlohmann/json.hpp>

#include "crypto/encoding.h"
#include "crypto/secret.h"
#include "crypto/sha256.h"
#include "vault/text.h"

namespace amanat::vault {
namespace {

using nlohmann::json;

constexpr size_t kMaxRecordBytes = 16 << 20;
constexpr size_t kStreamChunk = 64 * 1024;

bool IsContinuation(uint8_t b) { return (b & 0xC0) == 0x80; }

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// Decodes the character starting at s[i] (which must start one in valid UTF-8).
uint32_t CodePointAt(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t c = b(i);
  if (c < 0x80) return c;
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
  uint32_t cp = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
  for (size_t k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (b(i + k) & 0x3F);
  return cp;
}

// Letters and digits for whole-word matching: ASCII alphanumerics, and every non-ASCII
// character outside the blocks of punctuation, symbols, spaces and emoji. Erring towards
// "letter" only makes a whole-word match less likely next to an unusual symbol; the opposite
// error would cut a word in two.
bool IsWordChar(uint32_t cp) {
  if (cp < 0x80)
    return (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z');
  struct Range {
    uint32_t lo, hi;
  };
  static constexpr Range kNotWord[] = {
      {0x0080, 0x00BF}, {0x00D7, 0x00D7},   {0x00F7, 0x00F7},  // Latin-1 punctuation, × ÷
      {0x037E, 0x037E}, {0x0387, 0x0387},                      // Greek punctuation
      {0x055A, 0x055F}, {0x0589, 0x058A},                      // Armenian
      {0x05BE, 0x05BE}, {0x05C0, 0x05C0},   {0x05C3, 0x05C3}, {0x05F3, 0x05F4},  // Hebrew
      {0x060C, 0x060D}, {0x061B, 0x061F},   {0x066A, 0x066D}, {0x06D4, 0x06D4},  // Arabic
      {0x0964, 0x0965},                                                          // Devanagari danda
      {0x2000, 0x2BFF},                    // spaces, punctuation, currency, arrows, maths, shapes
      {0x2E00, 0x2E7F},                    // supplemental punctuation
      {0x3000, 0x303F},                    // CJK symbols and punctuation
      {0xFE10, 0xFE1F}, {0xFE30, 0xFE6F},  // CJK compatibility forms
      {0xFF00, 0xFF0F}, {0xFF1A, 0xFF20},   {0xFF3B, 0xFF40}, {0xFF5B, 0xFF65},  // fullwidth
      {0xFFF0, 0xFFFF}, {0x1F000, 0x1FAFF},                                      // specials, emoji
  };
  for (const Range& r : kNotWord) {
    if (cp >= r.lo && cp <= r.hi) return false;
  }
  return true;
}

// True if the match text[start, end) does not touch a word character on either side.
bool IsWholeWord(std::string_view text, size_t start, size_t end) {
  if (start > 0) {
    size_t p = start - 1;
    while (p > 0 && IsContinuation(static_cast<uint8_t>(text[p]))) --p;
    if (IsWordChar(CodePointAt(text, p))) return false;
  }
  if (end < text.size() && IsWordChar(CodePointAt(text, end))) return false;
  return true;
}

Status BadRecord(const std::string& what) { return VerifyFailed("redaction record: " + what); }

bool HasExactKeys(const json& j, std::initializer_list<const char*> keys) {
  if (!j.is_object() || j.size() != keys.size()) return false;
  for (const char* k : keys) {
    if (!j.contains(k)) return false;
  }
  return true;
}

bool IsHex64(const json& j) {
  return j.is_string() && j.get_ref<const std::string&>().size() == 64 &&
         crypto::IsLowerHex(j.get_ref<const std::string&>());
}

// Reads the redacted text piece by piece and compares it with what the original and the
// spans say it must be.
class Comparer {
 public:
  explicit Comparer(const ReadFn& read) : read_(read), buf_(new uint8_t[kStreamChunk]) {}
  ~Comparer() { crypto::Wipe(buf_.get(), kStreamChunk); }

  // OK if the next bytes of the redacted text are exactly `want`.
  Status Expect(ByteView want, const std::string& where) {
    while (!want.empty()) {
      if (pos_ == len_) {
        ASSIGN_OR_RETURN(len_, read_(buf_.get(), kStreamChunk));
        pos_ = 0;
        if (len_ == 0) {
          return VerifyFailed("the redacted text ends at byte " + std::to_string(offset_) +
                              ", before the original with the recorded spans removed does" + where);
        }
        hash_.Update(ByteView(buf_.get(), len_));
      }
      size_t n = std::min(want.size(), len_ - pos_);
      for (size_t i = 0; i < n; ++i) {
        if (buf_[pos_ + i] != want[i]) {
          return VerifyFailed(
              "the redacted text differs from the original with the recorded "
              "spans removed, at byte " +
              std::to_string(offset_ + i) + where);
        }
      }
      pos_ += n;
      offset_ += n;
      want = want.subspan(n);
    }
    return OkStatus();
  }

  // OK if nothing is left; returns the digest of all of it.
  Result<Digest> Finish() {
    if (pos_ == len_) {
      ASSIGN_OR_RETURN(len_, read_(buf_.get(), kStreamChunk));
      pos_ = 0;
      if (len_ > 0) hash_.Update(ByteView(buf_.get(), len_));
    }
    if (len_ != 0) {
      return VerifyFailed("the redacted text has more bytes after byte " + std::to_string(offset_) +
                          " than the original with the recorded spans removed");
    }
    return hash_.Finish();
  }

  uint64_t offset() const { return offset_; }

 private:
  const ReadFn& read_;
  std::unique_ptr<uint8_t[]> buf_;
  size_t pos_ = 0, len_ = 0;
  uint64_t offset_ = 0;
  crypto::Sha256 hash_;
};

}  // namespace

bool IsValidReason(std::string_view reason) {
  return !reason.empty() && reason.size() <= 32 &&
         std::all_of(reason.begin(), reason.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
         });
}

std::string Marker(std::string_view reason) { return "[REDACTED:" + std::string(reason) + "]"; }

std::string RedactionRecord::Serialize() const {
  json spans_json = json::array();
  for (const auto& s : spans) {
    spans_json.push_back({{"start", s.span.start},
                          {"end", s.span.end},
                          {"reason", s.span.reason},
                          {"commitment", crypto::HexEncode(s.commitment)}});
  }
  json j = {{"format", kRedactionFormat},
            {"marker", kRedactionMarker},
            {"original", original},
            {"redacted", redacted},
            {"spans", spans_json}};
  return j.dump();
}

Result<RedactionRecord> RedactionRecord::Parse(ByteView text) {
  if (text.size() > kMaxRecordBytes) return BadRecord("larger than 16 MiB");
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !HasExactKeys(j, {"format", "marker", "original", "redacted", "spans"})) {
    return BadRecord("not an amanat-redaction/1 object");
  }
  if (j["format"] != kRedactionFormat) return BadRecord("unknown format");
  if (j["marker"] != kRedactionMarker) return BadRecord("unknown marker");
  if (!IsHex64(j["original"]) || !IsHex64(j["redacted"])) return BadRecord("item IDs");
  RedactionRecord r;
  r.original = j["original"].get<std::string>();
  r.redacted = j["redacted"].get<std::string>();
  const json& spans = j["spans"];
  if (!spans.is_array() || spans.empty() || spans.size() > kMaxSpans) return BadRecord("spans");
  uint64_t last_end = 0;
  for (size_t i = 0; i < spans.size(); ++i) {
    const json& s = spans[i];
    const std::string where = "span " + std::to_string(i + 1);
    if (!HasExactKeys(s, {"start", "end", "reason", "commitment"}) ||
        !s["start"].is_number_unsigned() || !s["end"].is_number_unsigned() ||
        !s["reason"].is_string() || !IsHex64(s["commitment"])) {
      return BadRecord(where + " is malformed");
    }
    RedactionSpan rs;
    rs.span.start = s["start"].get<uint64_t>();
    rs.span.end = s["end"].get<uint64_t>();
    rs.span.reason = s["reason"].get<std::string>();
    if (!IsValidReason(rs.span.reason)) return BadRecord(where + " has a malformed reason");
    if (rs.span.end <= rs.span.start || (i > 0 && rs.span.start < last_end)) {
      return BadRecord(where + " is empty, out of order or overlaps the one before");
    }
    last_end = rs.span.end;
    auto c = crypto::HexDecodeFixed<32>(s["commitment"].get<std::string>());
    rs.commitment = *c;
    r.spans.push_back(std::move(rs));
  }
  return r;
}

Result<std::vector<Span>> ParseSpanList(std::string_view list, const std::string& reason) {
  std::vector<Span> out;
  if (list.empty()) return InvalidInput("--spans is empty");
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = std::min(list.find(',', start), list.size());
    std::string_view entry = list.substr(start, comma - start);
    const std::string where = "--spans entry " + std::to_string(out.size() + 1);
    Span s;
    s.reason = reason;
    size_t c1 = entry.find(':');
    if (c1 == std::string_view::npos) return InvalidInput(where + " is not START:END");
    size_t c2 = entry.find(':', c1 + 1);
    std::string_view a = entry.substr(0, c1);
    std::string_view b =
        entry.substr(c1 + 1, c2 == std::string_view::npos ? std::string_view::npos : c2 - c1 - 1);
    auto num = [](std::string_view t, uint64_t& v) {
      auto r = std::from_chars(t.data(), t.data() + t.size(), v);
      return !t.empty() && r.ec == std::errc() && r.ptr == t.data() + t.size();
    };
    if (!num(a, s.start) || !num(b, s.end)) {
      return InvalidInput(where + ": START and END must be byte offsets (decimal)");
    }
    if (c2 != std::string_view::npos) s.reason = std::string(entry.substr(c2 + 1));
    if (!IsValidReason(s.reason)) {
      return InvalidInput(where + ": a reason is 1-32 lowercase letters, digits or '-'");
    }
    out.push_back(std::move(s));
    if (out.size() > kMaxSpans) return InvalidInput("more than 100000 spans");
    start = comma + 1;
  }
  return out;
}

Status CheckSpans(std::string_view text, const std::vector<Span>& spans) {
  if (!IsValidUtf8(text))
    return InvalidInput("only UTF-8 text can be redacted; this item is not valid UTF-8");
  if (spans.empty()) return InvalidInput("nothing to redact: no spans");
  if (spans.size() > kMaxSpans) return InvalidInput("more than 100000 spans");
  const auto byte = [&](uint64_t i) { return static_cast<uint8_t>(text[i]); };
  for (size_t i = 0; i < spans.size(); ++i) {
    const Span& s = spans[i];
    const std::string where = "span " + std::to_string(i + 1) + " (" + std::to_string(s.start) +
                              ":" + std::to_string(s.end) + ")";
    if (!IsValidReason(s.reason)) return InvalidInput(where + ": malformed reason");
    if (s.end <= s.start) return InvalidInput(where + " is empty or ends before it starts");
    if (s.end > text.size()) {
      return InvalidInput(where + " runs past the end of the text (" + std::to_string(text.size()) +
                          " bytes)");
    }
    if (i > 0 && s.start < spans[i - 1].end) {
      return InvalidInput(where + " overlaps or comes before the span before it")
          .WithHint("give spans sorted by position, without overlaps");
    }
    if (IsContinuation(byte(s.start)) || (s.end < text.size() && IsContinuation(byte(s.end)))) {
      return InvalidInput(where + " cuts a UTF-8 character in two")
          .WithHint("offsets are in bytes and must fall between characters");
    }
  }
  return OkStatus();
}

Result<std::vector<std::pair<size_t, std::string>>> ParseTerms(std::string_view file) {
  if (file.substr(0, 3) == "\xEF\xBB\xBF") file.remove_prefix(3);
  if (!IsValidUtf8(file)) return InvalidInput("the terms file is not valid UTF-8");
  std::vector<std::pair<size_t, std::string>> out;
  size_t line_no = 0, start = 0;
  while (start < file.size()) {
    size_t nl = std::min(file.find('\n', start), file.size());
    std::string_view line = file.substr(start, nl - start);
    start = nl + 1;
    ++line_no;
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) {
      line.remove_suffix(1);
    }
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    out.emplace_back(line_no, std::string(line));
  }
  if (out.empty()) return InvalidInput("the terms file has no terms (one per line)");
  return out;
}

TermMatch FindTerms(std::string_view text, const std::vector<std::pair<size_t, std::string>>& terms,
                    const std::string& reason, bool whole_words) {
  std::string folded(text);
  std::transform(folded.begin(), folded.end(), folded.begin(), AsciiLower);
  TermMatch out;
  std::vector<Span> found;
  for (const auto& [line, term] : terms) {
    std::string needle = term;
    std::transform(needle.begin(), needle.end(), needle.begin(), AsciiLower);
    bool any = false;
    for (size_t at = folded.find(needle); at != std::string::npos;
         at = folded.find(needle, at + 1)) {
      if (whole_words && !IsWholeWord(text, at, at + needle.size())) continue;
      found.push_back(Span{at, at + needle.size(), reason});
      any = true;
    }
    crypto::Wipe(needle.data(), needle.size());
    if (!any) out.unmatched.push_back(line);
  }
  crypto::Wipe(folded.data(), folded.size());
  std::sort(found.begin(), found.end(), [](const Span& a, const Span& b) {
    return a.start != b.start ? a.start < b.start : a.end > b.end;
  });
  for (const Span& s : found) {
    if (!out.spans.empty() && s.start < out.spans.back().end) {
      out.spans.back().end = std::max(out.spans.back().end, s.end);
    } else {
      out.spans.push_back(s);
    }
  }
  return out;
}

std::string ApplySpans(std::string_view text, const std::vector<Span>& spans) {
  std::string out;
  uint64_t pos = 0;
  for (const Span& s : spans) {
    out.append(text.substr(pos, s.start - pos));
    out.append(Marker(s.reason));
    pos = s.end;
  }
  out.append(text.substr(pos));
  return out;
}

std::vector<RedactionSpan> CommitSpans(std::string_view text, const std::vector<Span>& spans,
                                       std::vector<Salt>& salts) {
  std::vector<RedactionSpan> out;
  salts.clear();
  for (const Span& s : spans) {
    Salt salt = crypto::RandomArray<kSaltBytes>();
    crypto::Sha256 h;
    h.Update(salt);
    h.Update(AsBytes(text.substr(s.start, s.end - s.start)));
    out.push_back(RedactionSpan{s, h.Finish()});
    salts.push_back(salt);
  }
  return out;
}

Result<RedactionCheck> VerifyRedaction(const RedactionRecord& record,
                                       const std::vector<Salt>* salts, const ReadFn& original,
                                       const ReadFn& redacted) {
  const auto& spans = record.spans;
  if (salts != nullptr && salts->size() != spans.size()) {
    return VerifyFailed("redaction record: " + std::to_string(spans.size()) + " spans but " +
                        std::to_string(salts->size()) + " salts");
  }
  Comparer out(redacted);
  crypto::Sha256 original_hash, span_hash;
  std::unique_ptr<uint8_t[]> buf(new uint8_t[kStreamChunk]);
  struct WipeBuf {
    uint8_t* p;
    ~WipeBuf() { crypto::Wipe(p, kStreamChunk); }
  } wipe{buf.get()};
  uint64_t pos = 0;  // offset in the original
  size_t k = 0;      // next span (or the one we are inside)
  bool inside = false;
  bool check_boundary = false;  // the byte at `pos` must start a character (a span ended)
  const auto where = [&](size_t i) { return " (span " + std::to_string(i + 1) + ")"; };
  for (;;) {
    ASSIGN_OR_RETURN(size_t n, original(buf.get(), kStreamChunk));
    if (n == 0) break;
    original_hash.Update(ByteView(buf.get(), n));
    size_t i = 0;
    while (i < n) {
      if (check_boundary) {
        if (IsContinuation(buf[i])) {
          return VerifyFailed("span " + std::to_string(k) +
                              " ends inside a UTF-8 character of the original");
        }
        check_boundary = false;
      }
      if (!inside && k < spans.size() && pos == spans[k].span.start) {
        if (IsContinuation(buf[i])) {
          return VerifyFailed("span " + std::to_string(k + 1) +
                              " starts inside a UTF-8 character of the original");
        }
        RETURN_IF_ERROR(out.Expect(AsBytes(Marker(spans[k].span.reason)), where(k)));
        if (salts != nullptr) span_hash.Update((*salts)[k]);
        inside = true;
      }
      if (inside) {
        size_t take = static_cast<size_t>(std::min<uint64_t>(n - i, spans[k].span.end - pos));
        span_hash.Update(ByteView(buf.get() + i, take));
        i += take;
        pos += take;
        if (pos == spans[k].span.end) {
          Digest d = span_hash.Finish();
          if (salts != nullptr && d != spans[k].commitment) {
            return VerifyFailed("span " + std::to_string(k + 1) + " (" +
                                std::to_string(spans[k].span.start) + ":" +
                                std::to_string(spans[k].span.end) +
                                ") of the original does not match its commitment");
          }
          inside = false;
          ++k;
          check_boundary = true;
        }
        continue;
      }
      uint64_t until = k < spans.size() ? spans[k].span.start : UINT64_MAX;
      size_t take = static_cast<size_t>(std::min<uint64_t>(n - i, until - pos));
      RETURN_IF_ERROR(out.Expect(ByteView(buf.get() + i, take), ""));
      i += take;
      pos += take;
    }
  }
  if (inside || k < spans.size()) {
    return VerifyFailed("the original ends at byte " + std::to_string(pos) +
                        ", inside or before span " + std::to_string(k + 1) + " of the record");
  }
  RedactionCheck check;
  check.original_bytes = pos;
  ASSIGN_OR_RETURN(Digest redacted_digest, out.Finish());
  check.redacted_bytes = out.offset();
  if (crypto::HexEncode(original_hash.Finish()) != record.original) {
    return VerifyFailed("the original's SHA-256 is not the one the redaction record names");
  }
  if (crypto::HexEncode(redacted_digest) != record.redacted) {
    return VerifyFailed("the redacted text's SHA-256 is not the one the redaction record names");
  }
  check.commitments_checked = salts != nullptr;
  return check;
}

}  // namespace amanat::vault
