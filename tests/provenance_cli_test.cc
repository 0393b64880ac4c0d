// End-to-end tests of provenance and verifiable redaction (issue P4, items 4 and 5): derive
// and provenance, redact and verify-redaction, on the real testimony in tests/fixtures.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/secret.h"
#include "tests/cli_runner.h"
#include "vault/redactions.h"
#include "vault/vault.h"

namespace amanat::testing {
namespace {

using nlohmann::json;

// Every person the testimony names, in every form it names them. "Xi" alone catches
// "Chairman Xi" without touching "Xinjiang" (whole words).
const std::vector<std::string> kNames = {"Omir Bekali",
                                         "Omer Bekali",
                                         "Bekali",
                                         "Omir",
                                         "Omer",
                                         "Liu",
                                         "Yunus Abliz",
                                         "Yolwas",
                                         "Tahir",
                                         "Atawullah",
                                         "Dilshat Setiwaldi",
                                         "Alim Awut",
                                         "Wang Xiaomi",
                                         "Xi Jinping",
                                         "Xi",
                                         "Gerry Shih",
                                         "Abdurahman Bekri"};

class ProvenanceCli : public CliTest {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::InitCrypto()); }

  void SetUp() override {
    CliTest::SetUp();
    InitVault();
    testimony_ = FixturePath("testimony-omir-bekali.txt");
    original_ =
        AddFile(testimony_, {"--kind", "testimony", "--lang", "en", "--witness", "W-7K3F9Q"});
  }

  std::string TermsFile() {
    std::string text = "# people named in the testimony\n";
    for (const auto& n : kNames) text += n + "\n";
    return MakeFile("names.txt", text);
  }

