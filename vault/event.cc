#include "vault/event.h"

#include <algorithm>
#include <array>

#include "crypto/encoding.h"
#include "crypto/sha256.h"
#include "vault/text.h"

namespace amanat::vault {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 20> kActions = {
    "init",   "custodian-add", "custodian-revoke", "custodian-rotate", "custodian-grant",
    "custodian-revoke-grant", "passwd", "ingest", "annotate", "access",
    "derive", "redact", "seal", "unseal", "export",
    "import", "verify", "timestamp", "witness-add", "checkpoint"};

Status Bad(const std::string& what) { return VerifyFailed("malformed custody entry: " + what); }

bool IsHex64(const std::string& s) { return s.size() == 64 && crypto::IsLowerHex(s); }

// Exactly these keys, no others.
bool HasExactKeys(const json& j, std::initializer_list<const char*> keys) {
  if (!j.is_object() || j.size() != keys.size()) return false;
  for (const char* k : keys) {
    if (!j.contains(k)) return false;
  }
  return true;
}

Result<std::string> Str(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return Bad(std::string(key) + " missing or not a string");
  return it->get<std::string>();
}

Result<std::vector<std::string>> HexList(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_array() || it->size() > 10000) return Bad(std::string(key));
  std::vector<std::string> out;
  for (const auto& e : *it) {
    if (!e.is_string() || !IsHex64(e.get<std::string>())) return Bad(std::string(key) + " entry");
    out.push_back(e.get<std::string>());
  }
  return out;
}

}  // namespace

bool IsKnownAction(std::string_view action) {
  return std::find(kActions.begin(), kActions.end(), action) != kActions.end();
}

std::string KeyId(const crypto::Ed25519PublicKey& pk) {
  Digest d = crypto::Sha256Of(ByteView(pk));
  return crypto::HexEncode(ByteView(d.data(), 8));
}

