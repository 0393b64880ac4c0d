#include "cli/report_output.h"

#include "cli/app.h"
#include "vault/report_html.h"
#include "vault/text.h"

namespace amanat::cli {

Status CheckReportText(const std::string& text, const char* option) {
  if (vault::IsCleanText(text, 1000)) return OkStatus();
  return InvalidInput(
      std::string(option) +
      ": must be one line of UTF-8 text, at most 1000 bytes, without control characters");
}

Status WriteReport(OutputFile& out, const std::string& path, const vault::ReportModel& model,
                   bool announce) {
  const std::string html = vault::RenderReportHtml(model);
  RETURN_IF_ERROR(out.Write(AsBytes(html)));
  RETURN_IF_ERROR(out.Commit());
  const std::string n =
      std::to_string(model.items.size()) + (model.items.size() == 1 ? " item" : " items");
  if (model.verified()) {
    if (announce) PrintLine("report written to " + path + ": " + n + ", VERIFIED");
    return OkStatus();
  }
  if (announce) {
    PrintLine("report written to " + path + ": " + n + ", VERIFICATION FAILED (" +
              std::to_string(model.anomalies.size()) + " anomalies)");
  }
  return VerifyFailed("verification failed: " + model.anomalies.front())
      .WithHint("the report lists every anomaly: " + path);
}

}  // namespace amanat::cli
