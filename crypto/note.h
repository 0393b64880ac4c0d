// C2SP signed notes (https://c2sp.org/signed-note, v1), Ed25519 keys (signature type 0x01).
//
// A signed note is a text ending in "\n", a blank line, then one or more signature lines
// "— <key name> <base64(key ID ‖ signature)>\n" (U+2014 em dash). The text must not be
// trusted unless OpenNote returned it. Byte-compatible with Go's golang.org/x/mod/sumdb/note:
// notes and keys from either side open on the other.
//
// Everything here is stateless and thread-safe; a NoteSigner may be shared between threads.
#ifndef AMANAT_CRYPTO_NOTE_H_
#define AMANAT_CRYPTO_NOTE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/ed25519.h"
#include "crypto/secret.h"
#include "crypto/status.h"

namespace amanat::crypto {

// Largest signed note OpenNote accepts (and SignNote produces), in bytes.
inline constexpr size_t kMaxNoteSize = size_t{1} << 20;
// Most signature lines OpenNote accepts (the spec requires at least 16).
inline constexpr size_t kMaxNoteSignatures = 100;
// Largest verifier or signer key text accepted, in bytes.
inline constexpr size_t kMaxNoteKeyTextSize = 4096;
// Signature type byte for Ed25519 in key IDs and key texts.
inline constexpr uint8_t kNoteAlgEd25519 = 0x01;

// True if `name` is a valid key name: non-empty UTF-8 without Unicode spaces or '+'.
bool IsValidNoteKeyName(std::string_view name);

// OK if `text` can be the text of a note: at most kMaxNoteSize bytes, valid UTF-8, no ASCII
// control character except '\n', and ends in '\n'. Fails with kInvalidInput otherwise.
Status ValidateNoteText(std::string_view text);

// Key ID = first 4 bytes, big-endian, of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ pk).
uint32_t NoteKeyId(std::string_view name, const Ed25519PublicKey& public_key);

// A trusted public key. Build it with ParseVerifierKey or MakeNoteVerifier; OpenNote rejects
// (kInvalidInput) a hand-built one whose key_id does not match name and public_key.
struct NoteVerifier {
  std::string name;
  uint32_t key_id = 0;
  Ed25519PublicKey public_key{};
};

// Fails with kInvalidInput if `name` is not a valid key name.
Result<NoteVerifier> MakeNoteVerifier(std::string name, const Ed25519PublicKey& public_key);

// Parses verifier key text "name+hex8+base64(0x01‖pk)" (exactly; no surrounding whitespace
// or trailing newline). kInvalidInput if malformed, not Ed25519, or the key ID in the text
// does not match the key.
Result<NoteVerifier> ParseVerifierKey(std::string_view vkey);

// "name+hex8+base64(0x01‖pk)". REQUIRES: IsValidNoteKeyName(name).
std::string FormatVerifierKey(std::string_view name, const Ed25519PublicKey& public_key);
inline std::string FormatVerifierKey(const NoteVerifier& v) {
  return FormatVerifierKey(v.name, v.public_key);
}

// A named Ed25519 signing key. Move-only (it owns the secret key).
class NoteSigner {
 public:
  // The name is checked when signing: SignNote fails if it is not a valid key name.
  NoteSigner(std::string name, Ed25519KeyPair key_pair);

  // Parses signer key text "PRIVATE+KEY+name+hex8+base64(0x01‖seed32)" as made by Go's
  // note.GenerateKey. The seed is decoded straight into SecretBytes. kInvalidInput if
  // malformed, not Ed25519, or the key ID does not match the derived public key.
  static Result<NoteSigner> FromSignerKey(std::string_view skey);

  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  const Ed25519PublicKey& public_key() const { return key_pair_.public_key(); }
  NoteVerifier verifier() const { return NoteVerifier{name_, key_id_, public_key()}; }
  std::string verifier_key() const { return FormatVerifierKey(name_, public_key()); }

  // The signer key text "PRIVATE+KEY+…", in secret memory. Anyone holding it can sign.
  SecretBytes ExportSignerKey() const;

  // Raw Ed25519 signature over `text` (no key ID). Prefer SignNote.
  Ed25519Signature Sign(std::string_view text) const;

 private:
  std::string name_;
  uint32_t key_id_;
  Ed25519KeyPair key_pair_;
};

// Returns text ‖ "\n" ‖ one signature line per signer, in order. kInvalidInput if the text
// fails ValidateNoteText, there are no signers or more than kMaxNoteSignatures, a signer is
// null or has an invalid name, two signers share a name and key ID, or the result would
// exceed kMaxNoteSize.
Result<std::string> SignNote(std::string_view text, const std::vector<const NoteSigner*>& signers);

// One signature line of a note: who signed (as claimed by the line).
struct NoteSignatureInfo {
  std::string name;
  uint32_t key_id = 0;
};

struct VerifiedNote {
  std::string text;  // the note text, including its final '\n'
  // Signatures by keys in the verifier list; every one verified. Never empty.
  std::vector<NoteSignatureInfo> verified;
  // Signatures by keys not in the verifier list (same name or same ID alone does not
  // count). Not checked: they carry no trust. Each (name, key ID) appears once.
  std::vector<NoteSignatureInfo> unverified;
};

// Parses `note` and checks its signatures against `verifiers`.
// kInvalidInput: the note is malformed (size, encoding, layout, more than kMaxNoteSignatures
// signature lines, a bad signature line), or a verifier is inconsistent, or two verifiers
// share a name and key ID with different keys. Syntax is checked in full before any crypto.
// kVerifyFailed: a signature by a known key does not verify (every such signature is checked,
// even repeated ones), or no known key signed the note.
Result<VerifiedNote> OpenNote(std::string_view note, const std::vector<NoteVerifier>& verifiers);

}  // namespace amanat::crypto

#endif  // AMANAT_CRYPTO_NOTE_H_
