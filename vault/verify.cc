#include "vault/verify.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <unordered_set>
#include <atomic>
#include <thread>

#include "crypto/checkpoint.h"
#include "crypto/encoding.h"
#include "crypto/merkle.h"
#include "crypto/sha256.h"
#include "vault/fs.h"
#include "vault/items.h"
#include "vault/parallel.h"
#include "vault/provenance.h"
#include "vault/timestamps.h"

namespace amanat::vault {
namespace {

using nlohmann::json;

struct CustodianState {
  std::string role;
  crypto::Ed25519PublicKey key{};
  std::string key_id;
  bool active = true;
  std::set<std::string> grants;
};

std::string EventName(uint64_t seq) { return "custody event " + std::to_string(seq); }

// What an ingest event, or an import event's entry for `id`, says about an item.
const json& RecordOf(const Event& ev, const std::string& id) {
  static const json kNone = json::object();
  if (ev.action != "import") return ev.details;
  const json& items = ev.details.contains("items") ? ev.details["items"] : kNone;
  if (items.is_array()) {
    for (const auto& r : items) {
      if (r.is_object() && r.contains("id") && r["id"] == id) return r;
    }
  }
  return kNone;
}

Result<crypto::Ed25519PublicKey> KeyFromDetails(const json& c) {
  if (!c.is_object() || !c.contains("public_key") || !c["public_key"].is_string()) {
    return InvalidInput("no public key");
  }
  return crypto::Base64DecodeFixed<32>(c["public_key"].get<std::string>());
}

std::string StrField(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A public key and its custody key ID.
struct KeyRef {
  const crypto::Ed25519PublicKey& key;
  const std::string& id;
};

// A key that must have signed an event, and the signature to check with it.
struct SigCheck {
  size_t entry;
  size_t sig_index;
  crypto::Ed25519PublicKey key;
};

class Verifier {
 public:
  Verifier(Vault& v, const VerifyOptions& o) : v_(v), o_(o) {}

  Result<VerifyReport> Run() {
    // Reading every page of the database (SQLCipher checks each page's HMAC) costs as much as
    // re-hashing the content, so it belongs to --full.
    if (o_.full) RETURN_IF_ERROR(CheckDatabaseIntegrity());
    RETURN_IF_ERROR(LoadAndParse());
    Replay();
    // Signatures are most of the work: they are checked on every other core while this
    // thread does the rest (which alone touches the database and the problem list), then on
    // this one too.
    Status rest = OkStatus();
    CheckSignaturesBeside([&] {
      CheckTree();
      rest = CheckStoredNodes();
      if (rest.ok()) rest = CheckCheckpoints();
      if (rest.ok()) rest = CheckItems();
      if (rest.ok()) rest = CheckCustodians();
      if (rest.ok()) rest = CheckProvenanceTables(v_, report_.problems);
      if (rest.ok()) {
        rest = CheckStoredTimestamps(v_, timestamp_events_,
                                     [&](std::string p) { Problem(std::move(p)); });
      }
    });
    RETURN_IF_ERROR(rest);
    ReportSignatures();
    SortProblems();
    report_.events = entries_.size();
    report_.root_b64 = crypto::Base64Encode(root_);
    return std::move(report_);
  }

 private:
  void Problem(std::string p) {
    for (char& c : p) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    report_.problems.push_back(std::move(p));
  }

  // Problems about events in event order (the first tampered event heads the list), then
  // the rest in the order found.
  void SortProblems() {
    auto key = [](const std::string& p) -> uint64_t {
      const std::string prefix = "custody event ";
      if (p.rfind(prefix, 0) != 0) return UINT64_MAX;
      return std::strtoull(p.c_str() + prefix.size(), nullptr, 10);
    };
    std::stable_sort(report_.problems.begin(), report_.problems.end(),
                     [&](const std::string& a, const std::string& b) { return key(a) < key(b); });
  }

  Status CheckDatabaseIntegrity() {
    ASSIGN_OR_RETURN(Stmt st, v_.db().Prepare("PRAGMA integrity_check"));
    for (;;) {
      auto row = st.Step();
      if (!row.ok()) {
        Problem("vault.db: " + row.status().message());
        return OkStatus();
      }
      if (!*row) break;
      std::string line = st.ColumnText(0);
      if (line != "ok") Problem("vault.db: integrity check: " + line);
    }
    return OkStatus();
  }

  // Reads the entries on this thread while the other cores parse and hash the ones already
  // read: parsing, the entry hash (for the chain) and the leaf hash (for the tree) depend on
  // no other entry.
  Status LoadAndParse() {
    // Sized first, so that no vector moves under the parsing threads.
    ASSIGN_OR_RETURN(Stmt count, v_.db().Prepare("SELECT count(*) FROM events"));
    ASSIGN_OR_RETURN(bool has_count, count.Step());
    const size_t n = has_count ? static_cast<size_t>(count.ColumnInt(0)) : 0;
    entries_.resize(n);
    listed_actions_.resize(n);
    parsed_.assign(n, Result<ParsedEntry>(IoError("not parsed")));
    entry_hashes_.resize(n);
    leaf_hashes_.resize(n);

    std::atomic<size_t> loaded{0};
    std::atomic<bool> done{false};
    Status read = OkStatus();
    ParallelForBeside(n, [&](size_t i) {
      while (loaded.load(std::memory_order_acquire) <= i) {
        if (done.load(std::memory_order_acquire) && loaded.load(std::memory_order_acquire) <= i) {
          return;  // the read stopped early
        }
        std::this_thread::yield();
      }
      parsed_[i] = ParseEntry(entries_[i]);
      entry_hashes_[i] = crypto::HexEncode(crypto::Sha256Of(entries_[i]));
      leaf_hashes_[i] = crypto::LeafHash(entries_[i]);
    }, [&] {
      read = ReadEntries(n, loaded);
      done.store(true, std::memory_order_release);
    });
    RETURN_IF_ERROR(read);
    if (n == 0) Problem("custody log: empty (no init event)");
    return OkStatus();
  }

  Status ReadEntries(size_t n, std::atomic<size_t>& loaded) {
    ASSIGN_OR_RETURN(Stmt st, v_.db().Prepare("SELECT seq, entry, action FROM events ORDER BY seq"));
    for (size_t k = 0;; ++k) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) {
        if (k != n) return IoError("the custody log changed while it was read; run verify again");
        return OkStatus();
      }
      if (k == n) return IoError("the custody log changed while it was read; run verify again");
      const uint64_t seq = static_cast<uint64_t>(st.ColumnInt(0));
      if (seq != k) {
        Problem(EventName(k) + ": missing (the log jumps to event " + std::to_string(seq) + ")");
        // Keep positions honest: the stored sequence numbers no longer index the tree.
      }
      ByteView b = st.ColumnBlob(1);
      entries_[k].assign(b.begin(), b.end());
      listed_actions_[k] = st.ColumnText(2);
      loaded.store(k + 1, std::memory_order_release);
    }
  }

