#include "vault/bundle_manifest.h"

#include "crypto/age.h"
#include "crypto/encoding.h"
#include "vault/bundle_json.h"
#include "vault/bundle_layout.h"
#include "vault/event.h"
#include "vault/items.h"

namespace amanat::vault {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr size_t kMaxListSize = 1000000;

ordered_json EventsJson(const std::vector<EventRef>& events) {
  ordered_json a = ordered_json::array();
  for (const auto& e : events) a.push_back(ordered_json{{"sequence", e.sequence}, {"sha256", e.sha256}});
  return a;
}

ordered_json CheckpointJson(uint64_t size, const Digest& root) {
  return ordered_json{{"size", size}, {"root", crypto::Base64Encode(root)}};
}

Result<const json*> Array(const json& j, const char* key, const std::string& what) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_array() || it->size() > kMaxListSize) {
    return InvalidInput(what + ": \"" + key + "\" missing or not an array");
  }
  return &*it;
}

Result<std::vector<EventRef>> ParseEvents(const json& j, const std::string& what) {
  ASSIGN_OR_RETURN(const json* a, Array(j, "events", what));
  std::vector<EventRef> out;
  for (const auto& e : *a) {
    const std::string w = what + ": events entry";
    RETURN_IF_ERROR(JsonExactKeys(e, {"sequence", "sha256"}, w));
    EventRef r;
    ASSIGN_OR_RETURN(r.sequence, JsonUint(e, "sequence", w));
    ASSIGN_OR_RETURN(r.sha256, JsonHex64(e, "sha256", w));
    out.push_back(std::move(r));
  }
  return out;
}

Status ParseCheckpoint(const json& j, uint64_t* size, Digest* root, const std::string& what) {
  auto it = j.find("checkpoint");
  if (it == j.end()) return InvalidInput(what + ": \"checkpoint\" missing");
  const std::string w = what + ": checkpoint";
  RETURN_IF_ERROR(JsonExactKeys(*it, {"size", "root"}, w));
  ASSIGN_OR_RETURN(*size, JsonUint(*it, "size", w));
  ASSIGN_OR_RETURN(*root, JsonBase64Digest(*it, "root", w));
  return OkStatus();
}

Result<std::string> KeyId16(const json& j, const char* key, const std::string& what) {
  ASSIGN_OR_RETURN(std::string s, JsonString(j, key, what));
  if (s.size() != 16 || !crypto::IsLowerHex(s)) {
    return InvalidInput(what + ": \"" + key + "\" is not 16 lowercase hex digits");
  }
  return s;
}

Status ParseItems(const json& j, Manifest& m) {
  ASSIGN_OR_RETURN(const json* a, Array(j, "items", "manifest.json"));
  for (const auto& e : *a) {
    const std::string w = "manifest.json: items entry";
    json base = e;
    base.erase("sealed");
    RETURN_IF_ERROR(JsonExactKeys(base, {"id", "size", "kind", "media_type", "metadata"}, w));
    BundleItem it;
    ASSIGN_OR_RETURN(it.id, JsonHex64(e, "id", w));
    ASSIGN_OR_RETURN(it.size, JsonUint(e, "size", w));
    ASSIGN_OR_RETURN(it.kind, JsonString(e, "kind", w));
    ASSIGN_OR_RETURN(it.media_type, JsonString(e, "media_type", w));
    if (!e["metadata"].is_object()) return InvalidInput(w + ": \"metadata\" is not an object");
    it.metadata = e["metadata"];
    if (e.contains("sealed")) {
      const std::string ws = w + ": sealed";
      const json& s = e["sealed"];
      RETURN_IF_ERROR(JsonExactKeys(s, {"format", "sha256", "size", "to"}, ws));
      SealedItemRef r;
      ASSIGN_OR_RETURN(r.format, JsonString(s, "format", ws));
      if (r.format != kSealedFormat) return InvalidInput(ws + ": \"format\" is not \"age\"");
      ASSIGN_OR_RETURN(r.sha256, JsonHex64(s, "sha256", ws));
      ASSIGN_OR_RETURN(r.size, JsonUint(s, "size", ws));
      ASSIGN_OR_RETURN(r.to, JsonString(s, "to", ws));
      if (!crypto::AgeRecipient::Parse(r.to).ok()) {
        return InvalidInput(ws + ": \"to\" is not an age1… recipient");
      }
      it.sealed = std::move(r);
    }
    m.items.push_back(std::move(it));
  }
  return OkStatus();
}

