// The witness identity records an export carries (export --include-identities [--to age1…];
// docs/format/bundle.md, "Identities"): this vault's own records, sealed as stored or opened
// and encrypted to age recipients, and with --to also the records this vault received from
// another vault (HQ holding a field vault's records). Not thread-safe (a Vault is not).
#ifndef AMANAT_VAULT_BUNDLE_IDENTITIES_H_
#define AMANAT_VAULT_BUNDLE_IDENTITIES_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crypto/age.h"
#include "crypto/status.h"
#include "vault/bundle_manifest.h"
#include "vault/items.h"
#include "vault/vault.h"

namespace amanat::vault {

struct ExportIdentity {
  std::string pseudonym;
  std::string sealed;  // as stored, or as received
  uint64_t event = 0;  // own record: its witness-add event in this log
  std::string age;     // with --to: the record opened and encrypted to the recipients
  // A record received from another vault; received_from is empty for this vault's own.
  std::string received_from;    // the sealing vault's origin
  std::string vault_id;         // its vault ID, which the opened record must name
  uint64_t received_event = 0;  // its witness-add event in that vault's log
  uint64_t import_event = 0;    // this vault's import of the bundle that carried it
  uint64_t unseal_event = 0;    // with --to: set once the unseal is on record
};

struct ExportIdentities {
  std::vector<ExportIdentity> records;
  // Without --to: pseudonyms whose record this vault only received. Not carried: sealed to
  // this vault's own identity key, they would open for no one who receives the bundle.
  std::vector<std::string> received_left;
};

// The records of the witnesses `items` name (metadata.witness); pseudonyms with no record here
// are skipped. With `to` empty, this vault's own records, sealed as stored. Otherwise (needs
// `purpose`: kInvalidInput without) the acting custodian opens every record, own or received,
// with the identity key (kAuthFailed in a field vault or without the unseal grant), checks
// that it names its vault and pseudonym (kVerifyFailed) and encrypts it to `to`. Records
// nothing: the caller logs one unseal per record (UnsealDetails) before the export.
Result<ExportIdentities> GatherIdentities(Vault& vault, const std::vector<ItemInfo>& items,
                                          const std::vector<crypto::AgeRecipient>& to,
                                          const std::string& purpose);

// The details of the unseal event that opens `r` for the recipients `age_to` (a list).
nlohmann::json UnsealDetails(const ExportIdentity& r, const nlohmann::json& age_to);

// The manifest entry of `r`: sealed to `identity_key` (base64) when `age_to` is empty, else
// the age form; a received record points at its unseal event and its witness-add there.
IdentityRef IdentityEntry(const ExportIdentity& r, const std::string& identity_key,
                          const std::vector<std::string>& age_to);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_BUNDLE_IDENTITIES_H_
