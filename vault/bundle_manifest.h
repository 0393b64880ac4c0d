// manifest.json of an evidence bundle (docs/format/bundle.md, "manifest.json";
// schemas/bundle-manifest.schema.json): what the bundle holds, signed as a whole by the
// exporting custodian (manifest.json.minisig). Because the signature covers the lists of
// items, events, received sections and files, dropping or adding any of them is detected even
// when what remains verifies on its own.
#ifndef AMANAT_VAULT_BUNDLE_MANIFEST_H_
#define AMANAT_VAULT_BUNDLE_MANIFEST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/bytes.h"
#include "crypto/ed25519.h"
#include "crypto/status.h"

namespace amanat::vault {

inline constexpr char kBundleFormat[] = "amanat-bundle/1";

// One custody entry included in the bundle: its sequence number and hex SHA-256 of its bytes.
struct EventRef {
  uint64_t sequence = 0;
  std::string sha256;
  bool operator==(const EventRef&) const = default;
};

// An item whose content a field vault sealed to HQ (init --seal-content): the bundle carries
// items/<id>.age, exactly the stored age file, instead of items/<id>. "sealed" in the JSON.
struct SealedItemRef {
  std::string format;  // "age"
  std::string sha256;  // of the member
  uint64_t size = 0;   // of the member
  std::string to;      // the age recipient it is encrypted to (HQ's identity key), "age1…"
  bool operator==(const SealedItemRef&) const = default;
};

struct BundleItem {
  std::string id;  // hex SHA-256 of the content
  uint64_t size = 0;
  std::string kind;
  std::string media_type;
  nlohmann::json metadata = nlohmann::json::object();  // as stored: pseudonyms, never names
  std::optional<SealedItemRef> sealed;
  std::string Path() const;  // items/<id>, or items/<id>.age when sealed
};

// An item derived from another, from a signed event's `parents`.
struct ProvenanceEdge {
  std::string parent;
  std::string child;
  std::string relation;  // details.relation of the event, or ""
  std::string origin;    // the log the event is in
  uint64_t event = 0;
  bool operator==(const ProvenanceEdge&) const = default;
};

// A member other than the items and the three files that cannot list themselves.
struct FileRef {
  std::string path;
  std::string sha256;
  uint64_t size = 0;
};

// A witness identity record carried in the bundle (export --include-identities), with the
// signed witness-add event of the bundle's own log that recorded it. Two forms:
//   sealed (format ""): identities/<pseudonym>.sealed, exactly as stored, sealed to the
//     identity key `sealed_to`; its SHA-256 must be the event's sealed_sha256.
//   age (format "age", with --to): identities/<pseudonym>.age, the record opened and encrypted
//     to the age recipients `age_to`; in the JSON, "sha256" and "sealed_to" (a list).
//     A record the exporting vault received from another vault (received_from set): `event`
//     is instead the exporter's signed unseal event that opened it, and `received_event` the
//     witness-add event of the received section of log `received_from`.
struct IdentityRef {
  std::string pseudonym;
  std::string sealed_sha256;  // SHA-256 of the member, whichever the form
  std::string sealed_to;      // sealed: base64 of the X25519 identity public key
  uint64_t event = 0;
  std::string format;                 // "" (sealed) or "age"
  std::vector<std::string> age_to;    // age: the recipients, "age1…"
  std::string received_from;          // age, received record: the sealing vault's origin
  uint64_t received_event = 0;        // age, received record: its witness-add there
  std::string Path() const;           // the member
  bool operator==(const IdentityRef&) const = default;
};
inline constexpr char kAgeIdentityFormat[] = "age";

// A redacted item carried in place of its original (export --redacted): the member
// redactions/<item>.json holds the record its derive event `event` commits to.
struct RedactionRef {
  std::string item;      // the redacted item (in the bundle)
  std::string original;  // the original (not in the bundle)
  std::string record_sha256;
  uint64_t event = 0;
  bool operator==(const RedactionRef&) const = default;
};

// Custody records of another vault, received in an imported bundle and passed on.
struct ReceivedSection {
  std::string path;     // "custody/received/<n>"
  std::string origin;
  std::string log_key;  // the other log's verifier key text
  uint64_t checkpoint_size = 0;
  Digest checkpoint_root{};
  std::vector<EventRef> events;
};

// A trusted timestamp (RFC 3161) of one of the exporting log's checkpoints, carried in
// timestamps/ (docs/format/bundle.md, "timestamps/"). The token covers the checkpoint of
// `checkpoint_size`, which custody/proofs.json shows the bundle's checkpoint extends.
struct TimestampRef {
  uint64_t checkpoint_size = 0;  // the checkpoint it covers: custody events 0 .. size - 1
  uint64_t event = 0;            // the "timestamp" custody event that recorded it
  std::string token;             // "timestamps/<stem>.tsr": the TSA's response as received
  std::string chain;             // "timestamps/<stem>.chain.pem": the certificates it was checked with
  std::string checkpoint;        // "timestamps/<stem>.checkpoint": the signed checkpoint note
  bool operator==(const TimestampRef&) const = default;
};

struct Manifest {
  std::string format = kBundleFormat;
  std::string created;  // the export event's time (UTC)
  std::string purpose;
  std::string tool_version;
  std::string exporter;  // custodian name
  std::string exporter_key_id;
  crypto::Ed25519PublicKey exporter_public_key{};
  std::string origin;   // the exporting vault's log
  std::string log_key;  // its verifier key text
  uint64_t export_event = 0;
  uint64_t checkpoint_size = 0;
  Digest checkpoint_root{};
  std::vector<BundleItem> items;
  std::vector<ProvenanceEdge> provenance;
  std::vector<EventRef> events;
  std::vector<ReceivedSection> received;
  // Written only when not empty, so that a bundle without tokens is read by an Amanat that
  // knows nothing of them; absent reads as empty.
  std::vector<TimestampRef> timestamps;
  std::vector<FileRef> files;
  // Only with --include-identities; "identities" is then in the JSON after "files" (absent
  // otherwise, so that bundles without identities are as before).
  std::vector<IdentityRef> identities;
  // Only with --redacted; "redactions" is then in the JSON after "identities" (or "files").
  std::vector<RedactionRef> redactions;

  // Pretty-printed JSON (fields in the order above) with a final newline.
  std::string Serialize() const;
  // Strict: exact fields and types, formats of IDs, hashes and keys; kInvalidInput naming
  // the field on any deviation. Does not check the signature.
  static Result<Manifest> Parse(std::string_view text);
};

// The comments of manifest.json.minisig. Both are fixed by the manifest, so that a changed
// byte anywhere in the signature file is detected, the unsigned first line included.
std::string ManifestTrustedComment(const Manifest& m);
std::string ManifestUntrustedComment(const Manifest& m);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_BUNDLE_MANIFEST_H_
