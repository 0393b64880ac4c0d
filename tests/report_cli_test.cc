// `amanat report` and `amanat verify-bundle --report` end to end (issue P5, item 2): the HTML
// report is written, names every item by its full SHA-256, is recorded as a custody event,
// is still written (with exit 1) when verification fails, and every error path gives one
// line and the right exit code without leaving a file behind.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/bundle_test_util.h"
#include "tests/tsa_test_util.h"

namespace amanat::testing {
namespace {

size_t Count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

class ReportCliTest : public BundleTest {
 protected:
  nlohmann::json LastEvent() {
    RunResult log = RunV({"log", "--json"});
    EXPECT_EQ(log.exit_code, 0) << log;
    nlohmann::json all = ParseJson(log);
    return all.empty() ? nlohmann::json() : all.back();
  }
  size_t LogSize() { return ParseJson(RunV({"log", "--json"})).size(); }
};

TEST_F(ReportCliTest, VaultReportIsWrittenAndRecorded) {
  RunResult r = RunV({"report", testimony_.substr(0, 10), recording_, "-o", Path("r.html"),
                      "--case", "ICC-01/21 <script>x</script>", "--purpose", "hearing bundle"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_NE(r.out.find("report written to " + Path("r.html") + ": 2 items, VERIFIED"),
            std::string::npos)
      << r;
  const std::string html = ReadFileBytes(Path("r.html"));
  EXPECT_GE(Count(html, testimony_), 2u);  // at collection and now
  EXPECT_GE(Count(html, recording_), 2u);
  EXPECT_NE(html.find("✓ VERIFIED"), std::string::npos);
  EXPECT_NE(html.find("ICC-01/21 &lt;script&gt;x&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("W-7K3F9Q"), std::string::npos);       // witness pseudonym
  EXPECT_NE(html.find("Interview 3"), std::string::npos);    // title
  EXPECT_NE(html.find(">access<"), std::string::npos);       // the timeline has the get
  EXPECT_NE(html.find(">translation<"), std::string::npos);  // ...with its purpose
  EXPECT_EQ(html.find("✗"), std::string::npos) << "no failed signature or item";
  EXPECT_EQ(FileMode(Path("r.html")) & 0777, 0600u);

  nlohmann::json ev = LastEvent();
  EXPECT_EQ(ev["action"], "access");
  EXPECT_EQ(ev["details"]["operation"], "report");
  EXPECT_EQ(ev["details"]["verified"], true);
  EXPECT_EQ(ev["purpose"], "hearing bundle");
  EXPECT_EQ(ev["subjects"], nlohmann::json({testimony_, recording_}));
  // The report names its own event.
  EXPECT_NE(
      html.find("custody event " + std::to_string(ev["sequence"].get<uint64_t>()) + " (access"),
      std::string::npos);
  EXPECT_EQ(RunV({"verify"}).exit_code, 0);

  // The event matches the published schema (schemas/custody-event.schema.json).
  const std::string log = MakeFile("log.json", ParseJson(RunV({"log", "--json"})).dump(2));
  RunResult valid = RunProgram("/usr/bin/python3",
                               {TestDataDir() + "/schema/validate_events.py",
                                TestDataDir() + "/../schemas/custody-event.schema.json", log});
  EXPECT_EQ(valid.exit_code, 0) << valid;
}

TEST_F(ReportCliTest, VaultReportErrors) {
  const size_t events = LogSize();
  MakeFile("exists.html", "keep");
  RunResult exists = RunV({"report", testimony_, "-o", Path("exists.html")});
  EXPECT_EQ(exists.exit_code, 2) << exists;
  EXPECT_EQ(ReadFileBytes(Path("exists.html")), "keep");
  EXPECT_EQ(RunV({"report", testimony_, "-o", Path("exists.html"), "--force"}).exit_code, 0);
  EXPECT_NE(ReadFileBytes(Path("exists.html")), "keep");

  struct Case {
    std::vector<std::string> args;
    int code;
  } cases[] = {
      {{"report", std::string(64, 'a'), "-o", Path("a.html")}, 4},
      {{"report", "zz", "-o", Path("a.html")}, 2},
      {{"report", testimony_}, 2},  // no -o
      {{"report", "-o", Path("a.html")}, 2},
      {{"report", testimony_, "-o", Path("a.html"), "--case", "two\nlines"}, 2},
      {{"report", testimony_, "-o", Path("no-such-dir/a.html")}, 4},
  };
  for (const auto& c : cases) {
    RunResult r = RunV(c.args);
    EXPECT_EQ(r.exit_code, c.code) << r;
    EXPECT_FALSE(ErrorLine(r).empty()) << r;  // one error line (and maybe a hint)
  }
  RunResult wrong = RunAmanat({"--vault", vault(), "--passphrase-file", MakeFile("bad", "nope\n"),
                               "report", testimony_, "-o", Path("a.html")});
  EXPECT_EQ(wrong.exit_code, 3) << wrong;
  EXPECT_FALSE(std::filesystem::exists(Path("a.html")));
  EXPECT_EQ(LogSize(), events + 1) << "only the one report made with --force is on record";
}

// Provenance, redactions and trusted timestamps come from the vault.
TEST_F(ReportCliTest, VaultReportShowsRedactionsAndTimestamps) {
  RunResult red = RunV({"redact", testimony_, "--terms", MakeFile("terms", "Karamay\n")});
  ASSERT_EQ(red.exit_code, 0) << red;
  const std::string redacted = red.out.substr(0, 64);
  TestTsa tsa(Path("tsa"));
  TestTsa::Cert signer = tsa.Issue({});
  ASSERT_EQ(RunV({"timestamp", "request", "-o", Path("q.tsq")}).exit_code, 0);
  tsa.Reply(Path("q.tsq"), Path("q.tsr"), signer);
  RunResult add = RunV({"timestamp", "add", Path("q.tsr"), "--ca", tsa.ca_cert()});
  ASSERT_EQ(add.exit_code, 0) << add;

  RunResult r = RunV({"report", testimony_, "-o", Path("r.html")});
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::string html = ReadFileBytes(Path("r.html"));
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"hash block\">" + redacted + "</span>"), std::string::npos);
  EXPECT_NE(html.find("<tr><th>Redacted</th><td><span class=\"hash\">" + redacted),
            std::string::npos);
  EXPECT_NE(html.find("1 span(s) removed"), std::string::npos);
  EXPECT_NE(html.find(">derive<"), std::string::npos);  // the derive event names it as parent
  const std::string tsr_sha = Sha256SumOf(ReadFileBytes(Path("q.tsr")));
  EXPECT_NE(html.find("<span class=\"hash\">" + tsr_sha + "</span>"), std::string::npos);
  EXPECT_NE(html.find("✓ verified, recorded by custody event"), std::string::npos);
  EXPECT_EQ(html.find("✗"), std::string::npos);

  RunResult j = RunV({"report", testimony_, redacted, "-o", Path("j.html"), "--json"});
  ASSERT_EQ(j.exit_code, 0) << j;
  nlohmann::json out = ParseJson(j);
  EXPECT_EQ(out["ok"], true);
  EXPECT_EQ(out["report"], Path("j.html"));
  ASSERT_EQ(out["items"].size(), 2u);
  EXPECT_EQ(out["items"][1]["id"], redacted);
  EXPECT_EQ(out["items"][1]["sha256_now"], redacted);
  EXPECT_EQ(out["items"][1]["match"], true);
  EXPECT_EQ(out["anomalies"], nlohmann::json::array());
}

// A vault whose checkpoint no longer matches its log: the report is written, shows the
// failure, and says that it could not be recorded; the command exits 1.
TEST_F(ReportCliTest, FailedVaultVerificationStillWritesTheReport) {
  const std::string latest = vault() + "/checkpoints/latest";
  std::vector<std::string> lines = Lines(ReadFileBytes(latest));
  ASSERT_GE(lines.size(), 3u);
  lines[1] = std::to_string(std::stoull(lines[1]) - 1);  // the tree size the note signs
  std::string note;
  for (const auto& l : lines) note += l + "\n";
  WriteFileBytes(latest, note);

  RunResult r = RunV({"report", testimony_, "-o", Path("f.html")});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_NE(ErrorLine(r, true).find("verification failed: checkpoints/latest"), std::string::npos)
      << r;
  EXPECT_NE(r.out.find("VERIFICATION FAILED"), std::string::npos) << r;
  const std::string html = ReadFileBytes(Path("f.html"));
  EXPECT_NE(html.find("✗ VERIFICATION FAILED"), std::string::npos);
  EXPECT_NE(html.find("<li>checkpoints/latest: "), std::string::npos);
  EXPECT_NE(html.find("this report could not be recorded in the custody log"), std::string::npos);
  EXPECT_GE(Count(html, testimony_), 2u);
}

TEST_F(ReportCliTest, BundleReportVerified) {
  const std::string bundle = Export("b.zip");
  RunResult r = VerifyBundle(bundle, {"--report", Path("b.html"), "--case", "Case 7"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_NE(r.out.find("result: VERIFIED"), std::string::npos) << r;
  EXPECT_NE(r.out.find("report written to " + Path("b.html")), std::string::npos) << r;
  const std::string html = ReadFileBytes(Path("b.html"));
  EXPECT_GE(Count(html, testimony_), 2u);
  EXPECT_GE(Count(html, recording_), 2u);
  EXPECT_NE(html.find("✓ VERIFIED"), std::string::npos);
  EXPECT_NE(html.find("Case 7"), std::string::npos);
  EXPECT_NE(html.find("hearing of 2024-06-01"), std::string::npos);  // export purpose
  EXPECT_NE(html.find(">export<"), std::string::npos);
  EXPECT_NE(html.find("amanat verify-bundle b.zip"), std::string::npos);
  EXPECT_EQ(html.find("✗"), std::string::npos);

  // With --json, standard output stays one JSON document.
  RunResult j = VerifyBundle(bundle, {"--json", "--report", Path("j.html")});
  ASSERT_EQ(j.exit_code, 0) << j;
  EXPECT_EQ(ParseJson(j)["ok"], true);
  EXPECT_TRUE(std::filesystem::exists(Path("j.html")));
}

TEST_F(ReportCliTest, TamperedBundleReportShowsFailure) {
  const std::string bundle = Export("b.zip");
  std::vector<Member> members = ReadMembers(bundle);
  Member* item = FindMember(members, "items/" + testimony_);
  ASSERT_NE(item, nullptr);
  item->data[0] ^= 0x20;
  const std::string tampered_sha = Sha256SumOf(item->data);
  WriteMembers(Path("t.zip"), members);

  RunResult r = VerifyBundle(Path("t.zip"), {"--report", Path("t.html")});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_NE(ErrorLine(r).find("item " + testimony_), std::string::npos) << r;
  const std::string html = ReadFileBytes(Path("t.html"));
  ASSERT_FALSE(html.empty());
  EXPECT_NE(html.find("✗ VERIFICATION FAILED"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"hash\">" + tampered_sha + "</span>"), std::string::npos);
  EXPECT_NE(html.find("content does not match its ID"), std::string::npos);
  EXPECT_GE(Count(html, recording_), 2u);

  // Not even a ZIP: the report says so, and the exit code is verify-bundle's own.
  MakeFile("junk.zip", "not a zip at all");
  RunResult junk = VerifyBundle(Path("junk.zip"), {"--report", Path("junk.html")});
  EXPECT_NE(junk.exit_code, 0) << junk;
  const std::string junk_html = ReadFileBytes(Path("junk.html"));
  EXPECT_NE(junk_html.find("VERIFICATION FAILED"), std::string::npos);
  EXPECT_NE(junk_html.find("No item can be listed"), std::string::npos);
}

TEST_F(ReportCliTest, BundleReportErrors) {
  const std::string bundle = Export("b.zip");
  MakeFile("exists.html", "keep");
  RunResult exists = VerifyBundle(bundle, {"--report", Path("exists.html")});
  EXPECT_EQ(exists.exit_code, 2) << exists;
  EXPECT_EQ(ReadFileBytes(Path("exists.html")), "keep");
  EXPECT_TRUE(exists.out.empty()) << exists;
  RunResult bad_case =
      VerifyBundle(bundle, {"--report", Path("c.html"), "--case", std::string("a\x01", 2)});
  EXPECT_EQ(bad_case.exit_code, 2) << bad_case;
  EXPECT_FALSE(std::filesystem::exists(Path("c.html")));
  RunResult missing = VerifyBundle(Path("none.zip"), {"--report", Path("m.html")});
  EXPECT_EQ(missing.exit_code, 4) << missing;
  EXPECT_FALSE(std::filesystem::exists(Path("m.html")));
}

}  // namespace
}  // namespace amanat::testing
