#include "crypto/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace amanat::crypto {
namespace {

// EVP failures on SHA-256 mean the library itself is broken; there is no safe way on.
[[noreturn]] void Die() { std::abort(); }

}  // namespace

struct Sha256::Ctx {
  EVP_MD_CTX* md = nullptr;
  ~Ctx() { EVP_MD_CTX_free(md); }
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {
  ctx_->md = EVP_MD_CTX_new();
  if (ctx_->md == nullptr || EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr) != 1) Die();
}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::Update(ByteView data) {
  if (data.empty()) return;
  if (EVP_DigestUpdate(ctx_->md, data.data(), data.size()) != 1) Die();
}

Digest Sha256::Finish() {
  Digest out;
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_->md, out.data(), &len) != 1 || len != out.size()) Die();
  if (EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr) != 1) Die();
  return out;
}

Digest Sha256Of(ByteView data) {
  Sha256 h;
  h.Update(data);
  return h.Finish();
}

}  // namespace amanat::crypto
