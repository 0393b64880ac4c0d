// The HTML report renderer (vault/report_html.h): every section, every hash, escaping of
// untrusted text, the failure banner, and nothing that loads or runs anything.
#include "vault/report_html.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>

namespace amanat::vault {
namespace {

const std::string kA(64, 'a');
const std::string kB = std::string(32, '0') + std::string(32, 'f');
const std::string kC = "3f9a0c12" + std::string(56, '7');

ReportModel Model() {
  ReportModel m;
  m.mode = "bundle";
  m.case_id = "ICC-01/21";
  m.generated_at = "2026-12-01T06:00:00Z";
  m.tool = "amanat 0.1.0";
  m.identifiers = {{"Bundle ID (SHA-256 of manifest.json)", std::string(64, '9')}};
  ReportItem a;
  a.id = kA;
  a.sha256_now = kA;
  a.match = true;
  a.kind = "testimony";
  a.title = "Statement 1";
  a.place = "Almaty region";
  a.collector = "aigerim";
  a.witness = "W-7K3F9Q";
  a.tool = "amanat 0.1.0";
  ReportItem b = a;
  b.id = kB;
  b.sha256_now = kB;
  b.kind = "document";
  m.items = {a, b};
  m.timeline.push_back({"amanat/0011",
                        3,
                        "2026-11-30T10:00:00Z",
                        "ingest",
                        "aigerim",
                        "0123456789abcdef",
                        "",
                        {kA},
                        "aigerim (key 0123456789abcdef)",
                        true,
                        "verified"});
  m.provenance.push_back({kA, kB, "redaction", "custody event 5"});
  m.provenance.push_back({kC, kA, "transcript", "custody event 4"});
  m.redactions.push_back({kA, kB, "custody event 5", "2 span(s) removed"});
  m.timestamps.push_back({12, "2026-11-30T11:00:00Z", "CN=Test TSA", "1f", "1.2.3",
                          std::string(64, 'e'), true, "verified"});
  m.keys.push_back(
      {"custodian", "aigerim", "0123456789abcdef", "aigerim+01234567+AQ", "3 events", ""});
  m.checked = {"members: compared"};
  m.repeat = {"Run: amanat verify-bundle b.zip"};
  return m;
}

size_t Count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

TEST(ReportHtml, HasEverySectionAndHash) {
  const std::string html = RenderReportHtml(Model());
  for (const char* id : {"summary", "items", "timeline", "provenance", "timestamps", "keys",
                         "anomalies", "repeat"}) {
    EXPECT_NE(
        html.find(std::string("<section") +
                  (std::string(id) == "summary" ? " class=\"first\"" : "") + " id=\"" + id + "\""),
        std::string::npos)
        << id;
  }
  // At collection and now, each on its own unbroken line.
  EXPECT_GE(Count(html, "<span class=\"hash\">" + kA + "</span>"), 2u);
  EXPECT_GE(Count(html, "<span class=\"hash\">" + kB + "</span>"), 2u);
  EXPECT_NE(html.find("ICC-01/21"), std::string::npos);
  EXPECT_NE(html.find("W-7K3F9Q"), std::string::npos);
  EXPECT_NE(html.find("CN=Test TSA"), std::string::npos);
  EXPECT_NE(html.find("aigerim+01234567+AQ"), std::string::npos);
  EXPECT_NE(html.find("@media print"), std::string::npos);
  EXPECT_NE(html.find("break-inside: avoid"), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("✓ VERIFIED"), std::string::npos);
  EXPECT_EQ(html.find("VERIFICATION FAILED"), std::string::npos);
}

TEST(ReportHtml, LoadsAndRunsNothing) {
  const std::string html = RenderReportHtml(Model());
  EXPECT_NE(html.find("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                      "style-src 'unsafe-inline';"),
            std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("href"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("@font-face"), std::string::npos);
  // The only URL is the SVG namespace; the only url() the arrow marker inside the SVG.
  std::string rest =
      std::regex_replace(html, std::regex("xmlns=\"http://www.w3.org/2000/svg\""), "");
  EXPECT_EQ(rest.find("http:"), std::string::npos);
  EXPECT_EQ(rest.find("https:"), std::string::npos);
  EXPECT_EQ(rest.find("//"), std::string::npos);
  EXPECT_EQ(std::regex_replace(rest, std::regex("url\\(#arrow\\)"), "").find("url("),
            std::string::npos);
}

TEST(ReportHtml, UntrustedTextIsInert) {
  ReportModel m = Model();
  m.case_id = "</title><script>alert(1)</script>";
  m.items[0].title = "<script>alert('t')</script>";
  m.items[0].place = "\"><img src=x onerror=alert(1)>";
  m.items[1].filename = "a&b <i>.txt";
  m.timeline[0].custodian = "<b>mallory</b>";
  m.timeline[0].purpose = "' onmouseover='x";
  m.provenance[0].relation = "<script>svg</script>";
  m.keys[0].name = "<style>body{display:none}</style>";
  m.anomalies = {"item x: <script>bad()</script>"};
  const std::string html = RenderReportHtml(m);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>mallory"), std::string::npos);
  EXPECT_EQ(Count(html, "<style>"), 1u);  // the report's own
  EXPECT_EQ(html.find("' onmouseover"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  EXPECT_NE(html.find("a&amp;b &lt;i&gt;.txt"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;svg&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
}

TEST(ReportHtml, FailureIsProminent) {
  ReportModel m = Model();
  m.items[1].sha256_now = kC;
  m.items[1].match = false;
  m.items[1].problem = "content does not match its ID";
  m.anomalies = {"item " + kB + ": content does not match its ID (its SHA-256 is " + kC + ")",
                 "custody event 7: signature does not verify (key 01234567)"};
  const std::string html = RenderReportHtml(m);
  const size_t banner = html.find("<div class=\"banner bad\" role=\"alert\">");
  ASSERT_NE(banner, std::string::npos);
  EXPECT_LT(banner, html.find("id=\"items\""));  // before anything else
  EXPECT_NE(html.find("✗ VERIFICATION FAILED</span>: 2 anomalies"), std::string::npos);
  EXPECT_NE(html.find("(VERIFICATION FAILED)</title>"), std::string::npos);
  EXPECT_NE(html.find("custody event 7: signature does not verify (key 01234567)"),
            std::string::npos);
  EXPECT_NE(html.find("✗ content does not match its ID"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"hash\">" + kC + "</span>"), std::string::npos);
  EXPECT_EQ(html.find("✓ VERIFIED"), std::string::npos);
}

TEST(ReportHtml, EscapeReplacesControlsAndBadUtf8) {
  EXPECT_EQ(HtmlEscape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
  EXPECT_EQ(HtmlEscape("Қарамай"), "Қарамай");
  EXPECT_EQ(HtmlEscape(std::string("x\x01y\x7fz", 5)), "x\xEF\xBF\xBDy\xEF\xBF\xBDz");
  EXPECT_EQ(HtmlEscape("\xC3"), "\xEF\xBF\xBD");                  // truncated sequence
  EXPECT_EQ(HtmlEscape("\xC0\xBC"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '<'
  EXPECT_EQ(HtmlEscape("tab\tnl\n"), "tab\tnl\n");
}

TEST(ReportHtml, ProvenanceGraphIsLayered) {
  ReportModel m = Model();
  const std::string svg = ProvenanceSvg(m);
  EXPECT_EQ(Count(svg, "<rect"), 3u);
  EXPECT_EQ(Count(svg, "<line"), 2u);
  // kC is a source of kA, which is a source of kB: three columns, left to right.
  const size_t c = svg.find(kC.substr(0, 16)), a = svg.find(kA.substr(0, 16)),
               b = svg.find(kB.substr(0, 16));
  ASSERT_NE(c, std::string::npos);
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  auto x_before = [&](size_t pos) {
    size_t r = svg.rfind("<rect x=\"", pos);
    return std::stoi(svg.substr(r + 9));
  };
  EXPECT_LT(x_before(c), x_before(a));
  EXPECT_LT(x_before(a), x_before(b));
  EXPECT_NE(svg.find("not in this report"), std::string::npos);  // kC is not an item here

  m.provenance.clear();
  EXPECT_EQ(ProvenanceSvg(m), "");
  EXPECT_EQ(RenderReportHtml(m).find("<svg"), std::string::npos);
}

TEST(ReportHtml, CycleInDamagedDataEnds) {
  ReportModel m = Model();
  m.provenance = {{kA, kB, "excerpt", "custody event 1"}, {kB, kA, "excerpt", "custody event 2"}};
  const std::string svg = ProvenanceSvg(m);
  EXPECT_EQ(Count(svg, "<rect"), 2u);
}

}  // namespace
}  // namespace amanat::vault
