// XChaCha20-Poly1305 (IETF) for wrapping secrets. Callers never choose nonces: Seal makes a
// random 192-bit one and returns it with the ciphertext.
#ifndef AMANAT_CRYPTO_AEAD_H_
#define AMANAT_CRYPTO_AEAD_H_

#include <array>

#include "crypto/bytes.h"
#include "crypto/secret.h"
#include "crypto/status.h"

namespace amanat::crypto {

inline constexpr size_t kAeadKeyBytes = 32;
inline constexpr size_t kAeadNonceBytes = 24;
inline constexpr size_t kAeadTagBytes = 16;
using AeadNonce = std::array<uint8_t, kAeadNonceBytes>;

struct Sealed {
  AeadNonce nonce{};
  Bytes ciphertext;  // plaintext length + 16-byte tag
};

// REQUIRES: key.size() == 32.
Sealed AeadSeal(const SecretBytes& key, ByteView plaintext, ByteView associated_data);

// The plaintext in secret memory, or kAuthFailed if the key is wrong or anything
// (nonce, ciphertext, associated data) was changed.
Result<SecretBytes> AeadOpen(const SecretBytes& key, const AeadNonce& nonce, ByteView ciphertext,
                             ByteView associated_data);

}  // namespace amanat::crypto

#endif  // AMANAT_CRYPTO_AEAD_H_
