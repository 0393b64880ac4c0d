#include "crypto/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>

#include "crypto/encoding.h"

namespace amanat::crypto {
namespace {

// EVP failures on SHA-256 mean the library itself is broken; there is no safe way on.
[[noreturn]] void Die() { std::abort(); }

// Fetched once: an implicit fetch (EVP_sha256()) at every init takes a lock.
const EVP_MD* Md() {
  static const EVP_MD* md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
    if (m == nullptr) Die();
    return m;
  }();
  return md;
}

}  // namespace

struct Sha256::Ctx {
  EVP_MD_CTX* md = nullptr;
  ~Ctx() { EVP_MD_CTX_free(md); }
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {
  ctx_->md = EVP_MD_CTX_new();
  if (ctx_->md == nullptr || EVP_DigestInit_ex(ctx_->md, Md(), nullptr) != 1) Die();
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
  if (EVP_DigestInit_ex(ctx_->md, Md(), nullptr) != 1) Die();
  return out;
}

Digest Sha256Of(std::initializer_list<ByteView> parts) {
  struct Free {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  thread_local std::unique_ptr<EVP_MD_CTX, Free> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr || EVP_DigestInit_ex(ctx.get(), Md(), nullptr) != 1) Die();
  for (ByteView part : parts) {
    if (!part.empty() && EVP_DigestUpdate(ctx.get(), part.data(), part.size()) != 1) Die();
  }
  Digest out;
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1 || len != out.size()) Die();
  return out;
}

Digest Sha256Of(ByteView data) {
  const std::initializer_list<ByteView> one = {data};
  return Sha256Of(one);
}

std::string Sha256Hex(ByteView data) { return HexEncode(Sha256Of(data)); }

}  // namespace amanat::crypto
