// The members of an evidence bundle and what each may hold (docs/format/bundle.md, "Layout"):
//
//   manifest.json                       what the bundle holds (vault/bundle_manifest.h)
//   manifest.json.minisig               the exporter's minisign signature of manifest.json
//   SHA256SUMS                          `sha256sum -c` list of every other member
//   README.txt                          how to verify, in plain language
//   items/<sha256>                      content, named by its SHA-256
//   items/<sha256>.age                  content sealed to HQ by a field vault (init
//                                       --seal-content): the stored age file, exactly
//   custody/events.jsonl                the signed entries, one per line, exactly as stored
//   custody/proofs.json                 inclusion and consistency proofs
//   custody/checkpoint                  the signed checkpoint the proofs refer to
//   custody/received/<n>/{events.jsonl,proofs.json,checkpoint,log.vkey}
//                                       custody records of another vault, passed on
//   identities/<pseudonym>.sealed       a witness identity record as sealed in the vault
//                                       (export --include-identities only)
//   identities/<pseudonym>.age          the same record opened and encrypted to age
//                                       recipients instead (export --include-identities --to)
//   redactions/<sha256>.json            the redaction record of a redacted item, exactly as its
//                                       derive event commits to it (export --redacted only)
//   keys/log.vkey                       the log's C2SP verifier key
//   keys/<custodian>-<key ID>.minisign.pub, keys/<custodian>-<key ID>.vkey
//                                       the public keys of custodians who signed
//   timestamps/<stem>.{tsr,chain.pem,checkpoint}
//                                       a trusted timestamp (RFC 3161) of an earlier checkpoint:
//                                       the TSA's response, its certificates, the checkpoint;
//                                       <stem> is <size>, or <size>-<n> (n >= 2) for the n-th
//                                       token of the same checkpoint
#ifndef AMANAT_VAULT_BUNDLE_LAYOUT_H_
#define AMANAT_VAULT_BUNDLE_LAYOUT_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "crypto/status.h"
#include "vault/bundle_manifest.h"

namespace amanat::vault {

inline constexpr char kManifestPath[] = "manifest.json";
inline constexpr char kManifestSigPath[] = "manifest.json.minisig";
inline constexpr char kSumsPath[] = "SHA256SUMS";
inline constexpr char kReadmePath[] = "README.txt";
inline constexpr char kEventsName[] = "events.jsonl";
inline constexpr char kProofsName[] = "proofs.json";
inline constexpr char kCheckpointName[] = "checkpoint";
inline constexpr char kCustodyDir[] = "custody";
inline constexpr char kLogKeyPath[] = "keys/log.vkey";
inline constexpr char kItemsDir[] = "items/";
inline constexpr char kReceivedDir[] = "custody/received/";
inline constexpr char kIdentitiesDir[] = "identities/";
inline constexpr char kIdentitySuffix[] = ".sealed";
inline constexpr char kAgeIdentitySuffix[] = ".age";
inline constexpr char kSealedItemSuffix[] = ".age";
inline constexpr char kRedactionsDir[] = "redactions/";
inline constexpr char kTimestampsDir[] = "timestamps/";

// Largest member of each kind read into memory. Items are streamed and have no limit.
inline constexpr size_t kMaxManifestBytes = 16 << 20;
inline constexpr size_t kMaxSumsBytes = 16 << 20;
inline constexpr size_t kMaxEventsBytes = 256 << 20;
inline constexpr size_t kMaxProofsBytes = 256 << 20;
inline constexpr size_t kMaxSmallMemberBytes = 64 << 10;  // keys, checkpoint, signature
inline constexpr size_t kMaxReadmeBytes = 1 << 20;
inline constexpr size_t kMaxIdentityBytes = (1 << 20) + 4096;  // a sealed witness record
inline constexpr size_t kMaxRedactionRecordBytes = 32 << 20;
inline constexpr size_t kMaxTimestampTokenBytes = 256 << 10;  // crypto::kMaxTimestampSize
inline constexpr size_t kMaxTimestampChainBytes = 1 << 20;
// All members other than items together (several sections each have events and proofs).
inline constexpr uint64_t kMaxSmallMembersTotal = uint64_t{1} << 30;

enum class MemberKind {
  kManifest,
  kManifestSig,
  kSums,
  kReadme,
  kItem,         // items/<sha256> or items/<sha256>.age
  kEvents,       // custody/events.jsonl or custody/received/<n>/events.jsonl
  kProofs,
  kCheckpoint,
  kLogKey,       // keys/log.vkey or custody/received/<n>/log.vkey
  kMinisignKey,  // keys/<custodian>-<key ID>.minisign.pub
  kNoteKey,      // keys/<custodian>-<key ID>.vkey
  kIdentity,     // identities/<pseudonym>.sealed or .age
  kRedaction,    // redactions/<sha256>.json
  kTimestampToken,       // timestamps/<stem>.tsr
  kTimestampChain,       // timestamps/<stem>.chain.pem
  kTimestampCheckpoint,  // timestamps/<stem>.checkpoint
  kUnknown,
};

// What the member at `path` is in the layout; kUnknown for anything else.
MemberKind ClassifyMember(std::string_view path);
// The largest size read into memory for `kind` (0 for items and unknown members).
size_t MaxMemberBytes(MemberKind kind);

// "custody" or "custody/received/<n>": the directory of a section's events, proofs and
// checkpoint; its log key is keys/log.vkey or <dir>/log.vkey.
std::string SectionDir(size_t received_index);  // 0: "custody"; n: "custody/received/<n>"
std::string SectionLogKeyPath(size_t received_index);

// "items/<id>.age".
std::string SealedItemPath(const std::string& id);
// The item ID of an items/<id> or items/<id>.age member, "" for any other path.
std::string ItemIdOfMember(std::string_view path);

// "identities/<pseudonym>.sealed".
std::string IdentityPath(const std::string& pseudonym);
// "identities/<pseudonym>.age".
std::string AgeIdentityPath(const std::string& pseudonym);
// "redactions/<redacted item ID>.json".
std::string RedactionPath(const std::string& redacted_id);

// True for a custodian name usable in key file names: 1-64 of A-Z a-z 0-9 . _ -.
bool IsValidCustodianName(std::string_view name);
// "keys/<custodian>-<key ID>.minisign.pub" and ".vkey".
std::string MinisignKeyPath(const std::string& custodian, const std::string& key_id);
std::string NoteKeyPath(const std::string& custodian, const std::string& key_id);
// Splits a key file name back into custodian and key ID; false if it is not one.
bool ParseKeyPath(std::string_view path, std::string* custodian, std::string* key_id);

// The paths of the n-th token (n = 1, 2, ...) of the checkpoint of `size`:
// "timestamps/<size>" for n = 1, "timestamps/<size>-<n>" after, plus the three extensions.
struct TimestampPaths {
  std::string token, chain, checkpoint;
};
TimestampPaths TimestampPathsFor(uint64_t size, size_t n);

// SHA256SUMS as `sha256sum` writes it (two spaces, text mode), one line per member, sorted
// by path: the only form a bundle may carry, so that any changed byte shows.
std::string FormatSha256Sums(const std::map<std::string, std::string>& sha256_by_path);

// README.txt: how to verify this bundle, with and without Amanat, in plain language.
std::string BundleReadme(const Manifest& m, const std::string& exporter_key_path);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_BUNDLE_LAYOUT_H_
