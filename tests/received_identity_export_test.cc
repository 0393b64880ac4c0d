// End-to-end tests of HQ re-sealing witness identity records it received from a field vault
// (docs/format/bundle.md, "Records for the legal team"): `export --include-identities --to
// age1…` at HQ opens each received record (unseal grant, one logged unseal each, naming the
// field vault and the sealed record) and carries it encrypted to the legal team's age key,
// which the stock `age -d` opens; verify-bundle ties it, without any key, to HQ's signed unseal
// and the field vault's signed witness-add; nothing else in the bundle names the witness. A
// sealed export at HQ says which received records it left out.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/sha256.h"
#include "tests/bundle_test_util.h"
#include "tests/cli_runner.h"
#include "vault/bundle_check_identity.h"
#include "vault/bundle_check_section.h"

namespace amanat::testing {
namespace {

using nlohmann::json;

// A fictional witness.
constexpr char kReceivedName[] = "Dariga Fictionova";
constexpr char kReceivedContact[] = "+996 555 010 203 (fictional)";
constexpr char kReceivedNotes[] = "met at the Osh field office";

class ReceivedIdentityExport : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    hq_ = Path("hq");
    field_ = Path("field");
    hq_pass_ = MakeFile("hq-pass", "passphrase of HQ (test)\n");
    InitVault(hq_, "amina", hq_pass_);
    const std::string hq_keys = Path("hq-keys.json");
    ASSERT_EQ(Hq({"key", "export-hq", "-o", hq_keys}).exit_code, 0);
    RunResult init =
        RunAmanat({"init", "--vault", field_, "--custodian", "bakyt", "--kdf", "insecure-fast",
                   "--passphrase-file", pass_file(), "--field", "--hq-keys", hq_keys});
    ASSERT_EQ(init.exit_code, 0) << init;

    json rec = {{"name", kReceivedName},
                {"contact", kReceivedContact},
                {"consent", {{"court", true}, {"publication", false}}},
                {"notes", kReceivedNotes}};
    const std::string file = MakeFile("witness.json", rec.dump());
    RunResult w = Field({"witness", "add", "--from", file});
    ASSERT_EQ(w.exit_code, 0) << w;
    std::filesystem::remove(file);
    w_ = w.out.substr(0, w.out.find('\n'));
    RunResult a = Field({"add", MakeFile("t.txt", "testimony taken in the field\n"), "--kind",
                         "testimony", "--witness", w_});
    ASSERT_EQ(a.exit_code, 0) << a;
    item_ = a.out.substr(0, 64);
    RunResult e = Field(
        {"export", item_, "-o", Path("to-hq.zip"), "--purpose", "to HQ", "--include-identities"});
    ASSERT_EQ(e.exit_code, 0) << e;
    RunResult imp = Hq({"import", Path("to-hq.zip"), "--purpose", "from the field team"});
    ASSERT_EQ(imp.exit_code, 0) << imp;
    lawyer_ = StockKeygen("lawyer.key");
  }

  RunResult Hq(std::vector<std::string> args) { return In(hq_, "amina", hq_pass_, args); }
  RunResult Field(std::vector<std::string> args) { return In(field_, "bakyt", pass_file(), args); }
  RunResult In(const std::string& v, const std::string& who, const std::string& pass,
               const std::vector<std::string>& args) {
    std::vector<std::string> all = {"--vault", v, "--passphrase-file", pass, "--custodian", who};
    all.insert(all.end(), args.begin(), args.end());
    RunResult r = RunAmanat(all);
    all_.push_back(r);
    return r;
  }

  // An identity file made by the stock age-keygen; returns its recipient (age-keygen -y).
  std::string StockKeygen(const std::string& name) {
    RunResult k = RunProgram("/usr/bin/age-keygen", {"-o", Path(name)});
    EXPECT_EQ(k.exit_code, 0) << k;
    RunResult y = RunProgram("/usr/bin/age-keygen", {"-y", Path(name)});
    EXPECT_EQ(y.exit_code, 0) << y;
    return y.out.substr(0, y.out.find('\n'));
  }

  // The first event of `log` with `action` (null if none).
  static json First(const json& log, const std::string& action) {
    for (const auto& ev : log) {
      if (ev["action"] == action) return ev;
    }
    return json();
  }

