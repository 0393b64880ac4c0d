#include "crypto/checkpoint.h"

#include <limits>
#include <utility>

#include "crypto/encoding.h"

namespace amanat::crypto {
namespace {

constexpr size_t kDigestBase64Size = 44;  // base64 of 32 bytes, padded

// Canonical decimal uint64: digits only, no sign, no leading zero unless "0", no overflow.
bool ParseTreeSize(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  if (s.size() > 1 && s[0] == '0') return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const auto d = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

}  // namespace

Result<std::string> FormatCheckpoint(const Checkpoint& cp) {
  if (cp.origin.empty()) return InvalidInput("checkpoint origin is empty");
  if (cp.origin.find('\n') != std::string::npos) {
    return InvalidInput("checkpoint origin contains a newline");
  }
  std::string text =
      cp.origin + "\n" + std::to_string(cp.size) + "\n" + Base64Encode(cp.root) + "\n";
  for (const std::string& ext : cp.extensions) {
    if (ext.empty()) return InvalidInput("checkpoint extension line is empty");
    if (ext.find('\n') != std::string::npos) {
      return InvalidInput("checkpoint extension line contains a newline");
    }
    text += ext;
    text += '\n';
  }
  if (Status s = ValidateNoteText(text); !s.ok()) return s.Context("invalid checkpoint");
  return text;
}

Result<Checkpoint> ParseCheckpoint(std::string_view text) {
  if (Status s = ValidateNoteText(text); !s.ok()) return s.Context("malformed checkpoint");
  // Split into lines; ValidateNoteText guarantees the final '\n'.
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < text.size();) {
    const size_t nl = text.find('\n', start);
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  if (lines.size() < 3) {
    return InvalidInput("malformed checkpoint: needs origin, tree size and root hash lines");
  }
  Checkpoint cp;
  if (lines[0].empty()) return InvalidInput("malformed checkpoint: empty origin");
  cp.origin = std::string(lines[0]);
  if (!ParseTreeSize(lines[1], &cp.size)) {
    return InvalidInput("malformed checkpoint: tree size is not a canonical decimal uint64");
  }
  if (lines[2].size() != kDigestBase64Size) {
    return InvalidInput("malformed checkpoint: root hash is not 32 bytes of base64");
  }
  auto root = Base64DecodeFixed<32>(lines[2]);
  if (!root.ok()) {
    return InvalidInput("malformed checkpoint: root hash is not 32 bytes of base64");
  }
  cp.root = *root;
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return InvalidInput("malformed checkpoint: empty extension line");
    cp.extensions.emplace_back(lines[i]);
  }
  return cp;
}

Result<std::string> SignCheckpoint(const Checkpoint& cp, const NoteSigner& signer) {
  if (signer.name() != cp.origin) {
    return InvalidInput("checkpoint origin \"" + cp.origin + "\" differs from signing key name \"" +
                        signer.name() + "\"");
  }
  ASSIGN_OR_RETURN(std::string text, FormatCheckpoint(cp));
  return SignNote(text, {&signer});
}

Result<Checkpoint> OpenCheckpoint(std::string_view signed_note, const NoteVerifier& verifier) {
  ASSIGN_OR_RETURN(VerifiedNote note, OpenNote(signed_note, {verifier}));
  ASSIGN_OR_RETURN(Checkpoint cp, ParseCheckpoint(note.text));
  if (cp.origin != verifier.name) {
    return VerifyFailed("checkpoint origin \"" + cp.origin + "\" differs from key name \"" +
                        verifier.name + "\"");
  }
  return cp;
}

}  // namespace amanat::crypto
