// crypto/timestamp.h against a real local TSA (the stock `openssl ts -reply`, certificates
// made by tests/tsa_test_util.h): the request's fields, what a verified response attests,
// every single-byte change and every truncation of a response, and trust input. Where a
// verdict can be compared with `openssl ts -verify`, it is. The command line is in
// timestamp_test.cc.
#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <regex>
#include <string>

#include "crypto/secret.h"
#include "crypto/sha256.h"
#include "crypto/timestamp.h"
#include "tests/cli_runner.h"
#include "tests/tsa_test_util.h"

namespace amanat::testing {
namespace {

constexpr char kMessage[] =
    "amanat/0123456789abcdef\n7\nq2Jbj4bbvVw5K3d0u1x0cQ2y5aVtE0bq2O0s0Gv7Yxk=\n";

class TimestampCrypto : public CliTest {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::InitCrypto()); }

  void SetUp() override {
    CliTest::SetUp();
    ASSERT_EQ(::access(kOpenssl, X_OK), 0) << kOpenssl << " is missing: run scripts/install-deps";
    tsa_ = std::make_unique<TestTsa>(Path("tsa"));
    signer_ = tsa_->Issue({});
    auto req = crypto::MakeTimestampRequest(AsBytes(kMessage));
    ASSERT_TRUE(req.ok()) << req.status().message();
    request_ = *req;
    tsq_ = MakeFile("q.tsq", std::string(AsChars(request_.der)));
    tsa_->Reply(tsq_, Path("r.tsr"), signer_);
    response_ = ReadFileBytes(Path("r.tsr"));
    trust_.ca_pem = ReadFileBytes(tsa_->ca_cert());
  }

  Result<crypto::TimestampInfo> Verify(const std::string& response) {
    return crypto::VerifyTimestampResponse(AsBytes(response), request_.der, trust_);
  }

  std::unique_ptr<TestTsa> tsa_;
  TestTsa::Cert signer_;
  crypto::TimestampRequest request_;
  std::string tsq_, response_;
  crypto::TimestampTrust trust_;
};

TEST_F(TimestampCrypto, RequestCarriesImprintFreshNonceAndCertReq) {
  const std::string der(AsChars(request_.der));
  EXPECT_EQ(ImprintHexOfRequest(der), Sha256SumOf(kMessage));
  std::string nonce_hex =
      HexOf(reinterpret_cast<const unsigned char*>(NonceBytesOfRequest(der).data()),
            NonceBytesOfRequest(der).size());
  while (nonce_hex.size() > 2 && nonce_hex.rfind("00", 0) == 0) nonce_hex.erase(0, 2);
  EXPECT_EQ(request_.nonce, nonce_hex);
  RunResult text = tsa_->Openssl({"ts", "-query", "-in", tsq_, "-text"});
  EXPECT_NE(text.out.find("Certificate required: yes"), std::string::npos) << text;
  EXPECT_NE(text.out.find("Policy OID: unspecified"), std::string::npos) << text;
  auto again = crypto::MakeTimestampRequest(AsBytes(kMessage));
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->nonce, request_.nonce);
  EXPECT_NE(again->der, request_.der);
}

