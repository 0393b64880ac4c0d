#include "crypto/minisign.h"

#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/sha256.h"

namespace amanat::crypto {
namespace {

constexpr std::string_view kUntrustedPrefix = "untrusted comment: ";
constexpr std::string_view kTrustedPrefix = "trusted comment: ";
constexpr uint8_t kAlgEd[2] = {'E', 'd'};  // key algorithm; legacy signature over the file
constexpr uint8_t kAlgED[2] = {'E', 'D'};  // signature over BLAKE2b-512 of the file

// Splits `text` into lines, dropping one trailing '\r' from each (minisign trims them too).
// A final line without '\n' counts; an empty text has no lines.
std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    start = nl + 1;
  }
  return out;
}

bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

Bytes GlobalMessage(const Ed25519Signature& sig, std::string_view trusted) {
  Bytes m(sig.begin(), sig.end());
  m.insert(m.end(), trusted.begin(), trusted.end());
  return m;
}

}  // namespace

std::array<uint8_t, 64> Blake2b512(ByteView message) {
  std::array<uint8_t, 64> out;
  crypto_generichash(out.data(), out.size(), message.data(), message.size(), nullptr, 0);
  return out;
}

MinisignKeyNumber MinisignKeyNumberOf(const Ed25519PublicKey& pk) {
  Digest d = Sha256Of(ByteView(pk));
  MinisignKeyNumber n;
  std::copy(d.begin(), d.begin() + 8, n.begin());
  return n;
}

std::string MinisignKeyNumberText(const MinisignKeyNumber& n) {
  std::string out;
  char hex[3];
  for (size_t i = n.size(); i-- > 0;) {
    std::snprintf(hex, sizeof hex, "%02X", n[i]);
    out += hex;
  }
  return out;
}

std::string FormatMinisignPublicKey(const MinisignPublicKey& key) {
  Bytes raw(kAlgEd, kAlgEd + 2);
  raw.insert(raw.end(), key.key_number.begin(), key.key_number.end());
  raw.insert(raw.end(), key.public_key.begin(), key.public_key.end());
  return std::string(kUntrustedPrefix) + "minisign public key " +
         MinisignKeyNumberText(key.key_number) + "\n" + Base64Encode(raw) + "\n";
}

Result<MinisignPublicKey> ParseMinisignPublicKey(std::string_view text) {
  if (text.size() > kMinisignMaxFileSize) return InvalidInput("minisign public key: file too large");
  std::vector<std::string_view> lines = Lines(text);
  std::string_view b64;
  if (lines.size() == 1) {
    b64 = lines[0];
  } else if (lines.size() == 2 && lines[0].substr(0, kUntrustedPrefix.size()) == kUntrustedPrefix) {
    b64 = lines[1];
  } else {
    return InvalidInput("minisign public key: want an untrusted comment line and a key line");
  }
  auto raw = Base64Decode(b64);
  if (!raw.ok() || raw->size() != 42) return InvalidInput("minisign public key: key line is not 42 bytes of base64");
  if ((*raw)[0] != kAlgEd[0] || (*raw)[1] != kAlgEd[1]) {
    return InvalidInput("minisign public key: not an Ed25519 key");
  }
  MinisignPublicKey key;
  std::copy(raw->begin() + 2, raw->begin() + 10, key.key_number.begin());
  std::copy(raw->begin() + 10, raw->end(), key.public_key.begin());
  return key;
}

