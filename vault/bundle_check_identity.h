// verify-bundle's check of the signed events behind an identity record that the exporting
// vault received from another vault and re-sealed to age recipients (export
// --include-identities --to at HQ; docs/format/bundle.md, "Records for the legal team").
// Internal to vault/.
#ifndef AMANAT_VAULT_BUNDLE_CHECK_IDENTITY_H_
#define AMANAT_VAULT_BUNDLE_CHECK_IDENTITY_H_

#include <string>

#include "vault/bundle_manifest.h"
#include "vault/bundle_verify.h"

namespace amanat::vault {

// For `r` (received_from set): entry r.event of the bundle's own log is a signed `unseal`
// before the export, of r.pseudonym, to exactly r.age_to, received_from r.received_from, with
// a sealed_sha256; and a received section of log r.received_from holds entry r.received_event,
// a signed `witness-add` of r.pseudonym with that same sealed_sha256. Returns "" if so, else
// why not (one phrase, naming events by sequence, never a value of the record).
// REQUIRES: report.sections checked (CheckSection), [0] the bundle's own.
std::string CheckReceivedIdentity(const IdentityRef& r, const BundleReport& report);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_BUNDLE_CHECK_IDENTITY_H_
