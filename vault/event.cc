#include "vault/event.h"

#include <algorithm>
#include <array>

#include "crypto/encoding.h"
#include "crypto/sha256.h"
#include "vault/json_reader.h"

namespace amanat::vault {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 20> kActions = {
    "init",   "custodian-add", "custodian-revoke", "custodian-rotate", "custodian-grant",
    "custodian-revoke-grant", "passwd", "ingest", "annotate", "access",
    "derive", "redact", "seal", "unseal", "export",
    "import", "verify", "timestamp", "witness-add", "checkpoint"};

Status Bad(const std::string& what) { return VerifyFailed("malformed custody entry: " + what); }

// The PAE up to its payload: "DSSEv1 <len> <type> <len> ".
std::string PaeHead(std::string_view type, size_t payload_size) {
  return "DSSEv1 " + std::to_string(type.size()) + " " + std::string(type) + " " +
         std::to_string(payload_size) + " ";
}

}  // namespace

bool IsKnownAction(std::string_view action) {
  return std::find(kActions.begin(), kActions.end(), action) != kActions.end();
}

std::string EventName(uint64_t seq) { return "custody event " + std::to_string(seq); }

std::string KeyId(const crypto::Ed25519PublicKey& pk) {
  Digest d = crypto::Sha256Of(ByteView(pk));
  return crypto::HexEncode(ByteView(d.data(), 8));
}

