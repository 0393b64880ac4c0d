// Provenance: items derived from other items (transcripts, translations, redactions, excerpts,
// transcodes), each linked to its parent by a signed `derive` event (docs/format/provenance.md).
//
// A derive event is an ingest event with action "derive": its subject is the derived item,
// `parents` names the item it was made from, and its details add `relation` and, when given,
// `tool` (what made the derivative). The derivations table indexes these events; `verify`
// checks it against them. Not thread-safe.
#ifndef AMANAT_VAULT_PROVENANCE_H_
#define AMANAT_VAULT_PROVENANCE_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/status.h"
#include "vault/items.h"
#include "vault/vault.h"

namespace amanat::vault {

// transcript, translation, redaction, excerpt, transcode.
bool IsValidRelation(std::string_view relation);

struct DeriveOptions {
  std::string relation;
  std::string tool;   // e.g. "whisper 20231117" or "hand"; optional
  ItemMetadata meta;  // kind "" = chosen from the relation and the parent (DerivedMetadata)
};

// The metadata a derived item starts with: the parent's witness and captured_at; its
// language unless the relation is translation; its kind for redactions, excerpts and
// transcodes (a transcript or translation of audio or video is a testimony); then every field
// set in `given` on top. Titles, places, notes and file names are never inherited: they may
// name people.
ItemMetadata DerivedMetadata(const ItemInfo& parent, const std::string& relation,
                             const ItemMetadata& given);

// Streams the derived content into the vault and records a derive event, inside the caller's
// transaction (a savepoint: a failure leaves no trace). `extra_details` are merged into the
// event's details (a redaction's record hash). kInvalidInput for an unknown relation, an item
// derived from itself, or a derivation that would make a cycle.
// REQUIRES: an open Transaction; the actor may read `parent`.
Result<IngestResult> DeriveItem(Vault& vault, const ItemInfo& parent, const ReadFn& read,
                                const DeriveOptions& options, const ProgressFn& progress,
                                const nlohmann::json& extra_details = nlohmann::json::object());

// One edge of the provenance graph, seen from the item it was reached from.
struct ProvenanceNode {
  std::string item;       // the source (or derivative)
  std::string relation;   // how the derivative was made from the source
  uint64_t sequence = 0;  // the derive event
  std::string time, custodian, tool;
  bool repeated = false;             // already shown higher up (the graph is walked once per item)
  std::vector<ProvenanceNode> next;  // its own sources (or derivatives)
};

struct Provenance {
  std::string item;
  std::vector<ProvenanceNode> sources;      // what it was derived from, recursively
  std::vector<ProvenanceNode> derivatives;  // what was derived from it, recursively
};

// Sources and derivatives of `item_id`, both directions, from the derivations table.
Result<Provenance> GetProvenance(Vault& vault, const std::string& item_id);

// Checks the derivations and redactions tables against the signed derive events, and the
// witnesses table against the witness-add events; appends one line per problem. `events`
// holds every derive and witness-add event of the log by sequence number, parsed from the
// signed entries. Used by verify, which has just read them.
Status CheckProvenanceTables(Vault& vault, const std::map<uint64_t, Event>& events,
                             std::vector<std::string>& problems);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_PROVENANCE_H_
