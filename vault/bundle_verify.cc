#include "vault/bundle_verify.h"

#include <algorithm>
#include <set>

#include "crypto/age.h"
#include "crypto/encoding.h"
#include "crypto/minisign.h"
#include "vault/bundle_check_identity.h"
#include "vault/bundle_json.h"
#include "vault/bundle_layout.h"
#include "vault/bundle_verify_internal.h"
#include "vault/redactions.h"

namespace amanat::vault {
namespace {

using nlohmann::json;

class BundleVerifier {
 public:
  BundleVerifier(RandomAccessSource& source, const BundleVerifyOptions& options)
      : source_(source), options_(options) {}

  Result<BundleReport> Run() {
    ASSIGN_OR_RETURN(members_, ReadBundleMembers(source_, options_.progress));
    for (const auto& [path, why] : members_.damaged) Problem(why);
    for (const auto& path : members_.unknown) Problem(path + ": not part of a bundle (added?)");
    Checked("ZIP structure: " + std::to_string(members_.sha256.size() + members_.damaged.size() +
                                               members_.unknown.size()) +
            " members, each a stored regular file with a safe name, none overlapping");
    ASSIGN_OR_RETURN(bool manifest, CheckManifest());
    if (!manifest) return std::move(report_);
    CheckFiles();
    CheckSums();
    CheckSections();
    CheckExportEvent();
    CheckItemRecords();
    CheckProvenance();
    CheckReceivedLinks();
    CheckIdentities();
    CheckRedactions();
    CheckKeyFiles(members_, &report_);
    CollectSigners(options_, &report_);
    CheckAgainst(options_, &report_);
    CheckTimestamps(members_, options_, &report_);
    BuildTimeline(&report_);
    return std::move(report_);
  }

 private:
  void Problem(std::string p) {
    for (char& c : p) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    report_.problems.push_back(std::move(p));
  }
  void Checked(std::string c) { report_.checked.push_back(std::move(c)); }
  const std::string* Contents(const std::string& path) const {
    auto it = members_.contents.find(path);
    return it == members_.contents.end() ? nullptr : &it->second;
  }
  BundleItemResult* ItemResult(const std::string& id) {
    for (auto& r : report_.items) {
      if (r.id == id) return &r;
    }
    return nullptr;
  }
  void ItemProblem(const std::string& id, const std::string& p) {
    Problem("item " + id + ": " + p);
    BundleItemResult* r = ItemResult(id);
    if (r != nullptr && r->ok) {
      r->ok = false;
      r->problem = p;
    }
  }

