// CheckProvenanceTables (vault/provenance.h): the derivations, redactions and witnesses tables
// against the signed events they index. Like the rest of verify, it trusts no table: the
// events come parsed from the signed entries, and every row must be accounted for by one.
#include <map>
#include <set>
#include <tuple>

#include "crypto/encoding.h"
#include "crypto/sha256.h"
#include "vault/event.h"
#include "vault/provenance.h"
#include "vault/redactions.h"

namespace amanat::vault {
namespace {

using nlohmann::json;
using Edge = std::tuple<uint64_t, std::string, std::string, std::string>;  // seq child parent rel

class TableChecker {
 public:
  TableChecker(Vault& v, std::vector<std::string>& problems) : v_(v), problems_(problems) {}

  Status Run(const std::map<uint64_t, Event>& events) {
    for (const auto& [seq, ev] : events) {
      if (ev.action == "derive") {
        for (const auto& parent : ev.parents) {
          for (const auto& child : ev.subjects) {
            want_edges_.emplace(seq, child, parent, ev.details.value("relation", ""));
          }
        }
        if (ev.details.contains("redaction")) redaction_events_.emplace(seq, ev);
      } else if (ev.action == "witness-add") {
        witness_events_.emplace(seq, ev);
      }
    }
    RETURN_IF_ERROR(CheckEdges());
    RETURN_IF_ERROR(CheckRedactions());
    return CheckWitnesses();
  }

 private:
  void Problem(std::string p) { problems_.push_back(std::move(p)); }
  static std::string Name(uint64_t seq) { return "custody event " + std::to_string(seq); }

  Status CheckEdges() {
    ASSIGN_OR_RETURN(Stmt st,
                     v_.db().Prepare("SELECT seq, child, parent, relation FROM derivations"));
    std::set<Edge> got;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      got.emplace(static_cast<uint64_t>(st.ColumnInt(0)), st.ColumnText(1), st.ColumnText(2),
                  st.ColumnText(3));
    }
    for (const Edge& e : want_edges_) {
      if (!got.count(e))
        Problem(Name(std::get<0>(e)) + ": its derivation is missing from the provenance index");
    }
    for (const Edge& e : got) {
      if (!want_edges_.count(e)) {
        Problem("provenance index: an edge of " + Name(std::get<0>(e)) +
                " is not in any signed derive event");
      }
    }
    return OkStatus();
  }

  Status CheckRedactions() {
    ASSIGN_OR_RETURN(Stmt st, v_.db().Prepare("SELECT seq, record, salts FROM redactions"));
    std::set<uint64_t> seen;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      const uint64_t seq = static_cast<uint64_t>(st.ColumnInt(0));
      seen.insert(seq);
      auto ev = redaction_events_.find(seq);
      ByteView bytes = st.ColumnBlob(1);
      auto record = RedactionRecord::Parse(bytes);
      if (ev == redaction_events_.end()) {
        Problem("redaction record of " + Name(seq) + ": no signed redaction event has it");
      } else if (!record.ok()) {
        Problem("redaction record of " + Name(seq) + ": " + record.status().message());
      } else if (Status s = CheckRedactionEvent(ev->second, bytes, *record); !s.ok()) {
        Problem(s.message());
      } else if (st.ColumnBlob(2).size() != record->spans.size() * kSaltBytes) {
        Problem("redaction record of " + Name(seq) + ": salts are damaged");
      }
    }
    for (const auto& [seq, ev] : redaction_events_) {
      if (!seen.count(seq)) Problem(Name(seq) + ": its redaction record is missing");
    }
    return OkStatus();
  }

  Status CheckWitnesses() {
    ASSIGN_OR_RETURN(
        Stmt st, v_.db().Prepare("SELECT pseudonym, sealed, consent, created_seq FROM witnesses"));
    std::set<uint64_t> seen;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      const std::string pseudonym = st.ColumnText(0);
      const uint64_t seq = static_cast<uint64_t>(st.ColumnInt(3));
      seen.insert(seq);
      auto ev = witness_events_.find(seq);
      json consent = json::parse(st.ColumnText(2), nullptr, false);
      if (ev == witness_events_.end()) {
        Problem("witness " + pseudonym + ": no signed witness-add event records it");
      } else if (ev->second.details.value("pseudonym", "") != pseudonym ||
                 ev->second.details.value("sealed_sha256", "") !=
                     crypto::Sha256Hex(st.ColumnBlob(1)) ||
                 ev->second.details.value("consent", json()) != consent) {
        Problem("witness " + pseudonym +
                ": stored record differs from its signed witness-add event (" + Name(seq) + ")");
      }
    }
    for (const auto& [seq, ev] : witness_events_) {
      if (!seen.count(seq)) Problem(Name(seq) + ": its witness record is missing");
    }
    return OkStatus();
  }

  Vault& v_;
  std::vector<std::string>& problems_;
  std::set<Edge> want_edges_;
  std::map<uint64_t, Event> redaction_events_, witness_events_;
};

}  // namespace

Status CheckProvenanceTables(Vault& vault, const std::map<uint64_t, Event>& events,
                             std::vector<std::string>& problems) {
  return TableChecker(vault, problems).Run(events);
}

}  // namespace amanat::vault
