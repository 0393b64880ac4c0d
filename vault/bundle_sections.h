// The custody part of a bundle, one section per log: this vault's own (custody/) and those of
// other vaults whose records arrived in imported bundles (custody/received/<n>/). Each
// section is a subset of one log -- some entries, their inclusion proofs, the checkpoint they
// refer to and that log's key -- and is checked on its own (vault/bundle_verify.h).
#ifndef AMANAT_VAULT_BUNDLE_SECTIONS_H_
#define AMANAT_VAULT_BUNDLE_SECTIONS_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/status.h"
#include "vault/bundle_manifest.h"
#include "vault/bundle_proofs.h"

namespace amanat::vault {

struct SectionParts {
  size_t received_index = 0;  // 0: this vault's own section; n: custody/received/<n>
  std::string origin;
  std::string log_key;          // verifier key text of the section's log
  std::string checkpoint_note;  // signed checkpoint, as signed
  Digest checkpoint_root{};
  std::vector<std::pair<uint64_t, Bytes>> entries;  // (sequence, exact bytes), ascending
  BundleProofs proofs;          // inclusion proofs of exactly `entries`, in the same order
};

// What RenderSection derived from the entries, for the manifest.
struct SectionFiles {
  std::vector<EventRef> events;
  std::vector<ProvenanceEdge> provenance;
  std::string last_time;  // time of the last entry
};

// Adds the section's members to `members` (path -> bytes): <dir>/events.jsonl (one entry a
// line), <dir>/proofs.json, <dir>/checkpoint, its log key, and the minisign and C2SP keys
// of every custodian key that signed one of its entries. Replays the section's key history
// to name those keys: kVerifyFailed if the entries do not form a valid history (the vault's
// own log is then damaged: run `amanat verify`), kInvalidInput if an entry holds a newline.
Result<SectionFiles> RenderSection(const SectionParts& section,
                                   std::map<std::string, std::string>* members);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_BUNDLE_SECTIONS_H_
