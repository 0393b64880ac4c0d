// Custody events: what one entry of the custody log says, and its exact signed bytes
// (docs/format/custody-log.md).
//
// An entry is a DSSE envelope (payloadType application/vnd.in-toto+json) whose payload is an
// in-toto Statement v1: `subject` lists the item digests the event is about and `predicate`
// is the custody event. The entry's bytes are produced once, signed, stored and never
// re-serialised; readers parse them strictly and check every field.
#ifndef AMANAT_VAULT_EVENT_H_
#define AMANAT_VAULT_EVENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/bytes.h"
#include "crypto/ed25519.h"
#include "crypto/status.h"

namespace amanat::vault {

inline constexpr char kDssePayloadType[] = "application/vnd.in-toto+json";
inline constexpr char kStatementType[] = "https://in-toto.io/Statement/v1";
inline constexpr char kCustodyPredicateType[] = "https://amanat.dev/custody-event/v1";
inline constexpr size_t kMaxEntryBytes = 1 << 20;
// previous-entry hash of the first event
inline constexpr char kNoPrevious[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

struct Event {
  uint64_t sequence = 0;
  std::string previous = kNoPrevious;  // hex SHA-256 of the previous entry's bytes
  std::string time;                    // UTC, RFC 3339 "YYYY-MM-DDTHH:MM:SSZ"
  std::string vault;                   // origin of the vault whose log this is
  std::string actor;                   // custodian name
  std::string actor_key_id;            // KeyId() of the custodian's signing key
  std::string action;                  // init, ingest, access, ...
  std::vector<std::string> subjects;   // item IDs (hex SHA-256)
  std::string purpose;
  std::string tool_name = "amanat";
  std::string tool_version;
  std::vector<std::string> parents;    // item IDs a derived item comes from
  nlohmann::json details = nlohmann::json::object();

  nlohmann::json ToJson() const;  // the in-toto Statement
};

// How messages name an entry of the log: "custody event <seq>".
std::string EventName(uint64_t seq);

// A custodian key's ID: hex of the first 8 bytes of SHA-256(public key).
std::string KeyId(const crypto::Ed25519PublicKey& pk);

// DSSE pre-authentication encoding: "DSSEv1 <len> <type> <len> <payload>".
Bytes Pae(std::string_view payload_type, ByteView payload);

struct EntrySignature {
  std::string key_id;
  crypto::Ed25519Signature sig{};
};

// A parsed entry: the decoded event, the payload exactly as signed and the signatures.
struct ParsedEntry {
  Event event;
  Bytes pae;  // Pae(kDssePayloadType, payload): the signed message
  size_t payload_offset = 0;
  std::vector<EntrySignature> signatures;

  ByteView payload() const { return ByteView(pae).subspan(payload_offset); }
};

// A signature made but not yet checked: see SignEntry.
struct PendingSignature {
  Bytes pae;
  crypto::Ed25519PublicKey public_key{};
  crypto::Ed25519Signature sig{};
};

// Serialises `event`, signs it with every key in `signers` (in order) and returns the entry.
// With `pending`, signatures are made without the sign-then-verify check and appended to
// `pending` instead, for the caller to verify in a batch before the entry is committed.
Bytes SignEntry(const Event& event, const std::vector<const crypto::Ed25519KeyPair*>& signers,
                std::vector<PendingSignature>* pending = nullptr);

// Strict parse: bounded size, exact field set, types and formats. kVerifyFailed naming the
// problem. Does not check signatures (the key history decides which key must have signed).
Result<ParsedEntry> ParseEntry(ByteView entry);
// The same, into `out`, whose strings and buffers it reuses: for a reader of many entries.
// After a failure `out` holds part of the entry and must not be used.
Status ParseEntryInto(ByteView entry, ParsedEntry& out);

// True if `sig` is a valid signature over the entry's PAE by `pk`.
bool VerifyEntrySignature(const ParsedEntry& entry, const EntrySignature& sig,
                          const crypto::Ed25519PublicKey& pk);

bool IsKnownAction(std::string_view action);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_EVENT_H_
