#include "vault/verify.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "crypto/checkpoint.h"
#include "crypto/encoding.h"
#include "crypto/merkle.h"
#include "crypto/sha256.h"
#include "vault/fs.h"
#include "vault/hq_keys.h"
#include "vault/bundle_json.h"
#include "vault/items.h"
#include "vault/key_history.h"
#include "vault/parallel.h"
#include "vault/pipeline.h"
#include "vault/provenance.h"
#include "vault/received_identities.h"
#include "vault/timestamps.h"

namespace amanat::vault {
namespace {

using nlohmann::json;

// What a vault keeps of each custodian beyond their key history: grants, and the slot box
// public key the log recorded (base64; empty: none yet).
struct VaultOnly {
  std::set<std::string> grants;
  std::string box_key;
};

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

// Entries in memory at once while the log is scanned (about 4 KiB each, parsed).
constexpr size_t kWindow = 2048;

// A signature checked when its entry was examined, with the key it was checked against.
struct EarlyCheck {
  bool tried = false;
  bool good = false;
  crypto::Ed25519PublicKey key{};
};

// The keys the log announces (init, custodian-add, custodian-rotate), in log order, for the
// signature checks that run before the replay reaches their entries. Appended by the thread
// that loads the entries, before it publishes the next ones; read by every thread. The array
// never moves, so readers need only the published count.
class AnnouncedKeys {
 public:
  explicit AnnouncedKeys(size_t capacity) : keys_(capacity) {}

  // Loading thread only. Beyond the capacity keys are dropped: their signatures are then
  // checked after the scan.
  void Add(const crypto::Ed25519PublicKey& key) {
    const size_t n = count_.load(std::memory_order_relaxed);
    if (n == keys_.size()) return;
    keys_[n] = {KeyId(key), key};
    count_.store(n + 1, std::memory_order_release);
  }

  const crypto::Ed25519PublicKey* Find(const std::string& id) const {
    const size_t n = count_.load(std::memory_order_acquire);
    for (size_t i = 0; i < n; ++i) {
      if (keys_[i].id == id) return &keys_[i].key;
    }
    return nullptr;
  }

 private:
  struct Known {
    std::string id;
    crypto::Ed25519PublicKey key{};
  };
  std::vector<Known> keys_;
  std::atomic<size_t> count_{0};
};

// One entry while it is scanned.
struct Slot {
  Bytes entry;
  std::string listed_action;  // the events table's action column
  ParsedEntry parsed;  // reused from entry to entry (ParseEntryInto)
  Status parse_status = IoError("not parsed");
  Digest entry_hash{};  // for the hash chain
  Digest leaf_hash{};   // for the Merkle tree
  std::vector<EarlyCheck> checks;  // one per signature
};

// A signature to check after the scan: its entry is in DeferTail's share, no key with its ID
// had been announced when its entry was examined, or the replay requires another key than
// the one it was checked with.
struct LateCheck {
  size_t entry;
  Bytes pae;
  crypto::Ed25519Signature sig;
  crypto::Ed25519PublicKey key;
};

// What an item's first ingest (or import, or derive) event says about it.
struct IngestRecord {
  size_t entry;
  json record;
};

class VaultVerifier {
 public:
  VaultVerifier(Vault& v, const VerifyOptions& o, ReadSnapshot& snapshot)
      : v_(v), o_(o), snapshot_(snapshot), announced_(o.early_keys) {}

  Result<VerifyReport> Run() {
    // Reading every page of the database (SQLCipher checks each page's HMAC) costs as much as
    // re-hashing the content, so it belongs to --full.
    if (o_.full) RETURN_IF_ERROR(CheckDatabaseIntegrity());
    RETURN_IF_ERROR(ScanLog());
    // The signatures the scan left are checked on the other cores while this thread does the
    // rest (which alone touches the database and the problem list).
    Status rest = OkStatus();
    CheckLateSignaturesBeside([&] {
      report_.events = tree_.size();
      root_ = crypto::RootAt(tree_, tree_.size()).value();
      rest = CheckStoredNodes();
      if (rest.ok()) rest = CheckCheckpoints();
      if (rest.ok()) rest = CheckItems();
      if (rest.ok()) rest = CheckCustodians();
      if (rest.ok()) rest = CheckVaultMeta();
      if (rest.ok()) rest = CheckReceivedIdentities();
      if (rest.ok()) rest = CheckProvenanceTables(v_, provenance_events_, report_.problems);
      if (rest.ok()) {
        rest = CheckStoredTimestamps(v_, timestamp_events_,
                                     [&](std::string p) { Problem(std::move(p)); });
      }
      FreeReplay();
    });
    RETURN_IF_ERROR(rest);
    SortProblems();
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

  // What the replay gathered for the checks after the scan, freed beside the late signature
  // checks rather than on one core after them.
  void FreeReplay() {
    tree_ = crypto::MemoryMerkleStore();
    first_ingest_ = {};
    subject_events_ = {};
    provenance_events_ = {};
    timestamp_events_ = {};
    imported_identities_ = {};
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
        return snapshot_.Renew();
      }
      if (!*row) break;
      std::string line = st.ColumnText(0);
      if (line != "ok") Problem("vault.db: integrity check: " + line);
    }
    return OkStatus();
  }

