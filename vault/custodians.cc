#include "vault/custodians.h"

#include <algorithm>

#include "crypto/encoding.h"
#include "vault/fs.h"
#include "vault/grants.h"

namespace amanat::vault {
namespace {

constexpr char kColumns[] = "name, role, public_key, key_id, active, grants";

CustodianInfo FromRow(const Stmt& st) {
  CustodianInfo c;
  c.name = st.ColumnText(0);
  c.role = st.ColumnText(1);
  ByteView pk = st.ColumnBlob(2);
  if (pk.size() == 32) std::copy(pk.begin(), pk.end(), c.public_key.begin());
  c.key_id = st.ColumnText(3);
  c.active = st.ColumnInt(4) != 0;
  c.grants = st.ColumnText(5);
  return c;
}

nlohmann::json CustodianJson(const std::string& name, const std::string& role,
                             const crypto::Ed25519PublicKey& pk) {
  return {{"name", name},
          {"role", role},
          {"public_key", crypto::Base64Encode(pk)},
          {"key_id", KeyId(pk)}};
}

}  // namespace

bool IsValidRole(std::string_view role) {
  return role == "admin" || role == "collector" || role == "reviewer";
}

Result<std::vector<CustodianInfo>> ListCustodians(Vault& vault) {
  ASSIGN_OR_RETURN(Stmt st, vault.db().Prepare(std::string("SELECT ") + kColumns +
                                               " FROM custodians ORDER BY rowid"));
  std::vector<CustodianInfo> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(FromRow(st));
  }
  return out;
}

Result<CustodianInfo> GetCustodian(Vault& vault, const std::string& name) {
  ASSIGN_OR_RETURN(Stmt st, vault.db().Prepare(std::string("SELECT ") + kColumns +
                                               " FROM custodians WHERE name = ?"));
  st.Bind(1, name);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return NotFound("no custodian named '" + name + "'");
  return FromRow(st);
}

Status RequireRole(Vault& vault, std::initializer_list<std::string_view> roles,
                   const std::string& what) {
  auto me = GetCustodian(vault, vault.actor().custodian);
  if (!me.ok() || !me->active) {
    return AuthFailed("custodian " + vault.actor().custodian + " is not active in this vault");
  }
  if (std::find(roles.begin(), roles.end(), me->role) == roles.end()) {
    return AuthFailed(what + " is not allowed for " + me->name + " (role " + me->role + ")");
  }
  return OkStatus();
}

bool MayRead(Vault& vault, const ItemInfo& item) {
  auto me = GetCustodian(vault, vault.actor().custodian);
  if (!me.ok() || !me->active) return false;
  if (me->role == "admin" || me->role == "reviewer") return true;
  return item.metadata.value("collector", "") == me->name;
}

Status RequireRead(Vault& vault, const ItemInfo& item) {
  if (MayRead(vault, item)) return OkStatus();
  return AuthFailed("reading item " + item.id.substr(0, 16) + " is not allowed for " +
                    vault.actor().custodian + " (collectors read only what they collected)");
}

Status AddCustodian(Vault& vault, const std::string& name, const std::string& role,
                    const crypto::SecretBytes& passphrase, const crypto::Argon2Params& kdf) {
  RETURN_IF_ERROR(RequireRole(vault, {"admin"}, "adding a custodian"));
  if (!IsValidRole(role)) return InvalidInput("role must be admin, collector or reviewer");
  if (GetCustodian(vault, name).ok() || vault.keyslots().Find(name).ok()) {
    return InvalidInput("a custodian named '" + name + "' already exists (names are never reused)");
  }
  auto key = crypto::Ed25519KeyPair::Generate();
  auto box = crypto::BoxKeyPair::Generate();
  ASSIGN_OR_RETURN(KeySlot slot, MakeKeySlot(vault.vault_id(), name, role, passphrase, kdf,
                                             vault.vault_key(), key, &box));
  KeySlots fresh = vault.keyslots();
  fresh.slots.push_back(std::move(slot));

  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(vault.db()));
  ASSIGN_OR_RETURN(Stmt ins, vault.db().Prepare("INSERT INTO custodians(name, role, public_key, "
                                                "key_id, active, box_public_key) "
                                                "VALUES(?, ?, ?, ?, 1, ?)"));
  RETURN_IF_ERROR(ins.Bind(1, name)
                      .Bind(2, role)
                      .BindBlob(3, key.public_key())
                      .Bind(4, KeyId(key.public_key()))
                      .BindBlob(5, box.public_key())
                      .Run());
  RETURN_IF_ERROR(vault.Record("custodian-add", {}, "",
                               {{"custodian", CustodianJson(name, role, key.public_key())},
                                {"box_public_key", crypto::Base64Encode(box.public_key())}})
                      .status());
  return vault.CommitWithKeySlots(tx, fresh);
}

