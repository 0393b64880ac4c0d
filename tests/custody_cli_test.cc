// End-to-end tests of the custody log through the command line (issue 3, acceptance items 1,
// 4, 5, 6 and 8): every action's signed event and its schema, checkpoints and
// `checkpoint verify`, the `log` timeline, `verify`, and custodians and roles. They run the
// built binary; where a test needs to act as an insider (forging an event) it uses the
// library directly. Tampering with the stored log is in tamper_test.cc; the log's library
// API and the 100,000-entry Merkle test are in custody_log_test.cc.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/merkle.h"
#include "crypto/secret.h"
#include "crypto/sha256.h"
#include "tests/cli_runner.h"
#include "vault/event.h"
#include "vault/vault.h"

namespace amanat::testing {
namespace {

using nlohmann::json;

constexpr char kSchema[] = "/../schemas/custody-event.schema.json";  // relative to tests/

// The decoded payload (in-toto Statement) of a raw DSSE entry, decoded here without
// Amanat's parser.
json DecodePayload(const std::string& entry) {
  json env = json::parse(entry, nullptr, false);
  if (env.is_discarded() || !env.contains("payload")) return json();
  auto raw = crypto::Base64Decode(env["payload"].get<std::string>());
  if (!raw.ok()) return json();
  return json::parse(raw->begin(), raw->end(), nullptr, false);
}

std::vector<std::string> Signers(const std::string& entry) {
  std::vector<std::string> ids;
  json env = json::parse(entry, nullptr, false);
  if (env.is_discarded()) return ids;
  for (const auto& s : env["signatures"]) ids.push_back(s["keyid"].get<std::string>());
  return ids;
}

std::string SchemaPath() { return TestDataDir() + kSchema; }
std::string ValidatorPath() { return TestDataDir() + "/schema/validate_events.py"; }

// Checks every signature of every event against the key history in the events themselves
// (init and custodian-add name keys; custodian-rotate replaces one), independently of
// `amanat verify`. Returns the number of signatures checked.
size_t CheckSignaturesAgainstLoggedKeys(const json& log) {
  std::map<std::string, crypto::Ed25519PublicKey> key_by_custodian;
  size_t checked = 0;
  auto learn = [&](const json& c) {
    auto pk = crypto::Base64DecodeFixed<32>(c["public_key"].get<std::string>());
    EXPECT_TRUE(pk.ok());
    if (pk.ok()) key_by_custodian[c["name"].get<std::string>()] = *pk;
  };
  for (const auto& e : log) {
    const std::string entry = e["entry"].get<std::string>();
    auto parsed = vault::ParseEntry(AsBytes(entry));
    EXPECT_TRUE(parsed.ok()) << "event " << e["sequence"] << ": " << parsed.status().message();
    if (!parsed.ok()) continue;
    const std::string action = e["action"].get<std::string>();
    if (action == "init") learn(e["details"]["custodian"]);
    std::vector<crypto::Ed25519PublicKey> keys = {
        key_by_custodian[e["custodian"].get<std::string>()]};
    if (action == "custodian-rotate") {
      auto fresh = crypto::Base64DecodeFixed<32>(e["details"]["public_key"].get<std::string>());
      EXPECT_TRUE(fresh.ok());
      keys.push_back(*fresh);
    }
    EXPECT_EQ(parsed->signatures.size(), keys.size()) << "event " << e["sequence"];
    for (size_t i = 0; i < std::min(keys.size(), parsed->signatures.size()); ++i) {
      EXPECT_EQ(parsed->signatures[i].key_id, vault::KeyId(keys[i])) << "event " << e["sequence"];
      EXPECT_TRUE(vault::VerifyEntrySignature(*parsed, parsed->signatures[i], keys[i]))
          << "event " << e["sequence"] << " signature " << i << " does not verify";
      ++checked;
    }
    if (action == "custodian-add") learn(e["details"]["custodian"]);
    if (action == "custodian-rotate") key_by_custodian[e["custodian"].get<std::string>()] = keys[1];
  }
  return checked;
}

// Signed-note fields: origin, size and root of a checkpoint note's text.
struct NoteHead {
  std::string origin;
  uint64_t size = 0;
  std::string root;
};
NoteHead HeadOf(const std::string& note) {
  std::vector<std::string> l = Lines(note);
  NoteHead h;
  if (l.size() < 3) {
    ADD_FAILURE() << "not a checkpoint:\n" << note;
    return h;
  }
  h.origin = l[0];
  h.size = std::stoull(l[1]);
  h.root = l[2];
  return h;
}

class CustodyCli : public CliTest {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::InitCrypto()); }

  // A passphrase file for another custodian (or a new passphrase).
  std::string PassFile(const std::string& name, const std::string& passphrase) {
    return MakeFile("pass-" + name, passphrase + "\n");
  }

  // `amanat --vault V --passphrase-file PASS [--custodian WHO] ARGS`.
  RunResult RunAs(const std::string& who, const std::string& pass, std::vector<std::string> args) {
    std::vector<std::string> all = {"--vault", vault(), "--passphrase-file", pass};
    if (!who.empty()) {
      all.push_back("--custodian");
      all.push_back(who);
    }
    all.insert(all.end(), args.begin(), args.end());
    return RunAmanat(all);
  }

  // As alice, the first custodian (needed once the vault has several).
  RunResult RunAlice(const std::vector<std::string>& args) {
    return RunAs("alice", pass_file(), args);
  }
  std::string AddAsAlice(const std::string& path) {
    RunResult r = RunAlice({"add", path});
    EXPECT_EQ(r.exit_code, 0) << r;
    return r.out.size() >= 64 ? r.out.substr(0, 64) : std::string();
  }

