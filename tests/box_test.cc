// crypto/box: X25519 key pairs and sealed boxes.
#include "crypto/box.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include "crypto/secret.h"

namespace amanat::crypto {
namespace {

class BoxTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(InitCrypto()); }
};

TEST_F(BoxTest, SealOpenRoundTripAndFreshEachTime) {
  auto kp = BoxKeyPair::Generate();
  auto a = BoxSeal(kp.public_key(), AsBytes("a witness record"));
  auto b = BoxSeal(kp.public_key(), AsBytes("a witness record"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 16u + kBoxSealOverhead);
  EXPECT_NE(*a, *b) << "an ephemeral key per box: the same plaintext seals differently";
  auto plain = BoxSealOpen(kp, *a);
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_EQ(AsChars(plain->view()), "a witness record");
  // The plaintext is not in the box.
  EXPECT_EQ(std::string(AsChars(*a)).find("witness"), std::string::npos);
}

TEST_F(BoxTest, OnlyTheRecipientOpensAndAnyChangeFails) {
  auto kp = BoxKeyPair::Generate();
  auto other = BoxKeyPair::Generate();
  auto sealed = BoxSeal(kp.public_key(), AsBytes("secret"));
  ASSERT_TRUE(sealed.ok());
  auto wrong = BoxSealOpen(other, *sealed);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), Code::kAuthFailed);
  for (size_t i = 0; i < sealed->size(); ++i) {
    Bytes bad = *sealed;
    bad[i] ^= 0x01;
    EXPECT_FALSE(BoxSealOpen(kp, bad).ok()) << "byte " << i;
  }
  EXPECT_FALSE(BoxSealOpen(kp, Bytes(sealed->begin(), sealed->end() - 1)).ok());
  EXPECT_FALSE(BoxSealOpen(kp, Bytes(10, 0)).ok());
}

TEST_F(BoxTest, FromSecretKeyRecomputesThePublicKey) {
  auto kp = BoxKeyPair::Generate();
  auto again = BoxKeyPair::FromSecretKey(kp.secret_key().view());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->public_key(), kp.public_key());
  // The same key pair as libsodium's crypto_scalarmult_base.
  BoxPublicKey pk;
  ASSERT_EQ(crypto_scalarmult_base(pk.data(), kp.secret_key().data()), 0);
  EXPECT_EQ(pk, kp.public_key());
  EXPECT_FALSE(BoxKeyPair::FromSecretKey(Bytes(31, 1)).ok());
  EXPECT_FALSE(BoxKeyPair::FromSecretKey(Bytes(33, 1)).ok());
}

TEST_F(BoxTest, LowOrderPublicKeyIsRefusedNotACrash) {
  // A damaged or hostile file could hold an all-zero key: sealing to it must fail cleanly.
  BoxPublicKey zero{};
  auto r = BoxSeal(zero, AsBytes("x"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidInput);
}

}  // namespace
}  // namespace amanat::crypto
