#include "vault/hq_keys.h"

#include "crypto/encoding.h"
#include "crypto/note.h"
#include "vault/event.h"

namespace amanat::vault {
namespace {

using nlohmann::json;

bool IsHex16(std::string_view s) {
  if (s.size() != 16) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Status Malformed(const std::string& what) {
  return InvalidInput("HQ keys file: " + what)
      .WithHint("use the file written by `amanat key export-hq` in the HQ vault, unchanged");
}

}  // namespace

json HqKeys::ToJson() const {
  return {{"format", kHqKeysFormat},
          {"vault_id", vault_id},
          {"origin", origin},
          {"log_key", log_key},
          {"identity_key", crypto::Base64Encode(identity_key)}};
}

std::string HqKeysSignedText(const HqKeys& k) {
  return std::string(kHqKeysFormat) + "\nvault " + k.vault_id + "\norigin " + k.origin +
         "\nlog-key " + k.log_key + "\nidentity-key " + crypto::Base64Encode(k.identity_key) + "\n";
}

Result<std::string> ExportHqKeys(Vault& vault) {
  ASSIGN_OR_RETURN(auto field, FieldVaultHq(vault.db()));
  if (field) {
    return InvalidInput("this is a field vault: its identity key belongs to HQ (" + field->origin +
                        ")")
        .WithHint("run key export-hq in the HQ vault");
  }
  const auto& copy = vault.keyslots().identity_key;
  ASSIGN_OR_RETURN(Stmt st,
                   vault.db().Prepare("SELECT value FROM meta WHERE key = 'identity_key'"));
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return NotFound("this vault has no identity key (made before identity keys)");
  auto pk = crypto::Base64DecodeFixed<32>(st.ColumnText(0));
  if (!pk.ok()) return VerifyFailed("vault.db: the identity key is damaged");
  if (copy && *copy != *pk) {
    return VerifyFailed("keyslots.json: identity_key is not this vault's identity key");
  }
  HqKeys k{vault.vault_id(), vault.origin(), vault.keyslots().log_verifier_key, *pk};
  crypto::Ed25519KeyPair log_key = LogKey(vault.vault_key());
  if (crypto::FormatVerifierKey(vault.origin(), log_key.public_key()) != k.log_key) {
    return VerifyFailed("keyslots.json: log key is not this vault's log key");
  }
  json j = k.ToJson();
  j["signature"] = crypto::Base64Encode(log_key.Sign(AsBytes(HqKeysSignedText(k))));
  return j.dump(2) + "\n";
}

Result<HqKeys> ParseHqKeys(std::string_view text) {
  if (text.size() > kMaxHqKeysBytes) return Malformed("larger than 64 KiB");
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Malformed("not a JSON object");
  const char* fields[] = {"format", "vault_id", "origin", "log_key", "identity_key", "signature"};
  for (const char* f : fields) {
    if (!j.contains(f) || !j[f].is_string()) return Malformed(std::string(f) + " is missing");
  }
  if (j.size() != std::size(fields)) return Malformed("has a field it should not have");
  if (j["format"] != kHqKeysFormat) {
    return Malformed("unknown format (expected " + std::string(kHqKeysFormat) + ")");
  }
  HqKeys k;
  k.vault_id = j["vault_id"];
  k.origin = j["origin"];
  k.log_key = j["log_key"];
  if (!IsHex16(k.vault_id)) return Malformed("vault_id is not 16 hex digits");
  auto verifier = crypto::ParseVerifierKey(k.log_key);
  if (!verifier.ok()) return Malformed("log_key is not a verifier key");
  if (verifier->name != k.origin) return Malformed("log_key does not name the origin");
  auto pk = crypto::Base64DecodeFixed<32>(j["identity_key"].get<std::string>());
  if (!pk.ok()) return Malformed("identity_key is not base64 of 32 bytes");
  k.identity_key = *pk;
  auto sig = crypto::Base64DecodeFixed<64>(j["signature"].get<std::string>());
  if (!sig.ok()) return Malformed("signature is not base64 of 64 bytes");
  if (!crypto::Ed25519Verify(verifier->public_key, AsBytes(HqKeysSignedText(k)), *sig)) {
    return VerifyFailed("HQ keys file: signature does not verify with its log key (changed?)")
        .WithHint("ask HQ for the file again, over a channel you trust");
  }
  // A key no one holds the secret of would swallow every identity sealed to it.
  if (!crypto::BoxSeal(k.identity_key, AsBytes(std::string("check"))).ok()) {
    return Malformed("identity_key is not a usable X25519 public key");
  }
  return k;
}

Result<std::optional<HqKeys>> FieldVaultHq(Db& db) {
  ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT value FROM meta WHERE key = 'hq_keys'"));
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<HqKeys>();
  std::string text = st.ColumnText(0);
  json j = json::parse(text, nullptr, false);
  auto bad = [] { return VerifyFailed("vault.db: meta.hq_keys is damaged"); };
  if (j.is_discarded() || !j.is_object()) return bad();
  HqKeys k;
  k.vault_id = j.value("vault_id", "");
  k.origin = j.value("origin", "");
  k.log_key = j.value("log_key", "");
  auto pk = crypto::Base64DecodeFixed<32>(j.value("identity_key", ""));
  if (!pk.ok() || k.origin.empty()) return bad();
  k.identity_key = *pk;
  return std::optional<HqKeys>(std::move(k));
}

Result<std::optional<crypto::AgeRecipient>> ContentSealRecipient(Vault& vault) {
  ASSIGN_OR_RETURN(Stmt st, vault.db().Prepare("SELECT value FROM meta WHERE key = ?"));
  st.Bind(1, std::string(kSealContentMeta));
  ASSIGN_OR_RETURN(bool row, st.Step());
  const bool in_meta = row && st.ColumnText(0) == "true";
  if (row && !in_meta) return VerifyFailed("vault.db: meta.seal_content is damaged");
  ASSIGN_OR_RETURN(Bytes init, vault.log().Entry(0));
  auto pe = ParseEntry(init);
  if (!pe.ok()) return VerifyFailed("custody event 0: " + pe.status().message());
  const json& d = pe->event.details;
  const bool signed_seal = d.contains("seal_content") && d["seal_content"] == true;
  if (in_meta != signed_seal) {
    return VerifyFailed("vault.db: meta.seal_content is not what the signed init event recorded")
        .WithHint("run amanat verify; restore the vault from a backup");
  }
  if (!signed_seal) return std::optional<crypto::AgeRecipient>();
  ASSIGN_OR_RETURN(std::optional<HqKeys> hq, FieldVaultHq(vault.db()));
  const std::string recorded = d.contains("hq") && d["hq"].is_object()
                                   ? d["hq"].value("identity_key", std::string())
                                   : std::string();
  if (!hq || recorded != crypto::Base64Encode(hq->identity_key)) {
    return VerifyFailed("vault.db: HQ's identity key is not the one the signed init event recorded")
        .WithHint("run amanat verify; restore the vault from a backup");
  }
  return std::optional<crypto::AgeRecipient>(crypto::AgeRecipient::FromPublicKey(hq->identity_key));
}

}  // namespace amanat::vault
