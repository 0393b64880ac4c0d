// crypto/minisign: our signatures against Debian's /usr/bin/minisign in both directions, and
// rejection of tampered or malformed signatures and keys.
#include "crypto/minisign.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "crypto/encoding.h"
#include "crypto/secret.h"
#include "tests/cli_runner.h"

namespace amanat::testing {
namespace {

constexpr char kMinisign[] = "/usr/bin/minisign";

class MinisignTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    ASSERT_TRUE(crypto::InitCrypto());
  }
};

crypto::Ed25519KeyPair FixedKey(uint8_t fill) {
  Bytes seed(32, fill);
  return std::move(crypto::Ed25519KeyPair::FromSeed(seed).value());
}

TEST_F(MinisignTest, KeyNumberIsSha256PrefixAndPrintedReversed) {
  auto key = FixedKey(7);
  crypto::MinisignKeyNumber n = crypto::MinisignKeyNumberOf(key.public_key());
  std::string hex = Sha256SumOf(std::string(AsChars(key.public_key())));
  EXPECT_EQ(crypto::HexEncode(n), hex.substr(0, 16));
  std::string text = crypto::MinisignKeyNumberText(n);
  ASSERT_EQ(text.size(), 16u);
  // minisign prints le64_load(keynum): the last byte first.
  char last[3];
  std::snprintf(last, sizeof last, "%02X", n[7]);
  EXPECT_EQ(text.substr(0, 2), last);
}

TEST_F(MinisignTest, SignVerifyRoundTripAndTamper) {
  auto key = FixedKey(1);
  const std::string msg = "{\"format\":\"amanat-bundle/1\"}\n";
  auto sig = crypto::MinisignSign(key, AsBytes(msg), "trusted words", "untrusted words");
  ASSERT_TRUE(sig.ok()) << sig.status().message();
  crypto::MinisignPublicKey pub{crypto::MinisignKeyNumberOf(key.public_key()), key.public_key()};
  auto ok = crypto::MinisignVerify(pub, AsBytes(msg), *sig);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->trusted_comment, "trusted words");
  EXPECT_EQ(ok->untrusted_comment, "untrusted words");
  EXPECT_TRUE(ok->prehashed);

  // Any changed byte of the message.
  std::string other = msg;
  other[5] ^= 1;
  EXPECT_EQ(crypto::MinisignVerify(pub, AsBytes(other), *sig).status().code(), Code::kVerifyFailed);
  // The trusted comment.
  std::string forged = *sig;
  forged.replace(forged.find("\ntrusted comment: trusted words") + 18, 13, "trusted wordz");
  EXPECT_EQ(crypto::MinisignVerify(pub, AsBytes(msg), forged).status().code(), Code::kVerifyFailed);
  // Another key with the same key number is still refused.
  auto other_key = FixedKey(2);
  crypto::MinisignPublicKey wrong{pub.key_number, other_key.public_key()};
  EXPECT_EQ(crypto::MinisignVerify(wrong, AsBytes(msg), *sig).status().code(), Code::kVerifyFailed);
  // Another key number.
  crypto::MinisignPublicKey renumbered = pub;
  renumbered.key_number[0] ^= 1;
  auto r = crypto::MinisignVerify(renumbered, AsBytes(msg), *sig);
  EXPECT_EQ(r.status().code(), Code::kVerifyFailed);
  EXPECT_NE(r.status().message().find("made by key"), std::string::npos);
}

TEST_F(MinisignTest, MalformedSignaturesAndKeysAreInvalidInput) {
  auto key = FixedKey(3);
  crypto::MinisignPublicKey pub{crypto::MinisignKeyNumberOf(key.public_key()), key.public_key()};
  const std::string msg = "m";
  std::string sig = crypto::MinisignSign(key, AsBytes(msg), "t", "u").value();
  for (const std::string& bad :
       {std::string(), sig.substr(0, sig.size() / 2), sig + "extra line\n",
        "trusted comment: x\n" + sig.substr(sig.find('\n') + 1),
        sig.substr(0, sig.find('\n') + 1) + "!!!!\n" + sig.substr(sig.find("trusted")),
        std::string(5000, 'a')}) {
    EXPECT_EQ(crypto::MinisignVerify(pub, AsBytes(msg), bad).status().code(), Code::kInvalidInput)
        << bad;
  }
  EXPECT_EQ(crypto::MinisignSign(key, AsBytes(msg), "line\nbreak", "u").status().code(),
            Code::kInvalidInput);
  EXPECT_EQ(crypto::MinisignSign(key, AsBytes(msg), std::string(2000, 'x'), "u").status().code(),
            Code::kInvalidInput);
  for (const std::string& bad : {std::string(), std::string("untrusted comment: x\n"),
                                 std::string("untrusted comment: x\nAAAA\n"),
                                 std::string("a\nb\nc\n")}) {
    EXPECT_EQ(crypto::ParseMinisignPublicKey(bad).status().code(), Code::kInvalidInput) << bad;
  }
  std::string text = crypto::FormatMinisignPublicKey(pub);
  auto parsed = crypto::ParseMinisignPublicKey(text);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->public_key, pub.public_key);
  EXPECT_EQ(parsed->key_number, pub.key_number);
}

