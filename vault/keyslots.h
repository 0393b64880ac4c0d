// keyslots.json: one key slot per custodian (docs/format/vault.md, "keyslots.json").
//
// A slot holds public metadata and two XChaCha20-Poly1305-wrapped secrets: the vault key and
// the custodian's Ed25519 signing key, under a key derived from the custodian's passphrase
// with Argon2id. Nothing secret is in clear. Loading checks structure and sizes before any
// cryptography runs; a wrong passphrase and a damaged slot are different errors.
#ifndef AMANAT_VAULT_KEYSLOTS_H_
#define AMANAT_VAULT_KEYSLOTS_H_

#include <optional>
#include <string>
#include <vector>

#include "crypto/aead.h"
#include "crypto/ed25519.h"
#include "crypto/kdf.h"
#include "crypto/secret.h"
#include "crypto/status.h"

namespace amanat::vault {

inline constexpr char kKeySlotsFormat[] = "amanat-keyslots/1";

struct WrappedSecret {
  crypto::AeadNonce nonce{};
  Bytes ciphertext;
};

struct KeySlot {
  std::string custodian;
  std::string role;  // admin, collector, reviewer
  crypto::Ed25519PublicKey sign_public_key{};
  crypto::Argon2Params kdf;
  std::array<uint8_t, crypto::kArgon2SaltBytes> salt{};
  std::array<uint8_t, 16> check{};  // tells a wrong passphrase from a damaged slot
  WrappedSecret vault_key;
  WrappedSecret sign_key;
};

// What a successful unlock yields.
struct UnlockedSlot {
  crypto::SecretBytes vault_key;  // 32 bytes
  crypto::Ed25519KeyPair sign_key;
};

struct KeySlots {
  std::string vault_id;           // 16 lowercase hex digits
  std::string origin;             // checkpoint origin and log key name
  std::string log_verifier_key;   // C2SP note verifier key of the log
  std::string db_salt;            // hex of vault.db's first 16 bytes: pairs the two files
  std::vector<KeySlot> slots;
  std::vector<std::string> revoked;  // names of revoked custodians (no secrets)

  // Parses and validates; kInvalidInput naming the field on any damage.
  static Result<KeySlots> Parse(std::string_view json);
  static Result<KeySlots> Load(const std::string& path);
  std::string Serialize() const;
  Status Save(const std::string& path) const;

  // The slot for `custodian`, or the only slot when `custodian` is empty.
  // kNotFound for an unknown name; kAuthFailed for a revoked one; kInvalidInput when several
  // slots exist and none is named.
  Result<const KeySlot*> Find(const std::string& custodian) const;
  KeySlot* FindMutable(const std::string& custodian);
};

// Makes a new slot wrapping the given secrets under `passphrase`.
Result<KeySlot> MakeKeySlot(const std::string& vault_id, const std::string& custodian,
                            const std::string& role, const crypto::SecretBytes& passphrase,
                            const crypto::Argon2Params& kdf, const crypto::SecretBytes& vault_key,
                            const crypto::Ed25519KeyPair& sign_key);

// kAuthFailed "wrong passphrase" when the passphrase does not match the slot's check value;
// kVerifyFailed when it matches but a wrapped secret does not authenticate (damaged slot).
Result<UnlockedSlot> UnlockKeySlot(const std::string& vault_id, const KeySlot& slot,
                                   const crypto::SecretBytes& passphrase);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_KEYSLOTS_H_