  json Log() {
    RunResult r = RunV({"log", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r;
    return ParseJson(r);
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

  // Redacts every name; returns the redacted item's ID and writes the text to redacted.txt.
  std::string RedactNames() {
    RunResult r = RunV({"redact", original_.substr(0, 12), "--terms", TermsFile(), "-o",
                        Path("redacted.txt"), "--purpose", "publication", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r;
    json j = ParseJson(r);
    return j.value("id", "");
  }

  std::string testimony_, original_;
};

TEST_F(ProvenanceCli, RedactingEveryNameInTheTestimony) {
  const std::string id = RedactNames();
  ASSERT_EQ(id.size(), 64u);
  const std::string text = ReadFileBytes(testimony_);
  const std::string redacted = ReadFileBytes(Path("redacted.txt"));
  EXPECT_EQ(Sha256SumOf(redacted), id);
  // The export from the vault is the same text, and names no one.
  ASSERT_EQ(
      RunV({"get", id.substr(0, 10), "-o", Path("export.txt"), "--purpose", "press"}).exit_code, 0);
  const std::string exported = ReadFileBytes(Path("export.txt"));
  EXPECT_EQ(exported, redacted);
  for (const auto& name : kNames) {
    const std::regex word("(^|[^A-Za-z])" + name + "([^A-Za-z]|$)");
    EXPECT_TRUE(std::regex_search(text, word)) << name << " is not in the fixture?";
    EXPECT_FALSE(std::regex_search(exported, word)) << name << " survived the redaction";
    // Every name but "Xi" (in "Xinjiang") is gone even as a substring.
    if (name != "Xi") {
      EXPECT_EQ(exported.find(name), std::string::npos) << name;
    }
  }
  for (const char* family : {"Bekali", "Bekri", "Setiwaldi", "Xiaomi", "Jinping", "Abliz"}) {
    EXPECT_EQ(exported.find(family), std::string::npos) << family;
  }
  // 17 occurrences; the rest of the text is untouched.
  size_t markers = 0;
  for (size_t at = exported.find("[REDACTED:identity]"); at != std::string::npos;
       at = exported.find("[REDACTED:identity]", at + 1)) {
    ++markers;
  }
  EXPECT_EQ(markers, 17u);
  EXPECT_NE(exported.find("Xinjiang University"), std::string::npos);
  EXPECT_NE(exported.find("Karamay Public Security Bureau"), std::string::npos);
  EXPECT_EQ(exported.rfind("From book \"The 100 Camp Testimonies\"\n\n\n[REDACTED:identity]\n", 0),
            0u);

  // The proof.
  RunResult ok = RunV({"verify-redaction", Path("redacted.txt"), testimony_});
  ASSERT_EQ(ok.exit_code, 0) << ok;
  EXPECT_NE(ok.out.find("with exactly 17 spans replaced by markers"), std::string::npos) << ok;
  EXPECT_NE(ok.out.find("every span matches its commitment"), std::string::npos) << ok;
  RunResult ok_json = RunV({"verify-redaction", Path("redacted.txt"), testimony_, "--json"});
  json j = ParseJson(ok_json);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["original"], original_);
  EXPECT_EQ(j["redacted"], id);
  EXPECT_EQ(j["commitments_checked"], true);
  ASSERT_EQ(j["spans"].size(), 17u);
  // Each span is a name, as the offsets say.
  for (const auto& s : j["spans"]) {
    std::string removed =
        text.substr(s["start"].get<size_t>(), s["end"].get<size_t>() - s["start"].get<size_t>());
    EXPECT_NE(std::find(kNames.begin(), kNames.end(), removed), kNames.end()) << removed;
  }

  // The derive event, its schema, and the provenance graph.
  json log = Log();
  const json* derive = nullptr;
  for (const auto& e : log) {
    if (e["action"] == "derive") derive = &e;
  }
  ASSERT_NE(derive, nullptr);
  EXPECT_EQ((*derive)["subjects"], json::array({id}));
  EXPECT_EQ((*derive)["parents"], json::array({original_}));
  EXPECT_EQ((*derive)["details"]["relation"], "redaction");
  EXPECT_EQ((*derive)["details"]["redaction"]["spans"], 17);
  EXPECT_EQ((*derive)["details"]["metadata"]["witness"], "W-7K3F9Q");
  EXPECT_FALSE((*derive)["details"]["metadata"].contains("filename"))
      << "file names may name people";
  EXPECT_EQ(log.dump().find("Bekali\""), std::string::npos);
  RunResult valid = Validate(log);
  EXPECT_EQ(valid.exit_code, 0) << valid;
  RunResult verify = RunV({"verify", "--full"});
  EXPECT_EQ(verify.exit_code, 0) << verify;

  // Independently of Amanat's code: the signed event commits to the stored record's bytes,
  // and each commitment is SHA-256(salt ‖ the removed name), computed by sha256sum.
  auto v = OpenLibrary();
  ASSERT_NE(v, nullptr);
  auto found = vault::FindRedactions(*v, id, original_);
  ASSERT_TRUE(found.ok()) << found.status().message();
  ASSERT_EQ(found->size(), 1u);
  const auto& rec = (*found)[0];
  EXPECT_EQ(Sha256SumOf(std::string(AsChars(rec.record_bytes))),
            (*derive)["details"]["redaction"]["record_sha256"]);
  ASSERT_EQ(rec.salts.size(), 17u);
  for (size_t i = 0; i < rec.salts.size(); ++i) {
    const auto& sp = rec.record.spans[i].span;
    std::string salted(reinterpret_cast<const char*>(rec.salts[i].data()), rec.salts[i].size());
    salted += text.substr(sp.start, sp.end - sp.start);
    EXPECT_EQ(Sha256SumOf(salted), crypto::HexEncode(rec.record.spans[i].commitment)) << i;
  }
  EXPECT_EQ(std::string(AsChars(rec.record_bytes)).find("Bekali"), std::string::npos);
}

TEST_F(ProvenanceCli, VerifyRedactionFailsOnAnyOtherDifference) {
  ASSERT_EQ(RedactNames().size(), 64u);
  const std::string redacted = ReadFileBytes(Path("redacted.txt"));
  const std::string text = ReadFileBytes(testimony_);

  // One byte of the kept text changed: exit 1, naming the byte.
  std::string edited = redacted;
  const size_t at = edited.find("Karamay");
  edited[at + 1] = 'e';
  EXPECT_AMANAT_ERROR(RunV({"verify-redaction", MakeFile("edited.txt", edited), testimony_}), 1,
                      "differs from the original with the recorded spans removed, at byte " +
                          std::to_string(at + 1));
  // A marker changed, a name put back, bytes added or cut.
  std::string marker = redacted;
  marker.replace(marker.find("[REDACTED:identity]"), 19, "[REDACTED:location]");
  EXPECT_AMANAT_ERROR(RunV({"verify-redaction", MakeFile("marker.txt", marker), testimony_}), 1,
                      "(span 1)");
  std::string put_back = redacted;
  put_back.replace(put_back.find("[REDACTED:identity]"), 19, "Omir Bekali");
  EXPECT_AMANAT_ERROR(RunV({"verify-redaction", MakeFile("back.txt", put_back), testimony_}), 1,
                      "is not the recorded redaction");
  EXPECT_AMANAT_ERROR(
      RunV({"verify-redaction", MakeFile("longer.txt", redacted + " "), testimony_}), 1,
      "more bytes after byte " + std::to_string(redacted.size()));
  EXPECT_AMANAT_ERROR(
      RunV({"verify-redaction", MakeFile("shorter.txt", redacted.substr(0, 1000)), testimony_}), 1,
      "ends at byte 1000");
  // The wrong original: another text, or the testimony with one byte changed.
  std::string other = text;
  other[other.find("Karamay")] = 'k';
  EXPECT_AMANAT_ERROR(
      RunV({"verify-redaction", Path("redacted.txt"), MakeFile("other.txt", other)}), 1,
      "is not the original of this redaction");
  EXPECT_AMANAT_ERROR(RunV({"verify-redaction", Path("redacted.txt"), Path("redacted.txt")}), 1,
                      "is not the original of this redaction");
  EXPECT_AMANAT_ERROR(RunV({"verify-redaction", MakeFile("x.txt", "x"), MakeFile("y.txt", "y")}), 1,
                      "no redaction recorded in this vault");
  EXPECT_AMANAT_ERROR(RunV({"verify-redaction", Path("nothing.txt"), testimony_}), 4,
                      "nothing.txt");
  EXPECT_AMANAT_ERROR(
      RunV({"verify-redaction", Path("redacted.txt"), testimony_, "--bundle", Path("b.zip")}),
      4, "b.zip");

  // An insider rewrites the stored record (moves a span) or its salts: caught by the signed
  // event's commitment and by the salted commitments.
  {
    auto v = OpenLibrary();
    ASSERT_NE(v, nullptr);
    ASSERT_TRUE(v->db().Exec("DROP TRIGGER redactions_no_update").ok());
    ASSERT_TRUE(v->db().Exec("UPDATE redactions SET salts = zeroblob(length(salts))").ok());
  }
  EXPECT_AMANAT_ERROR(RunV({"verify-redaction", Path("redacted.txt"), testimony_}), 1,
                      "does not match its commitment");
  {
    auto v = OpenLibrary();
    auto st = v->db().Prepare("SELECT record FROM redactions");
    ASSERT_TRUE(st.ok());
    ASSERT_TRUE(*st->Step());
    std::string rec(AsChars(st->ColumnBlob(0)));
    st->Reset();
    json j = json::parse(rec);
    j["spans"][0]["reason"] = "place";
    auto up = v->db().Prepare("UPDATE redactions SET record = ?");
    ASSERT_TRUE(up.ok());
    ASSERT_TRUE(up->Bind(1, j.dump()).Run().ok());
  }
  EXPECT_AMANAT_ERROR(RunV({"verify-redaction", Path("redacted.txt"), testimony_}), 1,
                      "not the one its signed event commits to");
  RunResult verify = RunV({"verify"});
  EXPECT_EQ(verify.exit_code, 1) << verify;
  EXPECT_NE(verify.out.find("the redaction record is not the one its signed event commits to"),
            std::string::npos)
      << verify;
}

TEST_F(ProvenanceCli, RedactBySpansAndWhatItRefuses) {
  const std::string text = ReadFileBytes(testimony_);
  const size_t omir = text.find("Omir Bekali");
  const size_t pichan = text.find("Pichan");
  const std::string spans = std::to_string(omir) + ":" + std::to_string(omir + 11) + "," +
                            std::to_string(pichan) + ":" + std::to_string(pichan + 6) + ":place";
  RunResult r = RunV({"redact", original_, "--spans", spans, "--reason", "witness", "--title",
                      "redacted for the press"});
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::string id = r.out.substr(0, 64);
  EXPECT_NE(r.out.find("2 spans removed"), std::string::npos) << r;
  ASSERT_EQ(RunV({"get", id, "-o", Path("r.txt")}).exit_code, 0);
  std::string want = text;
  want.replace(pichan, 6, "[REDACTED:place]");
  want.replace(omir, 11, "[REDACTED:witness]");
  EXPECT_EQ(ReadFileBytes(Path("r.txt")), want);
  EXPECT_EQ(RunV({"verify-redaction", Path("r.txt"), testimony_}).exit_code, 0);

  const size_t u = text.find("Ürümchi");  // Ü is two bytes
  const std::vector<std::pair<std::vector<std::string>, std::string>> bad = {
      {{"--spans", std::to_string(u + 1) + ":" + std::to_string(u + 4)}, "cuts a UTF-8 character"},
      {{"--spans", "10:20,15:30"}, "overlaps"},
      {{"--spans", "20:30,0:5"}, "overlaps or comes before"},
      {{"--spans", "0:999999"}, "runs past the end"},
      {{"--spans", "5:5"}, "empty"},
      {{"--spans", "a:b"}, "byte offsets"},
      {{"--spans", "0:5", "--reason", "Bad Reason"}, "--reason"},
      {{}, "exactly one of --spans"},
      {{"--spans", "0:5", "--terms", TermsFile()}, "exactly one of --spans"},
      {{"--terms", MakeFile("none.txt", "Nobody Here\n")}, "none of the terms occurs"},
      {{"--terms", MakeFile("empty.txt", "# nothing\n")}, "no terms"},
  };
  for (const auto& [args, needle] : bad) {
    std::vector<std::string> all = {"redact", original_};
    all.insert(all.end(), args.begin(), args.end());
    RunResult refused = RunV(all);
    EXPECT_EQ(refused.exit_code, 2) << refused;
    // Terms found nowhere are warned about before the error.
    EXPECT_NE(ErrorLine(refused, /*allow_warnings=*/true).find(needle), std::string::npos)
        << needle << refused;
  }
  // Not text.
  const std::string bin = AddFile(MakeFile("b.bin", std::string("\xFF\xFE\x00\x01", 4)));
  EXPECT_AMANAT_ERROR(RunV({"redact", bin, "--spans", "0:1"}), 2, "not UTF-8 text");
  // A term not found is warned about, by line number only.
  RunResult warn =
      RunV({"redact", original_, "--terms", MakeFile("some.txt", "Tahir\nNobody Here\n")});
  ASSERT_EQ(warn.exit_code, 0) << warn;
  EXPECT_NE(warn.err.find("the term on line 2 of"), std::string::npos) << warn;
  EXPECT_EQ(warn.err.find("Nobody"), std::string::npos) << warn;
  // An existing -o file is refused before anything is recorded.
  const size_t events = Log().size();
  MakeFile("exists.txt", "x");
  EXPECT_AMANAT_ERROR(RunV({"redact", original_, "--spans", "0:4", "-o", Path("exists.txt")}), 2,
                      "exists");
  EXPECT_EQ(Log().size(), events);
}

TEST_F(ProvenanceCli, DeriveAndTheProvenanceTree) {
  const std::string audio = AddFile(MakeFile("interview.ogg", PseudoRandomBytes(5000, 7)),
                                    {"--kind", "audio", "--witness", "W-7K3F9Q", "--lang", "kk",
                                     "--captured-at", "2018-05-20", "--title", "interview"});
  RunResult t = RunV({"derive", audio.substr(0, 8), MakeFile("transcript-kk.txt", "transcript\n"),
                      "--relation", "transcript", "--tool", "hand", "--json"});
  ASSERT_EQ(t.exit_code, 0) << t;
  json tj = ParseJson(t);
  const std::string transcript = tj["id"];
  EXPECT_EQ(tj["parent"], audio);
  EXPECT_EQ(tj["kind"], "testimony");
  RunResult tr = RunV({"derive", transcript, MakeFile("transcript-en.txt", "translation\n"),
                       "--relation", "translation", "--lang", "en", "--note", "checked"});
  ASSERT_EQ(tr.exit_code, 0) << tr;
  const std::string translation = tr.out.substr(0, 64);
  EXPECT_EQ(tr.out.substr(64), "  translation of " + transcript.substr(0, 16) + "\n");
  RunResult ex = RunV(
      {"derive", audio, MakeFile("clip.ogg", PseudoRandomBytes(100, 8)), "--relation", "excerpt"});
  ASSERT_EQ(ex.exit_code, 0) << ex;
  const std::string clip = ex.out.substr(0, 64);

  // Metadata: witness, date and (but for translations) language come from the parent; titles
  // do not.
  json show = ParseJson(RunV({"show", translation, "--json"}));
  EXPECT_EQ(show["metadata"]["witness"], "W-7K3F9Q");
  EXPECT_EQ(show["metadata"]["captured_at"], "2018-05-20");
  EXPECT_EQ(show["metadata"]["lang"], "en");
  EXPECT_EQ(show["metadata"]["note"], "checked");
  EXPECT_EQ(show["metadata"]["filename"], "transcript-en.txt");
  EXPECT_FALSE(show["metadata"].contains("title"));
  EXPECT_EQ(ParseJson(RunV({"show", transcript, "--json"}))["metadata"]["lang"], "kk");
  EXPECT_EQ(ParseJson(RunV({"show", clip, "--json"}))["kind"], "audio");

  // From the middle: one source above, one derivative below.
  RunResult mid = RunV({"provenance", transcript.substr(0, 10), "--json"});
  ASSERT_EQ(mid.exit_code, 0) << mid;
  json m = ParseJson(mid);
  EXPECT_EQ(m["item"], transcript);
  ASSERT_EQ(m["sources"].size(), 1u);
  EXPECT_EQ(m["sources"][0]["item"], audio);
  EXPECT_EQ(m["sources"][0]["relation"], "transcript");
  EXPECT_EQ(m["sources"][0]["tool"], "hand");
  EXPECT_EQ(m["sources"][0]["custodian"], "alice");
  EXPECT_EQ(m["sources"][0]["sources"], json::array());
  ASSERT_EQ(m["derivatives"].size(), 1u);
  EXPECT_EQ(m["derivatives"][0]["item"], translation);
  EXPECT_EQ(m["derivatives"][0]["relation"], "translation");
  // From the root: the whole tree below, two levels deep.
  json root = ParseJson(RunV({"provenance", audio, "--json"}));
  EXPECT_EQ(root["sources"], json::array());
  ASSERT_EQ(root["derivatives"].size(), 2u);
  EXPECT_EQ(root["derivatives"][0]["item"], transcript);
  ASSERT_EQ(root["derivatives"][0]["derivatives"].size(), 1u);
  EXPECT_EQ(root["derivatives"][0]["derivatives"][0]["item"], translation);
  EXPECT_EQ(root["derivatives"][1]["item"], clip);
  // From the leaf: the chain up to the root.
  json leaf = ParseJson(RunV({"provenance", translation, "--json"}));
  ASSERT_EQ(leaf["sources"].size(), 1u);
  ASSERT_EQ(leaf["sources"][0]["sources"].size(), 1u);
  EXPECT_EQ(leaf["sources"][0]["sources"][0]["item"], audio);
  // Text form.
  RunResult text = RunV({"provenance", transcript});
  ASSERT_EQ(text.exit_code, 0) << text;
  std::vector<std::string> lines = Lines(text.out);
  ASSERT_EQ(lines.size(), 5u) << text;
  EXPECT_EQ(lines[0], transcript + "  [testimony] transcript-kk.txt");
  EXPECT_EQ(lines[1], "sources:");
  EXPECT_EQ(
      lines[2].rfind(
          "  <- " + audio.substr(0, 16) + "  source of transcript  [audio] interview  (event ", 0),
      0u)
      << text;
  EXPECT_NE(lines[2].find(", tool hand)"), std::string::npos) << text;
  EXPECT_EQ(lines[3], "derivatives:");
  EXPECT_EQ(
      lines[4].rfind(
          "  -> " + translation.substr(0, 16) + "  translation  [testimony] transcript-en.txt", 0),
      0u)
      << text;

  // Refused: unknown relation, the parent's own bytes, a cycle, a missing parent.
  EXPECT_EQ(RunV({"derive", audio, MakeFile("z.txt", "z"), "--relation", "summary"}).exit_code, 2);
  EXPECT_AMANAT_ERROR(RunV({"derive", audio, MakeFile("same.ogg", PseudoRandomBytes(5000, 7)),
                            "--relation", "transcode"}),
                      2, "is the parent item itself");
  EXPECT_AMANAT_ERROR(RunV({"derive", translation, MakeFile("again.txt", "transcript\n"),
                            "--relation", "translation"}),
                      2, "would make a cycle");
  EXPECT_AMANAT_ERROR(
      RunV({"derive", "abcdef0123", MakeFile("q.txt", "q"), "--relation", "excerpt"}), 4,
      "no item abcdef0123");
  // Deriving bytes already in the vault records the edge all the same.
  RunResult dup = RunV({"derive", original_, MakeFile("dup.txt", "translation\n"), "--relation",
                        "translation", "--json"});
  ASSERT_EQ(dup.exit_code, 0) << dup;
  EXPECT_EQ(ParseJson(dup)["already_present"], true);
  EXPECT_EQ(ParseJson(RunV({"provenance", translation, "--json"}))["sources"].size(), 2u);

  RunResult valid = Validate(Log());
  EXPECT_EQ(valid.exit_code, 0) << valid;
  RunResult verify = RunV({"verify", "--full"});
  EXPECT_EQ(verify.exit_code, 0) << verify;
}

TEST_F(ProvenanceCli, CollectorsDeriveOnlyFromWhatTheyMayRead) {
  const std::string pass = MakeFile("pass-bob", "bob's passphrase\n");
  ASSERT_EQ(RunV({"custodian", "add", "bob", "--role", "collector", "--new-passphrase-file", pass,
                  "--kdf", "insecure-fast"})
                .exit_code,
            0);
  auto bob = [&](std::vector<std::string> args) {
    std::vector<std::string> all = {"--vault", vault(),       "--passphrase-file",
                                    pass,      "--custodian", "bob"};
    all.insert(all.end(), args.begin(), args.end());
    return RunAmanat(all);
  };
  EXPECT_AMANAT_ERROR(
      bob({"derive", original_, MakeFile("t.txt", "t"), "--relation", "transcript"}), 3,
      "not allowed for bob");
  EXPECT_AMANAT_ERROR(bob({"redact", original_, "--spans", "0:4"}), 3, "not allowed for bob");
  EXPECT_AMANAT_ERROR(bob({"provenance", original_}), 3, "not allowed for bob");
  const std::string mine = bob({"add", MakeFile("b.txt", "bob's testimony\n")}).out.substr(0, 64);
  RunResult r = bob({"redact", mine, "--spans", "0:5"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(bob({"provenance", r.out.substr(0, 64)}).exit_code, 0);
}

// Edits to the provenance index are caught by verify, which replays the signed events.
TEST_F(ProvenanceCli, TamperedProvenanceIndexFailsVerify) {
  RunResult t =
      RunV({"derive", original_, MakeFile("t.txt", "translation\n"), "--relation", "translation"});
  ASSERT_EQ(t.exit_code, 0) << t;
  {
    auto v = OpenLibrary();
    ASSERT_NE(v, nullptr);
    ASSERT_TRUE(v->db().Exec("DROP TRIGGER derivations_no_update").ok());
    ASSERT_TRUE(v->db().Exec("UPDATE derivations SET relation = 'transcript'").ok());
  }
  RunResult r = RunV({"verify"});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_NE(r.out.find("its derivation is missing from the provenance index"), std::string::npos)
      << r;
  EXPECT_NE(r.out.find("is not in any signed derive event"), std::string::npos) << r;
}

}  // namespace
}  // namespace amanat::testing
