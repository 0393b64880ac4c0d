// Trusted timestamps (RFC 3161) of the vault's checkpoints (docs/format/timestamps.md).
//
// RequestTimestamp makes a TimeStampReq over the current checkpoint (the exact bytes of
// checkpoints/latest) and keeps it as pending in the vault. The user takes it to a
// time-stamping authority (TSA); AddTimestamp verifies the TSA's response against the pending
// request it answers (found by its nonce) and a CA the user trusts, records a "timestamp"
// custody event and keeps the response as received. A kept token proves that the checkpoint,
// and so every event before it, existed no later than the TSA's genTime.
//
// ListTimestamps and the StoredTimestamp it returns are what bundles need to carry tokens:
// the .tsr bytes, the checkpoint note they cover and the certificates they were verified with.
//
// Not thread-safe (as Vault).
#ifndef AMANAT_VAULT_TIMESTAMPS_H_
#define AMANAT_VAULT_TIMESTAMPS_H_

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "crypto/status.h"
#include "crypto/timestamp.h"
#include "vault/vault.h"

namespace amanat::vault {

struct PendingTimestamp {
  std::string nonce;             // lowercase hex (crypto::TimestampRequest::nonce)
  uint64_t checkpoint_size = 0;  // the checkpoint the request covers
  Bytes request;                 // DER TimeStampReq, to send to the TSA
};

// Makes a request over the vault's current checkpoint and stores it as pending (no custody
// event: nothing has been attested yet). kVerifyFailed if the log does not extend
// checkpoints/latest, or that file is not the newest checkpoint in vault.db.
// REQUIRES: no open transaction.
Result<PendingTimestamp> RequestTimestamp(Vault& vault);

struct StoredTimestamp {
  uint64_t event_seq = 0;        // the custody event that recorded it
  uint64_t checkpoint_size = 0;  // the checkpoint it covers...
  std::string checkpoint;        // ...as the exact signed note (its SHA-256 is the imprint)
  Bytes response;                // the TSA's TimeStampResp (.tsr), exactly as received
  std::string tsr_sha256;        // hex SHA-256 of `response`
  std::string gen_time, tsa, serial, policy;  // what the token attests (crypto::TimestampInfo)
  crypto::TimestampTrust trust;  // the certificates it was verified with (PEM, certificates only)
};

// Verifies `response` against the pending request with the same nonce and `trust`
// (crypto::VerifyTimestampResponse: signature, chain at the token's genTime, imprint, nonce),
// checks that the request covers a checkpoint this vault signed, then records custody event
// "timestamp" and stores the response; commits with a new checkpoint.
// kVerifyFailed if the response does not verify or answers no pending request of this vault;
// kInvalidInput for malformed input, a refused request, or a response already added.
// Nothing is recorded on failure. REQUIRES: no open transaction.
Result<StoredTimestamp> AddTimestamp(Vault& vault, ByteView response,
                                     const crypto::TimestampTrust& trust);

// Every stored timestamp, in the order they were added.
Result<std::vector<StoredTimestamp>> ListTimestamps(Vault& vault);

// For `verify`: checks the stored timestamps against the signed "timestamp" events
// `events` (sequence number, details), reporting each discrepancy through `problem`: a
// token missing or different from its event, a stored token without an event, a token that
// no longer verifies with the certificates kept beside it. Non-OK only if the database
// cannot be read.
Status CheckStoredTimestamps(Vault& vault,
                             const std::vector<std::pair<uint64_t, nlohmann::json>>& events,
                             const std::function<void(std::string)>& problem);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_TIMESTAMPS_H_