Bytes Pae(std::string_view type, ByteView payload) {
  const std::string head = PaeHead(type, payload.size());
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

namespace {

// Reads the members of one object, each name at most once and only names from `names`
// (at most 16); `read(index)` reads the value of names[index]. Fails unless every name
// was present.
template <typename ReadFn>
Status ReadMembers(JsonReader& r, std::initializer_list<std::string_view> names,
                   const char* what, ReadFn read) {
  if (!r.BeginObject()) return Bad(std::string(what) + " is not an object");
  uint32_t seen = 0;
  std::string name;
  while (r.NextMember(&name)) {
    size_t i = 0;
    for (std::string_view n : names) {
      if (n == name) break;
      ++i;
    }
    if (i == names.size()) return Bad(std::string(what) + " has an unexpected member");
    if (seen & (1u << i)) return Bad(std::string(what) + " has a duplicate member");
    seen |= 1u << i;
    RETURN_IF_ERROR(read(i));
  }
  if (r.failed()) return Bad(std::string(what) + " is not valid JSON");
  if (seen != (1u << names.size()) - 1) return Bad(std::string(what) + " lacks a member");
  return OkStatus();
}

Status ReadString(JsonReader& r, std::string* out, const char* what) {
  if (!r.String(out)) return Bad(std::string(what) + " missing or not a string");
  return OkStatus();
}

Status ReadHex(JsonReader& r, size_t digits, std::string* out, const char* what) {
  if (!r.String(out) || out->size() != digits || !crypto::IsLowerHex(*out)) return Bad(what);
  return OkStatus();
}

// The envelope: payload (decoded straight into the PAE), payloadType, signatures.
Status ReadEnvelope(ByteView entry, ParsedEntry& out) {
  JsonReader r(std::string_view(reinterpret_cast<const char*>(entry.data()), entry.size()));
  RETURN_IF_ERROR(ReadMembers(r, {"payload", "payloadType", "signatures"}, "DSSE envelope",
                              [&](size_t i) -> Status {
    if (i == 0) {
      // Base64 never needs an escape, so the payload is decoded from the entry's own bytes;
      // a writer that escaped its '/' anyway gets the copy.
      std::string_view b64;
      std::string unescaped;
      if (!r.RawString(&b64)) return Bad("payload is not base64");
      if (b64.find('\\') != std::string_view::npos) {
        JsonReader quoted(std::string_view(b64.data() - 1, b64.size() + 2));
        if (!quoted.String(&unescaped)) return Bad("payload is not base64");
        b64 = unescaped;
      }
      size_t len = b64.size() / 4 * 3;
      if (!b64.empty() && b64.back() == '=') len -= b64[b64.size() - 2] == '=' ? 2 : 1;
      // The PAE's head, then the payload decoded after it.
      const std::string head = PaeHead(kDssePayloadType, len);
      out.pae.assign(head.begin(), head.end());
      out.payload_offset = out.pae.size();
      if (!crypto::Base64DecodePublicAppend(b64, &out.pae)) return Bad("payload is not base64");
      return OkStatus();
    }
    if (i == 1) {
      std::string type;
      RETURN_IF_ERROR(ReadString(r, &type, "payloadType"));
      if (type != kDssePayloadType) return Bad("payloadType is not " + std::string(kDssePayloadType));
      return OkStatus();
    }
    if (!r.BeginArray()) return Bad("signatures");
    size_t count = 0;
    Bytes sig;
    std::string b64;
    while (r.NextElement()) {
      if (count == 4) return Bad("signatures");
      // Reuses the entries a previous parse left (ParseEntryInto).
      if (out.signatures.size() == count) out.signatures.emplace_back();
      EntrySignature& es = out.signatures[count++];
      RETURN_IF_ERROR(ReadMembers(r, {"keyid", "sig"}, "signature entry", [&](size_t k) -> Status {
        if (k == 0) return ReadHex(r, 16, &es.key_id, "signature keyid");
        sig.clear();
        if (!r.String(&b64) || !crypto::Base64DecodePublicAppend(b64, &sig) ||
            sig.size() != es.sig.size()) {
          return Bad("signature is not 64 bytes of base64");
        }
        std::copy(sig.begin(), sig.end(), es.sig.begin());
        return OkStatus();
      }));
    }
    out.signatures.resize(count);
    if (r.failed() || out.signatures.empty()) return Bad("signatures");
    return OkStatus();
  }));
  if (!r.AtEnd()) return Bad("not a DSSE envelope (trailing bytes)");
  return OkStatus();
}

Status ReadPredicate(JsonReader& r, Event& ev) {
  return ReadMembers(r, {"sequence", "previous", "time", "vault", "actor", "action", "purpose",
                         "tool", "parents", "details"}, "predicate", [&](size_t i) -> Status {
    switch (i) {
      case 0:
        if (!r.Unsigned(&ev.sequence)) return Bad("sequence");
        return OkStatus();
      case 1:
        return ReadHex(r, 64, &ev.previous, "previous");
      case 2:
        RETURN_IF_ERROR(ReadString(r, &ev.time, "time"));
        if (ev.time.size() != 20 || ev.time[10] != 'T' || ev.time.back() != 'Z') return Bad("time");
        return OkStatus();
      case 3:
        return ReadString(r, &ev.vault, "vault");
      case 4:
        return ReadMembers(r, {"custodian", "key_id"}, "actor", [&](size_t k) -> Status {
          if (k == 0) return ReadString(r, &ev.actor, "custodian");
          return ReadHex(r, 16, &ev.actor_key_id, "key_id");
        });
      case 5:
        RETURN_IF_ERROR(ReadString(r, &ev.action, "action"));
        if (!IsKnownAction(ev.action)) return Bad("unknown action");
        return OkStatus();
      case 6:
        return ReadString(r, &ev.purpose, "purpose");
      case 7:
        return ReadMembers(r, {"name", "version"}, "tool", [&](size_t k) -> Status {
          return ReadString(r, k == 0 ? &ev.tool_name : &ev.tool_version, "tool");
        });
      case 8:
        if (!r.BeginArray()) return Bad("parents");
        while (r.NextElement()) {
          if (ev.parents.size() == 10000) return Bad("parents");
          RETURN_IF_ERROR(ReadHex(r, 64, &ev.parents.emplace_back(), "parents entry"));
        }
        return r.failed() ? Bad("parents") : OkStatus();
      default: {
        // Details vary by action: checked strictly here, decoded into a tree (small).
        std::string_view span;
        if (!r.Skip(&span) || span.empty() || span[0] != '{') return Bad("details");
        ev.details = json::parse(span.begin(), span.end(), nullptr, false);
        if (ev.details.is_discarded()) return Bad("details");
        return OkStatus();
      }
    }
  });
}

Status ReadStatement(ByteView payload, Event& ev) {
  JsonReader r(std::string_view(reinterpret_cast<const char*>(payload.data()), payload.size()));
  Status s = ReadMembers(r, {"_type", "subject", "predicateType", "predicate"}, "in-toto Statement",
                         [&](size_t i) -> Status {
    std::string text;
    switch (i) {
      case 0:
        RETURN_IF_ERROR(ReadString(r, &text, "_type"));
        return text == kStatementType ? OkStatus() : Bad("_type");
      case 1:
        if (!r.BeginArray()) return Bad("subject");
        while (r.NextElement()) {
          if (ev.subjects.size() == 10000) return Bad("subject");
          std::string& id = ev.subjects.emplace_back();
          RETURN_IF_ERROR(ReadMembers(r, {"name", "digest"}, "subject entry", [&](size_t k) -> Status {
            if (k == 0) {
              RETURN_IF_ERROR(ReadString(r, &text, "subject entry"));
              return text == "item" ? OkStatus() : Bad("subject entry");
            }
            return ReadMembers(r, {"sha256"}, "subject entry", [&](size_t) {
              return ReadHex(r, 64, &id, "subject entry");
            });
          }));
        }
        return r.failed() ? Bad("subject") : OkStatus();
      case 2:
        RETURN_IF_ERROR(ReadString(r, &text, "predicateType"));
        return text == kCustodyPredicateType ? OkStatus() : Bad("predicateType");
      default:
        return ReadPredicate(r, ev);
    }
  });
  RETURN_IF_ERROR(s);
  if (!r.AtEnd()) return Bad("payload is not an in-toto Statement (trailing bytes)");
  return OkStatus();
}

}  // namespace

Result<ParsedEntry> ParseEntry(ByteView entry) {
  ParsedEntry out;
  RETURN_IF_ERROR(ParseEntryInto(entry, out));
  return out;
}

Status ParseEntryInto(ByteView entry, ParsedEntry& out) {
  if (entry.size() > kMaxEntryBytes) return Bad("larger than 1 MiB");
  // Every member is required and read again; only the lists need emptying.
  out.event.subjects.clear();
  out.event.parents.clear();
  RETURN_IF_ERROR(ReadEnvelope(entry, out));
  return ReadStatement(out.payload(), out.event);
}

bool VerifyEntrySignature(const ParsedEntry& entry, const EntrySignature& sig,
                          const crypto::Ed25519PublicKey& pk) {
  return crypto::Ed25519Verify(pk, entry.pae, sig.sig);
}

}  // namespace amanat::vault
