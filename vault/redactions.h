// Redactions kept in a vault: making one (RedactItem) and finding the records that
// `verify-redaction` checks (docs/format/provenance.md, "Redaction"). The pure parts — spans,
// markers, commitments, streaming verification — are in vault/redaction.h. Not thread-safe.
#ifndef AMANAT_VAULT_REDACTIONS_H_
#define AMANAT_VAULT_REDACTIONS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/status.h"
#include "vault/event.h"
#include "vault/items.h"
#include "vault/redaction.h"
#include "vault/vault.h"

namespace amanat::vault {

// Redaction reads the whole text into memory (to find terms and check character
// boundaries); larger items are refused. Verification streams and has no such limit.
inline constexpr uint64_t kMaxRedactableBytes = 64ULL << 20;

// Text in ordinary memory that is wiped when it goes. Move-only.
class PlainText {
 public:
  PlainText() = default;
  explicit PlainText(std::string s) : s_(std::move(s)) {}
  ~PlainText();
  PlainText(PlainText&& o) noexcept : s_(std::move(o.s_)) { o.s_.clear(); }
  PlainText& operator=(PlainText&&) = delete;
  PlainText(const PlainText&) = delete;
  PlainText& operator=(const PlainText&) = delete;
  std::string_view view() const { return s_; }

 private:
  std::string s_;
};

// The content of `item` (re-hashed on the way). kInvalidInput if it is larger than 64 MiB or
// not valid UTF-8. REQUIRES: the actor may read `item`.
Result<PlainText> ReadTextItem(Vault& vault, const ItemInfo& item);

struct RedactResult {
  IngestResult item;  // the redacted derivative
  RedactionRecord record;
};

// Stores the redacted text of `original` (whose content is `text`) as a derived item,
// records a derive event (relation "redaction") that commits to the record's SHA-256, stores
// record and salts, and commits. `meta` as for DeriveItem.
// REQUIRES: CheckSpans(text, spans).ok(); no open transaction.
Result<RedactResult> RedactItem(Vault& vault, const ItemInfo& original, std::string_view text,
                                const std::vector<Span>& spans, const ItemMetadata& meta);

struct StoredRedaction {
  uint64_t sequence = 0;  // the derive event
  Bytes record_bytes;     // exactly as committed to
  RedactionRecord record;
  std::vector<Salt> salts;
};

// Stored redactions whose redacted item is `redacted_id` or whose original is `original_id`,
// oldest first. Each record is checked against its signed derive event (kVerifyFailed if
// they differ).
Result<std::vector<StoredRedaction>> FindRedactions(Vault& vault, const std::string& redacted_id,
                                                    const std::string& original_id);

// OK if `ev` (a parsed custody event) is the derive event that commits to `record_bytes`:
// action derive, relation redaction, subject and parent as the record names them, and
// details.redaction.record_sha256 = SHA-256(record_bytes). kVerifyFailed naming the difference.
Status CheckRedactionEvent(const Event& ev, ByteView record_bytes, const RedactionRecord& record);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_REDACTIONS_H_
