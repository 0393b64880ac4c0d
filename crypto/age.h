// The age v1 file format (age-encryption.org/v1) for X25519 recipients: keys, streaming
// encryption, and decryption with random access. Files made here open with the stock
// `age -d -i KEY`; files made by the stock `age -r`/`age -R` open here.
//
// Callers never handle file keys, nonces or salts: the encryptor makes them and the reader
// derives them. Only the X25519 recipient type is implemented; other stanzas (scrypt,
// plugins) are skipped as the spec requires, and the ASCII-armored form is refused.
// docs/format/age.md lists what is implemented and how it is checked against stock age.
#ifndef AMANAT_CRYPTO_AGE_H_
#define AMANAT_CRYPTO_AGE_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/secret.h"
#include "crypto/status.h"

namespace amanat::crypto {

namespace age_internal {
class X25519;
}

// Every age file starts with this line.
inline constexpr std::string_view kAgeVersionLine = "age-encryption.org/v1\n";
// Plaintext bytes per payload chunk.
inline constexpr size_t kAgeChunkSize = 64 * 1024;

// True if `first_bytes` (the start of a file, at least 22 bytes of it) begins an age v1
// file in binary form.
bool IsAgeFile(ByteView first_bytes);

// An X25519 public key, written `age1…`. Copyable; thread-safe.
class AgeRecipient {
 public:
  // kInvalidInput unless `s` is a lowercase Bech32 string with HRP "age" and 32 bytes.
  static Result<AgeRecipient> Parse(std::string_view s);
  // The recipient of a raw X25519 public key (such as a vault's identity key).
  static AgeRecipient FromPublicKey(const std::array<uint8_t, 32>& key) { return AgeRecipient(key); }
  std::string ToString() const;  // "age1…"
  bool operator==(const AgeRecipient& o) const { return key_ == o.key_; }

 private:
  friend class AgeIdentity;
  friend class age_internal::X25519;
  explicit AgeRecipient(const std::array<uint8_t, 32>& key) : key_(key) {}
  std::array<uint8_t, 32> key_{};
};

// Same as AgeRecipient::Parse.
Result<AgeRecipient> ParseAgeRecipient(std::string_view s);

// An X25519 secret key, written `AGE-SECRET-KEY-1…`, held in secret memory. Move-only, no
// way to print it; its text form is reachable only as SecretBytes through FileText().
class AgeIdentity {
 public:
  static AgeIdentity Generate();
  // The identity of a raw 32-byte X25519 secret key (such as a vault's identity secret, a
  // libsodium crypto_box secret key). kInvalidInput unless it is 32 bytes.
  static Result<AgeIdentity> FromSecretKey(const SecretBytes& secret);
  AgeRecipient Recipient() const;

  // The identity file as the stock age-keygen writes it:
  //   # created: 2026-01-02T03:04:05Z
  //   # public key: age1…
  //   AGE-SECRET-KEY-1…
  // with `created` in UTC. Write it with mode 0600.
  SecretBytes FileText(std::chrono::system_clock::time_point created) const;

  AgeIdentity(AgeIdentity&&) noexcept = default;
  AgeIdentity& operator=(AgeIdentity&&) noexcept = default;

 private:
  friend class age_internal::X25519;
  friend Result<std::vector<AgeIdentity>> ParseAgeIdentities(std::string_view text);
  AgeIdentity(SecretBytes secret, const std::array<uint8_t, 32>& public_key)
      : secret_(std::move(secret)), public_(public_key) {}
  SecretBytes secret_;  // 32 bytes
  std::array<uint8_t, 32> public_{};
};

// The identities in an identity file as the stock age-keygen writes it: one
// `AGE-SECRET-KEY-1…` per line; lines starting with '#' and empty lines are skipped; a
// trailing '\r' is dropped. kInvalidInput, naming the line (never quoting it), for any other
// line, an encrypted or SSH identity file, or a file without a key.
Result<std::vector<AgeIdentity>> ParseAgeIdentities(std::string_view text);

// Writes an age file to X25519 recipients through `sink`, in constant memory (one chunk).
// Not thread-safe. Usage:
//   ASSIGN_OR_RETURN(auto enc, AgeEncryptor::Create(recipients, sink));
//   RETURN_IF_ERROR(enc.Write(data)); ...
//   RETURN_IF_ERROR(enc.Finish());
// Without Finish() the output is a truncated age file, which every reader rejects.
class AgeEncryptor {
 public:
  using Sink = std::function<Status(ByteView)>;