  // The manifest's signature over its exact bytes comes first: after a changed byte, nothing
  // in it can be believed, not even which key should have signed it.
  Result<bool> CheckManifest() {
    const std::string* sig = Contents(kManifestSigPath);
    const std::string* text = Contents(kManifestPath);
    for (const char* p : {kManifestPath, kManifestSigPath}) {
      if (Contents(p) == nullptr && !members_.damaged.count(p)) Problem(std::string(p) + ": missing");
    }
    if (sig == nullptr || text == nullptr) return false;
    auto number = crypto::MinisignSignatureKeyNumber(*sig);
    if (!number.ok()) {
      Problem(std::string(kManifestSigPath) + ": " + number.status().message());
      return false;
    }
    std::string key_path;
    crypto::MinisignPublicKey key;
    for (const auto& [path, data] : members_.contents) {
      if (ClassifyMember(path) != MemberKind::kMinisignKey) continue;
      auto k = crypto::ParseMinisignPublicKey(data);
      if (k.ok() && k->key_number == *number) {
        key_path = path;
        key = *k;
      }
    }
    if (key_path.empty()) {
      std::string files;
      for (const auto& [path, data] : members_.contents) {
        if (ClassifyMember(path) == MemberKind::kMinisignKey) files += (files.empty() ? "" : ", ") + path;
      }
      Problem(std::string(kManifestSigPath) + ": made by minisign key " +
              crypto::MinisignKeyNumberText(*number) + ", which no key file holds (" +
              (files.empty() ? std::string("no keys/*.minisign.pub") : files) + ")");
      return false;
    }
    auto v = crypto::MinisignVerify(key, AsBytes(*text), *sig);
    if (!v.ok() && v.status().code() == Code::kInvalidInput) {
      Problem(std::string(kManifestSigPath) + ": " + v.status().message());
      return false;
    }
    if (!v.ok()) {
      Problem(std::string(kManifestPath) + ": the exporter's signature (" + kManifestSigPath +
              ") does not verify with " + key_path + " (" + v.status().message() + ")");
      return false;
    }
    ASSIGN_OR_RETURN(report_.manifest, Manifest::Parse(*text));
    const Manifest& m = report_.manifest;
    report_.manifest_bytes = *text;
    report_.manifest_sha256 = members_.sha256.at(kManifestPath);
    report_.manifest_signature = *sig;
    std::string who, id;
    if (!ParseKeyPath(key_path, &who, &id) || who != m.exporter || id != m.exporter_key_id ||
        key.public_key != m.exporter_public_key) {
      Problem(std::string(kManifestSigPath) + ": signed with " + key_path +
              ", not by the exporter the manifest names (" + m.exporter + ", key " +
              m.exporter_key_id + ")");
    }
    if (v->trusted_comment != ManifestTrustedComment(m)) {
      Problem(std::string(kManifestSigPath) + ": trusted comment does not describe this manifest");
    }
    if (v->untrusted_comment != ManifestUntrustedComment(m)) {
      Problem(std::string(kManifestSigPath) + ": untrusted comment was changed");
    }
    report_.manifest_ok = true;
    for (const auto& it : m.items) {
      report_.items.push_back({it.id, it.size, it.kind, JsonStringField(it.metadata, "filename"),
                               true, "", "", it.sealed.has_value()});
    }
    Checked("manifest signature: minisign, exporter " + m.exporter + " key " + m.exporter_key_id);
    return true;
  }

  // Every member is the one the signed manifest lists, and nothing else is there.
  void CheckFiles() {
    const Manifest& m = report_.manifest;
    std::set<std::string> listed;
    for (const auto& f : m.files) {
      const MemberKind kind = ClassifyMember(f.path);
      if (kind == MemberKind::kItem || kind == MemberKind::kManifest ||
          kind == MemberKind::kManifestSig || kind == MemberKind::kSums || kind == MemberKind::kUnknown) {
        Problem("manifest.json: its file list names " + f.path + ", which cannot be there");
        continue;
      }
      if (!listed.insert(f.path).second) Problem("manifest.json: lists " + f.path + " twice");
      if (members_.damaged.count(f.path)) continue;
      auto h = members_.sha256.find(f.path);
      if (h == members_.sha256.end()) {
        Problem(f.path + ": missing (the manifest lists it)");
      } else if (h->second != f.sha256 || members_.sizes.at(f.path) != f.size) {
        Problem(f.path + ": changed (its SHA-256 differs from the one in the signed manifest)");
      }
    }
    std::set<std::string> ids, item_paths;
    for (const auto& it : m.items) {
      if (!ids.insert(it.id).second) Problem("manifest.json: lists item " + it.id + " twice");
      item_paths.insert(it.Path());
    }
    for (const auto& [path, hex] : members_.sha256) {
      const MemberKind kind = ClassifyMember(path);
      if (kind == MemberKind::kManifest || kind == MemberKind::kManifestSig || kind == MemberKind::kSums) {
        continue;
      }
      bool known = kind == MemberKind::kItem ? item_paths.count(path) > 0 : listed.count(path) > 0;
      if (!known) Problem(path + ": not listed in the signed manifest (added?)");
    }
    for (const auto& it : m.items) {
      const std::string path = it.Path();
      if (members_.damaged.count(path)) {
        ItemProblem(it.id, members_.damaged.at(path));
        continue;
      }
      auto h = members_.sha256.find(path);
      if (h != members_.sha256.end()) {
        if (BundleItemResult* r = ItemResult(it.id)) r->sha256 = h->second;
      }
      if (h == members_.sha256.end()) {
        ItemProblem(it.id, "missing from the bundle");
      } else if (it.sealed) {
        if (h->second != it.sealed->sha256 || members_.sizes.at(path) != it.sealed->size) {
          ItemProblem(it.id, path + ": sealed content changed (its SHA-256 or size differs from "
                                    "the signed manifest's)");
        }
      } else if (h->second != it.id) {
        ItemProblem(it.id, "content does not match its ID (its SHA-256 is " + h->second + ")");
      } else if (members_.sizes.at(path) != it.size) {
        ItemProblem(it.id, "size differs from the manifest");
      }
    }
    Checked("members: compared with the " + std::to_string(m.files.size()) + " files and " +
            std::to_string(m.items.size()) + (m.items.size() == 1 ? " item" : " items") +
            " the signed manifest lists (SHA-256 and size)");
  }

