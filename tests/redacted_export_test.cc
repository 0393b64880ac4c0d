// End-to-end tests of `export --redacted` (issue P4 item 6) and `verify-redaction --bundle`
// (item 5): a bundle that carries a testimony's redaction in place of the testimony, with the
// record its signed derive event commits to, and the proof checked from the bundle alone.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "tests/bundle_test_util.h"
#include "tests/cli_runner.h"

namespace amanat::testing {
namespace {

using nlohmann::json;

// Every person the testimony names (as in provenance_cli_test.cc).
const std::vector<std::string> kTerms = {"Omir Bekali",
                                         "Omer Bekali",
                                         "Bekali",
                                         "Omir",
                                         "Omer",
                                         "Liu",
                                         "Yunus Abliz",
                                         "Yolwas",
                                         "Tahir",
                                         "Atawullah",
                                         "Dilshat Setiwaldi",
                                         "Alim Awut",
                                         "Wang Xiaomi",
                                         "Xi Jinping",
                                         "Xi",
                                         "Gerry Shih",
                                         "Abdurahman Bekri"};
// Names long enough that random base64 in signatures and keys cannot contain them by chance.
const std::vector<std::string> kDistinctive = {"Bekali",    "Yunus",   "Abliz",      "Yolwas",
                                               "Atawullah", "Dilshat", "Setiwaldi",  "Xiaomi",
                                               "Jinping",   "Gerry",   "Abdurahman", "Bekri"};

class RedactedExport : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    InitVault();
    testimony_ = FixturePath("testimony-omir-bekali.txt");
    original_ = AddFile(testimony_, {"--kind", "testimony", "--lang", "en"});
    std::string terms;
    for (const auto& t : kTerms) terms += t + "\n";
    RunResult r = RunV({"redact", original_.substr(0, 12), "--terms", MakeFile("terms.txt", terms),
                        "-o", Path("redacted.txt"), "--purpose", "publication", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r;
    redacted_ = ParseJson(r).value("id", "");
    ASSERT_EQ(redacted_.size(), 64u);
    other_ = AddFile(MakeFile("note.txt", "field note without names\n"), {"--kind", "document"});
  }

  std::string Unzip(const std::string& bundle, const std::string& name) {
    std::string dir = Path(name);
    std::filesystem::create_directory(dir);
    RunOptions in_dir;
    in_dir.cwd = dir;
    RunResult u = RunProgram("/usr/bin/unzip", {"-q", bundle}, in_dir);
    EXPECT_EQ(u.exit_code, 0) << u;
    return dir;
  }

  std::string testimony_, original_, redacted_, other_;
};

TEST_F(RedactedExport, BundleCarriesTheRedactionInsteadOfTheOriginal) {
  std::string bundle = Path("redacted.zip");
  RunResult r = RunV({"export", original_.substr(0, 12), other_.substr(0, 12), "-o", bundle,
                      "--redacted", "--purpose", "for the press"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_NE(r.out.find(redacted_ + "  redaction in place of " + original_), std::string::npos) << r;
  std::string dir = Unzip(bundle, "unzipped");
  // No name from the testimony anywhere in the unzipped bundle, in any file.
  size_t files = 0;
  for (const auto& f : FilesUnder(dir)) {
    ++files;
    std::string bytes = ReadFileBytes(f);
    for (const auto& name : kDistinctive) {
      EXPECT_EQ(bytes.find(name), std::string::npos) << name << " in " << f;
    }
    EXPECT_EQ(bytes.find("omir-bekali"), std::string::npos) << f;  // the original's file name
  }
  EXPECT_GT(files, 8u);
  // Nor inside the signed entries, whose payloads are base64: the original's ingest (with its
  // file name) is not among them.
  size_t entries = 0;
  for (const auto& line : Lines(ReadFileBytes(dir + "/custody/events.jsonl"))) {
    json env = json::parse(line);
    auto payload = crypto::Base64Decode(env["payload"].get<std::string>());
    ASSERT_TRUE(payload.ok());
    std::string text(AsChars(*payload));
    ++entries;
    for (const auto& name : kDistinctive) EXPECT_EQ(text.find(name), std::string::npos) << name;
    EXPECT_EQ(text.find("omir-bekali"), std::string::npos) << text;
  }
  EXPECT_GE(entries, 3u);
  EXPECT_TRUE(std::filesystem::exists(dir + "/items/" + redacted_));
  EXPECT_TRUE(std::filesystem::exists(dir + "/items/" + other_));
  EXPECT_FALSE(std::filesystem::exists(dir + "/items/" + original_));
  EXPECT_EQ(ReadFileBytes(dir + "/items/" + redacted_), ReadFileBytes(Path("redacted.txt")));
  // The record and the provenance edge travel; the manifest says what replaced what.
  json m = json::parse(ReadFileBytes(dir + "/manifest.json"));
  ASSERT_EQ(m["redactions"].size(), 1u);
  EXPECT_EQ(m["redactions"][0]["item"], redacted_);
  EXPECT_EQ(m["redactions"][0]["original"], original_);
  EXPECT_TRUE(std::filesystem::exists(dir + "/redactions/" + redacted_ + ".json"));
  bool edge = false;
  for (const auto& e : m["provenance"]) {
    edge |= e["parent"] == original_ && e["child"] == redacted_ && e["relation"] == "redaction";
  }
  EXPECT_TRUE(edge) << m["provenance"];
  ASSERT_EQ(m["items"].size(), 2u);
  // Everything still verifies: amanat, sha256sum and the independent Python check.
  RunResult vb = Run({"verify-bundle", bundle});
  EXPECT_EQ(vb.exit_code, 0) << vb;
  EXPECT_NE(vb.out.find("redactions: 1 redacted items in place of their originals"),
            std::string::npos)
      << vb;
  RunOptions in_dir;
  in_dir.cwd = dir;
  EXPECT_EQ(RunProgram("/usr/bin/sha256sum", {"--quiet", "-c", "SHA256SUMS"}, in_dir).exit_code, 0);
  RunResult py = RunProgram("/usr/bin/python3", {TestDataDir() + "/schema/validate_bundle.py",
                                                 TestDataDir() + "/../schemas", dir});
  EXPECT_EQ(py.exit_code, 0) << py;
  // The export event records the substitution.
  json log = ParseJson(RunV({"log", "--json"}));
  EXPECT_EQ(log.back()["action"], "export");
  EXPECT_EQ(log.back()["details"]["redacted"],
            json::array({{{"original", original_}, {"item", redacted_}}}));
  // And an ordinary export of the same item does carry the original (the control).
  std::string plain = Path("plain.zip");
  ASSERT_EQ(RunV({"export", original_.substr(0, 12), "-o", plain}).exit_code, 0);
  EXPECT_NE(MemberData(plain, "items/" + original_).find("Bekali"), std::string::npos);
}

TEST_F(RedactedExport, VerifyRedactionFromTheBundleAlone) {
  std::string bundle = Path("redacted.zip");
  ASSERT_EQ(RunV({"export", original_.substr(0, 12), "-o", bundle, "--redacted"}).exit_code, 0);
  // No vault, no passphrase: --vault names nothing.
  const std::vector<std::string> nowhere = {"--vault", Path("no-vault")};
  auto run = [&](std::vector<std::string> args) {
    std::vector<std::string> all = nowhere;
    all.insert(all.end(), args.begin(), args.end());
    return Run(all);
  };
  RunResult ok = run({"verify-redaction", Path("redacted.txt"), testimony_, "--bundle", bundle});
  ASSERT_EQ(ok.exit_code, 0) << ok;
  EXPECT_NE(ok.out.find("with exactly 17 spans replaced by markers"), std::string::npos) << ok;
  EXPECT_NE(ok.out.find("commitments not checked"), std::string::npos) << ok;
  RunResult js =
      run({"verify-redaction", Path("redacted.txt"), testimony_, "--bundle", bundle, "--json"});
  json j = ParseJson(js);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["original"], original_);
  EXPECT_EQ(j["spans"].size(), 17u);
  EXPECT_EQ(j["commitments_checked"], false);
  // The wrong original, a changed redacted text.
  std::string text = ReadFileBytes(testimony_);
  text[text.find("Karamay")] = 'k';
  RunResult wrong =
      run({"verify-redaction", Path("redacted.txt"), MakeFile("o2.txt", text), "--bundle", bundle});
  EXPECT_EQ(wrong.exit_code, 1) << wrong;
  EXPECT_NE(wrong.err.find("is not the original of this redaction"), std::string::npos) << wrong;
  std::string red = ReadFileBytes(Path("redacted.txt"));
  red.replace(red.find("[REDACTED:identity]"), 19, "Omir Bekali");
  RunResult changed =
      run({"verify-redaction", MakeFile("r2.txt", red), testimony_, "--bundle", bundle});
  EXPECT_EQ(changed.exit_code, 1) << changed;
  EXPECT_NE(changed.err.find("holds no redaction record"), std::string::npos) << changed;
  // A bundle without records (an ordinary export of the redacted item).
  std::string plain = Path("plain.zip");
  ASSERT_EQ(RunV({"export", redacted_.substr(0, 12), "-o", plain}).exit_code, 0);
  RunResult none = run({"verify-redaction", Path("redacted.txt"), testimony_, "--bundle", plain});
  EXPECT_EQ(none.exit_code, 1) << none;
  EXPECT_NE(none.err.find("holds no redaction record"), std::string::npos) << none;
  // A record moved by one byte in the bundle: the signed derive event no longer commits to it.
  auto members = ReadMembers(bundle);
  Member* rec = FindMember(members, "redactions/" + redacted_ + ".json");
  ASSERT_NE(rec, nullptr);
  size_t at = rec->data.find("\"start\":");
  ASSERT_NE(at, std::string::npos);
  rec->data[at + 8] = rec->data[at + 8] == '9' ? '8' : static_cast<char>(rec->data[at + 8] + 1);
  std::string bad = Path("bad.zip");
  WriteMembers(bad, members);
  RunResult vb = Run({"verify-bundle", bad});
  EXPECT_EQ(vb.exit_code, 1) << vb;
  EXPECT_NE(vb.err.find("redactions/" + redacted_ + ".json"), std::string::npos) << vb;
  RunResult tampered = run({"verify-redaction", Path("redacted.txt"), testimony_, "--bundle", bad});
  EXPECT_EQ(tampered.exit_code, 1) << tampered;
  EXPECT_NE(tampered.err.find("does not verify"), std::string::npos) << tampered;
  RunResult missing =
      run({"verify-redaction", Path("redacted.txt"), testimony_, "--bundle", Path("missing.zip")});
  EXPECT_EQ(missing.exit_code, 4) << missing;
}

TEST_F(RedactedExport, RefusedWithDerivedAndItemsWithoutRedactionGoAsTheyAre) {
  RunResult both = RunV(
      {"export", original_.substr(0, 12), "-o", Path("x.zip"), "--redacted", "--with-derived"});
  EXPECT_EQ(both.exit_code, 2) << both;
  EXPECT_NE(both.err.find("--redacted and --with-derived"), std::string::npos) << both;
  EXPECT_FALSE(std::filesystem::exists(Path("x.zip")));
  std::string bundle = Path("other.zip");
  RunResult r = RunV({"export", other_.substr(0, 12), "-o", bundle, "--redacted"});
  ASSERT_EQ(r.exit_code, 0) << r;
  json m = json::parse(MemberData(bundle, "manifest.json"));
  EXPECT_FALSE(m.contains("redactions"));
  ASSERT_EQ(m["items"].size(), 1u);
  EXPECT_EQ(m["items"][0]["id"], other_);
  EXPECT_EQ(Run({"verify-bundle", bundle}).exit_code, 0);
}

}  // namespace
}  // namespace amanat::testing