Bytes Pae(std::string_view type, ByteView payload) {
  std::string head = "DSSEv1 " + std::to_string(type.size()) + " " + std::string(type) + " " +
                     std::to_string(payload.size()) + " ";
  Bytes out(head.begin(), head.end());
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

json Event::ToJson() const {
  json subject = json::array();
  for (const auto& s : subjects) subject.push_back({{"name", "item"}, {"digest", {{"sha256", s}}}});
  json predicate = {
      {"sequence", sequence},
      {"previous", previous},
      {"time", time},
      {"vault", vault},
      {"actor", {{"custodian", actor}, {"key_id", actor_key_id}}},
      {"action", action},
      {"purpose", purpose},
      {"tool", {{"name", tool_name}, {"version", tool_version}}},
      {"parents", parents},
      {"details", details},
  };
  return {{"_type", kStatementType},
          {"subject", subject},
          {"predicateType", kCustodyPredicateType},
          {"predicate", predicate}};
}

Bytes SignEntry(const Event& event, const std::vector<const crypto::Ed25519KeyPair*>& signers,
                std::vector<PendingSignature>* pending) {
  const std::string payload = event.ToJson().dump(-1, ' ', false, json::error_handler_t::replace);
  const Bytes pae = Pae(kDssePayloadType, AsBytes(payload));
  json sigs = json::array();
  for (const auto* k : signers) {
    crypto::Ed25519Signature sig;
    if (pending != nullptr) {
      sig = k->SignUncheckedForBatch(pae);
      pending->push_back({pae, k->public_key(), sig});
    } else {
      sig = k->Sign(pae);
    }
    sigs.push_back({{"keyid", KeyId(k->public_key())}, {"sig", crypto::Base64Encode(sig)}});
  }
  json env = {{"payload", crypto::Base64Encode(AsBytes(payload))},
              {"payloadType", kDssePayloadType},
              {"signatures", sigs}};
  return ToBytes(env.dump());
}

Result<ParsedEntry> ParseEntry(ByteView entry) {
  if (entry.size() > kMaxEntryBytes) return Bad("larger than 1 MiB");
  json env = json::parse(entry.begin(), entry.end(), nullptr, false);
  if (env.is_discarded() || !HasExactKeys(env, {"payload", "payloadType", "signatures"})) {
    return Bad("not a DSSE envelope");
  }
  ASSIGN_OR_RETURN(std::string type, Str(env, "payloadType"));
  if (type != kDssePayloadType) return Bad("payloadType is not " + std::string(kDssePayloadType));
  ParsedEntry out;
  ASSIGN_OR_RETURN(std::string b64, Str(env, "payload"));
  auto payload = crypto::Base64Decode(b64);
  if (!payload.ok()) return Bad("payload is not base64");
  out.payload = std::move(*payload);
  const json& sigs = env["signatures"];
  if (!sigs.is_array() || sigs.empty() || sigs.size() > 4) return Bad("signatures");
  for (const auto& s : sigs) {
    if (!HasExactKeys(s, {"keyid", "sig"})) return Bad("signature entry");
    EntrySignature es;
    ASSIGN_OR_RETURN(es.key_id, Str(s, "keyid"));
    if (es.key_id.size() != 16 || !crypto::IsLowerHex(es.key_id)) return Bad("signature keyid");
    ASSIGN_OR_RETURN(std::string sig64, Str(s, "sig"));
    auto sig = crypto::Base64DecodeFixed<64>(sig64);
    if (!sig.ok()) return Bad("signature is not 64 bytes of base64");
    es.sig = *sig;
    out.signatures.push_back(std::move(es));
  }

  json st = json::parse(out.payload.begin(), out.payload.end(), nullptr, false);
  if (st.is_discarded() || !HasExactKeys(st, {"_type", "subject", "predicateType", "predicate"})) {
    return Bad("payload is not an in-toto Statement");
  }
  if (st["_type"] != kStatementType) return Bad("_type");
  if (st["predicateType"] != kCustodyPredicateType) return Bad("predicateType");
  Event& ev = out.event;
  const json& subject = st["subject"];
  if (!subject.is_array() || subject.size() > 10000) return Bad("subject");
  for (const auto& s : subject) {
    if (!HasExactKeys(s, {"name", "digest"}) || s["name"] != "item" ||
        !HasExactKeys(s["digest"], {"sha256"}) || !s["digest"]["sha256"].is_string() ||
        !IsHex64(s["digest"]["sha256"].get<std::string>())) {
      return Bad("subject entry");
    }
    ev.subjects.push_back(s["digest"]["sha256"].get<std::string>());
  }
  const json& p = st["predicate"];
  if (!HasExactKeys(p, {"sequence", "previous", "time", "vault", "actor", "action", "purpose",
                        "tool", "parents", "details"})) {
    return Bad("predicate fields");
  }
  if (!p["sequence"].is_number_unsigned()) return Bad("sequence");
  ev.sequence = p["sequence"].get<uint64_t>();
  ASSIGN_OR_RETURN(ev.previous, Str(p, "previous"));
  if (!IsHex64(ev.previous)) return Bad("previous");
  ASSIGN_OR_RETURN(ev.time, Str(p, "time"));
  if (ev.time.size() != 20 || ev.time[10] != 'T' || ev.time.back() != 'Z') return Bad("time");
  ASSIGN_OR_RETURN(ev.vault, Str(p, "vault"));
  if (!HasExactKeys(p["actor"], {"custodian", "key_id"})) return Bad("actor");
  ASSIGN_OR_RETURN(ev.actor, Str(p["actor"], "custodian"));
  ASSIGN_OR_RETURN(ev.actor_key_id, Str(p["actor"], "key_id"));
  if (ev.actor_key_id.size() != 16 || !crypto::IsLowerHex(ev.actor_key_id)) return Bad("key_id");
  ASSIGN_OR_RETURN(ev.action, Str(p, "action"));
  if (!IsKnownAction(ev.action)) return Bad("unknown action");
  ASSIGN_OR_RETURN(ev.purpose, Str(p, "purpose"));
  if (!HasExactKeys(p["tool"], {"name", "version"})) return Bad("tool");
  ASSIGN_OR_RETURN(ev.tool_name, Str(p["tool"], "name"));
  ASSIGN_OR_RETURN(ev.tool_version, Str(p["tool"], "version"));
  ASSIGN_OR_RETURN(ev.parents, HexList(p, "parents"));
  if (!p["details"].is_object()) return Bad("details");
  ev.details = p["details"];
  for (const std::string* s : {&ev.vault, &ev.actor, &ev.purpose, &ev.tool_name, &ev.tool_version}) {
    if (!IsValidUtf8(*s)) return Bad("text is not UTF-8");
  }
  return out;
}

bool VerifyEntrySignature(const ParsedEntry& entry, const EntrySignature& sig,
                          const crypto::Ed25519PublicKey& pk) {
  Bytes pae = Pae(kDssePayloadType, entry.payload);
  return crypto::Ed25519Verify(pk, pae, sig.sig);
}

}  // namespace amanat::vault