  json Log(const std::string& who = "alice", const std::string& pass = "") {
    RunResult r = RunAs(who, pass.empty() ? pass_file() : pass, {"log", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r;
    json j = ParseJson(r);
    EXPECT_TRUE(j.is_array()) << r;
    return j;
  }

  json KeyShow() {
    RunResult r = Run({"--vault", vault(), "key", "show", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r;
    return ParseJson(r);
  }

  std::string LatestCheckpoint() { return ReadFileBytes(vault() + "/checkpoints/latest"); }

  // Runs the schema validator over a `log --json` document.
  RunResult Validate(const json& log, const std::string& name = "log.json") {
    std::string path = MakeFile(name, log.dump(2));
    return RunProgram(kPython, {ValidatorPath(), SchemaPath(), path});
  }

  // Adds a custodian as alice; returns their passphrase file.
  std::string AddCustodian(const std::string& name, const std::string& role) {
    std::string pass = PassFile(name, "passphrase of " + name + " (test)");
    RunResult r = RunAs("alice", pass_file(),
                        {"custodian", "add", name, "--role", role, "--new-passphrase-file", pass,
                         "--kdf", "insecure-fast"});
    EXPECT_EQ(r.exit_code, 0) << r;
    EXPECT_NE(r.out.find("added custodian " + name + " (" + role + ")"), std::string::npos) << r;
    return pass;
  }

  // Opens the vault with the library as `who`.
  std::unique_ptr<vault::Vault> OpenLibrary(const std::string& who, const std::string& passphrase) {
    auto v = vault::Vault::Open(vault(), who, [&](const vault::KeySlot&) {
      return Result<crypto::SecretBytes>(crypto::SecretBytes::Copy(AsBytes(passphrase)));
    });
    EXPECT_TRUE(v.ok()) << v.status().message();
    if (!v.ok()) return nullptr;
    return std::move(*v);
  }
};

// ---- 1. Events ------------------------------------------------------------------------------

TEST_F(CustodyCli, EveryActionOfASessionIsOneSignedEventValidAgainstTheSchema) {
  std::vector<RunResult> all;  // every command's output, searched for passphrases at the end
  auto keep = [&](RunResult r) {
    all.push_back(r);
    return r;
  };
  all.push_back(InitVault());
  const std::string first = FixturePath(kTestimony);
  const std::string copy = MakeFile("same-bytes-again.txt", ReadFileBytes(first));
  const std::string id = Sha256SumOfFile(first);

  RunResult add1 = keep(
      RunV({"add", first, "--kind", "testimony", "--witness", "W-7K3F9Q", "--title",
            "Testimony (The 100 Camp Testimonies)", "--lang", "en", "--tag", "camps", "--json"}));
  ASSERT_EQ(add1.exit_code, 0) << add1;
  EXPECT_EQ(ParseJson(add1)[0]["already_present"], false) << add1;
  RunResult add2 = keep(RunV({"add", copy, "--kind", "testimony", "--json"}));
  ASSERT_EQ(add2.exit_code, 0) << add2;
  EXPECT_EQ(ParseJson(add2)[0]["id"], id) << add2;
  EXPECT_EQ(ParseJson(add2)[0]["already_present"], true) << add2;

  RunResult get =
      keep(RunV({"get", id.substr(0, 12), "--purpose", "court filing", "-o", Path("out")}));
  ASSERT_EQ(get.exit_code, 0) << get;
  EXPECT_EQ(ReadFileBytes(Path("out")), ReadFileBytes(first));
  RunResult annotate = keep(RunV({"annotate", id.substr(0, 12), "--place", "Almaty", "--note",
                                  "transcript checked against the recording"}));
  ASSERT_EQ(annotate.exit_code, 0) << annotate;

  const std::string new_pass = "a brand new passphrase (test)";
  const std::string new_pass_file = PassFile("alice-new", new_pass);
  RunResult pw = keep(RunV({"passwd", "--new-passphrase-file", new_pass_file}));
  ASSERT_EQ(pw.exit_code, 0) << pw;
  // From here on alice's passphrase is the new one.
  WriteFileBytes(pass_file(), new_pass + "\n");

  const std::string bob_pass = "bob's own passphrase (test)";
  const std::string bob_file = PassFile("bob", bob_pass);
  RunResult add_bob = keep(RunAs("alice", pass_file(),
                                 {"custodian", "add", "bob", "--role", "collector",
                                  "--new-passphrase-file", bob_file, "--kdf", "insecure-fast"}));
  ASSERT_EQ(add_bob.exit_code, 0) << add_bob;
  const json keys_before = KeyShow();
  RunResult revoke = keep(RunAs("alice", pass_file(), {"custodian", "revoke", "bob"}));
  ASSERT_EQ(revoke.exit_code, 0) << revoke;
  RunResult rotate = keep(RunAs("alice", pass_file(), {"custodian", "rotate"}));
  ASSERT_EQ(rotate.exit_code, 0) << rotate;
  RunResult verify = keep(RunAs("alice", pass_file(), {"verify"}));
  ASSERT_EQ(verify.exit_code, 0) << verify;

  RunResult log_run = keep(RunAs("alice", pass_file(), {"log", "--json"}));
  ASSERT_EQ(log_run.exit_code, 0) << log_run;
  const json log = ParseJson(log_run);
  ASSERT_TRUE(log.is_array());

  const std::vector<std::string> want_actions = {
      "init",   "ingest",        "ingest",           "access",           "annotate",
      "passwd", "custodian-add", "custodian-revoke", "custodian-rotate", "verify"};
  std::vector<std::string> actions;
  for (const auto& e : log) actions.push_back(e["action"].get<std::string>());
  ASSERT_EQ(actions, want_actions) << log.dump(1);

  const std::regex time_re("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$");
  std::string previous_entry;
  for (size_t i = 0; i < log.size(); ++i) {
    const json& e = log[i];
    SCOPED_TRACE("event " + std::to_string(i) + " (" + actions[i] + ")");
    EXPECT_EQ(e["sequence"], i);
    EXPECT_EQ(e["custodian"], "alice");
    EXPECT_TRUE(std::regex_match(e["time"].get<std::string>(), time_re)) << e["time"];
    EXPECT_EQ(e["tool"].get<std::string>().rfind("amanat ", 0), 0u) << e["tool"];
    const std::string entry = e["entry"].get<std::string>();
    const json statement = DecodePayload(entry);
    ASSERT_TRUE(statement.is_object()) << entry;
    EXPECT_EQ(statement["predicate"]["sequence"], i);
    EXPECT_EQ(statement["predicate"]["action"], actions[i]);
    // Hash chain: each entry names the SHA-256 of the previous entry's exact bytes.
    EXPECT_EQ(e["previous"], i == 0 ? std::string(vault::kNoPrevious)
                                    : crypto::HexEncode(crypto::Sha256Of(previous_entry)));
    previous_entry = entry;
    EXPECT_EQ(Signers(entry).size(), actions[i] == "custodian-rotate" ? 2u : 1u);
  }

  // Per-action content.
  EXPECT_EQ(log[1]["subjects"], json::array({id}));
  EXPECT_EQ(log[1]["details"]["already_present"], false);
  EXPECT_EQ(log[1]["details"]["metadata"]["witness"], "W-7K3F9Q");
  EXPECT_EQ(log[1]["details"]["metadata"]["collector"], "alice");
  EXPECT_EQ(log[2]["subjects"], json::array({id}));
  EXPECT_EQ(log[2]["details"]["already_present"], true);
  EXPECT_EQ(log[3]["subjects"], json::array({id}));
  EXPECT_EQ(log[3]["purpose"], "court filing");
  EXPECT_EQ(log[3]["details"]["operation"], "get");
  EXPECT_EQ(log[4]["subjects"], json::array({id}));
  EXPECT_EQ(log[4]["details"]["changes"]["place"], "Almaty");
  EXPECT_EQ(log[4]["details"]["changes"]["note"], "transcript checked against the recording");
  EXPECT_EQ(log[6]["details"]["custodian"]["name"], "bob");
  EXPECT_EQ(log[6]["details"]["custodian"]["role"], "collector");
  EXPECT_EQ(log[7]["details"]["custodian"], "bob");
  EXPECT_EQ(log[7]["details"]["key_id"], log[6]["details"]["custodian"]["key_id"]);
  // Rotation: signed by the old key then the new one; later events carry the new key.
  const std::string old_key = log[0]["details"]["custodian"]["key_id"];
  const std::string new_key = log[8]["details"]["key_id"];
  EXPECT_NE(old_key, new_key);
  EXPECT_EQ(log[8]["details"]["old_key_id"], old_key);
  EXPECT_EQ(Signers(log[8]["entry"]), (std::vector<std::string>{old_key, new_key}));
  EXPECT_EQ(log[8]["key_id"], old_key);
  EXPECT_EQ(log[9]["key_id"], new_key);
  for (size_t i = 0; i < 9; ++i) EXPECT_EQ(log[i]["key_id"], old_key) << "event " << i;
  EXPECT_EQ(log[9]["details"]["result"], "ok");
  bool saw_alice = false;
  const json keys_after = KeyShow();
  for (const auto& c : keys_after["custodians"]) {
    if (c["name"] == "alice") {
      saw_alice = true;
      EXPECT_EQ(c["key_id"], new_key);
    }
  }
  EXPECT_TRUE(saw_alice);
  bool bob_listed_before = false;
  for (const auto& c : keys_before["custodians"]) bob_listed_before |= c["name"] == "bob";
  EXPECT_TRUE(bob_listed_before) << keys_before.dump(1);

  // Every signature checks out against the keys the log itself names.
  EXPECT_EQ(CheckSignaturesAgainstLoggedKeys(log), 11u);

  // Every envelope against $defs/envelope, every payload against the schema.
  RunResult valid = Validate(log);
  EXPECT_EQ(valid.exit_code, 0) << valid;
  EXPECT_NE(valid.out.find("10 events OK"), std::string::npos) << valid;

  // No passphrase anywhere: not in any event, any output, any error, nor in keyslots.json.
  const std::string keyslots = ReadFileBytes(vault() + "/keyslots.json");
  for (const std::string& secret : {std::string(kPassphrase), new_pass, bob_pass}) {
    EXPECT_EQ(log_run.out.find(secret), std::string::npos) << "passphrase in log --json";
    for (const auto& e : log) {
      EXPECT_EQ(DecodePayload(e["entry"]).dump().find(secret), std::string::npos)
          << "passphrase in event " << e["sequence"];
    }
    for (const auto& r : all) {
      EXPECT_EQ(r.out.find(secret), std::string::npos) << "passphrase on stdout" << r;
      EXPECT_EQ(r.err.find(secret), std::string::npos) << "passphrase on stderr" << r;
    }
    EXPECT_EQ(keyslots.find(secret), std::string::npos) << "passphrase in keyslots.json";
  }
}

// The validator must be able to fail: a payload without a required field, an envelope with
// an extra member, an unknown action, a broken hash chain and a log view that disagrees with
// the signed bytes are each reported naming the event.
TEST_F(CustodyCli, SchemaValidatorRejectsInvalidEvents) {
  InitVault();
  AddFile(MakeFile("a.txt", "first item\n"));
  json log = Log();
  ASSERT_EQ(log.size(), 2u);
  RunResult good = Validate(log, "good.json");
  ASSERT_EQ(good.exit_code, 0) << good;

  auto with_payload = [&](const json& base, size_t i, const std::function<void(json&)>& edit) {
    json copy = base;
    json env = json::parse(copy[i]["entry"].get<std::string>());
    auto raw = crypto::Base64Decode(env["payload"].get<std::string>());
    EXPECT_TRUE(raw.ok());
    json st = json::parse(raw->begin(), raw->end());
    edit(st);
    env["payload"] = crypto::Base64Encode(AsBytes(st.dump()));
    copy[i]["entry"] = env.dump();
    return copy;
  };

  json no_purpose = with_payload(log, 1, [](json& st) { st["predicate"].erase("purpose"); });
  RunResult r1 = Validate(no_purpose, "no-purpose.json");
  EXPECT_EQ(r1.exit_code, 1) << r1;
  EXPECT_NE(r1.err.find("event 1: payload: predicate: 'purpose' is a required property"),
            std::string::npos)
      << r1;

  json bad_action = with_payload(log, 1, [](json& st) { st["predicate"]["action"] = "shred"; });
  RunResult r2 = Validate(bad_action, "bad-action.json");
  EXPECT_EQ(r2.exit_code, 1) << r2;
  EXPECT_NE(r2.err.find("event 1: payload: predicate/action"), std::string::npos) << r2;

  json extra = log;
  json env = json::parse(extra[0]["entry"].get<std::string>());
  env["comment"] = "not allowed";
  extra[0]["entry"] = env.dump();
  RunResult r3 = Validate(extra, "extra.json");
  EXPECT_EQ(r3.exit_code, 1) << r3;
  EXPECT_NE(r3.err.find("event 0: envelope"), std::string::npos) << r3;

  json chain =
      with_payload(log, 1, [](json& st) { st["predicate"]["previous"] = std::string(64, 'a'); });
  chain[1]["previous"] = std::string(64, 'a');
  RunResult r4 = Validate(chain, "chain.json");
  EXPECT_EQ(r4.exit_code, 1) << r4;
  EXPECT_NE(r4.err.find("event 1: previous is not the SHA-256 of event 0's entry"),
            std::string::npos)
      << r4;

  json lying_view = log;
  lying_view[1]["purpose"] = "something else";
  RunResult r5 = Validate(lying_view, "view.json");
  EXPECT_EQ(r5.exit_code, 1) << r5;
  EXPECT_NE(r5.err.find("event 1: log shows purpose"), std::string::npos) << r5;
}

// ---- 4. Checkpoints ---------------------------------------------------------------------------

TEST_F(CustodyCli, CheckpointVerifiesWithTheLogKeyAndCommitsToTheEntries) {
  InitVault();
  const std::string id = AddFile(MakeFile("a.txt", "an item\n"));
  ASSERT_EQ(RunV({"get", id, "--purpose", "review", "-o", Path("out")}).exit_code, 0);

  RunResult cp = Run({"--vault", vault(), "checkpoint"});  // public: no passphrase needed
  ASSERT_EQ(cp.exit_code, 0) << cp;
  EXPECT_EQ(cp.out, LatestCheckpoint());
  RunResult cp_file = Run({"--vault", vault(), "checkpoint", "-o", Path("cp")});
  ASSERT_EQ(cp_file.exit_code, 0) << cp_file;
  EXPECT_EQ(ReadFileBytes(Path("cp")), cp.out);
  EXPECT_NE(cp_file.out.find("at 3 events"), std::string::npos) << cp_file;

  const json keys = KeyShow();
  const std::string log_key = keys["log_key"];
  const std::string origin = keys["origin"];
  EXPECT_EQ(origin, "amanat/" + keys["vault_id"].get<std::string>());
  EXPECT_EQ(log_key.rfind(origin + "+", 0), 0u) << log_key;

  RunResult ok = Run({"checkpoint", "verify", "--key", log_key, Path("cp")});
  ASSERT_EQ(ok.exit_code, 0) << ok;
  EXPECT_EQ(ok.out.rfind("checkpoint OK: " + origin + ", 3 entries, root ", 0), 0u) << ok;
  RunResult ok_json = Run({"checkpoint", "verify", "--json", "--key", log_key, Path("cp")});
  ASSERT_EQ(ok_json.exit_code, 0) << ok_json;
  json j = ParseJson(ok_json);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["checkpoint"], true);
  EXPECT_EQ(j["origin"], origin);
  EXPECT_EQ(j["size"], 3);
  ASSERT_EQ(j["signed_by"].size(), 1u);
  EXPECT_EQ(log_key.rfind(j["signed_by"][0].get<std::string>() + "+", 0), 0u) << ok_json;
  // The key can also be given as a file.
  const std::string key_file = MakeFile("log.vkey", log_key + "\n");
  EXPECT_EQ(Run({"checkpoint", "verify", "--key", key_file, Path("cp")}).exit_code, 0);

  // The checkpoint's root is the RFC 9162 root of the exact entries the log shows.
  const json log = Log();
  ASSERT_EQ(log.size(), 3u);
  crypto::MemoryMerkleStore tree;
  for (const auto& e : log) ASSERT_TRUE(tree.Append(AsBytes(e["entry"].get<std::string>())).ok());
  auto root = crypto::RootAt(tree, 3);
  ASSERT_TRUE(root.ok());
  NoteHead head = HeadOf(cp.out);
  EXPECT_EQ(head.origin, origin);
  EXPECT_EQ(head.size, 3u);
  EXPECT_EQ(head.root, crypto::Base64Encode(*root));
  EXPECT_EQ(j["root"], head.root);

  // Another vault's log key does not verify this vault's checkpoint.
  InitVault(Path("other"));
  RunResult other = Run({"--vault", Path("other"), "key", "show", "--json"});
  ASSERT_EQ(other.exit_code, 0) << other;
  RunResult wrong = Run({"checkpoint", "verify", "--key", ParseJson(other)["log_key"], Path("cp")});
  EXPECT_AMANAT_ERROR(wrong, 1, Path("cp"));
}

TEST_F(CustodyCli, LatestCheckpointIsRewrittenAfterEveryCommittingCommand) {
  InitVault();
  const std::string latest = vault() + "/checkpoints/latest";
  std::string before = LatestCheckpoint();
  EXPECT_EQ(HeadOf(before).size, 1u);
  EXPECT_EQ(FileMode(latest), 0600u);
  const std::string bob_file = PassFile("bob", "bob passphrase (test)");
  const std::string new_pass = PassFile("alice-new", "alice second passphrase (test)");

  struct Step {
    std::string what;
    std::vector<std::string> args;
  };
  std::string id;
  std::vector<Step> steps = {
      {"add", {"add", MakeFile("a.txt", "a\n")}},
      {"add of known bytes", {"add", MakeFile("a-again.txt", "a\n")}},
      {"get", {"get", "", "--purpose", "check", "-o", Path("out")}},
      {"custodian add",
       {"custodian", "add", "bob", "--role", "reviewer", "--new-passphrase-file", bob_file, "--kdf",
        "insecure-fast"}},
      {"custodian rotate", {"custodian", "rotate"}},
      {"verify", {"verify"}},
      {"custodian revoke", {"custodian", "revoke", "bob"}},
      {"passwd", {"passwd", "--new-passphrase-file", new_pass}},
  };
  uint64_t events = 1;
  for (auto& step : steps) {
    SCOPED_TRACE(step.what);
    if (step.what == "get") step.args[1] = id;
    RunResult r = RunAlice(step.args);
    ASSERT_EQ(r.exit_code, 0) << r;
    if (step.what == "add") id = r.out.substr(0, 64);
    ++events;
    const std::string now = LatestCheckpoint();
    EXPECT_NE(now, before) << "checkpoints/latest did not change";
    EXPECT_EQ(HeadOf(now).size, events);
    EXPECT_EQ(FileMode(latest), 0600u);
    EXPECT_EQ(Run({"--vault", vault(), "checkpoint"}).out, now);
    before = now;
  }
  WriteFileBytes(pass_file(), "alice second passphrase (test)\n");
  // Reading the log, the keys or the checkpoint commits nothing.
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"log"}, {"log", "--json"}, {"key", "show"}, {"checkpoint"}, {"custodian", "ls"}}) {
    RunResult r = RunAlice(args);
    EXPECT_EQ(r.exit_code, 0) << r;
    EXPECT_EQ(LatestCheckpoint(), before) << "changed by " << r.command;
  }
  EXPECT_EQ(Log().size(), events);
  // No temporary files left next to it.
  EXPECT_EQ(FilesUnder(vault() + "/checkpoints"),
            std::vector<std::string>{vault() + "/checkpoints/latest"});
}

