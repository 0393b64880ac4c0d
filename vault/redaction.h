// Verifiable redaction of UTF-8 text (docs/format/provenance.md, "Redaction").
//
// A redaction replaces chosen spans of an original text by visible markers
// "[REDACTED:<reason>]". Its record (format amanat-redaction/1) lists, for each span, the
// byte offsets into the original, the reason, and a commitment SHA-256(salt ‖ span bytes)
// under a random 32-byte salt. The record names the original and redacted items by SHA-256
// and contains no removed text; the salts stay in the vault. Anyone holding the original and
// the record can rebuild the redacted text byte for byte; whoever also holds the salts can
// check each commitment, or open one span to a court without the rest.
//
// This file is pure: no vault, no I/O beyond the ReadFns given. Thread-compatible.
#ifndef AMANAT_VAULT_REDACTION_H_
#define AMANAT_VAULT_REDACTION_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/status.h"
#include "vault/items.h"

namespace amanat::vault {

inline constexpr char kRedactionFormat[] = "amanat-redaction/1";
inline constexpr char kRedactionMarker[] = "[REDACTED:{reason}]";
inline constexpr char kDefaultReason[] = "identity";
inline constexpr size_t kSaltBytes = 32;
inline constexpr size_t kMaxSpans = 100000;
using Salt = std::array<uint8_t, kSaltBytes>;

// A byte range [start, end) of the original, and why it is removed.
struct Span {
  uint64_t start = 0;
  uint64_t end = 0;
  std::string reason = kDefaultReason;
  bool operator==(const Span&) const = default;
};

struct RedactionSpan {
  Span span;
  Digest commitment{};  // SHA-256(salt ‖ original[start, end))
};

struct RedactionRecord {
  std::string original;  // item ID (hex SHA-256) of the original
  std::string redacted;  // item ID of the redacted text
  std::vector<RedactionSpan> spans;

  // Canonical JSON: sorted keys, no whitespace, one line. The derive event commits to
  // SHA-256 of exactly these bytes.
  std::string Serialize() const;
  // Strict: exact field set, formats, sorted non-overlapping non-empty spans, known marker.
  // kVerifyFailed naming the problem.
  static Result<RedactionRecord> Parse(ByteView text);
};

// Lowercase letters, digits and '-', 1 to 32 characters.
bool IsValidReason(std::string_view reason);
// "[REDACTED:<reason>]".
std::string Marker(std::string_view reason);

// Parses "START:END[:REASON],..." (END exclusive; REASON defaults to `reason`). Does not
// check the spans against a text; see CheckSpans. kInvalidInput naming the bad entry.
Result<std::vector<Span>> ParseSpanList(std::string_view list, const std::string& reason);

// kInvalidInput unless `text` is valid UTF-8 and `spans` are non-empty, sorted,
// non-overlapping, inside the text and on character boundaries.
Status CheckSpans(std::string_view text, const std::vector<Span>& spans);

struct TermMatch {
  std::vector<Span> spans;        // sorted, overlapping matches merged
  std::vector<size_t> unmatched;  // 1-based line numbers of terms found nowhere
};

// Parses a terms file: one term per line, UTF-8; blank lines and lines starting with '#'
// skipped; spaces, tabs and a CR trimmed at both ends; a UTF-8 byte order mark allowed.
// Returns (line number, term) pairs. kInvalidInput for bad UTF-8 or no term at all.
Result<std::vector<std::pair<size_t, std::string>>> ParseTerms(std::string_view file);

// Every occurrence of every term in `text`. Matching ignores ASCII case only (other letters
// must match exactly). With `whole_words`, a match must not touch a letter or digit on either
// side (ASCII letters and digits, and any non-ASCII character outside the punctuation and
// symbol blocks count as letters), so "Ali" does not match inside "Alim".
TermMatch FindTerms(std::string_view text, const std::vector<std::pair<size_t, std::string>>& terms,
                    const std::string& reason, bool whole_words);

// The redacted text: `text` with each span replaced by Marker(reason).
// REQUIRES: CheckSpans(text, spans).ok().
std::string ApplySpans(std::string_view text, const std::vector<Span>& spans);

// Commitments for `spans` of `text` under fresh random salts.
std::vector<RedactionSpan> CommitSpans(std::string_view text, const std::vector<Span>& spans,
                                       std::vector<Salt>& salts);

struct RedactionCheck {
  uint64_t original_bytes = 0;
  uint64_t redacted_bytes = 0;
  bool commitments_checked = false;
};

// Streams `original` and `redacted` and proves that `redacted` is exactly `original` with the
// record's spans replaced by their markers: byte equality everywhere, spans on character
// boundaries. With `salts` (one per span), also checks every commitment. kVerifyFailed naming
// the first difference (byte offset in the redacted text) or the span whose commitment fails.
// Memory stays flat whatever the sizes.
Result<RedactionCheck> VerifyRedaction(const RedactionRecord& record,
                                       const std::vector<Salt>* salts, const ReadFn& original,
                                       const ReadFn& redacted);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_REDACTION_H_
