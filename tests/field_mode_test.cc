// End-to-end tests of field mode (issue P4 item 3): HQ's public keys (key export-hq), a field
// vault made with them (init --field --hq-keys), in which witness identities are sealed to HQ
// so that nothing the field passphrase unlocks, through the CLI or reading the database
// directly, yields a name.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "crypto/box.h"
#include "crypto/encoding.h"
#include "crypto/secret.h"
#include "tests/bundle_test_util.h"
#include "tests/cli_runner.h"
#include "tests/field_test_util.h"
#include "vault/db.h"
#include "vault/vault.h"

namespace amanat::testing {
namespace {

using nlohmann::json;

constexpr char kFieldName[] = "Omir Bekali";
constexpr char kFieldContact[] = "+31 6 5550 1976, Utrecht";

class FieldMode : public CliTest {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::InitCrypto()); }

  void SetUp() override {
    CliTest::SetUp();
    hq_ = Path("hq");
    field_ = Path("field");
    hq_pass_ = MakeFile("hq-pass", "passphrase of HQ (test)\n");
    InitVault(hq_, "amina", hq_pass_);
  }

  // Public so that tests can name them as member pointers.
 public:
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

 protected:
  std::string ExportHqKeys() {
    std::string path = Path("hq-keys.json");
    RunResult r = Hq({"key", "export-hq", "-o", path});
    EXPECT_EQ(r.exit_code, 0) << r;
    return path;
  }

  RunResult InitField(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"init",     "--vault", field_,          "--custodian",
                                     "bakyt",    "--kdf",   "insecure-fast", "--passphrase-file",
                                     pass_file()};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult r = RunAmanat(args);
    all_.push_back(r);
    return r;
  }

  std::string AddWitness(RunResult (FieldMode::*as)(std::vector<std::string>)) {
    json rec = {{"name", kFieldName},
                {"contact", kFieldContact},
                {"consent", {{"court", true}, {"publication", false}}}};
    std::string file = MakeFile("witness.json", rec.dump());
    RunResult r = (this->*as)({"witness", "add", "--from", file});
    EXPECT_EQ(r.exit_code, 0) << r;
    std::filesystem::remove(file);
    return r.out.substr(0, r.out.find('\n'));
  }

  // Every value in every table of the vault's database, read through the project's own db
  // layer with the key the field passphrase unlocks: what someone holding the passphrase can
  // read without going through amanat at all.
  std::string DumpDatabase(const std::string& dir, const std::string& who,
                           const std::string& pass) {
    return DumpVaultDatabase(dir, who, pass);
  }

  std::string hq_, field_, hq_pass_;
  std::vector<RunResult> all_;
};

TEST_F(FieldMode, ExportHqKeysIsSelfDescribingAndSigned) {
  std::string path = ExportHqKeys();
  json j = json::parse(ReadFileBytes(path));
  EXPECT_EQ(j.value("format", ""), "amanat-hq-keys/1");
  json show = ParseJson(Hq({"key", "show", "--json"}));
  EXPECT_EQ(j["vault_id"], show["vault_id"]);
  EXPECT_EQ(j["origin"], show["origin"]);
  EXPECT_EQ(j["log_key"], show["log_key"]);
  EXPECT_EQ(j["identity_key"], show["identity_key"]);
  EXPECT_EQ(j["signature"].get<std::string>().size(), 88u);
  EXPECT_EQ(j.size(), 6u);
  // Never over an existing file without --force; to stdout with '-'.
  EXPECT_EQ(Hq({"key", "export-hq", "-o", path}).exit_code, 2);
  RunResult out = Hq({"key", "export-hq", "-o", "-"});
  EXPECT_EQ(out.exit_code, 0) << out;
  EXPECT_EQ(json::parse(out.out)["identity_key"], j["identity_key"]);
  EXPECT_EQ(Hq({"key", "export-hq"}).exit_code, 2);  // -o is required
}