  // SHA256SUMS must be exactly what sha256sum would write for the members as they are.
  void CheckSums() {
    const std::string* sums = Contents(kSumsPath);
    if (sums == nullptr) {
      if (!members_.damaged.count(kSumsPath)) Problem(std::string(kSumsPath) + ": missing");
      return;
    }
    std::map<std::string, std::string> want;
    for (const auto& [path, hex] : members_.sha256) {
      if (path != kSumsPath) want[path] = hex;
    }
    if (FormatSha256Sums(want) == *sums) {
      Checked("SHA256SUMS: " + std::to_string(want.size()) + " lines, each matching its member");
      return;
    }
    std::map<std::string, std::string> got;
    size_t start = 0;
    while (start < sums->size()) {
      size_t nl = sums->find('\n', start);
      if (nl == std::string::npos) nl = sums->size();
      std::string line = sums->substr(start, nl - start);
      if (line.size() > 66) got[line.substr(66)] = line.substr(0, 64);
      start = nl + 1;
    }
    for (const auto& [path, hex] : want) {
      auto g = got.find(path);
      if (g == got.end()) {
        Problem(std::string(kSumsPath) + ": does not list " + path);
        return;
      }
      if (g->second != hex) {
        Problem(std::string(kSumsPath) + ": the line for " + path + " does not match " + path);
        return;
      }
    }
    Problem(std::string(kSumsPath) + ": not exactly the list of the bundle's members");
  }

  void CheckSections() {
    const Manifest& m = report_.manifest;
    std::vector<SectionInput> inputs;
    inputs.push_back({0, m.origin, m.log_key, m.checkpoint_size, m.checkpoint_root, m.events});
    for (size_t i = 0; i < m.received.size(); ++i) {
      const ReceivedSection& r = m.received[i];
      if (r.path != SectionDir(i + 1)) {
        Problem("manifest.json: received section " + r.path + " should be " + SectionDir(i + 1));
      }
      inputs.push_back({i + 1, r.origin, r.log_key, r.checkpoint_size, r.checkpoint_root, r.events});
    }
    size_t events = 0;
    for (const auto& in : inputs) {
      SectionResult result;
      CheckSection(in, members_, &result, &report_.problems);
      events += result.entries.size();
      report_.sections.push_back(std::move(result));
    }
    Checked("custody: " + std::to_string(events) + " entries in " + std::to_string(inputs.size()) +
            (inputs.size() == 1 ? " log" : " logs") + ", each against the manifest's list, its log's key history and signatures, "
            "the hash chain where consecutive, and its inclusion proof to the signed checkpoint");
  }

  const ParsedEntry* LastOwnEvent() const {
    const SectionResult& own = report_.sections[0];
    if (own.parsed.empty() || !own.parsed.back()) return nullptr;
    return &*own.parsed.back();
  }

