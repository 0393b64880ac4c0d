// `amanat import` and the round trip (issue P3, items 6 and 7): verification first and
// nothing written on failure; items and received records stored; a second import only logs;
// vault A exports, B imports and exports, and verify-bundle shows the whole history from A's
// ingest to B's export, also through a third vault.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "crypto/secret.h"
#include "tests/bundle_test_util.h"
#include "vault/db.h"
#include "vault/items.h"
#include "vault/vault.h"

namespace amanat::testing {
namespace {

using nlohmann::json;

class BundleImportTest : public BundleTest {
 protected:
  void SetUp() override {
    BundleTest::SetUp();
    ASSERT_TRUE(crypto::InitCrypto());
    vault_b_ = Path("vault-b");
    InitVault(vault_b_, "lawyer");
  }

  RunResult RunB(std::vector<std::string> args) {
    args.insert(args.begin(), {"--vault", vault_b_, "--passphrase-file", pass_file()});
    return RunAmanat(args);
  }

  // Opens vault B through the library and counts the rows of `table`.
  int64_t CountRows(const std::string& dir, const std::string& table) {
    auto v = vault::Vault::Open(dir, "", [&](const vault::KeySlot&) {
      return Result<crypto::SecretBytes>(crypto::SecretBytes::Copy(AsBytes(std::string(kPassphrase))));
    });
    EXPECT_TRUE(v.ok()) << v.status().message();
    if (!v.ok()) return -1;
    auto st = (*v)->db().Prepare("SELECT count(*) FROM " + table);
    EXPECT_TRUE(st.ok());
    auto row = st->Step();
    EXPECT_TRUE(row.ok() && *row);
    return st->ColumnInt(0);
  }

