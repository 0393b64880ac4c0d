// Test helpers for evidence bundles: a vault with items to export, and reading and rewriting
// a bundle's members (with valid CRCs, as a careful attacker would) through vault/zip_*.
#ifndef AMANAT_TESTS_BUNDLE_TEST_UTIL_H_
#define AMANAT_TESTS_BUNDLE_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "tests/cli_runner.h"
#include "vault/byte_source.h"
#include "vault/zip_reader.h"
#include "vault/zip_writer.h"

namespace amanat::testing {

struct Member {
  std::string path;
  std::string data;
};

// Every member of the ZIP at `path`, in archive order.
inline std::vector<Member> ReadMembers(const std::string& path) {
  std::vector<Member> out;
  auto src = vault::FileSource::Open(path);
  EXPECT_TRUE(src.ok()) << src.status().message();
  if (!src.ok()) return out;
  auto zip = vault::ZipReader::Open(**src);
  EXPECT_TRUE(zip.ok()) << zip.status().message();
  if (!zip.ok()) return out;
  for (;;) {
    auto m = (*zip)->Next();
    EXPECT_TRUE(m.ok()) << m.status().message();
    if (!m.ok() || !*m) break;
    auto data = (*zip)->ReadAll(size_t{1} << 30);
    EXPECT_TRUE(data.ok()) << data.status().message();
    out.push_back({(*m)->path, data.ok() ? *data : ""});
  }
  return out;
}

// Writes `members` as a stored ZIP at `path`.
inline void WriteMembers(const std::string& path, const std::vector<Member>& members) {
  std::string zip;
  auto w = vault::ZipWriter::Open(
      [&](ByteView d) {
        zip.append(reinterpret_cast<const char*>(d.data()), d.size());
        return OkStatus();
      },
      {1700000000, false});
  ASSERT_TRUE(w.ok());
  for (const auto& m : members) ASSERT_TRUE((*w)->Add(m.path, AsBytes(m.data)).ok()) << m.path;
  ASSERT_TRUE((*w)->Finish().ok());
  WriteFileBytes(path, zip);
}

inline Member* FindMember(std::vector<Member>& members, const std::string& path) {
  for (auto& m : members) {
    if (m.path == path) return &m;
  }
  ADD_FAILURE() << "no member " << path;
  return nullptr;
}

// The data of member `path` of the ZIP at `zip` ("" and a test failure if there is none).
inline std::string MemberData(const std::string& zip, const std::string& path) {
  for (const auto& m : ReadMembers(zip)) {
    if (m.path == path) return m.data;
  }
  ADD_FAILURE() << zip << " has no member " << path;
  return "";
}

// A vault with a testimony (read once, with a purpose) and a recording, ready to export.
class BundleTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    InitVault();
    testimony_ = AddFile(MakeFile("statement-01.txt", "I was held in Karamay for eleven months.\n"),
                         {"--kind", "testimony", "--witness", "W-7K3F9Q", "--lang", "kk"});
    recording_ = AddFile(MakeFile("interview-03.wav", PseudoRandomBytes(200000, 9)),
                         {"--kind", "audio", "--title", "Interview 3"});
    RunResult g = RunV({"get", testimony_, "-o", Path("copy.txt"), "--purpose", "translation"});
    EXPECT_EQ(g.exit_code, 0) << g;
  }

  // Exports `ids` (default: both items) to `name` in the test directory; returns its path.
  std::string Export(const std::string& name, std::vector<std::string> ids = {},
                     const std::string& purpose = "hearing of 2024-06-01") {
    if (ids.empty()) ids = {testimony_, recording_};
    std::vector<std::string> args = {"export"};
    args.insert(args.end(), ids.begin(), ids.end());
    args.insert(args.end(), {"-o", Path(name), "--purpose", purpose});
    RunResult r = RunV(args);
    EXPECT_EQ(r.exit_code, 0) << r;
    return Path(name);
  }

  RunResult VerifyBundle(const std::string& path, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"verify-bundle", path};
    args.insert(args.end(), extra.begin(), extra.end());
    return Run(args);
  }

  std::string testimony_, recording_;
};

}  // namespace amanat::testing

#endif  // AMANAT_TESTS_BUNDLE_TEST_UTIL_H_
