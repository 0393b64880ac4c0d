// Checks one custody section of a bundle (vault/bundle_sections.h) on its own: the log key
// against the manifest, the checkpoint's signature, size and root, every entry against the
// manifest's list (sequence and SHA-256, in order), each entry's parse and log name, its
// inclusion proof against the checkpoint, the hash chain wherever two consecutive entries are
// both present, the key history, and every signature.
#ifndef AMANAT_VAULT_BUNDLE_CHECK_SECTION_H_
#define AMANAT_VAULT_BUNDLE_CHECK_SECTION_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crypto/note.h"
#include "crypto/status.h"
#include "vault/bundle_manifest.h"
#include "vault/bundle_proofs.h"
#include "vault/bundle_reader.h"
#include "vault/event.h"
#include "vault/key_history.h"

namespace amanat::vault {

struct SectionInput {
  size_t received_index = 0;  // 0: the bundle's own section
  std::string origin;         // as the manifest says
  std::string log_key;
  uint64_t checkpoint_size = 0;
  Digest checkpoint_root{};
  std::vector<EventRef> listed;
};

struct SectionResult {
  std::string origin;
  std::optional<crypto::NoteVerifier> log_verifier;  // set if the log key parsed
  std::string checkpoint_note;
  std::string proofs_text;
  bool checkpoint_ok = false;
  BundleProofs proofs;                      // empty if proofs.json did not parse
  std::vector<Bytes> entries;               // every line of events.jsonl, in order
  std::vector<std::optional<ParsedEntry>> parsed;  // same order; nullopt if it did not parse
  KeyHistory history;
  std::map<std::string, size_t> signed_by;  // custody key ID -> entries it signed
};

// The name used in problems for event `seq` of the section: "custody event 7" for the
// bundle's own log, "amanat/1234… custody event 7" for a received one.
std::string SectionEventName(const SectionInput& in, uint64_t seq);

// Appends one line per problem found to `problems`; malformed members are problems too.
void CheckSection(const SectionInput& in, const BundleMembers& members, SectionResult* out,
                    std::vector<std::string>* problems);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_BUNDLE_CHECK_SECTION_H_
