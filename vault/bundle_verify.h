// amanat verify-bundle: checks an evidence bundle (docs/format/bundle.md) without a vault and
// without any secret, and reports everything found. Writes nothing anywhere.
//
// Checked, in this order: the ZIP's structure (vault/zip_reader.h); the manifest's minisign
// signature over its exact bytes, by a key in keys/; the manifest itself; every member
// against the manifest's lists and SHA256SUMS (no member missing, changed or added); each
// item's content against its ID; each custody section (vault/bundle_check_section.h); that
// the bundle's last event is its own export, by the signer of the manifest, naming exactly
// its items; each item's first record against the manifest; provenance; that every received
// section is named by a signed import event; the key files; trust; any older checkpoints; and
// the trusted timestamps in timestamps/ (BundleTimestampResult).
#ifndef AMANAT_VAULT_BUNDLE_VERIFY_H_
#define AMANAT_VAULT_BUNDLE_VERIFY_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "crypto/note.h"
#include "crypto/status.h"
#include "vault/bundle_check_section.h"
#include "vault/bundle_manifest.h"
#include "vault/bundle_reader.h"
#include "vault/byte_source.h"
#include "vault/redaction.h"

namespace amanat::vault {

struct BundleVerifyOptions {
  // Keys the recipient trusts (--trust). When not empty, every key the bundle relies on (log
  // keys and custodian keys) must be one of them. Compared by public key.
  std::vector<crypto::NoteVerifier> trusted;
  // Checkpoints held from before: (label for messages, signed note text).
  std::vector<std::pair<std::string, std::string>> against;
  // CA certificates (PEM) of time-stamping authorities the recipient trusts (--tsa-ca). When
  // not empty, every timestamp token must chain to one of them; when empty, tokens are
  // checked against the certificates the bundle carries and reported as not trusted.
  std::string tsa_ca_pem;
  ReadProgressFn progress;
};

struct BundleItemResult {
  std::string id;
  uint64_t size = 0;
  std::string kind;
  std::string filename;
  bool ok = false;
  std::string problem;  // the first one found about this item
  std::string sha256;   // hex SHA-256 of items/<id> as read; "" if missing or unreadable
  // Sealed to HQ (items/<id>.age): `sha256` is the age file's, checked against the manifest
  // and the signed record; the plaintext's SHA-256 (the ID) only HQ can check.
  bool sealed = false;
};

struct TimelineEvent {
  std::string origin;
  uint64_t sequence = 0;
  std::string time;
  std::string custodian;
  std::string key_id;
  std::string action;
  std::string purpose;
  std::vector<std::string> subjects;
};

// A key the verification relied on.
struct SignerResult {
  std::string kind;         // "log" or "custodian"
  std::string name;         // log origin, or custodian name
  std::string origin;       // the log it belongs to
  std::string fingerprint;  // log: "name+hex8" (C2SP key ID); custodian: 16-hex custody key ID
  std::string vkey;         // C2SP verifier key text
  std::string used_for;     // e.g. "checkpoint", "12 events, manifest"
  bool trusted = false;     // one of BundleVerifyOptions::trusted
};

struct AgainstResult {
  std::string label;
  bool ok = false;
  std::string detail;
};

// A redaction record carried by the bundle (export --redacted), checked against its derive
// event in the bundle's own log.
struct BundleRedaction {
  RedactionRecord record;
  uint64_t event = 0;
};

// A trusted timestamp (RFC 3161) the bundle carries (timestamps/), as verify-bundle found
// it: one per token the manifest lists, in its order. Plain data for reports.
//
//   ok && trusted    the token verifies, and its TSA chains to a --tsa-ca certificate
//   ok && !trusted   "signature valid, TSA not trusted": it verifies against the CA the bundle
//                    itself carries (no --tsa-ca was given; not a failure)
//   !ok              a problem, in `problem` and in BundleReport::problems (exit 1); with
//                    --tsa-ca given, a token whose TSA is not among them is !ok
//
// "Verifies" means: the checkpoint it covers is signed by the bundle's log key and the
// bundle's checkpoint is consistent with it (RFC 9162 proof in custody/proofs.json); its
// message imprint is SHA-256 of that checkpoint note; its CMS signature, ESS binding and
// certificate chain (timeStamping usage) hold at the token's own genTime; and it is the token
// a signed "timestamp" custody event of the bundle records.
struct BundleTimestampResult {
  uint64_t size = 0;        // the checkpoint it covers: it dates custody events 0 .. size - 1
  uint64_t event = 0;       // the custody event that recorded it in the vault
  std::string token_path;   // "timestamps/<size>.tsr"
  std::string gen_time_utc; // the attested time, RFC 3339 UTC, e.g. "2026-12-01T04:04:00Z"
                            // (a fraction of a second kept if the TSA gives one); "" if unreadable
  std::string tsa;          // subject of the TSA's signing certificate, "CN=...,O=..."
  std::string serial;       // the token's serial number, lowercase hex
  std::string policy;       // the TSA policy OID
  bool trusted = false;
  bool ok = false;
  std::string problem;      // the first problem found; "" if ok
};

struct BundleReport {
  bool manifest_ok = false;  // signature verified and manifest parsed
  Manifest manifest;
  std::string manifest_bytes;
  std::string manifest_sha256;
  std::string manifest_signature;  // manifest.json.minisig as received
  std::vector<BundleItemResult> items;
  std::vector<TimelineEvent> timeline;  // all sections, merged by time
  std::vector<SignerResult> signers;
  std::vector<AgainstResult> against;
  std::vector<BundleTimestampResult> timestamps;
  std::vector<std::string> checked;     // what was checked, one line each
  std::vector<std::string> problems;    // what failed, one line each, most specific first
  std::vector<SectionResult> sections;  // [0] own; [n] custody/received/<n>
  // identities/<pseudonym>.sealed members that matched their signed witness-add event, by
  // pseudonym (sealed bytes; they open only with the key they are sealed to).
  std::map<std::string, std::string> sealed_identities;
  // redactions/<item>.json records that match their signed derive event, by redacted item ID.
  std::map<std::string, BundleRedaction> redactions;
  bool ok() const { return problems.empty(); }
};

// Returns the report. A non-OK Status only when the bundle cannot be examined: an unsafe or
// malformed archive, a member over its size limit, or a signed member that is malformed
// (kInvalidInput); a member name given twice (kVerifyFailed); an unreadable source (kIoError).
Result<BundleReport> VerifyBundle(RandomAccessSource& source, const BundleVerifyOptions& options);

// The verifier key text of a custodian key as bundles carry it (keys/<name>-<id>.vkey).
std::string CustodianVerifierKey(const std::string& custodian, const crypto::Ed25519PublicKey& pk);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_BUNDLE_VERIFY_H_
