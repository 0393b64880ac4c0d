// End-to-end tests of sealed content (issue P4 item 3, `init --field --hq-keys F
// --seal-content`; docs/format/hq-keys.md, "Sealed content"): in such a field vault, item
// content is stored only as age files encrypted to HQ's identity key, so that nothing the
// field passphrase unlocks yields testimony text; HQ imports the bundle, opens the items with
// the unseal grant and gets the exact bytes back.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "crypto/age.h"
#include "crypto/box.h"
#include "crypto/encoding.h"
#include "tests/bundle_test_util.h"
#include "tests/cli_runner.h"
#include "tests/field_test_util.h"
#include "vault/db.h"
#include "vault/witnesses.h"

namespace amanat::testing {
namespace {

using nlohmann::json;

constexpr size_t kScanWindow = 16;

// Every 16-byte window of `secret`, for finding any of them in `haystack` in one pass.
class Windows {
 public:
  explicit Windows(const std::string& secret) : secret_(secret) {
    for (size_t i = 0; i + kScanWindow <= secret_.size(); ++i) {
      set_.insert(std::string_view(secret_).substr(i, kScanWindow));
    }
  }
  // The offset in `haystack` of the first window found, or npos.
  size_t FindIn(const std::string& haystack) const {
    for (size_t i = 0; i + kScanWindow <= haystack.size(); ++i) {
      if (set_.count(std::string_view(haystack).substr(i, kScanWindow))) return i;
    }
    return std::string::npos;
  }
  size_t size() const { return set_.size(); }

 private:
  std::string secret_;
  std::unordered_set<std::string_view> set_;
};

class SealContent : public CliTest {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::InitCrypto()); }

  void SetUp() override {
    CliTest::SetUp();
    hq_ = Path("hq");
    field_ = Path("field");
    hq_pass_ = MakeFile("hq-pass", "passphrase of HQ (test)\n");
    InitVault(hq_, "amina", hq_pass_);
    RunResult k = Hq({"key", "export-hq", "-o", Path("hq-keys.json")});
    ASSERT_EQ(k.exit_code, 0) << k;
    hq_keys_ = json::parse(ReadFileBytes(Path("hq-keys.json")));
    testimony_ = ReadFileBytes(FixturePath("testimony-omir-bekali.txt"));
    ASSERT_GT(testimony_.size(), 10000u);
  }

  // Public so that tests can name them as member pointers.
 public:
  RunResult Hq(std::vector<std::string> args) { return In(hq_, "amina", hq_pass_, args); }
  RunResult Field(std::vector<std::string> args) { return In(field_, "bakyt", pass_file(), args); }
  RunResult In(const std::string& v, const std::string& who, const std::string& pass,
               const std::vector<std::string>& args) {
    std::vector<std::string> all = {"--vault", v, "--passphrase-file", pass, "--custodian", who};
    all.insert(all.end(), args.begin(), args.end());
    return RunAmanat(all);
  }

