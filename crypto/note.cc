#include "crypto/note.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <utility>

#include "crypto/encoding.h"
#include "crypto/sha256.h"

namespace amanat::crypto {
namespace {

constexpr std::string_view kSigPrefix = "\xE2\x80\x94 ";  // U+2014 em dash, space
constexpr std::string_view kSignerKeyPrefix = "PRIVATE+KEY+";
constexpr size_t kEd25519KeyBytes = 32;
constexpr size_t kKeyIdBytes = 4;

// Decodes the UTF-8 sequence at s[i]; returns its length and sets *cp, or returns 0 if the
// bytes there are not well-formed UTF-8 (RFC 3629: no overlongs, surrogates, or > U+10FFFF).
size_t DecodeRune(std::string_view s, size_t i, char32_t* cp) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(i);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  size_t len = 0;
  uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  char32_t value = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    value = b0 & 0x1Fu;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    value = b0 & 0x0Fu;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    value = b0 & 0x07u;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (s.size() - i < len) return 0;
  for (size_t k = 1; k < len; ++k) {
    const uint8_t b = byte(i + k);
    const uint8_t min = k == 1 ? lo : uint8_t{0x80};
    const uint8_t max = k == 1 ? hi : uint8_t{0xBF};
    if (b < min || b > max) return 0;
    value = (value << 6) | (b & 0x3Fu);
  }
  *cp = value;
  return len;
}

// Unicode White_Space as Go's unicode.IsSpace sees it.
bool IsUnicodeSpace(char32_t c) {
  switch (c) {
    case U'\t':
    case U'\n':
    case U'\v':
    case U'\f':
    case U'\r':
    case U' ':
    case U'\u0085':
    case U'\u00A0':
    case U'\u1680':
    case U'\u2028':
    case U'\u2029':
    case U'\u202F':
    case U'\u205F':
    case U'\u3000':
      return true;
    default:
      return c >= U'\u2000' && c <= U'\u200A';
  }
}

std::string KeyIdHex(uint32_t id) {
  const std::array<uint8_t, 4> be = {static_cast<uint8_t>(id >> 24), static_cast<uint8_t>(id >> 16),
                                     static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id)};
  return HexEncode(be);
}

uint32_t ReadBigEndian32(ByteView b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

// Exactly 8 hex digits, either case (as Go's strconv.ParseUint(s, 16, 32) with len 8).
bool ParseKeyIdHex(std::string_view hex, uint32_t* id) {
  if (hex.size() != 8) return false;
  uint32_t v = 0;
  for (char c : hex) {
    uint32_t d;
    if (c >= '0' && c <= '9') {
      d = static_cast<uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = static_cast<uint32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      d = static_cast<uint32_t>(c - 'A' + 10);
    } else {
      return false;
    }
    v = (v << 4) | d;
  }
  *id = v;
  return true;
}

// Splits `s` at the first `sep`: returns the part before and leaves the rest in `s`.
// If there is no `sep`, returns all of `s` and leaves it empty (Go's strings.Cut).
std::string_view Chop(std::string_view& s, char sep) {
  const size_t i = s.find(sep);
  std::string_view before = s.substr(0, i);
  s = i == std::string_view::npos ? std::string_view() : s.substr(i + 1);
  return before;
}

struct ParsedSignature {
  std::string_view line;  // without the em dash prefix and newline
  std::string_view name;
  uint32_t key_id = 0;
  Bytes signature;  // without the key ID
};

Result<ParsedSignature> ParseSignatureLine(std::string_view line) {
  if (!line.starts_with(kSigPrefix)) {
    return InvalidInput("malformed note: signature line does not start with an em dash");
  }
  ParsedSignature sig;
  sig.line = line.substr(kSigPrefix.size());
  std::string_view rest = sig.line;
  sig.name = Chop(rest, ' ');
  if (!IsValidNoteKeyName(sig.name)) {
    return InvalidInput("malformed note: invalid key name in signature line");
  }
  if (rest.empty()) return InvalidInput("malformed note: signature line has no signature");
  auto raw = Base64Decode(rest);
  if (!raw.ok()) return InvalidInput("malformed note: signature is not valid base64");
  if (raw->size() <= kKeyIdBytes) return InvalidInput("malformed note: signature too short");
  sig.key_id = ReadBigEndian32(*raw);
  sig.signature.assign(raw->begin() + kKeyIdBytes, raw->end());
  return sig;
}

Status CheckVerifiers(const std::vector<NoteVerifier>& verifiers) {
  for (size_t i = 0; i < verifiers.size(); ++i) {
    const NoteVerifier& v = verifiers[i];
    if (!IsValidNoteKeyName(v.name) || NoteKeyId(v.name, v.public_key) != v.key_id) {
      return InvalidInput("verifier " + std::string(IsValidNoteKeyName(v.name) ? v.name : "?") +
                          " is inconsistent: key ID does not match name and key");
    }
    for (size_t j = 0; j < i; ++j) {
      const NoteVerifier& w = verifiers[j];
      if (w.name == v.name && w.key_id == v.key_id && w.public_key != v.public_key) {
        return InvalidInput("ambiguous verifier key " + v.name + "+" + KeyIdHex(v.key_id));
      }
    }
  }
  return OkStatus();
}

}  // namespace

