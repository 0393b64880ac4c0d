#include "vault/received.h"

#include <algorithm>
#include <map>

#include "crypto/checkpoint.h"
#include "crypto/encoding.h"
#include "vault/key_history.h"

namespace amanat::vault {
namespace {

// One log at one checkpoint, gathered from every stored section of it.
struct Group {
  SectionParts parts;
  std::map<uint64_t, Bytes> entries;
  std::map<uint64_t, std::vector<Digest>> inclusion;
  std::map<uint64_t, std::vector<Digest>> consistency;
  bool about_items = false;  // or holds one of the extra entries asked for
};

bool Names(const Event& ev, const std::set<std::string>& ids) {
  return std::any_of(ev.subjects.begin(), ev.subjects.end(),
                     [&](const std::string& s) { return ids.count(s) > 0; });
}

Status AddStoredSection(Vault& vault, int64_t section_id, const std::string& origin,
                        const std::string& log_key, const std::string& note,
                        const std::string& proofs_text, const std::set<std::string>& ids,
                        const std::set<ReceivedEventKey>& extra,
                        std::map<std::string, Group>* groups, std::vector<std::string>* order) {
  const std::string what = "received record of " + origin;
  auto verifier = crypto::ParseVerifierKey(log_key);
  if (!verifier.ok()) return VerifyFailed(what + ": its log key is damaged (run amanat verify)");
  auto cp = crypto::OpenCheckpoint(note, *verifier);
  if (!cp.ok()) return VerifyFailed(what + ": " + cp.status().message());
  auto proofs = BundleProofs::Parse(proofs_text, what);
  if (!proofs.ok()) return VerifyFailed(proofs.status().message());
  const std::string key = origin + "\n" + std::to_string(cp->size) + "\n" + crypto::Base64Encode(cp->root);
  auto [it, fresh] = groups->try_emplace(key);
  Group& g = it->second;
  if (fresh) {
    order->push_back(key);
    g.parts.origin = origin;
    g.parts.log_key = log_key;
    g.parts.checkpoint_note = note;
    g.parts.checkpoint_root = cp->root;
    g.parts.proofs.tree_size = cp->size;
  }
  std::map<uint64_t, const std::vector<Digest>*> paths;
  for (const auto& p : proofs->inclusion) paths[p.sequence] = &p.path;
  for (const auto& p : proofs->consistency) g.consistency[p.from_size] = p.path;

  ASSIGN_OR_RETURN(Stmt st, vault.db().Prepare(
                                "SELECT seq, entry FROM received_events WHERE section_id = ? ORDER BY seq"));
  st.Bind(1, section_id);
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    const uint64_t seq = static_cast<uint64_t>(st.ColumnInt(0));
    ByteView entry = st.ColumnBlob(1);
    auto pe = ParseEntry(entry);
    if (!pe.ok()) return VerifyFailed(what + ": entry " + std::to_string(seq) + ": " + pe.status().message());
    const Event& ev = pe->event;
    const bool about = Names(ev, ids) || extra.count({origin, seq}) > 0;
    const bool closing = ev.action == "export" && seq + 1 == cp->size;
    if (!about && !closing && !IsKeyHistoryAction(ev.action)) continue;
    auto path = paths.find(seq);
    if (path == paths.end()) return VerifyFailed(what + ": no proof for entry " + std::to_string(seq));
    g.about_items = g.about_items || about;
    g.entries.emplace(seq, Bytes(entry.begin(), entry.end()));
    g.inclusion.emplace(seq, *path->second);
  }
  return OkStatus();
}

}  // namespace

Result<bool> BundleAlreadyReceived(Vault& vault, const std::string& manifest_sha256) {
  ASSIGN_OR_RETURN(Stmt st, vault.db().Prepare("SELECT 1 FROM received_bundles WHERE manifest_sha256 = ?"));
  st.Bind(1, manifest_sha256);
  return st.Step();
}