  std::string vault_b_;
};

TEST_F(BundleImportTest, RoundTripShowsTheWholeHistory) {
  std::string a_bundle = Export("a.zip");
  ASSERT_EQ(VerifyBundle(a_bundle).exit_code, 0);
  RunResult imp = RunB({"import", a_bundle, "--purpose", "received from the field team"});
  ASSERT_EQ(imp.exit_code, 0) << imp;
  EXPECT_NE(imp.out.find(testimony_ + "  stored"), std::string::npos) << imp;
  EXPECT_NE(imp.out.find(recording_ + "  stored"), std::string::npos) << imp;
  // B holds the exact bytes, its own log verifies, and reading is on B's record.
  RunResult get = RunB({"get", recording_, "-o", Path("b-copy.wav"), "--purpose", "expert review"});
  ASSERT_EQ(get.exit_code, 0) << get;
  EXPECT_EQ(Sha256SumOfFile(Path("b-copy.wav")), recording_);
  RunResult verify = RunB({"verify", "--full"});
  EXPECT_EQ(verify.exit_code, 0) << verify;
  json show = ParseJson(RunB({"show", testimony_, "--json"}));
  EXPECT_EQ(show["metadata"]["witness"], "W-7K3F9Q");
  EXPECT_EQ(show["metadata"]["collector"], "alice");  // who collected it, not who imported it

  RunResult b_export = RunB({"export", testimony_, recording_, "-o", Path("b.zip"), "--purpose", "court"});
  ASSERT_EQ(b_export.exit_code, 0) << b_export;
  RunResult r = VerifyBundle(Path("b.zip"), {"--json"});
  ASSERT_EQ(r.exit_code, 0) << r;
  json report = ParseJson(r);
  const std::string a_origin = ParseJson(RunV({"key", "show", "--json"}))["origin"];
  const std::string b_origin = report["source"]["origin"];
  ASSERT_NE(a_origin, b_origin);
  // One timeline, from A's first ingest to B's export.
  std::vector<std::string> steps;
  for (const auto& e : report["timeline"]) {
    steps.push_back((e["origin"] == a_origin ? "A " : "B ") + e["action"].get<std::string>());
  }
  auto at = [&](const std::string& s) { return std::find(steps.begin(), steps.end(), s) - steps.begin(); };
  ASSERT_NE(at("A ingest"), static_cast<long>(steps.size())) << json(steps);
  EXPECT_LT(at("A ingest"), at("A access"));
  EXPECT_LT(at("A access"), at("A export"));
  EXPECT_LT(at("A export"), at("B import"));
  EXPECT_LT(at("B import"), at("B access"));
  EXPECT_EQ(steps.back(), "B export");
  // Both vaults' keys were relied on.
  std::set<std::string> signer_origins;
  for (const auto& s : report["signers"]) signer_origins.insert(s["origin"]);
  EXPECT_EQ(signer_origins, (std::set<std::string>{a_origin, b_origin}));

  // The received section is there in the archive, and stock tools and the independent check
  // accept the bundle.
  std::string dir = Path("b-unpacked");
  ASSERT_EQ(RunProgram("/usr/bin/unzip", {"-q", Path("b.zip"), "-d", dir}).exit_code, 0);
  RunOptions in_dir;
  in_dir.cwd = dir;
  EXPECT_EQ(RunProgram("/usr/bin/sha256sum", {"-c", "SHA256SUMS"}, in_dir).exit_code, 0);
  RunResult py = RunProgram("/usr/bin/python3", {TestDataDir() + "/schema/validate_bundle.py",
                                                 TestDataDir() + "/../schemas", dir});
  EXPECT_EQ(py.exit_code, 0) << py;
  EXPECT_NE(py.out.find("in 2 log(s)"), std::string::npos) << py;
  EXPECT_EQ(ReadFileBytes(dir + "/custody/received/1/checkpoint"), MemberData(a_bundle, "custody/checkpoint"));

  // A's checkpoint, held by whoever got A's bundle, still checks against B's bundle.
  std::string a_cp = MakeFile("a.checkpoint", MemberData(a_bundle, "custody/checkpoint"));
  RunResult against = VerifyBundle(Path("b.zip"), {"--against", a_cp});
  EXPECT_EQ(against.exit_code, 0) << against;

  // And on to a third vault: three logs, one timeline.
  std::string vault_c = Path("vault-c");
  InitVault(vault_c, "court");
  auto run_c = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--vault", vault_c, "--passphrase-file", pass_file()});
    return RunAmanat(args);
  };
  ASSERT_EQ(run_c({"import", Path("b.zip")}).exit_code, 0);
  ASSERT_EQ(run_c({"verify"}).exit_code, 0);
  RunResult c_export = run_c({"export", testimony_, "-o", Path("c.zip")});
  ASSERT_EQ(c_export.exit_code, 0) << c_export;
  RunResult c = VerifyBundle(Path("c.zip"), {"--json"});
  ASSERT_EQ(c.exit_code, 0) << c;
  json cr = ParseJson(c);
  std::set<std::string> origins;
  for (const auto& e : cr["timeline"]) origins.insert(e["origin"]);
  EXPECT_EQ(origins.size(), 3u);
  EXPECT_EQ(cr["timeline"][1]["action"], "ingest");
  EXPECT_EQ(cr["timeline"][1]["origin"], a_origin);
  EXPECT_EQ(cr["timeline"].back()["action"], "export");
  // Only the exported item's records travel: nothing about the recording.
  for (const auto& e : cr["timeline"]) {
    if (e["action"] == "export" || e["action"] == "import") continue;
    for (const auto& s : e["subjects"]) EXPECT_EQ(s, testimony_) << e;
  }
}

TEST_F(BundleImportTest, VerifiesFirstAndWritesNothingOnFailure) {
  std::string bundle = Export("a.zip");
  const size_t events = ParseJson(RunB({"log", "--json"})).size();
  std::vector<Member> t = ReadMembers(bundle);
  Member* item = FindMember(t, "items/" + testimony_);
  item->data[3] ^= 1;
  WriteMembers(Path("tampered.zip"), t);
  RunResult r = RunB({"import", Path("tampered.zip")});
  EXPECT_AMANAT_ERROR(r, 1, "item " + testimony_);
  EXPECT_NE(r.out.find("nothing was imported"), std::string::npos) << r;
  // Untrusted signer: refused as well.
  std::string other = Path("other");
  InitVault(other, "zoe");
  std::string other_log = ParseJson(RunAmanat({"--vault", other, "key", "show", "--json"}))["log_key"];
  EXPECT_AMANAT_ERROR(RunB({"import", bundle, "--trust", other_log}), 1, "not trusted");
  EXPECT_AMANAT_ERROR(RunB({"import", Path("absent.zip")}), 4, "absent.zip");
  EXPECT_AMANAT_ERROR(RunB({"import", MakeFile("junk.zip", "PK junk")}), 2, "not a ZIP");
  // Back into the vault that exported it: refused.
  EXPECT_AMANAT_ERROR(RunV({"import", bundle}), 2, "exported from this vault");

  EXPECT_EQ(ParseJson(RunB({"log", "--json"})).size(), events);
  EXPECT_EQ(ParseJson(RunB({"ls", "--json"})).size(), 0u);
  EXPECT_EQ(CountRows(vault_b_, "received_events"), 0);
  EXPECT_EQ(RunB({"verify"}).exit_code, 0);
}

TEST_F(BundleImportTest, SecondImportOnlyLogs) {
  std::string bundle = Export("a.zip");
  ASSERT_EQ(RunB({"import", bundle}).exit_code, 0);
  const int64_t events = CountRows(vault_b_, "received_events");
  const int64_t chunks = CountRows(vault_b_, "chunks");
  EXPECT_EQ(events, 5);  // A's init, two ingests, access, export
  EXPECT_EQ(CountRows(vault_b_, "received_bundles"), 1);

  RunResult again = RunB({"import", bundle, "--json"});
  ASSERT_EQ(again.exit_code, 0) << again;
  json j = ParseJson(again);
  EXPECT_EQ(j["already_imported"], true);
  EXPECT_TRUE(j["stored"].empty());
  EXPECT_EQ(CountRows(vault_b_, "received_events"), events);
  EXPECT_EQ(CountRows(vault_b_, "received_bundles"), 1);
  EXPECT_EQ(CountRows(vault_b_, "chunks"), chunks);
  EXPECT_EQ(CountRows(vault_b_, "items"), 2);
  json log = ParseJson(RunB({"log", "--json"}));
  EXPECT_EQ(log.back()["action"], "import");
  EXPECT_EQ(log.back()["details"]["already_imported"], true);
  EXPECT_EQ(RunB({"verify"}).exit_code, 0);

  // Items the vault already held are not stored again, and still verify.
  std::string vault_c = Path("vault-c");
  InitVault(vault_c, "court");
  ASSERT_EQ(RunAmanat({"--vault", vault_c, "--passphrase-file", pass_file(), "add",
                       Path("statement-01.txt"), "--kind", "testimony"}).exit_code, 0);
  RunResult c = RunAmanat({"--vault", vault_c, "--passphrase-file", pass_file(), "import", bundle});
  ASSERT_EQ(c.exit_code, 0) << c;
  EXPECT_NE(c.out.find(testimony_ + "  already in this vault"), std::string::npos) << c;
  EXPECT_EQ(RunAmanat({"--vault", vault_c, "--passphrase-file", pass_file(), "verify"}).exit_code, 0);
}

TEST_F(BundleImportTest, RolesAndAppendOnlyRecords) {
  std::string bundle = Export("a.zip");
  std::string rita_pass = MakeFile("rita.pass", "rita's passphrase\n");
  std::string carl_pass = MakeFile("carl.pass", "carl's passphrase\n");
  ASSERT_EQ(RunB({"custodian", "add", "rita", "--role", "reviewer", "--new-passphrase-file",
                  rita_pass, "--kdf", "insecure-fast"}).exit_code, 0);
  ASSERT_EQ(RunB({"--custodian", "lawyer", "custodian", "add", "carl", "--role", "collector",
                  "--new-passphrase-file", carl_pass, "--kdf", "insecure-fast"}).exit_code, 0);
  RunResult rita = RunAmanat({"--vault", vault_b_, "--passphrase-file", rita_pass, "--custodian",
                              "rita", "import", bundle});
  EXPECT_AMANAT_ERROR(rita, 3, "importing a bundle is not allowed for rita");
  RunResult carl = RunAmanat({"--vault", vault_b_, "--passphrase-file", carl_pass, "--custodian",
                              "carl", "import", bundle});
  EXPECT_EQ(carl.exit_code, 0) << carl;

  auto v = vault::Vault::Open(vault_b_, "lawyer", [&](const vault::KeySlot&) {
    return Result<crypto::SecretBytes>(crypto::SecretBytes::Copy(AsBytes(std::string(kPassphrase))));
  });
  ASSERT_TRUE(v.ok()) << v.status().message();
  for (const char* sql : {"UPDATE received_events SET entry = x'00'",
                          "DELETE FROM received_sections",
                          "UPDATE received_bundles SET import_seq = 0",
                          "INSERT OR REPLACE INTO received_events SELECT * FROM received_events"}) {
    EXPECT_FALSE((*v)->db().Exec(sql).ok()) << sql;
  }
}

TEST_F(BundleImportTest, ReceivedContentMustMatchItsId) {
  auto v = vault::Vault::Open(vault_b_, "", [&](const vault::KeySlot&) {
    return Result<crypto::SecretBytes>(crypto::SecretBytes::Copy(AsBytes(std::string(kPassphrase))));
  });
  ASSERT_TRUE(v.ok()) << v.status().message();
  auto tx = vault::Transaction::Begin((*v)->db());
  ASSERT_TRUE(tx.ok());
  std::string data = "not the content the ID names";
  size_t off = 0;
  vault::ReadFn read = [&](uint8_t* buf, size_t n) -> Result<size_t> {
    size_t k = std::min(n, data.size() - off);
    std::memcpy(buf, data.data() + off, k);
    off += k;
    return k;
  };
  vault::ReceivedItem rec{testimony_, data.size(), "testimony", "text/plain",
                          json{{"kind", "testimony"}, {"collector", "alice"}}};
  auto r = vault::StoreReceivedItem(**v, read, rec, nullptr);
  EXPECT_EQ(r.status().code(), Code::kVerifyFailed);
  auto items = vault::ListItems(**v, "");
  ASSERT_TRUE(items.ok());
  EXPECT_TRUE(items->empty());
}

}  // namespace
}  // namespace amanat::testing
