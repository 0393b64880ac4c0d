#include "crypto/ed25519.h"

#include <sodium.h>

#include <cstdlib>

namespace amanat::crypto {

Ed25519KeyPair Ed25519KeyPair::Generate() {
  if (!InitCrypto()) std::abort();
  Ed25519KeyPair kp;
  kp.sk_ = SecretBytes(crypto_sign_SECRETKEYBYTES);
  crypto_sign_keypair(kp.pk_.data(), kp.sk_.data());
  return kp;
}

Result<Ed25519KeyPair> Ed25519KeyPair::FromSeed(ByteView seed) {
  if (seed.size() != crypto_sign_SEEDBYTES) return InvalidInput("Ed25519 seed has wrong length");
  if (!InitCrypto()) std::abort();
  Ed25519KeyPair kp;
  kp.sk_ = SecretBytes(crypto_sign_SECRETKEYBYTES);
  crypto_sign_seed_keypair(kp.pk_.data(), kp.sk_.data(), seed.data());
  return kp;
}

Result<Ed25519KeyPair> Ed25519KeyPair::FromSecretKey(ByteView sk) {
  if (sk.size() != crypto_sign_SECRETKEYBYTES) {
    return InvalidInput("Ed25519 secret key has wrong length");
  }
  // Recompute the key pair from the seed half and compare: a damaged key is caught here.
  auto kp = FromSeed(sk.first(crypto_sign_SEEDBYTES));
  if (!kp.ok()) return kp.status();
  if (sodium_memcmp(kp->sk_.data(), sk.data(), sk.size()) != 0) {
    return InvalidInput("Ed25519 secret key is inconsistent with its public key");
  }
  return kp;
}

Ed25519Signature Ed25519KeyPair::Sign(ByteView message) const {
  Ed25519Signature sig;
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), sk_.data());
  if (!Ed25519Verify(pk_, message, sig)) std::abort();
  return sig;
}

Ed25519Signature Ed25519KeyPair::SignUncheckedForBatch(ByteView message) const {
  Ed25519Signature sig;
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), sk_.data());
  return sig;
}

bool Ed25519Verify(const Ed25519PublicKey& pk, ByteView message, const Ed25519Signature& sig) {
  if (!InitCrypto()) return false;
  return crypto_sign_verify_detached(sig.data(), message.data(), message.size(), pk.data()) == 0;
}

}  // namespace amanat::crypto