Status ParseProvenance(const json& j, Manifest& m) {
  ASSIGN_OR_RETURN(const json* a, Array(j, "provenance", "manifest.json"));
  for (const auto& e : *a) {
    const std::string w = "manifest.json: provenance entry";
    RETURN_IF_ERROR(JsonExactKeys(e, {"parent", "child", "relation", "origin", "event"}, w));
    ProvenanceEdge p;
    ASSIGN_OR_RETURN(p.parent, JsonHex64(e, "parent", w));
    ASSIGN_OR_RETURN(p.child, JsonHex64(e, "child", w));
    ASSIGN_OR_RETURN(p.relation, JsonString(e, "relation", w));
    ASSIGN_OR_RETURN(p.origin, JsonString(e, "origin", w));
    ASSIGN_OR_RETURN(p.event, JsonUint(e, "event", w));
    m.provenance.push_back(std::move(p));
  }
  return OkStatus();
}

Status ParseReceived(const json& j, Manifest& m) {
  ASSIGN_OR_RETURN(const json* a, Array(j, "received", "manifest.json"));
  for (const auto& e : *a) {
    const std::string w = "manifest.json: received entry";
    RETURN_IF_ERROR(JsonExactKeys(e, {"path", "origin", "log_key", "checkpoint", "events"}, w));
    ReceivedSection r;
    ASSIGN_OR_RETURN(r.path, JsonString(e, "path", w));
    ASSIGN_OR_RETURN(r.origin, JsonString(e, "origin", w));
    ASSIGN_OR_RETURN(r.log_key, JsonString(e, "log_key", w));
    RETURN_IF_ERROR(ParseCheckpoint(e, &r.checkpoint_size, &r.checkpoint_root, w));
    ASSIGN_OR_RETURN(r.events, ParseEvents(e, w));
    m.received.push_back(std::move(r));
  }
  return OkStatus();
}

Status ParseTimestamps(const json& j, Manifest& m) {
  if (!j.contains("timestamps")) return OkStatus();
  ASSIGN_OR_RETURN(const json* a, Array(j, "timestamps", "manifest.json"));
  for (const auto& e : *a) {
    const std::string w = "manifest.json: timestamps entry";
    RETURN_IF_ERROR(JsonExactKeys(e, {"checkpoint_size", "event", "token", "chain", "checkpoint"}, w));
    TimestampRef t;
    ASSIGN_OR_RETURN(t.checkpoint_size, JsonUint(e, "checkpoint_size", w));
    ASSIGN_OR_RETURN(t.event, JsonUint(e, "event", w));
    ASSIGN_OR_RETURN(t.token, JsonString(e, "token", w));
    ASSIGN_OR_RETURN(t.chain, JsonString(e, "chain", w));
    ASSIGN_OR_RETURN(t.checkpoint, JsonString(e, "checkpoint", w));
    m.timestamps.push_back(std::move(t));
  }
  return OkStatus();
}

Status ParseFiles(const json& j, Manifest& m) {
  ASSIGN_OR_RETURN(const json* a, Array(j, "files", "manifest.json"));
  for (const auto& e : *a) {
    const std::string w = "manifest.json: files entry";
    RETURN_IF_ERROR(JsonExactKeys(e, {"path", "sha256", "size"}, w));
    FileRef f;
    ASSIGN_OR_RETURN(f.path, JsonString(e, "path", w));
    ASSIGN_OR_RETURN(f.sha256, JsonHex64(e, "sha256", w));
    ASSIGN_OR_RETURN(f.size, JsonUint(e, "size", w));
    m.files.push_back(std::move(f));
  }
  return OkStatus();
}

