// amanat import FILE: verify an evidence bundle, then bring its items and custody records in.
#include <algorithm>

#include "cli/app.h"
#include "vault/bundle_file.h"
#include "cli/bundle_report.h"
#include "cli/terminal.h"
#include "crypto/encoding.h"
#include "vault/bundle_import.h"
#include "vault/byte_source.h"

namespace amanat::cli {
namespace {

struct ImportOptions {
  std::string file;
  std::vector<std::string> trust;
  std::vector<std::string> identities;
  std::string purpose;
  bool json = false;
};

Status RunImport(const ImportOptions& o, const GlobalOptions& g) {
  ASSIGN_OR_RETURN(vault::BundleVerifyOptions vo, BundleOptionsFromArgs(o.trust, {}));
  std::vector<crypto::AgeIdentity> ids;
  for (const auto& path : o.identities) {
    ASSIGN_OR_RETURN(auto more, vault::ReadAgeIdentityFile(path));
    for (auto& id : more) ids.push_back(std::move(id));
  }
  ASSIGN_OR_RETURN(auto source, vault::OpenBundleFile(o.file, ids));
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  Progress progress(!g.quiet, "importing", source->size());
  vo.progress = [&](uint64_t done) { progress.Update(done); };
  auto r = vault::ImportBundle(*v, *source, vo, o.purpose,
                               [&](uint64_t done) { progress.Update(done); });
  progress.Finish();
  if (!r.ok()) {
    const Status& s = r.status();
    return s.message().rfind(o.file, 0) == 0 ? s : s.Context(o.file);
  }
  if (!r->imported) {
    // Nothing was written: show what failed, as verify-bundle would.
    if (o.json) {
      PrintJson({{"imported", false}, {"verification", BundleReportJson(o.file, r->report)}});
    } else {
      PrintBundleReport(o.file, r->report, !o.trust.empty(), false);
      PrintLine("nothing was imported");
    }
    return BundleReportStatus(r->report);
  }
  const vault::Manifest& m = r->report.manifest;
  if (o.json) {
    PrintJson({{"imported", true},
               {"already_imported", r->already_imported},
               {"import_event", r->import_event},
               {"stored", r->stored},
               {"present", r->present},
               {"identities", r->identities},
               {"unsealed", r->unsealed},
               {"source", {{"origin", m.origin},
                           {"exporter", m.exporter},
                           {"exporter_key_id", m.exporter_key_id},
                           {"checkpoint", {{"size", m.checkpoint_size},
                                           {"root", crypto::Base64Encode(m.checkpoint_root)}}}}},
               {"received_sections", 1 + m.received.size()},
               {"manifest_sha256", r->report.manifest_sha256}});
    return OkStatus();
  }
  PrintLine("verified " + o.file + ": " + std::to_string(m.items.size()) + " item" +
            (m.items.size() == 1 ? "" : "s") + " from " + m.origin + ", exported by " + m.exporter +
            " (key " + m.exporter_key_id + ") on " + m.created);
  for (const auto& s : r->report.signers) {
    PrintLine("  relied on " + s.kind + " key " + s.fingerprint +
              (s.kind == "custodian" ? " (" + s.name + ")" : "") +
              (o.trust.empty() ? "" : s.trusted ? " [trusted]" : " [NOT TRUSTED]"));
  }
  if (r->already_imported) {
    PrintLine("this bundle was imported before: nothing new stored; import event " +
              std::to_string(r->import_event) + " records this attempt");
    return OkStatus();
  }
  for (const auto& id : r->stored) {
    const bool unsealed =
        std::find(r->unsealed.begin(), r->unsealed.end(), id) != r->unsealed.end();
    PrintLine(id + (unsealed ? "  stored (was sealed to HQ: opened and re-hashed)" : "  stored"));
  }
  for (const auto& id : r->present) PrintLine(id + "  already in this vault");
  for (const auto& p : r->identities) {
    PrintLine(p + "  sealed identity record received (open it with witness show)");
  }
  PrintLine("kept " + std::to_string(1 + m.received.size()) + " custody record" +
            (m.received.empty() ? "" : "s") + " as received; import event " +
            std::to_string(r->import_event));
  return OkStatus();
}

}  // namespace

Command SetupImport(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<ImportOptions>();
  CLI::App* sub = app.add_subcommand(
      "import", "Verify an evidence bundle, then add its items and custody record to the vault");
  sub->add_option("file", o->file, "The bundle (.zip)")->required();
  sub->add_option("--trust", o->trust,
                  "A key you trust (verifier key text or a file holding it); repeatable. Then "
                  "every signer must be one of them")
      ->allow_extra_args(false);
  sub->add_option("--purpose", o->purpose, "Why it is imported (recorded and signed)");
  sub->add_option("--identity", o->identities,
                  "An age identity file, for a bundle encrypted to you (repeatable)")
      ->allow_extra_args(false);
  sub->add_flag("--json", o->json, "Machine-readable output");
  return {sub, [o, &g] { return RunImport(*o, g); }};
}

}  // namespace amanat::cli