TEST_F(CustodyCli, CheckpointVerifyAcceptsOtherSystemsNotesAndRejectsForgeries) {
  const std::string dir = TestDataDir() + "/vectors/note/";
  struct Vector {
    std::string note, vkey, wrong_vkey;
  };
  const std::vector<Vector> vectors = {
      {"c2sp-example.note", "c2sp-example.vkey", "peterneumann.vkey"},
      {"peterneumann.note", "peterneumann.vkey", "c2sp-example.vkey"},
  };
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.note);
    const std::string note = ReadFileBytes(dir + v.note);
    std::string vkey = ReadFileBytes(dir + v.vkey);
    while (!vkey.empty() && vkey.back() == '\n') vkey.pop_back();
    const std::string key_name = vkey.substr(0, vkey.find('+'));

    // Accepted with the right key, given as text or as a file.
    RunResult ok = Run({"checkpoint", "verify", "--key", vkey, dir + v.note});
    EXPECT_EQ(ok.exit_code, 0) << ok;
    EXPECT_EQ(ok.out.rfind("note OK: signed by " + key_name + "+", 0), 0u) << ok;
    EXPECT_EQ(Run({"checkpoint", "verify", "--key", dir + v.vkey, dir + v.note}).exit_code, 0);

    // Rejected with another key.
    RunResult wrong = Run({"checkpoint", "verify", "--key", dir + v.wrong_vkey, dir + v.note});
    EXPECT_AMANAT_ERROR(wrong, 1, dir + v.note);

    // Rejected with one byte of the text flipped (the first letter's case).
    std::string flipped = note;
    flipped[0] = static_cast<char>(flipped[0] ^ 0x20);
    const std::string flipped_path = MakeFile("flipped-" + v.note, flipped);
    RunResult bad_text = Run({"checkpoint", "verify", "--key", vkey, flipped_path});
    EXPECT_AMANAT_ERROR(bad_text, 1, "signature");

    // Rejected with one character of the signature changed (still valid base64).
    std::string bad_sig = note;
    size_t pos = bad_sig.rfind(' ') + 20;
    bad_sig[pos] = bad_sig[pos] == 'A' ? 'B' : 'A';
    const std::string bad_sig_path = MakeFile("badsig-" + v.note, bad_sig);
    RunResult r = Run({"checkpoint", "verify", "--key", vkey, bad_sig_path});
    EXPECT_AMANAT_ERROR(r, 1, "signature");
  }

  // Garbage: an error in one line, exit 1 or 2, never a crash.
  const std::string vkey = Lines(ReadFileBytes(dir + "c2sp-example.vkey"))[0];
  for (const std::string& junk :
       {std::string("hello\n"), std::string(""), PseudoRandomBytes(300, 42), std::string("\n\n\n"),
        std::string("a\n\n\xE2\x80\x94 x\n")}) {
    const std::string p = MakeFile("junk", junk);
    RunResult g = Run({"checkpoint", "verify", "--key", vkey, p});
    EXPECT_TRUE(g.exit_code == 1 || g.exit_code == 2) << g;
    ErrorLine(g);
  }
  RunResult bad_key =
      Run({"checkpoint", "verify", "--key", "not-a-key", dir + "c2sp-example.note"});
  EXPECT_AMANAT_ERROR(bad_key, 2, "--key");
  RunResult missing = Run({"checkpoint", "verify", "--key", vkey, Path("no-such-note")});
  EXPECT_NE(missing.exit_code, 0) << missing;
  ErrorLine(missing);
}

