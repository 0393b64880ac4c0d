// C2SP transparency-log checkpoints (https://c2sp.org/tlog-checkpoint, v1): the signed tree
// head of the custody log, carried as the text of a C2SP signed note (crypto/note.h).
//
// Note text: origin line, tree size line (decimal, no leading zeros), base64 root hash line,
// then optional non-empty extension lines; every line ends in '\n'. Stateless, thread-safe.
#ifndef AMANAT_CRYPTO_CHECKPOINT_H_
#define AMANAT_CRYPTO_CHECKPOINT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/note.h"
#include "crypto/status.h"

namespace amanat::crypto {

struct Checkpoint {
  std::string origin;                   // the log's identity; must equal the signing key's name
  uint64_t size = 0;                    // number of leaves
  Digest root{};                        // RFC 6962 Merkle tree hash at `size`
  std::vector<std::string> extensions;  // opaque lines, each non-empty; NOT RECOMMENDED

  bool operator==(const Checkpoint&) const = default;
};

// The note text of `cp`. kInvalidInput if it cannot be written as a valid checkpoint: empty
// origin, an empty extension line, a line holding '\n' or another control character or
// invalid UTF-8, or text longer than kMaxNoteSize.
Result<std::string> FormatCheckpoint(const Checkpoint& cp);

// Strictly parses checkpoint note text (as returned by OpenNote). kInvalidInput if any of:
// not valid note text (ValidateNoteText), fewer than three lines, empty origin, size not
// canonical decimal or above UINT64_MAX, root not canonical base64 of exactly 32 bytes, an
// empty extension line. Use only on text whose signature has been verified.
Result<Checkpoint> ParseCheckpoint(std::string_view text);

// FormatCheckpoint + SignNote. kInvalidInput if the signer's name is not cp.origin (a
// checkpoint's key name must equal its origin), or on any FormatCheckpoint/SignNote error.
Result<std::string> SignCheckpoint(const Checkpoint& cp, const NoteSigner& signer);

// Opens `signed_note` with `verifier` as the only trusted key, then parses its text.
// kVerifyFailed if the note does not carry a valid signature by `verifier` (OpenNote), or the
// checkpoint's origin differs from the verifier's key name. kInvalidInput if the note or the
// checkpoint text is malformed.
Result<Checkpoint> OpenCheckpoint(std::string_view signed_note, const NoteVerifier& verifier);

}  // namespace amanat::crypto

#endif  // AMANAT_CRYPTO_CHECKPOINT_H_
