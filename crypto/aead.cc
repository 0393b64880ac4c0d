#include "crypto/aead.h"

#include <sodium.h>

#include <cstdlib>

namespace amanat::crypto {

Sealed AeadSeal(const SecretBytes& key, ByteView plaintext, ByteView ad) {
  if (key.size() != kAeadKeyBytes) std::abort();
  Sealed out;
  RandomBytes(out.nonce.data(), out.nonce.size());
  out.ciphertext.resize(plaintext.size() + kAeadTagBytes);
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.ciphertext.data(), &len, plaintext.data(),
                                             plaintext.size(), ad.data(), ad.size(), nullptr,
                                             out.nonce.data(), key.data());
  out.ciphertext.resize(static_cast<size_t>(len));
  return out;
}

Result<SecretBytes> AeadOpen(const SecretBytes& key, const AeadNonce& nonce, ByteView ct,
                             ByteView ad) {
  if (key.size() != kAeadKeyBytes) std::abort();
  if (ct.size() < kAeadTagBytes) return AuthFailed("sealed value too short");
  SecretBytes out(ct.size() - kAeadTagBytes);
  unsigned long long len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(out.data(), &len, nullptr, ct.data(), ct.size(),
                                                 ad.data(), ad.size(), nonce.data(),
                                                 key.data()) != 0) {
    return AuthFailed("sealed value does not authenticate");
  }
  out.Truncate(static_cast<size_t>(len));
  return out;
}

}  // namespace amanat::crypto
