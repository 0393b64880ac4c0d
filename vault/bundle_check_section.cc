#include "vault/bundle_check_section.h"

#include "crypto/checkpoint.h"
#include "crypto/encoding.h"
#include "crypto/merkle.h"
#include "crypto/sha256.h"
#include "vault/bundle_json.h"
#include "vault/bundle_layout.h"
#include "vault/parallel.h"

namespace amanat::vault {
namespace {

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// Splits events.jsonl into its lines; false if it does not end in a newline or a line is
// empty.
bool SplitLines(const std::string& text, std::vector<Bytes>* lines) {
  if (text.empty()) return true;
  if (text.back() != '\n') return false;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == start) return false;
    lines->emplace_back(text.begin() + static_cast<std::ptrdiff_t>(start),
                        text.begin() + static_cast<std::ptrdiff_t>(nl));
    start = nl + 1;
  }
  return true;
}

}  // namespace

std::string SectionEventName(const SectionInput& in, uint64_t seq) {
  std::string base = "custody event " + std::to_string(seq);
  return in.received_index == 0 ? base : in.origin + " " + base;
}

void CheckSection(const SectionInput& in, const BundleMembers& members, SectionResult* out,
                    std::vector<std::string>* problems) {
  const std::string dir = SectionDir(in.received_index);
  const std::string key_path = SectionLogKeyPath(in.received_index);
  auto problem = [&](std::string p) { problems->push_back(std::move(p)); };
  out->origin = in.origin;

  // The log key and the checkpoint it signed.
  if (const std::string* k = members.Find(key_path)) {
    if (Trimmed(*k) != in.log_key) problem(key_path + ": differs from the log key in the manifest");
  }
  auto verifier = crypto::ParseVerifierKey(in.log_key);
  if (!verifier.ok()) {
    problem(dir + ": log key of " + in.origin + " is malformed: " + verifier.status().message());
  } else if (verifier->name != in.origin) {
    problem(dir + ": log key is named " + verifier->name + ", not " + in.origin);
  } else {
    out->log_verifier = *verifier;
  }
  const std::string cp_path = dir + "/" + kCheckpointName;
  if (const std::string* note = members.Find(cp_path); note && out->log_verifier) {
    out->checkpoint_note = *note;
    auto cp = crypto::OpenCheckpoint(*note, *out->log_verifier);
    if (!cp.ok()) {
      problem(cp_path + ": " + cp.status().message());
    } else if (cp->size != in.checkpoint_size || cp->root != in.checkpoint_root) {
      problem(cp_path + ": size " + std::to_string(cp->size) + " and root differ from the manifest");
    } else {
      out->checkpoint_ok = true;
    }
  }

  // The entries, in the order the manifest lists them.
  const std::string events_path = dir + "/" + kEventsName;
  const std::string* jsonl = members.Find(events_path);
  if (jsonl == nullptr) return;  // reported with the member list
  if (!SplitLines(*jsonl, &out->entries)) {
    problem(events_path + ": not one entry per line (an empty line, or no final newline)");
    return;
  }
  if (out->entries.size() != in.listed.size()) {
    problem(events_path + ": " + std::to_string(out->entries.size()) + " entries, the manifest lists " +
            std::to_string(in.listed.size()));
  }
  const size_t n = std::min(out->entries.size(), in.listed.size());
  out->parsed.assign(out->entries.size(), std::nullopt);
  // Hashing and parsing do not depend on each other: all cores.
  std::vector<std::string> hashes(out->entries.size());
  std::vector<Result<ParsedEntry>> parsed(out->entries.size(), Result<ParsedEntry>(IoError("not parsed")));
  ParallelFor(out->entries.size(), [&](size_t i) {
    hashes[i] = crypto::Sha256Hex(out->entries[i]);
    if (!JsonDepthWithin(AsChars(out->entries[i]), kMaxJsonDepth)) {
      parsed[i] = VerifyFailed("malformed custody entry: nested too deeply");
    } else {
      parsed[i] = ParseEntry(out->entries[i]);
    }
  });
  for (size_t i = 0; i < n; ++i) {
    const uint64_t seq = in.listed[i].sequence;
    const std::string name = SectionEventName(in, seq);
    if (i > 0 && seq <= in.listed[i - 1].sequence) {
      problem(name + ": listed out of order in the manifest");
    }
    if (hashes[i] != in.listed[i].sha256) {
      problem(name + ": entry " + std::to_string(i + 1) + " of " + events_path +
              " is not the one the manifest lists (changed, dropped or reordered)");
      continue;
    }
    Result<ParsedEntry>& pe = parsed[i];
    if (!pe.ok()) {
      problem(name + ": " + pe.status().message());
      continue;
    }
    if (pe->event.sequence != seq) {
      problem(name + ": says it is event " + std::to_string(pe->event.sequence) + " (reordered?)");
      continue;
    }
    if (pe->event.vault != in.origin) problem(name + ": belongs to another log (" + pe->event.vault + ")");
    out->parsed[i] = std::move(*pe);
  }

  // Inclusion proofs against the checkpoint.
  const std::string proofs_path = dir + "/" + kProofsName;
  if (const std::string* text = members.Find(proofs_path)) {
    out->proofs_text = *text;
    auto proofs = BundleProofs::Parse(*text, proofs_path);
    if (!proofs.ok()) {
      problem(proofs.status().message());
    } else if ((out->proofs = std::move(*proofs)).tree_size != in.checkpoint_size) {
      problem(proofs_path + ": proofs are for tree size " + std::to_string(out->proofs.tree_size) +
              ", the checkpoint has " + std::to_string(in.checkpoint_size));
    } else if (out->proofs.inclusion.size() != out->entries.size()) {
      problem(proofs_path + ": " + std::to_string(out->proofs.inclusion.size()) +
              " inclusion proofs for " + std::to_string(out->entries.size()) + " entries");
    } else {
      for (size_t i = 0; i < n; ++i) {
        const auto& p = out->proofs.inclusion[i];
        const std::string name = SectionEventName(in, in.listed[i].sequence);
        if (p.sequence != in.listed[i].sequence) {
          problem(name + ": its inclusion proof is for event " + std::to_string(p.sequence));
          continue;
        }
        Status s = crypto::VerifyInclusion(p.sequence, in.checkpoint_size,
                                           crypto::LeafHash(out->entries[i]), p.path,
                                           in.checkpoint_root);
        if (!s.ok()) problem(name + ": not in the log at the checkpoint (" + s.message() + ")");
      }
    }
  }

  // Hash chain where two consecutive entries are present; key history; signatures.
  if (n > 0 && in.listed[0].sequence != 0) {
    problem(SectionEventName(in, in.listed[0].sequence) + ": the record does not start with event 0 (init)");
  }
  std::vector<std::pair<size_t, std::vector<crypto::Ed25519PublicKey>>> checks;
  for (size_t i = 0; i < n; ++i) {
    if (!out->parsed[i]) continue;
    const Event& ev = out->parsed[i]->event;
    const std::string name = SectionEventName(in, ev.sequence);
    if (ev.sequence == 0 && ev.previous != kNoPrevious) problem(name + ": previous hash of event 0 is not zero");
    if (i > 0 && in.listed[i - 1].sequence + 1 == ev.sequence && ev.previous != hashes[i - 1]) {
      problem(name + ": hash chain broken (previous entry hash does not match event " +
              std::to_string(ev.sequence - 1) + ")");
    }
    auto keys = out->history.Apply(ev);
    if (!keys.ok()) {
      problem(name + ": " + keys.status().message());
      continue;
    }
    checks.emplace_back(i, std::move(*keys));
  }
  std::vector<Status> results(checks.size());
  ParallelFor(checks.size(), [&](size_t c) {
    results[c] = CheckEntrySignatures(*out->parsed[checks[c].first], checks[c].second);
  });
  for (size_t c = 0; c < checks.size(); ++c) {
    const Event& ev = out->parsed[checks[c].first]->event;
    if (!results[c].ok()) {
      problem(SectionEventName(in, ev.sequence) + ": " + results[c].message());
      continue;
    }
    for (const auto& k : checks[c].second) ++out->signed_by[KeyId(k)];
  }
}

}  // namespace amanat::vault