  // Reads the log in order on this thread, a window of entries at a time, while every core
  // parses, hashes and checks the signatures of the entries read (RunOrdered); the replay of
  // the key history, the hash chain and the tree then take each entry in order. Memory holds
  // one window of entries, not the log.
  Status ScanLog() {
    // The log's length, known from the primary key alone (counting the rows would read every
    // page of the table): only a hint, for DeferTail.
    ASSIGN_OR_RETURN(Stmt last, v_.db().Prepare("SELECT max(seq) FROM events"));
    ASSIGN_OR_RETURN(bool has_last, last.Step());
    if (has_last && !last.ColumnIsNull(0) && last.ColumnInt(0) >= 0) {
      defer_from_ = DeferTail(static_cast<uint64_t>(last.ColumnInt(0)) + 1);
    }
    ASSIGN_OR_RETURN(Stmt st, v_.db().Prepare("SELECT seq, entry, action FROM events ORDER BY seq"));
    slots_ = std::vector<Slot>(kWindow);
    auto slot = [&](size_t i) -> Slot& { return slots_[i % slots_.size()]; };
    ASSIGN_OR_RETURN(size_t n, RunOrdered(
        slots_.size(),
        [&](size_t i) -> Result<bool> {
          ASSIGN_OR_RETURN(bool row, st.Step());
          if (!row) return false;
          const uint64_t seq = static_cast<uint64_t>(st.ColumnInt(0));
          if (seq != i) {
            // Keep positions honest: the stored sequence numbers no longer index the tree.
            Problem(EventName(i) + ": missing (the log jumps to event " + std::to_string(seq) + ")");
          }
          Slot& s = slot(i);
          ByteView b = st.ColumnBlob(1);
          s.entry.assign(b.begin(), b.end());
          s.listed_action = st.ColumnText(2);
          Announce(s);
          return true;
        },
        [&](size_t i) { Examine(slot(i), i < defer_from_); },
        [&](size_t i) { Replay(i, slot(i)); }));
    slots_.clear();
    if (n == 0) Problem("custody log: empty (no init event)");
    return OkStatus();
  }

  // The entries from which on the scan leaves the signatures to the checks after it: those
  // run on one core while the other cores check these signatures (CheckLateSignaturesBeside).
  // A share of the log, as the work after the scan grows with the log; past the share the
  // cores finish it together, so a wrong guess costs little either way.
  static uint64_t DeferTail(uint64_t events) {
    constexpr uint64_t kShare = 16;       // 1/16 of the log
    constexpr uint64_t kMost = 8192;      // about 8 MiB of entries held for the late checks
    return events - std::min(events / kShare, kMost);
  }

  // Gives the early signature checks the keys an entry announces, going by the listed action
  // (only a hint: the replay decides which key must have signed each entry, and a signature
  // checked with another key, or with none, is checked again after the scan).
  void Announce(const Slot& s) {
    const std::string& a = s.listed_action;
    if (a != "init" && a != "custodian-add" && a != "custodian-rotate") return;
    auto pe = ParseEntry(s.entry);
    if (!pe.ok()) return;  // the replay reports it
    try {
      const json& d = pe->event.details;
      auto key = PublicKeyInDetails(a == "custodian-rotate" ? d : d.value("custodian", json()));
      if (key.ok()) announced_.Add(*key);
    } catch (const json::exception&) {
      // likewise
    }
  }

