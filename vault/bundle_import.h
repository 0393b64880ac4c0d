// amanat import: brings a verified evidence bundle into a vault (docs/format/bundle.md,
// "Import"): its items, and its custody sections kept as received records, referenced by one
// signed import event.
#ifndef AMANAT_VAULT_BUNDLE_IMPORT_H_
#define AMANAT_VAULT_BUNDLE_IMPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "crypto/status.h"
#include "vault/bundle_verify.h"
#include "vault/byte_source.h"
#include "vault/items.h"
#include "vault/vault.h"

namespace amanat::vault {

struct ImportResult {
  BundleReport report;      // the verification that ran first
  bool imported = false;    // false: the report has problems and nothing was written
  bool already_imported = false;  // the same bundle came before: only an import event was added
  uint64_t import_event = 0;
  std::vector<std::string> stored;   // items new to this vault
  std::vector<std::string> present;  // items it already held
  std::vector<std::string> identities;  // pseudonyms of sealed identity records received
  std::vector<std::string> unsealed;    // items that came sealed to HQ, opened and stored
};

// Verifies the bundle with VerifyBundle (same options); if that finds any problem, returns the
// report with imported == false and writes nothing. Otherwise, in one transaction: streams each
// item not yet in the vault from the bundle into it, re-hashing it (kVerifyFailed if the bundle
// changed since it was verified: nothing is written); keeps every custody section as received;
// records a signed import event (subjects: the items; `purpose`) naming the bundle, the items'
// descriptions and the sections; commits with a new checkpoint. A bundle imported before (same
// manifest) stores nothing again: only the import event is added.
// Items sealed to HQ (items/<id>.age, from a field vault made with init --seal-content) are
// opened with this vault's identity key, streamed, re-hashed (the ID and size must match, else
// kVerifyFailed and nothing is written) and stored as plaintext; the import event lists them
// in details.unsealed. That needs the unseal grant and the key they are sealed to:
// kAuthFailed, before anything is written, otherwise.
// kAuthFailed unless the actor is an admin or a collector; kInvalidInput for a bundle this
// very vault exported.
// REQUIRES: no open transaction.
Result<ImportResult> ImportBundle(Vault& vault, RandomAccessSource& source,
                                  const BundleVerifyOptions& options, const std::string& purpose,
                                  const ProgressFn& progress);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_BUNDLE_IMPORT_H_