  RunResult ExportTo(const std::string& name, const std::vector<std::string>& items) {
    std::vector<std::string> args = {"export"};
    args.insert(args.end(), items.begin(), items.end());
    for (const char* a : {"--purpose", "filing with the court", "--include-identities", "--json"}) {
      args.push_back(a);
    }
    args.insert(args.end(), {"-o", Path(name), "--to", lawyer_});
    return Hq(args);
  }

  std::string hq_, field_, hq_pass_, w_, item_, lawyer_;
  std::vector<RunResult> all_;
};

TEST_F(ReceivedIdentityExport, LawyerOpensReceivedRecordAndBundleVerifies) {
  RunResult e = ExportTo("b.zip", {item_});
  ASSERT_EQ(e.exit_code, 0) << e;
  json out = ParseJson(e);
  EXPECT_EQ(out["identities"], json::array({w_}));
  ASSERT_EQ(out["unseal_events"].size(), 1u);

  // The stock age opens the member: the record exactly as the field vault sealed it.
  const std::string member = "identities/" + w_ + ".age";
  const std::string ciphertext = MemberData(Path("b.zip"), member);
  ASSERT_EQ(ciphertext.rfind("age-encryption.org/v1\n", 0), 0u);
  RunResult d =
      RunProgram("/usr/bin/age", {"-d", "-i", Path("lawyer.key"), MakeFile("m.age", ciphertext)});
  ASSERT_EQ(d.exit_code, 0) << d;
  json rec = json::parse(d.out);
  EXPECT_EQ(rec["name"], kReceivedName);
  EXPECT_EQ(rec["contact"], kReceivedContact);
  EXPECT_EQ(rec["pseudonym"], w_);
  EXPECT_EQ(rec["format"], "amanat-witness/1");
  json field_keys = ParseJson(Field({"key", "show", "--json"}));
  EXPECT_EQ(rec["vault"], field_keys["vault_id"]);

  // HQ's log: one unseal of the received record, naming the field vault, the recipients and
  // the sealed record that the field's witness-add recorded, just before the export.
  json hq_log = ParseJson(Hq({"log", "--json"}));
  json field_log = ParseJson(Field({"log", "--json"}));
  json unseal = First(hq_log, "unseal");
  json add = First(field_log, "witness-add");
  ASSERT_FALSE(unseal.is_null());
  ASSERT_FALSE(add.is_null());
  EXPECT_EQ(unseal["sequence"], out["unseal_events"][0]);
  EXPECT_EQ(unseal["purpose"], "filing with the court");
  EXPECT_EQ(unseal["details"]["pseudonym"], w_);
  EXPECT_EQ(unseal["details"]["received_from"], field_keys["origin"]);
  EXPECT_EQ(unseal["details"]["sealed_to"], json::array({lawyer_}));
  EXPECT_EQ(unseal["details"]["sealed_sha256"], add["details"]["sealed_sha256"]);
  json exp = hq_log.back();
  EXPECT_EQ(exp["action"], "export");
  EXPECT_EQ(exp["sequence"].get<uint64_t>(), unseal["sequence"].get<uint64_t>() + 1);
  EXPECT_EQ(exp["details"]["identities"], json::array({w_}));

  // The manifest entry points at HQ's unseal and at the field's witness-add, which the bundle
  // carries in the field vault's received section.
  json manifest = json::parse(MemberData(Path("b.zip"), "manifest.json"));
  ASSERT_EQ(manifest["identities"].size(), 1u);
  const json& ref = manifest["identities"][0];
  EXPECT_EQ(ref["format"], "age");
  EXPECT_EQ(ref["sha256"], crypto::HexEncode(crypto::Sha256Of(AsBytes(ciphertext))));
  EXPECT_EQ(ref["sealed_to"], json::array({lawyer_}));
  EXPECT_EQ(ref["event"], unseal["sequence"]);
  EXPECT_EQ(ref["received_from"], field_keys["origin"]);
  EXPECT_EQ(ref["received_event"], add["sequence"]);
  bool add_carried = false;
  for (const auto& r : manifest["received"]) {
    if (r["origin"] != field_keys["origin"]) continue;
    for (const auto& ev : r["events"]) add_carried |= ev["sequence"] == add["sequence"];
  }
  EXPECT_TRUE(add_carried);

  // It verifies without any key, with Amanat and the independent validator; the events are
  // valid against the schema; HQ's vault verifies.
  RunResult v = Run({"verify-bundle", Path("b.zip")});
  EXPECT_EQ(v.exit_code, 0) << v;
  EXPECT_TRUE(Contains(v.out, "received from another vault and encrypted to age recipients")) << v;
  const std::string dir = Path("unzipped");
  std::filesystem::create_directory(dir);
  RunOptions in_dir;
  in_dir.cwd = dir;
  ASSERT_EQ(RunProgram("/usr/bin/unzip", {"-q", Path("b.zip")}, in_dir).exit_code, 0);
  RunResult py = RunProgram(
      kPython, {TestDataDir() + "/schema/validate_bundle.py", TestDataDir() + "/../schemas", dir});
  EXPECT_EQ(py.exit_code, 0) << py;
  RunResult val = RunProgram(kPython, {TestDataDir() + "/schema/validate_events.py",
                                       TestDataDir() + "/../schemas/custody-event.schema.json",
                                       MakeFile("log.json", hq_log.dump())});
  EXPECT_EQ(val.exit_code, 0) << val;
  EXPECT_EQ(Hq({"verify"}).exit_code, 0);

  // No member but the .age one holds the name, contact or notes (every byte of every member,
  // and its path); nothing amanat printed does either.
  bool saw_member = false;
  for (const auto& m : ReadMembers(Path("b.zip"))) {
    if (m.path == member) {
      saw_member = true;
      continue;
    }
    for (const char* secret : {kReceivedName, "Fictionova", kReceivedContact, kReceivedNotes}) {
      EXPECT_FALSE(Contains(m.path + "\n" + m.data, secret)) << secret << " in " << m.path;
    }
  }
  EXPECT_TRUE(saw_member);
  for (const char* secret : {"Fictionova", kReceivedContact, kReceivedNotes}) {
    EXPECT_FALSE(Contains(ciphertext, secret));
  }
  for (const auto& r : all_) {
    for (const char* secret : {"Fictionova", kReceivedContact, kReceivedNotes}) {
      EXPECT_FALSE(Contains(r.out + r.err, secret)) << secret << r;
    }
  }
}