  // The part of checking an entry that depends on no other entry (any thread). Without
  // `check_now`, its signatures are left to the checks after the scan.
  void Examine(Slot& s, bool check_now) {
    s.parse_status = ParseEntryInto(s.entry, s.parsed);
    s.entry_hash = crypto::Sha256Of(s.entry);
    s.leaf_hash = crypto::LeafHash(s.entry);
    s.checks.clear();
    if (!s.parse_status.ok()) return;
    const ParsedEntry& pe = s.parsed;
    for (const auto& sig : pe.signatures) {
      EarlyCheck c;
      const crypto::Ed25519PublicKey* key = check_now ? announced_.Find(sig.key_id) : nullptr;
      if (key != nullptr) {
        c.tried = true;
        c.key = *key;
        c.good = VerifyEntrySignature(pe, sig, *key);
      }
      s.checks.push_back(c);
    }
  }

  // Walks the log in order: sequence numbers, hash chain, and who was allowed to sign what.
  void Replay(size_t i, Slot& s) {
    auto name = [i] { return EventName(i); };
    const std::string this_hash = crypto::HexEncode(s.entry_hash);
    (void)tree_.AppendLeafHash(s.leaf_hash);
    if (!s.parse_status.ok()) {
      Problem(name() + ": " + s.parse_status.message());
      previous_ = this_hash;
      return;
    }
    const ParsedEntry& pe = s.parsed;
    const Event& ev = pe.event;
    if (ev.sequence != i) {
      Problem(name() + ": says it is event " + std::to_string(ev.sequence) + " (reordered?)");
    }
    if (ev.previous != previous_) {
      Problem(name() + ": hash chain broken (previous entry hash does not match)");
    }
    if (ev.vault != v_.origin()) Problem(name() + ": belongs to another log (" + ev.vault + ")");
    if (ev.action != s.listed_action) Problem(name() + ": index says '" + s.listed_action + "' but the signed entry says '" + ev.action + "'");
    previous_ = this_hash;
    ReplayKeys(i, s);
    if (ev.action == "ingest" || ev.action == "derive" || ev.action == "import") {
      for (const auto& id : ev.subjects) {
        if (!first_ingest_.count(id)) first_ingest_.emplace(id, IngestRecord{i, RecordOf(ev, id)});
      }
    }
    for (const auto& id : ev.subjects) {
      std::vector<uint64_t>& seqs = subject_events_[id];
      if (seqs.empty() || seqs.back() != i) seqs.push_back(i);
    }
    if (ev.action == "init") {
      seals_content_ = ev.details.contains("seal_content") && ev.details["seal_content"] == true;
    }
    if (ev.action == "derive" || ev.action == "witness-add") provenance_events_.emplace(i, ev);
    if (ev.action == "timestamp") timestamp_events_.emplace_back(i, ev.details);
    if (ev.action == "import") NoteImportedIdentities(ev.details);
  }

  // Who was allowed to sign this entry, by the rules every reader of a log shares
  // (KeyHistory), then the grants and box keys that only a whole vault keeps.
  void ReplayKeys(size_t i, const Slot& s) {
    const Event& ev = s.parsed.event;
    auto signers = history_.Apply(ev);
    if (!signers.ok()) {
      Problem(EventName(i) + ": " + signers.status().message());
      return;
    }
    ExpectSignatures(i, s, *signers);
    ReplayGrantsAndBoxKeys(i, ev);
  }

  // Runs after KeyHistory accepted `ev`, so every custodian it names exists.
  void ReplayGrantsAndBoxKeys(size_t i, const Event& ev) {
    const json& d = ev.details;
    if (auto box = BoxKeyInEvent(ev)) vault_only_[box->first].box_key = std::move(box->second);
    if (ev.action == "init") {
      log_key_text_ = history_.log_key();
      init_details_ = d;
      // The first custodian holds the identity key from init.
      for (const auto& g : d.value("grants", json::array())) {
        if (g.is_string()) vault_only_[ev.actor].grants.insert(g.get<std::string>());
      }
    } else if (ev.action == "custodian-grant" || ev.action == "custodian-revoke-grant") {
      const std::string who = JsonStringField(d, "custodian");
      const std::string grant = JsonStringField(d, "grant");
      VaultOnly& target = vault_only_[who];
      if (ev.action == "custodian-revoke-grant") {
        target.grants.erase(grant);
        return;
      }
      target.grants.insert(grant);
      // The identity key was sealed to this box key: it must be the one the log gave them.
      if (JsonStringField(d, "box_public_key") != target.box_key) {
        Problem(EventName(i) + ": grants to a box key that is not " + who + "'s recorded one");
      }
    }
  }