bool IsValidNoteKeyName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size();) {
    char32_t c;
    const size_t n = DecodeRune(name, i, &c);
    if (n == 0 || c == U'+' || IsUnicodeSpace(c)) return false;
    i += n;
  }
  return true;
}

Status ValidateNoteText(std::string_view text) {
  if (text.size() > kMaxNoteSize) return InvalidInput("note text is too large");
  for (size_t i = 0; i < text.size();) {
    char32_t c;
    const size_t n = DecodeRune(text, i, &c);
    if (n == 0) return InvalidInput("note text is not valid UTF-8");
    if (c < 0x20 && c != U'\n') return InvalidInput("note text contains a control character");
    i += n;
  }
  if (!text.ends_with('\n')) return InvalidInput("note text does not end with a newline");
  return OkStatus();
}

uint32_t NoteKeyId(std::string_view name, const Ed25519PublicKey& public_key) {
  Sha256 h;
  h.Update(AsBytes(name));
  const std::array<uint8_t, 2> sep = {0x0A, kNoteAlgEd25519};
  h.Update(sep);
  h.Update(public_key);
  const Digest d = h.Finish();
  return ReadBigEndian32(d);
}

Result<NoteVerifier> MakeNoteVerifier(std::string name, const Ed25519PublicKey& public_key) {
  if (!IsValidNoteKeyName(name)) return InvalidInput("invalid key name");
  const uint32_t id = NoteKeyId(name, public_key);
  return NoteVerifier{std::move(name), id, public_key};
}

Result<NoteVerifier> ParseVerifierKey(std::string_view vkey) {
  if (vkey.size() > kMaxNoteKeyTextSize) return InvalidInput("verifier key is too long");
  std::string_view rest = vkey;
  const std::string_view name = Chop(rest, '+');
  const std::string_view hex = Chop(rest, '+');
  uint32_t id = 0;
  if (!IsValidNoteKeyName(name) || !ParseKeyIdHex(hex, &id)) {
    return InvalidInput("malformed verifier key: expected name+hex8+base64");
  }
  auto key = Base64Decode(rest);
  if (!key.ok() || key->empty()) {
    return InvalidInput("malformed verifier key: key is not valid base64");
  }
  if ((*key)[0] != kNoteAlgEd25519) {
    return InvalidInput("unsupported verifier key algorithm (only Ed25519, type 0x01)");
  }
  if (key->size() != 1 + kEd25519KeyBytes) {
    return InvalidInput("malformed verifier key: Ed25519 key has wrong length");
  }
  NoteVerifier v;
  v.name = std::string(name);
  std::copy(key->begin() + 1, key->end(), v.public_key.begin());
  v.key_id = NoteKeyId(v.name, v.public_key);
  if (v.key_id != id) return InvalidInput("verifier key ID does not match its name and key");
  return v;
}

std::string FormatVerifierKey(std::string_view name, const Ed25519PublicKey& public_key) {
  std::array<uint8_t, 1 + kEd25519KeyBytes> key;
  key[0] = kNoteAlgEd25519;
  std::copy(public_key.begin(), public_key.end(), key.begin() + 1);
  return std::string(name) + "+" + KeyIdHex(NoteKeyId(name, public_key)) + "+" + Base64Encode(key);
}