// ---- 5. log -----------------------------------------------------------------------------------

TEST_F(CustodyCli, LogShowsAReadableTimelineAndFiltersByItem) {
  InitVault();
  const std::string a = AddFile(MakeFile("a.txt", "item a\n"));
  const std::string bob_pass = AddCustodian("bob", "collector");
  RunResult add_b = RunAs("bob", bob_pass, {"add", MakeFile("b.txt", "item b\n")});
  ASSERT_EQ(add_b.exit_code, 0) << add_b;
  const std::string b = add_b.out.substr(0, 64);
  ASSERT_EQ(RunAs("alice", pass_file(), {"get", a, "--purpose", "legal review", "-o", Path("oa")})
                .exit_code,
            0);
  ASSERT_EQ(
      RunAs("bob", bob_pass, {"get", b, "--purpose", "transcription", "-o", Path("ob")}).exit_code,
      0);
  // 0 init, 1 ingest a, 2 custodian-add, 3 ingest b (bob), 4 access a, 5 access b (bob)

  RunResult text = RunAs("alice", pass_file(), {"log"});
  ASSERT_EQ(text.exit_code, 0) << text;
  std::vector<std::string> lines = Lines(text.out);
  ASSERT_EQ(lines.size(), 6u) << text;
  const std::regex line_re(
      R"(^ *([0-9]+)  ([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)  (\S+)  (\S+)(  ([0-9a-f]{12}))?(  purpose: (.*))?$)");
  struct Want {
    std::string custodian, action, subject, purpose;
  };
  const std::vector<Want> want = {
      {"alice", "init", "", ""},
      {"alice", "ingest", a.substr(0, 12), ""},
      {"alice", "custodian-add", "", ""},
      {"bob", "ingest", b.substr(0, 12), ""},
      {"alice", "access", a.substr(0, 12), "legal review"},
      {"bob", "access", b.substr(0, 12), "transcription"},
  };
  const json log = Log();
  for (size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE(lines[i]);
    std::smatch m;
    ASSERT_TRUE(std::regex_match(lines[i], m, line_re));
    EXPECT_EQ(m[1].str(), std::to_string(i));
    EXPECT_EQ(m[2].str(), log[i]["time"].get<std::string>());
    EXPECT_EQ(m[3].str(), want[i].custodian);
    EXPECT_EQ(m[4].str(), want[i].action);
    EXPECT_EQ(m[6].str(), want[i].subject);
    EXPECT_EQ(m[8].str(), want[i].purpose);
  }

  // --item: only the events about that item, by prefix or full ID, text or JSON.
  RunResult only_a = RunAs("alice", pass_file(), {"log", "--item", a.substr(0, 10)});
  ASSERT_EQ(only_a.exit_code, 0) << only_a;
  std::vector<std::string> a_lines = Lines(only_a.out);
  ASSERT_EQ(a_lines.size(), 2u) << only_a;
  EXPECT_EQ(a_lines[0], lines[1]);
  EXPECT_EQ(a_lines[1], lines[4]);
  RunResult only_b = RunAs("alice", pass_file(), {"log", "--item", b, "--json"});
  ASSERT_EQ(only_b.exit_code, 0) << only_b;
  json jb = ParseJson(only_b);
  ASSERT_EQ(jb.size(), 2u) << only_b;
  EXPECT_EQ(jb[0]["sequence"], 3);
  EXPECT_EQ(jb[1]["sequence"], 5);
  for (const auto& e : jb) EXPECT_EQ(e["subjects"], json::array({b}));
  EXPECT_EQ(jb[0]["entry"], log[3]["entry"]);
  RunResult valid = Validate(jb, "b.json");
  EXPECT_EQ(valid.exit_code, 0) << valid;

  // Unknown item: not found. Another collector's item: refused.
  RunResult none = RunAs("alice", pass_file(), {"log", "--item", std::string(64, 'f')});
  EXPECT_AMANAT_ERROR(none, 4, "no item");
  RunResult foreign = RunAs("bob", bob_pass, {"log", "--item", a});
  EXPECT_AMANAT_ERROR(foreign, 3, "not allowed");
}