TEST_F(FieldMode, InitFieldTakesHqIdentityKeyAndGrantsNoUnseal) {
  std::string keys = ExportHqKeys();
  RunResult r = InitField({"--field", "--hq-keys", keys});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_NE(r.out.find("field vault"), std::string::npos) << r;
  json hq = json::parse(ReadFileBytes(keys));
  json show = ParseJson(Field({"key", "show", "--json"}));
  EXPECT_EQ(show["identity_key"], hq["identity_key"]);
  EXPECT_NE(show["vault_id"], hq["vault_id"]);
  json ks = json::parse(ReadFileBytes(field_ + "/keyslots.json"));
  for (const auto& s : ks["slots"]) EXPECT_FALSE(s.contains("identity_grant")) << s;
  // The init event records HQ's keys and no grant.
  json log = ParseJson(Field({"log", "--json"}));
  ASSERT_EQ(log[0]["action"], "init");
  json details = log[0]["details"];
  EXPECT_EQ(details["grants"], json::array());
  EXPECT_EQ(details["hq"]["identity_key"], hq["identity_key"]);
  EXPECT_EQ(details["hq"]["log_key"], hq["log_key"]);
  RunResult cust = Field({"custodian", "ls"});
  EXPECT_EQ(cust.out.find("unseal"), std::string::npos) << cust;
  EXPECT_EQ(Field({"verify"}).exit_code, 0);
  // A field vault's identity key is HQ's: it has none of its own to hand out.
  RunResult again = Field({"key", "export-hq", "-o", Path("again.json")});
  EXPECT_EQ(again.exit_code, 2) << again;
  EXPECT_NE(again.err.find("field vault"), std::string::npos) << again;
}

TEST_F(FieldMode, BadHqKeysAreRefusedBeforeAnythingIsMade) {
  std::string keys = ExportHqKeys();
  json good = json::parse(ReadFileBytes(keys));
  auto refused = [&](const std::vector<std::string>& args, int code, const std::string& says) {
    RunResult r = InitField(args);
    EXPECT_EQ(r.exit_code, code) << r;
    EXPECT_NE(r.err.find(says), std::string::npos) << r;
    EXPECT_NE(r.err.find("amanat: error:"), std::string::npos) << r;
    EXPECT_EQ(r.err.find("amanat: error:"), r.err.rfind("amanat: error:")) << r;  // one line
    EXPECT_FALSE(std::filesystem::exists(field_ + "/keyslots.json"));
  };
  refused({"--field"}, 2, "--field and --hq-keys go together");
  refused({"--hq-keys", keys}, 2, "--field and --hq-keys go together");
  refused({"--field", "--hq-keys", Path("missing.json")}, 4, "missing.json");
  // Another identity key under HQ's signature: a substituted key is caught.
  json swapped = good;
  swapped["identity_key"] = crypto::Base64Encode(crypto::RandomArray<32>());
  refused({"--field", "--hq-keys", MakeFile("swapped.json", swapped.dump())}, 1,
          "signature does not verify");
  json renamed = good;
  renamed["origin"] = "amanat/somewhere-else";
  refused({"--field", "--hq-keys", MakeFile("renamed.json", renamed.dump())}, 2,
          "log_key does not name the origin");
  json extra = good;
  extra["secret"] = "x";
  refused({"--field", "--hq-keys", MakeFile("extra.json", extra.dump())}, 2,
          "has a field it should not have");
  json wrong_format = good;
  wrong_format["format"] = "amanat-hq-keys/9";
  refused({"--field", "--hq-keys", MakeFile("format.json", wrong_format.dump())}, 2,
          "unknown format");
  json zero = good;
  zero["identity_key"] = crypto::Base64Encode(std::array<uint8_t, 32>{});
  refused({"--field", "--hq-keys", MakeFile("zero.json", zero.dump())}, 1,
          "signature does not verify");
  refused({"--field", "--hq-keys", MakeFile("junk.json", "not json")}, 2, "not a JSON object");
}

