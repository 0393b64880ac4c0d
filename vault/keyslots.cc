#include "vault/keyslots.h"

#include <nlohmann/json.hpp>

#include "crypto/encoding.h"
#include "vault/db.h"
#include "vault/fs.h"

namespace amanat::vault {
namespace {

using nlohmann::json;
constexpr char kKdfName[] = "argon2id13";

// Associated data binds each wrapped secret to its vault, custodian, purpose and public key,
// so a wrapped value cannot be moved into another slot or vault unnoticed.
std::string AssociatedData(const std::string& vault_id, const KeySlot& slot, const char* what) {
  return std::string("amanat-keyslot/1\n") + vault_id + "\n" + slot.custodian + "\n" +
         slot.role + "\n" + what + "\n" + crypto::Base64Encode(slot.sign_public_key) + "\n";
}

// The box key's wrapping also binds its public half, so that a swapped public key is caught.
std::string BoxAssociatedData(const std::string& vault_id, const KeySlot& slot) {
  return AssociatedData(vault_id, slot, "box-key") +
         crypto::Base64Encode(slot.box_public_key.value_or(crypto::BoxPublicKey{})) + "\n";
}

// Wrap key and check value, both derived from the Argon2id output.
struct SlotKeys {
  crypto::SecretBytes wrap;
  crypto::SecretBytes check;
};
Result<SlotKeys> DeriveSlotKeys(const KeySlot& slot, const crypto::SecretBytes& passphrase) {
  ASSIGN_OR_RETURN(crypto::SecretBytes kek,
                   crypto::DerivePassphraseKey(passphrase, slot.salt, slot.kdf));
  return SlotKeys{crypto::DeriveSubkey(kek, 1, "amanatks"),
                  crypto::DeriveSubkey(kek, 2, "amanatks", 16)};
}

Status BadKeyslots(const std::string& what) {
  return InvalidInput("keyslots.json is damaged: " + what)
      .WithHint("restore keyslots.json from your backup of this vault");
}

Result<std::string> GetString(const json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return BadKeyslots(where + "." + key + " missing or not a string");
  return it->get<std::string>();
}

template <size_t N>
Result<std::array<uint8_t, N>> GetB64(const json& j, const char* key, const std::string& where) {
  ASSIGN_OR_RETURN(std::string s, GetString(j, key, where));
  auto r = crypto::Base64DecodeFixed<N>(s);
  if (!r.ok()) return BadKeyslots(where + "." + key + " is not " + std::to_string(N) + " bytes of base64");
  return r;
}

Result<uint64_t> GetU64(const json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_unsigned()) {
    return BadKeyslots(where + "." + key + " missing or not a non-negative integer");
  }
  return it->get<uint64_t>();
}

Result<WrappedSecret> GetWrapped(const json& j, const char* key, const std::string& where,
                                 size_t plain_size) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_object()) return BadKeyslots(where + "." + key + " missing");
  std::string w = where + "." + key;
  WrappedSecret out;
  ASSIGN_OR_RETURN(out.nonce, GetB64<crypto::kAeadNonceBytes>(*it, "nonce", w));
  ASSIGN_OR_RETURN(std::string ct, GetString(*it, "ciphertext", w));
  auto bytes = crypto::Base64Decode(ct);
  if (!bytes.ok() || bytes->size() != plain_size + crypto::kAeadTagBytes) {
    return BadKeyslots(w + ".ciphertext has the wrong length");
  }
  out.ciphertext = std::move(*bytes);
  return out;
}

json WrappedJson(const WrappedSecret& w) {
  return json{{"nonce", crypto::Base64Encode(w.nonce)},
              {"ciphertext", crypto::Base64Encode(w.ciphertext)}};
}

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (unsigned char c : name) {
    if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.')) return false;
  }
  return true;
}

}  // namespace