TEST_F(ReceivedIdentityExport, CustodianWithoutUnsealGetsExit3AndNoBundle) {
  const std::string rita = MakeFile("pass-rita", "passphrase of rita (test)\n");
  ASSERT_EQ(Hq({"custodian", "add", "rita", "--role", "reviewer", "--new-passphrase-file", rita,
                "--kdf", "insecure-fast"})
                .exit_code,
            0);
  const size_t before = ParseJson(Hq({"log", "--json"})).size();
  RunResult r = In(hq_, "rita", rita,
                   {"export", item_, "-o", Path("r.zip"), "--purpose", "p", "--include-identities",
                    "--to", lawyer_});
  EXPECT_AMANAT_ERROR(r, 3, "does not hold the unseal grant");
  EXPECT_FALSE(std::filesystem::exists(Path("r.zip")));
  json log = ParseJson(Hq({"log", "--json"}));
  EXPECT_EQ(log.size(), before);
  for (const auto& ev : log) EXPECT_NE(ev["action"], "unseal");
}

TEST_F(ReceivedIdentityExport, ChangedOrSwappedRecordFailsVerification) {
  // HQ's own witness too, so that the bundle carries an own and a received record.
  json rec = {{"name", "Second Fictional"}};
  RunResult w = Hq({"witness", "add", "--from", MakeFile("w2.json", rec.dump())});
  ASSERT_EQ(w.exit_code, 0) << w;
  const std::string w2 = w.out.substr(0, w.out.find('\n'));
  RunResult a = Hq({"add", MakeFile("t2.txt", "testimony taken at HQ\n"), "--kind", "testimony",
                    "--witness", w2});
  ASSERT_EQ(a.exit_code, 0) << a;
  RunResult e = ExportTo("b.zip", {item_, a.out.substr(0, 64)});
  ASSERT_EQ(e.exit_code, 0) << e;
  EXPECT_EQ(ParseJson(e)["unseal_events"].size(), 2u);
  ASSERT_EQ(Run({"verify-bundle", Path("b.zip")}).exit_code, 0);
  const std::string p1 = "identities/" + w_ + ".age", p2 = "identities/" + w2 + ".age";

  auto expect_fails = [&](const std::vector<Member>& members, const std::string& name,
                          const std::string& named) {
    WriteMembers(Path(name), members);
    RunResult r = Run({"verify-bundle", Path(name)});
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_TRUE(Contains(r.out + r.err, named)) << named << r;
  };
  {
    auto members = ReadMembers(Path("b.zip"));
    Member* m = FindMember(members, p1);
    ASSERT_NE(m, nullptr);
    m->data[m->data.size() - 3] ^= 1;
    expect_fails(members, "flipped.zip", p1);
  }
  {
    auto members = ReadMembers(Path("b.zip"));
    Member* x = FindMember(members, p1);
    Member* y = FindMember(members, p2);
    ASSERT_TRUE(x != nullptr && y != nullptr);
    std::swap(x->data, y->data);
    expect_fails(members, "swapped.zip", p1);
  }
  {
    // The manifest pointed at another witness-add of the field's log: its signature fails.
    auto members = ReadMembers(Path("b.zip"));
    Member* m = FindMember(members, "manifest.json");
    ASSERT_NE(m, nullptr);
    json manifest = json::parse(m->data);
    for (auto& ref : manifest["identities"]) {
      if (ref.contains("received_event"))
        ref["received_event"] = ref["received_event"].get<int>() + 1;
    }
    m->data = manifest.dump(2) + "\n";
    expect_fails(members, "manifest.zip", "manifest.json");
  }
  {
    auto members = ReadMembers(Path("b.zip"));
    std::erase_if(members, [&](const Member& m) { return m.path == p1; });
    expect_fails(members, "dropped.zip", p1);
  }
}