// ---- 6. verify --------------------------------------------------------------------------------

TEST_F(CustodyCli, VerifyReportsOkWithOneSummaryLineAndJson) {
  InitVault();
  AddFile(MakeFile("a.txt", "a\n"));
  AddFile(MakeFile("b.bin", PseudoRandomBytes(3 * 1024 * 1024 + 17, 5)));  // several chunks
  const std::string latest_before = LatestCheckpoint();

  RunResult r = RunV({"verify"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.err, "");
  const std::regex summary(R"(^verified: 3 events, 2 items, ([0-9]+) checkpoints: OK\n$)");
  EXPECT_TRUE(std::regex_match(r.out, summary)) << r;
  // A passed verification is itself on record.
  json log = Log();
  ASSERT_EQ(log.size(), 4u);
  EXPECT_EQ(log[3]["action"], "verify");
  EXPECT_EQ(log[3]["details"]["result"], "ok");
  EXPECT_EQ(log[3]["details"]["root"], HeadOf(latest_before).root);

  const std::string latest = LatestCheckpoint();
  RunResult js = RunV({"verify", "--json"});
  ASSERT_EQ(js.exit_code, 0) << js;
  json j = ParseJson(js);
  std::set<std::string> keys;
  for (const auto& [k, _] : j.items()) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{"ok", "events", "items", "items_rehashed", "checkpoints",
                                         "root", "problems"}));
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["events"], 4);
  EXPECT_EQ(j["items"], 2);
  EXPECT_EQ(j["items_rehashed"], 0);
  EXPECT_GE(j["checkpoints"].get<int>(), 1);
  EXPECT_EQ(j["problems"], json::array());
  EXPECT_EQ(j["root"], HeadOf(latest).root) << "the root verified is the one last signed";
  auto root = crypto::Base64DecodeFixed<32>(j["root"].get<std::string>());
  EXPECT_TRUE(root.ok()) << js;

  // --against a checkpoint that left the vault: one more checkpoint checked, still OK.
  ASSERT_EQ(Run({"--vault", vault(), "checkpoint", "-o", Path("cp")}).exit_code, 0);
  RunResult against = RunV({"verify", "--json", "--against", Path("cp")});
  ASSERT_EQ(against.exit_code, 0) << against;
  EXPECT_EQ(ParseJson(against)["checkpoints"].get<int>(), j["checkpoints"].get<int>() + 2)
      << "one stored checkpoint more (the last verify) and the --against one";
}

