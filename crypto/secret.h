// SecretBytes: key material and passphrases in guarded, locked, zeroed-on-free memory.
//
// Backed by sodium_malloc (guard pages, mlock, canary; sodium_free wipes). Move-only, no
// operator<< and no formatter: a secret cannot be printed by accident. The raw bytes are
// reached only through data()/view(), so a grep for those lists every place that touches them.
#ifndef AMANAT_CRYPTO_SECRET_H_
#define AMANAT_CRYPTO_SECRET_H_

#include <cstddef>
#include <cstdint>

#include "crypto/bytes.h"
#include "crypto/status.h"

namespace amanat::crypto {

// Initialises libsodium once; safe to call from any thread, any number of times.
// Returns false only if libsodium cannot initialise (no usable randomness).
[[nodiscard]] bool InitCrypto();

class SecretBytes {
 public:
  SecretBytes() = default;
  // Zero-filled secret of `size` bytes. Aborts if secure memory cannot be had, since
  // falling back to ordinary memory would silently weaken every guarantee built on it.
  explicit SecretBytes(size_t size);
  static SecretBytes Copy(ByteView data);
  static SecretBytes Random(size_t size);
  ~SecretBytes();

  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  ByteView view() const { return ByteView(data_, size_); }

  // Shortens the secret in place (the tail is wiped). REQUIRES: n <= size().
  void Truncate(size_t n);
  // Constant-time comparison.
  bool Equals(const SecretBytes& other) const;

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Fills `out` from the OS CSPRNG.
void RandomBytes(uint8_t* out, size_t n);
template <size_t N>
std::array<uint8_t, N> RandomArray() {
  std::array<uint8_t, N> a;
  RandomBytes(a.data(), N);
  return a;
}

// Wipes ordinary memory that briefly held something sensitive.
void Wipe(void* p, size_t n);

}  // namespace amanat::crypto

#endif  // AMANAT_CRYPTO_SECRET_H_