TEST_F(ReceivedIdentityExport, SealedExportAtHqSaysWhichReceivedRecordsItLeavesOut) {
  RunResult e = Hq({"export", item_, "-o", Path("s.zip"), "--purpose", "to the archive",
                    "--include-identities", "--json"});
  ASSERT_EQ(e.exit_code, 0) << e;
  EXPECT_EQ(ParseJson(e)["identities_not_included"], json::array({w_}));
  EXPECT_TRUE(Contains(e.err,
                       "amanat: warning: 1 witness identity record received from another "
                       "vault is not in the bundle"))
      << e;
  EXPECT_TRUE(Contains(e.err, "--to age1")) << e;
  EXPECT_EQ(Lines(e.err).size(), 1u) << e;
  for (const auto& m : ReadMembers(Path("s.zip"))) {
    EXPECT_NE(m.path.rfind("identities/", 0), 0u) << m.path;
  }
  EXPECT_EQ(Run({"verify-bundle", Path("s.zip")}).exit_code, 0);
  // Without --include-identities nothing is said: no record was asked for.
  RunResult plain = Hq({"export", item_, "-o", Path("p.zip"), "--purpose", "to the archive"});
  ASSERT_EQ(plain.exit_code, 0) << plain;
  EXPECT_EQ(plain.err, "");
}

TEST_F(ReceivedIdentityExport, RecordFromAnotherBundleThanTheItemStillVerifies) {
  // The record reached HQ with the first testimony; a second one of the same witness comes
  // later, without identities. HQ's bundle of the second alone must carry the field's
  // witness-add from the earlier received bundle, with HQ's import that brought it.
  RunResult a = Field({"add", MakeFile("t2.txt", "second testimony, same witness\n"), "--kind",
                       "testimony", "--witness", w_});
  ASSERT_EQ(a.exit_code, 0) << a;
  const std::string item2 = a.out.substr(0, 64);
  ASSERT_EQ(Field({"export", item2, "-o", Path("second.zip"), "--purpose", "to HQ"}).exit_code, 0);
  ASSERT_EQ(Hq({"import", Path("second.zip"), "--purpose", "from the field team"}).exit_code, 0);
  RunResult e = ExportTo("b.zip", {item2});
  ASSERT_EQ(e.exit_code, 0) << e;
  EXPECT_EQ(ParseJson(e)["identities"], json::array({w_}));
  json manifest = json::parse(MemberData(Path("b.zip"), "manifest.json"));
  EXPECT_EQ(manifest["received"].size(), 2u);
  RunResult v = Run({"verify-bundle", Path("b.zip")});
  EXPECT_EQ(v.exit_code, 0) << v;
  const std::string dir = Path("unzipped");
  std::filesystem::create_directory(dir);
  RunOptions in_dir;
  in_dir.cwd = dir;
  ASSERT_EQ(RunProgram("/usr/bin/unzip", {"-q", Path("b.zip")}, in_dir).exit_code, 0);
  RunResult py = RunProgram(
      kPython, {TestDataDir() + "/schema/validate_bundle.py", TestDataDir() + "/../schemas", dir});
  EXPECT_EQ(py.exit_code, 0) << py;
}