  // The bundle's last entry is its own export: by the manifest's signer, naming its items.
  void CheckExportEvent() {
    const Manifest& m = report_.manifest;
    if (m.events.empty() || m.events.back().sequence != m.export_event ||
        m.export_event + 1 != m.checkpoint_size) {
      Problem("manifest.json: the export event is not the last entry of the bundle's checkpoint");
      return;
    }
    const ParsedEntry* last = LastOwnEvent();
    if (last == nullptr) return;  // reported by the section check
    const Event& ev = last->event;
    std::set<std::string> subjects(ev.subjects.begin(), ev.subjects.end()), items;
    for (const auto& it : m.items) items.insert(it.id);
    std::string what;
    if (ev.action != "export") what = "it is a " + ev.action + " event";
    else if (ev.actor != m.exporter || ev.actor_key_id != m.exporter_key_id) what = "another custodian made it";
    else if (subjects != items) what = "it names other items";
    else if (ev.purpose != m.purpose) what = "its purpose differs";
    else if (ev.time != m.created) what = "its time differs";
    if (!what.empty()) {
      Problem("custody event " + std::to_string(ev.sequence) + ": the export event does not match the manifest (" +
              what + ")");
      return;
    }
    Checked("export event " + std::to_string(ev.sequence) + ": by " + ev.actor + ", the last entry of "
            "the checkpoint, naming exactly the manifest's " + std::to_string(items.size()) +
            (items.size() == 1 ? " item" : " items"));
  }

  // The ingest event's details, or the import event's record of `id`; nullptr if none.
  static const json* RecordFor(const Event& ev, const std::string& id) {
    if (ev.action == "ingest" || ev.action == "derive") return &ev.details;
    const json& list = JsonField(ev.details, "items");
    if (!list.is_array()) return nullptr;
    for (const auto& r : list) {
      if (JsonStringField(r, "id") == id) return &r;
    }
    return nullptr;
  }

  bool IngestedInReceived(const std::string& id) const {
    for (size_t s = 1; s < report_.sections.size(); ++s) {
      for (const auto& pe : report_.sections[s].parsed) {
        if (pe && pe->event.action == "ingest" &&
            std::count(pe->event.subjects.begin(), pe->event.subjects.end(), id)) {
          return true;
        }
      }
    }
    return false;
  }

  // What the manifest says about each item is what its first signed record says.
  void CheckItemRecords() {
    for (const auto& it : report_.manifest.items) {
      const Event* first = nullptr;
      for (const auto& pe : report_.sections[0].parsed) {
        if (!pe) continue;
        // A derived item's first record is the derive event that stored it (amanat derive,
        // redact): it carries size, media type and metadata like an ingest. A derive event
        // recorded about an item already stored carries no size and is not its record.
        const bool stored_by_derive =
            pe->event.action == "derive" && JsonField(pe->event.details, "size").is_number();
        if (pe->event.action != "ingest" && pe->event.action != "import" && !stored_by_derive) {
          continue;
        }
        if (std::count(pe->event.subjects.begin(), pe->event.subjects.end(), it.id)) {
          first = &pe->event;
          break;
        }
      }
      if (first == nullptr) {
        ItemProblem(it.id, "no ingest, derive or import event for it in the bundle");
        continue;
      }
      const json* rec = RecordFor(*first, it.id);
      if (rec == nullptr || JsonField(*rec, "size") != json(it.size) ||
          JsonField(*rec, "media_type") != json(it.media_type) ||
          JsonField(*rec, "metadata") != it.metadata || JsonField(it.metadata, "kind") != json(it.kind)) {
        ItemProblem(it.id, "the manifest's description differs from its signed " + first->action +
                               " record (custody event " + std::to_string(first->sequence) + ")");
        continue;
      }
      if (first->action == "import" && !IngestedInReceived(it.id)) {
        ItemProblem(it.id, "imported, but no received record holds its ingest");
      }
      CheckSealedRecord(it, *first, *rec);
    }
    CheckSealedSummary();
  }

