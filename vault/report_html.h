// Renders a ReportModel (vault/report.h) as one self-contained HTML file for a court: no
// script, no external resource (a Content-Security-Policy meta forbids all but inline style),
// the provenance graph as inline SVG, and print CSS (a page break between sections, table
// rows never cut, hashes on one line so that copying or extracting text keeps them whole).
// Every string from the model is escaped.
#ifndef AMANAT_VAULT_REPORT_HTML_H_
#define AMANAT_VAULT_REPORT_HTML_H_

#include <string>
#include <string_view>

#include "vault/report.h"

namespace amanat::vault {

// The whole document, UTF-8.
std::string RenderReportHtml(const ReportModel& model);

// Text safe in HTML element content and in double- or single-quoted attribute values:
// & < > " ' escaped; control characters other than tab and newline, and invalid UTF-8,
// become U+FFFD.
std::string HtmlEscape(std::string_view text);

// The provenance graph as an inline <svg> element (layered, parents left of children), or ""
// if there are no edges.
std::string ProvenanceSvg(const ReportModel& model);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_REPORT_HTML_H_
