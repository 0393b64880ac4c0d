#include "vault/bundle_writer.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <set>

#include "amanat_version.h"
#include "crypto/checkpoint.h"
#include "crypto/encoding.h"
#include "crypto/minisign.h"
#include "crypto/sha256.h"
#include "vault/bundle_identities.h"
#include "vault/bundle_json.h"
#include "vault/bundle_layout.h"
#include "vault/bundle_manifest.h"
#include "vault/bundle_proofs.h"
#include "vault/bundle_sections.h"
#include "vault/custodians.h"
#include "vault/hq_keys.h"
#include "vault/key_history.h"
#include "vault/received.h"
#include "vault/redactions.h"
#include "vault/witnesses.h"
#include "vault/timestamps.h"
#include "vault/zip_writer.h"

namespace amanat::vault {
namespace {

using nlohmann::json;

Result<std::vector<uint64_t>> SeqsWhere(Db& db, const std::string& sql, uint64_t below) {
  ASSIGN_OR_RETURN(Stmt st, db.Prepare(sql));
  st.Bind(1, static_cast<int64_t>(below));
  std::vector<uint64_t> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(static_cast<uint64_t>(st.ColumnInt(0)));
  }
  return out;
}

// Items derived from `items`, transitively: subjects of events whose `parents` name one.
Result<std::vector<ItemInfo>> AddDerived(Vault& vault, std::vector<ItemInfo> items) {
  std::set<std::string> have;
  for (const auto& it : items) have.insert(it.id);
  ASSIGN_OR_RETURN(Stmt st, vault.db().Prepare("SELECT entry FROM events WHERE action IN "
                                               "('derive', 'redact') ORDER BY seq"));
  std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> edges;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    auto pe = ParseEntry(st.ColumnBlob(0));
    if (!pe.ok()) return VerifyFailed(pe.status().message() + " (run amanat verify)");
    edges.emplace_back(pe->event.parents, pe->event.subjects);
  }
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [parents, children] : edges) {
      if (std::none_of(parents.begin(), parents.end(), [&](const auto& p) { return have.count(p); })) {
        continue;
      }
      for (const auto& c : children) {
        if (have.count(c)) continue;
        ASSIGN_OR_RETURN(ItemInfo child, ResolveItem(vault, c));
        RETURN_IF_ERROR(RequireRead(vault, child));
        have.insert(c);
        items.push_back(std::move(child));
        grew = true;
      }
    }
  }
  return items;
}

Result<std::string> StoredCheckpoint(Db& db, uint64_t size) {
  ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT note FROM checkpoints WHERE size = ?"));
  st.Bind(1, static_cast<int64_t>(size));
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return IoError("custody log: no stored checkpoint at size " + std::to_string(size));
  return st.ColumnText(0);
}

