// AgeEncryptor: the age header, then the STREAM payload, chunk by chunk.
#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "crypto/age_internal.h"

namespace amanat::crypto {

Result<AgeEncryptor> AgeEncryptor::Create(const std::vector<AgeRecipient>& recipients, Sink sink) {
  if (recipients.empty()) return InvalidInput("age encryption needs at least one recipient");
  if (!InitCrypto()) return IoError("libsodium failed to initialise");
  SecretBytes file_key = SecretBytes::Random(age_internal::kFileKeyBytes);
  std::vector<age_internal::Stanza> stanzas;
  for (const AgeRecipient& r : recipients) {
    ASSIGN_OR_RETURN(age_internal::Stanza s, age_internal::X25519::Wrap(r, file_key));
    stanzas.push_back(std::move(s));
  }
  std::string header = age_internal::EncodeHeaderWithoutMac(stanzas);
  header += " " + age_internal::Base64RawEncode(age_internal::HeaderMac(file_key, header)) + "\n";
  std::array<uint8_t, age_internal::kPayloadNonceBytes> nonce;
  RandomBytes(nonce.data(), nonce.size());
  RETURN_IF_ERROR(sink(AsBytes(header)));
  RETURN_IF_ERROR(sink(nonce));
  return AgeEncryptor(std::move(sink), age_internal::PayloadKey(file_key, nonce));
}

AgeEncryptor::AgeEncryptor(Sink sink, SecretBytes payload_key)
    : sink_(std::move(sink)),
      payload_key_(std::move(payload_key)),
      buffer_(kAgeChunkSize),
      sealed_(age_internal::kSealedChunkSize) {}

Status AgeEncryptor::EmitChunk(bool last) {
  auto nonce = age_internal::ChunkNonce(counter_, last);
  unsigned long long len = 0;
  crypto_aead_chacha20poly1305_ietf_encrypt(sealed_.data(), &len, buffer_.data(), filled_, nullptr,
                                            0, nullptr, nonce.data(), payload_key_.data());
  Status s = sink_(ByteView(sealed_.data(), static_cast<size_t>(len)));
  if (!s.ok()) {
    failed_ = true;
    return s;
  }
  ++counter_;
  filled_ = 0;
  return OkStatus();
}

Status AgeEncryptor::Write(ByteView data) {
  if (failed_ || finished_) return IoError("age encryption: write after failure or Finish");
  while (!data.empty()) {
    if (filled_ == kAgeChunkSize) {
      // More data follows, so this full chunk is not the last.
      RETURN_IF_ERROR(EmitChunk(/*last=*/false));
    }
    size_t n = std::min(data.size(), kAgeChunkSize - filled_);
    std::memcpy(buffer_.data() + filled_, data.data(), n);
    filled_ += n;
    data = data.subspan(n);
  }
  return OkStatus();
}

Status AgeEncryptor::Finish() {
  if (failed_ || finished_) return IoError("age encryption: Finish after failure or Finish");
  // The last chunk holds what is left: never empty unless the whole plaintext is.
  RETURN_IF_ERROR(EmitChunk(/*last=*/true));
  finished_ = true;
  sodium_memzero(buffer_.data(), buffer_.size());
  return OkStatus();
}

}  // namespace amanat::crypto
