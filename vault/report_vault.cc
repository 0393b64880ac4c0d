#include "vault/report_vault.h"

#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "crypto/encoding.h"
#include "crypto/sha256.h"
#include "vault/bundle_verify.h"
#include "vault/provenance.h"
#include "vault/redactions.h"
#include "vault/timestamps.h"
#include "vault/timeutil.h"
#include "vault/verify.h"

namespace amanat::vault {
namespace {

using nlohmann::json;

bool HasProblemAbout(const std::vector<std::string>& problems, uint64_t seq) {
  const std::string prefix = EventName(seq) + ":";
  for (const auto& p : problems) {
    if (p.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

class Builder {
 public:
  Builder(Vault& v, const std::vector<ItemInfo>& items, const VaultReportOptions& o)
      : v_(v), items_(items), o_(o) {}

  Result<ReportModel> Run() {
    m_.mode = "vault";
    m_.case_id = o_.case_id;
    m_.tool = o_.tool;
    ASSIGN_OR_RETURN(VerifyReport vr, VerifyVault(v_, VerifyOptions{}));
    m_.anomalies = vr.problems;
    m_.checked.push_back("custody log: " + std::to_string(vr.events) +
                         " events: every signature against the key history replayed from the "
                         "log, the hash chain, the Merkle tree and " +
                         std::to_string(vr.checkpoints) + " signed checkpoints");
    m_.checked.push_back("stored records of all " + std::to_string(vr.items) +
                         " items, provenance, redaction, witness and timestamp tables against "
                         "the signed events");
    for (const auto& item : items_) RETURN_IF_ERROR(Rehash(item));
    m_.checked.push_back("content of the " + std::to_string(items_.size()) +
                         " items in this report: re-hashed (SHA-256) from the stored bytes");
    RETURN_IF_ERROR(RecordReport(vr.ok()));
    m_.generated_at = NowUtc();
    m_.identifiers.push_back({"Vault log (origin)", v_.origin()});
    m_.identifiers.push_back({"Vault ID", v_.vault_id()});
    m_.identifiers.push_back(
        {"Log verified", std::to_string(vr.events) + " entries, root " + vr.root_b64});
    if (report_event_)
      m_.identifiers.push_back(
          {"This report", EventName(*report_event_) + " (access, operation report)"});
    RETURN_IF_ERROR(ReplayLog());
    RETURN_IF_ERROR(CollectProvenance());
    RETURN_IF_ERROR(CollectTimestamps(vr.problems));
    Repeat();
    return std::move(m_);
  }

 private:
  Status Rehash(const ItemInfo& item) {
    ReportItem& it = m_.items.emplace_back(
        DescribedItem(item.id, item.size, item.kind, item.media_type, item.metadata));
    crypto::Sha256 hash;
    Status s = ExtractItem(
        v_, item,
        [&](ByteView d) {
          hash.Update(d);
          return OkStatus();
        },
        nullptr);
    if (s.ok() || s.code() == Code::kVerifyFailed) {
      Digest d = hash.Finish();
      it.sha256_now = crypto::HexEncode(ByteView(d.data(), d.size()));
    }
    it.match = s.ok() && it.sha256_now == it.id;
    if (!s.ok()) {
      it.problem = s.message();
      m_.anomalies.push_back(s.message());
    }
    return OkStatus();
  }

  Status RecordReport(bool verified) {
    std::vector<std::string> ids;
    for (const auto& item : items_) ids.push_back(item.id);
    const bool clean = verified && m_.anomalies.empty();
    auto record = [&]() -> Status {
      ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(v_.db()));
      ASSIGN_OR_RETURN(uint64_t seq, v_.Record("access", ids, o_.purpose,
                                               {{"operation", "report"},
                                                {"verified", clean},
                                                {"problems", m_.anomalies.size()}}));
      RETURN_IF_ERROR(v_.Commit(tx));
      report_event_ = seq;
      return OkStatus();
    };
    Status s = record();
    if (s.ok()) return OkStatus();
    if (clean) return s;
    m_.anomalies.push_back("this report could not be recorded in the custody log: " + s.message());
    return OkStatus();
  }

  // Every event about the items, with its signature result; the keys; each item's first record.
  Status ReplayLog() {
    std::set<std::string> ids;
    for (const auto& item : items_) ids.insert(item.id);
    // About an item: naming it as subject, or as the parent of a derivative.
    auto about = [&](const Event& ev) {
      for (const auto& s : ev.subjects) {
        if (ids.count(s)) return true;
      }
      for (const auto& p : ev.parents) {
        if (ids.count(p)) return true;
      }
      return false;
    };
    ASSIGN_OR_RETURN(uint64_t n, v_.log().Size());
    SignatureReplay replay;
    std::map<std::string, size_t> signed_count;
    for (uint64_t seq = 0; seq < n; ++seq) {
      ASSIGN_OR_RETURN(Bytes entry, v_.log().Entry(seq));
      auto pe = ParseEntry(entry);
      if (!pe.ok()) continue;  // verify has reported it
      SignatureCheck check = replay.Next(*pe);
      for (const auto& s : pe->signatures) ++signed_count[s.key_id];
      const Event& ev = pe->event;
      if (!about(ev)) continue;
      m_.timeline.push_back(
          ReportEventOf("", ev, std::map<uint64_t, SignatureCheck>{{seq, check}}));
      const bool first_record =
          ev.action == "ingest" || ev.action == "import" || ev.action == "derive";
      for (auto& it : m_.items) {
        if (!first_record || !it.recorded_at.empty()) continue;
        for (const auto& s : ev.subjects) {
          if (s != it.id) continue;
          it.recorded_at = ev.time;
          it.record_event = EventName(seq) + " (" + ev.action + ")";
          it.tool = ev.tool_name + " " + ev.tool_version;
        }
      }
    }
    const crypto::NoteVerifier log = v_.LogVerifier();
    char hex8[9];
    std::snprintf(hex8, sizeof hex8, "%08x", log.key_id);
    m_.keys.push_back({"log", log.name, log.name + "+" + hex8, crypto::FormatVerifierKey(log),
                       "every checkpoint", ""});
    const auto& custodians = replay.history().custodians();
    for (const auto& [key_id, key] : replay.history().keys()) {
      auto c = custodians.find(key.custodian);
      std::string state;
      if (c != custodians.end()) {
        state = !c->second.active
                    ? ", custodian revoked"
                    : (c->second.key_id == key_id ? ", current key" : ", replaced key");
      }
      m_.keys.push_back({"custodian", key.custodian, key_id,
                         CustodianVerifierKey(key.custodian, key.public_key),
                         std::to_string(signed_count[key_id]) + " events signed" + state, ""});
    }
    return OkStatus();
  }

  void AddEdges(const std::string& from, const std::vector<ProvenanceNode>& nodes, bool up,
                std::set<std::tuple<std::string, std::string, uint64_t>>& seen) {
    for (const auto& n : nodes) {
      const std::string parent = up ? n.item : from;
      const std::string child = up ? from : n.item;
      if (seen.emplace(parent, child, n.sequence).second) {
        m_.provenance.push_back({parent, child, n.relation, EventName(n.sequence)});
      }
      AddEdges(n.item, n.next, up, seen);
    }
  }

  Status CollectProvenance() {
    std::set<std::tuple<std::string, std::string, uint64_t>> seen;
    std::set<uint64_t> redactions;
    for (const auto& item : items_) {
      ASSIGN_OR_RETURN(Provenance p, GetProvenance(v_, item.id));
      AddEdges(item.id, p.sources, true, seen);
      AddEdges(item.id, p.derivatives, false, seen);
      auto found = FindRedactions(v_, item.id, item.id);
      if (!found.ok()) {
        if (found.status().code() != Code::kVerifyFailed) return found.status();
        m_.anomalies.push_back("item " + item.id +
                               ": redaction record: " + found.status().message());
        continue;
      }
      for (const auto& r : *found) {
        if (!redactions.insert(r.sequence).second) continue;
        Digest d = crypto::Sha256Of(ByteView(r.record_bytes));
        m_.redactions.push_back({r.record.original, r.record.redacted, EventName(r.sequence),
                                 std::to_string(r.record.spans.size()) +
                                     " span(s) removed, each committed to by a "
                                     "salted SHA-256; record SHA-256 " +
                                     crypto::HexEncode(ByteView(d.data(), d.size())) +
                                     ", matches its signed derive event"});
      }
    }
    return OkStatus();
  }

  Status CollectTimestamps(const std::vector<std::string>& problems) {
    ASSIGN_OR_RETURN(auto stored, ListTimestamps(v_));
    for (const auto& t : stored) {
      ReportTimestamp r{t.checkpoint_size, t.gen_time,   t.tsa, t.serial,
                        t.policy,          t.tsr_sha256, false, ""};
      auto v = crypto::VerifyTimestampToken(ByteView(t.response), crypto::Sha256Of(t.checkpoint),
                                            t.trust);
      if (!v.ok()) {
        r.detail = v.status().message();
      } else if (HasProblemAbout(problems, t.event_seq)) {
        r.detail = "differs from its signed event (" + EventName(t.event_seq) + "): see anomalies";
      } else {
        r.ok = true;
        r.detail = "verified, recorded by " + EventName(t.event_seq);
      }
      m_.timestamps.push_back(std::move(r));
    }
    return OkStatus();
  }

  void Repeat() {
    m_.repeat = {
        "A custodian of the vault runs: amanat verify --full (with the vault and a passphrase). "
        "It checks every signature, the hash chain, the Merkle tree, every checkpoint and the "
        "content of every item; amanat report with the same item IDs writes this report again.",
        "Any checkpoint that left the vault earlier (printed by amanat checkpoint, or in an "
        "earlier bundle) can be given: amanat verify --against FILE. A log that was rolled back "
        "or rewritten no longer extends it.",
        "For an examiner without the vault: a custodian exports the items (amanat export ID... "
        "-o bundle.zip --purpose ...); the examiner runs amanat verify-bundle bundle.zip --trust "
        "KEY for the keys in section 5, or checks it with sha256sum, minisign and the steps in "
        "the bundle's README.txt. sha256sum of each item file must equal the SHA-256 in section 1.",
        "Compare the key fingerprints in section 5 with copies received separately.",
    };
  }

  Vault& v_;
  const std::vector<ItemInfo>& items_;
  const VaultReportOptions& o_;
  ReportModel m_;
  std::optional<uint64_t> report_event_;
};

}  // namespace

Result<ReportModel> ReportFromVault(Vault& vault, const std::vector<ItemInfo>& items,
                                    const VaultReportOptions& options) {
  return Builder(vault, items, options).Run();
}

}  // namespace amanat::vault
