// minisign signatures (https://jedisct1.github.io/minisign/), Ed25519 keys: the format that
// the stock `minisign -V` checks. Amanat signs bundle manifests with a custodian's key in the
// prehashed variant ("ED": Ed25519 over BLAKE2b-512 of the file) and verifies both variants.
//
// Public key file (two lines):
//   untrusted comment: minisign public key <KEYNUM as minisign prints it>
//   base64("Ed" ‖ key number (8 bytes) ‖ Ed25519 public key (32 bytes))
// Signature file (four lines):
//   untrusted comment: <free text, not signed>
//   base64("ED" ‖ key number ‖ Ed25519(BLAKE2b-512(file)))      ("Ed": over the file itself)
//   trusted comment: <text>
//   base64(Ed25519(signature (64 bytes) ‖ trusted comment text))  -- the global signature
//
// minisign gives every key a random 8-byte key number. For a key Amanat holds, the key number
// is defined deterministically: the first 8 bytes of SHA-256(public key) -- the same bytes as
// the custody key ID (vault/event.h KeyId). minisign prints it as a little-endian 64-bit
// number in upper-case hex, i.e. those bytes reversed.
//
// Stateless and thread-safe.
#ifndef AMANAT_CRYPTO_MINISIGN_H_
#define AMANAT_CRYPTO_MINISIGN_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/bytes.h"
#include "crypto/ed25519.h"
#include "crypto/status.h"

namespace amanat::crypto {

using MinisignKeyNumber = std::array<uint8_t, 8>;

// Longest comment line minisign accepts, including its "untrusted comment: " or
// "trusted comment: " prefix.
inline constexpr size_t kMinisignMaxCommentLine = 1024;
// Largest signature or public key file accepted, in bytes.
inline constexpr size_t kMinisignMaxFileSize = 4096;

struct MinisignPublicKey {
  MinisignKeyNumber key_number{};
  Ed25519PublicKey public_key{};
};

// The key number Amanat uses for `pk`: SHA-256(pk)[0:8].
MinisignKeyNumber MinisignKeyNumberOf(const Ed25519PublicKey& pk);
// The key number as minisign prints it ("%016llX" of the little-endian value).
std::string MinisignKeyNumberText(const MinisignKeyNumber& n);

// The public key file, as `minisign -G` writes it.
std::string FormatMinisignPublicKey(const MinisignPublicKey& key);
// Parses a public key file (or its base64 line alone). kInvalidInput if malformed or not an
// Ed25519 key.
Result<MinisignPublicKey> ParseMinisignPublicKey(std::string_view text);

// Signs `message` (prehashed, "ED") with `key` under key number MinisignKeyNumberOf(pk), and
// checks the result with the public key before returning it. `trusted_comment` and
// `untrusted_comment` are the comment texts without their prefixes. kInvalidInput if a
// comment holds a control character (a line break would forge the layout) or is too long.
Result<std::string> MinisignSign(const Ed25519KeyPair& key, ByteView message,
                                 std::string_view trusted_comment,
                                 std::string_view untrusted_comment);

struct MinisignVerified {
  std::string trusted_comment;    // signed
  std::string untrusted_comment;  // NOT signed: for display only
  bool prehashed = false;         // "ED" (true) or the legacy "Ed" (false)
};

// Checks a signature file over `message` with `key`, as `minisign -V` does: layout, key
// number, the signature over the message (or its BLAKE2b-512), and the global signature over
// the trusted comment. kInvalidInput if the file is malformed; kVerifyFailed if it was made
// by another key number or a signature does not verify.
Result<MinisignVerified> MinisignVerify(const MinisignPublicKey& key, ByteView message,
                                        std::string_view signature_file);

// The key number a signature file says it was made with (not verified). kInvalidInput if the
// file is malformed.
Result<MinisignKeyNumber> MinisignSignatureKeyNumber(std::string_view signature_file);

// BLAKE2b-512 of `message` (libsodium crypto_generichash, no key).
std::array<uint8_t, 64> Blake2b512(ByteView message);

}  // namespace amanat::crypto

#endif  // AMANAT_CRYPTO_MINISIGN_H_
