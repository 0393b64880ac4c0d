// Custodians and roles. Who may do what is decided by the custodians table, which is
// derived from the signed custody log (verify replays the log and compares); keyslots.json
// only holds each custodian's wrapped secrets.
//
//   admin      everything, including managing custodians
//   collector  add items; read the items they collected
//   reviewer   read every item; export
#ifndef AMANAT_VAULT_CUSTODIANS_H_
#define AMANAT_VAULT_CUSTODIANS_H_

#include <string>
#include <vector>

#include "crypto/secret.h"
#include "crypto/status.h"
#include "vault/items.h"
#include "vault/vault.h"

namespace amanat::vault {

struct CustodianInfo {
  std::string name;
  std::string role;
  crypto::Ed25519PublicKey public_key{};
  std::string key_id;
  bool active = true;
  std::string grants;  // space-separated
};

bool IsValidRole(std::string_view role);

Result<std::vector<CustodianInfo>> ListCustodians(Vault& vault);
Result<CustodianInfo> GetCustodian(Vault& vault, const std::string& name);

// kAuthFailed unless the acting custodian is active and has one of `roles`;
// `what` names the refused action in the message.
Status RequireRole(Vault& vault, std::initializer_list<std::string_view> roles,
                   const std::string& what);
// kAuthFailed unless the actor may read `item` (admin, reviewer, or its collector).
Status RequireRead(Vault& vault, const ItemInfo& item);
// True if the actor may read `item`; for filtering lists.
bool MayRead(Vault& vault, const ItemInfo& item);

// Admin only. Generates the new custodian's signing key, wraps it and the vault key under
// `passphrase` in a new slot (same KDF cost as the admin's unless `kdf` is given), logs
// custodian-add, and commits.
Status AddCustodian(Vault& vault, const std::string& name, const std::string& role,
                    const crypto::SecretBytes& passphrase, const crypto::Argon2Params& kdf);

// Admin only. Logs custodian-revoke, marks the custodian inactive and removes their slot.
// Their past signatures stay valid; any event they sign after this fails verification.
Status RevokeCustodian(Vault& vault, const std::string& name);

// The actor replaces their own signing key: the custodian-rotate event is signed by the old
// and the new key; the slot is rewrapped under `passphrase` (the actor's, asked again).
// Returns the new key ID.
Result<std::string> RotateKey(Vault& vault, const crypto::SecretBytes& passphrase);

// A new key slot for the acting custodian under `passphrase` and `kdf` with `sign_key`
// (passwd, rotate), keeping their slot box key and identity grant. A format-1 slot gets its
// first box key here: written to the custodians table and added to `details` (the caller's
// event) as box_public_key. REQUIRES: an open transaction.
Result<KeySlot> RewrapActorSlot(Vault& vault, const crypto::SecretBytes& passphrase,
                                const crypto::Argon2Params& kdf,
                                const crypto::Ed25519KeyPair& sign_key, nlohmann::json& details);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_CUSTODIANS_H_
