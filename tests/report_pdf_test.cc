// The HTML report as a court would print it: Debian's headless chromium prints it to PDF,
// pdftotext reads the text back, and every item's full SHA-256 must be there, unbroken.
// Skipped (GTEST_SKIP) where chromium or pdftotext is missing; scripts/install-deps installs
// both, so CI runs it. Chromium runs without network, sandbox or GPU, with a temporary
// profile, under `timeout` (which kills its whole process group) so it can never hang.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/bundle_test_util.h"

namespace amanat::testing {
namespace {

constexpr char kChromium[] = "/usr/bin/chromium";
constexpr char kPdfToText[] = "/usr/bin/pdftotext";
constexpr char kTimeout[] = "/usr/bin/timeout";

class ReportPdfTest : public BundleTest {
 protected:
  // Prints `html` to `pdf` and returns its text as pdftotext gives it.
  std::string PrintAndExtract(const std::string& html, const std::string& pdf) {
    RunOptions o;
    o.timeout = std::chrono::seconds(120);
    o.env["HOME"] = Path("home");
    o.env["XDG_CONFIG_HOME"] = Path("home");
    o.env["XDG_CACHE_HOME"] = Path("home");
    std::filesystem::create_directories(Path("home"));
    RunResult c =
        RunProgram(kTimeout,
                   {"-k", "5", "90", kChromium, "--headless", "--no-sandbox", "--disable-gpu",
                    "--user-data-dir=" + Path("chromium-profile"), "--no-pdf-header-footer",
                    "--no-first-run", "--disable-extensions", "--disable-sync",
                    "--disable-default-apps", "--disable-background-networking",
                    "--disable-component-update", "--proxy-server=127.0.0.1:9",
                    "--proxy-bypass-list=<-loopback>", "--print-to-pdf=" + pdf, "file://" + html},
                   o);
    EXPECT_FALSE(c.timed_out) << c;
    EXPECT_EQ(c.exit_code, 0) << c;
    EXPECT_TRUE(std::filesystem::exists(pdf)) << c;
    RunResult t = RunProgram(kPdfToText, {"-enc", "UTF-8", pdf, "-"}, o);
    EXPECT_EQ(t.exit_code, 0) << t;
    return t.out;
  }

  void SetUp() override {
    if (!std::filesystem::exists(kChromium) || !std::filesystem::exists(kPdfToText) ||
        !std::filesystem::exists(kTimeout)) {
      GTEST_SKIP() << "needs chromium, pdftotext (poppler-utils) and timeout: scripts/install-deps";
    }
    BundleTest::SetUp();
  }
};

TEST_F(ReportPdfTest, PrintedReportKeepsEveryHashWhole) {
  RunResult r =
      RunV({"report", testimony_, recording_, "-o", Path("r.html"), "--case", "ICC-01/21"});
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::string text = PrintAndExtract(Path("r.html"), Path("r.pdf"));
  ASSERT_FALSE(text.empty());
  for (const auto& id : {testimony_, recording_}) {
    size_t n = 0;
    for (size_t p = text.find(id); p != std::string::npos; p = text.find(id, p + 1)) ++n;
    EXPECT_GE(n, 2u) << id << " (at collection and now) not whole in the PDF text:\n" << text;
  }
  EXPECT_NE(text.find("VERIFIED"), std::string::npos) << text;
  EXPECT_NE(text.find("ICC-01/21"), std::string::npos) << text;
  EXPECT_NE(text.find("How to repeat this verification"), std::string::npos) << text;
}

TEST_F(ReportPdfTest, PrintedFailureShowsBothHashes) {
  const std::string bundle = Export("b.zip");
  std::vector<Member> members = ReadMembers(bundle);
  Member* item = FindMember(members, "items/" + recording_);
  ASSERT_NE(item, nullptr);
  item->data[100] ^= 1;
  const std::string now = Sha256SumOf(item->data);
  WriteMembers(Path("t.zip"), members);
  RunResult r = VerifyBundle(Path("t.zip"), {"--report", Path("t.html")});
  ASSERT_EQ(r.exit_code, 1) << r;
  const std::string text = PrintAndExtract(Path("t.html"), Path("t.pdf"));
  EXPECT_NE(text.find("VERIFICATION FAILED"), std::string::npos) << text;
  EXPECT_NE(text.find(recording_), std::string::npos) << text;
  EXPECT_NE(text.find(now), std::string::npos) << text;
  EXPECT_NE(text.find(testimony_), std::string::npos) << text;
}

}  // namespace
}  // namespace amanat::testing
