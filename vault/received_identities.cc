#include "vault/received_identities.h"

#include "crypto/encoding.h"
#include "crypto/sha256.h"
#include "vault/bundle_json.h"
#include "vault/event.h"

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
  ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT origin, vault_id, sealed, manifest_sha256 FROM "
                                       "received_identities "
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
    found = ReceivedIdentity{st.ColumnText(0), st.ColumnText(1), pseudonym,
                             Bytes(b.begin(), b.end()), st.ColumnText(3)};
  }
  return found;
}

namespace {

struct FoundWitnessAdd {
  ReceivedWitnessAdd where;
  Event event;
};

Result<FoundWitnessAdd> FindWitnessAddEntry(Db& db, const ReceivedIdentity& r) {
  const std::string sealed_sha256 = crypto::Sha256Hex(r.sealed);
  ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT e.seq, e.entry, b.import_seq FROM received_events e "
                                       "JOIN received_sections s ON s.id = e.section_id "
                                       "JOIN received_bundles b ON b.manifest_sha256 = "
                                       "s.manifest_sha256 WHERE s.manifest_sha256 = ? AND "
                                       "s.origin = ? ORDER BY e.seq"));
  st.Bind(1, r.manifest_sha256).Bind(2, r.origin);
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    auto pe = ParseEntry(st.ColumnBlob(1));
    if (!pe.ok() || pe->event.action != "witness-add") continue;
    if (JsonStringField(pe->event.details, "pseudonym") == r.pseudonym &&
        JsonStringField(pe->event.details, "sealed_sha256") == sealed_sha256) {
      return FoundWitnessAdd{{static_cast<uint64_t>(st.ColumnInt(0)),
                              static_cast<uint64_t>(st.ColumnInt(2))},
                             std::move(pe->event)};
    }
  }
  return VerifyFailed("witness " + r.pseudonym + ": the witness-add entry of its record from " +
                      r.origin + " is not among the received records")
      .WithHint("run `amanat verify`");
}

}  // namespace

Result<ReceivedWitnessAdd> FindReceivedWitnessAdd(Db& db, const ReceivedIdentity& r) {
  ASSIGN_OR_RETURN(FoundWitnessAdd found, FindWitnessAddEntry(db, r));
  return found.where;
}

Result<std::vector<ReceivedIdentity>> ListReceivedIdentities(Db& db) {
  std::vector<ReceivedIdentity> records;
  ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT origin, vault_id, pseudonym, sealed, "
                                       "manifest_sha256 FROM received_identities "
                                       "ORDER BY pseudonym, origin"));
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    ByteView b = st.ColumnBlob(3);
    records.push_back({st.ColumnText(0), st.ColumnText(1), st.ColumnText(2),
                       Bytes(b.begin(), b.end()), st.ColumnText(4)});
  }
  return records;
}

Result<std::vector<ReceivedWitnessSummary>> ListReceivedWitnesses(Db& db) {
  ASSIGN_OR_RETURN(std::vector<ReceivedIdentity> records, ListReceivedIdentities(db));
  std::vector<ReceivedWitnessSummary> out;
  for (const auto& r : records) {
    ASSIGN_OR_RETURN(FoundWitnessAdd found, FindWitnessAddEntry(db, r));
    ReceivedWitnessSummary s{r.origin, r.pseudonym, nlohmann::json::object(), found.event.time,
                             found.where.sequence};
    auto c = found.event.details.find("consent");
    if (c != found.event.details.end() && c->is_object()) s.consent = *c;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace amanat::vault
