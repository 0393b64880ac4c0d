// Witnesses: who gave a testimony, sealed so that the vault's own passphrases do not reveal it
// (docs/format/witnesses.md).
//
// A witness is named everywhere by a random pseudonym (W-7K3F9Q). The identity record (name,
// contact, consent, notes) is sealed with crypto_box_seal to the vault's X25519 identity key;
// only a custodian holding the `unseal` grant has that key's secret half (vault/grants.h), and
// every unseal is a signed custody event with its purpose. Consent flags are not identifying
// and are kept in clear (inside the encrypted database) and in the witness-add event.
//
// Nothing here puts a name, contact or note into an event, an error message or a log line.
// Not thread-safe (a Vault is not).
#ifndef AMANAT_VAULT_WITNESSES_H_
#define AMANAT_VAULT_WITNESSES_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "crypto/age.h"
#include "crypto/box.h"
#include "crypto/secret.h"
#include "crypto/status.h"
#include "vault/vault.h"

namespace amanat::vault {

inline constexpr char kWitnessRecordFormat[] = "amanat-witness/1";
inline constexpr size_t kMaxWitnessInputBytes = 1 << 20;

// What a witness agreed to. Absent: not asked or not known.
struct Consent {
  std::optional<bool> court, publication, contact;
  nlohmann::json ToJson() const;  // only the flags given
};

struct WitnessSummary {
  std::string pseudonym;
  Consent consent;
  uint64_t sequence = 0;  // the witness-add event
  std::string added_at;   // its time
  std::string added_by;   // its custodian
};

// A fresh pseudonym: "W-" and 6 random characters of Crockford's base32 alphabet (30 bits).
std::string NewPseudonym();

// The vault's identity public key, from vault.db (and checked against keyslots.json's copy).
// kNotFound for a vault made before identity keys existed.
Result<crypto::BoxPublicKey> VaultIdentityKey(Vault& vault);

// The identity key pair, opened from the acting custodian's key slot. kAuthFailed unless the
// custodian holds the `unseal` grant (in vault.db and in their slot).
Result<crypto::BoxKeyPair> OpenIdentityKey(Vault& vault);

// Checks an identity record given as JSON: {"name": ..., "contact": ..., "consent":
// {"court": bool, "publication": bool, "contact": bool}, "notes": ...}, name required, no other
// fields. kInvalidInput naming the field that is wrong, never its value.
Status CheckWitnessInput(ByteView json_text);

// Seals the record in `json_text` (see CheckWitnessInput) to the identity key under a new
// pseudonym, records a witness-add event and commits. Admin or collector. Needs no grant:
// sealing takes only the public key. Returns the pseudonym.
Result<std::string> AddWitness(Vault& vault, const crypto::SecretBytes& json_text);

// Every witness, oldest first. Any custodian: nothing here identifies anyone.
Result<std::vector<WitnessSummary>> ListWitnesses(Vault& vault);

// Opens the identity record of `pseudonym` (kAuthFailed without the unseal grant; kNotFound
// for an unknown pseudonym), then records an unseal event with `purpose` (required) and
// commits it: the record is returned only once the unseal is on record. The result is the
// sealed JSON document (format amanat-witness/1), in secret memory.
Result<crypto::SecretBytes> UnsealWitness(Vault& vault, const std::string& pseudonym,
                                          const std::string& purpose);

// Opens a sealed identity record with the identity key pair and checks that it is an
// amanat-witness/1 record of vault `vault_id` and `pseudonym`: kVerifyFailed if it does not
// open or belongs elsewhere (a sealed blob moved to another pseudonym). Records nothing: the
// caller logs the unseal before anything of the record leaves the process.
Result<crypto::SecretBytes> OpenWitnessRecord(const crypto::BoxKeyPair& identity, ByteView sealed,
                                              const std::string& vault_id,
                                              const std::string& pseudonym);

// The record in `sealed` opened (see OpenWitnessRecord) and encrypted, exactly as sealed, to
// the age recipients `to` (an age v1 file that the stock `age -d -i KEY` opens). The plaintext
// is held only in secret memory. REQUIRES: `to` not empty.
Result<std::string> ResealWitnessRecord(const crypto::BoxKeyPair& identity, ByteView sealed,
                                        const std::string& vault_id, const std::string& pseudonym,
                                        const std::vector<crypto::AgeRecipient>& to);

// OK if `pseudonym` names a witness record, or if the vault has no witness records at all
// (pseudonyms kept elsewhere). kNotFound otherwise: a mistyped pseudonym would silently point
// an item at nobody, or at the wrong person.
Status CheckWitnessKnown(Vault& vault, const std::string& pseudonym);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_WITNESSES_H_