Status StoreReceivedBundle(Vault& vault, const BundleReport& report, uint64_t import_seq) {
  Db& db = vault.db();
  const Manifest& m = report.manifest;
  ASSIGN_OR_RETURN(Stmt b, db.Prepare("INSERT INTO received_bundles(manifest_sha256, import_seq, "
                                      "manifest, signature) VALUES(?, ?, ?, ?)"));
  RETURN_IF_ERROR(b.Bind(1, report.manifest_sha256)
                      .Bind(2, static_cast<int64_t>(import_seq))
                      .BindBlob(3, AsBytes(report.manifest_bytes))
                      .Bind(4, report.manifest_signature)
                      .Run());
  ASSIGN_OR_RETURN(Stmt sec, db.Prepare("INSERT INTO received_sections(manifest_sha256, origin, "
                                        "log_key, checkpoint, proofs) VALUES(?, ?, ?, ?, ?)"));
  ASSIGN_OR_RETURN(Stmt ev, db.Prepare("INSERT INTO received_events(section_id, seq, entry) "
                                       "VALUES(?, ?, ?)"));
  for (size_t i = 0; i < report.sections.size(); ++i) {
    const SectionResult& s = report.sections[i];
    const std::string& log_key = i == 0 ? m.log_key : m.received[i - 1].log_key;
    sec.Reset();
    RETURN_IF_ERROR(sec.Bind(1, report.manifest_sha256)
                        .Bind(2, s.origin)
                        .Bind(3, log_key)
                        .Bind(4, s.checkpoint_note)
                        .BindBlob(5, AsBytes(s.proofs_text))
                        .Run());
    const int64_t section_id = db.LastInsertRowid();
    for (size_t j = 0; j < s.entries.size(); ++j) {
      if (!s.parsed[j]) return InvalidInput("import: an entry did not parse (the bundle was not verified)");
      ev.Reset();
      RETURN_IF_ERROR(ev.Bind(1, section_id)
                          .Bind(2, static_cast<int64_t>(s.parsed[j]->event.sequence))
                          .BindBlob(3, s.entries[j])
                          .Run());
    }
  }
  return OkStatus();
}

Result<std::vector<SectionParts>> ReceivedSectionsFor(Vault& vault, const std::vector<std::string>& ids,
                                                      const std::set<uint64_t>& own_events,
                                                      const std::set<ReceivedEventKey>& extra) {
  const std::set<std::string> wanted(ids.begin(), ids.end());
  std::map<std::string, Group> groups;
  std::vector<std::string> order;
  ASSIGN_OR_RETURN(Stmt st, vault.db().Prepare(
                                "SELECT b.import_seq, s.id, s.origin, s.log_key, s.checkpoint, s.proofs "
                                "FROM received_sections s JOIN received_bundles b "
                                "ON b.manifest_sha256 = s.manifest_sha256 ORDER BY s.id"));
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    if (!own_events.count(static_cast<uint64_t>(st.ColumnInt(0)))) continue;
    ByteView proofs = st.ColumnBlob(5);
    RETURN_IF_ERROR(AddStoredSection(vault, st.ColumnInt(1), st.ColumnText(2), st.ColumnText(3),
                                     st.ColumnText(4), std::string(AsChars(proofs)), wanted, extra,
                                     &groups, &order));
  }
  std::vector<SectionParts> out;
  for (const auto& key : order) {
    Group& g = groups.at(key);
    if (!g.about_items) continue;
    g.parts.received_index = out.size() + 1;
    for (auto& [seq, entry] : g.entries) {
      g.parts.entries.emplace_back(seq, std::move(entry));
      g.parts.proofs.inclusion.push_back({seq, g.inclusion.at(seq)});
    }
    for (auto& [from, path] : g.consistency) g.parts.proofs.consistency.push_back({from, path});
    out.push_back(std::move(g.parts));
  }
  return out;
}

}  // namespace amanat::vault
