// The court report (vault/report.h) of items in an open vault, for `amanat report`.
#ifndef AMANAT_VAULT_REPORT_VAULT_H_
#define AMANAT_VAULT_REPORT_VAULT_H_

#include <string>
#include <vector>

#include "crypto/status.h"
#include "vault/items.h"
#include "vault/report.h"
#include "vault/vault.h"

namespace amanat::vault {

struct VaultReportOptions {
  std::string case_id;  // --case, may be ""
  std::string purpose;  // --purpose, recorded in the access event
  std::string tool;     // "amanat 0.1.0"
};

// Verifies the whole custody log as `amanat verify` does (signatures, hash chain, Merkle
// tree, checkpoints, stored records, provenance, witnesses and timestamp tables), re-hashes
// the content of `items`, records the report as custody event "access" (operation "report",
// subjects `items`, with the result) and returns the model: the items, every event about
// them with its signature result, their provenance and redactions, the vault's timestamps,
// every custodian key and the log key. Each problem found is an anomaly; so is an access
// event that could not be recorded when verification had already failed (when it had
// passed, that failure is returned instead: a report leaves the vault only on record).
// A non-OK Status only when the vault cannot be read. REQUIRES: no open transaction; the
// actor may read every item.
Result<ReportModel> ReportFromVault(Vault& vault, const std::vector<ItemInfo>& items,
                                    const VaultReportOptions& options);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_REPORT_VAULT_H_
