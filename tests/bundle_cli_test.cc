// End-to-end tests of `amanat export` and `amanat verify-bundle` (issue P3, items 1-3): the
// layout, the stock tools (unzip, sha256sum -c, minisign -V), an independent Python check
// of schemas, signatures, checkpoints and proofs, the readable and JSON reports, trust,
// --against, roles and errors. Tampering and malformed input are in bundle_tamper_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "crypto/secret.h"
#include "tests/bundle_test_util.h"
#include "vault/db.h"
#include "vault/vault.h"

namespace amanat::testing {
namespace {

using nlohmann::json;

std::string SchemaDir() { return TestDataDir() + "/../schemas"; }

std::vector<std::string> Paths(const std::vector<Member>& members) {
  std::vector<std::string> out;
  for (const auto& m : members) out.push_back(m.path);
  return out;
}

TEST_F(BundleTest, LayoutAndStockTools) {
  std::string bundle = Export("b.zip");
  std::vector<Member> members = ReadMembers(bundle);
  std::vector<std::string> paths = Paths(members);
  // The first members are the ones a person opens first; items come last.
  ASSERT_GE(paths.size(), 12u);
  EXPECT_EQ(paths[0], "manifest.json");
  EXPECT_EQ(paths[1], "manifest.json.minisig");
  EXPECT_EQ(paths[2], "SHA256SUMS");
  EXPECT_EQ(paths[3], "README.txt");
  std::set<std::string> set(paths.begin(), paths.end());
  for (const std::string& p :
       {std::string("custody/events.jsonl"), std::string("custody/proofs.json"),
        std::string("custody/checkpoint"), std::string("keys/log.vkey"), "items/" + testimony_,
        "items/" + recording_}) {
    EXPECT_TRUE(set.count(p)) << p;
  }
  json manifest = json::parse(FindMember(members, "manifest.json")->data);
  const std::string exporter_key =
      "keys/alice-" + manifest["exporter"]["key_id"].get<std::string>() + ".minisign.pub";
  EXPECT_TRUE(set.count(exporter_key));
  EXPECT_EQ(manifest["format"], "amanat-bundle/1");
  EXPECT_EQ(manifest["purpose"], "hearing of 2024-06-01");
  EXPECT_EQ(manifest["items"][0]["metadata"]["witness"], "W-7K3F9Q");
  // Entries are stored one per line, exactly as the vault's log holds them.
  RunResult log = RunV({"log", "--json"});
  json vault_log = ParseJson(log);
  std::string jsonl = FindMember(members, "custody/events.jsonl")->data;
  for (const auto& e : vault_log) {
    if (e["action"] == "init" || e["action"] == "ingest" || e["action"] == "access" ||
        e["action"] == "export") {
      EXPECT_NE(jsonl.find(e["entry"].get<std::string>() + "\n"), std::string::npos) << e["action"];
    }
  }
  EXPECT_EQ(vault_log.back()["action"], "export");

  // unzip, then the standard tools a lawyer would use.
  std::string dir = Path("unpacked");
  RunResult unzip = RunProgram("/usr/bin/unzip", {"-q", bundle, "-d", dir});
  ASSERT_EQ(unzip.exit_code, 0) << unzip;
  RunOptions in_dir;
  in_dir.cwd = dir;
  RunResult sums = RunProgram("/usr/bin/sha256sum", {"-c", "SHA256SUMS"}, in_dir);
  EXPECT_EQ(sums.exit_code, 0) << sums;
  EXPECT_EQ(std::count(sums.out.begin(), sums.out.end(), '\n'), static_cast<long>(paths.size() - 1));
  RunResult mini = RunProgram("/usr/bin/minisign", {"-Vm", "manifest.json", "-p", exporter_key}, in_dir);
  EXPECT_EQ(mini.exit_code, 0) << mini;
  EXPECT_NE(mini.out.find("Signature and comment signature verified"), std::string::npos) << mini;
  RunResult cp = RunAmanat({"checkpoint", "verify", "--key", dir + "/keys/log.vkey",
                            dir + "/custody/checkpoint"});
  EXPECT_EQ(cp.exit_code, 0) << cp;
  // An independent check of schemas, signatures, the checkpoint and every proof.
  RunResult py = RunProgram("/usr/bin/python3",
                            {TestDataDir() + "/schema/validate_bundle.py", SchemaDir(), dir});
  EXPECT_EQ(py.exit_code, 0) << py;
  EXPECT_NE(py.out.find("validate_bundle: OK (2 items"), std::string::npos) << py;
  // The items are the original bytes.
  EXPECT_EQ(Sha256SumOfFile(dir + "/items/" + recording_), recording_);
  // README.txt tells a lawyer which commands to run, with this bundle's file names.
  std::string readme = ReadFileBytes(dir + "/README.txt");
  EXPECT_NE(readme.find("sha256sum -c SHA256SUMS"), std::string::npos);
  EXPECT_NE(readme.find("minisign -Vm manifest.json -p " + exporter_key), std::string::npos);
  EXPECT_NE(readme.find(manifest["source"]["log_key"].get<std::string>()), std::string::npos);

  // The vault still verifies, with the export on record.
  RunResult verify = RunV({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify;
}

TEST_F(BundleTest, VerifyBundleReport) {
  std::string bundle = Export("b.zip");
  RunResult r = VerifyBundle(bundle);
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("✓ " + testimony_), std::string::npos) << r;
  EXPECT_NE(r.out.find("✓ " + recording_), std::string::npos) << r;
  EXPECT_NE(r.out.find("statement-01.txt"), std::string::npos);
  EXPECT_NE(r.out.find("purpose: translation"), std::string::npos);  // the access, in the timeline
  EXPECT_NE(r.out.find("export"), std::string::npos);
  EXPECT_NE(r.out.find("keys relied on:"), std::string::npos);
  EXPECT_NE(r.out.find("result: VERIFIED"), std::string::npos);

  RunResult j = VerifyBundle(bundle, {"--json"});
  ASSERT_EQ(j.exit_code, 0) << j;
  json report = ParseJson(j);
  EXPECT_EQ(report["ok"], true);
  EXPECT_EQ(report["items"].size(), 2u);
  EXPECT_TRUE(report["items"][0]["ok"].get<bool>());
  std::vector<std::string> actions;
  for (const auto& e : report["timeline"]) actions.push_back(e["action"]);
  EXPECT_EQ(actions, (std::vector<std::string>{"init", "ingest", "ingest", "access", "export"}));
  ASSERT_EQ(report["signers"].size(), 2u);
  EXPECT_EQ(report["signers"][0]["kind"], "log");
  EXPECT_EQ(report["signers"][1]["kind"], "custodian");
  EXPECT_EQ(report["signers"][1]["name"], "alice");
  EXPECT_NE(report["signers"][1]["used_for"].get<std::string>().find("manifest"), std::string::npos);
  EXPECT_TRUE(report["problems"].empty());
}

TEST_F(BundleTest, ExportOfOneItemCarriesOnlyItsEvents) {
  std::string bundle = Export("one.zip", {recording_});
  RunResult j = VerifyBundle(bundle, {"--json"});
  ASSERT_EQ(j.exit_code, 0) << j;
  json report = ParseJson(j);
  ASSERT_EQ(report["items"].size(), 1u);
  for (const auto& e : report["timeline"]) {
    for (const auto& s : e["subjects"]) EXPECT_EQ(s, recording_) << e;  // never the testimony
  }
  std::string jsonl = MemberData(bundle, "custody/events.jsonl");
  EXPECT_EQ(jsonl.find(testimony_), std::string::npos);
}

TEST_F(BundleTest, TrustAcceptsTheRightKeysAndNamesOthers) {
  std::string bundle = Export("b.zip");
  std::vector<Member> members = ReadMembers(bundle);
  std::string log_key, alice_key;
  for (const auto& m : members) {
    if (m.path == "keys/log.vkey") log_key = m.data;
    if (m.path.rfind("keys/alice-", 0) == 0 && m.path.size() > 5 &&
        m.path.substr(m.path.size() - 5) == ".vkey") {
      alice_key = m.data;
    }
  }
  ASSERT_FALSE(log_key.empty());
  ASSERT_FALSE(alice_key.empty());
  std::string alice_file = MakeFile("alice.vkey", alice_key);
  log_key.pop_back();  // as text on the command line, without the newline
  RunResult ok = VerifyBundle(bundle, {"--trust", log_key, "--trust", alice_file});
  EXPECT_EQ(ok.exit_code, 0) << ok;
  EXPECT_NE(ok.out.find("[trusted]"), std::string::npos);
  EXPECT_EQ(ok.out.find("NOT TRUSTED"), std::string::npos);

  // Only the log key: alice's signatures are relied on but not trusted.
  RunResult partial = VerifyBundle(bundle, {"--trust", log_key});
  EXPECT_AMANAT_ERROR(partial, 1, "not trusted: custodian key");
  EXPECT_NE(partial.out.find("[NOT TRUSTED]"), std::string::npos);

  // Another vault's keys trust nothing here.
  std::string other = Path("other-vault");
  InitVault(other, "zoe");
  RunResult key = RunAmanat({"--vault", other, "--passphrase-file", pass_file(), "key", "show", "--json"});
  ASSERT_EQ(key.exit_code, 0) << key;
  std::string other_log = ParseJson(key)["log_key"].get<std::string>();
  RunResult wrong = VerifyBundle(bundle, {"--trust", other_log});
  EXPECT_AMANAT_ERROR(wrong, 1, "not trusted: log key");

  RunResult bad = VerifyBundle(bundle, {"--trust", "not a key"});
  EXPECT_AMANAT_ERROR(bad, 2, "--trust");
}

TEST_F(BundleTest, AgainstOlderCheckpoints) {
  std::string first = Export("first.zip");
  std::string first_cp = MakeFile("first.checkpoint", MemberData(first, "custody/checkpoint"));
  RunResult g = RunV({"get", recording_, "-o", Path("rec.wav"), "--purpose", "expert review"});
  ASSERT_EQ(g.exit_code, 0) << g;
  // A checkpoint that left by other means, at a size no bundle closed.
  RunResult cp = RunV({"checkpoint", "-o", Path("daily.checkpoint")});
  ASSERT_EQ(cp.exit_code, 0) << cp;
  RunResult a = RunV({"annotate", testimony_, "--note", "date checked"});
  ASSERT_EQ(a.exit_code, 0) << a;
  std::string second = Export("second.zip");

  RunResult ok = VerifyBundle(second, {"--against", first_cp});
  EXPECT_EQ(ok.exit_code, 0) << ok;
  EXPECT_NE(ok.out.find("against " + first_cp + ": OK"), std::string::npos) << ok;
  // The same checkpoint: compared directly.
  RunResult same = VerifyBundle(first, {"--against", first_cp});
  EXPECT_EQ(same.exit_code, 0) << same;
  // No proof from that size in the bundle: named, and a failure.
  RunResult daily = VerifyBundle(second, {"--against", Path("daily.checkpoint")});
  EXPECT_AMANAT_ERROR(daily, 1, "no consistency proof from size");
  // Newer than the bundle.
  std::string second_cp = MakeFile("second.checkpoint", MemberData(second, "custody/checkpoint"));
  RunResult newer = VerifyBundle(first, {"--against", second_cp});
  EXPECT_AMANAT_ERROR(newer, 1, "newer");
  // Another vault's checkpoint.
  std::string other = Path("other-vault");
  InitVault(other, "zoe");
  RunResult foreign = VerifyBundle(second, {"--against", other + "/checkpoints/latest"});
  EXPECT_AMANAT_ERROR(foreign, 1, "not in this bundle");
}

TEST_F(BundleTest, RolesAndErrors) {
  // A collector exports only what they collected; a reviewer exports anything.
  std::string bob_pass = MakeFile("bob.pass", "bob's passphrase\n");
  std::string rita_pass = MakeFile("rita.pass", "rita's passphrase\n");
  ASSERT_EQ(RunV({"custodian", "add", "bob", "--role", "collector", "--new-passphrase-file", bob_pass,
                  "--kdf", "insecure-fast"}).exit_code, 0);
  auto as_alice = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--custodian", "alice"});
    return RunV(args);
  };
  ASSERT_EQ(as_alice({"custodian", "add", "rita", "--role", "reviewer", "--new-passphrase-file",
                  rita_pass, "--kdf", "insecure-fast"}).exit_code, 0);
  RunResult bob = Run({"--vault", vault(), "--passphrase-file", bob_pass, "--custodian", "bob",
                       "export", testimony_, "-o", Path("bob.zip")});
  EXPECT_AMANAT_ERROR(bob, 3, "not allowed for bob");
  EXPECT_FALSE(std::filesystem::exists(Path("bob.zip")));
  RunResult rita = Run({"--vault", vault(), "--passphrase-file", rita_pass, "--custodian", "rita",
                        "export", testimony_, "-o", Path("rita.zip"), "--purpose", "review"});
  EXPECT_EQ(rita.exit_code, 0) << rita;
  RunResult rv = VerifyBundle(Path("rita.zip"));
  EXPECT_EQ(rv.exit_code, 0) << rv;
  EXPECT_NE(rv.out.find("by rita"), std::string::npos);

  EXPECT_AMANAT_ERROR(as_alice({"export", "0123456789abcdef", "-o", Path("x.zip")}), 4, "no item");
  EXPECT_AMANAT_ERROR(as_alice({"export", testimony_}), 2, "--output");
  // An existing output is refused before anything is recorded.
  std::string exists = MakeFile("exists.zip", "x");
  size_t events = ParseJson(as_alice({"log", "--json"})).size();
  EXPECT_AMANAT_ERROR(as_alice({"export", testimony_, "-o", exists}), 2, "already exists");
  EXPECT_AMANAT_ERROR(as_alice({"export", testimony_, "-o", Path("no/such/dir/x.zip")}), 4, "no such file");
  EXPECT_EQ(ParseJson(as_alice({"log", "--json"})).size(), events);
  EXPECT_EQ(ReadFileBytes(exists), "x");

  EXPECT_AMANAT_ERROR(VerifyBundle(Path("nothing.zip")), 4, "nothing.zip");
  EXPECT_AMANAT_ERROR(VerifyBundle(dir()), 2, "not a regular file");
}

// No command derives items yet (issue P4); a derive event made through the library stands in
// for one, as a later `amanat derive` would record it.
TEST_F(BundleTest, WithDerivedFollowsSignedParents) {
  std::string transcript = AddFile(MakeFile("transcript-01.txt", "Transcript of statement 01.\n"),
                                   {"--kind", "document"});
  {
    auto v = vault::Vault::Open(vault(), "", [&](const vault::KeySlot&) {
      return Result<crypto::SecretBytes>(crypto::SecretBytes::Copy(AsBytes(std::string(kPassphrase))));
    });
    ASSERT_TRUE(v.ok()) << v.status().message();
    auto tx = vault::Transaction::Begin((*v)->db());
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE((*v)->Record("derive", {transcript}, "", {{"relation", "transcript"}}, {testimony_}).ok());
    ASSERT_TRUE((*v)->Commit(*tx).ok());
  }
  RunResult plain = RunV({"export", testimony_, "-o", Path("plain.zip")});
  ASSERT_EQ(plain.exit_code, 0) << plain;
  json p = ParseJson(VerifyBundle(Path("plain.zip"), {"--json"}));
  EXPECT_EQ(p["items"].size(), 1u);

  RunResult with = RunV({"export", testimony_, "-o", Path("with.zip"), "--with-derived"});
  ASSERT_EQ(with.exit_code, 0) << with;
  RunResult r = VerifyBundle(Path("with.zip"));
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_NE(r.out.find("✓ " + transcript), std::string::npos) << r;
  EXPECT_NE(r.out.find(testimony_.substr(0, 12) + " -> " + transcript.substr(0, 12) + " (transcript)"),
            std::string::npos) << r;
  json j = ParseJson(VerifyBundle(Path("with.zip"), {"--json"}));
  ASSERT_EQ(j["provenance"].size(), 1u);
  EXPECT_EQ(j["provenance"][0]["parent"], testimony_);
  EXPECT_EQ(j["provenance"][0]["child"], transcript);
  EXPECT_EQ(j["provenance"][0]["relation"], "transcript");

  // The provenance in the manifest must be the signed one.
  std::vector<Member> t = ReadMembers(Path("with.zip"));
  std::string& manifest = FindMember(t, "manifest.json")->data;
  manifest.replace(manifest.find("\"relation\": \"transcript\""), 26, "\"relation\": \"translatio\"");
  WriteMembers(Path("t.zip"), t);
  EXPECT_AMANAT_ERROR(VerifyBundle(Path("t.zip")), 1, "manifest.json");
}

// Content is re-hashed on its way into the bundle: damaged storage leaves no file behind.
TEST_F(BundleTest, DamagedContentLeavesNoBundle) {
  {
    auto v = vault::Vault::Open(vault(), "", [&](const vault::KeySlot&) {
      return Result<crypto::SecretBytes>(crypto::SecretBytes::Copy(AsBytes(std::string(kPassphrase))));
    });
    ASSERT_TRUE(v.ok()) << v.status().message();
    vault::Db& db = (*v)->db();
    ASSERT_TRUE(db.Exec("DROP TRIGGER chunks_no_update").ok());
    auto st = db.Prepare("UPDATE chunks SET data = zeroblob(length(data)) WHERE blob_id = "
                         "(SELECT blob_id FROM items WHERE id = ?)");
    ASSERT_TRUE(st.ok());
    ASSERT_TRUE(st->Bind(1, recording_).Run().ok());
  }
  RunResult r = RunV({"export", testimony_, recording_, "-o", Path("damaged.zip")});
  EXPECT_AMANAT_ERROR(r, 1, "does not match its SHA-256");
  EXPECT_FALSE(std::filesystem::exists(Path("damaged.zip")));
  for (const auto& f : FilesUnder(dir())) EXPECT_EQ(f.find("damaged.zip"), std::string::npos) << f;
}

TEST_F(BundleTest, VerifyBundleWritesNothing) {
  std::string bundle = Export("b.zip");
  std::string work = Path("work");
  std::filesystem::create_directory(work);
  RunOptions o;
  o.cwd = work;
  std::vector<std::string> before = FilesUnder(dir());
  RunResult r = RunAmanat({"verify-bundle", bundle}, o);
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(FilesUnder(dir()), before);
  EXPECT_TRUE(std::filesystem::is_empty(work));
}

}  // namespace
}  // namespace amanat::testing