Result<std::string> MinisignSign(const Ed25519KeyPair& key, ByteView message,
                                 std::string_view trusted_comment,
                                 std::string_view untrusted_comment) {
  if (HasControl(trusted_comment) || HasControl(untrusted_comment)) {
    return InvalidInput("minisign: a comment holds a control character");
  }
  if (kTrustedPrefix.size() + trusted_comment.size() > kMinisignMaxCommentLine ||
      kUntrustedPrefix.size() + untrusted_comment.size() > kMinisignMaxCommentLine) {
    return InvalidInput("minisign: comment too long");
  }
  const MinisignKeyNumber number = MinisignKeyNumberOf(key.public_key());
  const auto digest = Blake2b512(message);
  const Ed25519Signature sig = key.Sign(digest);  // signs, then verifies
  const Ed25519Signature global = key.Sign(GlobalMessage(sig, trusted_comment));
  Bytes sig_line(kAlgED, kAlgED + 2);
  sig_line.insert(sig_line.end(), number.begin(), number.end());
  sig_line.insert(sig_line.end(), sig.begin(), sig.end());
  std::string out = std::string(kUntrustedPrefix) + std::string(untrusted_comment) + "\n" +
                    Base64Encode(sig_line) + "\n" + std::string(kTrustedPrefix) +
                    std::string(trusted_comment) + "\n" + Base64Encode(global) + "\n";
  // Check the whole file the way a recipient will, before it leaves.
  auto check = MinisignVerify({number, key.public_key()}, message, out);
  if (!check.ok()) return IoError("minisign: the new signature does not verify (hardware fault?)");
  return out;
}

Result<MinisignKeyNumber> MinisignSignatureKeyNumber(std::string_view signature_file) {
  if (signature_file.size() > kMinisignMaxFileSize) return InvalidInput("minisign signature: file too large");
  std::vector<std::string_view> lines = Lines(signature_file);
  if (lines.size() != 4) return InvalidInput("minisign signature: want exactly four lines");
  auto raw = Base64Decode(lines[1]);
  if (!raw.ok() || raw->size() != 74) {
    return InvalidInput("minisign signature: signature line is not 74 bytes of base64");
  }
  MinisignKeyNumber number;
  std::copy(raw->begin() + 2, raw->begin() + 10, number.begin());
  return number;
}

Result<MinisignVerified> MinisignVerify(const MinisignPublicKey& key, ByteView message,
                                        std::string_view signature_file) {
  if (signature_file.size() > kMinisignMaxFileSize) return InvalidInput("minisign signature: file too large");
  std::vector<std::string_view> lines = Lines(signature_file);
  if (lines.size() != 4) return InvalidInput("minisign signature: want exactly four lines");
  if (lines[0].substr(0, kUntrustedPrefix.size()) != kUntrustedPrefix ||
      lines[0].size() > kMinisignMaxCommentLine) {
    return InvalidInput("minisign signature: first line is not an untrusted comment");
  }
  if (lines[2].substr(0, kTrustedPrefix.size()) != kTrustedPrefix ||
      lines[2].size() > kMinisignMaxCommentLine) {
    return InvalidInput("minisign signature: third line is not a trusted comment");
  }
  auto raw = Base64Decode(lines[1]);
  if (!raw.ok() || raw->size() != 74) {
    return InvalidInput("minisign signature: signature line is not 74 bytes of base64");
  }
  auto global = Base64DecodeFixed<64>(lines[3]);
  if (!global.ok()) return InvalidInput("minisign signature: global signature is not 64 bytes of base64");
  MinisignVerified out;
  if ((*raw)[0] == kAlgED[0] && (*raw)[1] == kAlgED[1]) {
    out.prehashed = true;
  } else if ((*raw)[0] != kAlgEd[0] || (*raw)[1] != kAlgEd[1]) {
    return InvalidInput("minisign signature: unknown signature algorithm");
  }
  MinisignKeyNumber number;
  std::copy(raw->begin() + 2, raw->begin() + 10, number.begin());
  if (number != key.key_number) {
    return VerifyFailed("minisign signature: made by key " + MinisignKeyNumberText(number) +
                        ", not by key " + MinisignKeyNumberText(key.key_number));
  }
  Ed25519Signature sig;
  std::copy(raw->begin() + 10, raw->end(), sig.begin());
  bool good = out.prehashed ? Ed25519Verify(key.public_key, Blake2b512(message), sig)
                            : Ed25519Verify(key.public_key, message, sig);
  if (!good) return VerifyFailed("minisign signature: signature does not verify");
  std::string_view trusted = lines[2].substr(kTrustedPrefix.size());
  if (!Ed25519Verify(key.public_key, GlobalMessage(sig, trusted), *global)) {
    return VerifyFailed("minisign signature: trusted comment signature does not verify");
  }
  out.trusted_comment = std::string(trusted);
  out.untrusted_comment = std::string(lines[0].substr(kUntrustedPrefix.size()));
  return out;
}

}  // namespace amanat::crypto