// An identities entry of the age form: {"pseudonym", "format": "age", "sha256",
// "sealed_to": ["age1…", …], "event"}, and for a received record "received_from" and
// "received_event" after "event".
Status ParseAgeIdentity(const json& e, Manifest& m) {
  const std::string w = "manifest.json: identities entry";
  const bool received = e.contains("received_from");
  if (received) {
    RETURN_IF_ERROR(JsonExactKeys(e, {"pseudonym", "format", "sha256", "sealed_to", "event",
                                      "received_from", "received_event"}, w));
  } else {
    RETURN_IF_ERROR(JsonExactKeys(e, {"pseudonym", "format", "sha256", "sealed_to", "event"}, w));
  }
  IdentityRef r;
  ASSIGN_OR_RETURN(r.format, JsonString(e, "format", w));
  if (r.format != kAgeIdentityFormat) return InvalidInput(w + ": \"format\" is not \"age\"");
  ASSIGN_OR_RETURN(r.pseudonym, JsonString(e, "pseudonym", w));
  if (!IsValidPseudonym(r.pseudonym)) return InvalidInput(w + ": \"pseudonym\" is malformed");
  ASSIGN_OR_RETURN(r.sealed_sha256, JsonHex64(e, "sha256", w));
  ASSIGN_OR_RETURN(const json* to, Array(e, "sealed_to", w));
  if (to->empty()) return InvalidInput(w + ": \"sealed_to\" is empty");
  for (const auto& rec : *to) {
    if (!rec.is_string() || !crypto::AgeRecipient::Parse(rec.get<std::string>()).ok()) {
      return InvalidInput(w + ": \"sealed_to\" holds something other than age1… recipients");
    }
    r.age_to.push_back(rec.get<std::string>());
  }
  ASSIGN_OR_RETURN(r.event, JsonUint(e, "event", w));
  if (received) {
    ASSIGN_OR_RETURN(r.received_from, JsonString(e, "received_from", w));
    if (r.received_from.empty()) return InvalidInput(w + ": \"received_from\" is empty");
    ASSIGN_OR_RETURN(r.received_event, JsonUint(e, "received_event", w));
  }
  m.identities.push_back(std::move(r));
  return OkStatus();
}

Status ParseIdentities(const json& j, Manifest& m) {
  if (!j.contains("identities")) return OkStatus();
  ASSIGN_OR_RETURN(const json* a, Array(j, "identities", "manifest.json"));
  if (a->empty()) return InvalidInput("manifest.json: \"identities\" is empty (leave it out)");
  for (const auto& e : *a) {
    const std::string w = "manifest.json: identities entry";
    if (e.is_object() && e.contains("format")) {
      RETURN_IF_ERROR(ParseAgeIdentity(e, m));
      continue;
    }
    RETURN_IF_ERROR(JsonExactKeys(e, {"pseudonym", "sealed_sha256", "sealed_to", "event"}, w));
    IdentityRef r;
    ASSIGN_OR_RETURN(r.pseudonym, JsonString(e, "pseudonym", w));
    if (!IsValidPseudonym(r.pseudonym)) return InvalidInput(w + ": \"pseudonym\" is malformed");
    ASSIGN_OR_RETURN(r.sealed_sha256, JsonHex64(e, "sealed_sha256", w));
    ASSIGN_OR_RETURN(r.sealed_to, JsonString(e, "sealed_to", w));
    if (!crypto::Base64DecodeFixed<32>(r.sealed_to).ok()) {
      return InvalidInput(w + ": \"sealed_to\" is not base64 of 32 bytes");
    }
    ASSIGN_OR_RETURN(r.event, JsonUint(e, "event", w));
    m.identities.push_back(std::move(r));
  }
  return OkStatus();
}

Status ParseRedactions(const json& j, Manifest& m) {
  if (!j.contains("redactions")) return OkStatus();
  ASSIGN_OR_RETURN(const json* a, Array(j, "redactions", "manifest.json"));
  if (a->empty()) return InvalidInput("manifest.json: \"redactions\" is empty (leave it out)");
  for (const auto& e : *a) {
    const std::string w = "manifest.json: redactions entry";
    RETURN_IF_ERROR(JsonExactKeys(e, {"item", "original", "record_sha256", "event"}, w));
    RedactionRef r;
    ASSIGN_OR_RETURN(r.item, JsonHex64(e, "item", w));
    ASSIGN_OR_RETURN(r.original, JsonHex64(e, "original", w));
    ASSIGN_OR_RETURN(r.record_sha256, JsonHex64(e, "record_sha256", w));
    ASSIGN_OR_RETURN(r.event, JsonUint(e, "event", w));
    m.redactions.push_back(std::move(r));
  }
  return OkStatus();
}

}  // namespace

