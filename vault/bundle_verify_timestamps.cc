// verify-bundle's check of the trusted timestamps a bundle carries (timestamps/; see
// BundleTimestampResult in vault/bundle_verify.h and docs/format/bundle.md).
#include <algorithm>
#include <set>

#include "crypto/checkpoint.h"
#include "crypto/encoding.h"
#include "crypto/merkle.h"
#include "crypto/sha256.h"
#include "crypto/timestamp.h"
#include "vault/bundle_json.h"
#include "vault/bundle_layout.h"
#include "vault/bundle_verify_internal.h"

namespace amanat::vault {
namespace {

using nlohmann::json;

// The paths of `t` are the three members of one stem that starts with its checkpoint's size.
bool PathsFit(const TimestampRef& t) {
  const std::string ext = ".tsr";
  if (ClassifyMember(t.token) != MemberKind::kTimestampToken) return false;
  const std::string stem = t.token.substr(0, t.token.size() - ext.size());
  const std::string size = kTimestampsDir + std::to_string(t.checkpoint_size);
  return t.chain == stem + ".chain.pem" && t.checkpoint == stem + ".checkpoint" &&
         (stem == size || stem.rfind(size + "-", 0) == 0) &&
         ClassifyMember(t.checkpoint) == MemberKind::kTimestampCheckpoint;
}

// The signed "timestamp" event `seq` of the bundle's own log, or nullptr.
const Event* TimestampEvent(const SectionResult& own, uint64_t seq) {
  for (const auto& pe : own.parsed) {
    if (pe && pe->event.sequence == seq && pe->event.action == "timestamp") return &pe->event;
  }
  return nullptr;
}

// Checks one token; returns the first problem, "" if none. Fills what it attests into `r`.
std::string CheckOne(const TimestampRef& t, const BundleMembers& members,
                     const BundleVerifyOptions& options, const BundleReport& report,
                     BundleTimestampResult* r) {
  const Manifest& m = report.manifest;
  const SectionResult& own = report.sections[0];
  if (!PathsFit(t)) return "the manifest names its files wrongly";
  const std::string* token = members.Find(t.token);
  const std::string* chain = members.Find(t.chain);
  const std::string* note = members.Find(t.checkpoint);
  if (token == nullptr) return "missing";
  if (auto info = crypto::ParseTimestampResponse(AsBytes(*token)); info.ok()) {
    r->gen_time_utc = info->gen_time;
    r->tsa = info->tsa;
    r->serial = info->serial;
    r->policy = info->policy;
  }
  if (chain == nullptr) return "its certificates " + t.chain + " are missing";
  if (note == nullptr) return "the checkpoint it covers, " + t.checkpoint + ", is missing";

  // The checkpoint: signed by the log key, extended by the bundle's checkpoint.
  if (!own.log_verifier) return "the bundle's log key is unusable";
  auto cp = crypto::OpenCheckpoint(*note, *own.log_verifier);
  if (!cp.ok()) return t.checkpoint + ": " + cp.status().message();
  if (cp->size != t.checkpoint_size) {
    return t.checkpoint + ": a checkpoint of size " + std::to_string(cp->size) + ", not " +
           std::to_string(t.checkpoint_size);
  }
  if (cp->size >= m.checkpoint_size) {
    return "covers a checkpoint (size " + std::to_string(cp->size) +
           ") that is not older than the bundle's";
  }
  auto proof = std::find_if(own.proofs.consistency.begin(), own.proofs.consistency.end(),
                            [&](const auto& p) { return p.from_size == cp->size; });
  if (proof == own.proofs.consistency.end()) {
    return "custody/proofs.json holds no consistency proof from size " + std::to_string(cp->size);
  }
  Status consistent =
      crypto::VerifyConsistency(cp->size, m.checkpoint_size, proof->path, cp->root, m.checkpoint_root);
  if (!consistent.ok()) {
    return "the bundle's log does not extend the checkpoint it covers (" + consistent.message() + ")";
  }

  // The token over that checkpoint, at its own genTime: first with the certificates the
  // bundle carries (is it sound at all?), then with the recipient's CAs (is the TSA trusted?).
  const Digest imprint = crypto::Sha256Of(*note);
  auto self = crypto::VerifyTimestampToken(AsBytes(*token), imprint, {*chain, *chain});
  if (!self.ok()) return self.status().message();
  if (!options.tsa_ca_pem.empty()) {
    auto trusted = crypto::VerifyTimestampToken(AsBytes(*token), imprint,
                                                {options.tsa_ca_pem, *chain});
    if (!trusted.ok()) {
      return "not trusted: its TSA does not chain to a --tsa-ca certificate (" +
             trusted.status().message() + ")";
    }
    r->trusted = true;
  }

  // The token the vault recorded: a signed event of this bundle names it.
  const Event* ev = TimestampEvent(own, t.event);
  if (ev == nullptr) {
    return "custody event " + std::to_string(t.event) +
           ", which should record it, is not a timestamp event of this bundle";
  }
  if (JsonField(ev->details, "tsr_sha256") != json(crypto::Sha256Hex(*token)) ||
      JsonField(ev->details, "checkpoint_size") != json(t.checkpoint_size) ||
      JsonField(ev->details, "checkpoint_sha256") != json(crypto::HexEncode(imprint))) {
    return "not the token custody event " + std::to_string(t.event) + " records";
  }
  return "";
}

}  // namespace

void CheckTimestamps(const BundleMembers& members, const BundleVerifyOptions& options,
                     BundleReport* report) {
  const Manifest& m = report->manifest;
  std::set<uint64_t> carried;
  std::set<std::string> paths;
  for (const auto& t : m.timestamps) {
    BundleTimestampResult r;
    r.size = t.checkpoint_size;
    r.event = t.event;
    r.token_path = t.token;
    if (!paths.insert(t.token).second) {
      r.problem = "the manifest lists it twice";
    } else {
      r.problem = CheckOne(t, members, options, *report, &r);
    }
    r.ok = r.problem.empty();
    if (!r.ok) {
      r.trusted = false;
      report->problems.push_back("timestamp " + t.token + ": " + r.problem);
    }
    carried.insert(t.event);
    report->timestamps.push_back(std::move(r));
  }
  // A token the vault recorded cannot be left out unseen.
  for (const auto& pe : report->sections[0].parsed) {
    if (pe && pe->event.action == "timestamp" && !carried.count(pe->event.sequence)) {
      report->problems.push_back("custody event " + std::to_string(pe->event.sequence) +
                                 ": records a timestamp token that the bundle does not carry");
    }
  }
  if (m.timestamps.empty()) return;
  report->checked.push_back(
      "timestamps: " + std::to_string(m.timestamps.size()) +
      (m.timestamps.size() == 1 ? " token" : " tokens, each") +
      " over a checkpoint signed by the log key that the bundle's checkpoint extends, its "
      "signature and TSA chain checked at its own genTime against " +
      (options.tsa_ca_pem.empty() ? std::string("the certificates the bundle carries (no --tsa-ca "
                                                "given: TSA not trusted)")
                                  : std::string("the --tsa-ca certificates")) +
      ", and recorded by a signed timestamp event");
}

}  // namespace amanat::vault
