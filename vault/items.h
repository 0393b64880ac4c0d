// Items: immutable content under its SHA-256, stored in 1 MiB chunks, streamed in and out
// with flat memory whatever the size (docs/format/vault.md, "Items").
#ifndef AMANAT_VAULT_ITEMS_H_
#define AMANAT_VAULT_ITEMS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/bytes.h"
#include "crypto/status.h"
#include "vault/vault.h"

namespace amanat::vault {

inline constexpr size_t kChunkSize = 1 << 20;

// Reads up to `n` bytes into `buf`; returns 0 at end of input.
using ReadFn = std::function<Result<size_t>(uint8_t* buf, size_t n)>;
// Consumes the next piece of output.
using WriteFn = std::function<Status(ByteView data)>;
// Called now and then with the number of bytes done so far.
using ProgressFn = std::function<void(uint64_t done)>;

// What a collector says about an item at ingest. Empty strings mean "not given".
struct ItemMetadata {
  std::string kind = "other";  // testimony, audio, video, image, document, other
  std::string filename;        // original file name (base name only)
  std::string title;
  std::string lang;
  std::string captured_at;     // RFC 3339 date or date-time
  std::string place;           // free text, may be coarse
  std::string witness;         // a pseudonym such as W-7K3F9Q, never a name
  std::vector<std::string> tags;
  std::string note;
  std::string confidentiality;  // free label, e.g. "restricted"

