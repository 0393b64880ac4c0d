#include "vault/bundle_sections.h"

#include <algorithm>
#include <set>

#include "crypto/minisign.h"
#include "crypto/note.h"
#include "crypto/sha256.h"
#include "crypto/encoding.h"
#include "vault/bundle_json.h"
#include "vault/bundle_layout.h"
#include "vault/key_history.h"

namespace amanat::vault {

Result<SectionFiles> RenderSection(const SectionParts& section,
                                   std::map<std::string, std::string>* members) {
  const std::string dir = SectionDir(section.received_index);
  SectionFiles out;
  KeyHistory history;
  std::set<std::string> signers;
  std::string jsonl;
  for (const auto& [seq, entry] : section.entries) {
    const std::string name = section.origin + " custody event " + std::to_string(seq);
    if (std::find(entry.begin(), entry.end(), '\n') != entry.end()) {
      return InvalidInput(name + ": the stored entry holds a newline");
    }
    ASSIGN_OR_RETURN(ParsedEntry pe, ParseEntry(entry));
    auto keys = history.Apply(pe.event);
    if (!keys.ok()) {
      return VerifyFailed(name + ": " + keys.status().message() + " (run amanat verify)");
    }
    for (const auto& s : pe.signatures) signers.insert(s.key_id);
    for (const auto& child : pe.event.subjects) {
      for (const auto& parent : pe.event.parents) {
        std::string relation = JsonStringField(pe.event.details, "relation");
        out.provenance.push_back({parent, child, relation, section.origin, seq});
      }
    }
    out.events.push_back({seq, crypto::Sha256Hex(entry)});
    out.last_time = pe.event.time;
    jsonl.append(AsChars(entry));
    jsonl += '\n';
  }
  (*members)[dir + "/" + kEventsName] = std::move(jsonl);
  (*members)[dir + "/" + kProofsName] = section.proofs.Serialize();
  (*members)[dir + "/" + kCheckpointName] = section.checkpoint_note;
  (*members)[SectionLogKeyPath(section.received_index)] = section.log_key + "\n";
  for (const auto& id : signers) {
    auto k = history.keys().find(id);
    if (k == history.keys().end()) {
      return VerifyFailed(section.origin + ": key " + id.substr(0, 8) +
                          " signed an entry but no event introduces it");
    }
    const std::string& who = k->second.custodian;
    if (!IsValidCustodianName(who) || !crypto::IsValidNoteKeyName(who)) {
      return InvalidInput(section.origin + ": custodian name '" + who.substr(0, 64) +
                          "' cannot name a key file");
    }
    crypto::MinisignPublicKey mk{crypto::MinisignKeyNumberOf(k->second.public_key),
                                 k->second.public_key};
    (*members)[MinisignKeyPath(who, id)] = crypto::FormatMinisignPublicKey(mk);
    (*members)[NoteKeyPath(who, id)] = crypto::FormatVerifierKey(who, k->second.public_key) + "\n";
  }
  return out;
}

}  // namespace amanat::vault