Result<KeySlots> KeySlots::Parse(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return BadKeyslots("not valid JSON");
  if (!j.is_object()) return BadKeyslots("not a JSON object");
  ASSIGN_OR_RETURN(std::string format, GetString(j, "format", "top"));
  if (format != kKeySlotsFormat && format != kKeySlotsFormatV2 && format != kKeySlotsFormatV1) {
    return InvalidInput("keyslots.json has unknown format '" + format.substr(0, 40) + "'")
        .WithHint("this file was not written by this version of Amanat");
  }
  KeySlots ks;
  ASSIGN_OR_RETURN(ks.vault_id, GetString(j, "vault_id", "top"));
  if (ks.vault_id.size() != 16 || !crypto::IsLowerHex(ks.vault_id)) return BadKeyslots("vault_id");
  ASSIGN_OR_RETURN(ks.origin, GetString(j, "origin", "top"));
  if (ks.origin.empty() || ks.origin.size() > 200) return BadKeyslots("origin");
  ASSIGN_OR_RETURN(ks.log_verifier_key, GetString(j, "log_key", "top"));
  ASSIGN_OR_RETURN(ks.db_salt, GetString(j, "db_salt", "top"));
  if (ks.db_salt.size() != 32 || !crypto::IsLowerHex(ks.db_salt)) return BadKeyslots("db_salt");
  if (format == kKeySlotsFormat) {
    ASSIGN_OR_RETURN(uint64_t page_size, GetU64(j, "db_page_size", "top"));
    if (!ValidCipherPageSize(page_size)) return BadKeyslots("db_page_size");
    ks.db_page_size = static_cast<int>(page_size);
  }
  if (j.contains("identity_key")) {
    ASSIGN_OR_RETURN(ks.identity_key, GetB64<32>(j, "identity_key", "top"));
  }
  auto slots = j.find("slots");
  if (slots == j.end() || !slots->is_array() || slots->empty() || slots->size() > 1000) {
    return BadKeyslots("slots missing or empty");
  }
  for (size_t i = 0; i < slots->size(); ++i) {
    const json& s = (*slots)[i];
    std::string where = "slots[" + std::to_string(i) + "]";
    if (!s.is_object()) return BadKeyslots(where + " is not an object");
    KeySlot slot;
    ASSIGN_OR_RETURN(slot.custodian, GetString(s, "custodian", where));
    if (!ValidName(slot.custodian)) return BadKeyslots(where + ".custodian");
    ASSIGN_OR_RETURN(slot.role, GetString(s, "role", where));
    if (slot.role != "admin" && slot.role != "collector" && slot.role != "reviewer") {
      return BadKeyslots(where + ".role");
    }
    ASSIGN_OR_RETURN(slot.sign_public_key, GetB64<32>(s, "sign_public_key", where));
    auto kdf = s.find("kdf");
    if (kdf == s.end() || !kdf->is_object()) return BadKeyslots(where + ".kdf missing");
    ASSIGN_OR_RETURN(std::string alg, GetString(*kdf, "algorithm", where + ".kdf"));
    if (alg != kKdfName) return BadKeyslots(where + ".kdf.algorithm");
    ASSIGN_OR_RETURN(slot.kdf.opslimit, GetU64(*kdf, "opslimit", where + ".kdf"));
    ASSIGN_OR_RETURN(slot.kdf.memlimit, GetU64(*kdf, "memlimit", where + ".kdf"));
    if (!crypto::CheckArgon2Params(slot.kdf).ok()) return BadKeyslots(where + ".kdf parameters out of range");
    ASSIGN_OR_RETURN(slot.salt, GetB64<crypto::kArgon2SaltBytes>(*kdf, "salt", where + ".kdf"));
    ASSIGN_OR_RETURN(slot.check, GetB64<16>(s, "check", where));
    ASSIGN_OR_RETURN(slot.vault_key, GetWrapped(s, "vault_key", where, 32));
    ASSIGN_OR_RETURN(slot.sign_key, GetWrapped(s, "sign_key", where, 64));
    if (s.contains("box_public_key") || s.contains("box_key")) {
      ASSIGN_OR_RETURN(slot.box_public_key, GetB64<32>(s, "box_public_key", where));
      ASSIGN_OR_RETURN(slot.box_key, GetWrapped(s, "box_key", where, crypto::kBoxSecretKeyBytes));
    }
    if (s.contains("identity_grant")) {
      if (!slot.box_public_key) return BadKeyslots(where + ".identity_grant without a box key");
      ASSIGN_OR_RETURN(std::string g, GetString(s, "identity_grant", where));
      auto bytes = crypto::Base64Decode(g);
      if (!bytes.ok() || bytes->size() != crypto::kBoxSecretKeyBytes + crypto::kBoxSealOverhead) {
        return BadKeyslots(where + ".identity_grant has the wrong length");
      }
      slot.identity_grant = std::move(*bytes);
    }
    for (const auto& other : ks.slots) {
      if (other.custodian == slot.custodian) return BadKeyslots("two slots for " + slot.custodian);
    }
    ks.slots.push_back(std::move(slot));
  }
  if (auto rev = j.find("revoked"); rev != j.end()) {
    if (!rev->is_array() || rev->size() > 10000) return BadKeyslots("revoked is not a list");
    for (const auto& r : *rev) {
      if (!r.is_string() || !ValidName(r.get<std::string>())) return BadKeyslots("revoked entry");
      ks.revoked.push_back(r.get<std::string>());
    }
  }
  return ks;
}