// This vault's own section: every event about the items, the key history, the timestamp
// events (whose tokens the bundle carries), and the export event itself, with their proofs
// against the checkpoint that the export committed.
Result<SectionParts> OwnSection(Vault& vault, const std::vector<std::string>& ids,
                                uint64_t export_seq, const std::set<uint64_t>& extra) {
  const uint64_t size = export_seq + 1;
  SectionParts s;
  s.received_index = 0;
  s.origin = vault.origin();
  s.log_key = vault.keyslots().log_verifier_key;
  ASSIGN_OR_RETURN(s.checkpoint_note, StoredCheckpoint(vault.db(), size));
  ASSIGN_OR_RETURN(crypto::Checkpoint cp, crypto::OpenCheckpoint(s.checkpoint_note, vault.LogVerifier()));
  if (cp.size != size) return IoError("custody log: the export's checkpoint has the wrong size");
  s.checkpoint_root = cp.root;

  std::set<uint64_t> seqs = {export_seq};
  seqs.insert(extra.begin(), extra.end());
  ASSIGN_OR_RETURN(auto history,
                   SeqsWhere(vault.db(),
                             "SELECT seq FROM events WHERE seq < ? AND action IN ('init', "
                             "'custodian-add', 'custodian-revoke', 'custodian-rotate', "
                             "'custodian-grant', 'custodian-revoke-grant', 'timestamp')",
                             size));
  seqs.insert(history.begin(), history.end());
  for (const auto& id : ids) {
    ASSIGN_OR_RETURN(auto about, vault.log().EventsAbout(id));
    for (uint64_t q : about) {
      if (q < size) seqs.insert(q);
    }
  }
  s.proofs.tree_size = size;
  for (uint64_t q : seqs) {
    ASSIGN_OR_RETURN(Bytes entry, vault.log().Entry(q));
    ASSIGN_OR_RETURN(auto path, vault.log().InclusionProof(q, size));
    s.entries.push_back({q, std::move(entry)});
    s.proofs.inclusion.push_back({q, std::move(path)});
  }
  // Checkpoints that left in earlier bundles (an export at sequence e closed its bundle with
  // the checkpoint of size e + 1) and timestamped checkpoints.
  ASSIGN_OR_RETURN(auto exports,
                   SeqsWhere(vault.db(), "SELECT seq + 1 FROM events WHERE seq < ? AND action = 'export'",
                             export_seq));
  ASSIGN_OR_RETURN(auto stamped, SeqsWhere(vault.db(),
                                           "SELECT checkpoint_size FROM timestamps WHERE "
                                           "event_seq < ?",
                                           export_seq));
  std::set<uint64_t> from(exports.begin(), exports.end());
  from.insert(stamped.begin(), stamped.end());
  for (uint64_t m : from) {
    if (m >= size) continue;
    ASSIGN_OR_RETURN(auto path, vault.log().ConsistencyProof(m, size));
    s.proofs.consistency.push_back({m, std::move(path)});
  }
  return s;
}

struct Replaced {
  std::string original;
  std::string redacted;
  uint64_t event = 0;
  std::string record;  // exactly as the derive event commits to it
};

// export --redacted: each item that has a redaction is replaced by its newest redaction.
Result<std::vector<ItemInfo>> ReplaceByRedactions(Vault& vault, const std::vector<ItemInfo>& items,
                                                  std::vector<Replaced>* replaced) {
  std::vector<ItemInfo> out;
  std::set<std::string> seen;
  for (const auto& it : items) {
    ASSIGN_OR_RETURN(auto found, FindRedactions(vault, "", it.id));
    const StoredRedaction* newest = nullptr;
    for (const auto& r : found) {
      if (r.record.original == it.id) newest = &r;
    }
    if (newest == nullptr) {
      if (seen.insert(it.id).second) out.push_back(it);
      continue;
    }
    ASSIGN_OR_RETURN(ItemInfo red, ResolveItem(vault, newest->record.redacted));
    RETURN_IF_ERROR(RequireRead(vault, red));
    replaced->push_back({it.id, red.id, newest->sequence,
                         std::string(AsChars(ByteView(newest->record_bytes)))});
    if (seen.insert(red.id).second) out.push_back(std::move(red));
  }
  return out;
}

// Every timestamp token recorded before the export, with its certificates and the
// checkpoint it covers, as members of `small`; returns their manifest entries.
Result<std::vector<TimestampRef>> AddTimestamps(Vault& vault, uint64_t export_seq,
                                                std::map<std::string, std::string>* small) {
  ASSIGN_OR_RETURN(std::vector<StoredTimestamp> stored, ListTimestamps(vault));
  std::vector<TimestampRef> out;
  std::map<uint64_t, size_t> per_size;
  for (const auto& t : stored) {
    if (t.event_seq >= export_seq) continue;
    if (t.checkpoint.empty() || t.checkpoint_size > t.event_seq) {
      return VerifyFailed("custody event " + std::to_string(t.event_seq) +
                          ": its timestamp covers no checkpoint the vault signed before it")
          .WithHint("run `amanat verify`");
    }
    const TimestampPaths p = TimestampPathsFor(t.checkpoint_size, ++per_size[t.checkpoint_size]);
    (*small)[p.token] = std::string(AsChars(t.response));
    (*small)[p.chain] = t.trust.chain_pem + t.trust.ca_pem;
    (*small)[p.checkpoint] = t.checkpoint;
    out.push_back({t.checkpoint_size, t.event_seq, p.token, p.chain, p.checkpoint});
  }
  return out;
}

