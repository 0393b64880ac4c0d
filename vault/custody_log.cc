#include "vault/custody_log.h"

#include <algorithm>

#include "crypto/checkpoint.h"
#include "crypto/encoding.h"
#include "crypto/sha256.h"

namespace amanat::vault {

Result<Digest> SqlMerkleReader::Get(uint32_t level, uint64_t index) const {
  if (!stmt_) {
    ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT hash FROM merkle_nodes WHERE level = ? AND idx = ?"));
    stmt_.emplace(std::move(st));
  }
  stmt_->Reset();
  stmt_->Bind(1, static_cast<int64_t>(level)).Bind(2, static_cast<int64_t>(index));
  ASSIGN_OR_RETURN(bool row, stmt_->Step());
  if (!row) {
    return NotFound("custody log: Merkle node " + std::to_string(level) + "/" +
                    std::to_string(index) + " is missing");
  }
  ByteView b = stmt_->ColumnBlob(0);
  if (b.size() != 32) return VerifyFailed("custody log: Merkle node has wrong length");
  Digest d;
  std::copy(b.begin(), b.end(), d.begin());
  stmt_->Reset();
  return d;
}

Result<uint64_t> CustodyLog::Size() {
  ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT coalesce(max(seq) + 1, 0) FROM events"));
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return IoError("custody log: cannot read its size");
  return static_cast<uint64_t>(st.ColumnInt(0));
}

Result<Bytes> CustodyLog::Entry(uint64_t seq) {
  ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT entry FROM events WHERE seq = ?"));
  st.Bind(1, static_cast<int64_t>(seq));
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return NotFound("custody event " + std::to_string(seq) + " does not exist");
  ByteView b = st.ColumnBlob(0);
  return Bytes(b.begin(), b.end());
}

Result<std::vector<uint64_t>> CustodyLog::EventsAbout(const std::string& item_id) {
  ASSIGN_OR_RETURN(Stmt st,
                   db_->Prepare("SELECT seq FROM event_subjects WHERE item_id = ? ORDER BY seq"));
  st.Bind(1, item_id);
  std::vector<uint64_t> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(static_cast<uint64_t>(st.ColumnInt(0)));
  }
  return out;
}

Result<Stmt*> CustodyLog::Cached(std::optional<Stmt>& slot, const char* sql) {
  if (!slot) {
    ASSIGN_OR_RETURN(Stmt st, db_->Prepare(sql));
    slot.emplace(std::move(st));
  }
  slot->Reset();
  return &*slot;
}

Result<uint64_t> CustodyLog::Append(Event event,
                                    const std::vector<const crypto::Ed25519KeyPair*>& signers) {
  {
    ASSIGN_OR_RETURN(Stmt* tail,
                     Cached(tail_, "SELECT seq, entry FROM events ORDER BY seq DESC LIMIT 1"));
    ASSIGN_OR_RETURN(bool row, tail->Step());
    event.sequence = row ? static_cast<uint64_t>(tail->ColumnInt(0)) + 1 : 0;
    event.previous = row ? crypto::Sha256Hex(tail->ColumnBlob(1)) : kNoPrevious;
    tail->Reset();
  }
  std::vector<PendingSignature> made;
  Bytes entry = SignEntry(event, signers, &made);
  for (auto& s : made) checker_->Add(std::move(s));
  if (entry.size() > kMaxEntryBytes) return InvalidInput("custody event is larger than 1 MiB");

  ASSIGN_OR_RETURN(Stmt* insp, Cached(insert_event_,
                                      "INSERT INTO events(seq, entry, action, time, actor) "
                                      "VALUES(?, ?, ?, ?, ?)"));
  Stmt& ins = *insp;
  ins.Bind(1, static_cast<int64_t>(event.sequence))
      .BindBlob(2, entry)
      .Bind(3, event.action)
      .Bind(4, event.time)
      .Bind(5, event.actor);
  RETURN_IF_ERROR(ins.Run());
  if (!event.subjects.empty()) {
    ASSIGN_OR_RETURN(Stmt* subp, Cached(insert_subject_,
                                        "INSERT OR IGNORE INTO event_subjects(item_id, seq) "
                                        "VALUES(?, ?)"));
    Stmt& sub = *subp;
    for (const auto& s : event.subjects) {
      RETURN_IF_ERROR(sub.Bind(1, s).Bind(2, static_cast<int64_t>(event.sequence)).Run());
      sub.Reset();
    }
  }
  ASSIGN_OR_RETURN(auto nodes, crypto::NodesCompletedByAppend(reader_, event.sequence,
                                                              crypto::LeafHash(entry)));
  ASSIGN_OR_RETURN(Stmt* nodep,
                   Cached(insert_node_, "INSERT INTO merkle_nodes(level, idx, hash) VALUES(?, ?, ?)"));
  Stmt& node = *nodep;
  for (const auto& n : nodes) {
    RETURN_IF_ERROR(node.Bind(1, static_cast<int64_t>(n.level))
                        .Bind(2, static_cast<int64_t>(n.index))
                        .BindBlob(3, n.hash)
                        .Run());
    node.Reset();
  }
  return event.sequence;
}

Status CustodyLog::CheckPendingSignatures() {
  if (!checker_->AllGood()) {
    return IoError("a custody signature failed its check right after signing (hardware fault?); "
                   "nothing was committed");
  }
  return OkStatus();
}

Result<std::string> CustodyLog::MakeCheckpoint(const crypto::NoteSigner& log_signer) {
  ASSIGN_OR_RETURN(uint64_t size, Size());
  ASSIGN_OR_RETURN(Digest root, Root(size));
  crypto::Checkpoint cp{log_signer.name(), size, root, {}};
  ASSIGN_OR_RETURN(std::string note, crypto::SignCheckpoint(cp, log_signer));
  ASSIGN_OR_RETURN(Stmt have, db_->Prepare("SELECT note FROM checkpoints WHERE size = ?"));
  have.Bind(1, static_cast<int64_t>(size));
  ASSIGN_OR_RETURN(bool exists, have.Step());
  if (exists) return have.ColumnText(0);  // nothing new since: the stored one stands
  ASSIGN_OR_RETURN(Stmt st, db_->Prepare("INSERT INTO checkpoints(size, note) VALUES(?, ?)"));
  RETURN_IF_ERROR(st.Bind(1, static_cast<int64_t>(size)).Bind(2, note).Run());
  return note;
}

Result<std::optional<std::string>> CustodyLog::LatestStoredCheckpoint() {
  ASSIGN_OR_RETURN(Stmt st, db_->Prepare("SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1"));
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(st.ColumnText(0));
}

}  // namespace amanat::vault
