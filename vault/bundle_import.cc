#include "vault/bundle_import.h"

#include <map>

#include "crypto/encoding.h"
#include "vault/bundle_layout.h"
#include "vault/custodians.h"
#include "vault/received.h"
#include "vault/received_identities.h"
#include "vault/zip_reader.h"

namespace amanat::vault {
namespace {

using nlohmann::json;

json ImportDetails(const BundleReport& r, bool already) {
  const Manifest& m = r.manifest;
  json items = json::array();
  for (const auto& it : m.items) {
    items.push_back({{"id", it.id}, {"size", it.size}, {"media_type", it.media_type},
                     {"metadata", it.metadata}});
  }
  json sections = json::array();
  sections.push_back({{"origin", m.origin},
                      {"checkpoint_size", m.checkpoint_size},
                      {"checkpoint_root", crypto::Base64Encode(m.checkpoint_root)}});
  for (const auto& s : m.received) {
    sections.push_back({{"origin", s.origin},
                        {"checkpoint_size", s.checkpoint_size},
                        {"checkpoint_root", crypto::Base64Encode(s.checkpoint_root)}});
  }
  return {{"bundle",
           {{"manifest_sha256", r.manifest_sha256},
            {"origin", m.origin},
            {"exporter", m.exporter},
            {"exporter_key_id", m.exporter_key_id},
            {"export_event", m.export_event},
            {"checkpoint_size", m.checkpoint_size},
            {"checkpoint_root", crypto::Base64Encode(m.checkpoint_root)}}},
          {"items", items},
          {"sections", sections},
          {"already_imported", already}};
}

json IdentityNames(const BundleReport& r) {
  json names = json::array();
  for (const auto& [pseudonym, sealed] : r.sealed_identities) names.push_back(pseudonym);
  return names;
}

// Streams every item of the manifest that the vault lacks from the ZIP into the vault.
Status StoreItems(Vault& vault, RandomAccessSource& source, const Manifest& m,
                  const ProgressFn& progress, ImportResult* out) {
  std::map<std::string, const BundleItem*> wanted;
  for (const auto& it : m.items) wanted[kItemsDir + it.id] = &it;
  ASSIGN_OR_RETURN(auto zip, ZipReader::Open(source));
  uint64_t before = 0;
  for (;;) {
    ASSIGN_OR_RETURN(auto member, zip->Next());
    if (!member) break;
    auto w = wanted.find(member->path);
    if (w == wanted.end()) continue;
    const BundleItem& it = *w->second;
    ReceivedItem rec{it.id, it.size, it.kind, it.media_type, it.metadata};
    ASSIGN_OR_RETURN(IngestResult r,
                     StoreReceivedItem(
                         vault, [&](uint8_t* buf, size_t n) { return zip->ReadSome(buf, n); }, rec,
                         [&](uint64_t done) {
                           if (progress) progress(before + done);
                         }));
    before += it.size;
    (r.already_present ? out->present : out->stored).push_back(it.id);
    wanted.erase(w);
  }
  if (!wanted.empty()) {
    return VerifyFailed(wanted.begin()->first + ": missing from the bundle (it changed since it was verified)");
  }
  return OkStatus();
}

}  // namespace

Result<ImportResult> ImportBundle(Vault& vault, RandomAccessSource& source,
                                  const BundleVerifyOptions& options, const std::string& purpose,
                                  const ProgressFn& progress) {
  RETURN_IF_ERROR(RequireRole(vault, {"admin", "collector"}, "importing a bundle"));
  ImportResult out;
  ASSIGN_OR_RETURN(out.report, VerifyBundle(source, options));
  if (!out.report.ok()) return out;
  const Manifest& m = out.report.manifest;
  if (m.origin == vault.origin()) {
    return InvalidInput("this bundle was exported from this vault (" + m.origin +
                        "); its items and records are here already");
  }
  std::vector<std::string> ids;
  for (const auto& it : m.items) ids.push_back(it.id);

  ASSIGN_OR_RETURN(out.already_imported, BundleAlreadyReceived(vault, out.report.manifest_sha256));
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(vault.db()));
  if (!out.already_imported) {
    RETURN_IF_ERROR(StoreItems(vault, source, m, progress, &out));
  } else {
    out.present = ids;
  }
  json details = ImportDetails(out.report, out.already_imported);
  if (!out.report.sealed_identities.empty()) details["identities"] = IdentityNames(out.report);
  ASSIGN_OR_RETURN(out.import_event, vault.Record("import", ids, purpose, details));
  if (!out.already_imported) {
    RETURN_IF_ERROR(StoreReceivedBundle(vault, out.report, out.import_event));
    ASSIGN_OR_RETURN(out.identities, StoreReceivedIdentities(vault, out.report));
  }
  RETURN_IF_ERROR(vault.Commit(tx));
  out.imported = true;
  return out;
}

}  // namespace amanat::vault
