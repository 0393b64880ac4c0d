// Internals of the age format shared by crypto/age_*.cc: the header (stanzas, MAC), the
// key schedule (HKDF-SHA-256, HMAC-SHA-256), payload chunk nonces, and X25519 stanzas.
// Not for use outside crypto/age_*.cc and its tests.
#ifndef AMANAT_CRYPTO_AGE_INTERNAL_H_
#define AMANAT_CRYPTO_AGE_INTERNAL_H_

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/age.h"

namespace amanat::crypto::age_internal {

inline constexpr size_t kFileKeyBytes = 16;
inline constexpr size_t kPayloadNonceBytes = 16;
inline constexpr size_t kTagBytes = 16;  // ChaCha20-Poly1305
inline constexpr size_t kSealedChunkSize = kAgeChunkSize + kTagBytes;
inline constexpr size_t kMacBytes = 32;
inline constexpr size_t kColumnsPerLine = 64;  // stanza body lines, in base64 characters
// A header longer than this is refused before it is read further (about 9,000 X25519
// recipients; the stock age writes one stanza of 100 bytes or so per recipient).
inline constexpr size_t kMaxHeaderBytes = 1 << 20;

// One recipient stanza: "-> TYPE ARG…" and a body.
struct Stanza {
  std::vector<std::string> args;  // args[0] is the type; none is empty
  Bytes body;
};

struct Header {
  std::vector<Stanza> stanzas;
  std::array<uint8_t, kMacBytes> mac{};
  std::string mac_input;        // the header up to and including "---", which the MAC covers
  uint64_t payload_offset = 0;  // where the payload nonce starts
};

// HKDF-SHA-256 (RFC 5869); an empty salt means the RFC's default (32 zero bytes).
SecretBytes Hkdf(ByteView ikm, ByteView salt, std::string_view info, size_t size);
std::array<uint8_t, 32> HmacSha256(const SecretBytes& key, ByteView data);

// Base64, standard alphabet, no padding. Decoding is strict: no padding, no whitespace or
// CR, and the unused bits of the last character must be zero (canonical form only).
std::string Base64RawEncode(ByteView data);
Result<Bytes> Base64RawDecode(std::string_view s);

// The header text up to and including "---" (no space, no MAC): the version line and each
// stanza, its body in base64 wrapped at 64 columns with a final shorter (maybe empty) line.
std::string EncodeHeaderWithoutMac(const std::vector<Stanza>& stanzas);
// HMAC-SHA-256 of `mac_input` under HKDF(file key, info "header").
std::array<uint8_t, kMacBytes> HeaderMac(const SecretBytes& file_key, std::string_view mac_input);

// Reads and parses the header from the start of `source`. kInvalidInput for anything but
// a well-formed, canonical age v1 header with at least one stanza; the source's Status if
// reading fails.
Result<Header> ParseHeader(const ReadAtFn& source, uint64_t source_size);

// Reads `n` bytes at `offset`, or fewer if the source ends first; returns how many.
Result<size_t> ReadUpTo(const ReadAtFn& source, uint64_t offset, uint8_t* buf, size_t n);
// Reads exactly `n` bytes at `offset`; kVerifyFailed ("`what` is truncated") if the source
// ends first.
Status ReadExactly(const ReadAtFn& source, uint64_t offset, uint8_t* buf, size_t n,
                   std::string_view what);

// The payload key: HKDF(salt = nonce, ikm = file key, info "payload").
SecretBytes PayloadKey(const SecretBytes& file_key, ByteView nonce);
// The ChaCha20-Poly1305 nonce of chunk `counter`: 11-byte big-endian counter, last flag.
std::array<uint8_t, 12> ChunkNonce(uint64_t counter, bool last);

// The X25519 recipient type: "-> X25519 <ephemeral share>" and the wrapped file key.
class X25519 {
 public:
  static constexpr std::string_view kType = "X25519";
  // A stanza wrapping `file_key` to `recipient` under a fresh ephemeral key; kInvalidInput
  // if the recipient is a low-order point.
  static Result<Stanza> Wrap(const AgeRecipient& recipient, const SecretBytes& file_key);
  // kInvalidInput unless `stanza` (of type X25519) has exactly one argument, a canonical
  // base64 32-byte share, and a 32-byte body.
  static Status CheckStanza(const Stanza& stanza);
  // The file key if `identity` opens `stanza`, nullopt if it does not. kInvalidInput if the
  // share is a low-order point (the shared secret would be all zeros).
  // REQUIRES: CheckStanza(stanza).ok()
  static Result<std::optional<SecretBytes>> Unwrap(const AgeIdentity& identity,
                                                   const Stanza& stanza);
  static AgeIdentity IdentityFromSecret(SecretBytes secret);  // REQUIRES: 32 bytes
};

}  // namespace amanat::crypto::age_internal

#endif  // AMANAT_CRYPTO_AGE_INTERNAL_H_
