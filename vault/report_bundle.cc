#include "vault/report_bundle.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <utility>

#include "crypto/encoding.h"

namespace amanat::vault {
namespace {

using nlohmann::json;

std::string BaseName(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The first signed record (ingest or import) of `id` in the bundle's own log.
const Event* FirstRecord(const BundleReport& r, const std::string& id) {
  if (r.sections.empty()) return nullptr;
  for (const auto& pe : r.sections[0].parsed) {
    if (!pe || (pe->event.action != "ingest" && pe->event.action != "import")) continue;
    const auto& subj = pe->event.subjects;
    if (std::find(subj.begin(), subj.end(), id) != subj.end()) return &pe->event;
  }
  return nullptr;
}

ReportItem ItemOf(const BundleReport& r, const BundleItem& bi) {
  ReportItem it = DescribedItem(bi.id, bi.size, bi.kind, bi.media_type, bi.metadata);
  for (const auto& res : r.items) {
    if (res.id != bi.id) continue;
    it.sha256_now = res.sha256;
    it.match = res.ok && res.sha256 == bi.id;
    it.problem = res.problem;
    if (res.ok && res.sealed) {
      it.problem = "content sealed to HQ: the sealed bytes match the signed record; the "
                   "plaintext's SHA-256 can only be checked by HQ";
    }
  }
  if (const Event* ev = FirstRecord(r, bi.id)) {
    it.recorded_at = ev->time;
    it.record_event = "custody event " + std::to_string(ev->sequence) + " (" + ev->action + ")";
    it.tool = ev->tool_name + " " + ev->tool_version;
  }
  return it;
}

std::vector<std::string> RepeatSteps(const std::string& file) {
  const std::string f = BaseName(file);
  return {
      "Obtain the bundle file " + f +
          " and, separately (in person, by phone, or from the "
          "organisation's published keys), the fingerprints of the keys listed in section 5.",
      "Run: amanat verify-bundle " + f +
          " --trust KEY (once per trusted key). It checks "
          "everything this report lists and prints the same result; --report FILE writes this "
          "report again.",
      "Without Amanat: unzip the bundle; run sha256sum -c SHA256SUMS; check the manifest with "
      "minisign -Vm manifest.json -p keys/<exporter>.minisign.pub; and check that the SHA-256 "
      "of each file items/<id> (sha256sum items/*) equals its name and the value in section 1.",
      "README.txt inside the bundle describes the custody records (custody/) and how to check "
      "their signatures, inclusion proofs and checkpoint with standard tools.",
  };
}

}  // namespace

std::vector<ReportTimestamp> TimestampsFromBundle(const BundleReport& r) {
  std::vector<ReportTimestamp> out;
  for (const auto& t : r.timestamps) {
    ReportTimestamp rt;
    rt.checkpoint_size = t.size;
    rt.gen_time = t.gen_time_utc;
    rt.tsa = t.tsa;
    rt.serial = t.serial;
    rt.policy = t.policy;
    for (const auto& f : r.manifest.files) {
      if (f.path == t.token_path) rt.tsr_sha256 = f.sha256;
    }
    rt.ok = t.ok;
    rt.detail = !t.ok        ? t.problem
                : t.trusted  ? "verified, TSA trusted (" + t.token_path + ")"
                             : "signature valid, TSA not trusted (" + t.token_path + ")";
    out.push_back(std::move(rt));
  }
  return out;
}

ReportModel ReportFromBundle(const BundleReport& r, const BundleReportContext& c) {
  ReportModel m;
  m.mode = "bundle";
  m.case_id = c.case_id;
  m.generated_at = c.generated_at;
  m.tool = c.tool;
  m.identifiers.push_back({"Bundle file", BaseName(c.file)});
  m.identifiers.push_back({"Bundle ID (SHA-256 of manifest.json)",
                           r.manifest_sha256.empty() ? "unknown" : r.manifest_sha256});
  m.anomalies = r.problems;
  m.checked = r.checked;
  m.repeat = RepeatSteps(c.file);
  if (!r.manifest_ok) return m;
  const Manifest& man = r.manifest;
  m.identifiers.push_back({"Format", man.format});
  m.identifiers.push_back({"Source vault (log)", man.origin});
  m.identifiers.push_back({"Exported", man.created + " by " + man.exporter + ", custody event " +
                                           std::to_string(man.export_event)});
  m.identifiers.push_back({"Export purpose", man.purpose.empty() ? "(none given)" : man.purpose});
  m.identifiers.push_back({"Checkpoint", std::to_string(man.checkpoint_size) + " entries, root " +
                                             crypto::Base64Encode(man.checkpoint_root)});
  for (const auto& bi : man.items) m.items.push_back(ItemOf(r, bi));

  std::map<std::pair<std::string, uint64_t>, SignatureCheck> sigs;
  for (const auto& s : r.sections) {
    std::vector<const ParsedEntry*> entries;
    for (const auto& pe : s.parsed) {
      if (pe) entries.push_back(&*pe);
    }
    for (auto& [seq, check] : CheckLogSignatures(entries)) sigs[{s.origin, seq}] = std::move(check);
  }
  for (const auto& s : r.sections) {
    for (const auto& pe : s.parsed) {
      if (!pe) continue;
      std::map<uint64_t, SignatureCheck> one;
      auto it = sigs.find({s.origin, pe->event.sequence});
      if (it != sigs.end()) one[pe->event.sequence] = it->second;
      m.timeline.push_back(ReportEventOf(s.origin, pe->event, one));
    }
  }
  // In the order of the verification's merged timeline (by time, received records first).
  std::map<std::pair<std::string, uint64_t>, size_t> rank;
  for (size_t i = 0; i < r.timeline.size(); ++i)
    rank.emplace(std::make_pair(r.timeline[i].origin, r.timeline[i].sequence), i);
  std::stable_sort(m.timeline.begin(), m.timeline.end(),
                   [&](const ReportEvent& a, const ReportEvent& b) {
                     auto ra = rank.find({a.log, a.sequence}), rb = rank.find({b.log, b.sequence});
                     size_t ia = ra == rank.end() ? SIZE_MAX : ra->second,
                            ib = rb == rank.end() ? SIZE_MAX : rb->second;
                     return ia < ib;
                   });
  for (auto& e : m.timeline) {
    if (e.log == man.origin) e.log.clear();  // the bundle's own log goes without saying
  }
  m.timeline.erase(std::unique(m.timeline.begin(), m.timeline.end(),
                               [](const ReportEvent& a, const ReportEvent& b) {
                                 return a.log == b.log && a.sequence == b.sequence;
                               }),
                   m.timeline.end());

  for (const auto& e : man.provenance) {
    const std::string ev =
        (e.origin == man.origin ? "" : e.origin + " ") + "custody event " + std::to_string(e.event);
    m.provenance.push_back({e.parent, e.child, e.relation, ev});
    if (e.relation == "redaction") {
      m.redactions.push_back({e.parent, e.child, ev,
                              "the redaction record (removed spans) stays in the vault; "
                              "amanat verify-redaction checks it against the original"});
    }
  }
  m.timestamps = TimestampsFromBundle(r);
  for (const auto& s : r.signers) {
    m.keys.push_back({s.kind, s.name, s.fingerprint, s.vkey, s.used_for,
                      c.trust_given ? (s.trusted ? "trusted" : "NOT TRUSTED") : ""});
  }
  return m;
}

}  // namespace amanat::vault
