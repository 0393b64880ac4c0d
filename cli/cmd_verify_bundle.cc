// amanat verify-bundle FILE: check an evidence bundle without a vault and without a secret.
#include <optional>

#include "cli/app.h"
#include "cli/bundle_report.h"
#include "cli/output_file.h"
#include "cli/report_output.h"
#include "cli/terminal.h"
#include "vault/bundle_file.h"
#include "vault/bundle_verify.h"
#include "vault/byte_source.h"
#include "vault/report_bundle.h"
#include "vault/timeutil.h"

namespace amanat::cli {
namespace {

struct VerifyBundleOptions {
  std::string file;
  std::vector<std::string> trust;
  std::vector<std::string> against;
  std::vector<std::string> identities;
  std::vector<std::string> tsa_cas;
  bool json = false;
  std::string report;  // --report FILE
  std::string case_id;
  bool force = false;
};

vault::BundleReportContext ReportContext(const VerifyBundleOptions& o) {
  return {o.file, o.case_id, vault::NowUtc(), ToolVersion(), !o.trust.empty()};
}

Status RunVerifyBundle(const VerifyBundleOptions& o, const GlobalOptions& g) {
  RETURN_IF_ERROR(CheckReportText(o.case_id, "--case"));
  ASSIGN_OR_RETURN(vault::BundleVerifyOptions vo, BundleOptionsFromArgs(o.trust, o.against));
  ASSIGN_OR_RETURN(vo.tsa_ca_pem, TsaCaFromArgs(o.tsa_cas));
  // The report file is opened first, so that a refused output is known before any work.
  std::optional<OutputFile> out;
  if (!o.report.empty()) {
    ASSIGN_OR_RETURN(OutputFile f, OutputFile::Create(o.report, o.force));
    out.emplace(std::move(f));
  }
  std::vector<crypto::AgeIdentity> ids;
  for (const auto& path : o.identities) {
    ASSIGN_OR_RETURN(auto more, vault::ReadAgeIdentityFile(path));
    for (auto& id : more) ids.push_back(std::move(id));
  }
  auto opened = vault::OpenBundleFile(o.file, ids);
  if (!opened.ok()) {
    // A bundle that cannot even be opened still gets a report saying so, unless the reason
    // is the reader's own (a missing file, an I/O error, a wrong identity).
    const Code c = opened.status().code();
    if (out && (c == Code::kVerifyFailed || c == Code::kInvalidInput)) {
      vault::BundleReport failed;
      failed.problems.push_back(opened.status().message());
      (void)WriteReport(*out, o.report, vault::ReportFromBundle(failed, ReportContext(o)), false);
    }
    return opened.status();
  }
  auto source = std::move(*opened);
  Progress progress(!g.quiet, "verifying", source->size());
  vo.progress = [&](uint64_t done) { progress.Update(done); };
  auto report = vault::VerifyBundle(*source, vo);
  progress.Finish();
  if (!report.ok()) {
    // Errors about the archive name it already; those about a member get the file's name.
    const Status& s = report.status();
    Status named = s.message().rfind(o.file, 0) == 0 ? s : s.Context(o.file);
    if (out && named.code() != Code::kIoError) {
      vault::BundleReport failed;
      failed.problems.push_back(named.message());
      (void)WriteReport(*out, o.report, vault::ReportFromBundle(failed, ReportContext(o)), false);
    }
    return named;
  }
  if (o.json) {
    PrintJson(BundleReportJson(o.file, *report));
  } else {
    PrintBundleReport(o.file, *report, !o.trust.empty(), !o.tsa_cas.empty());
  }
  if (out) {
    // The report's own status repeats the verification's; the first problem is reported below.
    Status written =
        WriteReport(*out, o.report, vault::ReportFromBundle(*report, ReportContext(o)), !o.json);
    if (!written.ok() && written.code() != Code::kVerifyFailed) return written;
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
  sub->add_option("--report", o->report,
                  "Also write a self-contained HTML report for a court to FILE (written even "
                  "when verification fails)");
  sub->add_option("--case", o->case_id, "Case identifier to print on the --report");
  sub->add_flag("--force", o->force, "Overwrite an existing --report file");
  return {sub, [o, &g] { return RunVerifyBundle(*o, g); }};
}

}  // namespace amanat::cli
