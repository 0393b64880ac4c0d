// Trusted timestamps in evidence bundles (issue P5, item 1): export carries every recorded
// token with its certificates, the checkpoint it covers and a consistency proof to the
// bundle's checkpoint; verify-bundle checks each at the token's own time against --tsa-ca and
// reports the attested time. A real local TSA (`openssl ts -reply`, a CA made here; no
// network), and every verdict on a token compared with the stock `openssl ts -verify` on the
// same unpacked data.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "crypto/minisign.h"
#include "crypto/secret.h"
#include "tests/bundle_test_util.h"
#include "tests/tsa_test_util.h"
#include "vault/bundle_layout.h"
#include "vault/bundle_manifest.h"
#include "vault/vault.h"

namespace amanat::testing {
namespace {

using nlohmann::json;

class BundleTimestampTest : public BundleTest {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::InitCrypto()); }

  void SetUp() override {
    BundleTest::SetUp();
    ASSERT_EQ(::access(kOpenssl, X_OK), 0) << kOpenssl << " is missing: run scripts/install-deps";
    tsa_ = std::make_unique<TestTsa>(Path("tsa"));
    signer_ = tsa_->Issue({});
  }

  // `amanat timestamp request`; returns the .tsq path.
  std::string Request(const std::string& name) {
    const std::string tsq = Path(name + ".tsq");
    RunResult q = RunV({"timestamp", "request", "-o", tsq});
    EXPECT_EQ(q.exit_code, 0) << q;
    return tsq;
  }
  // Has `tsa` (default: the fixture's TSA and signer) answer `tsq` and adds the token with that
  // TSA's CA; returns the size of the checkpoint it covers.
  uint64_t ReplyAndAdd(const std::string& tsq, const std::string& name, TestTsa* tsa = nullptr,
                       const TestTsa::Cert* signer = nullptr) {
    if (tsa == nullptr) tsa = tsa_.get();
    const std::string tsr = Path(name + ".tsr");
    tsa->Reply(tsq, tsr, signer != nullptr ? *signer : signer_);
    RunResult a = RunV({"timestamp", "add", tsr, "--ca", tsa->ca_cert(), "--json"});
    EXPECT_EQ(a.exit_code, 0) << a;
    return a.exit_code == 0 ? ParseJson(a)["checkpoint_size"].get<uint64_t>() : 0;
  }
  uint64_t Stamp(const std::string& name, TestTsa* tsa = nullptr,
                 const TestTsa::Cert* signer = nullptr) {
    return ReplyAndAdd(Request(name), name, tsa, signer);
  }

