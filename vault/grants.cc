#include "vault/grants.h"

#include <algorithm>
#include <vector>

#include "crypto/encoding.h"
#include "vault/event.h"
#include "vault/key_history.h"
#include "vault/witnesses.h"

namespace amanat::vault {
namespace {

std::vector<std::string_view> Split(std::string_view grants) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start < grants.size()) {
    size_t end = std::min(grants.find(' ', start), grants.size());
    if (end > start) out.push_back(grants.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string WithGrant(const std::string& grants, std::string_view grant) {
  return grants.empty() ? std::string(grant) : grants + " " + std::string(grant);
}

std::string WithoutGrant(const std::string& grants, std::string_view grant) {
  std::string out;
  for (std::string_view g : Split(grants)) {
    if (g != grant) out += (out.empty() ? "" : " ") + std::string(g);
  }
  return out;
}

Status SetGrants(Vault& vault, const std::string& name, const std::string& grants) {
  ASSIGN_OR_RETURN(Stmt up, vault.db().Prepare("UPDATE custodians SET grants = ? WHERE name = ?"));
  return up.Bind(1, grants).Bind(2, name).Run();
}

// The box public key recorded for `name` when their slot box key was made.
Result<crypto::BoxPublicKey> RecordedBoxKey(Vault& vault, const std::string& name) {
  ASSIGN_OR_RETURN(Stmt st,
                   vault.db().Prepare("SELECT box_public_key FROM custodians WHERE name = ?"));
  st.Bind(1, name);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row || st.ColumnIsNull(0)) {
    return InvalidInput("custodian " + name + " has no slot box key yet")
        .WithHint(name + " must run `amanat passwd` once, then try again");
  }
  ByteView b = st.ColumnBlob(0);
  if (b.size() != crypto::kBoxPublicKeyBytes) {
    return VerifyFailed("vault.db: the box key of custodian " + name + " is damaged");
  }
  crypto::BoxPublicKey pk;
  std::copy(b.begin(), b.end(), pk.begin());
  return pk;
}

// The box public key the custody log recorded for `name` (base64; empty if none), from the
// events that can record one (BoxKeyInEvent), each signed by whom the key history says. The
// custodians table is only a copy, which someone holding the vault key could point at a key
// of theirs so that a grant would seal the identity key to them.
Result<std::string> LoggedBoxKey(Vault& vault, const std::string& name) {
  ASSIGN_OR_RETURN(Stmt st, vault.db().Prepare(
                                "SELECT seq, entry FROM events WHERE action IN ('init', "
                                "'custodian-add', 'custodian-revoke', 'custodian-rotate', "
                                "'custodian-grant', 'custodian-revoke-grant', 'passwd') "
                                "ORDER BY seq"));
  KeyHistory history;
  std::string box;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    auto bad = [&](const Status& s) {
      return VerifyFailed(EventName(static_cast<uint64_t>(st.ColumnInt(0))) + ": " + s.message())
          .WithHint("run `amanat verify`");
    };
    auto pe = ParseEntry(st.ColumnBlob(1));
    if (!pe.ok()) return bad(pe.status());
    auto signers = history.Apply(pe->event);
    if (!signers.ok()) return bad(signers.status());
    if (Status s = CheckEntrySignatures(*pe, *signers); !s.ok()) return bad(s);
    if (auto b = BoxKeyInEvent(pe->event); b && b->first == name) box = std::move(b->second);
  }
  return box;
}

}  // namespace

bool IsValidGrant(std::string_view grant) { return grant == kUnsealGrant; }

bool HasGrant(const CustodianInfo& c, std::string_view grant) {
  auto all = Split(c.grants);
  return std::find(all.begin(), all.end(), grant) != all.end();
}

Result<size_t> CountGrantHolders(Vault& vault, std::string_view grant) {
  ASSIGN_OR_RETURN(auto all, ListCustodians(vault));
  return static_cast<size_t>(std::count_if(all.begin(), all.end(), [&](const CustodianInfo& c) {
    return c.active && HasGrant(c, grant);
  }));
}

Status GrantUnseal(Vault& vault, const std::string& name) {
  RETURN_IF_ERROR(RequireRole(vault, {"admin"}, "granting unseal"));
  ASSIGN_OR_RETURN(CustodianInfo target, GetCustodian(vault, name));
  if (!target.active) return InvalidInput("custodian " + name + " has been revoked");
  if (HasGrant(target, kUnsealGrant)) {
    return InvalidInput("custodian " + name + " already holds the unseal grant");
  }
  ASSIGN_OR_RETURN(crypto::BoxPublicKey recorded, RecordedBoxKey(vault, name));
  ASSIGN_OR_RETURN(std::string logged, LoggedBoxKey(vault, name));
  if (logged != crypto::Base64Encode(recorded)) {
    return VerifyFailed("vault.db: the box key of custodian " + name +
                        " is not the one the custody log recorded")
        .WithHint("run `amanat verify`; restore the vault from a backup");
  }
  KeySlots fresh = vault.keyslots();
  KeySlot* slot = fresh.FindMutable(name);
  if (slot == nullptr) return NotFound("keyslots.json has no slot for custodian " + name);
  if (!slot->box_public_key || *slot->box_public_key != recorded) {
    return VerifyFailed("keyslots.json: the box key of custodian " + name +
                        " is not the one recorded in the custody log")
        .WithHint("restore keyslots.json from your backup of this vault");
  }
  auto identity = OpenIdentityKey(vault);
  if (!identity.ok()) return identity.status().Context("granting unseal needs the identity key");
  ASSIGN_OR_RETURN(slot->identity_grant, SealIdentityGrant(*slot, *identity));

  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(vault.db()));
  RETURN_IF_ERROR(SetGrants(vault, name, WithGrant(target.grants, kUnsealGrant)));
  RETURN_IF_ERROR(vault
                      .Record("custodian-grant", {}, "",
                              {{"custodian", name},
                               {"grant", kUnsealGrant},
                               {"box_public_key", crypto::Base64Encode(recorded)}})
                      .status());
  return vault.CommitWithKeySlots(tx, fresh);
}

Status RevokeUnsealGrant(Vault& vault, const std::string& name) {
  RETURN_IF_ERROR(RequireRole(vault, {"admin"}, "revoking a grant"));
  ASSIGN_OR_RETURN(CustodianInfo target, GetCustodian(vault, name));
  if (!HasGrant(target, kUnsealGrant)) {
    return InvalidInput("custodian " + name + " does not hold the unseal grant");
  }
  ASSIGN_OR_RETURN(size_t holders, CountGrantHolders(vault, kUnsealGrant));
  if (target.active && holders <= 1) {
    return InvalidInput("custodian " + name +
                        " is the last one holding the unseal grant; "
                        "without it no witness identity could ever be opened again")
        .WithHint("grant unseal to another custodian first");
  }
  KeySlots fresh = vault.keyslots();
  if (KeySlot* slot = fresh.FindMutable(name)) slot->identity_grant.clear();

  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(vault.db()));
  RETURN_IF_ERROR(SetGrants(vault, name, WithoutGrant(target.grants, kUnsealGrant)));
  RETURN_IF_ERROR(
      vault.Record("custodian-revoke-grant", {}, "", {{"custodian", name}, {"grant", kUnsealGrant}})
          .status());
  return vault.CommitWithKeySlots(tx, fresh);
}

}  // namespace amanat::vault
