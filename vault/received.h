// Received custody records: the custody sections of imported bundles, kept exactly as they
// arrived (tables received_bundles, received_sections, received_events; vault/schema.cc),
// and passed on in later exports of the items they are about (docs/format/bundle.md,
// "Received sections").
#ifndef AMANAT_VAULT_RECEIVED_H_
#define AMANAT_VAULT_RECEIVED_H_

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "crypto/status.h"
#include "vault/bundle_sections.h"
#include "vault/bundle_verify.h"
#include "vault/vault.h"

namespace amanat::vault {

// True if the bundle whose manifest has this SHA-256 was imported before.
Result<bool> BundleAlreadyReceived(Vault& vault, const std::string& manifest_sha256);

// Stores the verified bundle's manifest, signature and every custody section (its own and
// those it received), each with its entries, checkpoint, proofs and log key, as received.
// REQUIRES: an open transaction; `report` verified without problems; `import_seq` is the
// import event that references them.
Status StoreReceivedBundle(Vault& vault, const BundleReport& report, uint64_t import_seq);

// The received sections to pass on in an export of `ids` whose own section includes the
// events `own_events`: those of every received bundle whose import event is among
// `own_events`, restricted to their entries about `ids`, their key history and the export
// that closed them, with the matching proofs. Sections of one log at one checkpoint are
// merged. Numbered custody/received/1, 2, ... in a stable order. `extra` names further entries
// to pass on, as (origin, sequence): the witness-add entries of received identity records
// re-sealed for --to. Sections with no entry about `ids` and none of `extra` are left out.
using ReceivedEventKey = std::pair<std::string, uint64_t>;
Result<std::vector<SectionParts>> ReceivedSectionsFor(Vault& vault, const std::vector<std::string>& ids,
                                                      const std::set<uint64_t>& own_events,
                                                      const std::set<ReceivedEventKey>& extra = {});

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_RECEIVED_H_
