// X25519 key pairs and anonymous sealed boxes (libsodium crypto_box_seal) for sealing small
// secrets to a public key: witness identity records to the vault's identity key, and the
// identity key itself to a custodian's slot box key (docs/format/witnesses.md).
//
// A sealed box is X25519 + XSalsa20-Poly1305 with an ephemeral sender key: anyone with the
// public key can seal, only the secret key opens, and the box carries no associated data —
// callers bind context inside the plaintext and check it after opening.
#ifndef AMANAT_CRYPTO_BOX_H_
#define AMANAT_CRYPTO_BOX_H_

#include <array>

#include "crypto/bytes.h"
#include "crypto/secret.h"
#include "crypto/status.h"

namespace amanat::crypto {

inline constexpr size_t kBoxPublicKeyBytes = 32;
inline constexpr size_t kBoxSecretKeyBytes = 32;
inline constexpr size_t kBoxSealOverhead = 48;  // ephemeral public key + tag
using BoxPublicKey = std::array<uint8_t, kBoxPublicKeyBytes>;

// An X25519 key pair; the secret half is in SecretBytes. Move-only.
class BoxKeyPair {
 public:
  static BoxKeyPair Generate();
  // From a 32-byte secret key; the public key is recomputed from it.
  static Result<BoxKeyPair> FromSecretKey(ByteView sk);

  const BoxPublicKey& public_key() const { return pk_; }
  const SecretBytes& secret_key() const { return sk_; }

 private:
  BoxKeyPair() = default;
  SecretBytes sk_;
  BoxPublicKey pk_{};
};

// Seals `plaintext` to `recipient`; the result is plaintext.size() + 48 bytes. kInvalidInput
// for a public key no one can hold the secret of (a low-order point, e.g. all zeros).
Result<Bytes> BoxSeal(const BoxPublicKey& recipient, ByteView plaintext);

// Opens a sealed box into secret memory. kAuthFailed if it was not sealed to this key pair or
// was changed in any way.
Result<SecretBytes> BoxSealOpen(const BoxKeyPair& recipient, ByteView sealed);

}  // namespace amanat::crypto

#endif  // AMANAT_CRYPTO_BOX_H_
