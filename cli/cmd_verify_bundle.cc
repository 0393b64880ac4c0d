// amanat verify-bundle FILE: check an evidence bundle without a vault and without a secret.
#include "cli/app.h"
#include "cli/bundle_report.h"
#include "cli/terminal.h"
#include "vault/bundle_file.h"
#include "vault/bundle_verify.h"
#include "vault/byte_source.h"

namespace amanat::cli {
namespace {

struct VerifyBundleOptions {
  std::string file;
  std::vector<std::string> trust;
  std::vector<std::string> against;
  std::vector<std::string> identities;
  std::vector<std::string> tsa_cas;
  bool json = false;
};

Status RunVerifyBundle(const VerifyBundleOptions& o, const GlobalOptions& g) {
  ASSIGN_OR_RETURN(vault::BundleVerifyOptions vo, BundleOptionsFromArgs(o.trust, o.against));
  ASSIGN_OR_RETURN(vo.tsa_ca_pem, TsaCaFromArgs(o.tsa_cas));
  std::vector<crypto::AgeIdentity> ids;
  for (const auto& path : o.identities) {
    ASSIGN_OR_RETURN(auto more, vault::ReadAgeIdentityFile(path));
    for (auto& id : more) ids.push_back(std::move(id));
  }
  ASSIGN_OR_RETURN(auto source, vault::OpenBundleFile(o.file, ids));
  Progress progress(!g.quiet, "verifying", source->size());
  vo.progress = [&](uint64_t done) { progress.Update(done); };
  auto report = vault::VerifyBundle(*source, vo);
  progress.Finish();
  if (!report.ok()) {
    // Errors about the archive name it already; those about a member get the file's name.
    const Status& s = report.status();
    return s.message().rfind(o.file, 0) == 0 ? s : s.Context(o.file);
  }
  if (o.json) {
    PrintJson(BundleReportJson(o.file, *report));
  } else {
    PrintBundleReport(o.file, *report, !o.trust.empty(), !o.tsa_cas.empty());
  }
  return BundleReportStatus(*report);
}

}  // namespace

Command SetupVerifyBundle(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<VerifyBundleOptions>();
  CLI::App* sub = app.add_subcommand(
      "verify-bundle", "Check an evidence bundle (no vault or passphrase needed)");
  sub->add_option("file", o->file, "The bundle (.zip)")->required();
  sub->add_option("--trust", o->trust,
                  "A key you trust (verifier key text or a file holding it); repeatable. Then "
                  "every signer must be one of them")
      ->allow_extra_args(false);
  sub->add_option("--against", o->against, "An older checkpoint of the same vault (repeatable)")
      ->allow_extra_args(false);
  sub->add_option("--tsa-ca", o->tsa_cas,
                  "CA certificate (PEM) of a time-stamping authority you trust; repeatable. Then "
                  "every timestamp token must chain to one of them")
      ->allow_extra_args(false);
  sub->add_option("--identity", o->identities,
                  "An age identity file, for a bundle encrypted to you (repeatable)")
      ->allow_extra_args(false);
  sub->add_flag("--json", o->json, "Machine-readable output");
  return {sub, [o, &g] { return RunVerifyBundle(*o, g); }};
}

}  // namespace amanat::cli