TEST_F(CustodyCli, VerifyFullRehashesEveryItem) {
  InitVault();
  const std::string a = AddFile(MakeFile("a.txt", "a\n"));
  const std::string b = AddFile(MakeFile("b.bin", PseudoRandomBytes(2 * 1024 * 1024 + 5, 9)));
  RunResult full = RunV({"verify", "--full"});
  ASSERT_EQ(full.exit_code, 0) << full;
  EXPECT_NE(full.out.find("2 items (content re-hashed)"), std::string::npos) << full;
  RunResult js = RunV({"verify", "--full", "--json"});
  ASSERT_EQ(js.exit_code, 0) << js;
  EXPECT_EQ(ParseJson(js)["items_rehashed"], 2);

  // Change stored content behind the triggers' back, keeping its length: only a re-hash sees
  // it, and --full must.
  {
    auto v = OpenLibrary("alice", kPassphrase);
    ASSERT_NE(v, nullptr);
    ASSERT_TRUE(v->db().Exec("DROP TRIGGER chunks_no_update").ok());
    auto st = v->db().Prepare(
        "UPDATE chunks SET data = ? WHERE seq = 1 AND blob_id = "
        "(SELECT blob_id FROM items WHERE id = ?)");
    ASSERT_TRUE(st.ok());
    std::string replacement = PseudoRandomBytes(1024 * 1024, 77);
    st->BindBlob(1, AsBytes(replacement)).Bind(2, b);
    ASSERT_TRUE(st->Run().ok());
    ASSERT_EQ(sqlite3_changes(v->db().handle()), 1);
  }
  RunResult bad = RunV({"verify", "--full"});
  EXPECT_AMANAT_ERROR(bad, 1, "item " + b);
  EXPECT_NE(bad.out.find("item " + b + ": stored content does not match its SHA-256"),
            std::string::npos)
      << bad;
  EXPECT_EQ(bad.out.find("item " + a), std::string::npos) << bad;
  RunResult bad_json = RunV({"verify", "--full", "--json"});
  EXPECT_EQ(bad_json.exit_code, 1) << bad_json;
  json j = ParseJson(bad_json);
  EXPECT_EQ(j["ok"], false);
  ASSERT_EQ(j["problems"].size(), 1u) << bad_json;
  EXPECT_NE(j["problems"][0].get<std::string>().find(b), std::string::npos);
}

// ---- 8. Custodians and roles ------------------------------------------------------------------

TEST_F(CustodyCli, RolesAreEnforcedAndEachRefusalExits3) {
  InitVault();
  const std::string bob = AddCustodian("bob", "collector");
  const std::string carol = AddCustodian("carol", "collector");
  const std::string rita = AddCustodian("rita", "reviewer");

  RunResult ls = RunAs("alice", pass_file(), {"custodian", "ls"});
  ASSERT_EQ(ls.exit_code, 0) << ls;
  std::vector<std::string> lines = Lines(ls.out);
  ASSERT_EQ(lines.size(), 4u) << ls;
  EXPECT_EQ(lines[0].rfind("alice  admin  key ", 0), 0u) << ls;
  EXPECT_EQ(lines[1].rfind("bob  collector  key ", 0), 0u) << ls;
  EXPECT_EQ(lines[2].rfind("carol  collector  key ", 0), 0u) << ls;
  EXPECT_EQ(lines[3].rfind("rita  reviewer  key ", 0), 0u) << ls;
  RunResult ls_json = RunAs("rita", rita, {"custodian", "ls", "--json"});
  ASSERT_EQ(ls_json.exit_code, 0) << ls_json;
  json cj = ParseJson(ls_json);
  ASSERT_EQ(cj.size(), 4u);
  for (const auto& c : cj) {
    EXPECT_EQ(c["active"], true);
    EXPECT_TRUE(std::regex_match(c["key_id"].get<std::string>(), std::regex("^[0-9a-f]{16}$")));
  }

  const size_t events_before = Log().size();
  // Managing custodians: admin only.
  const std::string x_pass = PassFile("x", "x passphrase (test)");
  for (const auto& [who, pass] :
       {std::pair{std::string("bob"), bob}, std::pair{std::string("rita"), rita}}) {
    SCOPED_TRACE(who);
    RunResult add = RunAs(who, pass,
                          {"custodian", "add", "mallory", "--role", "admin",
                           "--new-passphrase-file", x_pass, "--kdf", "insecure-fast"});
    EXPECT_AMANAT_ERROR(add, 3, "adding a custodian is not allowed for " + who);
    RunResult revoke = RunAs(who, pass, {"custodian", "revoke", "carol"});
    EXPECT_AMANAT_ERROR(revoke, 3, "not allowed for " + who);
  }
  // Adding items: admin and collectors; a reviewer may not.
  RunResult rita_add = RunAs("rita", rita, {"add", MakeFile("r.txt", "r\n")});
  EXPECT_AMANAT_ERROR(rita_add, 3, "adding items is not allowed for rita (role reviewer)");
  EXPECT_EQ(Log().size(), events_before) << "a refused command left an event";
  EXPECT_EQ(KeyShow()["custodians"].size(), 4u) << "a refused custodian add left a key slot";

  RunResult bob_add = RunAs("bob", bob, {"add", MakeFile("b.txt", "bob's item\n")});
  ASSERT_EQ(bob_add.exit_code, 0) << bob_add;
  const std::string b = bob_add.out.substr(0, 64);
  RunResult carol_add = RunAs("carol", carol, {"add", MakeFile("c.txt", "carol's item\n")});
  ASSERT_EQ(carol_add.exit_code, 0) << carol_add;
  const std::string c = carol_add.out.substr(0, 64);
  const std::string a = AddAsAlice(MakeFile("a.txt", "alice's item\n"));

  // Collectors read what they collected, and nothing else.
  EXPECT_EQ(RunAs("bob", bob, {"get", b, "-o", Path("b.out")}).exit_code, 0);
  EXPECT_EQ(ReadFileBytes(Path("b.out")), "bob's item\n");
  EXPECT_EQ(RunAs("bob", bob, {"show", b}).exit_code, 0);
  for (const std::string& other : {c, a}) {
    RunResult get = RunAs("bob", bob, {"get", other, "-o", Path("stolen")});
    EXPECT_AMANAT_ERROR(get, 3, "not allowed for bob");
    EXPECT_FALSE(std::filesystem::exists(Path("stolen")));
    RunResult show = RunAs("bob", bob, {"show", other});
    EXPECT_AMANAT_ERROR(show, 3, "not allowed for bob");
    EXPECT_EQ(show.out, "");
  }
  // Annotating: admins and collectors, and a collector only what they may read.
  EXPECT_EQ(RunAs("bob", bob, {"annotate", b, "--place", "Karamay"}).exit_code, 0);
  RunResult bob_annotates_c = RunAs("bob", bob, {"annotate", c, "--place", "elsewhere"});
  EXPECT_AMANAT_ERROR(bob_annotates_c, 3, "not allowed for bob");
  RunResult rita_annotates = RunAs("rita", rita, {"annotate", b, "--place", "elsewhere"});
  EXPECT_AMANAT_ERROR(rita_annotates, 3, "not allowed for rita");
  RunResult bob_ls = RunAs("bob", bob, {"ls"});
  ASSERT_EQ(bob_ls.exit_code, 0) << bob_ls;
  EXPECT_NE(bob_ls.out.find(b), std::string::npos) << bob_ls;
  EXPECT_EQ(bob_ls.out.find(c), std::string::npos) << bob_ls;
  EXPECT_EQ(bob_ls.out.find(a), std::string::npos) << bob_ls;

  // Reviewers and admins read everything.
  for (const auto& [who, pass] :
       {std::pair{std::string("rita"), rita}, std::pair{std::string("alice"), pass_file()}}) {
    for (const std::string& item : {a, b, c}) {
      RunResult get =
          RunAs(who, pass, {"get", item, "--purpose", "review", "-o", Path(who + item)});
      EXPECT_EQ(get.exit_code, 0) << get;
      EXPECT_EQ(RunAs(who, pass, {"show", item}).exit_code, 0);
    }
    RunResult all = RunAs(who, pass, {"ls"});
    EXPECT_EQ(Lines(all.out).size(), 3u) << all;
  }
  // Every access above is on record with its reader.
  size_t rita_reads = 0;
  for (const auto& e : Log()) rita_reads += e["action"] == "access" && e["custodian"] == "rita";
  EXPECT_EQ(rita_reads, 3u);
  EXPECT_EQ(RunAlice({"verify"}).exit_code, 0);
}