  // Walks the log in order: sequence numbers, hash chain, and who was allowed to sign what.
  void Replay() {
    std::string previous = kNoPrevious;
    for (size_t i = 0; i < entries_.size(); ++i) {
      auto name = [i] { return EventName(i); };
      const std::string& this_hash = entry_hashes_[i];
      if (!parsed_[i].ok()) {
        Problem(name() + ": " + parsed_[i].status().message());
        previous = this_hash;
        continue;
      }
      const ParsedEntry& pe = *parsed_[i];
      const Event& ev = pe.event;
      if (ev.sequence != i) {
        Problem(name() + ": says it is event " + std::to_string(ev.sequence) + " (reordered?)");
      }
      if (ev.previous != previous) {
        Problem(name() + ": hash chain broken (previous entry hash does not match)");
      }
      if (ev.vault != v_.origin()) Problem(name() + ": belongs to another log (" + ev.vault + ")");
      if (ev.action != listed_actions_[i]) Problem(name() + ": index says '" + listed_actions_[i] + "' but the signed entry says '" + ev.action + "'");
      previous = this_hash;
      ReplayKeys(i, pe);
      if (ev.action == "ingest" || ev.action == "derive" || ev.action == "import") {
        for (const auto& s : ev.subjects) first_ingest_.emplace(s, i);  // keeps the first
      }
      for (const auto& s : ev.subjects) subjects_.emplace_back(s, i);
      if (ev.action == "timestamp") timestamp_events_.emplace_back(i, ev.details);
    }
  }

