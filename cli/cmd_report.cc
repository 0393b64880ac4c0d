// amanat report ID... -o FILE: the verification report of items, as one HTML file for a court.
#include <set>

#include "cli/app.h"
#include "cli/output_file.h"
#include "cli/report_output.h"
#include "vault/custodians.h"
#include "vault/items.h"
#include "vault/report_vault.h"

namespace amanat::cli {
namespace {

struct ReportOptions {
  std::vector<std::string> ids;
  std::string output;
  std::string case_id;
  std::string purpose;
  bool force = false;
  bool json = false;
};

Status RunReport(const ReportOptions& o, const GlobalOptions& g) {
  RETURN_IF_ERROR(CheckReportText(o.case_id, "--case"));
  RETURN_IF_ERROR(CheckReportText(o.purpose, "--purpose"));
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  std::vector<vault::ItemInfo> items;
  std::set<std::string> seen;
  for (const auto& ref : o.ids) {
    ASSIGN_OR_RETURN(vault::ItemInfo item, vault::ResolveItem(*v, ref));
    RETURN_IF_ERROR(vault::RequireRead(*v, item));
    RETURN_IF_ERROR(vault::RequireOpenable(*v, item));
    if (seen.insert(item.id).second) items.push_back(std::move(item));
  }
  // The output is opened first, so that a refused output records nothing.
  ASSIGN_OR_RETURN(OutputFile out, OutputFile::Create(o.output, o.force));
  ASSIGN_OR_RETURN(vault::ReportModel model,
                   vault::ReportFromVault(*v, items, {o.case_id, o.purpose, ToolVersion()}));
  Status written = WriteReport(out, o.output, model, !o.json);
  if (!written.ok() && written.code() != Code::kVerifyFailed) return written;
  if (o.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& it : model.items) {
      list.push_back({{"id", it.id}, {"sha256_now", it.sha256_now}, {"match", it.match}});
    }
    PrintJson({{"ok", model.verified()},
               {"report", o.output},
               {"items", list},
               {"anomalies", model.anomalies}});
  }
  return written;
}

}  // namespace

Command SetupReport(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<ReportOptions>();
  CLI::App* sub = app.add_subcommand(
      "report", "Verify items and write a self-contained HTML report for a court");
  sub->add_option("ids", o->ids, "Item IDs or unique prefixes (8+ hex digits)")->required();
  sub->add_option("-o,--output", o->output, "The report file (.html)")->required();
  sub->add_option("--case", o->case_id, "Case identifier to print on the report");
  sub->add_option("--purpose", o->purpose, "Why the report is made (recorded in the custody log)");
  sub->add_flag("--force", o->force, "Overwrite an existing output file");
  sub->add_flag("--json", o->json, "Print the result as JSON (the report is HTML all the same)");
  return {sub, [o, &g] { return RunReport(*o, g); }};
}

}  // namespace amanat::cli