  // kInvalidInput naming the field that is malformed.
  Status Validate() const;
  nlohmann::json ToJson() const;
};

// Content sealed to HQ (a field vault made with `init --seal-content`; docs/format/hq-keys.md,
// "Sealed content"): the item's blob holds an age file encrypted to HQ's identity key instead
// of the plaintext. The item's ID and size stay the plaintext's; these describe the stored
// bytes.
inline constexpr char kSealedFormat[] = "age";
struct SealedContent {
  std::string format = kSealedFormat;
  std::string sha256;  // of the stored (age) bytes, lowercase hex
  uint64_t size = 0;   // of the stored bytes
  nlohmann::json ToJson() const;  // {"format", "sha256", "size"}, as in the signed events
  bool operator==(const SealedContent&) const = default;
};

struct ItemInfo {
  std::string id;  // 64 lowercase hex digits
  uint64_t size = 0;
  std::string kind;
  std::string media_type;
  std::string ingested_at;
  nlohmann::json metadata;  // ItemMetadata::ToJson() of the first ingest, plus "collector"
  int64_t blob_id = 0;
  std::optional<SealedContent> sealed;  // set when the blob holds content sealed to HQ
};

struct IngestResult {
  ItemInfo item;
  bool already_present = false;  // same bytes were stored before; nothing new was stored
  uint64_t sequence = 0;         // the custody event that recorded it
};

// The event that records a stored item: `ingest` for IngestItem; `derive` (with the parents
// and the derivation's details: relation, tool, ...) for vault/provenance.h.
struct StoreEvent {
  std::string action = "ingest";
  std::vector<std::string> parents;
  nlohmann::json details = nlohmann::json::object();  // merged into the event's details
};

bool IsValidKind(std::string_view kind);
bool IsValidPseudonym(std::string_view p);

// In a vault made with `init --seal-content`, every way of storing new content below
// (except StoreReceivedItem of an item HQ unsealed, at HQ) streams the plaintext once,
// hashing it for the ID while encrypting it to HQ's identity key, and stores only the age
// bytes; the event records them as details.sealed (SealedContent::ToJson()).

// Streams `read` into the vault and records a signed ingest event, inside a savepoint of the
// caller's open transaction: a failure midway rolls back to the savepoint and leaves no
// trace, and what the transaction held before stays. Same bytes twice are stored once (the
// second ingest is still recorded as an event). The caller commits with Vault::Commit; the
// item exists only once that commit succeeds.
// REQUIRES: an open Transaction on vault.db().
Result<IngestResult> IngestItem(Vault& vault, const ReadFn& read, const ItemMetadata& meta,
                                const ProgressFn& progress);

// As IngestItem, for content of at most one chunk held in memory, whose media type
// (libmagic's answer for its first bytes) was detected already, e.g. on another thread by
// vault/add_files.h. Without a savepoint, which for small items is a large part of the cost
// (SQLCipher encrypts every page it saves for the savepoint): on failure the caller must roll
// back the whole transaction.
// REQUIRES: an open Transaction on vault.db().
Result<IngestResult> IngestWholeItem(Vault& vault, ByteView content, const ItemMetadata& meta,
                                     const std::string& media_type);

// As IngestItem, recorded by `event` instead of a plain ingest event.
Result<IngestResult> StoreItem(Vault& vault, const ReadFn& read, const ItemMetadata& meta,
                               const ProgressFn& progress, const StoreEvent& event);

// What a signed record from elsewhere (an imported bundle's manifest) says about an item.
struct ReceivedItem {
  std::string id;
  uint64_t size = 0;
  std::string kind;
  std::string media_type;
  nlohmann::json metadata;  // as the record gives it
};

// Streams `read` into the vault as the content of `item`, re-hashing it, inside a savepoint of
// the caller's open transaction, with the record's description and without an ingest event:
// the caller records the event that brought it (import). kVerifyFailed if the bytes do not
// hash to item.id or have another size (nothing is stored). If the item is already stored,
// reads nothing and returns it with already_present set.
// REQUIRES: an open Transaction on vault.db().
Result<IngestResult> StoreReceivedItem(Vault& vault, const ReadFn& read, const ReceivedItem& item,
                                       const ProgressFn& progress);

// Resolves a full ID or a unique prefix of at least 8 hex digits. kNotFound when nothing
// matches; kInvalidInput for a malformed or ambiguous reference (listing the candidates).
Result<ItemInfo> ResolveItem(Vault& vault, std::string_view ref);

// Every item, oldest ingest first, optionally of one kind.
Result<std::vector<ItemInfo>> ListItems(Vault& vault, const std::string& kind);

// Records later metadata for an item as a signed annotate event (the item and its ingest
// record never change) and commits it. `changes` holds only the fields given; kind and
// filename cannot be annotated. kInvalidInput if nothing is given or a field is malformed.
Status AnnotateItem(Vault& vault, const ItemInfo& item, const ItemMetadata& changes);

// The annotations recorded for an item, oldest first: each {"sequence", "time",
// "custodian", "changes"}.
Result<nlohmann::json> ItemAnnotations(Vault& vault, const ItemInfo& item);

// Records an access event (who read what, why) and commits it with a new checkpoint, before
// any content leaves the vault.
Status RecordAccess(Vault& vault, const ItemInfo& item, const std::string& operation,
                    const std::string& purpose);

// Streams the item's content to `write`, hashing on the way. kVerifyFailed if the stored
// bytes do not hash to the item's ID (detected at the end; the caller must discard output).
// kAuthFailed (RequireOpenable's message) for content sealed to HQ, before any byte.
Status ExtractItem(Vault& vault, const ItemInfo& item, const WriteFn& write,
                   const ProgressFn& progress);

// kAuthFailed if the item's content is sealed to HQ and so cannot be opened in this vault:
// "item <id8>… is sealed to HQ (<HQ origin>): its content cannot be opened in this vault".
// Commands that would read plaintext call it before recording any access.
Status RequireOpenable(Vault& vault, const ItemInfo& item);

// Streams the item's stored bytes exactly as stored (for sealed content: the age file) to
// `write`, checking them against the sealed record (kVerifyFailed on a mismatch, detected at
// the end). REQUIRES: item.sealed.
Status ExtractSealedItem(Vault& vault, const ItemInfo& item, const WriteFn& write,
                         const ProgressFn& progress);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_ITEMS_H_
