// custody/proofs.json of a bundle (docs/format/bundle.md, "proofs.json"): RFC 9162 inclusion
// proofs of the bundle's events against its checkpoint, and consistency proofs from the sizes
// of checkpoints that left the vault in earlier bundles. Hashes are base64, as in checkpoints.
#ifndef AMANAT_VAULT_BUNDLE_PROOFS_H_
#define AMANAT_VAULT_BUNDLE_PROOFS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/status.h"

namespace amanat::vault {

struct InclusionProofEntry {
  uint64_t sequence = 0;       // the event's sequence number = its leaf index
  std::vector<Digest> path;    // RFC 9162 PATH, the leaf's sibling first
};

struct ConsistencyProofEntry {
  uint64_t from_size = 0;      // size of the older checkpoint
  std::vector<Digest> path;    // RFC 9162 PROOF(from_size, tree_size)
};

struct BundleProofs {
  uint64_t tree_size = 0;  // the checkpoint's size
  std::vector<InclusionProofEntry> inclusion;
  std::vector<ConsistencyProofEntry> consistency;

  // Pretty-printed JSON with a final newline.
  std::string Serialize() const;
  // Strict: exact fields, types, canonical base64 of 32 bytes, at most 64 hashes per path.
  // kInvalidInput naming `what` on any deviation.
  static Result<BundleProofs> Parse(std::string_view text, const std::string& what);
};

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_BUNDLE_PROOFS_H_