TEST_F(TimestampCrypto, VerifiedResponseSaysWhatTheTokenAttests) {
  auto info = Verify(response_);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->nonce, request_.nonce);
  EXPECT_EQ(info->imprint, crypto::Sha256Of(kMessage));
  EXPECT_EQ(info->policy, TestTsa::kPolicy);
  EXPECT_EQ(info->tsa, "CN=Amanat Test TSA,O=Amanat tests");
  EXPECT_EQ(info->gen_time_unix, UnixOfRfc3339(info->gen_time));
  EXPECT_LE(std::abs(info->gen_time_unix - static_cast<int64_t>(::time(nullptr))), 300);
  RunResult shown = tsa_->Openssl({"ts", "-reply", "-in", Path("r.tsr"), "-text"});
  EXPECT_EQ(info->gen_time_unix, UnixOfOpensslText(shown.out));
  EXPECT_NE(shown.out.find("Serial number: 0x" + Upper(info->serial) + "\n"), std::string::npos);

  // Parsing alone reads the same.
  auto parsed = crypto::ParseTimestampResponse(AsBytes(response_));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->gen_time, info->gen_time);
  EXPECT_EQ(parsed->serial, info->serial);
  EXPECT_EQ(parsed->nonce, info->nonce);
  EXPECT_EQ(parsed->tsa, info->tsa);

  // Without the request: the imprint is checked, the nonce cannot be.
  auto token = crypto::VerifyTimestampToken(AsBytes(response_), crypto::Sha256Of(kMessage), trust_);
  ASSERT_TRUE(token.ok()) << token.status().message();
  EXPECT_EQ(token->gen_time, info->gen_time);
  auto other = crypto::VerifyTimestampToken(AsBytes(response_), crypto::Sha256Of("other"), trust_);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), Code::kVerifyFailed);
  EXPECT_NE(other.status().message().find("message imprint mismatch"), std::string::npos)
      << other.status().message();

  // Another request (another nonce) over the same message.
  auto again = crypto::MakeTimestampRequest(AsBytes(kMessage));
  ASSERT_TRUE(again.ok());
  auto mismatch = crypto::VerifyTimestampResponse(AsBytes(response_), again->der, trust_);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.status().code(), Code::kVerifyFailed);
  EXPECT_NE(mismatch.status().message().find("nonce mismatch"), std::string::npos)
      << mismatch.status().message();
}

// Every single-byte change is either refused (kVerifyFailed or kInvalidInput) or changes
// nothing the token attests (bytes outside the signed content, such as the CA certificate
// the TSA includes, which is not the one trusted). Every change inside the signed TSTInfo is
// refused. A sample is checked against `openssl ts -verify`.
TEST_F(TimestampCrypto, EverySingleByteChangeIsRefusedOrHarmless) {
  auto good = Verify(response_);
  ASSERT_TRUE(good.ok()) << good.status().message();
  const std::string info_der = TstInfoOf(response_);
  const size_t info_at = response_.find(info_der);
  ASSERT_NE(info_at, std::string::npos);
  size_t refused = 0, disagreements = 0;
  for (size_t i = 0; i < response_.size(); ++i) {
    const std::string bad = Flip(response_, i);
    auto r = Verify(bad);
    if (r.ok()) {
      EXPECT_TRUE(i < info_at || i >= info_at + info_der.size()) << "byte " << i << " in TSTInfo";
      EXPECT_EQ(r->gen_time, good->gen_time) << "byte " << i;
      EXPECT_EQ(r->serial, good->serial) << "byte " << i;
      EXPECT_EQ(r->nonce, good->nonce) << "byte " << i;
      EXPECT_EQ(r->imprint, good->imprint) << "byte " << i;
      EXPECT_EQ(r->tsa, good->tsa) << "byte " << i;
      EXPECT_EQ(r->policy, good->policy) << "byte " << i;
    } else {
      ++refused;
      EXPECT_TRUE(r.status().code() == Code::kVerifyFailed ||
                  r.status().code() == Code::kInvalidInput)
          << "byte " << i << ": " << r.status().message();
      EXPECT_FALSE(r.status().message().empty());
    }
    if (i % 16 == 0 || (i >= info_at && i < info_at + info_der.size() && i % 4 == 0)) {
      const std::string path = MakeFile("flip.tsr", bad);
      RunResult stock = tsa_->Verify({"-queryfile", tsq_, "-in", path, "-CAfile", tsa_->ca_cert()});
      if (r.ok() != (stock.exit_code == 0)) {
        ++disagreements;
        ADD_FAILURE() << "byte " << i << ": Amanat "
                      << (r.ok() ? "accepts" : "refuses (" + r.status().message() + ")")
                      << ", openssl ts -verify disagrees" << stock;
      }
    }
  }
  EXPECT_EQ(disagreements, 0u);
  // Most of a response is signed content, certificates or signature.
  EXPECT_GT(refused, response_.size() / 2);
}

