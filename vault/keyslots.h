// keyslots.json: one key slot per custodian (docs/format/vault.md, "keyslots.json").
//
// A slot holds public metadata and XChaCha20-Poly1305-wrapped secrets under a key derived
// from the custodian's passphrase with Argon2id: the vault key, the custodian's Ed25519
// signing key and (format 2) their X25519 slot box key. A custodian granted `unseal` also has
// the vault's identity secret key sealed to their slot box public key (docs/format/witnesses.md).
// Nothing secret is in clear. Loading checks structure and sizes before any cryptography runs;
// a wrong passphrase and a damaged slot are different errors.
#ifndef AMANAT_VAULT_KEYSLOTS_H_
#define AMANAT_VAULT_KEYSLOTS_H_

#include <optional>
#include <string>
#include <vector>

#include "crypto/aead.h"
#include "crypto/box.h"
#include "crypto/ed25519.h"
#include "crypto/kdf.h"
#include "crypto/secret.h"
#include "crypto/status.h"

namespace amanat::vault {

// Written by this version. Formats 2 (no db_page_size: 4096-byte pages) and 1 (nor box keys,
// nor an identity key) are still read.
inline constexpr char kKeySlotsFormat[] = "amanat-keyslots/3";
inline constexpr char kKeySlotsFormatV2[] = "amanat-keyslots/2";
inline constexpr char kKeySlotsFormatV1[] = "amanat-keyslots/1";

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
  // X25519 slot box key: public half in clear, secret half wrapped like the others. Absent
  // only in slots written by format 1.
  std::optional<crypto::BoxPublicKey> box_public_key;
  std::optional<WrappedSecret> box_key;
  // The vault's identity secret key sealed to box_public_key: present exactly while the
  // custodian holds the `unseal` grant.
  Bytes identity_grant;
};

// What a successful unlock yields.
struct UnlockedSlot {
  crypto::SecretBytes vault_key;  // 32 bytes
  crypto::Ed25519KeyPair sign_key;
  std::optional<crypto::BoxKeyPair> box_key;  // absent for a format-1 slot
};

// The largest keyslots.json read (1 MiB: thousands of slots).
inline constexpr size_t kMaxKeySlotsBytes = 1 << 20;

struct KeySlots {
  std::string vault_id;           // 16 lowercase hex digits
  std::string origin;             // checkpoint origin and log key name
  std::string log_verifier_key;   // C2SP note verifier key of the log
  std::string db_salt;            // hex of vault.db's first 16 bytes: pairs the two files
  int db_page_size = 4096;        // vault.db's SQLCipher page size (4096 before format 3)
  // The vault's X25519 identity public key (witness records are sealed to it); a copy of the
  // one in vault.db, here so that it can be read without unlocking. Absent in format 1.
  std::optional<crypto::BoxPublicKey> identity_key;
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

// Makes a new slot wrapping the given secrets under `passphrase`, with `box_key` as its slot
// box key (a fresh one if null). The slot has no identity grant: a caller rewrapping an
// existing slot with the same box key copies `identity_grant` over itself.
Result<KeySlot> MakeKeySlot(const std::string& vault_id, const std::string& custodian,
                            const std::string& role, const crypto::SecretBytes& passphrase,
                            const crypto::Argon2Params& kdf, const crypto::SecretBytes& vault_key,
                            const crypto::Ed25519KeyPair& sign_key,
                            const crypto::BoxKeyPair* box_key = nullptr);

// kAuthFailed "wrong passphrase" when the passphrase does not match the slot's check value;
// kVerifyFailed when it matches but a wrapped secret does not authenticate (damaged slot).
// Does not open identity_grant: see OpenIdentityGrant.
Result<UnlockedSlot> UnlockKeySlot(const std::string& vault_id, const KeySlot& slot,
                                   const crypto::SecretBytes& passphrase);

// The vault's identity key pair from `slot.identity_grant`, opened with the slot's box key.
// kAuthFailed if the slot holds no grant; kVerifyFailed if the grant does not open or does not
// match `identity_public_key` (the vault's, from vault.db).
Result<crypto::BoxKeyPair> OpenIdentityGrant(const KeySlot& slot, const UnlockedSlot& unlocked,
                                             const crypto::BoxPublicKey& identity_public_key);

// identity_grant for a slot: the identity secret key sealed to the slot's box public key.
// kInvalidInput if the slot has no box key (format 1: its custodian must run `passwd` once).
Result<Bytes> SealIdentityGrant(const KeySlot& slot, const crypto::BoxKeyPair& identity);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_KEYSLOTS_H_