 protected:
  RunResult InitField(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"init", "--vault", field_, "--custodian", "bakyt", "--kdf",
                                     "insecure-fast", "--passphrase-file", pass_file(), "--field",
                                     "--hq-keys", Path("hq-keys.json")};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunAmanat(args);
  }

  // Adds the testimony fixture; returns its ID.
  std::string AddTestimony(RunResult (SealContent::*as)(std::vector<std::string>)) {
    RunResult r = (this->*as)({"add", FixturePath("testimony-omir-bekali.txt"), "--kind",
                               "testimony"});
    EXPECT_EQ(r.exit_code, 0) << r;
    return r.out.size() >= 64 ? r.out.substr(0, 64) : "";
  }

  // HQ's identity key as an age recipient.
  std::string HqRecipient() const {
    auto pk = crypto::Base64DecodeFixed<32>(hq_keys_["identity_key"].get<std::string>());
    EXPECT_TRUE(pk.ok());
    return pk.ok() ? crypto::AgeRecipient::FromPublicKey(*pk).ToString() : "";
  }

  // The database (every column of every table, read with the key the passphrase unlocks) and
  // every file under the vault directory, as one string.
  std::string EverythingInField() {
    std::string all = DumpVaultDatabase(field_, "bakyt", pass_file());
    EXPECT_GT(all.size(), 1000u);
    for (const auto& f : FilesUnder(field_)) all += ReadFileBytes(f) + "\n";
    return all;
  }

  std::string EventDetails(RunResult (SealContent::*as)(std::vector<std::string>),
                           const std::string& action, json* out) {
    RunResult r = (this->*as)({"log", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r;
    json log = json::parse(r.out, nullptr, false);
    if (!log.is_array()) return "log is not JSON";
    for (const auto& e : log) {
      if (e["action"] == action) *out = e["details"];
    }
    return "";
  }

  std::string hq_, field_, hq_pass_, testimony_;
  json hq_keys_;
};

TEST_F(SealContent, SealContentGoesWithFieldAndIsSigned) {
  RunResult bad = RunAmanat({"init", "--vault", field_, "--custodian", "bakyt", "--kdf",
                             "insecure-fast", "--passphrase-file", pass_file(), "--seal-content"});
  EXPECT_AMANAT_ERROR(bad, 2, "--seal-content goes with --field");
  EXPECT_FALSE(std::filesystem::exists(field_ + "/keyslots.json"));
  RunResult r = InitField({"--seal-content", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(ParseJson(r)["seal_content"], true);
  json init;
  EXPECT_EQ(EventDetails(&SealContent::Field, "init", &init), "");
  EXPECT_EQ(init["seal_content"], true);
  EXPECT_EQ(init["hq"]["identity_key"], hq_keys_["identity_key"]);
  // A field vault without it records nothing of the kind.
  std::filesystem::remove_all(field_);
  ASSERT_EQ(InitField({}).exit_code, 0);
  json plain;
  EXPECT_EQ(EventDetails(&SealContent::Field, "init", &plain), "");
  EXPECT_FALSE(plain.contains("seal_content")) << plain;
}

TEST_F(SealContent, FieldPassphraseYieldsNoTestimonyText) {
  ASSERT_EQ(InitField({"--seal-content"}).exit_code, 0);
  const std::string id = AddTestimony(&SealContent::Field);
  ASSERT_EQ(id, Sha256SumOf(testimony_));  // the ID stays the plaintext's SHA-256
  // The same bytes again: stored once, recorded twice.
  RunResult again = Field({"add", FixturePath("testimony-omir-bekali.txt"), "--json"});
  ASSERT_EQ(again.exit_code, 0) << again;
  EXPECT_EQ(ParseJson(again)[0]["already_present"], true) << again;
  // A large item (streamed through several chunks) with the testimony inside, a batch of two
  // small ones (the whole-item path), and a derived item: all sealed.
  std::string big = PseudoRandomBytes(1500000, 7) + testimony_ + PseudoRandomBytes(1200000, 8);
  RunResult big_add = Field({"add", MakeFile("big.bin", big)});
  ASSERT_EQ(big_add.exit_code, 0) << big_add;
  const std::string half = testimony_.substr(0, testimony_.size() / 2);
  RunResult batch = Field({"add", MakeFile("a.txt", half), MakeFile("b.txt", testimony_ + "\n")});
  ASSERT_EQ(batch.exit_code, 0) << batch;
  RunResult derived = Field({"derive", id.substr(0, 12), MakeFile("tr.txt", "translation: " + half),
                             "--relation", "translation"});
  ASSERT_EQ(derived.exit_code, 0) << derived;
  for (const auto& f : {"big.bin", "a.txt", "b.txt", "tr.txt"}) std::filesystem::remove(Path(f));

  // Nothing reads the plaintext here: exit 3 with the one error line, nothing written.
  const std::string sealed_msg = "item " + id.substr(0, 8) + "… is sealed to HQ (" +
                                 hq_keys_["origin"].get<std::string>() +
                                 "): its content cannot be opened in this vault";
  EXPECT_AMANAT_ERROR(Field({"get", id.substr(0, 12), "-o", Path("out.txt"), "--purpose", "x"}),
                      3, sealed_msg);
  EXPECT_FALSE(std::filesystem::exists(Path("out.txt")));
  EXPECT_AMANAT_ERROR(Field({"get", id, "-o", "-"}), 3, sealed_msg);
  EXPECT_AMANAT_ERROR(Field({"redact", id, "--spans", "0:5", "-o", Path("red.txt")}), 3,
                      sealed_msg);
  EXPECT_AMANAT_ERROR(Field({"redact", id, "--terms", MakeFile("terms", "Bekali\n")}), 3,
                      sealed_msg);
  EXPECT_AMANAT_ERROR(Field({"report", id, "-o", Path("r.html")}), 3, sealed_msg);
  EXPECT_FALSE(std::filesystem::exists(Path("r.html")));
  // Metadata, the log and provenance work; no access was recorded for the refused reads.
  EXPECT_EQ(Field({"show", id}).exit_code, 0);
  EXPECT_EQ(Field({"show", id, "--json"}).exit_code, 0);
  EXPECT_EQ(Field({"ls", "--json"}).exit_code, 0);
  EXPECT_EQ(Field({"provenance", id}).exit_code, 0);
  json access;
  EXPECT_EQ(EventDetails(&SealContent::Field, "access", &access), "");
  EXPECT_TRUE(access.is_null()) << access;
  json ingest;
  EXPECT_EQ(EventDetails(&SealContent::Field, "ingest", &ingest), "");
  ASSERT_TRUE(ingest.contains("sealed")) << ingest;
  EXPECT_EQ(ingest["sealed"]["format"], "age");
  EXPECT_EQ(ingest["sealed"]["sha256"].get<std::string>().size(), 64u);

  RunResult full = Field({"verify", "--full"});
  EXPECT_EQ(full.exit_code, 0) << full;
  EXPECT_NE(full.out.find("5 sealed to HQ"), std::string::npos) << full;

  // Someone with the passphrase reads the database and every file directly: not one 16-byte
  // window of the testimony anywhere.
  Windows windows(testimony_);
  ASSERT_GT(windows.size(), 10000u);
  const std::string everything = EverythingInField();
  const size_t at = windows.FindIn(everything);
  EXPECT_EQ(at, std::string::npos) << "testimony text in the field vault at offset " << at;

  // A flipped byte in a sealed blob fails verify --full, naming the item.
  {
    auto v = OpenVaultAs(field_, "bakyt", pass_file());
    ASSERT_NE(v, nullptr);
    ASSERT_TRUE(v->db().Exec("DROP TRIGGER chunks_no_update").ok());
    Status s = v->db().Exec(
        "UPDATE chunks SET data = substr(data, 1, 200) || X'00' || substr(data, 202) WHERE seq = 0 "
        "AND blob_id = (SELECT blob_id FROM items WHERE id = '" + id + "')");
    ASSERT_TRUE(s.ok()) << s.message();
  }
  RunResult broken = Field({"verify", "--full"});
  EXPECT_EQ(broken.exit_code, 1) << broken;
  EXPECT_NE(broken.out.find("item " + id + ": stored sealed content"), std::string::npos)
      << broken;
}

TEST_F(SealContent, RemovedSealContentSettingIsRefusedBeforeStoring) {
  // Someone holding the field passphrase deletes meta.seal_content (or swaps HQ's key in
  // meta.hq_keys), so that new content would be stored in plaintext or sealed to them: the
  // signed init event is the reference, and nothing is stored.
  ASSERT_EQ(InitField({"--seal-content"}).exit_code, 0);
  ASSERT_FALSE(AddTestimony(&SealContent::Field).empty());
  {
    auto v = OpenVaultAs(field_, "bakyt", pass_file());
    ASSERT_NE(v, nullptr);
    ASSERT_TRUE(v->db().Exec("DELETE FROM meta WHERE key = 'seal_content'").ok());
  }
  const std::string more = MakeFile("more.txt", testimony_.substr(0, 4000));
  EXPECT_AMANAT_ERROR(Field({"add", more}), 1,
                      "meta.seal_content is not what the signed init event recorded");
  EXPECT_AMANAT_ERROR(Field({"derive", Sha256SumOf(testimony_), more, "--relation", "excerpt"}),
                      1, "meta.seal_content is not what the signed init event recorded");
  EXPECT_EQ(ParseJson(Field({"ls", "--json"})).size(), 1u);
  // verify names it too.
  RunResult v1 = Field({"verify"});
  EXPECT_EQ(v1.exit_code, 1) << v1;
  EXPECT_TRUE(Contains(v1.out, "vault.db: meta.seal_content is not what the signed init event "
                               "recorded")) << v1;
  {
    auto v = OpenVaultAs(field_, "bakyt", pass_file());
    ASSERT_NE(v, nullptr);
    const std::string theirs =
        crypto::Base64Encode(crypto::BoxKeyPair::Generate().public_key());
    json hq = hq_keys_;
    hq.erase("signature");
    hq["identity_key"] = theirs;
    ASSERT_TRUE(v->db().Exec("INSERT INTO meta(key, value) VALUES('seal_content', 'true')").ok());
    ASSERT_TRUE(v->db().Exec("UPDATE meta SET value = '" + hq.dump() + "' WHERE key = 'hq_keys'").ok());
  }
  EXPECT_AMANAT_ERROR(Field({"add", more}), 1,
                      "HQ's identity key is not the one the signed init event recorded");
  EXPECT_EQ(ParseJson(Field({"ls", "--json"})).size(), 1u);
  RunResult v2 = Field({"verify"});
  EXPECT_EQ(v2.exit_code, 1) << v2;
  EXPECT_TRUE(Contains(v2.out, "vault.db: meta.hq_keys is not what the signed init event "
                               "recorded")) << v2;
  EXPECT_FALSE(Contains(v2.out, "meta.seal_content")) << v2;
}

TEST_F(SealContent, TheScanFindsTestimonyInAFieldVaultWithoutSealContent) {
  // The control for the test above: without --seal-content the field vault stores the text
  // as it always did (under the vault key), and the same scan finds it.
  ASSERT_EQ(InitField({}).exit_code, 0);
  const std::string id = AddTestimony(&SealContent::Field);
  EXPECT_EQ(Windows(testimony_).FindIn(EverythingInField()) == std::string::npos, false);
  RunResult get = Field({"get", id, "-o", "-", "--purpose", "read back"});
  EXPECT_EQ(get.exit_code, 0) << get;
  EXPECT_TRUE(get.out == testimony_);
  json ingest;
  EXPECT_EQ(EventDetails(&SealContent::Field, "ingest", &ingest), "");
  EXPECT_FALSE(ingest.contains("sealed")) << ingest;
}

// A --seal-content field vault with a witness and the testimony naming them, exported to HQ.
class SealedBundle : public SealContent {
 protected:
  void SetUp() override {
    SealContent::SetUp();
    ASSERT_EQ(InitField({"--seal-content"}).exit_code, 0);
    json rec = {{"name", "a witness"}, {"consent", {{"court", true}}}};
    RunResult w = Field({"witness", "add", "--from", MakeFile("w.json", rec.dump())});
    ASSERT_EQ(w.exit_code, 0) << w;
    w_ = w.out.substr(0, w.out.find('\n'));
    RunResult r = Field({"add", FixturePath("testimony-omir-bekali.txt"), "--kind", "testimony",
                         "--witness", w_});
    ASSERT_EQ(r.exit_code, 0) << r;
    id_ = r.out.substr(0, 64);
    bundle_ = Path("to-hq.zip");
    RunResult e = Field({"export", id_, "-o", bundle_, "--purpose", "to HQ",
                         "--include-identities"});
    ASSERT_EQ(e.exit_code, 0) << e;
    member_ = "items/" + id_ + ".age";
  }

  std::string w_, id_, bundle_, member_;
};

TEST_F(SealedBundle, BundleCarriesTheSealedBytesAndVerifies) {
  const std::string age = MemberData(bundle_, member_);
  ASSERT_GT(age.size(), testimony_.size());
  EXPECT_TRUE(crypto::IsAgeFile(AsBytes(age)));
  for (const auto& m : ReadMembers(bundle_)) EXPECT_NE(m.path, "items/" + id_);
  std::string all;
  for (const auto& m : ReadMembers(bundle_)) all += m.data;
  EXPECT_EQ(Windows(testimony_).FindIn(all), std::string::npos);

  json manifest = json::parse(MemberData(bundle_, "manifest.json"));
  ASSERT_EQ(manifest["items"].size(), 1u);
  const json& item = manifest["items"][0];
  EXPECT_EQ(item["id"], id_);
  EXPECT_EQ(item["size"], testimony_.size());
  EXPECT_EQ(item["sealed"]["format"], "age");
  EXPECT_EQ(item["sealed"]["sha256"], Sha256SumOf(age));
  EXPECT_EQ(item["sealed"]["size"], age.size());
  EXPECT_EQ(item["sealed"]["to"], HqRecipient());
  json ingest;
  EXPECT_EQ(EventDetails(&SealContent::Field, "ingest", &ingest), "");
  EXPECT_EQ(ingest["sealed"]["sha256"], item["sealed"]["sha256"]);
  EXPECT_NE(MemberData(bundle_, "SHA256SUMS").find(Sha256SumOf(age) + "  " + member_),
            std::string::npos);

  RunResult vb = Run({"verify-bundle", bundle_});
  EXPECT_EQ(vb.exit_code, 0) << vb;
  EXPECT_NE(vb.out.find("can only be checked by HQ"), std::string::npos) << vb;
  std::string dir = Path("unzipped");
  std::filesystem::create_directory(dir);
  RunOptions in_dir;
  in_dir.cwd = dir;
  ASSERT_EQ(RunProgram("/usr/bin/unzip", {"-q", bundle_}, in_dir).exit_code, 0);
  RunResult sums = RunProgram("/usr/bin/sha256sum", {"-c", "SHA256SUMS"}, in_dir);
  EXPECT_EQ(sums.exit_code, 0) << sums;
  EXPECT_NE(sums.out.find(member_ + ": OK"), std::string::npos) << sums;
  RunResult py = RunProgram("/usr/bin/python3", {TestDataDir() + "/schema/validate_bundle.py",
                                                 TestDataDir() + "/../schemas", dir});
  EXPECT_EQ(py.exit_code, 0) << py;
  // The validator checks the sealed member too: a changed byte (with SHA256SUMS updated to
  // match) is found.
  std::string changed = age;
  changed[changed.size() - 1] ^= 1;
  WriteFileBytes(dir + "/" + member_, changed);
  std::string list = ReadFileBytes(dir + "/SHA256SUMS");
  const size_t at = list.find(Sha256SumOf(age));
  ASSERT_NE(at, std::string::npos);
  list.replace(at, 64, Sha256SumOf(changed));
  WriteFileBytes(dir + "/SHA256SUMS", list);
  py = RunProgram("/usr/bin/python3", {TestDataDir() + "/schema/validate_bundle.py",
                                       TestDataDir() + "/../schemas", dir});
  EXPECT_EQ(py.exit_code, 1) << py;
  EXPECT_NE(py.err.find(member_ + ": SHA-256 or size differs from the manifest"), std::string::npos)
      << py;
}

TEST_F(SealedBundle, HqWithUnsealImportsAndGetsTheExactBytes) {
  // A collector at HQ without the unseal grant: refused, nothing stored, nothing recorded.
  std::string rita_pass = MakeFile("rita.pass", "rita's passphrase\n");
  ASSERT_EQ(Hq({"custodian", "add", "rita", "--role", "collector", "--new-passphrase-file",
                rita_pass, "--kdf", "insecure-fast"})
                .exit_code,
            0);
  RunResult refused = In(hq_, "rita", rita_pass, {"import", bundle_, "--purpose", "from field"});
  EXPECT_AMANAT_ERROR(refused, 3, "unseal grant");
  EXPECT_EQ(ParseJson(Hq({"ls", "--json"})).size(), 0u);
  json none;
  EXPECT_EQ(EventDetails(&SealContent::Hq, "import", &none), "");
  EXPECT_TRUE(none.is_null()) << none;

  RunResult imp = Hq({"import", bundle_, "--purpose", "from the field"});
  ASSERT_EQ(imp.exit_code, 0) << imp;
  EXPECT_NE(imp.out.find(id_ + "  stored (was sealed to HQ"), std::string::npos) << imp;
  RunResult get = Hq({"get", id_.substr(0, 12), "-o", Path("back.txt"), "--purpose", "review"});
  ASSERT_EQ(get.exit_code, 0) << get;
  EXPECT_TRUE(ReadFileBytes(Path("back.txt")) == testimony_);
  json details;
  EXPECT_EQ(EventDetails(&SealContent::Hq, "import", &details), "");
  ASSERT_EQ(details["unsealed"].size(), 1u) << details;
  EXPECT_EQ(details["unsealed"][0]["id"], id_);
  EXPECT_EQ(details["unsealed"][0]["sealed"]["to"], HqRecipient());
  EXPECT_EQ(Hq({"verify", "--full"}).exit_code, 0);
  // HQ's events, with the new details, and the field vault's, are valid against the schema.
  for (auto as : {&SealContent::Hq, &SealContent::Field}) {
    std::string log = MakeFile("log.json", (this->*as)({"log", "--json"}).out);
    RunResult val = RunProgram("/usr/bin/python3",
                               {TestDataDir() + "/schema/validate_events.py",
                                TestDataDir() + "/../schemas/custody-event.schema.json", log});
    EXPECT_EQ(val.exit_code, 0) << val;
  }
  // HQ passes the item on in plaintext, with the field vault's record: that bundle verifies.
  RunResult again = Hq({"export", id_, "-o", Path("from-hq.zip"), "--purpose", "to counsel"});
  ASSERT_EQ(again.exit_code, 0) << again;
  EXPECT_TRUE(MemberData(Path("from-hq.zip"), "items/" + id_) == testimony_);
  RunResult vb = Run({"verify-bundle", Path("from-hq.zip")});
  EXPECT_EQ(vb.exit_code, 0) << vb;
}

TEST_F(SealedBundle, ChangedSealedMemberFailsVerificationAndImport) {
  auto members = ReadMembers(bundle_);
  Member* m = FindMember(members, member_);
  ASSERT_NE(m, nullptr);
  m->data[m->data.size() - 20] ^= 1;
  const std::string bad = Path("changed.zip");
  WriteMembers(bad, members);
  RunResult vb = Run({"verify-bundle", bad});
  EXPECT_EQ(vb.exit_code, 1) << vb;
  EXPECT_NE(vb.out.find(member_ + ": sealed content changed"), std::string::npos) << vb;
  RunResult imp = Hq({"import", bad, "--purpose", "from the field"});
  EXPECT_EQ(imp.exit_code, 1) << imp;
  EXPECT_EQ(ParseJson(Hq({"ls", "--json"})).size(), 0u);
}

TEST_F(SealContent, HqRefusesSealedContentThatIsNotTheItemItClaims) {
  // A field device that lies: its custodian signs an ingest event for the testimony's ID and
  // size whose sealed record is an age file (to HQ) of other bytes. Everything the field side
  // signed agrees with itself, so verify-bundle passes; only HQ, opening the file, can see it,
  // and refuses: exit 1, nothing stored.
  ASSERT_EQ(InitField({"--seal-content"}).exit_code, 0);
  const std::string id = Sha256SumOf(testimony_);
  std::string other = testimony_;  // same size, one byte changed: only the re-hash sees it
  other[100] ^= 1;
  std::string age;
  {
    auto enc = crypto::AgeEncryptor::Create(
        {crypto::AgeRecipient::Parse(HqRecipient()).value()}, [&age](ByteView b) {
          age.append(AsChars(b));
          return OkStatus();
        });
    ASSERT_TRUE(enc.ok());
    ASSERT_TRUE(enc->Write(AsBytes(other)).ok());
    ASSERT_TRUE(enc->Finish().ok());
  }
  {
    auto v = OpenVaultAs(field_, "bakyt", pass_file());
    ASSERT_NE(v, nullptr);
    auto tx = vault::Transaction::Begin(v->db());
    ASSERT_TRUE(tx.ok());
    const json meta = {{"kind", "testimony"}, {"collector", "bakyt"}};
    const json sealed = {{"format", "age"}, {"sha256", Sha256SumOf(age)}, {"size", age.size()}};
    ASSERT_TRUE(v->Record("ingest", {id}, "",
                          {{"size", testimony_.size()},
                           {"media_type", "text/plain"},
                           {"metadata", meta},
                           {"already_present", false},
                           {"sealed", sealed}})
                    .ok());
    auto put = [&](const std::string& sql, const std::function<void(vault::Stmt&)>& bind) {
      auto st = v->db().Prepare(sql);
      ASSERT_TRUE(st.ok()) << sql;
      bind(*st);
      Status s = st->Run();
      ASSERT_TRUE(s.ok()) << s.message();
    };
    const auto n = static_cast<int64_t>(age.size());
    put("INSERT INTO blobs(id, size, chunks) VALUES(1, ?, 1)", [&](vault::Stmt& st) { st.Bind(1, n); });
    put("INSERT INTO chunks(blob_id, seq, data) VALUES(1, 0, ?)",
        [&](vault::Stmt& st) { st.BindBlob(1, AsBytes(age)); });
    put("INSERT INTO items(id, blob_id, size, kind, media_type, ingested_at, metadata) "
        "VALUES(?, 1, ?, 'testimony', 'text/plain', '2026-12-07T00:00:00Z', ?)",
        [&](vault::Stmt& st) {
          st.Bind(1, id).Bind(2, static_cast<int64_t>(testimony_.size())).Bind(3, meta.dump());
        });
    put("INSERT INTO sealed_items(item_id, format, sha256, size) VALUES(?, 'age', ?, ?)",
        [&](vault::Stmt& st) { st.Bind(1, id).Bind(2, Sha256SumOf(age)).Bind(3, n); });
    Status c = v->Commit(*tx);
    ASSERT_TRUE(c.ok()) << c.message();
  }
  EXPECT_EQ(Field({"verify", "--full"}).exit_code, 0);  // the field side cannot tell
  const std::string bundle = Path("lying.zip");
  RunResult e = Field({"export", id, "-o", bundle, "--purpose", "to HQ"});
  ASSERT_EQ(e.exit_code, 0) << e;
  RunResult vb = Run({"verify-bundle", bundle});
  EXPECT_EQ(vb.exit_code, 0) << vb;
  RunResult imp = Hq({"import", bundle, "--purpose", "from the field"});
  EXPECT_AMANAT_ERROR(imp, 1, "item " + id + ": the received content does not match its ID");
  EXPECT_EQ(ParseJson(Hq({"ls", "--json"})).size(), 0u);
  json none;
  EXPECT_EQ(EventDetails(&SealContent::Hq, "import", &none), "");
  EXPECT_TRUE(none.is_null()) << none;
}

TEST_F(SealedBundle, StockAgeOpensTheSealedMemberWithHqsIdentity) {
  // HQ's identity secret, written as an age identity file by this test (Amanat has no command
  // that writes it out): the stock age opens the member to the exact testimony.
  if (!std::filesystem::exists("/usr/bin/age")) GTEST_SKIP() << "no /usr/bin/age";
  std::string identity_file = Path("hq-identity.txt");
  {
    auto v = OpenVaultAs(hq_, "amina", hq_pass_);
    ASSERT_NE(v, nullptr);
    auto key = vault::OpenIdentityKey(*v);
    ASSERT_TRUE(key.ok()) << key.status().message();
    auto id = crypto::AgeIdentity::FromSecretKey(key->secret_key());
    ASSERT_TRUE(id.ok());
    EXPECT_EQ(id->Recipient().ToString(), HqRecipient());
    crypto::SecretBytes text = id->FileText(std::chrono::system_clock::now());
    WriteFileBytes(identity_file, std::string(AsChars(text.view())), 0600);
  }
  std::string sealed = MakeFile("sealed.age", MemberData(bundle_, member_));
  RunResult age = RunProgram("/usr/bin/age", {"-d", "-i", identity_file, sealed});
  ASSERT_EQ(age.exit_code, 0) << age;
  EXPECT_TRUE(age.out == testimony_);
  // Another identity does not open it.
  RunResult other = RunProgram("/usr/bin/age-keygen", {"-o", Path("other.txt")});
  ASSERT_EQ(other.exit_code, 0) << other;
  EXPECT_NE(RunProgram("/usr/bin/age", {"-d", "-i", Path("other.txt"), sealed}).exit_code, 0);
}

}  // namespace
}  // namespace amanat::testing
