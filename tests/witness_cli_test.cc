// End-to-end tests of witness identities (issue P4, items 1 and 2): the identity key and the
// unseal grant, sealed witness records, and that no name or contact ever leaves the sealed
// record except through a logged `witness show` by a custodian holding the grant.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/secret.h"
#include "tests/cli_runner.h"
#include "vault/vault.h"

namespace amanat::testing {
namespace {

using nlohmann::json;

constexpr char kName[] = "Omir Bekali";
constexpr char kContact[] = "+31 6 5550 1976, Utrecht";
constexpr char kNotes[] = "first met at the Atajurt office";

class WitnessCli : public CliTest {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::InitCrypto()); }

  void SetUp() override {
    CliTest::SetUp();
    InitVault();
    bob_ = AddCustodian("bob", "collector");
    rita_ = AddCustodian("rita", "reviewer");
  }

  // Runs amanat as `who` with `pass`, keeping the result for the leak checks.
  RunResult As(const std::string& who, const std::string& pass, std::vector<std::string> args,
               const RunOptions& options = {}) {
    std::vector<std::string> all = {"--vault", vault(),       "--passphrase-file",
                                    pass,      "--custodian", who};
    all.insert(all.end(), args.begin(), args.end());
    RunResult r = RunAmanat(all, options);
    all_.push_back(r);
    return r;
  }
  RunResult Alice(std::vector<std::string> args) {
    return As("alice", pass_file(), std::move(args));
  }
  RunResult Bob(std::vector<std::string> args) { return As("bob", bob_, std::move(args)); }
  RunResult Rita(std::vector<std::string> args) { return As("rita", rita_, std::move(args)); }

  std::string AddCustodian(const std::string& name, const std::string& role) {
    std::string pass = MakeFile("pass-" + name, "passphrase of " + name + " (test)\n");
    RunResult r = RunAmanat({"--vault", vault(), "--passphrase-file", pass_file(), "--custodian",
                             "alice", "custodian", "add", name, "--role", role,
                             "--new-passphrase-file", pass, "--kdf", "insecure-fast"});
    EXPECT_EQ(r.exit_code, 0) << r;
    return pass;
  }

  std::string RecordFile(const json& j, const std::string& name = "witness.json") {
    return MakeFile(name, j.dump());
  }
  json FullRecord() const {
    return {{"name", kName},
            {"contact", kContact},
            {"consent", {{"court", true}, {"publication", false}, {"contact", true}}},
            {"notes", kNotes}};
  }

  // Adds a witness as `who`; returns the pseudonym printed.
  std::string AddWitness(const std::string& who, const std::string& pass, const json& record) {
    RunResult r = As(who, pass, {"witness", "add", "--from", RecordFile(record)});
    EXPECT_EQ(r.exit_code, 0) << r;
    std::string p = r.out.substr(0, r.out.find('\n'));
    EXPECT_TRUE(std::regex_match(p, std::regex("^W-[0-9A-HJKMNP-TV-Z]{6}$"))) << p;
    return p;
  }

