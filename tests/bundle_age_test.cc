// Bundles encrypted to age recipients (issue P3, item 5): `export --encrypt-to` writes an
// age file the stock `age -d` opens; `verify-bundle --identity` reads it — and one the stock
// `age -r` encrypted — without writing anything; a wrong, missing or damaged key or file is a
// clean error.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/bundle_test_util.h"

namespace amanat::testing {
namespace {

class BundleAgeTest : public BundleTest {
 protected:
  // A new identity file made by `amanat key age-keygen`; returns its recipient.
  std::string Keygen(const std::string& name) {
    RunResult k = Run({"key", "age-keygen", "-o", Path(name)});
    EXPECT_EQ(k.exit_code, 0) << k;
    std::string text = ReadFileBytes(Path(name));
    const std::string marker = "# public key: ";
    size_t at = text.find(marker);
    EXPECT_NE(at, std::string::npos);
    return text.substr(at + marker.size(), text.find('\n', at) - at - marker.size());
  }

  bool IsAge(const std::string& path) {
    return ReadFileBytes(path).rfind("age-encryption.org/v1\n", 0) == 0;
  }
};

TEST_F(BundleAgeTest, EncryptedExportOpensWithStockAgeAndVerifiesWithIdentity) {
  const std::string lawyer = Keygen("lawyer.key");
  const std::string archive = Keygen("archive.key");
  RunResult e = RunV({"export", testimony_, recording_, "-o", Path("b.zip.age"), "--purpose",
                      "filing", "--encrypt-to", lawyer, "--encrypt-to", archive, "--json"});
  ASSERT_EQ(e.exit_code, 0) << e;
  EXPECT_EQ(ParseJson(e)["encrypted_to"].size(), 2u);
  ASSERT_TRUE(IsAge(Path("b.zip.age")));
  // No readable ZIP structure or content leaks into the file.
  const std::string sealed = ReadFileBytes(Path("b.zip.age"));
  EXPECT_EQ(sealed.find("manifest.json"), std::string::npos);
  EXPECT_EQ(sealed.find("Karamay"), std::string::npos);

  // Either recipient opens it with the stock age; the result is a bundle that verifies.
  for (const char* key : {"lawyer.key", "archive.key"}) {
    const std::string out = Path(std::string("plain-") + key + ".zip");
    RunResult d = RunProgram("/usr/bin/age", {"-d", "-i", Path(key), "-o", out, Path("b.zip.age")});
    ASSERT_EQ(d.exit_code, 0) << d;
    RunResult v = VerifyBundle(out);
    EXPECT_EQ(v.exit_code, 0) << v;
  }
  // Amanat reads it directly, decrypting as it goes.
  RunResult v = VerifyBundle(Path("b.zip.age"), {"--identity", Path("lawyer.key"), "--json"});
  ASSERT_EQ(v.exit_code, 0) << v;
  EXPECT_EQ(ParseJson(v)["items"].size(), 2u);

  // The export event names the recipients (public keys only).
  RunResult log = RunV({"log", "--json"});
  bool found = false;
  for (const auto& ev : ParseJson(log)) {
    if (ev["action"] != "export") continue;
    found = true;
    EXPECT_EQ(ev["details"]["encrypted_to"], nlohmann::json({lawyer, archive}));
  }
  EXPECT_TRUE(found);
}

TEST_F(BundleAgeTest, BundleEncryptedWithStockAgeVerifies) {
  const std::string plain = Export("plain.zip");
  const std::string recipient = Keygen("me.key");
  RunResult a = RunProgram("/usr/bin/age", {"-r", recipient, "-o", Path("b.age"), plain});
  ASSERT_EQ(a.exit_code, 0) << a;
  RunResult v = VerifyBundle(Path("b.age"), {"--identity", Path("me.key")});
  EXPECT_EQ(v.exit_code, 0) << v;
}

TEST_F(BundleAgeTest, ImportReadsAnEncryptedBundle) {
  const std::string recipient = Keygen("hq.key");
  RunResult e = RunV({"export", testimony_, "-o", Path("b.age"), "--encrypt-to", recipient});
  ASSERT_EQ(e.exit_code, 0) << e;
  const std::string hq = Path("hq-vault");
  InitVault(hq, "lawyer");
  auto in_hq = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--vault", hq, "--passphrase-file", pass_file()});
    return RunAmanat(args);
  };
  RunResult none = in_hq({"import", Path("b.age")});
  EXPECT_EQ(none.exit_code, 2) << none;
  RunResult r = in_hq({"import", Path("b.age"), "--identity", Path("hq.key")});
  ASSERT_EQ(r.exit_code, 0) << r;
  RunResult ls = in_hq({"ls", "--json"});
  ASSERT_EQ(ls.exit_code, 0) << ls;
  ASSERT_EQ(ParseJson(ls).size(), 1u);
  EXPECT_EQ(ParseJson(ls)[0]["id"], testimony_);
  EXPECT_EQ(in_hq({"verify"}).exit_code, 0);
}

TEST_F(BundleAgeTest, MissingWrongOrDamagedKeysAndFilesAreCleanErrors) {
  const std::string recipient = Keygen("right.key");
  Keygen("wrong.key");
  RunResult e = RunV({"export", testimony_, "-o", Path("b.age"), "--encrypt-to", recipient});
  ASSERT_EQ(e.exit_code, 0) << e;

  RunResult none = VerifyBundle(Path("b.age"));
  EXPECT_EQ(none.exit_code, 2) << none;
  EXPECT_NE(none.err.find("encrypted"), std::string::npos) << none;
  EXPECT_NE(none.err.find("--identity"), std::string::npos) << none;

  RunResult wrong = VerifyBundle(Path("b.age"), {"--identity", Path("wrong.key")});
  EXPECT_EQ(wrong.exit_code, 3) << wrong;

  RunResult missing = VerifyBundle(Path("b.age"), {"--identity", Path("nope.key")});
  EXPECT_EQ(missing.exit_code, 4) << missing;

  MakeFile("junk.key", "not a key\n");
  RunResult junk = VerifyBundle(Path("b.age"), {"--identity", Path("junk.key")});
  EXPECT_EQ(junk.exit_code, 2) << junk;
  EXPECT_EQ(junk.err.find("not a key"), std::string::npos) << "quotes the identity file";

  RunResult bad_recipient = RunV({"export", testimony_, "-o", Path("c.age"), "--encrypt-to", "age1xyz"});
  EXPECT_EQ(bad_recipient.exit_code, 2) << bad_recipient;
  EXPECT_FALSE(std::filesystem::exists(Path("c.age")));

  // A flipped byte anywhere in the payload, or a truncated file: exit 1, named, no crash.
  const std::string good = ReadFileBytes(Path("b.age"));
  const size_t header_end = good.find("\n---") + 48;
  for (size_t at : {header_end + 20, good.size() / 2, good.size() - 5}) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0x01);
    WriteFileBytes(Path("bad.age"), bad);
    RunResult r = VerifyBundle(Path("bad.age"), {"--identity", Path("right.key")});
    EXPECT_EQ(r.exit_code, 1) << "byte " << at << r;
    EXPECT_EQ(r.ErrLines().size(), 1u) << r;
  }
  WriteFileBytes(Path("short.age"), good.substr(0, good.size() - 100));
  RunResult t = VerifyBundle(Path("short.age"), {"--identity", Path("right.key")});
  EXPECT_EQ(t.exit_code, 1) << t;
}

}  // namespace
}  // namespace amanat::testing
