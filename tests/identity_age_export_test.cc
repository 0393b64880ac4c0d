// End-to-end tests of protected exports (issue P4, acceptance item 6): `export
// --include-identities --to age1…` opens each witness identity record (unseal grant, logged)
// and carries it encrypted to the legal team's age key, which the stock `age -d` opens, while
// nothing else in the bundle, the log or the output names the witness; verify-bundle checks
// the records without any key; refusals exit 2 or 3 before anything is recorded.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/sha256.h"
#include "tests/bundle_test_util.h"
#include "tests/cli_runner.h"

namespace amanat::testing {
namespace {

using nlohmann::json;

// A fictional witness.
constexpr char kExportName[] = "Aigerim Testova";
constexpr char kExportContact[] = "+7 700 555 0142 (fictional)";
constexpr char kExportNotes[] = "reached through the Almaty office";

class IdentityAgeExport : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    InitVault();
    bob_ = MakeFile("pass-bob", "passphrase of bob (test)\n");
    RunResult r = RunV({"custodian", "add", "bob", "--role", "reviewer",
                        "--new-passphrase-file", bob_, "--kdf", "insecure-fast"});
    ASSERT_EQ(r.exit_code, 0) << r;
    w_ = AddWitness(kExportName, "w1.json");
    item_ = AddItem(MakeFile("t.txt", "testimony given under a pseudonym\n"),
                    {"--kind", "testimony", "--witness", w_});
    lawyer_ = StockKeygen("lawyer.key");
  }

  RunResult Alice(std::vector<std::string> args) {
    std::vector<std::string> all = {"--custodian", "alice"};
    all.insert(all.end(), args.begin(), args.end());
    RunResult r = RunV(all);
    all_.push_back(r);
    return r;
  }
  RunResult Bob(std::vector<std::string> args) {
    std::vector<std::string> all = {"--vault", vault(), "--passphrase-file", bob_,
                                    "--custodian", "bob"};
    all.insert(all.end(), args.begin(), args.end());
    RunResult r = RunAmanat(all);
    all_.push_back(r);
    return r;
  }

  std::string AddWitness(const std::string& name, const std::string& file) {
    json rec = {{"name", name},
                {"contact", kExportContact},
                {"consent", {{"court", true}, {"publication", false}}},
                {"notes", kExportNotes}};
    RunResult r = Alice({"witness", "add", "--from", MakeFile(file, rec.dump())});
    EXPECT_EQ(r.exit_code, 0) << r;
    std::filesystem::remove(Path(file));
    return r.out.substr(0, r.out.find('\n'));
  }

  // Adds `path` as alice; returns the item ID.
  std::string AddItem(const std::string& path, const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"add", path};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult r = Alice(args);
    EXPECT_EQ(r.exit_code, 0) << r;
    return r.out.substr(0, 64);
  }

  // An identity file made by the stock age-keygen; returns its recipient (age-keygen -y).
  std::string StockKeygen(const std::string& name) {
    RunResult k = RunProgram("/usr/bin/age-keygen", {"-o", Path(name)});
    EXPECT_EQ(k.exit_code, 0) << k;
    RunResult y = RunProgram("/usr/bin/age-keygen", {"-y", Path(name)});
    EXPECT_EQ(y.exit_code, 0) << y;
    return y.out.substr(0, y.out.find('\n'));
  }

  // The stock `age -d -i KEY` over `ciphertext`; the plaintext, or "" and a failure.
  std::string StockDecrypt(const std::string& key, const std::string& ciphertext) {
    const std::string in = MakeFile("member.age", ciphertext);
    RunResult d = RunProgram("/usr/bin/age", {"-d", "-i", Path(key), in});
    EXPECT_EQ(d.exit_code, 0) << d;
    return d.out;
  }

  std::string Export(const std::string& name, const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"export", item_, "-o", Path(name)};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult r = Alice(args);
    EXPECT_EQ(r.exit_code, 0) << r;
    return Path(name);
  }

  json Log() { return ParseJson(Alice({"log", "--json"})); }

  std::string bob_, w_, item_, lawyer_;
  std::vector<RunResult> all_;
};