  json Log() {
    RunResult r = Alice({"log", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r;
    return ParseJson(r);
  }

  json Keyslots() { return json::parse(ReadFileBytes(vault() + "/keyslots.json")); }
  json SlotOf(const std::string& name) {
    const json ks = Keyslots();
    for (const auto& s : ks["slots"]) {
      if (s["custodian"] == name) return s;
    }
    ADD_FAILURE() << "no slot for " << name;
    return json();
  }

  // The identity text must appear nowhere but in `allowed` (the results of witness show).
  void ExpectNoIdentityLeaks(const std::set<const RunResult*>& allowed = {}) {
    std::vector<std::string> identity = {kName, "Bekali", kContact, "5550", kNotes, "Atajurt"};
    for (const auto& r : all_) {
      bool ok_out = false;
      for (const RunResult* a : allowed) ok_out |= a->command == r.command && a->out == r.out;
      for (const auto& s : identity) {
        if (!ok_out) {
          EXPECT_EQ(r.out.find(s), std::string::npos) << "'" << s << "' on stdout" << r;
        }
        EXPECT_EQ(r.err.find(s), std::string::npos) << "'" << s << "' on stderr" << r;
      }
    }
    // Nor in any file of the vault (vault.db is encrypted; keyslots.json and checkpoints are
    // text), nor in any decoded event.
    for (const auto& f : FilesUnder(vault())) {
      std::string bytes = ReadFileBytes(f);
      for (const auto& s : identity)
        EXPECT_EQ(bytes.find(s), std::string::npos) << s << " in " << f;
    }
    std::string log = Alice({"log", "--json"}).out;
    for (const auto& e : json::parse(log)) {
      json env = json::parse(e["entry"].get<std::string>());
      auto payload = crypto::Base64Decode(env["payload"].get<std::string>());
      ASSERT_TRUE(payload.ok());
      for (const auto& s : identity) {
        EXPECT_EQ(std::string(AsChars(*payload)).find(s), std::string::npos) << s << " in event";
      }
    }
  }

  RunResult Validate(const json& log) {
    std::string path = MakeFile("log.json", log.dump(2));
    return RunProgram(kPython, {TestDataDir() + "/schema/validate_events.py",
                                TestDataDir() + "/../schemas/custody-event.schema.json", path});
  }

  std::unique_ptr<vault::Vault> OpenLibrary() {
    auto v = vault::Vault::Open(vault(), "alice", [](const vault::KeySlot&) {
      return Result<crypto::SecretBytes>(crypto::SecretBytes::Copy(AsBytes(kPassphrase)));
    });
    EXPECT_TRUE(v.ok()) << v.status().message();
    return v.ok() ? std::move(*v) : nullptr;
  }

  std::string bob_, rita_;
  std::vector<RunResult> all_;
};

TEST_F(WitnessCli, InitMakesAnIdentityKeyHeldOnlyByTheFirstCustodian) {
  json ks = Keyslots();
  EXPECT_EQ(ks["format"], "amanat-keyslots/3");
  ASSERT_TRUE(ks.contains("identity_key"));
  for (const auto& s : ks["slots"]) {
    EXPECT_TRUE(s.contains("box_public_key")) << s["custodian"];
    EXPECT_TRUE(s.contains("box_key")) << s["custodian"];
    EXPECT_EQ(s.contains("identity_grant"), s["custodian"] == "alice") << s["custodian"];
  }
  json log = Log();
  ASSERT_GE(log.size(), 3u);
  EXPECT_EQ(log[0]["details"]["identity_key"], ks["identity_key"]);
  EXPECT_EQ(log[0]["details"]["grants"], json::array({"unseal"}));
  EXPECT_EQ(log[0]["details"]["box_public_key"], SlotOf("alice")["box_public_key"]);
  EXPECT_EQ(log[1]["details"]["box_public_key"], SlotOf("bob")["box_public_key"]);
  RunResult ls = Alice({"custodian", "ls", "--json"});
  json cl = ParseJson(ls);
  EXPECT_EQ(cl[0]["grants"], "unseal");
  EXPECT_EQ(cl[1]["grants"], "");
}

TEST_F(WitnessCli, AddListShowAndTheGrant) {
  const std::string w1 = AddWitness("bob", bob_, FullRecord());
  const std::string w2 = AddWitness("alice", pass_file(), {{"name", "Second Witness"}});
  EXPECT_NE(w1, w2);

  // ls: pseudonyms and consent, for any custodian; no identity.
  RunResult ls = Rita({"witness", "ls"});
  ASSERT_EQ(ls.exit_code, 0) << ls;
  std::vector<std::string> lines = Lines(ls.out);
  ASSERT_EQ(lines.size(), 2u) << ls;
  EXPECT_EQ(lines[0].rfind(w1 + "  added ", 0), 0u) << ls;
  EXPECT_NE(lines[0].find("by bob  consent: court yes, publication no, contact yes  items: 0"),
            std::string::npos)
      << ls;
  EXPECT_NE(lines[1].find("consent: court ?, publication ?, contact ?"), std::string::npos) << ls;
  RunResult ls_json = Bob({"witness", "ls", "--json"});
  json lj = ParseJson(ls_json);
  ASSERT_EQ(lj.size(), 2u);
  EXPECT_EQ(lj[0]["pseudonym"], w1);
  EXPECT_EQ(lj[0]["consent"], json({{"court", true}, {"publication", false}, {"contact", true}}));
  EXPECT_EQ(lj[0]["added_by"], "bob");
  EXPECT_EQ(lj[1]["consent"], json::object());

  // Without the grant: refused with exit 3, whatever the role, even with the passphrase.
  EXPECT_AMANAT_ERROR(Bob({"witness", "show", w1, "--purpose", "check"}), 3,
                      "custodian bob does not hold the unseal grant");
  EXPECT_AMANAT_ERROR(Rita({"witness", "show", w1, "--purpose", "check"}), 3,
                      "custodian rita does not hold the unseal grant");
  // A purpose is required.
  EXPECT_EQ(Alice({"witness", "show", w1}).exit_code, 2);
  const size_t events_before = Log().size();

  // Alice holds it from init.
  RunResult show = Alice({"witness", "show", w1, "--purpose", "consent review", "--json"});
  ASSERT_EQ(show.exit_code, 0) << show;
  json sj = ParseJson(show);
  EXPECT_EQ(sj["name"], kName);
  EXPECT_EQ(sj["contact"], kContact);
  EXPECT_EQ(sj["notes"], kNotes);
  EXPECT_EQ(sj["pseudonym"], w1);
  EXPECT_EQ(sj["consent"]["publication"], false);
  RunResult show_text = Alice({"witness", "show", w1, "--purpose", "court filing"});
  ASSERT_EQ(show_text.exit_code, 0) << show_text;
  EXPECT_NE(show_text.out.find(std::string("name       ") + kName), std::string::npos) << show_text;
  EXPECT_NE(show_text.out.find("consent    court yes, publication no, contact yes"),
            std::string::npos);

  // Each unseal is one signed event with its purpose, naming only the pseudonym.
  json log = Log();
  ASSERT_EQ(log.size(), events_before + 2);
  EXPECT_EQ(log[events_before]["action"], "unseal");
  EXPECT_EQ(log[events_before]["purpose"], "consent review");
  EXPECT_EQ(log[events_before]["details"], json({{"pseudonym", w1}}));
  EXPECT_EQ(log[events_before + 1]["purpose"], "court filing");

  // Grant to bob: he can unseal; revoke it: he cannot, and his slot no longer holds the key.
  RunResult grant = Alice({"custodian", "grant", "bob", "unseal"});
  ASSERT_EQ(grant.exit_code, 0) << grant;
  EXPECT_EQ(grant.out, "granted unseal to bob\n");
  EXPECT_TRUE(SlotOf("bob").contains("identity_grant"));
  RunResult bob_show = Bob({"witness", "show", w1, "--purpose", "follow-up"});
  ASSERT_EQ(bob_show.exit_code, 0) << bob_show;
  RunResult revoke = Alice({"custodian", "revoke-grant", "bob", "unseal"});
  ASSERT_EQ(revoke.exit_code, 0) << revoke;
  EXPECT_FALSE(SlotOf("bob").contains("identity_grant"));
  EXPECT_AMANAT_ERROR(Bob({"witness", "show", w1, "--purpose", "again"}), 3, "does not hold");

  // Unknown and malformed pseudonyms.
  EXPECT_AMANAT_ERROR(Alice({"witness", "show", "W-000000", "--purpose", "x"}), 4,
                      "no witness W-000000");
  EXPECT_AMANAT_ERROR(Alice({"witness", "show", "Omir", "--purpose", "x"}), 2,
                      "not a witness pseudonym");

  // The log: grant and revoke-grant by alice, about bob; everything valid against the schema.
  log = Log();
  std::vector<std::string> actions;
  for (const auto& e : log) actions.push_back(e["action"]);
  EXPECT_EQ(actions,
            (std::vector<std::string>{"init", "custodian-add", "custodian-add", "witness-add",
                                      "witness-add", "unseal", "unseal", "custodian-grant",
                                      "unseal", "custodian-revoke-grant"}));
  EXPECT_EQ(log[3]["details"]["pseudonym"], w1);
  EXPECT_EQ(log[3]["custodian"], "bob");
  EXPECT_EQ(log[7]["details"]["custodian"], "bob");
  EXPECT_EQ(log[7]["details"]["grant"], "unseal");
  RunResult valid = Validate(log);
  EXPECT_EQ(valid.exit_code, 0) << valid;
  RunResult verify = Alice({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify;

  ExpectNoIdentityLeaks({&show, &show_text, &bob_show});
}

TEST_F(WitnessCli, RecordsFromStandardInputAndBadInputNeverEchoed) {
  RunOptions in;
  in.stdin_data = json({{"name", kName}, {"consent", {{"court", true}}}}).dump();
  RunResult r = As("bob", bob_, {"witness", "add", "--from", "-", "--json"}, in);
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_TRUE(ParseJson(r)["pseudonym"].is_string());

  struct Case {
    std::string what, text, needle;
  };
  const std::vector<Case> cases = {
      {"not JSON", std::string("{\"name\": \"") + kName + "\",", "not valid JSON"},
      {"not an object", std::string("[\"") + kName + "\"]", "not a JSON object"},
      {"no name", json({{"contact", kContact}}).dump(), "name is required"},
      {"empty name", json({{"name", "  "}}).dump(), "name is empty"},
      {"name not a string", json({{"name", 5}}).dump(), "name must be a string"},
      {"a name as a key", json({{"name", "x"}, {kName, kContact}}).dump(), "a field other than"},
      {"consent not bool", json({{"name", kName}, {"consent", {{"court", "yes"}}}}).dump(),
       "consent.court must be true or false"},
      {"unknown consent", json({{"name", kName}, {"consent", {{kName, true}}}}).dump(),
       "unknown flag"},
      {"control character", json({{"name", std::string(kName) + "\x01"}}).dump(),
       "without control characters"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    std::string file = MakeFile("bad.json", c.text);
    RunResult bad = Bob({"witness", "add", "--from", file});
    EXPECT_AMANAT_ERROR(bad, 2, c.needle);
  }
  EXPECT_AMANAT_ERROR(Bob({"witness", "add", "--from", Path("missing.json")}), 4, "missing.json");
  // No file and no terminal to ask on.
  EXPECT_AMANAT_ERROR(Bob({"witness", "add"}), 2, "no terminal");
  // Reviewers do not add witnesses.
  EXPECT_AMANAT_ERROR(Rita({"witness", "add", "--from", RecordFile(FullRecord())}), 3,
                      "adding a witness is not allowed for rita");
  EXPECT_EQ(ParseJson(Bob({"witness", "ls", "--json"})).size(), 1u)
      << "a refused add left a record";
  ExpectNoIdentityLeaks();
}

TEST_F(WitnessCli, GrantRulesAndTheLastHolder) {
  const std::string w = AddWitness("alice", pass_file(), FullRecord());
  // Only admins grant; an admin must hold the key to pass it on.
  EXPECT_AMANAT_ERROR(Bob({"custodian", "grant", "rita", "unseal"}), 3,
                      "granting unseal is not allowed for bob");
  const std::string carol = AddCustodian("carol", "admin");
  EXPECT_AMANAT_ERROR(As("carol", carol, {"custodian", "grant", "rita", "unseal"}), 3,
                      "granting unseal needs the identity key");
  // Unknown grants and custodians, twice granted.
  EXPECT_EQ(Alice({"custodian", "grant", "rita", "read-all"}).exit_code, 2);
  EXPECT_AMANAT_ERROR(Alice({"custodian", "grant", "nobody", "unseal"}), 4, "nobody");
  ASSERT_EQ(Alice({"custodian", "grant", "carol", "unseal"}).exit_code, 0);
  EXPECT_AMANAT_ERROR(Alice({"custodian", "grant", "carol", "unseal"}), 2, "already holds");
  // carol can now pass it on, and unseal.
  ASSERT_EQ(As("carol", carol, {"custodian", "grant", "rita", "unseal"}).exit_code, 0);
  RunResult rita_show = Rita({"witness", "show", w, "--purpose", "review"});
  ASSERT_EQ(rita_show.exit_code, 0) << rita_show;
  // The last holder keeps it: neither revoke-grant nor custodian revoke may take it.
  ASSERT_EQ(Alice({"custodian", "revoke-grant", "rita", "unseal"}).exit_code, 0);
  ASSERT_EQ(Alice({"custodian", "revoke-grant", "alice", "unseal"}).exit_code, 0);
  EXPECT_AMANAT_ERROR(Alice({"custodian", "revoke-grant", "carol", "unseal"}), 2,
                      "last one holding the unseal grant");
  EXPECT_AMANAT_ERROR(Alice({"custodian", "revoke", "carol"}), 2,
                      "last one holding the unseal grant");
  EXPECT_AMANAT_ERROR(Alice({"custodian", "revoke-grant", "bob", "unseal"}), 2, "does not hold");
  // alice gave hers away: she cannot unseal, nor grant, though she is an admin.
  EXPECT_AMANAT_ERROR(Alice({"witness", "show", w, "--purpose", "x"}), 3, "does not hold");
  EXPECT_AMANAT_ERROR(Alice({"custodian", "grant", "bob", "unseal"}), 3, "needs the identity key");
  // Passphrase change and key rotation keep carol's grant.
  const std::string carol2 = MakeFile("pass-carol2", "carol's second passphrase\n");
  ASSERT_EQ(As("carol", carol, {"passwd", "--new-passphrase-file", carol2}).exit_code, 0);
  ASSERT_EQ(As("carol", carol2, {"custodian", "rotate"}).exit_code, 0);
  RunResult show =
      As("carol", carol2, {"witness", "show", w, "--purpose", "after rotation", "--json"});
  ASSERT_EQ(show.exit_code, 0) << show;
  EXPECT_EQ(ParseJson(show)["name"], kName);
  RunResult verify = Alice({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify;
  RunResult valid = Validate(Log());
  EXPECT_EQ(valid.exit_code, 0) << valid;
  ExpectNoIdentityLeaks({&show, &rita_show});
}

TEST_F(WitnessCli, ItemsNameOnlyKnownPseudonymsOnceRecordsExist) {
  const std::string file = MakeFile("t.txt", "a testimony\n");
  // No records yet: any well-formed pseudonym is taken (kept elsewhere).
  ASSERT_EQ(Alice({"add", file, "--witness", "W-7K3F9Q"}).exit_code, 0);
  const std::string w = AddWitness("bob", bob_, FullRecord());
  EXPECT_AMANAT_ERROR(Bob({"add", MakeFile("u.txt", "another\n"), "--witness", "W-7K3F9R"}), 4,
                      "no witness W-7K3F9R");
  RunResult ok = Bob({"add", MakeFile("v.txt", "third\n"), "--witness", w});
  ASSERT_EQ(ok.exit_code, 0) << ok;
  EXPECT_AMANAT_ERROR(Alice({"annotate", ok.out.substr(0, 16), "--witness", "W-ZZZZZZ"}), 4,
                      "no witness W-ZZZZZZ");
  json lj = ParseJson(Alice({"witness", "ls", "--json"}));
  EXPECT_EQ(lj[0]["items"], 1);
}

// An insider with the vault key edits the tables; verify (which replays the log) and the
// sealed grant itself both stand in the way.
TEST_F(WitnessCli, TamperedTablesAndSlotsAreCaught) {
  const std::string w = AddWitness("bob", bob_, FullRecord());
  {
    auto v = OpenLibrary();
    ASSERT_NE(v, nullptr);
    ASSERT_TRUE(v->db().Exec("UPDATE custodians SET grants = 'unseal' WHERE name = 'bob'").ok());
  }
  // The table says bob may; his slot holds no key: still refused.
  EXPECT_AMANAT_ERROR(Bob({"witness", "show", w, "--purpose", "x"}), 3, "does not hold");
  RunResult v1 = Alice({"verify"});
  EXPECT_EQ(v1.exit_code, 1) << v1;
  EXPECT_NE(v1.out.find("custodian bob: stored record differs from the custody log"),
            std::string::npos)
      << v1;
  {
    auto v = OpenLibrary();
    ASSERT_TRUE(v->db().Exec("UPDATE custodians SET grants = '' WHERE name = 'bob'").ok());
    ASSERT_TRUE(v->db().Exec("DROP TRIGGER witnesses_no_update").ok());
    ASSERT_TRUE(v->db().Exec("UPDATE witnesses SET consent = '{\"publication\":true}'").ok());
  }
  RunResult v2 = Alice({"verify"});
  EXPECT_EQ(v2.exit_code, 1) << v2;
  EXPECT_NE(
      v2.out.find("witness " + w + ": stored record differs from its signed witness-add event"),
      std::string::npos)
      << v2;

  // alice's sealed grant copied into bob's slot: sealed to alice's box key, bob cannot open it.
  json ks = Keyslots();
  for (auto& s : ks["slots"]) {
    if (s["custodian"] == "bob") s["identity_grant"] = SlotOf("alice")["identity_grant"];
  }
  WriteFileBytes(vault() + "/keyslots.json", ks.dump(2));
  {
    auto v = OpenLibrary();
    ASSERT_TRUE(v->db().Exec("UPDATE custodians SET grants = 'unseal' WHERE name = 'bob'").ok());
  }
  EXPECT_AMANAT_ERROR(Bob({"witness", "show", w, "--purpose", "x"}), 1, "does not open");
  ExpectNoIdentityLeaks();
}

// Someone holding the vault key (rita, a reviewer) points bob's box key, in the custodians
// table and in his slot, at a key of hers, so that when alice grants bob unseal the identity
// key is sealed to rita. The grant compares the table with the custody log and refuses;
// verify names the changed record.
TEST_F(WitnessCli, BoxKeySwappedOutsideTheLogIsRefusedByGrantAndCaughtByVerify) {
  const auto theirs = crypto::BoxKeyPair::Generate().public_key();
  {
    auto v = OpenLibrary();
    ASSERT_NE(v, nullptr);
    auto st = v->db().Prepare("UPDATE custodians SET box_public_key = ? WHERE name = 'bob'");
    ASSERT_TRUE(st.ok());
    ASSERT_TRUE(st->BindBlob(1, theirs).Run().ok());
  }
  json ks = Keyslots();
  for (auto& slot : ks["slots"]) {
    if (slot["custodian"] == "bob") slot["box_public_key"] = crypto::Base64Encode(theirs);
  }
  WriteFileBytes(vault() + "/keyslots.json", ks.dump(2));

  EXPECT_AMANAT_ERROR(Alice({"custodian", "grant", "bob", "unseal"}), 1,
                      "box key of custodian bob is not the one the custody log recorded");
  EXPECT_FALSE(SlotOf("bob").contains("identity_grant"));
  RunResult v = Alice({"verify"});
  EXPECT_EQ(v.exit_code, 1) << v;
  EXPECT_TRUE(Contains(v.out, "custodian bob: stored record differs from the custody log")) << v;
  // Control: rita's own record is untouched, and granting her works.
  EXPECT_EQ(Alice({"custodian", "grant", "rita", "unseal"}).exit_code, 0);

  // Changing the log too (bob's custodian-add entry, event 1) breaks its signature, and the
  // grant checks the signatures of the events it takes the box key from.
  {
    auto lib = OpenLibrary();
    ASSERT_NE(lib, nullptr);
    auto get = lib->db().Prepare("SELECT entry FROM events WHERE seq = 1");
    ASSERT_TRUE(get.ok());
    ASSERT_TRUE(get->Step().value());
    ByteView b = get->ColumnBlob(0);
    json env = json::parse(b.begin(), b.end());
    auto raw = crypto::Base64Decode(env["payload"].get<std::string>());
    ASSERT_TRUE(raw.ok());
    json st = json::parse(raw->begin(), raw->end());
    ASSERT_EQ(st["predicate"]["action"], "custodian-add");
    st["predicate"]["details"]["box_public_key"] = crypto::Base64Encode(theirs);
    env["payload"] = crypto::Base64Encode(AsBytes(st.dump()));
    ASSERT_TRUE(lib->db().Exec("DROP TRIGGER events_no_update").ok());
    auto put = lib->db().Prepare("UPDATE events SET entry = ? WHERE seq = 1");
    ASSERT_TRUE(put.ok());
    ASSERT_TRUE(put->BindBlob(1, AsBytes(env.dump())).Run().ok());
  }
  EXPECT_AMANAT_ERROR(Alice({"custodian", "grant", "bob", "unseal"}), 1,
                      "custody event 1: signature does not verify");
  EXPECT_FALSE(SlotOf("bob").contains("identity_grant"));
}

}  // namespace
}  // namespace amanat::testing
