#include "vault/signature_checker.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/ed25519.h"

namespace amanat::vault {
namespace {

PendingSignature SignedBy(const crypto::Ed25519KeyPair& k, const std::string& text) {
  PendingSignature s;
  s.pae = ToBytes(text);
  s.public_key = k.public_key();
  s.sig = k.SignUncheckedForBatch(s.pae);
  return s;
}

TEST(SignatureChecker, GoodSignaturesPassAndABadOneAmongManyIsCaught) {
  const auto key = crypto::Ed25519KeyPair::Generate();
  SignatureChecker checker;
  EXPECT_TRUE(checker.AllGood());  // nothing added
  for (int i = 0; i < 300; ++i) checker.Add(SignedBy(key, "event " + std::to_string(i)));
  EXPECT_TRUE(checker.AllGood());

  for (int i = 0; i < 300; ++i) {
    PendingSignature s = SignedBy(key, "event " + std::to_string(i));
    if (i == 157) s.sig[10] ^= 0x01;  // as a faulty signer would leave it
    checker.Add(std::move(s));
  }
  EXPECT_FALSE(checker.AllGood());

  // The failure belonged to that batch; the next one starts clean.
  checker.Add(SignedBy(key, "next command"));
  EXPECT_TRUE(checker.AllGood());
}

TEST(SignatureChecker, ASignatureByAnotherKeyFails) {
  const auto signer = crypto::Ed25519KeyPair::Generate();
  const auto other = crypto::Ed25519KeyPair::Generate();
  SignatureChecker checker;
  PendingSignature s = SignedBy(signer, "entry");
  s.public_key = other.public_key();
  checker.Add(std::move(s));
  EXPECT_FALSE(checker.AllGood());
}

TEST(SignatureChecker, DestroyedWithSignaturesStillQueued) {
  const auto key = crypto::Ed25519KeyPair::Generate();
  auto checker = std::make_unique<SignatureChecker>();
  for (int i = 0; i < 100; ++i) checker->Add(SignedBy(key, std::to_string(i)));
  checker.reset();  // a rolled-back command: the thread stops and joins
  SUCCEED();
}

}  // namespace
}  // namespace amanat::vault
