#include "vault/received_identities.h"

#include "vault/bundle_json.h"

namespace amanat::vault {

Result<std::vector<std::string>> StoreReceivedIdentities(Vault& vault, const BundleReport& report) {
  std::vector<std::string> out;
  if (report.sealed_identities.empty()) return out;
  std::string vault_id;
  for (const auto& pe : report.sections.at(0).parsed) {
    if (pe && pe->event.action == "init") vault_id = JsonStringField(pe->event.details, "vault_id");
  }
  if (vault_id.size() != 16) {
    return VerifyFailed("bundle: identity records without the signed init event of their vault");
  }
  const std::string& origin = report.manifest.origin;
  ASSIGN_OR_RETURN(Stmt have,
                   vault.db().Prepare("SELECT 1 FROM received_identities WHERE origin = ? AND "
                                      "pseudonym = ?"));
  ASSIGN_OR_RETURN(
      Stmt put, vault.db().Prepare("INSERT INTO received_identities(origin, pseudonym, vault_id, "
                                   "sealed, manifest_sha256) VALUES(?, ?, ?, ?, ?)"));
  for (const auto& [pseudonym, sealed] : report.sealed_identities) {
    have.Bind(1, origin).Bind(2, pseudonym);
    ASSIGN_OR_RETURN(bool held, have.Step());
    have.Reset();
    if (!held) {
      RETURN_IF_ERROR(put.Bind(1, origin)
                          .Bind(2, pseudonym)
                          .Bind(3, vault_id)
                          .BindBlob(4, AsBytes(sealed))
                          .Bind(5, report.manifest_sha256)
                          .Run());
      put.Reset();
    }
    out.push_back(pseudonym);
  }
  return out;
}

Result<std::optional<ReceivedIdentity>> FindReceivedIdentity(Db& db, const std::string& pseudonym) {
  ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT origin, vault_id, sealed FROM received_identities "
                                       "WHERE pseudonym = ? ORDER BY origin"));
  st.Bind(1, pseudonym);
  std::optional<ReceivedIdentity> found;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    if (found) {
      return InvalidInput("witness " + pseudonym + " was received from more than one vault (" +
                          found->origin + ", " + st.ColumnText(0) + ")");
    }
    ByteView b = st.ColumnBlob(2);
    found =
        ReceivedIdentity{st.ColumnText(0), st.ColumnText(1), pseudonym, Bytes(b.begin(), b.end())};
  }
  return found;
}

}  // namespace amanat::vault
