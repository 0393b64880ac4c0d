// RFC 3161 trusted timestamps (issue P5 item 1), end to end against a real local TSA: the
// stock `openssl ts -reply` answers the requests `amanat timestamp request` writes, with a CA
// and TSA certificates made here (tests/tsa_test_util.h), and `openssl ts -verify` gives the
// independent verdict every Amanat verdict is compared with. No network.
//
// Library-level checks of crypto/timestamp.h (every single-byte change of a response, trust
// input) are in timestamp_crypto_test.cc.
#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/secret.h"
#include "vault/schema.h"
#include "tests/cli_runner.h"
#include "tests/tsa_test_util.h"
#include "vault/fs.h"
#include "vault/vault.h"

namespace amanat::testing {
namespace {

using nlohmann::json;

class TimestampCli : public CliTest {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::InitCrypto()); }

  void SetUp() override {
    CliTest::SetUp();
    ASSERT_EQ(::access(kOpenssl, X_OK), 0) << kOpenssl << " is missing: run scripts/install-deps";
    tsa_ = std::make_unique<TestTsa>(Path("tsa"));
    signer_ = tsa_->Issue({});
    InitVault();
    AddFile(MakeFile("statement.txt", "testimony of W-7K3F9Q\n"));
  }

  // `amanat timestamp request -o NAME`; returns the path.
  std::string Request(const std::string& name) {
    RunResult r = RunV({"timestamp", "request", "-o", Path(name)});
    EXPECT_EQ(r.exit_code, 0) << r;
    return Path(name);
  }
  // The TSA's response to `tsq`, signed by `signer` (default: the good TSA certificate).
  std::string Reply(const std::string& tsq, const std::string& name,
                    const TestTsa::Cert* signer = nullptr) {
    tsa_->Reply(tsq, Path(name), signer ? *signer : signer_);
    return Path(name);
  }
  RunResult Add(const std::string& tsr, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"timestamp", "add", tsr};
    bool has_ca = false;
    for (const auto& a : extra) has_ca = has_ca || a == "--ca";
    if (!has_ca) args.insert(args.end(), {"--ca", tsa_->ca_cert()});
    args.insert(args.end(), extra.begin(), extra.end());
    return RunV(args);
  }
  json Ls() {
    RunResult r = RunV({"timestamp", "ls", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r;
    return ParseJson(r);
  }
  json Log() {
    RunResult r = RunV({"log", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r;
    return ParseJson(r);
  }
  // The size the latest checkpoint names.
  uint64_t CheckpointSize() {
    return std::stoull(Lines(ReadFileBytes(vault() + "/checkpoints/latest"))[1]);
  }
  // Nothing was recorded since `events` events: no new event, no stored token.
  void ExpectNothingRecorded(size_t events) {
    EXPECT_EQ(Log().size(), events);
    EXPECT_EQ(Ls(), json::array());
    RunResult v = RunV({"verify"});
    EXPECT_EQ(v.exit_code, 0) << v;
  }
  // Amanat and `openssl ts -verify -queryfile` agree on accepting `tsr` as the answer to `tsq`.
  void ExpectAgree(const RunResult& amanat, const std::string& tsq, const std::string& tsr,
                   const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"-queryfile", tsq, "-in", tsr};
    bool has_ca = false;
    for (const auto& a : extra) has_ca = has_ca || a == "-CAfile";
    if (!has_ca) args.insert(args.end(), {"-CAfile", tsa_->ca_cert()});
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult stock = tsa_->Verify(args);
    EXPECT_EQ(amanat.exit_code == 0, stock.exit_code == 0)
        << "Amanat and openssl ts -verify disagree" << amanat << stock;
  }

  std::unique_ptr<TestTsa> tsa_;
  TestTsa::Cert signer_;
};

TEST_F(TimestampCli, RequestReplyAddListVerify) {
  const uint64_t size = CheckpointSize();
  const std::string checkpoint = ReadFileBytes(vault() + "/checkpoints/latest");
  const std::string tsq = Request("q.tsq");

  // The request, read by the stock tool: SHA-256 of the checkpoint text, a nonce, certReq.
  RunResult text = tsa_->Openssl({"ts", "-query", "-in", tsq, "-text"});
  EXPECT_NE(text.out.find("Hash Algorithm: sha256"), std::string::npos) << text;
  EXPECT_NE(text.out.find("Certificate required: yes"), std::string::npos) << text;
  EXPECT_NE(text.out.find("Nonce: 0x"), std::string::npos) << text;
  EXPECT_EQ(ImprintHexOfRequest(ReadFileBytes(tsq)), Sha256SumOf(checkpoint));

  const std::string tsr = Reply(tsq, "r.tsr");
  RunResult added = Add(tsr);
  ASSERT_EQ(added.exit_code, 0) << added;
  EXPECT_NE(added.out.find("timestamp of the checkpoint at " + std::to_string(size) +
                           " events recorded (custody event " + std::to_string(size) + ")"),
            std::string::npos)
      << added;
  EXPECT_NE(added.out.find("CN=Amanat Test TSA,O=Amanat tests"), std::string::npos) << added;
  ExpectAgree(added, tsq, tsr);
  // Anyone can check the token over the checkpoint text with standard tools alone.
  const std::string cp_copy = MakeFile("checkpoint.txt", checkpoint);
  RunResult by_data = tsa_->Verify({"-data", cp_copy, "-in", tsr, "-CAfile", tsa_->ca_cert()});
  EXPECT_EQ(by_data.exit_code, 0) << by_data;

  json ls = Ls();
  ASSERT_EQ(ls.size(), 1u) << ls;
  const json& t = ls[0];
  EXPECT_EQ(t["checkpoint_size"], size);
  EXPECT_EQ(t["event"], size);
  EXPECT_EQ(t["tsr_sha256"], Sha256SumOfFile(tsr));
  EXPECT_EQ(t["policy"], TestTsa::kPolicy);
  EXPECT_EQ(t["tsa"], "CN=Amanat Test TSA,O=Amanat tests");
  // genTime and serial as the stock tool reads them from the response.
  RunResult shown = tsa_->Openssl({"ts", "-reply", "-in", tsr, "-text"});
  const std::string gen_time = t["gen_time"].get<std::string>();
  EXPECT_TRUE(std::regex_match(gen_time, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")))
      << gen_time;
  EXPECT_EQ(UnixOfRfc3339(gen_time), UnixOfOpensslText(shown.out)) << shown;
  EXPECT_NE(shown.out.find("Serial number: 0x" + Upper(t["serial"].get<std::string>()) + "\n"),
            std::string::npos)
      << t << shown;

  // The custody event says the same, and validates against the schema.
  json log = Log();
  ASSERT_EQ(log.size(), size + 1);
  const json& ev = log.back();
  EXPECT_EQ(ev["action"], "timestamp");
  EXPECT_EQ(ev["subjects"], json::array());
  EXPECT_EQ(ev["details"]["checkpoint_size"], size);
  EXPECT_EQ(ev["details"]["checkpoint_sha256"], Sha256SumOf(checkpoint));
  EXPECT_EQ(ev["details"]["tsr_sha256"], Sha256SumOfFile(tsr));
  EXPECT_EQ(ev["details"]["gen_time"], gen_time);
  EXPECT_EQ(ev["details"]["tsa"], t["tsa"]);
  EXPECT_EQ(ev["details"]["serial"], t["serial"]);
  EXPECT_EQ(ev["details"]["policy"], TestTsa::kPolicy);
  const std::string log_file = MakeFile("log.json", log.dump(2));
  RunResult valid =
      RunProgram(kPython, {TestDataDir() + "/schema/validate_events.py",
                           TestDataDir() + "/../schemas/custody-event.schema.json", log_file});
  EXPECT_EQ(valid.exit_code, 0) << valid;
  // The schema's rule for this action can fail: the same event without the token's hash, in
  // the decoded view and in the (no longer validly signed) payload alike.
  json bad = log;
  bad.back()["details"].erase("tsr_sha256");
  json envelope = json::parse(bad.back()["entry"].get<std::string>());
  json payload =
      json::parse(AsChars(*crypto::Base64Decode(envelope["payload"].get<std::string>())));
  payload["predicate"]["details"].erase("tsr_sha256");
  envelope["payload"] = crypto::Base64Encode(AsBytes(payload.dump()));
  bad.back()["entry"] = envelope.dump();
  RunResult invalid = RunProgram(kPython, {TestDataDir() + "/schema/validate_events.py",
                                           TestDataDir() + "/../schemas/custody-event.schema.json",
                                           MakeFile("bad-log.json", bad.dump(2))});
  EXPECT_EQ(invalid.exit_code, 1) << invalid;
  EXPECT_NE(invalid.err.find("'tsr_sha256' is a required property"), std::string::npos) << invalid;

  RunResult verify = RunV({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify;

  // The same response twice is refused, and records nothing.
  const size_t events = Log().size();
  RunResult again = Add(tsr);
  EXPECT_AMANAT_ERROR(again, 2, "already added (custody event " + std::to_string(size) + ")");
  // No passphrase in any output, request or response.
  for (const std::string& seen : {added.out, added.err, again.out, again.err, ReadFileBytes(tsq),
                                  ReadFileBytes(tsr), RunV({"timestamp", "ls"}).out}) {
    EXPECT_EQ(seen.find(kPassphrase), std::string::npos);
  }
  EXPECT_EQ(Log().size(), events);
  EXPECT_EQ(Ls().size(), 1u);
}

TEST_F(TimestampCli, RequestToStandardOutputAndTextListing) {
  RunResult r = RunV({"timestamp", "request", "-o", "-"});
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::string tsq = MakeFile("stdout.tsq", r.out);
  EXPECT_EQ(ImprintHexOfRequest(r.out), Sha256SumOfFile(vault() + "/checkpoints/latest"));
  ASSERT_EQ(Add(Reply(tsq, "r.tsr")).exit_code, 0);
  RunResult ls = RunV({"timestamp", "ls"});
  ASSERT_EQ(ls.exit_code, 0) << ls;
  ASSERT_EQ(Lines(ls.out).size(), 1u) << ls;
  EXPECT_NE(ls.out.find("checkpoint 2  event 2  serial "), std::string::npos) << ls;
  // An existing output is not overwritten without --force.
  EXPECT_AMANAT_ERROR(RunV({"timestamp", "request", "-o", tsq}), 2, tsq);
  EXPECT_EQ(RunV({"timestamp", "request", "-o", tsq, "--force"}).exit_code, 0);
}

TEST_F(TimestampCli, PendingRequestsAreAnsweredInAnyOrder) {
  const uint64_t first_size = CheckpointSize();
  const std::string q1 = Request("q1.tsq");
  AddFile(MakeFile("later.txt", "a later item\n"));
  const uint64_t second_size = CheckpointSize();
  ASSERT_GT(second_size, first_size);
  const std::string q2 = Request("q2.tsq");
  ASSERT_EQ(Add(Reply(q2, "r2.tsr")).exit_code, 0);
  // The older request still covers the older checkpoint, which the log extends.
  ASSERT_EQ(Add(Reply(q1, "r1.tsr")).exit_code, 0);
  json ls = Ls();
  ASSERT_EQ(ls.size(), 2u);
  EXPECT_EQ(ls[0]["checkpoint_size"], second_size);
  EXPECT_EQ(ls[1]["checkpoint_size"], first_size);
  RunResult verify = RunV({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify;
}

TEST_F(TimestampCli, TamperedResponsesAreRejectedAndNothingIsRecorded) {
  const std::string tsq = Request("q.tsq");
  const std::string tsr = Reply(tsq, "r.tsr");
  const std::string good = ReadFileBytes(tsr);
  const size_t events = Log().size();
  const size_t info_at = good.find(TstInfoOf(good));
  ASSERT_NE(info_at, std::string::npos);
  const size_t info_len = TstInfoOf(good).size();
  struct Case {
    std::string name;
    std::string bytes;
    int code;
  };
  std::vector<Case> cases = {
      {"gentime", Flip(good, info_at + info_len / 2), 1},
      {"info-last", Flip(good, info_at + info_len - 1), 1},
      {"signature", Flip(good, good.size() - 1), 1},
      {"truncated", good.substr(0, good.size() / 2), 2},
      {"trailing", good + std::string(1, '\0'), 2},
      {"garbage", PseudoRandomBytes(good.size(), 7), 2},
      {"empty", "", 2},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string path = MakeFile("bad-" + c.name + ".tsr", c.bytes);
    RunResult r = Add(path);
    EXPECT_EQ(r.exit_code, c.code) << r;
    EXPECT_FALSE(ErrorLine(r).empty());
    if (c.name != "trailing") ExpectAgree(r, tsq, path);  // openssl ignores trailing bytes
  }
  ExpectNothingRecorded(events);
}

TEST_F(TimestampCli, ResponsesToOtherRequestsAreRejected) {
  const std::string tsq = Request("q.tsq");
  const std::string tsq_bytes = ReadFileBytes(tsq);
  const size_t events = Log().size();

  // A request of someone else's (its own nonce, other data), made by the stock tool.
  const std::string other_data = MakeFile("other.txt", "not this vault's checkpoint\n");
  tsa_->Openssl(
      {"ts", "-query", "-data", other_data, "-sha256", "-cert", "-out", Path("other.tsq")});
  const std::string other = Reply(Path("other.tsq"), "other.tsr");
  RunResult r = Add(other);
  EXPECT_AMANAT_ERROR(r, 1, "answers no pending request of this vault");
  ExpectAgree(r, tsq, other);

  // Our nonce, another imprint.
  const size_t imprint_at = tsq_bytes.find(HexToBytes(ImprintHexOfRequest(tsq_bytes)));
  ASSERT_NE(imprint_at, std::string::npos);
  const std::string q_imprint = MakeFile("imprint.tsq", Flip(tsq_bytes, imprint_at + 5));
  const std::string r_imprint = Reply(q_imprint, "imprint.tsr");
  r = Add(r_imprint);
  EXPECT_AMANAT_ERROR(r, 1, "message imprint mismatch");
  ExpectAgree(r, tsq, r_imprint);

  // Our imprint, another nonce.
  const std::string nonce = NonceBytesOfRequest(tsq_bytes);
  const size_t nonce_at = tsq_bytes.find(nonce);
  ASSERT_NE(nonce_at, std::string::npos);
  const std::string q_nonce = MakeFile("nonce.tsq", Flip(tsq_bytes, nonce_at + nonce.size() - 1));
  const std::string r_nonce = Reply(q_nonce, "nonce.tsr");
  r = Add(r_nonce);
  EXPECT_AMANAT_ERROR(r, 1, "answers no pending request of this vault");
  ExpectAgree(r, tsq, r_nonce);

  // A refused request: the TSA answers a SHA-1 query with status rejection.
  tsa_->Openssl({"ts", "-query", "-data", other_data, "-sha1", "-cert", "-out", Path("sha1.tsq")});
  RunResult reply = RunProgram(
      kOpenssl, {"ts", "-reply", "-config", tsa_->config(), "-queryfile", Path("sha1.tsq"), "-out",
                 Path("sha1.tsr"), "-signer", signer_.cert, "-inkey", signer_.key});
  ASSERT_TRUE(vault::PathExists(Path("sha1.tsr"))) << reply;
  EXPECT_AMANAT_ERROR(Add(Path("sha1.tsr")), 2,
                      "the TSA did not grant the request (status rejection)");

  ExpectNothingRecorded(events);
}

TEST_F(TimestampCli, UntrustedOrUnfitTsaCertificatesAreRejected) {
  const std::string tsq = Request("q.tsq");
  const std::string tsr = Reply(tsq, "r.tsr");
  const size_t events = Log().size();

  // A CA that did not issue the TSA's certificate.
  TestTsa other(Path("other-ca"), "Other Root CA");
  RunResult r = Add(tsr, {"--ca", other.ca_cert()});
  // (The response includes the TSA's own CA, which is not trusted.)
  EXPECT_AMANAT_ERROR(r, 1,
                      "certificate verify error: self-signed certificate in certificate chain");
  ExpectAgree(r, tsq, tsr, {"-CAfile", other.ca_cert()});

  // A TSA certificate without the timeStamping extended key usage. `openssl ts -reply`
  // refuses to sign with one, so the token is signed with certificate A (which has it) and
  // verified with certificate B: same key, issuer and serial number, no such usage, given as
  // an intermediate (which OpenSSL prefers over the token's own copy).
  TestTsa::CertOptions with_eku;
  with_eku.serial = "7a7a";
  TestTsa::Cert a = tsa_->Issue(with_eku);
  TestTsa::CertOptions without_eku = with_eku;
  without_eku.timestamping_eku = false;
  without_eku.key = a.key;
  TestTsa::Cert b = tsa_->Issue(without_eku);
  const std::string tsr_a = Reply(tsq, "a.tsr", &a);
  r = Add(tsr_a, {"--chain", b.cert});
  EXPECT_AMANAT_ERROR(r, 1, "unsuitable certificate purpose");
  ExpectAgree(r, tsq, tsr_a, {"-untrusted", b.cert});

  // Not-yet-valid: the chain is checked at the token's genTime, before the certificate's
  // validity starts.
  TestTsa::CertOptions tomorrow;
  tomorrow.start = CaTime(86400);
  tomorrow.end = CaTime(2 * 86400);
  TestTsa::Cert future = tsa_->Issue(tomorrow);
  const std::string tsr_future = Reply(tsq, "future.tsr", &future);
  r = Add(tsr_future);
  EXPECT_AMANAT_ERROR(r, 1, "certificate is not yet valid");
  ExpectAgree(r, tsq, tsr_future);

  // Bad trust input is bad input, reported before the passphrase is asked for.
  const std::string junk =
      MakeFile("junk.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  EXPECT_AMANAT_ERROR(Run({"--vault", vault(), "timestamp", "add", tsr, "--ca", junk}), 2,
                      "junk.pem: certificates: malformed PEM certificate");
  const std::string none = MakeFile("none.pem", "no certificates here\n");
  EXPECT_AMANAT_ERROR(Run({"--vault", vault(), "timestamp", "add", tsr, "--ca", none}), 2,
                      "none.pem: certificates: no PEM certificate found");
  EXPECT_AMANAT_ERROR(RunV({"timestamp", "add", tsr, "--ca", Path("missing.pem")}), 4,
                      "missing.pem");

  ExpectNothingRecorded(events);
  // The control: the same response with the right CA and certificate is accepted.
  r = Add(tsr_a, {"--chain", a.cert});
  EXPECT_EQ(r.exit_code, 0) << r;
  ExpectAgree(r, tsq, tsr_a, {"-untrusted", a.cert});
}

// A token made while the TSA's certificate was valid still verifies after it expired: the
// chain is checked at the token's own genTime. The stock tool agrees when told that time
// (-attime) and, checking at the present, finds the certificate expired.
TEST_F(TimestampCli, ExpiredTsaCertificateStillVerifiesAtTheTokensTime) {
  const std::string tsq = Request("q.tsq");
  const time_t end = ::time(nullptr) + 3;
  TestTsa::CertOptions three_seconds;
  three_seconds.start = CaTime(-86400);
  three_seconds.end = CaTime(3);
  TestTsa::Cert brief = tsa_->Issue(three_seconds);
  const std::string tsr = Reply(tsq, "r.tsr", &brief);
  while (::time(nullptr) <= end + 1) std::this_thread::sleep_for(std::chrono::milliseconds(200));

  RunResult now = tsa_->Verify({"-queryfile", tsq, "-in", tsr, "-CAfile", tsa_->ca_cert()});
  EXPECT_NE(now.exit_code, 0) << now;
  EXPECT_NE(now.err.find("certificate has expired"), std::string::npos) << now;

  RunResult r = Add(tsr);
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::string gen_time = Ls()[0]["gen_time"].get<std::string>();
  EXPECT_LE(UnixOfRfc3339(gen_time), end);
  RunResult at = tsa_->Verify({"-queryfile", tsq, "-in", tsr, "-CAfile", tsa_->ca_cert(), "-attime",
                               std::to_string(UnixOfRfc3339(gen_time))});
  EXPECT_EQ(at.exit_code, 0) << at;
  RunResult verify = RunV({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify;
}

// `verify` does not trust the timestamps table: each stored token is checked against its
// signed event and re-verified with the certificates kept beside it.
TEST_F(TimestampCli, VerifyFindsAlteredOrMissingStoredTokens) {
  ASSERT_EQ(Add(Reply(Request("q.tsq"), "r.tsr")).exit_code, 0);
  const uint64_t seq = Ls()[0]["event"].get<uint64_t>();
  auto sql = [&](const std::string& statements) {
    auto v = vault::Vault::Open(vault(), "", [&](const vault::KeySlot&) {
      return Result<crypto::SecretBytes>(crypto::SecretBytes::Copy(AsBytes(kPassphrase)));
    });
    ASSERT_TRUE(v.ok()) << v.status().message();
    Status s = (*v)->db().Exec(statements);
    ASSERT_TRUE(s.ok()) << s.message();
  };
  // The triggers refuse the change; an insider drops them first.
  sql("DROP TRIGGER timestamps_no_update; UPDATE timestamps SET gen_time = '2001-01-01T00:00:00Z'");
  RunResult r = RunV({"verify"});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_NE(r.out.find("custody event " + std::to_string(seq) +
                       ": stored timestamp token differs from the signed event"),
            std::string::npos)
      << r;
  sql("DROP TRIGGER timestamps_no_delete; DELETE FROM timestamps");
  r = RunV({"verify"});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_NE(r.out.find("custody event " + std::to_string(seq) +
                       ": its timestamp token is missing from the vault"),
            std::string::npos)
      << r;
}

// A vault made before the timestamp tables existed (schema version 1) is upgraded when opened.
TEST_F(TimestampCli, OlderVaultIsMigrated) {
  auto open = [&] {
    auto v = vault::Vault::Open(vault(), "", [&](const vault::KeySlot&) {
      return Result<crypto::SecretBytes>(crypto::SecretBytes::Copy(AsBytes(kPassphrase)));
    });
    EXPECT_TRUE(v.ok()) << v.status().message();
    return v.ok() ? std::move(*v) : nullptr;
  };
  {
    auto v = open();
    ASSERT_NE(v, nullptr);
    ASSERT_TRUE(v->db()
                    .Exec("DROP TABLE timestamps; DROP TABLE timestamp_requests; "
                          "DELETE FROM meta WHERE key = 'schema:timestamps'; "
                          "PRAGMA user_version = " + std::to_string(vault::SchemaVersion() - 1))
                    .ok());
  }
  ASSERT_EQ(Add(Reply(Request("q.tsq"), "r.tsr")).exit_code, 0);
  EXPECT_EQ(Ls().size(), 1u);
  {
    auto v = open();
    ASSERT_NE(v, nullptr);
    auto st = v->db().Prepare("PRAGMA user_version");
    ASSERT_TRUE(st.ok());
    ASSERT_TRUE(st->Step().ok());
    EXPECT_EQ(st->ColumnInt(0), vault::SchemaVersion());
    // A newer schema than this Amanat knows is refused.
    ASSERT_TRUE(v->db().Exec("PRAGMA user_version = 99").ok());
  }
  EXPECT_AMANAT_ERROR(RunV({"timestamp", "ls"}), 1, "schema version 99");
}

}  // namespace
}  // namespace amanat::testing
