// Ed25519 signatures through libsodium.
#ifndef AMANAT_CRYPTO_ED25519_H_
#define AMANAT_CRYPTO_ED25519_H_

#include <array>

#include "crypto/bytes.h"
#include "crypto/secret.h"
#include "crypto/status.h"

namespace amanat::crypto {

using Ed25519PublicKey = std::array<uint8_t, 32>;
using Ed25519Signature = std::array<uint8_t, 64>;

// An Ed25519 key pair. The secret half (libsodium's 64-byte seed‖pk form) is in SecretBytes.
class Ed25519KeyPair {
 public:
  static Ed25519KeyPair Generate();
  // From a 32-byte seed (e.g. derived with crypto_kdf).
  static Result<Ed25519KeyPair> FromSeed(ByteView seed);
  // From libsodium's 64-byte secret key; checks that its embedded public key matches.
  static Result<Ed25519KeyPair> FromSecretKey(ByteView sk);

  const Ed25519PublicKey& public_key() const { return pk_; }
  const SecretBytes& secret_key() const { return sk_; }

  // Signs and then verifies the signature with the public key (minisign's habit): a fault
  // during signing must not leave a bad signature behind.
  Ed25519Signature Sign(ByteView message) const;

  // Signs without the check. The caller MUST verify the signature (Ed25519Verify) before it
  // leaves the process; the custody log does so for a whole transaction at once, on all
  // cores, before it commits.
  Ed25519Signature SignUncheckedForBatch(ByteView message) const;

 private:
  Ed25519KeyPair() = default;
  SecretBytes sk_;
  Ed25519PublicKey pk_{};
};

[[nodiscard]] bool Ed25519Verify(const Ed25519PublicKey& pk, ByteView message,
                                 const Ed25519Signature& sig);

}  // namespace amanat::crypto

#endif  // AMANAT_CRYPTO_ED25519_H_
