// What verify-bundle and import share on the command line: reading --trust and --against
// arguments, and printing a bundle's verification report.
#ifndef AMANAT_CLI_BUNDLE_REPORT_H_
#define AMANAT_CLI_BUNDLE_REPORT_H_

#include <string>
#include <vector>

#include "crypto/status.h"
#include "vault/bundle_verify.h"

namespace amanat::cli {

// --trust and --against arguments into verification options. A --trust value is verifier
// key text (name+hex8+base64) or a file holding it; --against is a file holding a signed
// checkpoint. kInvalidInput (or kNotFound) naming the bad argument.
Result<vault::BundleVerifyOptions> BundleOptionsFromArgs(const std::vector<std::string>& trust,
                                                        const std::vector<std::string>& against);

// --tsa-ca arguments: the certificates of each file, as PEM, one after the other.
// kInvalidInput for a file without a certificate or with a damaged one, kNotFound if missing.
Result<std::string> TsaCaFromArgs(const std::vector<std::string>& files);

// The report for a person: items with ✓/✗, the custody timeline, provenance, the keys relied
// on, trusted timestamps, what was checked, and every problem.
void PrintBundleReport(const std::string& file, const vault::BundleReport& r, bool trust_given,
                       bool tsa_ca_given);
// The same as one JSON document.
nlohmann::json BundleReportJson(const std::string& file, const vault::BundleReport& r);

// kOk if the report has no problem, else kVerifyFailed naming the first.
Status BundleReportStatus(const vault::BundleReport& r);

}  // namespace amanat::cli

#endif  // AMANAT_CLI_BUNDLE_REPORT_H_