Status WriteZip(Vault& vault, const std::map<std::string, std::string>& small,
                const std::vector<ItemInfo>& items, int64_t mtime, const ByteSink& sink,
                const ProgressFn& progress, uint64_t* bytes) {
  ASSIGN_OR_RETURN(auto zip, ZipWriter::Open(sink, {mtime, false}));
  // The three files a reader looks at first, then the rest of the small ones, then content.
  for (const char* first : {kManifestPath, kManifestSigPath, kSumsPath, kReadmePath}) {
    RETURN_IF_ERROR(zip->Add(first, AsBytes(small.at(first))));
  }
  for (const auto& [path, data] : small) {
    if (path == kManifestPath || path == kManifestSigPath || path == kSumsPath || path == kReadmePath) {
      continue;
    }
    RETURN_IF_ERROR(zip->Add(path, AsBytes(data)));
  }
  uint64_t before = 0;
  for (const auto& item : items) {
    // Content sealed to HQ leaves as stored: the age file, never opened here.
    const uint64_t size = item.sealed ? item.sealed->size : item.size;
    RETURN_IF_ERROR(zip->Begin(item.sealed ? SealedItemPath(item.id) : kItemsDir + item.id, size));
    auto write = [&](ByteView d) { return zip->Write(d); };
    auto report = [&](uint64_t done) {
      if (progress) progress(before + done);
    };
    Status s = item.sealed ? ExtractSealedItem(vault, item, write, report)
                           : ExtractItem(vault, item, write, report);
    RETURN_IF_ERROR(s.Context("exporting"));
    RETURN_IF_ERROR(zip->End());
    before += size;
  }
  RETURN_IF_ERROR(zip->Finish());
  *bytes = zip->bytes_written();
  return OkStatus();
}

}  // namespace

Status BundleNotWritten(uint64_t export_event, const Status& cause) {
  std::string hint = cause.hint();
  if (hint.empty()) hint = "fix the cause and export again (the log keeps both export events)";
  return Status(cause.code(),
                "export event " + std::to_string(export_event) +
                    " is on record, but its bundle was not written: " + cause.message(),
                std::move(hint));
}

