#include <gtest/gtest.h>

#include "crypto/ed25519.h"
#include "crypto/encoding.h"
#include "crypto/secret.h"
#include "crypto/sha256.h"

namespace amanat::crypto {
namespace {

TEST(Encoding, HexRoundTrip) {
  Bytes b = {0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(HexEncode(b), "0001abff");
  auto d = HexDecode("0001ABff");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, b);
  EXPECT_FALSE(HexDecode("abc").ok());
  EXPECT_FALSE(HexDecode("zz").ok());
  EXPECT_FALSE(HexDecode("00 1").ok());
}

TEST(Encoding, Base64Strict) {
  EXPECT_EQ(Base64Encode(AsBytes("hello")), "aGVsbG8=");
  auto d = Base64Decode("aGVsbG8=");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(AsChars(*d), "hello");
  EXPECT_FALSE(Base64Decode("aGVsbG8").ok());
  EXPECT_FALSE(Base64Decode("aGVsbG8=x").ok());
  EXPECT_FALSE(Base64Decode("aGVs bG8=").ok());
}

// libsodium 1.0.18 decodes any byte >= 0x80 as '/': "aGVsbG8/" and "aGVsbG8\xd2" must not
// both decode (found by fuzzing the age header).
TEST(Encoding, Base64RefusesBytesAbove0x7F) {
  ASSERT_TRUE(Base64Decode("aGVsbG8/").ok());
  for (int c = 0x80; c <= 0xff; ++c) {
    std::string s = "aGVsbG8/";
    s[7] = static_cast<char>(c);
    EXPECT_FALSE(Base64Decode(s).ok()) << c;
    Bytes out;
    EXPECT_FALSE(Base64DecodePublicAppend(s, &out)) << c;  // the same rules, table-driven
  }
  EXPECT_TRUE(IsAscii("aGVsbG8/"));
  EXPECT_FALSE(IsAscii("aGVsbG8\xd2"));
}

TEST(Sha256, KnownAnswers) {
  EXPECT_EQ(HexEncode(Sha256Of(std::string_view(""))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Sha256 h;
  h.Update(AsBytes("a"));
  h.Update(AsBytes("bc"));
  EXPECT_EQ(HexEncode(h.Finish()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // Finish resets: the hasher is reusable.
  h.Update(AsBytes("abc"));
  EXPECT_EQ(HexEncode(h.Finish()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(SecretBytes, CopyCompareTruncate) {
  auto a = SecretBytes::Copy(AsBytes("secret"));
  auto b = SecretBytes::Copy(AsBytes("secret"));
  auto c = SecretBytes::Copy(AsBytes("secreT"));
  EXPECT_TRUE(a.Equals(b));
  EXPECT_FALSE(a.Equals(c));
  a.Truncate(3);
  EXPECT_EQ(AsChars(a.view()), "sec");
  SecretBytes moved = std::move(a);
  EXPECT_EQ(moved.size(), 3u);
  EXPECT_EQ(a.size(), 0u);  // NOLINT: checking moved-from state on purpose
}

TEST(Ed25519, SignVerifyAndReject) {
  auto kp = Ed25519KeyPair::Generate();
  auto sig = kp.Sign(AsBytes("custody"));
  EXPECT_TRUE(Ed25519Verify(kp.public_key(), AsBytes("custody"), sig));
  EXPECT_FALSE(Ed25519Verify(kp.public_key(), AsBytes("custodY"), sig));
  sig[0] ^= 1;
  EXPECT_FALSE(Ed25519Verify(kp.public_key(), AsBytes("custody"), sig));
  auto again = Ed25519KeyPair::FromSecretKey(kp.secret_key().view());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->public_key(), kp.public_key());
  Bytes bad(kp.secret_key().view().begin(), kp.secret_key().view().end());
  bad[40] ^= 1;  // public half no longer matches the seed
  EXPECT_FALSE(Ed25519KeyPair::FromSecretKey(bad).ok());
}

}  // namespace
}  // namespace amanat::crypto
