// Nothing leaks at rest or in output (issue 2, acceptance 9).
//
// (a) After adding the sample testimony, no file under the vault holds any 16-byte run of
//     it, its content hash (hex or raw), its title or witness pseudonym, or the passphrase.
// (b) Every command, including failing ones, runs with distinctive passphrases that must
//     never appear in stdout, stderr or any file under the vault.
// Each scanner is first shown to find what it looks for (a test that cannot fail is a defect).
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "crypto/encoding.h"
#include "tests/cli_runner.h"

namespace amanat::testing {
namespace {

constexpr size_t kWindow = 16;

// Every 16-byte window of `secret`, for a linear scan of large files.
class WindowSet {
 public:
  explicit WindowSet(const std::string& secret) : secret_(secret) {
    for (size_t i = 0; i + kWindow <= secret_.size(); ++i) {
      windows_.insert(std::string_view(secret_).substr(i, kWindow));
    }
  }
  size_t size() const { return windows_.size(); }
  // The offset in `data` of the first window of the secret found there, or npos.
  size_t FindIn(std::string_view data) const {
    for (size_t i = 0; i + kWindow <= data.size(); ++i) {
      if (windows_.count(data.substr(i, kWindow)) != 0) return i;
    }
    return std::string::npos;
  }

 private:
  std::string secret_;
  std::unordered_set<std::string_view> windows_;
};

// Each needle, named, that occurs in a file under `dir`: "file: what".
std::vector<std::string> FindNeedles(const std::string& dir,
                                     const std::vector<std::pair<std::string, std::string>>& needles,
                                     const WindowSet* windows) {
  std::vector<std::string> found;
  std::vector<std::string> files = FilesUnder(dir);
  for (const auto& f : files) {
    const std::string data = ReadFileBytes(f);
    for (const auto& [name, needle] : needles) {
      if (!needle.empty() && data.find(needle) != std::string::npos) found.push_back(f + ": " + name);
    }
    if (windows != nullptr) {
      size_t at = windows->FindIn(data);
      if (at != std::string::npos) {
        found.push_back(f + ": a 16-byte run of the testimony at offset " + std::to_string(at));
      }
    }
  }
  return found;
}

std::string ToUpper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

class Leak : public CliTest {};

TEST_F(Leak, NothingOfTheTestimonyIsReadableAtRest) {
  const std::string testimony = ReadFileBytes(FixturePath("testimony-omir-bekali.txt"));
  ASSERT_GT(testimony.size(), 10000u);
  const WindowSet windows(testimony);
  ASSERT_GT(windows.size(), 10000u);
  const std::string hash_hex = Sha256SumOf(testimony);
  auto hash_raw = crypto::HexDecode(hash_hex);
  ASSERT_TRUE(hash_raw.ok());
  const std::string title = "Distinctive title 5c1f: Karamay testimony";
  const std::string witness = "W-Q9Z4X7K2";
  const std::vector<std::pair<std::string, std::string>> needles = {
      {"content hash (hex)", hash_hex},
      {"content hash (HEX)", ToUpper(hash_hex)},
      {"content hash (raw)", std::string(AsChars(*hash_raw))},
      {"content hash prefix", hash_hex.substr(0, 16)},
      {"passphrase", kPassphrase},
      {"title", title},
      {"witness pseudonym", witness},
      {"file name", "testimony-omir-bekali"},
  };

  // The scanner works: a plaintext copy is found by every kind of needle it holds.
  std::filesystem::create_directories(Path("control"));
  WriteFileBytes(Path("control/plain.txt"),
                 "xx" + testimony.substr(5000, 20) + hash_hex + std::string(AsChars(*hash_raw)) +
                     kPassphrase + title + witness);
  std::vector<std::string> control = FindNeedles(Path("control"), needles, &windows);
  EXPECT_EQ(control.size(), 7u) << ::testing::PrintToString(control);

  InitVault();
  RunResult r = RunV({"add", FixturePath("testimony-omir-bekali.txt"), "--kind", "testimony",
                      "--title", title, "--witness", witness, "--lang", "en"});
  ASSERT_EQ(r.exit_code, 0) << r;
  ASSERT_EQ(r.out.substr(0, 64), hash_hex);
  // Read it back, so that whatever a read leaves behind is scanned too.
  r = RunV({"get", hash_hex.substr(0, 8), "-o", Path("extracted.txt")});
  ASSERT_EQ(r.exit_code, 0) << r;
  ASSERT_EQ(ReadFileBytes(Path("extracted.txt")), testimony);
  r = RunV({"show", hash_hex});
  ASSERT_EQ(r.exit_code, 0) << r;

  std::vector<std::string> files = FilesUnder(vault());
  ASSERT_GE(files.size(), 2u);
  size_t total = 0;
  for (const auto& f : files) total += ReadFileBytes(f).size();
  ASSERT_GT(total, testimony.size()) << "the vault holds less than the testimony";
  std::vector<std::string> found = FindNeedles(vault(), needles, &windows);
  EXPECT_TRUE(found.empty()) << ::testing::PrintToString(found);
}

TEST_F(Leak, PassphrasesNeverAppearInOutputOrFiles) {
  // Distinctive, so that a find is never a coincidence.
  const std::string first = "kq7 Ωmega first c4n4ry 7f3a9b";
  const std::string second = "zr2 ünïcode second c4n4ry c41d2e";
  const std::string wrong = "wx9 wrong c4n4ry 5e6f70 pv";
  const std::string first_file = MakeFile("p1", first + "\n");
  const std::string second_file = MakeFile("p2", second + "\n");
  const std::string wrong_file = MakeFile("pw", wrong + "\n");
  // Scanned for each whole passphrase and for every 12-byte piece of each.
  std::vector<std::pair<std::string, std::string>> needles;
  for (const auto& [name, p] : {std::pair<std::string, std::string>{"first", first},
                                {"second", second},
                                {"wrong", wrong}}) {
    needles.emplace_back(name + " passphrase", p);
    for (size_t i = 0; i + 12 <= p.size(); ++i) {
      needles.emplace_back(name + " passphrase bytes " + std::to_string(i) + "..",
                           p.substr(i, 12));
    }
  }
  std::vector<RunResult> runs;
  auto run = [&](const std::vector<std::string>& args, const RunOptions& o = {}) {
    runs.push_back(RunAmanat(args, o));
    return runs.back();
  };
  auto as = [&](const std::string& pass_file, std::vector<std::string> args) {
    std::vector<std::string> all = {"--vault", vault(), "--passphrase-file", pass_file};
    all.insert(all.end(), args.begin(), args.end());
    return all;
  };
  const std::string doc = MakeFile("doc.txt", "a short statement\n");
  const std::string id = Sha256SumOfFile(doc);

  EXPECT_EQ(run({"init", "--vault", vault(), "--custodian", "alice", "--kdf", "insecure-fast",
                 "--passphrase-file", first_file, "--json"})
                .exit_code,
            0);
  EXPECT_EQ(run({"init", "--vault", vault(), "--custodian", "alice", "--kdf", "insecure-fast",
                 "--passphrase-file", first_file})
                .exit_code,
            2);
  EXPECT_EQ(run(as(first_file, {"add", doc, "--json"})).exit_code, 0);
  RunOptions in;
  in.stdin_data = "from standard input";
  EXPECT_EQ(run(as(first_file, {"add", "-", "--kind", "testimony"}), in).exit_code, 0);
  EXPECT_EQ(run(as(first_file, {"add", Path("missing")})).exit_code, 4);
  EXPECT_EQ(run(as(first_file, {"ls"})).exit_code, 0);
  EXPECT_EQ(run(as(first_file, {"ls", "--json"})).exit_code, 0);
  EXPECT_EQ(run(as(first_file, {"show", id})).exit_code, 0);
  EXPECT_EQ(run(as(first_file, {"show", id, "--json"})).exit_code, 0);
  EXPECT_EQ(run(as(first_file, {"show", "00000000"})).exit_code, 4);
  EXPECT_EQ(run(as(first_file, {"get", id, "-o", Path("out")})).exit_code, 0);
  EXPECT_EQ(run(as(first_file, {"get", id, "-o", "-"})).exit_code, 0);
  EXPECT_EQ(run(as(first_file, {"get", id, "-o", Path("out")})).exit_code, 2);
  EXPECT_EQ(run(as(wrong_file, {"ls"})).exit_code, 3);
  EXPECT_EQ(run(as(wrong_file, {"get", id, "-o", Path("out2")})).exit_code, 3);
  EXPECT_EQ(run(as(wrong_file, {"passwd", "--new-passphrase-file", second_file})).exit_code, 3);
  EXPECT_EQ(run(as(first_file, {"passwd", "--new-passphrase-file", second_file})).exit_code, 0);
  EXPECT_EQ(run(as(first_file, {"ls"})).exit_code, 3);  // the old one no longer works
  EXPECT_EQ(run(as(second_file, {"ls"})).exit_code, 0);
  EXPECT_EQ(run(as(second_file, {"show", id})).exit_code, 0);
  EXPECT_EQ(run(as(second_file, {"passwd", "--new-passphrase-file", first_file})).exit_code, 0);
  EXPECT_EQ(run(as(first_file, {"ls"})).exit_code, 0);
  EXPECT_EQ(run(as(first_file, {"report", id, "-o", Path("report.html")})).exit_code, 0);
  EXPECT_EQ(run(as(wrong_file, {"report", id, "-o", Path("report2.html")})).exit_code, 3);
  // The file given where the passphrase file goes is not echoed either.
  EXPECT_NE(run(as(first_file, {"passwd", "--new-passphrase-file", Path("none")})).exit_code, 0);

  // The scanner works: each passphrase is found in the file that holds it.
  EXPECT_FALSE(FindNeedles(dir(), needles, nullptr).empty());
  ASSERT_GE(runs.size(), 20u);
  for (const auto& r : runs) {
    for (const auto& [name, needle] : needles) {
      EXPECT_EQ(r.out.find(needle), std::string::npos) << name << " in stdout" << r;
      EXPECT_EQ(r.err.find(needle), std::string::npos) << name << " in stderr" << r;
    }
  }
  std::vector<std::string> found = FindNeedles(vault(), needles, nullptr);
  EXPECT_TRUE(found.empty()) << ::testing::PrintToString(found);
  // Nor in the report (which holds no content either).
  const std::string report = ReadFileBytes(Path("report.html"));
  ASSERT_FALSE(report.empty());
  for (const auto& [name, needle] : needles) {
    EXPECT_EQ(report.find(needle), std::string::npos) << name << " in the report";
  }
  EXPECT_EQ(report.find("a short statement"), std::string::npos);
  // Nor in what get wrote.
  const std::string out = ReadFileBytes(Path("out"));
  EXPECT_EQ(out, "a short statement\n");
}

}  // namespace
}  // namespace amanat::testing