TEST_F(FieldMode, FieldPassphraseYieldsNoWitnessName) {
  ASSERT_EQ(InitField({"--field", "--hq-keys", ExportHqKeys()}).exit_code, 0);
  std::string w = AddWitness(&FieldMode::Field);
  ASSERT_EQ(w.size(), 8u) << w;
  std::string t = MakeFile("t.txt", "testimony of " + w + "\n");
  RunResult added = Field({"add", t, "--kind", "testimony", "--witness", w});
  ASSERT_EQ(added.exit_code, 0) << added;
  const std::string id = added.out.substr(0, 12);
  EXPECT_EQ(Field({"show", id}).exit_code, 0);
  EXPECT_EQ(Field({"show", id, "--json"}).exit_code, 0);
  EXPECT_EQ(Field({"get", id, "-o", "-", "--purpose", "read back"}).exit_code, 0);
  EXPECT_EQ(Field({"provenance", id}).exit_code, 0);
  EXPECT_EQ(Field({"key", "show", "--json"}).exit_code, 0);
  EXPECT_EQ(Field({"custodian", "ls"}).exit_code, 0);
  EXPECT_EQ(Field({"log"}).exit_code, 0);
  EXPECT_EQ(Field({"verify", "--full"}).exit_code, 0);
  RunResult exported = Field({"export", id, "-o", Path("b.zip"), "--include-identities"});
  EXPECT_EQ(exported.exit_code, 0) << exported;
  EXPECT_EQ(ReadFileBytes(Path("b.zip")).find("Bekali"), std::string::npos);
  EXPECT_EQ(Field({"witness", "ls"}).exit_code, 0);
  EXPECT_EQ(Field({"witness", "ls", "--json"}).exit_code, 0);
  RunResult show = Field({"witness", "show", w, "--purpose", "at the checkpoint"});
  EXPECT_EQ(show.exit_code, 3) << show;
  EXPECT_NE(show.err.find("field vault: witness identities are sealed to HQ"), std::string::npos)
      << show;
  EXPECT_EQ(Field({"witness", "show", w, "--purpose", "x", "--json"}).exit_code, 3);
  EXPECT_EQ(Field({"custodian", "grant", "bakyt", "unseal"}).exit_code, 3);
  EXPECT_EQ(Field({"ls", "--json"}).exit_code, 0);
  EXPECT_EQ(Field({"log", "--json"}).exit_code, 0);
  EXPECT_EQ(Field({"verify"}).exit_code, 0);
  for (const auto& r : all_) {
    EXPECT_EQ(r.out.find("Bekali"), std::string::npos) << r;
    EXPECT_EQ(r.err.find("Bekali"), std::string::npos) << r;
    EXPECT_EQ(r.out.find("Utrecht"), std::string::npos) << r;
  }
  // Reading the database directly with the key the passphrase unlocks: no name anywhere, and
  // the check itself finds the pseudonym, so it does read the tables.
  std::string dump = DumpDatabase(field_, "bakyt", pass_file());
  EXPECT_NE(dump.find(w), std::string::npos);
  EXPECT_EQ(dump.find("Bekali"), std::string::npos);
  EXPECT_EQ(dump.find("Utrecht"), std::string::npos);
}

TEST_F(FieldMode, ReplacedIdentityKeyIsRefusedBeforeSealing) {
  // Someone holding the field passphrase swaps HQ's identity key for their own, in vault.db and
  // in keyslots.json, so that later records would be sealed to them: the signed init event
  // catches it and nothing is sealed.
  ASSERT_EQ(InitField({"--field", "--hq-keys", ExportHqKeys()}).exit_code, 0);
  const std::string theirs = crypto::Base64Encode(crypto::BoxKeyPair::Generate().public_key());
  {
    std::string passphrase = ReadFileBytes(pass_file());
    passphrase.pop_back();
    auto v = vault::Vault::Open(field_, "bakyt", [&](const vault::KeySlot&) {
      return Result<crypto::SecretBytes>(crypto::SecretBytes::Copy(AsBytes(passphrase)));
    });
    ASSERT_TRUE(v.ok()) << v.status().message();
    ASSERT_TRUE((*v)->db()
                    .Exec("UPDATE meta SET value = '" + theirs + "' WHERE key = 'identity_key'")
                    .ok());
  }
  json ks = json::parse(ReadFileBytes(field_ + "/keyslots.json"));
  ks["identity_key"] = theirs;
  WriteFileBytes(field_ + "/keyslots.json", ks.dump(2));
  json rec = {{"name", kFieldName}};
  RunResult r = Field({"witness", "add", "--from", MakeFile("w.json", rec.dump())});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_NE(r.err.find("not the one the signed init event recorded"), std::string::npos) << r;
  EXPECT_EQ(Field({"witness", "ls", "--json"}).out.find("W-"), std::string::npos);
  // verify names both copies.
  RunResult v = Field({"verify"});
  EXPECT_EQ(v.exit_code, 1) << v;
  EXPECT_TRUE(Contains(v.out, "vault.db: meta.identity_key is not what the signed init event "
                              "recorded")) << v;
  EXPECT_TRUE(Contains(v.out, "keyslots.json: identity_key is not what the signed init event "
                              "recorded")) << v;
}