  // Sealed content: the manifest's sealed record is the one the signed event recorded, and
  // it is sealed to the HQ identity key the field vault's signed init event names.
  void CheckSealedRecord(const BundleItem& it, const Event& first, const json& rec) {
    const json& signed_sealed = JsonField(rec, "sealed");
    if (!it.sealed) {
      if (!signed_sealed.is_null()) {
        ItemProblem(it.id, "its signed " + first.action + " record says its content is sealed, "
                           "but the manifest carries it unsealed");
      }
      return;
    }
    const json want = {{"format", it.sealed->format},
                       {"sha256", it.sealed->sha256},
                       {"size", it.sealed->size}};
    if (signed_sealed != want) {
      ItemProblem(it.id, "the manifest's sealed record differs from its signed " + first.action +
                             " record (custody event " + std::to_string(first.sequence) + ")");
      return;
    }
    if (it.sealed->to != SealedToByInit()) {
      ItemProblem(it.id, "sealed to " + it.sealed->to +
                             ", not to the HQ identity key of the signed init event");
    }
  }

  // The age recipient of HQ's identity key, from the bundle's own init event, if that event
  // made a field vault that seals content; "" otherwise.
  std::string SealedToByInit() const {
    for (const auto& pe : report_.sections[0].parsed) {
      if (!pe || pe->event.action != "init") continue;
      const json& d = pe->event.details;
      if (JsonField(d, "seal_content") != json(true)) return "";
      auto pk = crypto::Base64DecodeFixed<32>(JsonStringField(JsonField(d, "hq"), "identity_key"));
      if (!pk.ok()) return "";
      return crypto::AgeRecipient::FromPublicKey(*pk).ToString();
    }
    return "";
  }

  void CheckSealedSummary() {
    size_t sealed = 0;
    std::string to;
    for (const auto& it : report_.manifest.items) {
      if (!it.sealed) continue;
      ++sealed;
      to = it.sealed->to;
    }
    if (sealed == 0) return;
    Checked("sealed content: " + std::to_string(sealed) + (sealed == 1 ? " item" : " items") +
            " sealed to HQ (" + to + ") as items/<id>.age; each member's SHA-256 and size match "
            "the signed manifest and the sealed record of its signed event; the plaintext's "
            "SHA-256 (the item ID) can only be checked by HQ, which holds the key");
  }

  void CheckProvenance() {
    std::vector<ProvenanceEdge> edges;
    for (const auto& s : report_.sections) {
      for (const auto& pe : s.parsed) {
        if (!pe) continue;
        std::string relation = JsonStringField(pe->event.details, "relation");
        for (const auto& child : pe->event.subjects) {
          for (const auto& parent : pe->event.parents) {
            edges.push_back({parent, child, relation, s.origin, pe->event.sequence});
          }
        }
      }
    }
    if (edges != report_.manifest.provenance) {
      Problem("manifest.json: its provenance differs from the parents named in the signed events");
    }
  }

  // A received section must be named by a signed import event of some log in the bundle.
  void CheckReceivedLinks() {
    const Manifest& m = report_.manifest;
    for (const auto& r : m.received) {
      const std::string root = crypto::Base64Encode(r.checkpoint_root);
      bool named = false;
      for (const auto& s : report_.sections) {
        for (const auto& pe : s.parsed) {
          if (!pe || pe->event.action != "import") continue;
          const json& list = JsonField(pe->event.details, "sections");
          if (!list.is_array()) continue;
          for (const auto& e : list) {
            named = named || (JsonStringField(e, "origin") == r.origin &&
                              JsonField(e, "checkpoint_size") == json(r.checkpoint_size) &&
                              JsonStringField(e, "checkpoint_root") == root);
          }
        }
      }
      if (!named) Problem(r.path + ": no signed import event names this record of " + r.origin);
    }
  }

  const Event* OwnEvent(uint64_t sequence) const {
    for (const auto& pe : report_.sections[0].parsed) {
      if (pe && pe->event.sequence == sequence) return &pe->event;
    }
    return nullptr;
  }

  // Whether the own log has an `unseal` of `pseudonym` to exactly `to`, before the export.
  bool UnsealedTo(const std::string& pseudonym, const json& to) const {
    for (const auto& pe : report_.sections[0].parsed) {
      if (pe && pe->event.action == "unseal" && pe->event.sequence < report_.manifest.export_event &&
          JsonStringField(pe->event.details, "pseudonym") == pseudonym &&
          JsonField(pe->event.details, "sealed_to") == to) {
        return true;
      }
    }
    return false;
  }

