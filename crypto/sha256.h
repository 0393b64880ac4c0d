// SHA-256 through OpenSSL EVP (uses the CPU's SHA instructions where present).
#ifndef AMANAT_CRYPTO_SHA256_H_
#define AMANAT_CRYPTO_SHA256_H_

#include <initializer_list>
#include <memory>
#include <string>

#include "crypto/bytes.h"

namespace amanat::crypto {

// Incremental hasher. Not thread-safe; one per stream.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void Update(ByteView data);
  // Returns the digest and resets the hasher for reuse.
  Digest Finish();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

Digest Sha256Of(ByteView data);
// SHA-256 of the parts one after another. For the many short messages of the custody log
// and its Merkle tree: it reuses one digest context per thread rather than making one.
Digest Sha256Of(std::initializer_list<ByteView> parts);
inline Digest Sha256Of(std::string_view s) { return Sha256Of(AsBytes(s)); }

// Lowercase hex of SHA-256(data), as SHA256SUMS, manifests and item IDs write it.
std::string Sha256Hex(ByteView data);
inline std::string Sha256Hex(std::string_view s) { return Sha256Hex(AsBytes(s)); }

}  // namespace amanat::crypto

#endif  // AMANAT_CRYPTO_SHA256_H_