Result<ExportResult> ExportBundle(Vault& vault, const ExportOptions& options, const ByteSink& sink,
                                  const ProgressFn& progress) {
  if (options.items.empty()) return InvalidInput("export: no items given");
  std::vector<ItemInfo> items;
  std::set<std::string> seen;
  for (const auto& it : options.items) {
    if (!seen.insert(it.id).second) continue;
    RETURN_IF_ERROR(RequireRead(vault, it));
    items.push_back(it);
  }
  if (options.with_derived && options.redacted) {
    return InvalidInput("--redacted and --with-derived do not go together: the derived items "
                        "of an original would carry what its redaction removes");
  }
  if (options.with_derived) {
    ASSIGN_OR_RETURN(items, AddDerived(vault, std::move(items)));
  }
  std::vector<Replaced> replaced;
  if (options.redacted) {
    ASSIGN_OR_RETURN(items, ReplaceByRedactions(vault, items, &replaced));
  }
  std::vector<std::string> ids;
  for (const auto& it : items) ids.push_back(it.id);
  ExportIdentities gathered;
  std::vector<ExportIdentity>& identities = gathered.records;
  std::string identity_key;
  const bool to_age = !options.identities_to.empty();
  json age_to = json::array();
  for (const auto& r : options.identities_to) age_to.push_back(r.ToString());
  if (to_age && !options.include_identities) {
    return InvalidInput("--to goes with --include-identities (it names who the identity records "
                        "are encrypted to)");
  }
  if (options.include_identities) {
    ASSIGN_OR_RETURN(gathered,
                     GatherIdentities(vault, items, options.identities_to, options.purpose));
    if (!to_age) {
      ASSIGN_OR_RETURN(crypto::BoxPublicKey pk, VaultIdentityKey(vault));
      identity_key = crypto::Base64Encode(pk);
    }
  }
  json details = {{"format", kBundleFormat},
                  {"items", ids.size()},
                  {"with_derived", options.with_derived},
                  {"encrypted_to", options.encrypted_to}};
  if (options.include_identities) {
    json names = json::array();
    for (const auto& i : identities) names.push_back(i.pseudonym);
    details["identities"] = names;
    details["identities_sealed_to"] = to_age ? age_to : json(identity_key);
  }
  if (options.redacted) {
    json list = json::array();
    for (const auto& r : replaced) list.push_back({{"original", r.original}, {"item", r.redacted}});
    details["redacted"] = list;
  }

  // The export is on record, and in the checkpoint the bundle carries, before anything leaves.
  // Each record opened for --to is an unseal, on record in the same transaction.
  uint64_t export_seq = 0;
  std::vector<uint64_t> unseals;
  Status after_commit;
  {
    ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(vault.db()));
    for (auto& i : identities) {
      if (!to_age) break;
      ASSIGN_OR_RETURN(i.unseal_event,
                       vault.Record("unseal", {}, options.purpose, UnsealDetails(i, age_to)));
      unseals.push_back(i.unseal_event);
    }
    ASSIGN_OR_RETURN(export_seq, vault.Record("export", ids, options.purpose, details));
    after_commit = vault.Commit(tx);
    // The export is on record once committed: the bundle it records is then written, even if
    // checkpoints/latest could not be (the bundle carries the committed checkpoint).
    if (!tx.committed()) return after_commit;
  }

  // From here on the export is on record: a failure to write its bundle must say so.
  Result<ExportResult> written = [&]() -> Result<ExportResult> {
    std::vector<SectionParts> sections;
    std::set<uint64_t> extra_events;
    // A received record's witness-add entry travels in the received section of its vault, with
    // the import that brought it.
    std::set<ReceivedEventKey> received_events;
    for (const auto& i : identities) {
      if (i.received_from.empty()) {
        extra_events.insert(i.event);
      } else {
        extra_events.insert(i.import_event);
        received_events.insert({i.received_from, i.received_event});
      }
    }
    extra_events.insert(unseals.begin(), unseals.end());
    for (const auto& r : replaced) extra_events.insert(r.event);
    ASSIGN_OR_RETURN(SectionParts own, OwnSection(vault, ids, export_seq, extra_events));
    std::set<uint64_t> own_events;
    for (const auto& [seq, entry] : own.entries) own_events.insert(seq);
    sections.push_back(std::move(own));
    // Records of other vaults about these items, received in bundles imported here.
    ASSIGN_OR_RETURN(std::vector<SectionParts> received,
                     ReceivedSectionsFor(vault, ids, own_events, received_events));
    for (auto& r : received) sections.push_back(std::move(r));

    Manifest m;
    m.purpose = options.purpose;
    m.tool_version = AMANAT_VERSION;
    m.exporter = vault.actor().custodian;
    m.exporter_public_key = vault.actor_key().public_key();
    m.exporter_key_id = KeyId(m.exporter_public_key);
    m.origin = vault.origin();
    m.log_key = vault.keyslots().log_verifier_key;
    m.export_event = export_seq;
    m.checkpoint_size = export_seq + 1;
    m.checkpoint_root = sections[0].checkpoint_root;
    std::string sealed_to;  // HQ's identity key as an age recipient, for sealed content
    for (const auto& it : items) {
      BundleItem bi;
      bi.id = it.id;
      bi.size = it.size;
      bi.kind = it.kind;
      bi.media_type = it.media_type;
      bi.metadata = it.metadata;
      if (it.sealed) {
        if (sealed_to.empty()) {
          ASSIGN_OR_RETURN(std::optional<HqKeys> hq, FieldVaultHq(vault.db()));
          if (!hq) {
            return VerifyFailed("item " + it.id + ": sealed content in a vault without HQ keys");
          }
          sealed_to = crypto::AgeRecipient::FromPublicKey(hq->identity_key).ToString();
        }
        bi.sealed = SealedItemRef{it.sealed->format, it.sealed->sha256, it.sealed->size, sealed_to};
      }
      m.items.push_back(std::move(bi));
    }

    // Members other than items, by path; keys of every signer, merged across sections.
    std::map<std::string, std::string> small;
    for (size_t i = 0; i < sections.size(); ++i) {
      ASSIGN_OR_RETURN(SectionFiles f, RenderSection(sections[i], &small));
      if (i == 0) {
        m.events = f.events;
        m.created = f.last_time;
        m.provenance = f.provenance;
      } else {
        m.received.push_back({SectionDir(sections[i].received_index), sections[i].origin,
                              sections[i].log_key, sections[i].proofs.tree_size,
                              sections[i].checkpoint_root, f.events});
        m.provenance.insert(m.provenance.end(), f.provenance.begin(), f.provenance.end());
      }
    }
    ASSIGN_OR_RETURN(m.timestamps, AddTimestamps(vault, export_seq, &small));
    const std::string exporter_key_path = MinisignKeyPath(m.exporter, m.exporter_key_id);
    if (!small.count(exporter_key_path)) {
      return IoError("export: the exporter's key is not in the custody record it signs");
    }
    std::vector<std::string> age_to_list;
    for (const auto& r : options.identities_to) age_to_list.push_back(r.ToString());
    for (const auto& i : identities) {
      IdentityRef ref = IdentityEntry(i, identity_key, age_to_list);
      small[ref.Path()] = to_age ? i.age : i.sealed;
      m.identities.push_back(std::move(ref));
    }
    for (const auto& r : replaced) {
      small[RedactionPath(r.redacted)] = r.record;
      m.redactions.push_back({r.redacted, r.original, crypto::Sha256Hex(r.record), r.event});
    }
    small[kReadmePath] = BundleReadme(m, exporter_key_path);
    for (const auto& [path, data] : small) {
      m.files.push_back({path, crypto::Sha256Hex(data), data.size()});
    }

    const std::string manifest = m.Serialize();
    ASSIGN_OR_RETURN(std::string sig,
                     crypto::MinisignSign(vault.actor_key(), AsBytes(manifest),
                                          ManifestTrustedComment(m), ManifestUntrustedComment(m)));
    small[kManifestPath] = manifest;
    small[kManifestSigPath] = sig;
    std::map<std::string, std::string> sums;
    for (const auto& [path, data] : small) sums[path] = crypto::Sha256Hex(data);
    for (const auto& it : m.items) sums[it.Path()] = it.sealed ? it.sealed->sha256 : it.id;
    small[kSumsPath] = FormatSha256Sums(sums);

    ExportResult r;
    RETURN_IF_ERROR(WriteZip(vault, small, items, static_cast<int64_t>(std::time(nullptr)), sink,
                             progress, &r.bytes));
    r.export_event = export_seq;
    r.checkpoint_size = m.checkpoint_size;
    r.checkpoint_root = m.checkpoint_root;
    r.item_ids = ids;
    r.events = m.events.size();
    r.received_sections = m.received.size();
    for (const auto& i : identities) r.identities.push_back(i.pseudonym);
    r.unseal_events = unseals;
    r.received_identities_left = gathered.received_left;
    for (const auto& x : replaced) r.redacted.emplace_back(x.original, x.redacted);
    return r;
  }();
  if (!written.ok()) return BundleNotWritten(export_seq, written.status());
  written->after_commit = std::move(after_commit);
  return written;
}

}  // namespace amanat::vault
