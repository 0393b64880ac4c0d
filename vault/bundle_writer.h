// amanat export: writes an evidence bundle (docs/format/bundle.md) for some items of an open
// vault through a ByteSink, streaming the content with flat memory whatever its size.
#ifndef AMANAT_VAULT_BUNDLE_WRITER_H_
#define AMANAT_VAULT_BUNDLE_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "crypto/age.h"
#include "crypto/status.h"
#include "vault/byte_source.h"
#include "vault/items.h"
#include "vault/vault.h"

namespace amanat::vault {

struct ExportOptions {
  std::vector<ItemInfo> items;  // resolved; duplicates are dropped
  bool with_derived = false;    // also items derived from these, following signed `parents`
  std::string purpose;
  // age recipients (age1…) the bundle is encrypted to, for the export event; the caller
  // encrypts what it receives from the sink.
  std::vector<std::string> encrypted_to;
  // Also carry the sealed identity records of the witnesses the items name, as sealed in the
  // vault (to its identity key; in a field vault, HQ's), with their witness-add events. The
  // export event lists their pseudonyms. Without it, no identity record leaves the vault.
  // Records this vault only received are not carried sealed (ExportResult says which).
  bool include_identities = false;
  // With include_identities: carry each record, own or received (vault/bundle_identities.h),
  // opened and encrypted to these age recipients (identities/<pseudonym>.age) instead of as
  // sealed. Needs the identity secret (the unseal grant, in a vault that holds it) and a
  // purpose; each record opened is logged as an `unseal` event (details.sealed_to: the
  // recipients) in the export's transaction.
  std::vector<crypto::AgeRecipient> identities_to;
  // For each item that has a redaction (its newest, if several), carry the redacted item in
  // its place, with the redaction record its derive event commits to. The original's content
  // and its own custody events stay in the vault. Not with with_derived.
  bool redacted = false;
};

struct ExportResult {
  uint64_t export_event = 0;  // sequence number of the export event
  uint64_t checkpoint_size = 0;
  Digest checkpoint_root{};
  std::vector<std::string> item_ids;
  size_t events = 0;              // custody entries in the bundle (own log)
  size_t received_sections = 0;   // other vaults' records passed on
  std::vector<std::string> identities;  // pseudonyms whose records the bundle carries
  std::vector<uint64_t> unseal_events;  // with identities_to: the unseal events, one a record
  // With include_identities and no identities_to: pseudonyms of records this vault only
  // received (sealed to its own identity key), which the bundle does not carry.
  std::vector<std::string> received_identities_left;
  std::vector<std::pair<std::string, std::string>> redacted;  // (original, redacted) replaced
  uint64_t bytes = 0;             // size of the bundle
  // Not OK when the export event was committed but checkpoints/latest could not be rewritten
  // ("stored, but ..."): the bundle is complete and written all the same (its checkpoint is the
  // committed one), and the caller reports this after it.
  Status after_commit;
};

// Checks that the actor may read every item (kAuthFailed otherwise), records a signed export
// event and commits it with a new checkpoint (so the bundle's checkpoint covers its own
// export), then writes the bundle to `sink`: manifest and its minisign signature, SHA256SUMS,
// README.txt, keys, custody entries and proofs, every timestamp token recorded before the
// export (timestamps/: the token, its certificates and the checkpoint it covers, with a
// consistency proof from that checkpoint), and the items, each re-hashed as it is streamed.
// kVerifyFailed if stored content no longer matches its ID; the caller must then discard what
// the sink received. The export event stays on record whatever happens after it is
// committed, and a failure after that says so ("export event N is on record, but its bundle
// was not written: ...", with the failure's code).
// REQUIRES: no open transaction on vault.db().
Result<ExportResult> ExportBundle(Vault& vault, const ExportOptions& options, const ByteSink& sink,
                                  const ProgressFn& progress);

// `cause`, for a failure to write or finish the bundle after its export event committed: the
// same code, the message saying the event is on record.
Status BundleNotWritten(uint64_t export_event, const Status& cause);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_BUNDLE_WRITER_H_