// The check behind verify-bundle's verdict on a received record, on a report whose signatures
// are taken as checked: each link of the chain, changed alone, is named.
class CheckReceivedIdentityTest : public ::testing::Test {
 protected:
  static constexpr char kOrigin[] = "amanat/0123456789abcdef";
  static constexpr char kPseudonym[] = "W-ABCDEF";

  void SetUp() override {
    report_.manifest.export_event = 9;
    report_.sections.resize(2);
    report_.sections[1].origin = kOrigin;
    ref_.pseudonym = kPseudonym;
    ref_.format = vault::kAgeIdentityFormat;
    ref_.age_to = {"age1lawyer"};
    ref_.event = 8;
    ref_.received_from = kOrigin;
    ref_.received_event = 3;
    unseal_ = Entry(8, "unseal",
                    {{"pseudonym", kPseudonym},
                     {"sealed_to", json::array({"age1lawyer"})},
                     {"received_from", kOrigin},
                     {"sealed_sha256", std::string(64, 'a')}});
    add_ = Entry(3, "witness-add",
                 {{"pseudonym", kPseudonym}, {"sealed_sha256", std::string(64, 'a')}});
  }

  static vault::ParsedEntry Entry(uint64_t seq, const std::string& action, json details) {
    vault::ParsedEntry pe;
    pe.event.sequence = seq;
    pe.event.action = action;
    pe.event.details = std::move(details);
    return pe;
  }

  std::string Check() {
    report_.sections[0].parsed = {unseal_};
    report_.sections[1].parsed = {add_};
    return vault::CheckReceivedIdentity(ref_, report_);
  }

  vault::BundleReport report_;
  vault::IdentityRef ref_;
  vault::ParsedEntry unseal_, add_;
};

TEST_F(CheckReceivedIdentityTest, HoldsOnlyWhileEveryLinkHolds) {
  EXPECT_EQ(Check(), "");
  const std::string unseal = "signed unseal event";
  const std::vector<std::pair<std::function<void()>, std::string>> changes = {
      {[&] { unseal_.event.action = "access"; }, unseal},
      {[&] { unseal_.event.details["pseudonym"] = "W-ZZZZZZ"; }, unseal},
      {[&] { unseal_.event.details["sealed_to"] = json::array({"age1other"}); }, unseal},
      {[&] { unseal_.event.details["received_from"] = "amanat/other"; }, unseal},
      {[&] { unseal_.event.details.erase("sealed_sha256"); }, unseal},
      {[&] { report_.manifest.export_event = 8; }, unseal},
      {[&] { ref_.event = 7; }, unseal},
      {[&] { add_.event.details["sealed_sha256"] = std::string(64, 'b'); }, "another record"},
      {[&] { add_.event.details["pseudonym"] = "W-ZZZZZZ"; }, "another record"},
      {[&] { add_.event.action = "annotate"; }, "another record"},
      {[&] { ref_.received_event = 4; }, "is not in the bundle"},
      {[&] { report_.sections[1].origin = "amanat/other"; }, "is not in the bundle"},
  };
  for (size_t i = 0; i < changes.size(); ++i) {
    SetUp();
    changes[i].first();
    const std::string why = Check();
    EXPECT_NE(why.find(changes[i].second), std::string::npos) << "change " << i << ": " << why;
  }
}

}  // namespace
}  // namespace amanat::testing