  // Each identity record is the one its signed witness-add event recorded (sealed form: by its
  // SHA-256; age form, which no one here can open: by pseudonym, with a signed unseal to the
  // same recipients; a record the exporter received: CheckReceivedIdentity), the export event
  // lists exactly the records carried and their recipients, and no identities/ member is
  // unlisted.
  void CheckIdentities() {
    const Manifest& m = report_.manifest;
    const ParsedEntry* last = LastOwnEvent();
    const bool export_last = last != nullptr && last->event.action == "export";
    const json& logged_to =
        export_last ? JsonField(last->event.details, "identities_sealed_to") : json();
    std::set<std::string> listed;
    size_t age = 0, received = 0;
    for (const auto& r : m.identities) {
      const std::string path = r.Path();
      const bool is_age = r.format == kAgeIdentityFormat;
      age += is_age ? 1 : 0;
      if (!listed.insert(kIdentitiesDir + r.pseudonym).second) {
        Problem("manifest.json: lists identity " + r.pseudonym + " twice");
      }
      auto h = members_.sha256.find(path);
      if (h == members_.sha256.end()) {
        if (!members_.damaged.count(path)) Problem(path + ": missing (the manifest lists it)");
        continue;
      }
      if (h->second != r.sealed_sha256) {
        Problem(path + ": changed (its SHA-256 differs from the one in the signed manifest)");
        continue;
      }
      const Event* add = OwnEvent(r.event);
      if (!r.received_from.empty()) {
        ++received;
        const std::string why = CheckReceivedIdentity(r, report_);
        if (!why.empty()) {
          Problem(path + ": " + why);
          continue;
        }
      } else if (add == nullptr || add->action != "witness-add" ||
                 JsonStringField(add->details, "pseudonym") != r.pseudonym ||
                 (!is_age && JsonStringField(add->details, "sealed_sha256") != r.sealed_sha256)) {
        Problem(path + ": not the record of a signed witness-add event in the bundle (custody "
                       "event " + std::to_string(r.event) + ")");
        continue;
      }
      const std::string* data = Contents(path);
      if (!is_age) {
        if (logged_to.is_array()) {
          Problem(path + ": sealed, but the signed export event lists age recipients");
        } else if (data != nullptr) {
          report_.sealed_identities[r.pseudonym] = *data;
        }
        continue;
      }
      const json to = r.age_to;
      if (data == nullptr || !crypto::IsAgeFile(AsBytes(*data))) {
        Problem(path + ": not an age file");
      } else if (export_last && logged_to != to) {
        Problem(path + ": its recipients differ from those the signed export event lists");
      } else if (!UnsealedTo(r.pseudonym, to)) {
        Problem(path + ": no signed unseal event in the bundle opened it for these recipients");
      }
    }
    for (const auto& [path, hex] : members_.sha256) {
      if (ClassifyMember(path) != MemberKind::kIdentity) continue;
      bool known = false;
      for (const auto& r : m.identities) known = known || r.Path() == path;
      if (!known) Problem(path + ": an identity record the manifest does not list (added?)");
    }
    if (export_last) {
      json names = json::array();
      for (const auto& r : m.identities) names.push_back(r.pseudonym);
      const json& logged = JsonField(last->event.details, "identities");
      if (!(logged.is_null() && m.identities.empty()) && logged != names) {
        Problem("manifest.json: its identity records differ from those the signed export event "
                "lists");
      }
    }
    if (age > received) {
      Checked("identities: " + std::to_string(age - received) +
              " records encrypted to age recipients, each named by its signed witness-add event "
              "and opened for those recipients by a signed unseal event (they open only with "
              "the recipients' keys)");
    }
    if (received > 0) {
      Checked("identities: " + std::to_string(received) +
              " records received from another vault and encrypted to age recipients, each "
              "opened for those recipients by the exporter's signed unseal event, which names "
              "the sealed record that the sealing vault's signed witness-add event in the "
              "bundle recorded (they open only with the recipients' keys)");
    }
    if (m.identities.size() > age) {
      Checked("identities: " + std::to_string(m.identities.size() - age) +
              " sealed records, each the one its signed witness-add event recorded (they open "
              "only with the key they are sealed to)");
    }
  }

