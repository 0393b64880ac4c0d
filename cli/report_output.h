// What `report` and `verify-bundle --report` share: checking the free text they print, and
// writing the HTML report (vault/report_html.h).
#ifndef AMANAT_CLI_REPORT_OUTPUT_H_
#define AMANAT_CLI_REPORT_OUTPUT_H_

#include <string>

#include "cli/output_file.h"
#include "crypto/status.h"
#include "vault/report.h"

namespace amanat::cli {

// kInvalidInput naming `option` unless `text` is clean one-line UTF-8 of at most 1000 bytes.
Status CheckReportText(const std::string& text, const char* option);

// Renders `model` into `out`, gives it its name, and (if `announce`) prints one line saying
// where the report is and what it found. kVerifyFailed naming the first anomaly if verification
// failed (the report is written all the same).
Status WriteReport(OutputFile& out, const std::string& path, const vault::ReportModel& model,
                   bool announce = true);

}  // namespace amanat::cli

#endif  // AMANAT_CLI_REPORT_OUTPUT_H_
