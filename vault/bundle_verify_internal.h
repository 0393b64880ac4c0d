// Steps of VerifyBundle (vault/bundle_verify.h) that look at keys, trust, older checkpoints
// and the timeline. Each appends its findings to the report. Internal to vault/.
#ifndef AMANAT_VAULT_BUNDLE_VERIFY_INTERNAL_H_
#define AMANAT_VAULT_BUNDLE_VERIFY_INTERNAL_H_

#include "vault/bundle_reader.h"
#include "vault/bundle_verify.h"

namespace amanat::vault {

// Every keys/ file is exactly the file a bundle carries for a key of some section's history,
// under its custodian's name; every key that signed has both its files.
void CheckKeyFiles(const BundleMembers& members, BundleReport* report);

// Lists the keys relied on (each section's log key and every custodian key that signed), and
// with options.trusted, reports every one that is not trusted.
void CollectSigners(const BundleVerifyOptions& options, BundleReport* report);

// Checks each older checkpoint against the section of the same log: equal size and root, or
// a consistency proof from its size in that section's proofs.json.
void CheckAgainst(const BundleVerifyOptions& options, BundleReport* report);

// Checks every timestamp token the manifest lists (BundleTimestampResult) and that every
// signed "timestamp" event of the bundle's own log has its token in the bundle.
void CheckTimestamps(const BundleMembers& members, const BundleVerifyOptions& options,
                     BundleReport* report);

// One timeline of every parsed entry of every section, by time.
void BuildTimeline(BundleReport* report);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_BUNDLE_VERIFY_INTERNAL_H_