TEST_F(CustodyCli, RevokedCustodianCanNoLongerOpenTheVault) {
  InitVault();
  const std::string bob = AddCustodian("bob", "collector");
  const std::string bob_item = [&] {
    RunResult r = RunAs("bob", bob, {"add", MakeFile("b.txt", "b\n")});
    EXPECT_EQ(r.exit_code, 0) << r;
    return r.out.substr(0, 64);
  }();
  const std::string old_keyslots = ReadFileBytes(vault() + "/keyslots.json");
  RunResult revoke = RunAs("alice", pass_file(), {"custodian", "revoke", "bob"});
  ASSERT_EQ(revoke.exit_code, 0) << revoke;
  EXPECT_NE(revoke.out.find("revoked custodian bob"), std::string::npos) << revoke;

  // Their key slot is gone.
  json ks = json::parse(ReadFileBytes(vault() + "/keyslots.json"));
  ASSERT_TRUE(ks.contains("slots")) << ks.dump(1);
  for (const auto& s : ks["slots"]) EXPECT_NE(s.value("custodian", ""), "bob") << ks.dump(1);
  // Only the name stays, as a tombstone, so that bob is told he was revoked.
  ASSERT_TRUE(ks.contains("revoked")) << ks.dump(1);
  EXPECT_EQ(ks["revoked"], json::array({"bob"})) << ks.dump(1);
  // Listed as revoked, still in the history.
  RunResult ls = RunAs("alice", pass_file(), {"custodian", "ls"});
  EXPECT_NE(ls.out.find("bob  collector  key "), std::string::npos) << ls;
  EXPECT_NE(ls.out.find("(revoked)"), std::string::npos) << ls;

  // Bob cannot act any more: authentication failure, exit 3.
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"ls"}, {"get", bob_item, "-o", Path("x")}, {"add", MakeFile("late.txt", "late\n")}}) {
    RunResult r = RunAs("bob", bob, args);
    EXPECT_EQ(r.exit_code, 3) << "a revoked custodian must get an authentication failure" << r;
    ErrorLine(r);
    EXPECT_NE(r.err.find("bob"), std::string::npos) << r;
  }
  // Not even with a copy of keyslots.json kept from before the revocation.
  const std::string new_keyslots = ReadFileBytes(vault() + "/keyslots.json");
  WriteFileBytes(vault() + "/keyslots.json", old_keyslots);
  RunResult with_copy = RunAs("bob", bob, {"ls"});
  EXPECT_AMANAT_ERROR(with_copy, 3, "revoked");
  WriteFileBytes(vault() + "/keyslots.json", new_keyslots);
  ASSERT_EQ(RunAs("alice", pass_file(), {"custodian", "revoke", "bob"}).exit_code, 2)
      << "revoking twice";
}

// keyslots.json.pending is what a crash between writing the next key slots and replacing
// keyslots.json leaves (tests/crash_point_test.cc kills every such command at every point).
// Only the version vault.db committed prevails; a copy planted there changes nothing.
TEST_F(CustodyCli, PendingKeySlotsAreSettledByWhatVaultDbCommitted) {
  InitVault();
  const std::string bob = AddCustodian("bob", "collector");
  const std::string pending = vault() + "/keyslots.json.pending";
  const std::string with_bob = ReadFileBytes(vault() + "/keyslots.json");
  ASSERT_EQ(RunAs("alice", pass_file(), {"custodian", "revoke", "bob"}).exit_code, 0);
  const std::string without_bob = ReadFileBytes(vault() + "/keyslots.json");
  EXPECT_FALSE(std::filesystem::exists(pending));

  // Bob's copy from before his revocation, planted as a pending change: never committed, so
  // it is removed and he stays revoked.
  WriteFileBytes(pending, with_bob);
  EXPECT_AMANAT_ERROR(RunAs("bob", bob, {"ls"}), 3, "revoked");
  EXPECT_FALSE(std::filesystem::exists(pending));
  EXPECT_EQ(ReadFileBytes(vault() + "/keyslots.json"), without_bob);

  // A crash after the revocation was committed, before keyslots.json was replaced: the
  // revocation is completed, whoever opens the vault next.
  WriteFileBytes(vault() + "/keyslots.json", with_bob);
  WriteFileBytes(pending, without_bob);
  EXPECT_AMANAT_ERROR(RunAs("bob", bob, {"ls"}), 3, "revoked");
  EXPECT_FALSE(std::filesystem::exists(pending));
  EXPECT_EQ(ReadFileBytes(vault() + "/keyslots.json"), without_bob);
  EXPECT_EQ(RunAs("alice", pass_file(), {"verify"}).exit_code, 0);

  // A damaged pending file is refused with one line naming it, and kept.
  WriteFileBytes(pending, "{\"format\":");
  RunResult damaged = RunAs("alice", pass_file(), {"ls"});
  EXPECT_AMANAT_ERROR(damaged, 2, "keyslots.json.pending");
  EXPECT_TRUE(std::filesystem::exists(pending));
  EXPECT_EQ(ReadFileBytes(vault() + "/keyslots.json"), without_bob);
}

