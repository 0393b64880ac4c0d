// The court report (vault/report.h) of a bundle verification (vault/bundle_verify.h): no
// vault, no secret. Anomalies are the verification's problems, as they were found.
#ifndef AMANAT_VAULT_REPORT_BUNDLE_H_
#define AMANAT_VAULT_REPORT_BUNDLE_H_

#include <string>
#include <vector>

#include "vault/bundle_verify.h"
#include "vault/report.h"

namespace amanat::vault {

struct BundleReportContext {
  std::string file;          // the bundle as named on the command line
  std::string case_id;       // --case, may be ""
  std::string generated_at;  // UTC
  std::string tool;          // "amanat 0.1.0"
  bool trust_given = false;  // --trust was given: keys are marked trusted or NOT TRUSTED
};

ReportModel ReportFromBundle(const BundleReport& r, const BundleReportContext& context);

// The one place where a bundle verification's trusted timestamps become report rows. Bundles
// of format amanat-bundle/1 as verified today carry no timestamp tokens, so this returns
// none; when BundleReport gains per-token results, map them here.
std::vector<ReportTimestamp> TimestampsFromBundle(const BundleReport& r);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_REPORT_BUNDLE_H_