TEST_F(FieldMode, DatabaseDumpFindsNamesInAnOrdinaryVault) {
  // The control for the test above: in HQ's own vault the admin holds the grant and the name
  // is still sealed in the database, but a name typed into a note is found by the dump.
  std::string w = AddWitness(&FieldMode::Hq);
  std::string t = MakeFile("t.txt", "testimony\n");
  ASSERT_EQ(Hq({"add", t, "--note", "spoke with Omir Bekali"}).exit_code, 0);
  std::string dump = DumpDatabase(hq_, "amina", hq_pass_);
  EXPECT_NE(dump.find("Bekali"), std::string::npos);
  RunResult show = Hq({"witness", "show", w, "--purpose", "control"});
  EXPECT_EQ(show.exit_code, 0) << show;
  EXPECT_NE(show.out.find(kFieldName), std::string::npos) << show;
}

// Field vault with one witness and one testimony naming them (the testimony text names no one).
class FieldBundle : public FieldMode {
 protected:
  void SetUp() override {
    FieldMode::SetUp();
    ASSERT_EQ(InitField({"--field", "--hq-keys", ExportHqKeys()}).exit_code, 0);
    w_ = AddWitness(&FieldMode::Field);
    std::string t = MakeFile("t.txt", "testimony given under pseudonym at the checkpoint\n");
    RunResult r = Field({"add", t, "--kind", "testimony", "--witness", w_});
    ASSERT_EQ(r.exit_code, 0) << r;
    id_ = r.out.substr(0, 64);
  }

  // Every byte of every member of the bundle, and the member paths.
  static std::string AllBytes(const std::vector<Member>& members) {
    std::string all;
    for (const auto& m : members) all += m.path + "\n" + m.data + "\n";
    return all;
  }

  json LastEventDetails(RunResult (FieldMode::*as)(std::vector<std::string>),
                        const std::string& action) {
    json log = ParseJson((this->*as)({"log", "--json"}));
    json details;
    for (const auto& e : log) {
      if (e["action"] == action) details = e["details"];
    }
    return details;
  }

  std::string w_, id_;
};

TEST_F(FieldBundle, WithoutIncludeIdentitiesNoIdentityRecordLeaves) {
  std::string bundle = Path("plain.zip");
  RunResult r = Field({"export", id_, "-o", bundle, "--purpose", "to HQ"});
  ASSERT_EQ(r.exit_code, 0) << r;
  auto members = ReadMembers(bundle);
  for (const auto& m : members) EXPECT_NE(m.path.rfind("identities/", 0), 0u) << m.path;
  json manifest = json::parse(MemberData(bundle, "manifest.json"));
  EXPECT_FALSE(manifest.contains("identities"));
  // Not the sealed record either: none of the witness-add event's sealed bytes travel.
  EXPECT_EQ(AllBytes(members).find("Bekali"), std::string::npos);
  EXPECT_FALSE(LastEventDetails(&FieldMode::Field, "export").contains("identities"));
}

