// The verification report for a court (docs/legal-guide.md, "The HTML report"): a plain model
// of what was verified and what was found, filled either from an open vault
// (vault/report_vault.h, for `amanat report`) or from a bundle's verification result
// (vault/report_bundle.h, for `verify-bundle --report`), and rendered to one self-contained
// HTML file by vault/report_html.h.
//
// Every string in the model is untrusted text (titles, places, names, purposes come from
// whoever made the records); the renderer escapes all of it.
#ifndef AMANAT_VAULT_REPORT_H_
#define AMANAT_VAULT_REPORT_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "vault/event.h"
#include "vault/key_history.h"

namespace amanat::vault {

struct ReportItem {
  std::string id;          // the SHA-256 recorded at collection (the signed item ID)
  std::string sha256_now;  // the SHA-256 of the bytes as read for this report; "" if unread
  bool match = false;      // sha256_now == id, and nothing else is wrong with the item
  std::string problem;     // the first problem found about this item, or ""
  uint64_t size = 0;
  std::string kind, media_type, filename, title;
  // Collection context, from the first signed record of the item (ingest or import).
  std::string recorded_at;                                   // time of that event (UTC)
  std::string record_event;                                  // e.g. "custody event 3 (ingest)"
  std::string captured_at, place, collector, witness, tool;  // tool: "amanat 0.1.0"
};

// An item as its signed record describes it: ID, size, kind, media type, and the file name,
// title and collection context from its metadata (missing or non-string fields are "").
ReportItem DescribedItem(const std::string& id, uint64_t size, const std::string& kind,
                         const std::string& media_type, const nlohmann::json& metadata);

struct ReportEvent {
  std::string log;  // the log (origin) it belongs to; "" for the vault's or bundle's own
  uint64_t sequence = 0;
  std::string time, action, custodian, key_id, purpose;
  std::vector<std::string> subjects;
  std::string signers;  // who signed it: "alice (key 3f9a0c12a1b2c3d4)"
  bool signature_ok = false;
  std::string signature;  // "verified", or why not
};

struct ReportEdge {
  std::string parent, child, relation;
  std::string event;  // e.g. "custody event 7"
};

struct ReportRedaction {
  std::string original, redacted;
  std::string event;   // the derive event that commits to the record
  std::string detail;  // e.g. "3 spans removed; record kept in the vault"
};

// One trusted timestamp (RFC 3161) over a checkpoint.
struct ReportTimestamp {
  uint64_t checkpoint_size = 0;
  std::string gen_time, tsa, serial, policy, tsr_sha256;
  bool ok = false;
  std::string detail;  // "verified", or why not
};

struct ReportKey {
  std::string kind;         // "log" or "custodian"
  std::string name;         // log origin, or custodian name
  std::string fingerprint;  // log: "name+hex8"; custodian: 16-hex custody key ID
  std::string vkey;         // verifier key text, if known
  std::string used_for;
  std::string trust;  // "", "trusted" or "NOT TRUSTED" (bundle mode with --trust)
};

struct ReportModel {
  std::string mode;  // "vault" or "bundle"
  std::string case_id;
  std::string generated_at;  // UTC
  std::string tool;          // "amanat 0.1.0"
  // Identifiers of what was examined, in order: (label, value), e.g. ("Bundle SHA-256", …).
  std::vector<std::pair<std::string, std::string>> identifiers;
  std::vector<ReportItem> items;
  std::vector<ReportEvent> timeline;
  std::vector<ReportEdge> provenance;
  std::vector<ReportRedaction> redactions;
  std::vector<ReportTimestamp> timestamps;
  std::vector<ReportKey> keys;
  std::vector<std::string> checked;    // what was checked, one line each
  std::vector<std::string> anomalies;  // every problem found, one line each
  std::vector<std::string> repeat;     // how an examiner repeats the verification, step by step
  bool verified() const { return anomalies.empty(); }
};

// Signature results of log entries: replays the key history (vault/key_history.h) over the
// entries of one log, given in order (a subset must hold every key-history event), and checks
// each entry's signatures against the keys the history says must have signed it.
struct SignatureCheck {
  bool ok = false;
  std::string signers;  // "alice (key 3f9a0c12a1b2c3d4)", comma-separated if several
  std::string detail;   // "verified", or why not
};
class SignatureReplay {
 public:
  SignatureCheck Next(const ParsedEntry& entry);
  const KeyHistory& history() const { return history_; }

 private:
  KeyHistory history_;
};
// Every entry's result, by sequence number.
std::map<uint64_t, SignatureCheck> CheckLogSignatures(
    const std::vector<const ParsedEntry*>& entries);

// The timeline row of a parsed event in log `log`, with its signature result.
ReportEvent ReportEventOf(const std::string& log, const Event& ev,
                          const std::map<uint64_t, SignatureCheck>& sigs);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_REPORT_H_