  // The entry must carry exactly these keys' signatures, in this order.
  void ExpectSignatures(size_t i, const Slot& s, const std::vector<crypto::Ed25519PublicKey>& keys) {
    const ParsedEntry& pe = s.parsed;
    if (pe.signatures.size() != keys.size()) {
      Problem(EventName(i) + ": has " + std::to_string(pe.signatures.size()) +
              " signatures, expected " + std::to_string(keys.size()));
      return;
    }
    for (size_t k = 0; k < keys.size(); ++k) {
      const EntrySignature& sig = pe.signatures[k];
      const EarlyCheck& early = s.checks[k];
      const std::string& id = KeyIdOf(keys[k]);
      if (sig.key_id != id) {
        Problem(EventName(i) + ": signed by key " + sig.key_id.substr(0, 8) + ", expected " +
                id.substr(0, 8));
      } else if (early.tried && early.key == keys[k]) {
        if (!early.good) BadSignature(i, keys[k]);
      } else {
        late_checks_.push_back({i, pe.pae, sig.sig, keys[k]});
      }
    }
  }

  // KeyId, remembered: a log has few keys and many entries.
  const std::string& KeyIdOf(const crypto::Ed25519PublicKey& key) {
    auto [it, added] = key_ids_.try_emplace(key);
    if (added) it->second = KeyId(key);
    return it->second;
  }

  void BadSignature(size_t i, const crypto::Ed25519PublicKey& key) {
    Problem(EventName(i) + ": signature does not verify (key " + KeyId(key).substr(0, 8) + ")");
  }