Result<KeySlots> KeySlots::Load(const std::string& path) {
  auto text = ReadSmallFile(path, kMaxKeySlotsBytes);
  if (!text.ok()) {
    if (text.status().code() == Code::kNotFound) {
      return NotFound(path + ": no key slots here").WithHint("is this an Amanat vault? see --vault");
    }
    return text.status();
  }
  return Parse(*text);
}

std::string KeySlots::Serialize() const {
  json slots_json = json::array();
  for (const auto& s : slots) {
    json& sj = slots_json.emplace_back(json{
        {"custodian", s.custodian},
        {"role", s.role},
        {"sign_public_key", crypto::Base64Encode(s.sign_public_key)},
        {"kdf",
         {{"algorithm", kKdfName},
          {"opslimit", s.kdf.opslimit},
          {"memlimit", s.kdf.memlimit},
          {"salt", crypto::Base64Encode(s.salt)}}},
        {"check", crypto::Base64Encode(s.check)},
        {"vault_key", WrappedJson(s.vault_key)},
        {"sign_key", WrappedJson(s.sign_key)},
    });
    if (s.box_public_key && s.box_key) {
      sj["box_public_key"] = crypto::Base64Encode(*s.box_public_key);
      sj["box_key"] = WrappedJson(*s.box_key);
    }
    if (!s.identity_grant.empty()) sj["identity_grant"] = crypto::Base64Encode(s.identity_grant);
  }
  json j = {{"format", kKeySlotsFormat}, {"vault_id", vault_id},
            {"origin", origin},         {"log_key", log_verifier_key},
            {"db_salt", db_salt},       {"db_page_size", db_page_size},
            {"slots", slots_json}};
  if (!revoked.empty()) j["revoked"] = revoked;
  if (identity_key) j["identity_key"] = crypto::Base64Encode(*identity_key);
  return j.dump(2) + "\n";
}

Status KeySlots::Save(const std::string& path) const { return WriteFileAtomic(path, Serialize()); }

Result<const KeySlot*> KeySlots::Find(const std::string& custodian) const {
  if (custodian.empty()) {
    if (slots.size() == 1) return &slots[0];
    return InvalidInput("this vault has several custodians; say which one you are")
        .WithHint("add --custodian NAME (or set AMANAT_CUSTODIAN)");
  }
  for (const auto& s : slots) {
    if (s.custodian == custodian) return &s;
  }
  for (const auto& r : revoked) {
    if (r == custodian) return AuthFailed("custodian " + custodian + " has been revoked in this vault");
  }
  return NotFound("no custodian named '" + custodian + "' in this vault");
}

KeySlot* KeySlots::FindMutable(const std::string& custodian) {
  for (auto& s : slots) {
    if (s.custodian == custodian) return &s;
  }
  return nullptr;
}

Result<KeySlot> MakeKeySlot(const std::string& vault_id, const std::string& custodian,
                            const std::string& role, const crypto::SecretBytes& passphrase,
                            const crypto::Argon2Params& kdf, const crypto::SecretBytes& vault_key,
                            const crypto::Ed25519KeyPair& sign_key,
                            const crypto::BoxKeyPair* box_key) {
  if (!ValidName(custodian)) {
    return InvalidInput("custodian name must be 1-64 letters, digits, '-', '_' or '.'");
  }
  if (passphrase.empty()) return InvalidInput("empty passphrase");
  KeySlot slot;
  slot.custodian = custodian;
  slot.role = role;
  slot.sign_public_key = sign_key.public_key();
  slot.kdf = kdf;
  crypto::RandomBytes(slot.salt.data(), slot.salt.size());
  ASSIGN_OR_RETURN(SlotKeys keys, DeriveSlotKeys(slot, passphrase));
  std::copy(keys.check.data(), keys.check.data() + 16, slot.check.begin());
  auto v = crypto::AeadSeal(keys.wrap, vault_key.view(), AsBytes(AssociatedData(vault_id, slot, "vault-key")));
  slot.vault_key = {v.nonce, std::move(v.ciphertext)};
  auto s = crypto::AeadSeal(keys.wrap, sign_key.secret_key().view(),
                            AsBytes(AssociatedData(vault_id, slot, "sign-key")));
  slot.sign_key = {s.nonce, std::move(s.ciphertext)};
  std::optional<crypto::BoxKeyPair> fresh_box;
  if (box_key == nullptr) box_key = &fresh_box.emplace(crypto::BoxKeyPair::Generate());
  slot.box_public_key = box_key->public_key();
  auto b = crypto::AeadSeal(keys.wrap, box_key->secret_key().view(),
                            AsBytes(BoxAssociatedData(vault_id, slot)));
  slot.box_key = WrappedSecret{b.nonce, std::move(b.ciphertext)};
  return slot;
}