  // Each redaction record is the one its signed derive event commits to, names a redacted
  // item of the manifest, and the original is not in the bundle.
  void CheckRedactions() {
    const Manifest& m = report_.manifest;
    std::set<std::string> items, listed;
    for (const auto& it : m.items) items.insert(it.id);
    for (const auto& r : m.redactions) {
      const std::string path = RedactionPath(r.item);
      if (!listed.insert(path).second) {
        Problem("manifest.json: lists redaction of " + r.item + " twice");
      }
      if (!items.count(r.item)) {
        Problem("manifest.json: redaction of " + r.item + ", which it does not list");
      }
      if (items.count(r.original)) {
        Problem("manifest.json: item " + r.original + " is in the bundle although it is listed as "
                "an original replaced by its redaction");
      }
      const std::string* data = Contents(path);
      if (data == nullptr) {
        if (!members_.damaged.count(path)) Problem(path + ": missing (the manifest lists it)");
        continue;
      }
      if (members_.sha256.at(path) != r.record_sha256) {
        Problem(path + ": changed (its SHA-256 differs from the one in the signed manifest)");
        continue;
      }
      auto record = RedactionRecord::Parse(AsBytes(*data));
      if (!record.ok()) {
        Problem(path + ": " + record.status().message());
        continue;
      }
      const Event* ev = nullptr;
      for (const auto& pe : report_.sections[0].parsed) {
        if (pe && pe->event.sequence == r.event) ev = &pe->event;
      }
      Status s = ev == nullptr ? VerifyFailed("its derive event is not in the bundle")
                               : CheckRedactionEvent(*ev, AsBytes(*data), *record);
      if (s.ok() && (record->redacted != r.item || record->original != r.original)) {
        s = VerifyFailed("it names other items than the manifest");
      }
      if (!s.ok()) {
        Problem(path + ": not the record of custody event " + std::to_string(r.event) + " (" +
                s.message() + ")");
        continue;
      }
      report_.redactions[r.item] = BundleRedaction{std::move(*record), r.event};
    }
    for (const auto& [path, hex] : members_.sha256) {
      if (ClassifyMember(path) == MemberKind::kRedaction && !listed.count(path)) {
        Problem(path + ": a redaction record the manifest does not list (added?)");
      }
    }
    const ParsedEntry* last = LastOwnEvent();
    if (last != nullptr && last->event.action == "export") {
      json pairs = json::array();
      for (const auto& r : m.redactions) {
        pairs.push_back({{"original", r.original}, {"item", r.item}});
      }
      const json& logged = JsonField(last->event.details, "redacted");
      if (!(logged.is_null() && m.redactions.empty()) && logged != pairs) {
        Problem("manifest.json: its redactions differ from those the signed export event lists");
      }
    }
    if (!m.redactions.empty()) {
      Checked("redactions: " + std::to_string(m.redactions.size()) +
              " redacted items in place of their originals, each record the one its signed "
              "derive event commits to");
    }
  }

  RandomAccessSource& source_;
  const BundleVerifyOptions& options_;
  BundleMembers members_;
  BundleReport report_;
};

}  // namespace

std::string CustodianVerifierKey(const std::string& custodian, const crypto::Ed25519PublicKey& pk) {
  return crypto::FormatVerifierKey(custodian, pk);
}

Result<BundleReport> VerifyBundle(RandomAccessSource& source, const BundleVerifyOptions& options) {
  // Every JSON access above is guarded; this is the net under them, so that a value of an
  // unexpected type in a signed entry can never end the process.
  try {
    return BundleVerifier(source, options).Run();
  } catch (const nlohmann::json::exception& e) {
    return InvalidInput(std::string("bundle: unexpected JSON value (") + e.what() + ")");
  }
}

}  // namespace amanat::vault