NoteSigner::NoteSigner(std::string name, Ed25519KeyPair key_pair)
    : name_(std::move(name)),
      key_id_(NoteKeyId(name_, key_pair.public_key())),
      key_pair_(std::move(key_pair)) {}

Result<NoteSigner> NoteSigner::FromSignerKey(std::string_view skey) {
  const Status malformed =
      InvalidInput("malformed signer key: expected PRIVATE+KEY+name+hex8+base64");
  if (skey.size() > kMaxNoteKeyTextSize) return InvalidInput("signer key is too long");
  if (!skey.starts_with(kSignerKeyPrefix)) return malformed;
  std::string_view rest = skey.substr(kSignerKeyPrefix.size());
  const std::string_view name = Chop(rest, '+');
  const std::string_view hex = Chop(rest, '+');
  uint32_t id = 0;
  if (!IsValidNoteKeyName(name) || !ParseKeyIdHex(hex, &id) || rest.empty()) return malformed;

  // Decode straight into secret memory: the seed never sits in ordinary buffers.
  SecretBytes key(rest.size() / 4 * 3 + 3);
  size_t len = 0;
  const char* end = nullptr;
  if (!IsAscii(rest) ||
      sodium_base642bin(key.data(), key.size(), rest.data(), rest.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != rest.data() + rest.size() || len == 0) {
    return InvalidInput("malformed signer key: key is not valid base64");
  }
  key.Truncate(len);
  if (key.data()[0] != kNoteAlgEd25519) {
    return InvalidInput("unsupported signer key algorithm (only Ed25519, type 0x01)");
  }
  if (key.size() != 1 + kEd25519KeyBytes) {
    return InvalidInput("malformed signer key: Ed25519 seed has wrong length");
  }
  ASSIGN_OR_RETURN(Ed25519KeyPair kp, Ed25519KeyPair::FromSeed(key.view().subspan(1)));
  NoteSigner signer(std::string(name), std::move(kp));
  if (signer.key_id() != id) {
    return InvalidInput("signer key ID does not match its name and key");
  }
  return signer;
}

SecretBytes NoteSigner::ExportSignerKey() const {
  // Assemble 0x01‖seed and its base64 in secret memory only.
  SecretBytes raw(1 + kEd25519KeyBytes);
  raw.data()[0] = kNoteAlgEd25519;
  std::copy_n(key_pair_.secret_key().data(), kEd25519KeyBytes, raw.data() + 1);
  SecretBytes b64(sodium_base64_encoded_len(raw.size(), sodium_base64_VARIANT_ORIGINAL));
  sodium_bin2base64(reinterpret_cast<char*>(b64.data()), b64.size(), raw.data(), raw.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  b64.Truncate(b64.size() - 1);  // drop the terminating NUL

  const std::string head = std::string(kSignerKeyPrefix) + name_ + "+" + KeyIdHex(key_id_) + "+";
  SecretBytes out(head.size() + b64.size());
  std::copy(head.begin(), head.end(), out.data());
  std::copy_n(b64.data(), b64.size(), out.data() + head.size());
  return out;
}

Ed25519Signature NoteSigner::Sign(std::string_view text) const {
  return key_pair_.Sign(AsBytes(text));
}

Result<std::string> SignNote(std::string_view text, const std::vector<const NoteSigner*>& signers) {
  RETURN_IF_ERROR(ValidateNoteText(text));
  if (signers.empty()) return InvalidInput("cannot sign a note without a signer");
  if (signers.size() > kMaxNoteSignatures) return InvalidInput("too many note signers");
  for (size_t i = 0; i < signers.size(); ++i) {
    const NoteSigner* s = signers[i];
    if (s == nullptr) return InvalidInput("null note signer");
    if (!IsValidNoteKeyName(s->name())) return InvalidInput("invalid note signer key name");
    for (size_t j = 0; j < i; ++j) {
      if (signers[j]->name() == s->name() && signers[j]->key_id() == s->key_id()) {
        return InvalidInput("duplicate note signer " + s->name() + "+" + KeyIdHex(s->key_id()));
      }
    }
  }
  std::string out(text);
  out += '\n';
  for (const NoteSigner* s : signers) {
    const Ed25519Signature sig = s->Sign(text);
    Bytes raw(kKeyIdBytes);
    raw[0] = static_cast<uint8_t>(s->key_id() >> 24);
    raw[1] = static_cast<uint8_t>(s->key_id() >> 16);
    raw[2] = static_cast<uint8_t>(s->key_id() >> 8);
    raw[3] = static_cast<uint8_t>(s->key_id());
    raw.insert(raw.end(), sig.begin(), sig.end());
    out += kSigPrefix;
    out += s->name();
    out += ' ';
    out += Base64Encode(raw);
    out += '\n';
    if (out.size() > kMaxNoteSize) return InvalidInput("signed note would be too large");
  }
  return out;
}

Result<VerifiedNote> OpenNote(std::string_view note, const std::vector<NoteVerifier>& verifiers) {
  RETURN_IF_ERROR(CheckVerifiers(verifiers));
  if (note.empty()) return InvalidInput("malformed note: empty");
  // The whole note obeys the text rules (size, UTF-8, no control characters, final newline).
  if (Status s = ValidateNoteText(note); !s.ok()) return s.Context("malformed note");

  // The text ends at the last blank line; signature lines follow it.
  const size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) {
    return InvalidInput("malformed note: no blank line before the signatures");
  }
  const std::string_view text = note.substr(0, split + 1);
  std::string_view sigs = note.substr(split + 2);
  if (sigs.empty()) return InvalidInput("malformed note: no signature lines");

  // Syntax first, all of it, before any crypto runs.
  std::vector<ParsedSignature> parsed;
  while (!sigs.empty()) {
    const std::string_view line = Chop(sigs, '\n');  // sigs ends in '\n': always found
    if (parsed.size() == kMaxNoteSignatures) {
      return InvalidInput("malformed note: more than " + std::to_string(kMaxNoteSignatures) +
                          " signatures");
    }
    ASSIGN_OR_RETURN(ParsedSignature sig, ParseSignatureLine(line));
    parsed.push_back(std::move(sig));
  }

  VerifiedNote out;
  out.text = std::string(text);
  const auto contains = [](const std::vector<NoteSignatureInfo>& list, std::string_view name,
                           uint32_t id) {
    return std::any_of(list.begin(), list.end(), [&](const NoteSignatureInfo& i) {
      return i.name == name && i.key_id == id;
    });
  };
  for (const ParsedSignature& sig : parsed) {
    const auto v = std::find_if(verifiers.begin(), verifiers.end(), [&](const NoteVerifier& k) {
      return k.name == sig.name && k.key_id == sig.key_id;
    });
    if (v == verifiers.end()) {
      if (!contains(out.unverified, sig.name, sig.key_id)) {
        out.unverified.push_back({std::string(sig.name), sig.key_id});
      }
      continue;
    }
    bool ok = false;
    if (sig.signature.size() == sizeof(Ed25519Signature)) {
      Ed25519Signature raw;
      std::copy(sig.signature.begin(), sig.signature.end(), raw.begin());
      ok = Ed25519Verify(v->public_key, AsBytes(text), raw);
    }
    if (!ok) {
      return VerifyFailed("signature by " + v->name + "+" + KeyIdHex(v->key_id) +
                          " does not verify");
    }
    if (!contains(out.verified, sig.name, sig.key_id)) {
      out.verified.push_back({std::string(sig.name), sig.key_id});
    }
  }
  if (out.verified.empty()) {
    std::string seen;
    for (size_t i = 0; i < out.unverified.size() && i < 3; ++i) {
      seen +=
          (i == 0 ? "" : ", ") + out.unverified[i].name + "+" + KeyIdHex(out.unverified[i].key_id);
    }
    if (out.unverified.size() > 3) seen += ", ...";
    return Status(Code::kVerifyFailed,
                  "note is not signed by any trusted key (signed by " + seen + ")",
                  "check that the verifier key is the right one for this note");
  }
  return out;
}

}  // namespace amanat::crypto
