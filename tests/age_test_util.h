// Test helpers for the age format: in-memory sources and sinks, and a crafter that builds
// age files from chosen parts (file key, stanzas, chunks) to make malformed ones.
#ifndef AMANAT_TESTS_AGE_TEST_UTIL_H_
#define AMANAT_TESTS_AGE_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <sodium.h>

#include <memory>
#include <string>
#include <vector>

#include "crypto/age.h"
#include "crypto/age_internal.h"

namespace amanat::crypto::testing {

// A ReadAtFn over a copy of `data`.
inline ReadAtFn StringSource(std::string data) {
  auto d = std::make_shared<std::string>(std::move(data));
  return [d](uint64_t off, uint8_t* buf, size_t n) -> Result<size_t> {
    if (off >= d->size()) return size_t{0};
    size_t take = std::min<uint64_t>(n, d->size() - off);
    std::copy_n(d->data() + off, take, buf);
    return take;
  };
}

inline Result<AgeFile> OpenString(const std::string& file, const std::vector<AgeIdentity>& ids) {
  return AgeFile::Open(StringSource(file), file.size(), ids);
}

// Encrypts `plaintext` to `recipients`, written in pieces of `piece` bytes.
inline std::string Encrypt(const std::string& plaintext,
                           const std::vector<AgeRecipient>& recipients, size_t piece = 10000) {
  std::string out;
  auto enc = AgeEncryptor::Create(recipients, [&out](ByteView b) {
    out.append(AsChars(b));
    return OkStatus();
  });
  EXPECT_TRUE(enc.ok()) << enc.status().message();
  if (!enc.ok()) return "";
  for (size_t i = 0; i < plaintext.size(); i += piece) {
    EXPECT_TRUE(enc->Write(AsBytes(std::string_view(plaintext).substr(i, piece))).ok());
  }
  EXPECT_TRUE(enc->Finish().ok());
  return out;
}

// All of the plaintext, read in `piece`-byte steps.
inline Result<std::string> ReadAll(AgeFile& f, size_t piece = 65536) {
  std::string out;
  std::vector<uint8_t> buf(piece);
  while (true) {
    ASSIGN_OR_RETURN(size_t n, f.ReadAt(out.size(), buf.data(), buf.size()));
    if (n == 0) break;
    out.append(reinterpret_cast<const char*>(buf.data()), n);
  }
  return out;
}

// One payload chunk as the crafter should write it.
struct CraftChunk {
  std::string plaintext;
  bool last = false;
};

// An age file from chosen parts: the header of `stanzas` with a correct MAC under
// `file_key` (or `mac_text` in place of the MAC, if given), then a payload of `chunks`.
inline std::string CraftFile(const SecretBytes& file_key,
                             const std::vector<age_internal::Stanza>& stanzas,
                             const std::vector<CraftChunk>& chunks,
                             const std::string& mac_text = "") {
  std::string header = age_internal::EncodeHeaderWithoutMac(stanzas);
  std::string mac = mac_text.empty()
                        ? age_internal::Base64RawEncode(age_internal::HeaderMac(file_key, header))
                        : mac_text;
  std::string out = header + " " + mac + "\n";
  std::string nonce(16, '\x42');
  out += nonce;
  SecretBytes key = age_internal::PayloadKey(file_key, AsBytes(nonce));
  for (size_t i = 0; i < chunks.size(); ++i) {
    auto n = age_internal::ChunkNonce(i, chunks[i].last);
    std::string sealed(chunks[i].plaintext.size() + 16, '\0');
    crypto_aead_chacha20poly1305_ietf_encrypt(
        reinterpret_cast<uint8_t*>(sealed.data()), nullptr,
        reinterpret_cast<const uint8_t*>(chunks[i].plaintext.data()), chunks[i].plaintext.size(),
        nullptr, 0, nullptr, n.data(), key.data());
    out += sealed;
  }
  return out;
}

// A file key and the X25519 stanza wrapping it to `id`.
struct Wrapped {
  SecretBytes file_key = SecretBytes::Random(16);
  age_internal::Stanza stanza;
};
inline Wrapped WrapTo(const AgeIdentity& id) {
  Wrapped w;
  auto s = age_internal::X25519::Wrap(id.Recipient(), w.file_key);
  EXPECT_TRUE(s.ok());
  if (s.ok()) w.stanza = std::move(*s);
  return w;
}

}  // namespace amanat::crypto::testing

#endif  // AMANAT_TESTS_AGE_TEST_UTIL_H_
