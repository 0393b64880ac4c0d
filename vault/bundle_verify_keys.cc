#include <algorithm>
#include <cstdio>
#include <set>

#include "crypto/checkpoint.h"
#include "crypto/encoding.h"
#include "crypto/merkle.h"
#include "crypto/minisign.h"
#include "vault/bundle_layout.h"
#include "vault/bundle_verify_internal.h"

namespace amanat::vault {
namespace {

// The history key with this ID and custodian name in any section, or nullptr.
const KeyHistory::Key* FindKey(const BundleReport& r, const std::string& who, const std::string& id) {
  for (const auto& s : r.sections) {
    auto k = s.history.keys().find(id);
    if (k != s.history.keys().end() && k->second.custodian == who) return &k->second;
  }
  return nullptr;
}

std::string NoteKeyFingerprint(const crypto::NoteVerifier& v) {
  char id[9];
  std::snprintf(id, sizeof id, "%08x", v.key_id);
  return v.name + "+" + id;
}

}  // namespace

void CheckKeyFiles(const BundleMembers& members, BundleReport* report) {
  size_t files = 0;
  for (const auto& [path, data] : members.contents) {
    const MemberKind kind = ClassifyMember(path);
    if (kind != MemberKind::kMinisignKey && kind != MemberKind::kNoteKey) continue;
    ++files;
    std::string who, id;
    ParseKeyPath(path, &who, &id);
    const KeyHistory::Key* key = FindKey(*report, who, id);
    if (key == nullptr) {
      report->problems.push_back(path + ": not a key of " + who + " in the custody record");
      continue;
    }
    const std::string want =
        kind == MemberKind::kNoteKey
            ? CustodianVerifierKey(who, key->public_key) + "\n"
            : crypto::FormatMinisignPublicKey(
                  {crypto::MinisignKeyNumberOf(key->public_key), key->public_key});
    if (data != want) report->problems.push_back(path + ": is not " + who + "'s key " + id);
  }
  for (const auto& s : report->sections) {
    for (const auto& [id, count] : s.signed_by) {
      auto k = s.history.keys().find(id);
      if (k == s.history.keys().end()) continue;
      for (const std::string& p : {MinisignKeyPath(k->second.custodian, id),
                                   NoteKeyPath(k->second.custodian, id)}) {
        if (!members.contents.count(p) && !members.damaged.count(p)) {
          report->problems.push_back(p + ": missing (its key signed custody events)");
        }
      }
    }
  }
  report->checked.push_back("keys: " + std::to_string(files) +
                            " key files against the keys the custody record gives each custodian");
}

void CollectSigners(const BundleVerifyOptions& options, BundleReport* report) {
  auto trusted = [&](const crypto::Ed25519PublicKey& pk) {
    return std::any_of(options.trusted.begin(), options.trusted.end(),
                       [&](const crypto::NoteVerifier& t) { return t.public_key == pk; });
  };
  const Manifest& m = report->manifest;
  for (size_t i = 0; i < report->sections.size(); ++i) {
    const SectionResult& s = report->sections[i];
    const std::string where = i == 0 ? "" : " (received)";
    if (s.log_verifier) {
      report->signers.push_back({"log", s.origin, s.origin, NoteKeyFingerprint(*s.log_verifier),
                                 crypto::FormatVerifierKey(*s.log_verifier), "checkpoint" + where,
                                 trusted(s.log_verifier->public_key)});
    }
    for (const auto& [id, count] : s.signed_by) {
      auto k = s.history.keys().find(id);
      if (k == s.history.keys().end()) continue;
      std::string used = std::to_string(count) + (count == 1 ? " event" : " events") + where;
      if (i == 0 && id == m.exporter_key_id) used += ", manifest";
      report->signers.push_back({"custodian", k->second.custodian, s.origin, id,
                                 CustodianVerifierKey(k->second.custodian, k->second.public_key),
                                 used, trusted(k->second.public_key)});
    }
  }
  if (options.trusted.empty()) return;
  for (const auto& sg : report->signers) {
    if (sg.trusted) continue;
    report->problems.push_back("not trusted: " + sg.kind + " key " + sg.fingerprint +
                               (sg.kind == "custodian" ? " (" + sg.name + ", " + sg.origin + ")" : "") +
                               " signed " + sg.used_for + "; no --trust key matches it");
  }
  report->checked.push_back("trust: every key relied on against the " +
                            std::to_string(options.trusted.size()) + " given with --trust");
}

void CheckAgainst(const BundleVerifyOptions& options, BundleReport* report) {
  for (const auto& [label, note] : options.against) {
    AgainstResult a{label, false, ""};
    const std::string origin = note.substr(0, std::min(note.find('\n'), size_t{256}));
    const SectionResult* sec = nullptr;
    const ReceivedSection* rec = nullptr;
    uint64_t size = report->manifest.checkpoint_size;
    Digest root = report->manifest.checkpoint_root;
    for (size_t i = 0; i < report->sections.size() && sec == nullptr; ++i) {
      if (report->sections[i].origin != origin) continue;
      sec = &report->sections[i];
      if (i > 0) {
        rec = &report->manifest.received[i - 1];
        size = rec->checkpoint_size;
        root = rec->checkpoint_root;
      }
    }
    if (sec == nullptr || !sec->log_verifier) {
      a.detail = "a checkpoint of a log that is not in this bundle";
    } else if (auto cp = crypto::OpenCheckpoint(note, *sec->log_verifier); !cp.ok()) {
      a.detail = cp.status().message();
    } else if (cp->size == size) {
      a.ok = cp->root == root;
      a.detail = a.ok ? "same checkpoint as the bundle's"
                      : "same size (" + std::to_string(size) + ") but another root: history was rewritten";
    } else if (cp->size > size) {
      a.detail = "newer (size " + std::to_string(cp->size) + ") than the bundle's checkpoint (size " +
                 std::to_string(size) + "); the bundle cannot show it extends it";
    } else {
      auto proof = std::find_if(sec->proofs.consistency.begin(), sec->proofs.consistency.end(),
                                [&](const auto& p) { return p.from_size == cp->size; });
      if (proof == sec->proofs.consistency.end()) {
        a.detail = "the bundle holds no consistency proof from size " + std::to_string(cp->size);
      } else {
        Status s = crypto::VerifyConsistency(cp->size, size, proof->path, cp->root, root);
        a.ok = s.ok();
        a.detail = a.ok ? "the bundle's log (size " + std::to_string(size) + ") extends it (size " +
                              std::to_string(cp->size) + ")"
                        : "the bundle's log does not extend it (size " + std::to_string(cp->size) +
                              "): " + s.message();
      }
    }
    if (!a.ok) report->problems.push_back(label + ": " + a.detail);
    report->against.push_back(std::move(a));
  }
  if (!options.against.empty()) {
    report->checked.push_back("older checkpoints: " + std::to_string(options.against.size()) + " given");
  }
}

void BuildTimeline(BundleReport* report) {
  std::set<std::pair<std::string, uint64_t>> seen;
  std::vector<std::pair<size_t, TimelineEvent>> all;
  for (size_t i = 0; i < report->sections.size(); ++i) {
    const SectionResult& s = report->sections[i];
    for (const auto& pe : s.parsed) {
      if (!pe || !seen.emplace(s.origin, pe->event.sequence).second) continue;
      const Event& e = pe->event;
      all.push_back({i, {s.origin, e.sequence, e.time, e.actor, e.actor_key_id, e.action, e.purpose,
                         e.subjects}});
    }
  }
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    if (a.second.time != b.second.time) return a.second.time < b.second.time;
    if (a.first != b.first) return a.first > b.first;  // received records before this vault's
    return a.second.sequence < b.second.sequence;
  });
  for (auto& [i, e] : all) report->timeline.push_back(std::move(e));
}

}  // namespace amanat::vault
