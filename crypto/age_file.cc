// AgeFile: an age file read at any offset, one authenticated chunk at a time.
#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "crypto/age_internal.h"

namespace amanat::crypto {

using age_internal::kSealedChunkSize;
using age_internal::kTagBytes;

Result<AgeFile> AgeFile::Open(ReadAtFn source, uint64_t source_size,
                              const std::vector<AgeIdentity>& identities) {
  if (!InitCrypto()) return IoError("libsodium failed to initialise");
  ASSIGN_OR_RETURN(age_internal::Header h, age_internal::ParseHeader(source, source_size));

  // Every X25519 stanza must be well formed, whichever one our identity opens.
  using age_internal::X25519;
  for (const auto& s : h.stanzas) {
    if (s.args[0] == X25519::kType) RETURN_IF_ERROR(X25519::CheckStanza(s));
  }
  // Every X25519 stanza is tried with every identity, even after a match, so that a
  // low-order share anywhere fails the file whatever the order of the stanzas.
  std::optional<SecretBytes> file_key;
  for (const auto& s : h.stanzas) {
    if (s.args[0] != X25519::kType) continue;  // other recipient types are skipped
    for (const AgeIdentity& id : identities) {
      ASSIGN_OR_RETURN(std::optional<SecretBytes> key, X25519::Unwrap(id, s));
      if (key && !file_key) file_key = std::move(key);
    }
  }
  if (!file_key) {
    return Status(Code::kAuthFailed, "no identity matches any recipient of the age file",
                  "use the identity file of a recipient the file was encrypted to");
  }

  // The header MAC before anything else of the file is used.
  auto mac = age_internal::HeaderMac(*file_key, h.mac_input);
  if (sodium_memcmp(mac.data(), h.mac.data(), mac.size()) != 0) {
    return VerifyFailed("age header MAC does not match: the header was changed");
  }

  std::array<uint8_t, age_internal::kPayloadNonceBytes> nonce;
  const uint64_t chunks_offset = h.payload_offset + nonce.size();
  if (source_size < chunks_offset + kTagBytes) return VerifyFailed("age payload is truncated");
  RETURN_IF_ERROR(age_internal::ReadExactly(source, h.payload_offset, nonce.data(), nonce.size(),
                                            "age payload"));
  // Every chunk but the last is full, so the source size fixes the layout; the last chunk
  // authenticates only with the last flag set and its own counter, which catches a file
  // truncated or extended at any point.
  const uint64_t sealed = source_size - chunks_offset;
  const uint64_t count = (sealed + kSealedChunkSize - 1) / kSealedChunkSize;
  const uint64_t last_sealed = sealed - (count - 1) * kSealedChunkSize;
  if (last_sealed < kTagBytes) {
    return VerifyFailed("age payload is truncated or has trailing bytes");
  }
  if (last_sealed == kTagBytes && count > 1) {
    return VerifyFailed("age payload ends with an empty chunk");
  }
  const uint64_t plaintext_size = (count - 1) * kAgeChunkSize + (last_sealed - kTagBytes);
  AgeFile f(std::move(source), age_internal::PayloadKey(*file_key, nonce), chunks_offset, count,
            plaintext_size);
  Status s = f.LoadChunk(count - 1);
  if (!s.ok()) {
    if (s.code() != Code::kVerifyFailed) return s;  // the source's own error
    return VerifyFailed(
        "age payload is truncated, extended or changed: its last chunk does not "
        "authenticate");
  }
  return f;
}

AgeFile::AgeFile(ReadAtFn source, SecretBytes payload_key, uint64_t chunks_offset,
                 uint64_t chunk_count, uint64_t plaintext_size)
    : source_(std::move(source)),
      payload_key_(std::move(payload_key)),
      chunks_offset_(chunks_offset),
      chunk_count_(chunk_count),
      plaintext_size_(plaintext_size),
      chunk_(kAgeChunkSize),
      sealed_(kSealedChunkSize) {}

Status AgeFile::LoadChunk(uint64_t index) {
  if (index == cached_) return OkStatus();
  cached_ = UINT64_MAX;
  const bool last = index + 1 == chunk_count_;
  const size_t len = last ? static_cast<size_t>(plaintext_size_ - index * kAgeChunkSize) + kTagBytes
                          : kSealedChunkSize;
  RETURN_IF_ERROR(age_internal::ReadExactly(source_, chunks_offset_ + index * kSealedChunkSize,
                                            sealed_.data(), len, "age payload"));
  auto nonce = age_internal::ChunkNonce(index, last);
  unsigned long long out_len = 0;
  if (crypto_aead_chacha20poly1305_ietf_decrypt(chunk_.data(), &out_len, nullptr, sealed_.data(),
                                                len, nullptr, 0, nonce.data(),
                                                payload_key_.data()) != 0) {
    return VerifyFailed("age payload chunk " + std::to_string(index) + " does not authenticate");
  }
  chunk_size_ = static_cast<size_t>(out_len);
  cached_ = index;
  return OkStatus();
}

Result<size_t> AgeFile::ReadAt(uint64_t offset, uint8_t* buf, size_t n) {
  size_t done = 0;
  while (done < n && offset < plaintext_size_) {
    const uint64_t index = offset / kAgeChunkSize;
    const size_t within = static_cast<size_t>(offset % kAgeChunkSize);
    RETURN_IF_ERROR(LoadChunk(index));
    const size_t take = std::min(n - done, chunk_size_ - within);
    std::memcpy(buf + done, chunk_.data() + within, take);
    done += take;
    offset += take;
  }
  return done;
}

}  // namespace amanat::crypto