TEST_F(FieldBundle, HqImportsSealedIdentitiesAndReadsThem) {
  std::string bundle = Path("field.zip");
  RunResult r = Field({"export", id_, "-o", bundle, "--purpose", "to HQ", "--include-identities"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_NE(r.out.find("with 1 sealed witness identity record"), std::string::npos) << r;
  auto members = ReadMembers(bundle);
  std::string sealed = MemberData(bundle, "identities/" + w_ + ".sealed");
  EXPECT_GT(sealed.size(), 48u);
  EXPECT_EQ(AllBytes(members).find("Bekali"), std::string::npos);
  EXPECT_EQ(AllBytes(members).find("Utrecht"), std::string::npos);
  json manifest = json::parse(MemberData(bundle, "manifest.json"));
  ASSERT_EQ(manifest["identities"].size(), 1u);
  EXPECT_EQ(manifest["identities"][0]["pseudonym"], w_);
  json hq_keys = json::parse(ReadFileBytes(Path("hq-keys.json")));
  EXPECT_EQ(manifest["identities"][0]["sealed_to"], hq_keys["identity_key"]);
  // The export is on record with the identities it carried.
  json details = LastEventDetails(&FieldMode::Field, "export");
  EXPECT_EQ(details["identities"], json::array({w_}));
  EXPECT_EQ(details["identities_sealed_to"], hq_keys["identity_key"]);
  // Standard and independent checks still pass.
  RunResult vb = Run({"verify-bundle", bundle});
  EXPECT_EQ(vb.exit_code, 0) << vb;
  std::string dir = Path("unzipped");
  std::filesystem::create_directory(dir);
  RunOptions in_dir;
  in_dir.cwd = dir;
  ASSERT_EQ(RunProgram("/usr/bin/unzip", {"-q", bundle}, in_dir).exit_code, 0);
  RunResult py = RunProgram("/usr/bin/python3", {TestDataDir() + "/schema/validate_bundle.py",
                                                 TestDataDir() + "/../schemas", dir});
  EXPECT_EQ(py.exit_code, 0) << py;
  // The field custodian still cannot read what they exported.
  EXPECT_EQ(Field({"witness", "show", w_, "--purpose", "x"}).exit_code, 3);

  // HQ imports the bundle and, holding the grant, reads the identity byte-exact.
  RunResult imp = Hq({"import", bundle, "--purpose", "from the field"});
  ASSERT_EQ(imp.exit_code, 0) << imp;
  EXPECT_NE(imp.out.find(w_ + "  sealed identity record received"), std::string::npos) << imp;
  // HQ lists the received pseudonym, with the consent flags its signed witness-add records.
  RunResult ls = Hq({"witness", "ls", "--json"});
  ASSERT_EQ(ls.exit_code, 0) << ls;
  json listed = ParseJson(ls);
  ASSERT_EQ(listed.size(), 1u) << ls;
  EXPECT_EQ(listed[0]["pseudonym"], w_);
  EXPECT_EQ(listed[0]["received_from"], manifest["source"]["origin"]);
  EXPECT_EQ(listed[0]["consent"], json({{"court", true}, {"publication", false}}));
  EXPECT_EQ(listed[0]["items"], 1);
  RunResult ls_text = Hq({"witness", "ls"});
  EXPECT_NE(ls_text.out.find(w_ + "  added "), std::string::npos) << ls_text;
  EXPECT_EQ(ls_text.out.find("Bekali"), std::string::npos) << ls_text;
  RunResult show = Hq({"witness", "show", w_, "--purpose", "consent check", "--json"});
  ASSERT_EQ(show.exit_code, 0) << show;
  json rec = ParseJson(show);
  EXPECT_EQ(rec["name"], kFieldName);
  EXPECT_EQ(rec["contact"], kFieldContact);
  EXPECT_EQ(rec["pseudonym"], w_);
  json unseal = LastEventDetails(&FieldMode::Hq, "unseal");
  EXPECT_EQ(unseal["pseudonym"], w_);
  EXPECT_EQ(unseal["received_from"], manifest["source"]["origin"]);
  EXPECT_EQ(LastEventDetails(&FieldMode::Hq, "import")["identities"], json::array({w_}));
  // The imported item is byte-exact too, and HQ's vault verifies.
  RunResult get = Hq({"get", id_.substr(0, 12), "-o", "-", "--purpose", "review"});
  EXPECT_EQ(get.exit_code, 0) << get;
  EXPECT_EQ(get.out, "testimony given under pseudonym at the checkpoint\n");
  EXPECT_EQ(Hq({"verify"}).exit_code, 0);
  // HQ's custody events, with the new details, are valid against the schema.
  std::string log_path = MakeFile("hq-log.json", Hq({"log", "--json"}).out);
  RunResult val = RunProgram("/usr/bin/python3",
                             {TestDataDir() + "/schema/validate_events.py",
                              TestDataDir() + "/../schemas/custody-event.schema.json", log_path});
  EXPECT_EQ(val.exit_code, 0) << val;
  std::string field_log = MakeFile("field-log.json", Field({"log", "--json"}).out);
  val = RunProgram("/usr/bin/python3",
                   {TestDataDir() + "/schema/validate_events.py",
                    TestDataDir() + "/../schemas/custody-event.schema.json", field_log});
  EXPECT_EQ(val.exit_code, 0) << val;
}

// Someone holding HQ's vault key adds a received identity record no import brought, or
// changes the sealed bytes of one that was: verify names each.
TEST_F(FieldBundle, TamperedReceivedIdentityRecordsAreCaughtByVerify) {
  std::string bundle = Path("field.zip");
  ASSERT_EQ(Field({"export", id_, "-o", bundle, "--include-identities"}).exit_code, 0);
  ASSERT_EQ(Hq({"import", bundle, "--purpose", "from the field"}).exit_code, 0);
  ASSERT_EQ(Hq({"verify"}).exit_code, 0);
  std::string origin;
  {
    auto v = OpenVaultAs(hq_, "amina", hq_pass_);
    ASSERT_NE(v, nullptr);
    auto st = v->db().Prepare("SELECT origin FROM received_identities");
    ASSERT_TRUE(st.ok());
    ASSERT_TRUE(st->Step().value());
    origin = st->ColumnText(0);
    ASSERT_TRUE(v->db()
                    .Exec("INSERT INTO received_identities(origin, pseudonym, vault_id, sealed, "
                          "manifest_sha256) SELECT origin, 'W-ABCDEF', vault_id, sealed, "
                          "manifest_sha256 FROM received_identities")
                    .ok());
  }
  RunResult added = Hq({"verify"});
  EXPECT_EQ(added.exit_code, 1) << added;
  EXPECT_TRUE(Contains(added.out, "received witness record W-ABCDEF from " + origin +
                                      ": no import event lists it")) << added;
  EXPECT_FALSE(Contains(added.out, "received witness record " + w_)) << added;
  {
    auto v = OpenVaultAs(hq_, "amina", hq_pass_);
    ASSERT_NE(v, nullptr);
    ASSERT_TRUE(v->db().Exec("DROP TRIGGER received_identities_no_update").ok());
    ASSERT_TRUE(v->db()
                    .Exec("UPDATE received_identities SET sealed = sealed || x'00' "
                          "WHERE pseudonym = '" + w_ + "'")
                    .ok());
  }
  RunResult changed = Hq({"verify"});
  EXPECT_EQ(changed.exit_code, 1) << changed;
  EXPECT_TRUE(Contains(changed.out, "received witness record " + w_ + " from " + origin +
                                        ": witness " + w_ + ": the witness-add entry"))
      << changed;
}

TEST_F(FieldBundle, ChangedOrAddedIdentityRecordFailsVerification) {
  std::string bundle = Path("field.zip");
  ASSERT_EQ(Field({"export", id_, "-o", bundle, "--include-identities"}).exit_code, 0);
  const std::string path = "identities/" + w_ + ".sealed";
  {
    auto members = ReadMembers(bundle);
    Member* m = FindMember(members, path);
    ASSERT_NE(m, nullptr);
    m->data[10] ^= 1;
    std::string bad = Path("changed.zip");
    WriteMembers(bad, members);
    RunResult r = Run({"verify-bundle", bad});
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_NE(r.err.find(path), std::string::npos) << r;
    RunResult imp = Hq({"import", bad});
    EXPECT_EQ(imp.exit_code, 1) << imp;
    EXPECT_EQ(Hq({"witness", "show", w_, "--purpose", "x"}).exit_code, 4);
  }
  {
    auto members = ReadMembers(bundle);
    members.push_back({"identities/W-ZZZZZZ.sealed", std::string(100, 'x')});
    std::string bad = Path("added.zip");
    WriteMembers(bad, members);
    RunResult r = Run({"verify-bundle", bad});
    EXPECT_EQ(r.exit_code, 1) << r;
    EXPECT_NE(r.err.find("identities/W-ZZZZZZ.sealed"), std::string::npos) << r;
  }
}

TEST_F(FieldBundle, HqCustodianWithoutGrantCannotReadReceivedIdentity) {
  std::string bundle = Path("field.zip");
  ASSERT_EQ(Field({"export", id_, "-o", bundle, "--include-identities"}).exit_code, 0);
  ASSERT_EQ(Hq({"import", bundle}).exit_code, 0);
  std::string rita = MakeFile("pass-rita", "passphrase of rita (test)\n");
  ASSERT_EQ(Hq({"custodian", "add", "rita", "--role", "reviewer", "--new-passphrase-file", rita,
                "--kdf", "insecure-fast"})
                .exit_code,
            0);
  RunResult r = In(hq_, "rita", rita, {"witness", "show", w_, "--purpose", "curious"});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_EQ(r.out.find("Bekali"), std::string::npos);
}

}  // namespace
}  // namespace amanat::testing