TEST_F(IdentityAgeExport, LawyerOpensTheRecordWithStockAgeAndNothingElseNamesTheWitness) {
  const std::string archive = StockKeygen("archive.key");
  RunResult e = Alice({"export", item_, "-o", Path("b.zip"), "--purpose", "filing with the court",
                       "--include-identities", "--to", lawyer_, "--to", archive, "--json"});
  ASSERT_EQ(e.exit_code, 0) << e;
  json out = ParseJson(e);
  EXPECT_EQ(out["identities"], json::array({w_}));
  ASSERT_EQ(out["unseal_events"].size(), 1u);

  const std::string member = "identities/" + w_ + ".age";
  auto members = ReadMembers(Path("b.zip"));
  std::string ciphertext;
  for (const auto& m : members) {
    EXPECT_NE(m.path, "identities/" + w_ + ".sealed");
    if (m.path == member) {
      ciphertext = m.data;
      continue;
    }
    // No other member names the witness, nor holds their contact or notes.
    for (const char* secret : {kExportName, "Testova", kExportContact, kExportNotes}) {
      EXPECT_FALSE(Contains(m.data, secret)) << secret << " in " << m.path;
    }
  }
  ASSERT_FALSE(ciphertext.empty()) << "no " << member;
  EXPECT_EQ(ciphertext.rfind("age-encryption.org/v1\n", 0), 0u);
  EXPECT_FALSE(Contains(ciphertext, "Testova"));

  // Each recipient opens it with the stock age: the record exactly as sealed, bound to its
  // vault and pseudonym.
  for (const char* key : {"lawyer.key", "archive.key"}) {
    json rec = json::parse(StockDecrypt(key, ciphertext));
    EXPECT_EQ(rec["name"], kExportName);
    EXPECT_EQ(rec["contact"], kExportContact);
    EXPECT_EQ(rec["notes"], kExportNotes);
    EXPECT_EQ(rec["pseudonym"], w_);
    EXPECT_EQ(rec["format"], "amanat-witness/1");
    EXPECT_EQ(rec["consent"]["court"], true);
  }
  // Another key does not.
  StockKeygen("stranger.key");
  RunResult other = RunProgram("/usr/bin/age", {"-d", "-i", Path("stranger.key"),
                                                MakeFile("m.age", ciphertext)});
  EXPECT_NE(other.exit_code, 0);

  // The manifest lists the member with its hash, form and recipients.
  json manifest = json::parse(MemberData(Path("b.zip"), "manifest.json"));
  ASSERT_EQ(manifest["identities"].size(), 1u);
  const json& ref = manifest["identities"][0];
  EXPECT_EQ(ref["pseudonym"], w_);
  EXPECT_EQ(ref["format"], "age");
  EXPECT_EQ(ref["sealed_to"], json::array({lawyer_, archive}));
  EXPECT_EQ(ref["sha256"], crypto::HexEncode(crypto::Sha256Of(AsBytes(ciphertext))));
  EXPECT_FALSE(ref.contains("sealed_sha256"));

  // The unseal is on record, with the export's purpose and the recipients, just before the
  // export, which lists the pseudonyms and recipients; both travel in the bundle.
  json log = Log();
  json unseal, exp;
  for (const auto& ev : log) {
    if (ev["action"] == "unseal") unseal = ev;
    if (ev["action"] == "export") exp = ev;
  }
  ASSERT_FALSE(unseal.is_null());
  EXPECT_EQ(unseal["details"]["pseudonym"], w_);
  EXPECT_EQ(unseal["details"]["sealed_to"], json::array({lawyer_, archive}));
  EXPECT_EQ(unseal["purpose"], "filing with the court");
  EXPECT_EQ(unseal["sequence"], out["unseal_events"][0]);
  EXPECT_EQ(exp["sequence"].get<uint64_t>(), unseal["sequence"].get<uint64_t>() + 1);
  EXPECT_EQ(exp["details"]["identities"], json::array({w_}));
  EXPECT_EQ(exp["details"]["identities_sealed_to"], json::array({lawyer_, archive}));
  const std::string events = MemberData(Path("b.zip"), "custody/events.jsonl");
  EXPECT_EQ(Lines(events).size(), manifest["events"].size());
  bool unseal_in_bundle = false;
  for (const auto& ref_e : manifest["events"]) unseal_in_bundle |= ref_e["sequence"] == unseal["sequence"];
  EXPECT_TRUE(unseal_in_bundle);

  // It verifies without any key, with Amanat and with the independent validator; the events
  // are valid against the schema; the vault verifies.
  RunResult v = Run({"verify-bundle", Path("b.zip")});
  EXPECT_EQ(v.exit_code, 0) << v;
  EXPECT_TRUE(Contains(v.out, "encrypted to age recipients")) << v;
  const std::string dir = Path("unzipped");
  std::filesystem::create_directory(dir);
  RunOptions in_dir;
  in_dir.cwd = dir;
  ASSERT_EQ(RunProgram("/usr/bin/unzip", {"-q", Path("b.zip")}, in_dir).exit_code, 0);
  RunResult py = RunProgram(kPython, {TestDataDir() + "/schema/validate_bundle.py",
                                      TestDataDir() + "/../schemas", dir});
  EXPECT_EQ(py.exit_code, 0) << py;
  RunResult val = RunProgram(kPython, {TestDataDir() + "/schema/validate_events.py",
                                       TestDataDir() + "/../schemas/custody-event.schema.json",
                                       MakeFile("log.json", log.dump())});
  EXPECT_EQ(val.exit_code, 0) << val;
  EXPECT_EQ(Alice({"verify"}).exit_code, 0);

  // Nothing amanat printed names the witness.
  for (const auto& r : all_) {
    for (const char* secret : {kExportName, "Testova", kExportContact, kExportNotes}) {
      EXPECT_FALSE(Contains(r.out, secret)) << secret << r;
      EXPECT_FALSE(Contains(r.err, secret)) << secret << r;
    }
  }
}