  void ReplayKeys(size_t i, const ParsedEntry& pe) {
    const Event& ev = pe.event;
    auto name = [i] { return EventName(i); };
    if (i == 0) {
      if (ev.action != "init") {
        Problem(name() + ": the log does not start with init");
        return;
      }
      const json& c = ev.details.value("custodian", json());
      auto key = KeyFromDetails(c);
      if (!key.ok() || StrField(c, "name") != ev.actor || StrField(c, "role") != "admin" ||
          ev.actor_key_id != KeyId(*key)) {
        Problem(name() + ": init names no valid first custodian");
        return;
      }
      std::set<std::string> grants;  // the first custodian holds the identity key from init
      for (const auto& g : ev.details.value("grants", json::array())) {
        if (g.is_string()) grants.insert(g.get<std::string>());
      }
      custodians_[ev.actor] = CustodianState{"admin", *key, KeyId(*key), true, grants};
      log_key_text_ = StrField(ev.details, "log_key");
      ExpectSignatures(i, pe, {{*key, KeyId(*key)}});
      return;
    }
    if (ev.action == "init") {
      Problem(name() + ": a second init event");
      return;
    }
    auto it = custodians_.find(ev.actor);
    if (it == custodians_.end()) {
      Problem(name() + ": signed as unknown custodian '" + ev.actor + "'");
      return;
    }
    CustodianState& actor = it->second;
    if (!actor.active) {
      Problem(name() + ": signed by revoked custodian " + ev.actor + " (key " +
              actor.key_id.substr(0, 8) + ")");
      return;
    }
    if (ev.actor_key_id != actor.key_id) {
      Problem(name() + ": signed with key " + ev.actor_key_id.substr(0, 8) + ", but " + ev.actor +
              "'s key at that point is " + actor.key_id.substr(0, 8));
      return;
    }
    const bool admin = actor.role == "admin";
    if (ev.action == "custodian-rotate") {
      auto key = KeyFromDetails(ev.details);
      if (!key.ok() || StrField(ev.details, "custodian") != ev.actor ||
          StrField(ev.details, "old_key_id") != actor.key_id ||
          StrField(ev.details, "key_id") != KeyId(*key)) {
        Problem(name() + ": invalid key rotation");
        return;
      }
      ExpectSignatures(i, pe, {{actor.key, actor.key_id}, {*key, KeyId(*key)}});
      actor.key = *key;
      actor.key_id = KeyId(*key);
      return;
    }
    ExpectSignatures(i, pe, {{actor.key, actor.key_id}});
    if (ev.action == "custodian-add") {
      const json& c = ev.details.value("custodian", json());
      auto key = KeyFromDetails(c);
      std::string who = StrField(c, "name"), role = StrField(c, "role");
      if (!admin) {
        Problem(name() + ": custodian added by non-admin " + ev.actor);
        return;
      }
      if (!key.ok() || who.empty() || custodians_.count(who) != 0 ||
          (role != "admin" && role != "collector" && role != "reviewer")) {
        Problem(name() + ": invalid custodian-add");
        return;
      }
      custodians_[who] = CustodianState{role, *key, KeyId(*key), true, {}};
    } else if (ev.action == "custodian-revoke") {
      std::string who = StrField(ev.details, "custodian");
      auto target = custodians_.find(who);
      if (!admin) {
        Problem(name() + ": custodian revoked by non-admin " + ev.actor);
        return;
      }
      if (target == custodians_.end() || !target->second.active) {
        Problem(name() + ": revokes unknown or already revoked custodian '" + who + "'");
        return;
      }
      target->second.active = false;
    } else if (ev.action == "custodian-grant" || ev.action == "custodian-revoke-grant") {
      std::string who = StrField(ev.details, "custodian"), grant = StrField(ev.details, "grant");
      auto target = custodians_.find(who);
      if (!admin) {
        Problem(name() + ": grant changed by non-admin " + ev.actor);
        return;
      }
      if (target == custodians_.end()) {
        Problem(name() + ": grant for unknown custodian '" + who + "'");
        return;
      }
      if (ev.action == "custodian-grant") {
        target->second.grants.insert(grant);
      } else {
        target->second.grants.erase(grant);
      }
    }
  }

  // The entry must carry exactly these keys' signatures, in this order.
  void ExpectSignatures(size_t i, const ParsedEntry& pe, std::initializer_list<KeyRef> keys) {
    if (pe.signatures.size() != keys.size()) {
      Problem(EventName(i) + ": has " + std::to_string(pe.signatures.size()) +
              " signatures, expected " + std::to_string(keys.size()));
      return;
    }
    size_t k = 0;
    for (const KeyRef& key : keys) {
      if (pe.signatures[k].key_id != key.id) {
        Problem(EventName(i) + ": signed by key " + pe.signatures[k].key_id.substr(0, 8) +
                ", expected " + key.id.substr(0, 8));
      } else {
        checks_.push_back({i, k, key.key});
      }
      ++k;
    }
  }