Result<UnlockedSlot> UnlockKeySlot(const std::string& vault_id, const KeySlot& slot,
                                   const crypto::SecretBytes& passphrase) {
  if (passphrase.empty()) return AuthFailed("wrong passphrase (it is empty)");
  ASSIGN_OR_RETURN(SlotKeys keys, DeriveSlotKeys(slot, passphrase));
  crypto::SecretBytes stored = crypto::SecretBytes::Copy(slot.check);
  if (!keys.check.Equals(stored)) {
    return AuthFailed("wrong passphrase for custodian " + slot.custodian);
  }
  const std::string damaged = "keyslots.json: slot of custodian " + slot.custodian + " is damaged";
  auto vk = crypto::AeadOpen(keys.wrap, slot.vault_key.nonce, slot.vault_key.ciphertext,
                             AsBytes(AssociatedData(vault_id, slot, "vault-key")));
  if (!vk.ok()) return VerifyFailed(damaged + " (wrapped vault key does not authenticate)");
  auto sk = crypto::AeadOpen(keys.wrap, slot.sign_key.nonce, slot.sign_key.ciphertext,
                             AsBytes(AssociatedData(vault_id, slot, "sign-key")));
  if (!sk.ok()) return VerifyFailed(damaged + " (wrapped signing key does not authenticate)");
  auto kp = crypto::Ed25519KeyPair::FromSecretKey(sk->view());
  if (!kp.ok() || kp->public_key() != slot.sign_public_key) {
    return VerifyFailed(damaged + " (signing key does not match its public key)");
  }
  UnlockedSlot out{std::move(*vk), std::move(*kp), std::nullopt};
  if (slot.box_key && slot.box_public_key) {
    auto bk = crypto::AeadOpen(keys.wrap, slot.box_key->nonce, slot.box_key->ciphertext,
                               AsBytes(BoxAssociatedData(vault_id, slot)));
    if (!bk.ok()) return VerifyFailed(damaged + " (wrapped box key does not authenticate)");
    auto box = crypto::BoxKeyPair::FromSecretKey(bk->view());
    if (!box.ok() || box->public_key() != *slot.box_public_key) {
      return VerifyFailed(damaged + " (box key does not match its public key)");
    }
    out.box_key.emplace(std::move(*box));
  }
  return out;
}

Result<crypto::BoxKeyPair> OpenIdentityGrant(const KeySlot& slot, const UnlockedSlot& unlocked,
                                             const crypto::BoxPublicKey& identity_public_key) {
  if (slot.identity_grant.empty() || !unlocked.box_key) {
    return AuthFailed("custodian " + slot.custodian + " does not hold the unseal grant")
        .WithHint("an admin who holds it can run `amanat custodian grant " + slot.custodian +
                  " unseal`");
  }
  const std::string damaged = "keyslots.json: identity grant of custodian " + slot.custodian;
  auto secret = crypto::BoxSealOpen(*unlocked.box_key, slot.identity_grant);
  if (!secret.ok()) return VerifyFailed(damaged + " does not open (damaged)");
  auto identity = crypto::BoxKeyPair::FromSecretKey(secret->view());
  if (!identity.ok() || identity->public_key() != identity_public_key) {
    return VerifyFailed(damaged + " is not this vault's identity key (damaged or replaced)");
  }
  return identity;
}

Result<Bytes> SealIdentityGrant(const KeySlot& slot, const crypto::BoxKeyPair& identity) {
  if (!slot.box_public_key) {
    return InvalidInput("custodian " + slot.custodian + "'s key slot has no box key yet")
        .WithHint(slot.custodian + " must run `amanat passwd` once, then try again");
  }
  return crypto::BoxSeal(*slot.box_public_key, identity.secret_key().view());
}

}  // namespace amanat::vault