TEST_F(IdentityAgeExport, ChangedSwappedOrAddedRecordFailsVerification) {
  const std::string w2 = AddWitness("Second Fictional", "w2.json");
  const std::string item2 = AddItem(MakeFile("t2.txt", "second testimony\n"),
                                    {"--kind", "testimony", "--witness", w2});
  RunResult e = Alice({"export", item_, item2, "-o", Path("b.zip"), "--purpose", "filing",
                       "--include-identities", "--to", lawyer_});
  ASSERT_EQ(e.exit_code, 0) << e;
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
    m->data[m->data.size() - 5] ^= 1;
    expect_fails(members, "flipped.zip", p1);
  }
  {
    auto members = ReadMembers(Path("b.zip"));
    Member* a = FindMember(members, p1);
    Member* b = FindMember(members, p2);
    ASSERT_TRUE(a != nullptr && b != nullptr);
    std::swap(a->data, b->data);
    expect_fails(members, "swapped.zip", p1);
  }
  {
    auto members = ReadMembers(Path("b.zip"));
    std::string copy = FindMember(members, p1)->data;
    members.push_back({"identities/W-ZZZZZZ.age", copy});
    expect_fails(members, "added.zip", "identities/W-ZZZZZZ.age");
  }
  {
    // The same record also carried sealed: unlisted.
    auto members = ReadMembers(Path("b.zip"));
    members.push_back({"identities/" + w_ + ".sealed", "x"});
    expect_fails(members, "both.zip", "identities/" + w_ + ".sealed");
  }
  {
    auto members = ReadMembers(Path("b.zip"));
    std::erase_if(members, [&](const Member& m) { return m.path == p2; });
    expect_fails(members, "dropped.zip", p2);
  }
}

