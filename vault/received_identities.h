// Witness identity records received sealed in imported bundles (export --include-identities;
// docs/format/bundle.md, "Identities"): kept exactly as received in received_identities,
// opened by `witness show` with this vault's identity key (HQ's, for a field vault's bundle).
// Not thread-safe.
#ifndef AMANAT_VAULT_RECEIVED_IDENTITIES_H_
#define AMANAT_VAULT_RECEIVED_IDENTITIES_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/status.h"
#include "vault/bundle_verify.h"
#include "vault/vault.h"

namespace amanat::vault {

struct ReceivedIdentity {
  std::string origin;    // the log of the vault that sealed it
  std::string vault_id;  // that vault's ID, which the opened record must name
  std::string pseudonym;
  Bytes sealed;
  std::string manifest_sha256;  // the bundle it came in (received_bundles)
};

// Where a received record's signed witness-add entry is kept: its sequence in the sealing
// vault's log, and this vault's import event of the bundle that carried both.
struct ReceivedWitnessAdd {
  uint64_t sequence = 0;
  uint64_t import_event = 0;
};

// Stores report.sealed_identities (those not already held from the same origin). The source
// vault's ID comes from the signed init event of the bundle's own section.
// REQUIRES: an open transaction; the report verified without problems and its bundle stored
// as received (StoreReceivedBundle). Returns the pseudonyms stored or already held.
Result<std::vector<std::string>> StoreReceivedIdentities(Vault& vault, const BundleReport& report);

// The received record of `pseudonym`: std::nullopt if none; kInvalidInput if records of that
// pseudonym came from more than one vault (the pseudonym alone does not say which).
Result<std::optional<ReceivedIdentity>> FindReceivedIdentity(Db& db, const std::string& pseudonym);

// Every received record, by pseudonym then origin.
Result<std::vector<ReceivedIdentity>> ListReceivedIdentities(Db& db);

// The witness-add entry of `r` among the received entries of the bundle that carried it: a
// witness-add of r.pseudonym in r.origin's log whose sealed_sha256 is the SHA-256 of r.sealed.
// kVerifyFailed if there is none (import checked it: the received records are damaged).
Result<ReceivedWitnessAdd> FindReceivedWitnessAdd(Db& db, const ReceivedIdentity& r);

// What `witness ls` shows of a received record, from the sealing vault's signed witness-add
// entry: nothing that identifies anyone.
struct ReceivedWitnessSummary {
  std::string origin;  // the sealing vault's log
  std::string pseudonym;
  nlohmann::json consent;  // the consent flags the witness-add entry records
  std::string added_at;    // its time
  uint64_t sequence = 0;   // its sequence in the sealing vault's log
};

// Every received record, by pseudonym. kVerifyFailed if a record's witness-add entry is
// missing (the received records are damaged).
Result<std::vector<ReceivedWitnessSummary>> ListReceivedWitnesses(Db& db);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_RECEIVED_IDENTITIES_H_