// A genTime with a fraction of a second keeps it (DER drops trailing zeros, so it may be
// shorter than three digits, or absent).
TEST_F(TimestampCrypto, FractionOfASecondIsKept) {
  tsa_->Reply(tsq_, Path("ms.tsr"), signer_, /*milliseconds=*/true);
  auto info = Verify(ReadFileBytes(Path("ms.tsr")));
  ASSERT_TRUE(info.ok()) << info.status().message();
  RunResult shown = tsa_->Openssl({"ts", "-reply", "-in", Path("ms.tsr"), "-text"});
  std::smatch m;
  ASSERT_TRUE(std::regex_match(info->gen_time, m,
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z)")))
      << info->gen_time;
  EXPECT_NE(shown.out.find(":" + info->gen_time.substr(17, info->gen_time.size() - 18) + " "),
            std::string::npos)
      << info->gen_time << shown;
  EXPECT_EQ(info->gen_time_unix, UnixOfOpensslText(shown.out)) << shown;
}

TEST_F(TimestampCrypto, EveryTruncationIsMalformed) {
  for (size_t n = 0; n < response_.size(); ++n) {
    auto r = Verify(response_.substr(0, n));
    ASSERT_FALSE(r.ok()) << "length " << n;
    EXPECT_EQ(r.status().code(), Code::kInvalidInput)
        << "length " << n << ": " << r.status().message();
  }
  auto trailing = Verify(response_ + "x");
  ASSERT_FALSE(trailing.ok());
  EXPECT_EQ(trailing.status().code(), Code::kInvalidInput);
  auto huge = Verify(std::string(crypto::kMaxTimestampSize + 1, '\x30'));
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.status().code(), Code::kInvalidInput);
}

TEST_F(TimestampCrypto, TrustInput) {
  crypto::TimestampTrust none;
  auto r = crypto::VerifyTimestampResponse(AsBytes(response_), request_.der, none);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidInput);
  EXPECT_NE(r.status().message().find("trusted CA certificates: no PEM certificate found"),
            std::string::npos)
      << r.status().message();

  crypto::TimestampTrust bad_chain = trust_;
  bad_chain.chain_pem = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
  r = crypto::VerifyTimestampResponse(AsBytes(response_), request_.der, bad_chain);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidInput);

  // Several roots, the right one among them.
  TestTsa other(Path("other"), "Other Root CA");
  crypto::TimestampTrust both;
  both.ca_pem = ReadFileBytes(other.ca_cert()) + ReadFileBytes(tsa_->ca_cert());
  EXPECT_TRUE(crypto::VerifyTimestampResponse(AsBytes(response_), request_.der, both).ok());

  // Only certificates are kept: a key in the same file is dropped.
  const std::string mixed =
      ReadFileBytes(signer_.key) + "comment\n" + ReadFileBytes(tsa_->ca_cert());
  auto kept = crypto::CertificatesPem(mixed, true);
  ASSERT_TRUE(kept.ok()) << kept.status().message();
  EXPECT_EQ(kept->find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(kept->find("comment"), std::string::npos);
  EXPECT_EQ(*kept, ReadFileBytes(tsa_->ca_cert()));
  auto empty = crypto::CertificatesPem("", false);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, "");
  EXPECT_FALSE(crypto::CertificatesPem("", true).ok());
}

TEST_F(TimestampCrypto, MalformedRequestAndRefusedResponse) {
  auto r = crypto::VerifyTimestampResponse(AsBytes(response_), AsBytes("not DER"), trust_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidInput);

  // A SHA-1 request is refused by the TSA (its digests are SHA-2 only) with status rejection.
  const std::string data = MakeFile("data.txt", "x");
  tsa_->Openssl({"ts", "-query", "-data", data, "-sha1", "-out", Path("sha1.tsq")});
  RunProgram(kOpenssl, {"ts", "-reply", "-config", tsa_->config(), "-queryfile", Path("sha1.tsq"),
                        "-out", Path("sha1.tsr"), "-signer", signer_.cert, "-inkey", signer_.key});
  auto refused = crypto::ParseTimestampResponse(AsBytes(ReadFileBytes(Path("sha1.tsr"))));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kInvalidInput);
  EXPECT_NE(refused.status().message().find("status rejection"), std::string::npos)
      << refused.status().message();
}

}  // namespace
}  // namespace amanat::testing