  // Makes a fresh file key and payload nonce, and writes the header to `sink`.
  // kInvalidInput if `recipients` is empty; otherwise the sink's Status on failure.
  static Result<AgeEncryptor> Create(const std::vector<AgeRecipient>& recipients, Sink sink);

  // Encrypts `data`, writing every chunk that is complete and known not to be the last.
  // After any failure the encryptor refuses further calls.
  Status Write(ByteView data);
  // Writes the final chunk. REQUIRES: called once, after the last Write.
  Status Finish();

  AgeEncryptor(AgeEncryptor&&) noexcept = default;
  AgeEncryptor& operator=(AgeEncryptor&&) noexcept = default;

 private:
  AgeEncryptor(Sink sink, SecretBytes payload_key);
  Status EmitChunk(bool last);

  Sink sink_;
  SecretBytes payload_key_;
  SecretBytes buffer_;  // plaintext of the chunk being filled
  size_t filled_ = 0;
  uint64_t counter_ = 0;
  Bytes sealed_;
  bool failed_ = false;
  bool finished_ = false;
};

// Reads `n` bytes at `offset` of the encrypted source into `buf`; returns how many it read
// (fewer only at the end of the source).
using ReadAtFn = std::function<Result<size_t>(uint64_t offset, uint8_t* buf, size_t n)>;

// An age file opened for reading at any offset, without temporary files: ReadAt decrypts
// only the chunks it needs and authenticates each one before returning any byte of it.
// Not thread-safe (it caches the current chunk).
class AgeFile {
 public:
  // Parses the header strictly, unwraps the file key with one of `identities`, checks the
  // header MAC, and authenticates the last chunk, so plaintext_size() is known and any
  // truncation or extension of the payload is already detected. Errors:
  //   kInvalidInput   not an age v1 file, or a malformed header (armored files included)
  //   kAuthFailed     no identity matches any recipient stanza
  //   kVerifyFailed   header MAC, or the last chunk, does not authenticate; wrong length
  //   the source's own Status when reading fails.
  static Result<AgeFile> Open(ReadAtFn source, uint64_t source_size,
                              const std::vector<AgeIdentity>& identities);

  uint64_t plaintext_size() const { return plaintext_size_; }

  // Reads up to `n` plaintext bytes at `offset`; returns how many (0 at or past the end).
  // kVerifyFailed if a chunk it needs does not authenticate.
  Result<size_t> ReadAt(uint64_t offset, uint8_t* buf, size_t n);

  AgeFile(AgeFile&&) noexcept = default;
  AgeFile& operator=(AgeFile&&) noexcept = default;

 private:
  AgeFile(ReadAtFn source, SecretBytes payload_key, uint64_t chunks_offset, uint64_t chunk_count,
          uint64_t plaintext_size);
  Status LoadChunk(uint64_t index);

  ReadAtFn source_;
  SecretBytes payload_key_;
  uint64_t chunks_offset_ = 0;  // where the first chunk starts in the source
  uint64_t chunk_count_ = 0;
  uint64_t plaintext_size_ = 0;
  SecretBytes chunk_;  // plaintext of chunk `cached_`
  size_t chunk_size_ = 0;
  uint64_t cached_ = UINT64_MAX;
  Bytes sealed_;
};

}  // namespace amanat::crypto

#endif  // AMANAT_CRYPTO_AGE_H_
