#include "vault/report.h"

#include "vault/bundle_json.h"

namespace amanat::vault {

ReportItem DescribedItem(const std::string& id, uint64_t size, const std::string& kind,
                         const std::string& media_type, const nlohmann::json& metadata) {
  ReportItem it;
  it.id = id;
  it.size = size;
  it.kind = kind;
  it.media_type = media_type;
  it.filename = JsonStringField(metadata, "filename");
  it.title = JsonStringField(metadata, "title");
  it.captured_at = JsonStringField(metadata, "captured_at");
  it.place = JsonStringField(metadata, "place");
  it.collector = JsonStringField(metadata, "collector");
  it.witness = JsonStringField(metadata, "witness");
  return it;
}

SignatureCheck SignatureReplay::Next(const ParsedEntry& pe) {
  SignatureCheck c;
  for (const auto& s : pe.signatures) {
    auto k = history_.keys().find(s.key_id);
    const std::string who = k != history_.keys().end() ? k->second.custodian : pe.event.actor;
    c.signers += (c.signers.empty() ? "" : ", ") + who + " (key " + s.key_id + ")";
  }
  auto keys = history_.Apply(pe.event);
  Status s = keys.ok() ? CheckEntrySignatures(pe, *keys) : keys.status();
  if (c.signers.empty()) c.signers = "no signature";
  c.ok = s.ok();
  c.detail = s.ok() ? "verified" : s.message();
  return c;
}

std::map<uint64_t, SignatureCheck> CheckLogSignatures(
    const std::vector<const ParsedEntry*>& entries) {
  std::map<uint64_t, SignatureCheck> out;
  SignatureReplay replay;
  for (const ParsedEntry* pe : entries) out[pe->event.sequence] = replay.Next(*pe);
  return out;
}

ReportEvent ReportEventOf(const std::string& log, const Event& ev,
                          const std::map<uint64_t, SignatureCheck>& sigs) {
  ReportEvent r;
  r.log = log;
  r.sequence = ev.sequence;
  r.time = ev.time;
  r.action = ev.action;
  r.custodian = ev.actor;
  r.key_id = ev.actor_key_id;
  r.purpose = ev.purpose;
  r.subjects = ev.subjects;
  auto it = sigs.find(ev.sequence);
  if (it == sigs.end()) {
    r.signers = ev.actor + " (key " + ev.actor_key_id + ")";
    r.signature = "not checked: the log's key history is not available";
  } else {
    r.signers = it->second.signers;
    r.signature_ok = it->second.ok;
    r.signature = it->second.detail;
  }
  return r;
}

}  // namespace amanat::vault