std::string Manifest::Serialize() const {
  ordered_json items_j = ordered_json::array();
  for (const auto& it : items) {
    ordered_json e{{"id", it.id},
                   {"size", it.size},
                   {"kind", it.kind},
                   {"media_type", it.media_type},
                   {"metadata", ordered_json::parse(it.metadata.dump())}};
    if (it.sealed) {
      e["sealed"] = ordered_json{{"format", it.sealed->format},
                                 {"sha256", it.sealed->sha256},
                                 {"size", it.sealed->size},
                                 {"to", it.sealed->to}};
    }
    items_j.push_back(std::move(e));
  }
  ordered_json prov = ordered_json::array();
  for (const auto& p : provenance) {
    prov.push_back(ordered_json{{"parent", p.parent}, {"child", p.child}, {"relation", p.relation},
                                {"origin", p.origin}, {"event", p.event}});
  }
  ordered_json recv = ordered_json::array();
  for (const auto& r : received) {
    recv.push_back(ordered_json{{"path", r.path},
                                {"origin", r.origin},
                                {"log_key", r.log_key},
                                {"checkpoint", CheckpointJson(r.checkpoint_size, r.checkpoint_root)},
                                {"events", EventsJson(r.events)}});
  }
  ordered_json stamps = ordered_json::array();
  for (const auto& t : timestamps) {
    stamps.push_back(ordered_json{{"checkpoint_size", t.checkpoint_size},
                                  {"event", t.event},
                                  {"token", t.token},
                                  {"chain", t.chain},
                                  {"checkpoint", t.checkpoint}});
  }
  ordered_json files_j = ordered_json::array();
  for (const auto& f : files) {
    files_j.push_back(ordered_json{{"path", f.path}, {"sha256", f.sha256}, {"size", f.size}});
  }
  ordered_json j = {
      {"format", format},
      {"created", created},
      {"purpose", purpose},
      {"tool", {{"name", "amanat"}, {"version", tool_version}}},
      {"exporter",
       {{"custodian", exporter},
        {"key_id", exporter_key_id},
        {"public_key", crypto::Base64Encode(exporter_public_key)}}},
      {"source", {{"origin", origin}, {"log_key", log_key}}},
      {"export_event", export_event},
      {"checkpoint", CheckpointJson(checkpoint_size, checkpoint_root)},
      {"items", items_j},
      {"provenance", prov},
      {"events", EventsJson(events)},
      {"received", recv},
  };
  if (!timestamps.empty()) j["timestamps"] = stamps;
  j["files"] = files_j;
  if (!identities.empty()) {
    ordered_json ids = ordered_json::array();
    for (const auto& r : identities) {
      if (r.format == kAgeIdentityFormat) {
        ordered_json e = {{"pseudonym", r.pseudonym},
                          {"format", r.format},
                          {"sha256", r.sealed_sha256},
                          {"sealed_to", r.age_to},
                          {"event", r.event}};
        if (!r.received_from.empty()) {
          e["received_from"] = r.received_from;
          e["received_event"] = r.received_event;
        }
        ids.push_back(std::move(e));
        continue;
      }
      ids.push_back(ordered_json{{"pseudonym", r.pseudonym},
                                 {"sealed_sha256", r.sealed_sha256},
                                 {"sealed_to", r.sealed_to},
                                 {"event", r.event}});
    }
    j["identities"] = ids;
  }
  if (!redactions.empty()) {
    ordered_json rs = ordered_json::array();
    for (const auto& r : redactions) {
      rs.push_back(ordered_json{{"item", r.item},
                                {"original", r.original},
                                {"record_sha256", r.record_sha256},
                                {"event", r.event}});
    }
    j["redactions"] = rs;
  }
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

Result<Manifest> Manifest::Parse(std::string_view text) {
  const std::string w = "manifest.json";
  ASSIGN_OR_RETURN(json j, ParseStrictJson(text, w));
  // The optional lists may be there only if they hold something; nothing else may be.
  if (!j.is_object()) return InvalidInput(w + ": not a JSON object");
  {
    json base = j;
    base.erase("identities");
    base.erase("redactions");
    base.erase("timestamps");
    RETURN_IF_ERROR(JsonExactKeys(base,
                                  {"format", "created", "purpose", "tool", "exporter", "source",
                                   "export_event", "checkpoint", "items", "provenance", "events",
                                   "received", "files"},
                                  w));
  }
  Manifest m;
  ASSIGN_OR_RETURN(m.format, JsonString(j, "format", w));
  if (m.format != kBundleFormat) {
    return InvalidInput(w + ": format is '" + m.format.substr(0, 40) + "', this Amanat reads " +
                        kBundleFormat);
  }
  ASSIGN_OR_RETURN(m.created, JsonString(j, "created", w));
  ASSIGN_OR_RETURN(m.purpose, JsonString(j, "purpose", w));
  RETURN_IF_ERROR(JsonExactKeys(j["tool"], {"name", "version"}, w + ": tool"));
  ASSIGN_OR_RETURN(m.tool_version, JsonString(j["tool"], "version", w + ": tool"));
  const json& ex = j["exporter"];
  RETURN_IF_ERROR(JsonExactKeys(ex, {"custodian", "key_id", "public_key"}, w + ": exporter"));
  ASSIGN_OR_RETURN(m.exporter, JsonString(ex, "custodian", w + ": exporter"));
  ASSIGN_OR_RETURN(m.exporter_key_id, KeyId16(ex, "key_id", w + ": exporter"));
  ASSIGN_OR_RETURN(std::string pk64, JsonString(ex, "public_key", w + ": exporter"));
  auto pk = crypto::Base64DecodeFixed<32>(pk64);
  if (!pk.ok()) return InvalidInput(w + ": exporter public_key is not base64 of 32 bytes");
  m.exporter_public_key = *pk;
  if (KeyId(m.exporter_public_key) != m.exporter_key_id) {
    return InvalidInput(w + ": exporter key_id does not belong to its public_key");
  }
  RETURN_IF_ERROR(JsonExactKeys(j["source"], {"origin", "log_key"}, w + ": source"));
  ASSIGN_OR_RETURN(m.origin, JsonString(j["source"], "origin", w + ": source"));
  ASSIGN_OR_RETURN(m.log_key, JsonString(j["source"], "log_key", w + ": source"));
  ASSIGN_OR_RETURN(m.export_event, JsonUint(j, "export_event", w));
  RETURN_IF_ERROR(ParseCheckpoint(j, &m.checkpoint_size, &m.checkpoint_root, w));
  RETURN_IF_ERROR(ParseItems(j, m));
  RETURN_IF_ERROR(ParseProvenance(j, m));
  ASSIGN_OR_RETURN(m.events, ParseEvents(j, w));
  RETURN_IF_ERROR(ParseReceived(j, m));
  RETURN_IF_ERROR(ParseTimestamps(j, m));
  RETURN_IF_ERROR(ParseFiles(j, m));
  RETURN_IF_ERROR(ParseIdentities(j, m));
  RETURN_IF_ERROR(ParseRedactions(j, m));
  return m;
}

std::string BundleItem::Path() const {
  return sealed ? SealedItemPath(id) : std::string(kItemsDir) + id;
}

std::string IdentityRef::Path() const {
  return format == kAgeIdentityFormat ? AgeIdentityPath(pseudonym) : IdentityPath(pseudonym);
}

std::string ManifestTrustedComment(const Manifest& m) {
  return std::string(kBundleFormat) + " manifest of " + m.origin + " at checkpoint " +
         std::to_string(m.checkpoint_size) + ", exported by " + m.exporter + " on " + m.created;
}

std::string ManifestUntrustedComment(const Manifest& m) {
  return "signature from amanat custodian " + m.exporter + ", key " + m.exporter_key_id;
}

}  // namespace amanat::vault