Status RevokeCustodian(Vault& vault, const std::string& name) {
  RETURN_IF_ERROR(RequireRole(vault, {"admin"}, "revoking a custodian"));
  ASSIGN_OR_RETURN(CustodianInfo target, GetCustodian(vault, name));
  if (!target.active) return InvalidInput("custodian " + name + " is already revoked");
  if (name == vault.actor().custodian) {
    return InvalidInput("you cannot revoke yourself; ask another admin");
  }
  if (HasGrant(target, kUnsealGrant)) {
    ASSIGN_OR_RETURN(size_t holders, CountGrantHolders(vault, kUnsealGrant));
    if (holders <= 1) {
      return InvalidInput("custodian " + name + " is the last one holding the unseal grant; "
                          "without it no witness identity could ever be opened again")
          .WithHint("grant unseal to another custodian first");
    }
  }
  KeySlots fresh = vault.keyslots();
  fresh.slots.erase(std::remove_if(fresh.slots.begin(), fresh.slots.end(),
                                   [&](const KeySlot& s) { return s.custodian == name; }),
                    fresh.slots.end());
  fresh.revoked.push_back(name);
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(vault.db()));
  ASSIGN_OR_RETURN(Stmt up, vault.db().Prepare("UPDATE custodians SET active = 0 WHERE name = ?"));
  RETURN_IF_ERROR(up.Bind(1, name).Run());
  RETURN_IF_ERROR(vault.Record("custodian-revoke", {}, "",
                               {{"custodian", name}, {"key_id", target.key_id}})
                      .status());
  return vault.CommitWithKeySlots(tx, fresh);
}

Result<std::string> RotateKey(Vault& vault, const crypto::SecretBytes& passphrase) {
  const KeySlot& slot = vault.actor();
  // The passphrase given must be the current one: unlocking proves it.
  RETURN_IF_ERROR(UnlockKeySlot(vault.vault_id(), slot, passphrase).status());
  auto fresh_key = crypto::Ed25519KeyPair::Generate();
  const std::string name = slot.custodian;
  nlohmann::json details = {{"custodian", name},
                            {"old_key_id", KeyId(vault.actor_key().public_key())},
                            {"public_key", crypto::Base64Encode(fresh_key.public_key())},
                            {"key_id", KeyId(fresh_key.public_key())}};

  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(vault.db()));
  ASSIGN_OR_RETURN(KeySlot new_slot,
                   RewrapActorSlot(vault, passphrase, slot.kdf, fresh_key, details));
  KeySlots fresh = vault.keyslots();
  *fresh.FindMutable(name) = std::move(new_slot);
  ASSIGN_OR_RETURN(Stmt up, vault.db().Prepare(
                                "UPDATE custodians SET public_key = ?, key_id = ? WHERE name = ?"));
  RETURN_IF_ERROR(up.BindBlob(1, fresh_key.public_key()).Bind(2, KeyId(fresh_key.public_key())).Bind(3, name).Run());
  RETURN_IF_ERROR(
      vault.RecordSignedBy("custodian-rotate", details, {&vault.actor_key(), &fresh_key}).status());
  RETURN_IF_ERROR(vault.CommitWithKeySlots(tx, fresh));
  std::string id = KeyId(fresh_key.public_key());
  vault.ReplaceActorKey(std::move(fresh_key));
  return id;
}

Result<KeySlot> RewrapActorSlot(Vault& vault, const crypto::SecretBytes& passphrase,
                                const crypto::Argon2Params& kdf,
                                const crypto::Ed25519KeyPair& sign_key, nlohmann::json& details) {
  const KeySlot& slot = vault.actor();
  const auto& box = vault.unlocked().box_key;
  if (box) {
    ASSIGN_OR_RETURN(KeySlot fresh,
                     MakeKeySlot(vault.vault_id(), slot.custodian, slot.role, passphrase, kdf,
                                 vault.vault_key(), sign_key, &*box));
    fresh.identity_grant = slot.identity_grant;
    return fresh;
  }
  auto first_box = crypto::BoxKeyPair::Generate();
  ASSIGN_OR_RETURN(KeySlot fresh, MakeKeySlot(vault.vault_id(), slot.custodian, slot.role,
                                              passphrase, kdf, vault.vault_key(), sign_key,
                                              &first_box));
  ASSIGN_OR_RETURN(Stmt up, vault.db().Prepare(
                                "UPDATE custodians SET box_public_key = ? WHERE name = ?"));
  RETURN_IF_ERROR(up.BindBlob(1, first_box.public_key()).Bind(2, slot.custodian).Run());
  details["box_public_key"] = crypto::Base64Encode(first_box.public_key());
  return fresh;
}

}  // namespace amanat::vault
