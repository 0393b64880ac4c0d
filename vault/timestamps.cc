#include "vault/timestamps.h"

#include <map>
#include <optional>

#include "crypto/checkpoint.h"
#include "crypto/encoding.h"
#include "crypto/note.h"
#include "crypto/sha256.h"
#include "vault/fs.h"
#include "vault/timeutil.h"

namespace amanat::vault {
namespace {

using nlohmann::json;

// The signed checkpoint note of size `size`, if this vault signed one.
Result<std::optional<std::string>> CheckpointNoteAt(Db& db, uint64_t size) {
  ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT note FROM checkpoints WHERE size = ?"));
  st.Bind(1, static_cast<int64_t>(size));
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(st.ColumnText(0));
}

constexpr char kSelectStored[] =
    "SELECT t.event_seq, t.checkpoint_size, c.note, t.response, t.tsr_sha256, t.gen_time, t.tsa, "
    "t.serial, t.policy, t.ca_pem, t.chain_pem FROM timestamps t "
    "LEFT JOIN checkpoints c ON c.size = t.checkpoint_size ORDER BY t.event_seq";

constexpr char kInsertStored[] =
    "INSERT INTO timestamps(event_seq, checkpoint_size, nonce, response, tsr_sha256, gen_time, "
    "tsa, serial, policy, ca_pem, chain_pem) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

StoredTimestamp ReadStored(const Stmt& st) {
  StoredTimestamp t;
  t.event_seq = static_cast<uint64_t>(st.ColumnInt(0));
  t.checkpoint_size = static_cast<uint64_t>(st.ColumnInt(1));
  t.checkpoint = st.ColumnIsNull(2) ? std::string() : st.ColumnText(2);
  ByteView r = st.ColumnBlob(3);
  t.response.assign(r.begin(), r.end());
  t.tsr_sha256 = st.ColumnText(4);
  t.gen_time = st.ColumnText(5);
  t.tsa = st.ColumnText(6);
  t.serial = st.ColumnText(7);
  t.policy = st.ColumnText(8);
  t.trust.ca_pem = st.ColumnText(9);
  t.trust.chain_pem = st.ColumnText(10);
  return t;
}

json EventDetails(const StoredTimestamp& t) {
  return {{"checkpoint_size", t.checkpoint_size},
          {"checkpoint_sha256", crypto::Sha256Hex(t.checkpoint)},
          {"tsa", t.tsa},
          {"gen_time", t.gen_time},
          {"serial", t.serial},
          {"policy", t.policy},
          {"tsr_sha256", t.tsr_sha256}};
}

// One stored token against its signed event; "" if they agree, else what is wrong.
std::string Compare(const StoredTimestamp& t, const json& details) {
  if (t.checkpoint.empty() || t.checkpoint_size > t.event_seq) {
    return "its timestamp covers checkpoint " + std::to_string(t.checkpoint_size) +
           ", which the vault did not sign before it";
  }
  if (crypto::Sha256Hex(t.response) != t.tsr_sha256 ||
      EventDetails(t) != details) {
    return "stored timestamp token differs from the signed event";
  }
  Digest imprint = crypto::Sha256Of(t.checkpoint);
  auto info = crypto::VerifyTimestampToken(t.response, imprint, t.trust);
  if (!info.ok()) return "stored timestamp token: " + info.status().message();
  if (info->gen_time != t.gen_time || info->serial != t.serial || info->tsa != t.tsa ||
      info->policy != t.policy) {
    return "stored timestamp token differs from the signed event";
  }
  return "";
}

}  // namespace

Result<PendingTimestamp> RequestTimestamp(Vault& vault) {
  Db& db = vault.db();
  // Under the write lock, so that no commit moves the checkpoint while the request is made.
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
  const std::string& latest_path = vault.paths().checkpoint_latest;
  RETURN_IF_ERROR(CheckExtendsLatest(vault.log(), latest_path, vault.LogVerifier()));
  ASSIGN_OR_RETURN(std::string latest, ReadSmallFile(latest_path, crypto::kMaxNoteSize));
  ASSIGN_OR_RETURN(crypto::Checkpoint cp, crypto::OpenCheckpoint(latest, vault.LogVerifier()));
  ASSIGN_OR_RETURN(std::optional<std::string> stored, CheckpointNoteAt(db, cp.size));
  ASSIGN_OR_RETURN(uint64_t log_size, vault.log().Size());
  if (!stored || *stored != latest || cp.size != log_size) {
    return VerifyFailed("checkpoints/latest is not the newest checkpoint in vault.db")
        .WithHint("run `amanat verify`");
  }
  ASSIGN_OR_RETURN(crypto::TimestampRequest req, crypto::MakeTimestampRequest(AsBytes(latest)));
  ASSIGN_OR_RETURN(Stmt ins, db.Prepare("INSERT INTO timestamp_requests(nonce, checkpoint_size, "
                                        "request, created_at) VALUES(?, ?, ?, ?)"));
  RETURN_IF_ERROR(ins.Bind(1, req.nonce)
                      .Bind(2, static_cast<int64_t>(cp.size))
                      .BindBlob(3, req.der)
                      .Bind(4, NowUtc())
                      .Run());
  RETURN_IF_ERROR(tx.Commit());
  return PendingTimestamp{req.nonce, cp.size, std::move(req.der)};
}

Result<StoredTimestamp> AddTimestamp(Vault& vault, ByteView response,
                                     const crypto::TimestampTrust& trust) {
  Db& db = vault.db();
  ASSIGN_OR_RETURN(crypto::TimestampInfo claimed, crypto::ParseTimestampResponse(response));
  StoredTimestamp t;
  ASSIGN_OR_RETURN(t.trust.ca_pem, crypto::CertificatesPem(trust.ca_pem, true));
  ASSIGN_OR_RETURN(t.trust.chain_pem, crypto::CertificatesPem(trust.chain_pem, false));

  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
  ASSIGN_OR_RETURN(Stmt pending, db.Prepare("SELECT checkpoint_size, request FROM "
                                            "timestamp_requests WHERE nonce = ?"));
  pending.Bind(1, claimed.nonce);
  ASSIGN_OR_RETURN(bool found, pending.Step());
  if (claimed.nonce.empty() || !found) {
    return VerifyFailed("the time-stamp response answers no pending request of this vault" +
                        (claimed.nonce.empty() ? std::string(" (it has no nonce)")
                                               : " (nonce " + claimed.nonce + ")"))
        .WithHint("send the TSA a request made by `amanat timestamp request` for this vault");
  }
  t.checkpoint_size = static_cast<uint64_t>(pending.ColumnInt(0));
  ByteView request_der = pending.ColumnBlob(1);
  ASSIGN_OR_RETURN(crypto::TimestampInfo info,
                   crypto::VerifyTimestampResponse(response, request_der, t.trust));
  pending.Reset();

  ASSIGN_OR_RETURN(std::optional<std::string> note, CheckpointNoteAt(db, t.checkpoint_size));
  if (!note || crypto::Sha256Of(*note) != info.imprint) {
    return VerifyFailed("the pending request for checkpoint " + std::to_string(t.checkpoint_size) +
                        " does not cover a checkpoint this vault signed");
  }
  ASSIGN_OR_RETURN(Stmt dup, db.Prepare("SELECT event_seq FROM timestamps WHERE nonce = ?"));
  dup.Bind(1, info.nonce);
  ASSIGN_OR_RETURN(bool seen, dup.Step());
  if (seen) {
    return InvalidInput("this request's time-stamp response was already added (custody event " +
                        std::to_string(dup.ColumnInt(0)) + ")");
  }

  t.checkpoint = std::move(*note);
  t.response.assign(response.begin(), response.end());
  t.tsr_sha256 = crypto::Sha256Hex(response);
  t.gen_time = info.gen_time;
  t.tsa = info.tsa;
  t.serial = info.serial;
  t.policy = info.policy;
  ASSIGN_OR_RETURN(t.event_seq, vault.Record("timestamp", {}, "", EventDetails(t)));
  ASSIGN_OR_RETURN(Stmt ins, db.Prepare(kInsertStored));
  RETURN_IF_ERROR(ins.Bind(1, static_cast<int64_t>(t.event_seq))
                      .Bind(2, static_cast<int64_t>(t.checkpoint_size))
                      .Bind(3, info.nonce)
                      .BindBlob(4, t.response)
                      .Bind(5, t.tsr_sha256)
                      .Bind(6, t.gen_time)
                      .Bind(7, t.tsa)
                      .Bind(8, t.serial)
                      .Bind(9, t.policy)
                      .Bind(10, t.trust.ca_pem)
                      .Bind(11, t.trust.chain_pem)
                      .Run());
  RETURN_IF_ERROR(vault.Commit(tx));
  return t;
}

Result<std::vector<StoredTimestamp>> ListTimestamps(Vault& vault) {
  ASSIGN_OR_RETURN(Stmt st, vault.db().Prepare(kSelectStored));
  std::vector<StoredTimestamp> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(ReadStored(st));
  }
  return out;
}

Status CheckStoredTimestamps(Vault& vault, const std::vector<std::pair<uint64_t, json>>& events,
                             const std::function<void(std::string)>& problem) {
  ASSIGN_OR_RETURN(std::vector<StoredTimestamp> stored, ListTimestamps(vault));
  std::map<uint64_t, const StoredTimestamp*> by_event;
  for (const auto& t : stored) by_event[t.event_seq] = &t;
  for (const auto& [seq, details] : events) {
    const std::string name = "custody event " + std::to_string(seq);
    auto it = by_event.find(seq);
    if (it == by_event.end()) {
      problem(name + ": its timestamp token is missing from the vault");
      continue;
    }
    std::string wrong = Compare(*it->second, details);
    if (!wrong.empty()) problem(name + ": " + wrong);
    by_event.erase(it);
  }
  for (const auto& [seq, t] : by_event) {
    problem("timestamps: a stored token names custody event " + std::to_string(seq) +
            ", which is not a timestamp event");
  }
  return OkStatus();
}

}  // namespace amanat::vault
