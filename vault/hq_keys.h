// HQ public keys: what a field vault needs to seal to headquarters (docs/format/hq-keys.md).
//
// `amanat key export-hq` writes them from the HQ vault; `amanat init --field --hq-keys FILE`
// makes a field vault whose identity key is HQ's, so that witness identities added in the
// field are sealed to HQ and no passphrase of the field vault opens them.
//
// The file is self-describing (format name and version, HQ's vault ID, origin and log
// verifier key, identity public key) and signed with HQ's log key, so that a changed byte is
// detected. The signature proves only that whoever holds HQ's log key made the file: compare
// the log key with the one HQ gave you in person before relying on it.
#ifndef AMANAT_VAULT_HQ_KEYS_H_
#define AMANAT_VAULT_HQ_KEYS_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/age.h"
#include "crypto/box.h"
#include "crypto/status.h"
#include "vault/vault.h"

namespace amanat::vault {

inline constexpr char kHqKeysFormat[] = "amanat-hq-keys/1";
inline constexpr size_t kMaxHqKeysBytes = 64 << 10;

struct HqKeys {
  std::string vault_id;                 // HQ's vault ID (16 hex digits)
  std::string origin;                   // HQ's log origin
  std::string log_key;                  // HQ's log verifier key text (name+hex8+base64)
  crypto::BoxPublicKey identity_key{};  // HQ's X25519 identity public key

  // {"format", "identity_key", "log_key", "origin", "vault_id"}: the fields as stored in the
  // field vault (meta.hq_keys) and in its init event (details.hq).
  nlohmann::json ToJson() const;
};

// The bytes the signature covers: one "field value" line per field, in a fixed order.
std::string HqKeysSignedText(const HqKeys& k);

// The HQ keys file of an open vault, signed with its log key: one JSON object with a final
// newline. kNotFound for a vault without an identity key; kInvalidInput for a field vault
// (its identity key is someone else's: export HQ's own file instead).
Result<std::string> ExportHqKeys(Vault& vault);

// Parses and checks an HQ keys file: exact fields, formats, and the log key's signature.
// kInvalidInput for anything malformed, kVerifyFailed if the signature does not verify.
Result<HqKeys> ParseHqKeys(std::string_view text);

// The HQ keys a field vault was made with (meta.hq_keys); std::nullopt in an ordinary vault.
Result<std::optional<HqKeys>> FieldVaultHq(Db& db);

// meta key of a field vault made with `init --seal-content` (value "true").
inline constexpr char kSealContentMeta[] = "seal_content";

// The age recipient that item content is sealed to: HQ's identity key, in a field vault made
// with `init --seal-content`; std::nullopt in any other vault. Taken from the signed init event,
// which meta.seal_content and meta.hq_keys must agree with (kVerifyFailed otherwise: someone
// holding the vault key changed them, so that content would be stored in plaintext or sealed
// to a key of theirs).
Result<std::optional<crypto::AgeRecipient>> ContentSealRecipient(Vault& vault);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_HQ_KEYS_H_