  template <typename Own>
  void CheckSignaturesBeside(Own own) {
    good_.assign(checks_.size(), 0);
    ParallelForBeside(checks_.size(), [&](size_t c) {
      const SigCheck& sc = checks_[c];
      const ParsedEntry& pe = *parsed_[sc.entry];
      good_[c] = VerifyEntrySignature(pe, pe.signatures[sc.sig_index], sc.key);
    }, own);
  }

  void ReportSignatures() {
    for (size_t c = 0; c < checks_.size(); ++c) {
      if (!good_[c]) {
        Problem(EventName(checks_[c].entry) + ": signature does not verify (key " +
                KeyId(checks_[c].key).substr(0, 8) + ")");
      }
    }
  }

  void CheckTree() {
    for (const auto& h : leaf_hashes_) (void)tree_.AppendLeafHash(h);
    root_ = crypto::RootAt(tree_, tree_.size()).value();
  }

  // The stored perfect-subtree hashes must be exactly those of the entries: proofs handed
  // out from them must be right.
  Status CheckStoredNodes() {
    ASSIGN_OR_RETURN(Stmt st, v_.db().Prepare("SELECT level, idx, hash FROM merkle_nodes"));
    uint64_t rows = 0, bad = 0;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      ++rows;
      auto want = tree_.Get(static_cast<uint32_t>(st.ColumnInt(0)), static_cast<uint64_t>(st.ColumnInt(1)));
      ByteView got = st.ColumnBlob(2);
      if (!want.ok() || got.size() != 32 || !std::equal(got.begin(), got.end(), want->begin())) ++bad;
    }
    uint64_t expected = 0;
    for (uint64_t n = tree_.size(); n > 0; n >>= 1) expected += n;
    if (bad > 0 || rows != expected) {
      Problem("custody log: stored Merkle tree does not match the entries (" + std::to_string(bad) +
              " wrong, " + std::to_string(rows) + " stored, " + std::to_string(expected) +
              " expected)");
    }
    return OkStatus();
  }

  // The log must extend every checkpoint it ever signed and every one given with --against.
  void CheckOneCheckpoint(const std::string& label, const std::string& note,
                          const crypto::NoteVerifier& verifier) {
    ++report_.checkpoints;
    auto cp = crypto::OpenCheckpoint(note, verifier);
    if (!cp.ok()) {
      Problem(label + ": " + cp.status().message());
      return;
    }
    if (cp->size > tree_.size()) {
      Problem(label + ": rollback: signed at " + std::to_string(cp->size) +
              " events, the log now has " + std::to_string(tree_.size()));
      return;
    }
    auto root = crypto::RootAt(tree_, cp->size);
    if (!root.ok() || *root != cp->root) {
      Problem(label + ": the log does not extend this checkpoint (size " +
              std::to_string(cp->size) + "): history was rewritten");
    }
  }

