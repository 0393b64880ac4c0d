#include "crypto/box.h"

#include <sodium.h>

#include <cstdlib>

namespace amanat::crypto {

static_assert(kBoxPublicKeyBytes == crypto_box_PUBLICKEYBYTES);
static_assert(kBoxSecretKeyBytes == crypto_box_SECRETKEYBYTES);
static_assert(kBoxSealOverhead == crypto_box_SEALBYTES);

BoxKeyPair BoxKeyPair::Generate() {
  if (!InitCrypto()) std::abort();
  BoxKeyPair kp;
  kp.sk_ = SecretBytes(crypto_box_SECRETKEYBYTES);
  crypto_box_keypair(kp.pk_.data(), kp.sk_.data());
  return kp;
}

Result<BoxKeyPair> BoxKeyPair::FromSecretKey(ByteView sk) {
  if (sk.size() != crypto_box_SECRETKEYBYTES)
    return InvalidInput("X25519 secret key has wrong length");
  if (!InitCrypto()) std::abort();
  BoxKeyPair kp;
  kp.sk_ = SecretBytes::Copy(sk);
  if (crypto_scalarmult_base(kp.pk_.data(), kp.sk_.data()) != 0) {
    return InvalidInput("X25519 secret key is not usable");
  }
  return kp;
}

Result<Bytes> BoxSeal(const BoxPublicKey& recipient, ByteView plaintext) {
  if (!InitCrypto()) std::abort();
  Bytes out(plaintext.size() + crypto_box_SEALBYTES);
  if (crypto_box_seal(out.data(), plaintext.data(), plaintext.size(), recipient.data()) != 0) {
    return InvalidInput("X25519 public key is not usable (low-order point)");
  }
  return out;
}

Result<SecretBytes> BoxSealOpen(const BoxKeyPair& recipient, ByteView sealed) {
  if (sealed.size() < crypto_box_SEALBYTES) return AuthFailed("sealed box too short");
  SecretBytes out(sealed.size() - crypto_box_SEALBYTES);
  if (crypto_box_seal_open(out.data(), sealed.data(), sealed.size(), recipient.public_key().data(),
                           recipient.secret_key().data()) != 0) {
    return AuthFailed("sealed box does not open with this key");
  }
  return out;
}

}  // namespace amanat::crypto
