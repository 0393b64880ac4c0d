// Grants: rights a custodian holds beyond their role. The only one is `unseal`: holding the
// vault's identity secret key, sealed to the custodian's slot box key in keyslots.json, which
// opens witness identity records (vault/witnesses.h, docs/format/witnesses.md).
//
// Granting needs the identity key itself, so only a custodian who holds `unseal` can pass it
// on; both grant and revoke-grant are admin actions and are logged (custodian-grant,
// custodian-revoke-grant). Not thread-safe.
#ifndef AMANAT_VAULT_GRANTS_H_
#define AMANAT_VAULT_GRANTS_H_

#include <string>
#include <string_view>

#include "crypto/status.h"
#include "vault/custodians.h"
#include "vault/vault.h"

namespace amanat::vault {

inline constexpr char kUnsealGrant[] = "unseal";

bool IsValidGrant(std::string_view grant);
// True if `c` holds `grant` (custodians.grants is a space-separated list).
bool HasGrant(const CustodianInfo& c, std::string_view grant);
// Active custodians holding `grant`.
Result<size_t> CountGrantHolders(Vault& vault, std::string_view grant);

// Admin only, and the actor must hold `unseal`. Seals the identity secret key to `name`'s
// slot box key (the one recorded in the custody log, which keyslots.json must agree with),
// logs custodian-grant and commits with the new key slots. kInvalidInput if `name` already
// holds it or their slot has no box key yet.
Status GrantUnseal(Vault& vault, const std::string& name);

// Admin only. Removes the sealed identity key from `name`'s slot, logs custodian-revoke-grant
// and commits. Refuses (kInvalidInput) to take it from the last holder: no one could ever open
// a witness record again. A custodian who unsealed the key before could have kept a copy; see
// docs/format/witnesses.md.
Status RevokeUnsealGrant(Vault& vault, const std::string& name);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_GRANTS_H_
