#include "vault/bundle_identities.h"

#include <set>

#include "crypto/encoding.h"
#include "crypto/sha256.h"
#include "vault/bundle_json.h"
#include "vault/received_identities.h"
#include "vault/witnesses.h"

namespace amanat::vault {
namespace {

using nlohmann::json;

Result<bool> HasReceived(Db& db, const std::string& pseudonym) {
  ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT 1 FROM received_identities WHERE pseudonym = ?"));
  st.Bind(1, pseudonym);
  return st.Step();
}

// The received record of `pseudonym` with where its witness-add entry is kept; kNotFound if
// this vault holds none.
Result<ExportIdentity> Received(Vault& vault, const std::string& pseudonym) {
  ASSIGN_OR_RETURN(auto found, FindReceivedIdentity(vault.db(), pseudonym));
  if (!found) return NotFound("no witness " + pseudonym);
  ASSIGN_OR_RETURN(ReceivedWitnessAdd add, FindReceivedWitnessAdd(vault.db(), *found));
  ExportIdentity r;
  r.pseudonym = pseudonym;
  r.sealed.assign(AsChars(ByteView(found->sealed)));
  r.received_from = found->origin;
  r.vault_id = found->vault_id;
  r.received_event = add.sequence;
  r.import_event = add.import_event;
  return r;
}

}  // namespace

Result<ExportIdentities> GatherIdentities(Vault& vault, const std::vector<ItemInfo>& items,
                                          const std::vector<crypto::AgeRecipient>& to,
                                          const std::string& purpose) {
  const bool to_age = !to.empty();
  if (to_age && purpose.empty()) {
    return InvalidInput("export --to opens witness identity records and needs a purpose")
        .WithHint("add --purpose TEXT (it is recorded with each unseal)");
  }
  std::set<std::string> names;
  for (const auto& it : items) {
    std::string w = JsonStringField(it.metadata, "witness");
    if (!w.empty()) names.insert(w);
  }
  ExportIdentities out;
  ASSIGN_OR_RETURN(
      Stmt st, vault.db().Prepare("SELECT sealed, created_seq FROM witnesses WHERE pseudonym = ?"));
  for (const auto& p : names) {
    st.Bind(1, p);
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (row) {
      ExportIdentity r;
      r.pseudonym = p;
      r.sealed.assign(AsChars(st.ColumnBlob(0)));
      r.event = static_cast<uint64_t>(st.ColumnInt(1));
      r.vault_id = vault.vault_id();
      out.records.push_back(std::move(r));
    } else if (to_age) {
      ASSIGN_OR_RETURN(bool held, HasReceived(vault.db(), p));
      if (held) {
        ASSIGN_OR_RETURN(ExportIdentity r, Received(vault, p));
        out.records.push_back(std::move(r));
      }
    } else {
      ASSIGN_OR_RETURN(bool held, HasReceived(vault.db(), p));
      if (held) out.received_left.push_back(p);
    }
    st.Reset();
  }
  if (!to_age) return out;
  // Every record is opened, and checked, before anything is recorded.
  ASSIGN_OR_RETURN(crypto::BoxKeyPair key, OpenIdentityKey(vault));
  for (auto& r : out.records) {
    ASSIGN_OR_RETURN(r.age,
                     ResealWitnessRecord(key, AsBytes(r.sealed), r.vault_id, r.pseudonym, to));
  }
  return out;
}

json UnsealDetails(const ExportIdentity& r, const json& age_to) {
  json d = {{"pseudonym", r.pseudonym}, {"sealed_to", age_to}};
  if (!r.received_from.empty()) {
    d["received_from"] = r.received_from;
    d["sealed_sha256"] = crypto::Sha256Hex(r.sealed);
  }
  return d;
}

IdentityRef IdentityEntry(const ExportIdentity& r, const std::string& identity_key,
                          const std::vector<std::string>& age_to) {
  IdentityRef ref;
  ref.pseudonym = r.pseudonym;
  ref.event = r.event;
  if (age_to.empty()) {
    ref.sealed_sha256 = crypto::Sha256Hex(r.sealed);
    ref.sealed_to = identity_key;
    return ref;
  }
  ref.format = kAgeIdentityFormat;
  ref.sealed_sha256 = crypto::Sha256Hex(r.age);
  ref.age_to = age_to;
  if (!r.received_from.empty()) {
    ref.event = r.unseal_event;
    ref.received_from = r.received_from;
    ref.received_event = r.received_event;
  }
  return ref;
}

}  // namespace amanat::vault
