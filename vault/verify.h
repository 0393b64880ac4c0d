// amanat verify: re-derive everything about a vault from its stored bytes and report every
// discrepancy. Trusts neither the triggers nor any derived table: signatures are checked
// against the key history replayed from the log itself, the hash chain and the Merkle tree
// are recomputed from the entries, and the result is compared with every checkpoint at hand.
#ifndef AMANAT_VAULT_VERIFY_H_
#define AMANAT_VAULT_VERIFY_H_

#include <string>
#include <vector>

#include "crypto/status.h"
#include "vault/vault.h"

namespace amanat::vault {

struct VerifyOptions {
  bool full = false;  // also re-hash every item's content and read every database page
  // Checkpoints that left the vault earlier: (label for messages, signed note text).
  std::vector<std::pair<std::string, std::string>> against;
  // Signatures are checked on every core as the log is read, with the keys the log has
  // announced so far (at most this many); the rest after the log is read. Tests set 0 to
  // check every signature the second way.
  size_t early_keys = 256;
};

struct VerifyReport {
  uint64_t events = 0;
  uint64_t items = 0;
  uint64_t checkpoints = 0;  // checkpoints checked (latest, stored, --against)
  uint64_t items_rehashed = 0;
  // --full in a field vault with sealed content: items whose stored (sealed) bytes were
  // checked against the SHA-256 and size their signed event records (the plaintext, and so
  // the ID, only HQ can check).
  uint64_t items_sealed_checked = 0;
  std::string root_b64;
  // One line per problem, each naming the event, item or file, e.g.
  // "custody event 418: signature does not verify (key 3f9a0c12)".
  std::vector<std::string> problems;
  bool ok() const { return problems.empty(); }
};

// Returns the report; a non-OK Status only when verification could not run at all
// (I/O error, unreadable database).
Result<VerifyReport> VerifyVault(Vault& vault, const VerifyOptions& options);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_VERIFY_H_