  json Ls() {
    RunResult r = RunV({"timestamp", "ls", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r;
    return ParseJson(r);
  }

  // `openssl ts -verify -data` on members of an unpacked bundle, the stock verdict.
  RunResult StockVerify(const std::string& dir, const std::string& checkpoint,
                        const std::string& token, const std::string& ca,
                        const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"-data", dir + "/" + checkpoint, "-in", dir + "/" + token,
                                     "-CAfile", ca};
    args.insert(args.end(), extra.begin(), extra.end());
    return tsa_->Verify(args);
  }

  std::string Unzip(const std::string& zip, const std::string& name) {
    const std::string dir = Path(name);
    RunResult r = RunProgram("/usr/bin/unzip", {"-q", zip, "-d", dir});
    EXPECT_EQ(r.exit_code, 0) << r;
    return dir;
  }

  // What a dishonest exporter holding the vault can do: edit the manifest, then sign it again
  // with the exporter's key and make its file list and SHA256SUMS match `members`.
  void Resign(std::vector<Member>& members, const std::function<void(vault::Manifest&)>& edit) {
    auto v = vault::Vault::Open(vault(), "", [&](const vault::KeySlot&) {
      return Result<crypto::SecretBytes>(crypto::SecretBytes::Copy(AsBytes(kPassphrase)));
    });
    ASSERT_TRUE(v.ok()) << v.status().message();
    Member* man = FindMember(members, "manifest.json");
    ASSERT_NE(man, nullptr);
    auto m = vault::Manifest::Parse(man->data);
    ASSERT_TRUE(m.ok()) << m.status().message();
    edit(*m);
    std::vector<vault::FileRef> files;
    std::map<std::string, std::string> sums;
    for (const auto& mem : members) {
      if (mem.path == "SHA256SUMS") continue;
      sums[mem.path] = Sha256SumOf(mem.data);
      for (const auto& f : m->files) {
        if (f.path == mem.path) files.push_back({f.path, Sha256SumOf(mem.data), mem.data.size()});
      }
    }
    m->files = files;
    man->data = m->Serialize();
    sums["manifest.json"] = Sha256SumOf(man->data);
    auto sig = crypto::MinisignSign((*v)->actor_key(), AsBytes(man->data),
                                    vault::ManifestTrustedComment(*m),
                                    vault::ManifestUntrustedComment(*m));
    ASSERT_TRUE(sig.ok());
    FindMember(members, "manifest.json.minisig")->data = *sig;
    sums["manifest.json.minisig"] = Sha256SumOf(*sig);
    FindMember(members, "SHA256SUMS")->data = vault::FormatSha256Sums(sums);
  }

  // Writes `members` as t.zip and expects verify-bundle to fail with `needle` in its error
  // line; returns the result.
  RunResult ExpectFound(const std::vector<Member>& members, const std::string& needle,
                        const std::vector<std::string>& extra = {}) {
    const std::string path = Path("t.zip");
    WriteMembers(path, members);
    RunResult r = VerifyBundle(path, extra);
    EXPECT_AMANAT_ERROR(r, 1, needle);
    return r;
  }

  std::unique_ptr<TestTsa> tsa_;
  TestTsa::Cert signer_;
};

// Four tokens, from two TSAs under different CAs, two of them over the same checkpoint: all
// travel, with what ties them to the bundle; verify-bundle reports each attested time, trusts a TSA only through --tsa-ca, and
// agrees with `openssl ts -verify` on the unpacked data either way.
TEST_F(BundleTimestampTest, ExportCarriesTokensAndVerifyReportsTheAttestedTime) {
  const uint64_t s1 = Stamp("first");
  TestTsa other(Path("other-tsa"), "Other Root CA");
  TestTsa::CertOptions other_options;
  other_options.name = "Other TSA";
  TestTsa::Cert other_signer = other.Issue(other_options);
  const uint64_t s2 = Stamp("second", &other, &other_signer);
  ASSERT_GT(s2, s1);
  // Two tokens of one checkpoint: requested together, added one after the other.
  const std::string q3 = Request("third"), q4 = Request("fourth");
  const uint64_t s3 = ReplyAndAdd(q3, "third");
  ASSERT_EQ(ReplyAndAdd(q4, "fourth"), s3);
  const json ls = Ls();
  ASSERT_EQ(ls.size(), 4u);
  const std::string bundle = Export("b.zip");

  const json manifest = json::parse(MemberData(bundle, "manifest.json"));
  ASSERT_EQ(manifest["timestamps"].size(), 4u) << manifest["timestamps"];
  const std::string t1 = "timestamps/" + std::to_string(s1), t2 = "timestamps/" + std::to_string(s2);
  EXPECT_EQ(manifest["timestamps"][0], json({{"checkpoint_size", s1},
                                             {"event", ls[0]["event"]},
                                             {"token", t1 + ".tsr"},
                                             {"chain", t1 + ".chain.pem"},
                                             {"checkpoint", t1 + ".checkpoint"}}));
  EXPECT_EQ(manifest["timestamps"][1]["token"], t2 + ".tsr");
  EXPECT_EQ(manifest["timestamps"][2]["token"], "timestamps/" + std::to_string(s3) + ".tsr");
  EXPECT_EQ(manifest["timestamps"][3]["token"], "timestamps/" + std::to_string(s3) + "-2.tsr");
  EXPECT_EQ(MemberData(bundle, "timestamps/" + std::to_string(s3) + "-2.tsr"),
            ReadFileBytes(Path("fourth.tsr")));
  // The token exactly as received, the checkpoint it covers, the CA it was checked with.
  EXPECT_EQ(MemberData(bundle, t1 + ".tsr"), ReadFileBytes(Path("first.tsr")));
  EXPECT_EQ(Sha256SumOf(MemberData(bundle, t1 + ".tsr")), ls[0]["tsr_sha256"]);
  EXPECT_NE(MemberData(bundle, t1 + ".chain.pem").find("-----BEGIN CERTIFICATE-----"),
            std::string::npos);
  const json proofs = json::parse(MemberData(bundle, "custody/proofs.json"));
  std::vector<uint64_t> from;
  for (const auto& p : proofs["consistency"]) from.push_back(p["from_size"].get<uint64_t>());
  EXPECT_EQ(from, (std::vector<uint64_t>{s1, s2, s3}));
  std::set<std::string> listed;
  for (const auto& f : manifest["files"]) listed.insert(f["path"].get<std::string>());
  for (const std::string ext : {".tsr", ".chain.pem", ".checkpoint"}) {
    EXPECT_TRUE(listed.count(t1 + ext) && listed.count(t2 + ext)) << ext;
  }

  // Both CAs trusted: verified, with the attested times the vault recorded.
  RunResult ok = VerifyBundle(bundle, {"--tsa-ca", tsa_->ca_cert(), "--tsa-ca", other.ca_cert()});
  ASSERT_EQ(ok.exit_code, 0) << ok;
  for (size_t i = 0; i < ls.size(); ++i) {
    EXPECT_NE(ok.out.find("✓ " + ls[i]["gen_time"].get<std::string>() + "  " +
                          manifest["timestamps"][i]["token"].get<std::string>()),
              std::string::npos)
        << ok;
  }
  EXPECT_NE(ok.out.find("dates custody events 0 to " + std::to_string(s1 - 1)), std::string::npos);
  EXPECT_NE(ok.out.find("verified, TSA trusted"), std::string::npos) << ok;
  RunResult js = VerifyBundle(bundle, {"--json", "--tsa-ca", tsa_->ca_cert(), "--tsa-ca",
                                       other.ca_cert()});
  ASSERT_EQ(js.exit_code, 0) << js;
  const json report = ParseJson(js);
  ASSERT_EQ(report["timestamps"].size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    const json& t = report["timestamps"][i];
    EXPECT_EQ(t["gen_time"], ls[i]["gen_time"]);
    EXPECT_EQ(t["serial"], ls[i]["serial"]);
    EXPECT_EQ(t["tsa"], ls[i]["tsa"]);
    EXPECT_EQ(t["covers_events_below"], ls[i]["checkpoint_size"]);
    EXPECT_EQ(t["event"], ls[i]["event"]);
    EXPECT_TRUE(t["ok"].get<bool>() && t["trusted"].get<bool>()) << t;
  }
  size_t timestamp_events = 0;
  for (const auto& e : report["timeline"]) timestamp_events += e["action"] == "timestamp";
  EXPECT_EQ(timestamp_events, 4u);

  // No --tsa-ca: the signatures hold against the bundle's own CAs, the TSAs are not trusted;
  // not a failure.
  RunResult plain = VerifyBundle(bundle, {"--json"});
  ASSERT_EQ(plain.exit_code, 0) << plain;
  const nlohmann::json plain_report = ParseJson(plain);  // alive for the whole loop
  for (const auto& t : plain_report["timestamps"]) {
    EXPECT_TRUE(t["ok"].get<bool>() && !t["trusted"].get<bool>()) << t;
  }
  RunResult text = VerifyBundle(bundle);
  EXPECT_NE(text.out.find("signature valid, TSA not trusted"), std::string::npos) << text;
  EXPECT_NE(text.out.find("no --tsa-ca given"), std::string::npos) << text;

  // One CA trusted: the other TSA's token fails, named; the stock tool agrees on both.
  RunResult one = VerifyBundle(bundle, {"--tsa-ca", tsa_->ca_cert()});
  EXPECT_AMANAT_ERROR(one, 1, "timestamp " + t2 + ".tsr: not trusted");
  EXPECT_EQ(one.out.find("timestamp " + t1 + ".tsr"), std::string::npos) << one;
  const std::string dir = Unzip(bundle, "unpacked");
  const std::string chain1 = dir + "/" + t1 + ".chain.pem", chain2 = dir + "/" + t2 + ".chain.pem";
  RunResult stock = StockVerify(dir, t1 + ".checkpoint", t1 + ".tsr", tsa_->ca_cert(),
                                {"-untrusted", chain1});
  EXPECT_EQ(stock.exit_code, 0) << stock;
  EXPECT_NE(stock.out.find("Verification: OK"), std::string::npos) << stock;
  stock = StockVerify(dir, t2 + ".checkpoint", t2 + ".tsr", tsa_->ca_cert(), {"-untrusted", chain2});
  EXPECT_NE(stock.exit_code, 0) << stock;
  stock = StockVerify(dir, t2 + ".checkpoint", t2 + ".tsr", other.ca_cert(), {"-untrusted", chain2});
  EXPECT_EQ(stock.exit_code, 0) << stock;

  // The README's command, as written, with the TSA's CA in place of TSA-CA.pem.
  const std::string readme = ReadFileBytes(dir + "/README.txt");
  EXPECT_NE(readme.find("openssl ts -verify -data " + t1 + ".checkpoint -in " + t1 +
                        ".tsr \\\n                      -CAfile TSA-CA.pem -untrusted " + t1 +
                        ".chain.pem"),
            std::string::npos)
      << readme;
  // An independent check: schema, and every token with openssl at its own time.
  RunResult py = RunProgram("/usr/bin/python3", {TestDataDir() + "/schema/validate_bundle.py",
                                                 TestDataDir() + "/../schemas", dir});
  EXPECT_EQ(py.exit_code, 0) << py;
  EXPECT_NE(py.out.find(", 4 timestamp tokens)"), std::string::npos) << py;

  // Bad --tsa-ca input is bad input.
  const std::string junk =
      MakeFile("junk.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  EXPECT_AMANAT_ERROR(VerifyBundle(bundle, {"--tsa-ca", junk}), 2, "--tsa-ca " + junk);
  EXPECT_AMANAT_ERROR(VerifyBundle(bundle, {"--tsa-ca", MakeFile("none.pem", "no cert\n")}), 2,
                      "no PEM certificate found");
  EXPECT_AMANAT_ERROR(VerifyBundle(bundle, {"--tsa-ca", Path("missing.pem")}), 4, "missing.pem");

  // A bundle with tokens imports like any other.
  const std::string counsel = Path("counsel-vault");
  InitVault(counsel, "bob");
  RunResult imp = RunAmanat({"--vault", counsel, "--passphrase-file", pass_file(), "import", bundle});
  EXPECT_EQ(imp.exit_code, 0) << imp;
}

// Every kind of tampering with a token exits 1 naming it: a changed byte (caught by the
// manifest's hashes, and, from a dishonest exporter who signs again, by the token's own
// checks), a wrong checkpoint, swapped tokens, a missing chain, a dropped token. Where the
// token itself is at fault, `openssl ts -verify` on the same data refuses it too.
TEST_F(BundleTimestampTest, TamperedTokensAreNamed) {
  const uint64_t s1 = Stamp("first");
  const uint64_t s2 = Stamp("second");
  const std::string bundle = Export("b.zip");
  const std::vector<Member> members = ReadMembers(bundle);
  const std::string t1 = "timestamps/" + std::to_string(s1), t2 = "timestamps/" + std::to_string(s2);
  const std::string ca = tsa_->ca_cert();
  ASSERT_EQ(VerifyBundle(bundle, {"--tsa-ca", ca}).exit_code, 0);

  // Any changed byte of a timestamp member, as sent.
  for (const std::string ext : {".tsr", ".chain.pem", ".checkpoint"}) {
    std::vector<Member> t = members;
    Member* m = FindMember(t, t1 + ext);
    ASSERT_NE(m, nullptr);
    m->data[m->data.size() / 2] ^= 0x01;
    ExpectFound(t, t1 + ext);
  }

  // A dishonest exporter signs again: the token's own checks find it.
  // (a) A changed byte inside the signed TSTInfo.
  std::vector<Member> t = members;
  Member* token = FindMember(t, t1 + ".tsr");
  const size_t info_at = token->data.find(TstInfoOf(token->data));
  ASSERT_NE(info_at, std::string::npos);
  token->data = Flip(token->data, info_at + TstInfoOf(token->data).size() - 1);
  Resign(t, [](vault::Manifest&) {});
  ExpectFound(t, "timestamp " + t1 + ".tsr: time-stamp response does not verify", {"--tsa-ca", ca});
  std::string dir = Unzip(Path("t.zip"), "flipped");
  EXPECT_NE(StockVerify(dir, t1 + ".checkpoint", t1 + ".tsr", ca, {"-untrusted", dir + "/" + t1 + ".chain.pem"})
                .exit_code,
            0);

  // (b) The wrong checkpoint: another one the log key signed.
  t = members;
  FindMember(t, t1 + ".checkpoint")->data = FindMember(t, t2 + ".checkpoint")->data;
  Resign(t, [](vault::Manifest&) {});
  ExpectFound(t, "timestamp " + t1 + ".tsr: " + t1 + ".checkpoint: a checkpoint of size " +
                     std::to_string(s2));
  // ... or the right size, but the token over other data.
  t = members;
  std::swap(FindMember(t, t1 + ".tsr")->data, FindMember(t, t2 + ".tsr")->data);
  Resign(t, [](vault::Manifest&) {});
  ExpectFound(t, "timestamp " + t1 + ".tsr: time-stamp response does not verify: message imprint mismatch");
  dir = Unzip(Path("t.zip"), "swapped");
  RunResult stock = StockVerify(dir, t1 + ".checkpoint", t1 + ".tsr", ca, {"-untrusted", dir + "/" + t1 + ".chain.pem"});
  EXPECT_NE(stock.exit_code, 0) << stock;
  EXPECT_NE(stock.err.find("message imprint mismatch"), std::string::npos) << stock;

  // (c) Swapped entries in the manifest: each token then names the other's event.
  t = members;
  Resign(t, [](vault::Manifest& m) { std::swap(m.timestamps[0].event, m.timestamps[1].event); });
  ExpectFound(t, "timestamp " + t1 + ".tsr: not the token custody event");

  // (d) The chain left out, from the files and the bundle.
  t = members;
  std::erase_if(t, [&](const Member& m) { return m.path == t1 + ".chain.pem"; });
  ExpectFound(t, t1 + ".chain.pem: missing");
  Resign(t, [](vault::Manifest&) {});
  ExpectFound(t, "timestamp " + t1 + ".tsr: its certificates " + t1 + ".chain.pem are missing");

  // (e) A chain to another CA: the token no longer verifies even against the bundle's own.
  TestTsa other(Path("other-tsa"), "Other Root CA");
  t = members;
  FindMember(t, t1 + ".chain.pem")->data = ReadFileBytes(other.ca_cert());
  Resign(t, [](vault::Manifest&) {});
  ExpectFound(t, "timestamp " + t1 + ".tsr: time-stamp response does not verify: certificate verify error");

  // (f) A token dropped with its entry: its signed timestamp event gives it away.
  t = members;
  std::erase_if(t, [&](const Member& m) { return m.path.rfind(t1 + ".", 0) == 0; });
  Resign(t, [](vault::Manifest& m) { m.timestamps.erase(m.timestamps.begin()); });
  const json ev = Ls()[0]["event"];
  ExpectFound(t, "custody event " + ev.dump() + ": records a timestamp token that the bundle does not carry");

  // (g) The consistency proof from the token's checkpoint changed.
  t = members;
  Member* proofs = FindMember(t, "custody/proofs.json");
  json p = json::parse(proofs->data);
  ASSERT_GE(p["consistency"].size(), 1u);
  ASSERT_EQ(p["consistency"][0]["from_size"], s1);
  ASSERT_GE(p["consistency"][0]["path"].size(), 1u);
  p["consistency"][0]["path"][0] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";  // 32 zero bytes
  proofs->data = p.dump(1) + "\n";
  Resign(t, [](vault::Manifest&) {});
  ExpectFound(t, "timestamp " + t1 + ".tsr: the bundle's log does not extend the checkpoint it covers");
  // The independent check in Python finds it too, and the swapped token of (b) above.
  dir = Unzip(Path("t.zip"), "bad-proof");
  RunResult py = RunProgram("/usr/bin/python3", {TestDataDir() + "/schema/validate_bundle.py",
                                                 TestDataDir() + "/../schemas", dir});
  EXPECT_EQ(py.exit_code, 1) << py;
  EXPECT_NE(py.err.find(t1 + ".checkpoint: no consistency proof"), std::string::npos) << py;
  py = RunProgram("/usr/bin/python3", {TestDataDir() + "/schema/validate_bundle.py",
                                       TestDataDir() + "/../schemas", Path("swapped")});
  EXPECT_EQ(py.exit_code, 1) << py;
  EXPECT_NE(py.err.find(t1 + ".tsr: openssl ts -verify refuses it"), std::string::npos) << py;

  // The consistency proof from the token's checkpoint missing.
  std::vector<Member> no_proof = members;
  proofs = FindMember(no_proof, "custody/proofs.json");
  p = json::parse(proofs->data);
  p["consistency"].erase(0);
  proofs->data = p.dump(1) + "\n";
  Resign(no_proof, [](vault::Manifest&) {});
  ExpectFound(no_proof, "timestamp " + t1 + ".tsr: custody/proofs.json holds no consistency proof from size " +
                            std::to_string(s1));

  // (h) Manifest entries that name the wrong files, or one token twice.
  std::vector<Member> names = members;
  Resign(names, [](vault::Manifest& m) { m.timestamps[0].chain = m.timestamps[1].chain; });
  ExpectFound(names, "timestamp " + t1 + ".tsr: the manifest names its files wrongly");
  names = members;
  Resign(names, [](vault::Manifest& m) { m.timestamps.push_back(m.timestamps[0]); });
  ExpectFound(names, "timestamp " + t1 + ".tsr: the manifest lists it twice");
}

// A token made while the TSA's certificate was valid still verifies in a bundle after that
// certificate expired: the chain is checked at the token's genTime. The stock tool agrees when
// told that time (-attime), and finds the certificate expired at the present.
TEST_F(BundleTimestampTest, ExpiredTsaCertificateStillVerifiesAtTheTokensTime) {
  const std::string tsq = Request("brief");
  const time_t end = ::time(nullptr) + 5;
  TestTsa::CertOptions five_seconds;
  five_seconds.start = CaTime(-86400);
  five_seconds.end = CaTime(5);
  TestTsa::Cert brief = tsa_->Issue(five_seconds);
  const std::string tsr = Path("brief.tsr");
  tsa_->Reply(tsq, tsr, brief);
  while (::time(nullptr) <= end + 1) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  // Added after the certificate expired: the vault, too, checks it at the token's time.
  RunResult added = RunV({"timestamp", "add", tsr, "--ca", tsa_->ca_cert(), "--json"});
  ASSERT_EQ(added.exit_code, 0) << added;
  const uint64_t size = ParseJson(added)["checkpoint_size"].get<uint64_t>();
  const std::string bundle = Export("b.zip");

  RunResult r = VerifyBundle(bundle, {"--json", "--tsa-ca", tsa_->ca_cert()});
  ASSERT_EQ(r.exit_code, 0) << r;
  const json t = ParseJson(r)["timestamps"][0];
  EXPECT_TRUE(t["ok"].get<bool>() && t["trusted"].get<bool>()) << t;
  const std::string gen_time = t["gen_time"].get<std::string>();
  EXPECT_LE(UnixOfRfc3339(gen_time), end);

  const std::string dir = Unzip(bundle, "unpacked");
  const std::string stem = "timestamps/" + std::to_string(size);
  const std::vector<std::string> chain = {"-untrusted", dir + "/" + stem + ".chain.pem"};
  RunResult now = StockVerify(dir, stem + ".checkpoint", stem + ".tsr", tsa_->ca_cert(), chain);
  EXPECT_NE(now.exit_code, 0) << now;
  EXPECT_NE(now.err.find("certificate has expired"), std::string::npos) << now;
  std::vector<std::string> at = chain;
  at.insert(at.end(), {"-attime", std::to_string(UnixOfRfc3339(gen_time))});
  RunResult then = StockVerify(dir, stem + ".checkpoint", stem + ".tsr", tsa_->ca_cert(), at);
  EXPECT_EQ(then.exit_code, 0) << then;
}

}  // namespace
}  // namespace amanat::testing
