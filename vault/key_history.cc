#include "vault/key_history.h"

#include "crypto/encoding.h"

namespace amanat::vault {
namespace {

using nlohmann::json;

std::string StrField(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string Short(const std::string& key_id) { return key_id.substr(0, 8); }

}  // namespace

Result<crypto::Ed25519PublicKey> PublicKeyInDetails(const json& c) {
  if (!c.is_object() || !c.contains("public_key") || !c["public_key"].is_string()) {
    return VerifyFailed("no public key");
  }
  return crypto::Base64DecodeFixed<32>(c["public_key"].get<std::string>());
}

std::optional<std::pair<std::string, std::string>> BoxKeyInEvent(const Event& ev) {
  std::string who;
  if (ev.action == "init" || ev.action == "custodian-add") {
    who = StrField(ev.details.value("custodian", json()), "name");
  } else if (ev.action == "passwd" || ev.action == "custodian-rotate") {
    who = ev.actor;
  }
  std::string box = StrField(ev.details, "box_public_key");
  if (who.empty() || box.empty()) return std::nullopt;
  return std::make_pair(std::move(who), std::move(box));
}

bool IsKeyHistoryAction(std::string_view action) {
  return action == "init" || action == "custodian-add" || action == "custodian-revoke" ||
         action == "custodian-rotate" || action == "custodian-grant" ||
         action == "custodian-revoke-grant";
}

void KeyHistory::Learn(const std::string& custodian, const crypto::Ed25519PublicKey& pk) {
  keys_.emplace(KeyId(pk), Key{custodian, pk});
}

Result<std::vector<crypto::Ed25519PublicKey>> KeyHistory::Apply(const Event& ev) {
  if (!started_) {
    if (ev.action != "init" || ev.sequence != 0) return VerifyFailed("the log does not start with init");
    const json& c = ev.details.value("custodian", json());
    auto key = PublicKeyInDetails(c);
    if (!key.ok() || StrField(c, "name") != ev.actor || StrField(c, "role") != "admin" ||
        ev.actor_key_id != KeyId(*key)) {
      return VerifyFailed("init names no valid first custodian");
    }
    started_ = true;
    custodians_[ev.actor] = Custodian{"admin", *key, KeyId(*key), true};
    Learn(ev.actor, *key);
    log_key_ = StrField(ev.details, "log_key");
    return std::vector<crypto::Ed25519PublicKey>{*key};
  }
  if (ev.action == "init") return VerifyFailed("a second init event");
  auto it = custodians_.find(ev.actor);
  if (it == custodians_.end()) return VerifyFailed("signed as unknown custodian '" + ev.actor + "'");
  Custodian& actor = it->second;
  if (!actor.active) {
    return VerifyFailed("signed by revoked custodian " + ev.actor + " (key " + Short(actor.key_id) + ")");
  }
  if (ev.actor_key_id != actor.key_id) {
    return VerifyFailed("signed with key " + Short(ev.actor_key_id) + ", but " + ev.actor +
                        "'s key at that point is " + Short(actor.key_id));
  }
  if (ev.action == "custodian-rotate") {
    auto key = PublicKeyInDetails(ev.details);
    if (!key.ok() || StrField(ev.details, "custodian") != ev.actor ||
        StrField(ev.details, "old_key_id") != actor.key_id ||
        StrField(ev.details, "key_id") != KeyId(*key)) {
      return VerifyFailed("invalid key rotation");
    }
    std::vector<crypto::Ed25519PublicKey> signers = {actor.key, *key};
    actor.key = *key;
    actor.key_id = KeyId(*key);
    Learn(ev.actor, *key);
    return signers;
  }
  const Custodian snapshot = actor;
  RETURN_IF_ERROR(ApplyCustodianChange(ev, snapshot));
  return std::vector<crypto::Ed25519PublicKey>{snapshot.key};
}

Status KeyHistory::ApplyCustodianChange(const Event& ev, const Custodian& actor) {
  const bool admin = actor.role == "admin";
  if (ev.action == "custodian-add") {
    const json& c = ev.details.value("custodian", json());
    auto key = PublicKeyInDetails(c);
    std::string who = StrField(c, "name"), role = StrField(c, "role");
    if (!admin) return VerifyFailed("custodian added by non-admin " + ev.actor);
    if (!key.ok() || who.empty() || custodians_.count(who) != 0 ||
        (role != "admin" && role != "collector" && role != "reviewer")) {
      return VerifyFailed("invalid custodian-add");
    }
    custodians_[who] = Custodian{role, *key, KeyId(*key), true};
    Learn(who, *key);
  } else if (ev.action == "custodian-revoke") {
    std::string who = StrField(ev.details, "custodian");
    auto target = custodians_.find(who);
    if (!admin) return VerifyFailed("custodian revoked by non-admin " + ev.actor);
    if (target == custodians_.end() || !target->second.active) {
      return VerifyFailed("revokes unknown or already revoked custodian '" + who + "'");
    }
    target->second.active = false;
  } else if (ev.action == "custodian-grant" || ev.action == "custodian-revoke-grant") {
    std::string who = StrField(ev.details, "custodian");
    if (!admin) return VerifyFailed("grant changed by non-admin " + ev.actor);
    if (custodians_.find(who) == custodians_.end()) {
      return VerifyFailed("grant for unknown custodian '" + who + "'");
    }
  }
  return OkStatus();
}

Status CheckEntrySignatures(const ParsedEntry& entry,
                            const std::vector<crypto::Ed25519PublicKey>& keys) {
  if (entry.signatures.size() != keys.size()) {
    return VerifyFailed("has " + std::to_string(entry.signatures.size()) + " signatures, expected " +
                        std::to_string(keys.size()));
  }
  for (size_t k = 0; k < keys.size(); ++k) {
    const std::string want = KeyId(keys[k]);
    if (entry.signatures[k].key_id != want) {
      return VerifyFailed("signed by key " + Short(entry.signatures[k].key_id) + ", expected " +
                          Short(want));
    }
    if (!VerifyEntrySignature(entry, entry.signatures[k], keys[k])) {
      return VerifyFailed("signature does not verify (key " + Short(want) + ")");
    }
  }
  return OkStatus();
}

}  // namespace amanat::vault