TEST_F(IdentityAgeExport, RefusalsRecordNothing) {
  const size_t before = Log().size();
  // --to alone, a malformed recipient, no purpose: bad usage.
  RunResult alone = Alice({"export", item_, "-o", Path("a.zip"), "--to", lawyer_});
  EXPECT_EQ(alone.exit_code, 2) << alone;
  EXPECT_TRUE(Contains(alone.err, "--to goes with --include-identities")) << alone;
  RunResult bad = Alice({"export", item_, "-o", Path("a.zip"), "--include-identities", "--to",
                         "age1notakey", "--purpose", "p"});
  EXPECT_EQ(bad.exit_code, 2) << bad;
  EXPECT_TRUE(Contains(bad.err, "--to")) << bad;
  RunResult nopurpose =
      Alice({"export", item_, "-o", Path("a.zip"), "--include-identities", "--to", lawyer_});
  EXPECT_EQ(nopurpose.exit_code, 2) << nopurpose;
  EXPECT_TRUE(Contains(nopurpose.err, "purpose")) << nopurpose;
  // A custodian without the grant: exit 3 naming it.
  RunResult bob = Bob({"export", item_, "-o", Path("a.zip"), "--include-identities", "--to",
                       lawyer_, "--purpose", "p"});
  EXPECT_EQ(bob.exit_code, 3) << bob;
  EXPECT_TRUE(Contains(bob.err, "does not hold the unseal grant")) << bob;
  // Without --to, bob may still carry the sealed form.
  EXPECT_EQ(Bob({"export", item_, "-o", Path("s.zip"), "--include-identities"}).exit_code, 0);

  EXPECT_FALSE(std::filesystem::exists(Path("a.zip")));
  json log = Log();
  EXPECT_EQ(log.size(), before + 1);  // only bob's sealed export
  for (const auto& ev : log) EXPECT_NE(ev["action"], "unseal");
}

TEST_F(IdentityAgeExport, FieldVaultCannotReseal) {
  const std::string hq_keys = Path("hq-keys.json");
  ASSERT_EQ(Alice({"key", "export-hq", "-o", hq_keys}).exit_code, 0);
  const std::string field = Path("field");
  ASSERT_EQ(RunAmanat({"init", "--vault", field, "--custodian", "bakyt", "--kdf", "insecure-fast",
                       "--passphrase-file", pass_file(), "--field", "--hq-keys", hq_keys})
                .exit_code,
            0);
  auto in_field = [&](std::vector<std::string> args) {
    std::vector<std::string> all = {"--vault", field, "--passphrase-file", pass_file()};
    all.insert(all.end(), args.begin(), args.end());
    return RunAmanat(all);
  };
  json rec = {{"name", kExportName}};
  RunResult w = in_field({"witness", "add", "--from", MakeFile("fw.json", rec.dump())});
  ASSERT_EQ(w.exit_code, 0) << w;
  const std::string fw = w.out.substr(0, w.out.find('\n'));
  RunResult a = in_field({"add", MakeFile("ft.txt", "field testimony\n"), "--kind", "testimony",
                          "--witness", fw});
  ASSERT_EQ(a.exit_code, 0) << a;
  RunResult e = in_field({"export", a.out.substr(0, 64), "-o", Path("f.zip"),
                          "--include-identities", "--to", lawyer_, "--purpose", "p"});
  EXPECT_EQ(e.exit_code, 3) << e;
  EXPECT_TRUE(Contains(e.err, "this is a field vault")) << e;
  EXPECT_FALSE(std::filesystem::exists(Path("f.zip")));
}

TEST_F(IdentityAgeExport, ImportVerifiesButDoesNotKeepAgeRecords) {
  Export("b.zip", {"--purpose", "to counsel", "--include-identities", "--to", lawyer_});
  const std::string other = Path("other");
  InitVault(other, "zara");
  RunResult imp = RunAmanat({"--vault", other, "--passphrase-file", pass_file(), "import",
                             Path("b.zip"), "--purpose", "received", "--json"});
  ASSERT_EQ(imp.exit_code, 0) << imp;
  EXPECT_EQ(ParseJson(imp)["identities"], json::array());
  RunResult show = RunAmanat({"--vault", other, "--passphrase-file", pass_file(), "witness",
                              "show", w_, "--purpose", "p"});
  EXPECT_EQ(show.exit_code, 4) << show;
}

}  // namespace
}  // namespace amanat::testing