// Ours signs, stock minisign verifies (and rejects a changed file).
TEST_F(MinisignTest, StockMinisignVerifiesOurSignature) {
  auto key = FixedKey(4);
  crypto::MinisignPublicKey pub{crypto::MinisignKeyNumberOf(key.public_key()), key.public_key()};
  const std::string msg = PseudoRandomBytes(100000, 4);
  std::string file = MakeFile("manifest.json", msg);
  std::string pubfile = MakeFile("key.pub", crypto::FormatMinisignPublicKey(pub));
  MakeFile("manifest.json.minisig",
           crypto::MinisignSign(key, AsBytes(msg), "amanat test comment", "from amanat").value());
  RunResult r = RunProgram(kMinisign, {"-V", "-m", file, "-p", pubfile});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_NE(r.out.find("Trusted comment: amanat test comment"), std::string::npos) << r;
  // -H: stock minisign insists on the prehashed form, which is what we write.
  EXPECT_EQ(RunProgram(kMinisign, {"-V", "-H", "-m", file, "-p", pubfile}).exit_code, 0);

  std::string changed = msg;
  changed[99999] ^= 0x40;
  WriteFileBytes(file, changed);
  EXPECT_NE(RunProgram(kMinisign, {"-V", "-m", file, "-p", pubfile}).exit_code, 0);
}

// Stock minisign makes the key (unencrypted, -W) and signs, in both formats; we verify.
TEST_F(MinisignTest, WeVerifyStockMinisignSignatures) {
  std::string pubfile = Path("stock.pub"), secfile = Path("stock.key");
  RunResult g = RunProgram(kMinisign, {"-G", "-W", "-p", pubfile, "-s", secfile});
  ASSERT_EQ(g.exit_code, 0) << g;
  const std::string msg = PseudoRandomBytes(70000, 5);
  std::string file = MakeFile("data.bin", msg);
  auto pub = crypto::ParseMinisignPublicKey(ReadFileBytes(pubfile));
  ASSERT_TRUE(pub.ok()) << pub.status().message();
  // The comment line of a stock key names the key number as we print it, except that
  // stock minisign prints it with printf("%" PRIX64), without leading zeros.
  std::string number = crypto::MinisignKeyNumberText(pub->key_number);
  number.erase(0, std::min(number.find_first_not_of('0'), number.size() - 1));
  EXPECT_NE(ReadFileBytes(pubfile).find("minisign public key " + number + "\n"),
            std::string::npos)
      << ReadFileBytes(pubfile);

  for (bool legacy : {false, true}) {
    std::vector<std::string> args = {"-S", "-s", secfile, "-m", file, "-t", "stock trusted"};
    if (legacy) args.push_back("-l");
    RunResult s = RunProgram(kMinisign, args);
    ASSERT_EQ(s.exit_code, 0) << s;
    std::string sig = ReadFileBytes(file + ".minisig");
    auto v = crypto::MinisignVerify(*pub, AsBytes(msg), sig);
    ASSERT_TRUE(v.ok()) << v.status().message();
    EXPECT_EQ(v->prehashed, !legacy);
    EXPECT_EQ(v->trusted_comment, "stock trusted");
    std::string changed = msg;
    changed[0] ^= 1;
    EXPECT_EQ(crypto::MinisignVerify(*pub, AsBytes(changed), sig).status().code(),
              Code::kVerifyFailed);
  }
}

}  // namespace
}  // namespace amanat::testing