  // Signatures the scan did not settle (a key announced after the entry was examined, or an
  // entry of DeferTail's): checked on the other cores while this thread runs `own`.
  template <typename Own>
  void CheckLateSignaturesBeside(Own own) {
    std::vector<char> good(late_checks_.size(), 0);
    ParallelForBeside(late_checks_.size(), [&](size_t c) {
      const LateCheck& lc = late_checks_[c];
      good[c] = crypto::Ed25519Verify(lc.key, lc.pae, lc.sig);
    }, own);
    for (size_t c = 0; c < late_checks_.size(); ++c) {
      if (!good[c]) BadSignature(late_checks_[c].entry, late_checks_[c].key);
    }
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
        const json& d = ingest->second.record;
        json meta = d.value("metadata", json::object());
        if (d.value("size", uint64_t{0}) != item.size || d.value("media_type", "") != item.media_type ||
            meta.value("kind", "") != item.kind || meta != item.metadata) {
          Problem("item " + item.id + ": stored record differs from its signed ingest event (" +
                  EventName(ingest->second.entry) + ")");
        }
        // Content sealed to HQ: the stored bytes are what the signed event says was sealed.
        const json signed_sealed = d.contains("sealed") ? d["sealed"] : json();
        const json stored_sealed = item.sealed ? item.sealed->ToJson() : json();
        if (signed_sealed != stored_sealed) {
          Problem("item " + item.id + ": its sealed-content record differs from its signed " +
                  "ingest event (" + EventName(ingest->second.entry) + ")");
        } else if (seals_content_ && !item.sealed) {
          Problem("item " + item.id + ": stored in plaintext, but the signed init event seals " +
                  "content to HQ (" + EventName(ingest->second.entry) + ")");
        }
      }
      if (o_.full && item.sealed) {
        // Only HQ can open it: its stored bytes are checked against the sealed record, which
        // the check above ties to the signed event.
        Status s = ExtractSealedItem(v_, item, [](ByteView) { return OkStatus(); }, nullptr);
        ++report_.items_sealed_checked;
        if (!s.ok()) {
          Problem(s.message());
          RETURN_IF_ERROR(snapshot_.Renew());
        }
      } else if (o_.full) {
        Status s = ExtractItem(v_, item, [](ByteView) { return OkStatus(); }, nullptr);
        ++report_.items_rehashed;
        if (!s.ok()) {
          Problem(s.message());
          RETURN_IF_ERROR(snapshot_.Renew());
        }
      }
    }
    // Every item an event names must be here.
    std::vector<const std::pair<const std::string, std::vector<uint64_t>>*> subjects;
    subjects.reserve(subject_events_.size());
    for (const auto& entry : subject_events_) {
      subjects.push_back(&entry);
      if (present.count(entry.first)) continue;
      for (uint64_t seq : entry.second) {
        Problem(EventName(seq) + ": names item " + entry.first + ", which is not in the vault");
      }
    }
    return CheckSubjectIndex(subjects);
  }

  // The subject index (used by `log --item`) must list exactly the signed subjects. It is
  // read in its own order (item, then event), and compared as it is read.
  template <typename Subjects>
  Status CheckSubjectIndex(Subjects& subjects) {
    std::sort(subjects.begin(), subjects.end(),
              [](const auto* a, const auto* b) { return a->first < b->first; });
    ASSIGN_OR_RETURN(Stmt st, v_.db().Prepare(
                                  "SELECT item_id, seq FROM event_subjects ORDER BY item_id, seq"));
    size_t want = 0, got = 0, item = 0, k = 0;
    for (const auto* s : subjects) want += s->second.size();
    bool same = true;
    for (;; ++got) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      if (!same) continue;  // only counting now
      while (item < subjects.size() && k == subjects[item]->second.size()) {
        ++item;
        k = 0;
      }
      same = item < subjects.size() && st.ColumnText(0) == subjects[item]->first &&
             static_cast<uint64_t>(st.ColumnInt(1)) == subjects[item]->second[k];
      ++k;
    }
    if (!same || got != want) {
      Problem("custody log: the subject index differs from the signed events (" +
              std::to_string(want) + " signed, " + std::to_string(got) + " indexed)");
    }
    return OkStatus();
  }

  // meta's copies of what the signed init event fixed, and keyslots.json's copy of the
  // identity key. Someone holding the vault key could change them so that later witness
  // records or content are sealed to a key of theirs, or stored in plaintext; the commands
  // that use them refuse (docs/format/hq-keys.md), and verify names each.
  Status CheckVaultMeta() {
    if (!init_details_.is_object()) return OkStatus();  // the replay reported event 0
    const json& d = init_details_;
    std::map<std::string, std::string> meta;
    ASSIGN_OR_RETURN(Stmt st, v_.db().Prepare("SELECT key, value FROM meta"));
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      meta[st.ColumnText(0)] = st.ColumnText(1);
    }
    auto check = [&](const std::string& key, bool same) {
      if (!same) Problem("vault.db: meta." + key + " is not what the signed init event recorded");
    };
    auto signed_string = [&](const char* key) -> std::optional<std::string> {
      if (!d.contains(key) || !d[key].is_string()) return std::nullopt;
      return d[key].get<std::string>();
    };
    auto stored = [&](const char* key) -> std::optional<std::string> {
      auto it = meta.find(key);
      if (it == meta.end()) return std::nullopt;
      return it->second;
    };
    for (const char* key : {"vault_id", "log_key", "identity_key"}) {
      check(key, stored(key) == signed_string(key));
    }
    const bool seal = d.contains("seal_content") && d["seal_content"] == true;
    check(kSealContentMeta, stored(kSealContentMeta) == (seal ? std::optional<std::string>("true")
                                                              : std::nullopt));
    const auto hq = stored("hq_keys");
    check("hq_keys", hq ? d.contains("hq") && json::parse(*hq, nullptr, false) == d["hq"]
                        : !d.contains("hq"));
    const auto& copy = v_.keyslots().identity_key;
    if (copy && signed_string("identity_key") != crypto::Base64Encode(*copy)) {
      Problem("keyslots.json: identity_key is not what the signed init event recorded");
    }
    return OkStatus();
  }

  // The witness records an import event says its bundle carried, by the bundle's manifest
  // SHA-256.
  void NoteImportedIdentities(const json& d) {
    auto b = d.find("bundle");
    auto names = d.find("identities");
    if (b == d.end() || !b->is_object() || names == d.end() || !names->is_array()) return;
    auto m = b->find("manifest_sha256");
    if (m == b->end() || !m->is_string()) return;
    std::set<std::string>& listed = imported_identities_[m->get<std::string>()];
    for (const auto& n : *names) {
      if (n.is_string()) listed.insert(n.get<std::string>());
    }
  }

  // Every received witness identity record must have come in a bundle whose import event
  // lists it, and must be the sealed bytes that a witness-add entry of its vault's log,
  // received in that bundle, names (docs/format/witnesses.md).
  Status CheckReceivedIdentities() {
    ASSIGN_OR_RETURN(std::vector<ReceivedIdentity> records, ListReceivedIdentities(v_.db()));
    for (const auto& r : records) {
      const std::string what = "received witness record " + r.pseudonym + " from " + r.origin;
      auto listed = imported_identities_.find(r.manifest_sha256);
      if (listed == imported_identities_.end() || listed->second.count(r.pseudonym) == 0) {
        Problem(what + ": no import event lists it");
      }
      if (auto found = FindReceivedWitnessAdd(v_.db(), r); !found.ok()) {
        Problem(what + ": " + found.status().message());
      }
    }
    return OkStatus();
  }

  // The custodians table must equal the replayed key history.
  Status CheckCustodians() {
    ASSIGN_OR_RETURN(Stmt st, v_.db().Prepare("SELECT name, role, key_id, active, grants, "
                                              "box_public_key FROM custodians"));
    size_t rows = 0;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      ++rows;
      const std::string name = st.ColumnText(0);
      auto it = history_.custodians().find(name);
      auto extra = vault_only_.find(name);
      std::set<std::string> grants;
      std::string list = st.ColumnText(4);
      for (size_t p = 0, e; p < list.size(); p = e + 1) {
        e = std::min(list.find(' ', p), list.size());
        if (e > p) grants.insert(list.substr(p, e - p));
      }
      const std::string box = st.ColumnIsNull(5) ? "" : crypto::Base64Encode(st.ColumnBlob(5));
      const VaultOnly none;
      const VaultOnly& more = extra == vault_only_.end() ? none : extra->second;
      if (it == history_.custodians().end() || it->second.role != st.ColumnText(1) ||
          it->second.key_id != st.ColumnText(2) || it->second.active != (st.ColumnInt(3) != 0) ||
          more.grants != grants || more.box_key != box) {
        Problem("custodian " + name + ": stored record differs from the custody log");
      }
    }
    if (rows != history_.custodians().size()) {
      Problem("custodians: stored list differs from the custody log");
    }
    return OkStatus();
  }

  Vault& v_;
  const VerifyOptions& o_;
  ReadSnapshot& snapshot_;  // renewed only after a damaged page was reported
  VerifyReport report_;
  std::vector<Slot> slots_;  // entry i is in slots_[i % size] while it is scanned
  AnnouncedKeys announced_;
  std::string previous_ = kNoPrevious;  // hex SHA-256 of the entry replayed last
  KeyHistory history_;
  std::map<std::string, VaultOnly> vault_only_;  // by custodian name
  std::string log_key_text_;
  json init_details_;  // the init event's details, once replayed
  std::map<std::string, std::set<std::string>> imported_identities_;  // by manifest SHA-256
  std::vector<LateCheck> late_checks_;
  std::map<crypto::Ed25519PublicKey, std::string> key_ids_;  // KeyIdOf
  uint64_t defer_from_ = UINT64_MAX;  // DeferTail's first entry
  std::map<std::string, IngestRecord> first_ingest_;  // item → its first ingest
  bool seals_content_ = false;  // the init event says seal_content (docs/format/hq-keys.md)
  // item → the events that name it, in log order
  std::unordered_map<std::string, std::vector<uint64_t>> subject_events_;
  std::map<uint64_t, Event> provenance_events_;  // the derive and witness-add events
  std::vector<std::pair<uint64_t, json>> timestamp_events_;  // (event, details) of "timestamp"
  crypto::MemoryMerkleStore tree_;
  Digest root_{};
};

}  // namespace

Result<VerifyReport> VerifyVault(Vault& vault, const VerifyOptions& options) {
  // A signed entry whose details hold a value of an unexpected type must be reported, not
  // crash the verifier (nlohmann's typed accessors throw).
  try {
    // One snapshot: a command that commits while this runs cannot look like tampering.
    ASSIGN_OR_RETURN(ReadSnapshot snapshot, ReadSnapshot::Begin(vault.db()));
    // Every page is read once: a cache would only hold memory.
    RETURN_IF_ERROR(vault.db().SetCacheKiB(kScanCacheKiB));
    Result<VerifyReport> report = VaultVerifier(vault, options, snapshot).Run();
    Status restored = vault.db().SetCacheKiB(kCacheKiB);
    if (!report.ok()) return report.status();
    RETURN_IF_ERROR(snapshot.End());
    RETURN_IF_ERROR(restored);
    return report;
  } catch (const nlohmann::json::exception&) {
    return VerifyFailed("custody log: an entry's details hold a value of the wrong type; the log "
                        "was not written by Amanat or was altered");
  }
}

}  // namespace amanat::vault