TEST_F(CustodyCli, RotateReplacesTheKeyAndLaterEventsVerifyUnderTheNewOne) {
  InitVault();
  const std::string bob = AddCustodian("bob", "collector");
  auto key_of = [&](const std::string& who) {
    const json keys = KeyShow();
    for (const auto& c : keys["custodians"]) {
      if (c["name"] == who) return c["key_id"].get<std::string>();
    }
    ADD_FAILURE() << "no key for " << who;
    return std::string();
  };
  for (const auto& [who, pass] :
       {std::pair{std::string("alice"), pass_file()}, std::pair{std::string("bob"), bob}}) {
    SCOPED_TRACE(who);
    const std::string old_id = key_of(who);
    RunResult rot = RunAs(who, pass, {"custodian", "rotate"});
    ASSERT_EQ(rot.exit_code, 0) << rot;
    const std::string new_id = key_of(who);
    EXPECT_NE(new_id, old_id);
    EXPECT_EQ(rot.out, "new signing key " + new_id + " for " + who + "\n");
    RunResult ls = RunAs("alice", pass_file(), {"custodian", "ls", "--json"});
    for (const auto& c : ParseJson(ls)) {
      if (c["name"] == who) {
        EXPECT_EQ(c["key_id"], new_id);
      }
    }
    // The same passphrase still opens the slot, and the next event carries the new key.
    RunResult add = RunAs(who, pass, {"add", MakeFile(who + ".txt", who + " after rotation\n")});
    ASSERT_EQ(add.exit_code, 0) << add;
    json log = Log();
    const json& rotate_ev = log[log.size() - 2];
    EXPECT_EQ(rotate_ev["action"], "custodian-rotate");
    EXPECT_EQ(rotate_ev["custodian"], who);
    EXPECT_EQ(Signers(rotate_ev["entry"]), (std::vector<std::string>{old_id, new_id}));
    EXPECT_EQ(log.back()["key_id"], new_id);
    EXPECT_EQ(Signers(log.back()["entry"]), std::vector<std::string>{new_id});
  }
  // A wrong passphrase cannot rotate.
  const std::string wrong = PassFile("wrong", "not bob's passphrase");
  RunResult bad = RunAs("bob", wrong, {"custodian", "rotate"});
  EXPECT_AMANAT_ERROR(bad, 3, "passphrase");

  json log = Log();
  EXPECT_EQ(CheckSignaturesAgainstLoggedKeys(log), log.size() + 2);
  RunResult verify = RunAlice({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify;
  RunResult valid = Validate(log);
  EXPECT_EQ(valid.exit_code, 0) << valid;
}

// An insider who kept a revoked custodian's signing key appends an event in that custodian's
// name after the revocation (through the library, with a correct hash chain, Merkle tree and
// even a fresh checkpoint): verify must name it. Likewise an event signed with a key that was
// rotated out.
TEST_F(CustodyCli, EventsSignedWithRevokedOrRotatedOutKeysAreCaughtByVerify) {
  InitVault();
  const std::string bob_passphrase = "passphrase of bob (test)";
  const std::string bob = AddCustodian("bob", "collector");
  std::optional<crypto::Ed25519KeyPair> bob_key, alice_old_key;
  {
    auto v = OpenLibrary("bob", bob_passphrase);
    ASSERT_NE(v, nullptr);
    bob_key.emplace(
        crypto::Ed25519KeyPair::FromSecretKey(v->actor_key().secret_key().view()).value());
  }
  {
    auto v = OpenLibrary("alice", kPassphrase);
    ASSERT_NE(v, nullptr);
    alice_old_key.emplace(
        crypto::Ed25519KeyPair::FromSecretKey(v->actor_key().secret_key().view()).value());
  }
  ASSERT_EQ(RunAlice({"custodian", "revoke", "bob"}).exit_code, 0);
  ASSERT_EQ(RunAlice({"custodian", "rotate"}).exit_code, 0);
  ASSERT_EQ(RunAlice({"verify"}).exit_code, 0);
  const size_t n = Log().size();

  auto forge = [&](const std::string& actor, const crypto::Ed25519KeyPair& key) {
    auto v = OpenLibrary("alice", kPassphrase);
    ASSERT_NE(v, nullptr);
    auto tx = vault::Transaction::Begin(v->db());
    ASSERT_TRUE(tx.ok());
    vault::Event ev = vault::NewEvent(v->origin(), actor, key.public_key(), "verify");
    ev.details = {{"result", "ok"}};
    auto seq = v->log().Append(ev, {&key});
    ASSERT_TRUE(seq.ok()) << seq.status().message();
    ASSERT_TRUE(v->Commit(*tx).ok());  // the log is consistent; only the signer is wrong
  };

  // 1. bob's key after bob's revocation.
  const std::string state = Path("state");
  std::filesystem::copy(vault(), state, std::filesystem::copy_options::recursive);
  forge("bob", *bob_key);
  RunResult r1 = RunAlice({"verify"});
  EXPECT_AMANAT_ERROR(r1, 1, "custody event " + std::to_string(n));
  EXPECT_NE(r1.out.find("custody event " + std::to_string(n) + ": signed by revoked custodian bob"),
            std::string::npos)
      << r1;
  // The forged event's time is later than the revocation, but verify does not need that:
  // it follows the order of the log.

  // 2. alice's rotated-out key, in alice's name.
  std::filesystem::remove_all(vault());
  std::filesystem::copy(state, vault(), std::filesystem::copy_options::recursive);
  forge("alice", *alice_old_key);
  RunResult r2 = RunAlice({"verify"});
  EXPECT_AMANAT_ERROR(r2, 1, "custody event " + std::to_string(n));
  EXPECT_NE(r2.out.find("custody event " + std::to_string(n) + ": signed with key " +
                        vault::KeyId(alice_old_key->public_key()).substr(0, 8)),
            std::string::npos)
      << r2;
}

}  // namespace
}  // namespace amanat::testing