  Status CheckCheckpoints() {
    crypto::NoteVerifier derived = v_.LogVerifier();
    if (!log_key_text_.empty() && log_key_text_ != crypto::FormatVerifierKey(derived)) {
      Problem("custody event 0: names a log key that is not this vault's");
    }
    if (v_.keyslots().log_verifier_key != crypto::FormatVerifierKey(derived)) {
      Problem("keyslots.json: log_key is not this vault's log key");
    }
    const std::string& latest = v_.paths().checkpoint_latest;
    if (PathExists(latest)) {
      ASSIGN_OR_RETURN(std::string note, ReadSmallFile(latest, crypto::kMaxNoteSize));
      CheckOneCheckpoint("checkpoints/latest", note, derived);
    } else {
      Problem("checkpoints/latest: missing");
    }
    ASSIGN_OR_RETURN(Stmt st, v_.db().Prepare("SELECT size, note FROM checkpoints ORDER BY size"));
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      CheckOneCheckpoint("stored checkpoint " + std::to_string(st.ColumnInt(0)), st.ColumnText(1),
                         derived);
    }
    for (const auto& [label, note] : o_.against) CheckOneCheckpoint(label, note, derived);
    return OkStatus();
  }

  Status CheckItems() {
    ASSIGN_OR_RETURN(auto items, ListItems(v_, ""));
    report_.items = items.size();
    std::unordered_set<std::string> present;
    for (const auto& item : items) {
      present.insert(item.id);
      auto ingest = first_ingest_.find(item.id);
      if (ingest == first_ingest_.end()) {
        Problem("item " + item.id + ": has no ingest or import event");
      } else {
        // The stored record must say what the signed ingest event says (for an item that came
        // in a bundle: the import event's record of it).
        const json& d = RecordOf(parsed_[ingest->second]->event, item.id);
        json meta = d.value("metadata", json::object());
        if (d.value("size", uint64_t{0}) != item.size || d.value("media_type", "") != item.media_type ||
            meta.value("kind", "") != item.kind || meta != item.metadata) {
          Problem("item " + item.id + ": stored record differs from its signed ingest event (" +
                  EventName(ingest->second) + ")");
        }
      }
      if (o_.full) {
        Status s = ExtractItem(v_, item, [](ByteView) { return OkStatus(); }, nullptr);
        ++report_.items_rehashed;
        if (!s.ok()) Problem(s.message());
      }
    }
    for (const auto& [id, seq] : subjects_) {
      if (!present.count(id)) Problem(EventName(seq) + ": names item " + id + ", which is not in the vault");
    }
    // The subject index (used by `log --item`) must list exactly the signed subjects.
    std::vector<std::pair<std::string, uint64_t>> got;
    got.reserve(subjects_.size());
    ASSIGN_OR_RETURN(Stmt st, v_.db().Prepare("SELECT item_id, seq FROM event_subjects"));
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      got.emplace_back(st.ColumnText(0), static_cast<uint64_t>(st.ColumnInt(1)));
    }
    std::sort(got.begin(), got.end());
    std::vector<std::pair<std::string, uint64_t>> want = subjects_;
    std::sort(want.begin(), want.end());
    want.erase(std::unique(want.begin(), want.end()), want.end());
    if (got != want) {
      Problem("custody log: the subject index differs from the signed events (" +
              std::to_string(want.size()) + " signed, " + std::to_string(got.size()) + " indexed)");
    }
    return OkStatus();
  }

  // The custodians table must equal the replayed key history.
  Status CheckCustodians() {
    ASSIGN_OR_RETURN(Stmt st,
                     v_.db().Prepare("SELECT name, role, key_id, active, grants FROM custodians"));
    size_t rows = 0;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      ++rows;
      auto it = custodians_.find(st.ColumnText(0));
      std::set<std::string> grants;
      std::string list = st.ColumnText(4);
      for (size_t p = 0, e; p < list.size(); p = e + 1) {
        e = std::min(list.find(' ', p), list.size());
        if (e > p) grants.insert(list.substr(p, e - p));
      }
      if (it == custodians_.end() || it->second.role != st.ColumnText(1) ||
          it->second.key_id != st.ColumnText(2) || it->second.active != (st.ColumnInt(3) != 0) ||
          it->second.grants != grants) {
        Problem("custodian " + st.ColumnText(0) + ": stored record differs from the custody log");
      }
    }
    if (rows != custodians_.size()) Problem("custodians: stored list differs from the custody log");
    return OkStatus();
  }

  Vault& v_;
  const VerifyOptions& o_;
  VerifyReport report_;
  std::vector<Bytes> entries_;
  std::vector<std::string> listed_actions_;
  std::vector<Result<ParsedEntry>> parsed_;
  std::vector<std::string> entry_hashes_;
  std::vector<Digest> leaf_hashes_;
  std::map<std::string, CustodianState> custodians_;
  std::string log_key_text_;
  std::vector<SigCheck> checks_;
  std::vector<char> good_;  // per check: the signature verified
  std::map<std::string, size_t> first_ingest_;  // item → entry index of its first ingest
  std::vector<std::pair<std::string, uint64_t>> subjects_;  // (item, event) in event order
  std::vector<std::pair<uint64_t, json>> timestamp_events_;  // (event, details) of "timestamp"
  crypto::MemoryMerkleStore tree_;
  Digest root_{};
};

}  // namespace

Result<VerifyReport> VerifyVault(Vault& vault, const VerifyOptions& options) {
  // A signed entry whose details hold a value of an unexpected type must be reported, not
  // crash the verifier (nlohmann's typed accessors throw).
  try {
    return Verifier(vault, options).Run();
  } catch (const nlohmann::json::exception&) {
    return VerifyFailed("custody log: an entry's details hold a value of the wrong type; the log "
                        "was not written by Amanat or was altered");
  }
}

}  // namespace amanat::vault
