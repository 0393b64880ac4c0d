// age X25519 keys: recipients, identities, identity files, and the X25519 stanza.
#include <sodium.h>

#include <cstdlib>
#include <cstring>
#include <ctime>

#include "crypto/age_internal.h"
#include "crypto/bech32.h"

namespace amanat::crypto {
namespace {

constexpr std::string_view kRecipientHrp = "age";
constexpr std::string_view kIdentityHrp = "AGE-SECRET-KEY-";
constexpr std::string_view kX25519Label = "age-encryption.org/v1/X25519";

std::string Rfc3339Utc(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf, n);
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

bool IsAgeFile(ByteView first_bytes) { return StartsWith(AsChars(first_bytes), kAgeVersionLine); }

Result<AgeRecipient> AgeRecipient::Parse(std::string_view s) {
  auto d = Bech32Decode(s);
  if (!d.ok()) return InvalidInput("invalid age recipient: " + d.status().message());
  if (d->hrp != kRecipientHrp) {
    return InvalidInput("invalid age recipient: not an age1… X25519 recipient");
  }
  if (d->data.size() != 32) return InvalidInput("invalid age recipient: wrong key length");
  std::array<uint8_t, 32> key;
  std::copy(d->data.begin(), d->data.end(), key.begin());
  return AgeRecipient(key);
}

Result<AgeRecipient> ParseAgeRecipient(std::string_view s) { return AgeRecipient::Parse(s); }

std::string AgeRecipient::ToString() const { return Bech32Encode(kRecipientHrp, key_); }

AgeIdentity AgeIdentity::Generate() {
  return age_internal::X25519::IdentityFromSecret(SecretBytes::Random(32));
}

Result<AgeIdentity> AgeIdentity::FromSecretKey(const SecretBytes& secret) {
  if (secret.size() != 32) return InvalidInput("an X25519 secret key has 32 bytes");
  return age_internal::X25519::IdentityFromSecret(SecretBytes::Copy(secret.view()));
}

AgeRecipient AgeIdentity::Recipient() const { return AgeRecipient(public_); }

SecretBytes AgeIdentity::FileText(std::chrono::system_clock::time_point created) const {
  const std::string head =
      "# created: " + Rfc3339Utc(created) + "\n# public key: " + Recipient().ToString() + "\n";
  const size_t key_len = Bech32EncodedLength(kIdentityHrp.size(), 32);
  SecretBytes out(head.size() + key_len + 1);
  std::memcpy(out.data(), head.data(), head.size());
  // The HRP is encoded in lowercase and printed in uppercase, as age does.
  Bech32EncodeTo("age-secret-key-", secret_.view(), /*upper=*/true,
                 reinterpret_cast<char*>(out.data() + head.size()));
  out.data()[out.size() - 1] = '\n';
  return out;
}

Result<std::vector<AgeIdentity>> ParseAgeIdentities(std::string_view text) {
  if (StartsWith(text, "age-encryption.org/") ||
      StartsWith(text, "-----BEGIN AGE ENCRYPTED FILE-----")) {
    return Status(Code::kInvalidInput, "passphrase-protected age identity files are not supported",
                  "give a plain identity file as written by age-keygen");
  }
  if (StartsWith(text, "-----BEGIN OPENSSH PRIVATE KEY-----") || StartsWith(text, "ssh-") ||
      StartsWith(text, "-----BEGIN RSA PRIVATE KEY-----")) {
    return InvalidInput("SSH keys are not supported as age identities");
  }
  std::vector<AgeIdentity> out;
  size_t start = 0;
  for (int line_no = 1; start < text.size(); ++line_no) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    start = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    auto d = Bech32Decode(line);
    const bool good = d.ok() && d->hrp == kIdentityHrp && d->data.size() == 32;
    if (good) out.push_back(age_internal::X25519::IdentityFromSecret(SecretBytes::Copy(d->data)));
    if (d.ok() && !d->data.empty()) Wipe(d->data.data(), d->data.size());
    if (!good) {
      return InvalidInput("identity file line " + std::to_string(line_no) +
                          ": not an age X25519 identity (AGE-SECRET-KEY-1…)");
    }
  }
  if (out.empty()) return InvalidInput("identity file holds no age identity");
  return out;
}

namespace age_internal {

AgeIdentity X25519::IdentityFromSecret(SecretBytes secret) {
  if (secret.size() != 32) std::abort();
  std::array<uint8_t, 32> pub;
  crypto_scalarmult_base(pub.data(), secret.data());
  return AgeIdentity(std::move(secret), pub);
}

namespace {

// The key that wraps the file key: HKDF(shared secret, salt = share ‖ recipient, label).
// kInvalidInput if the shared secret is all zeros (a low-order point).
Result<SecretBytes> WrapKey(const SecretBytes& scalar, const std::array<uint8_t, 32>& point,
                            ByteView share, const std::array<uint8_t, 32>& recipient) {
  SecretBytes shared(32);
  if (crypto_scalarmult(shared.data(), scalar.data(), point.data()) != 0 ||
      sodium_is_zero(shared.data(), shared.size())) {
    return InvalidInput("age X25519 key is a low-order point (shared secret is zero)");
  }
  uint8_t salt[64];
  std::memcpy(salt, share.data(), 32);
  std::memcpy(salt + 32, recipient.data(), 32);
  return Hkdf(shared.view(), ByteView(salt, sizeof salt), kX25519Label, 32);
}

const std::array<uint8_t, 12> kZeroNonce{};

}  // namespace

Result<Stanza> X25519::Wrap(const AgeRecipient& recipient, const SecretBytes& file_key) {
  SecretBytes ephemeral = SecretBytes::Random(32);
  std::array<uint8_t, 32> share;
  crypto_scalarmult_base(share.data(), ephemeral.data());
  ASSIGN_OR_RETURN(SecretBytes key, WrapKey(ephemeral, recipient.key_, share, recipient.key_));
  Stanza s;
  s.args = {std::string(kType), Base64RawEncode(share)};
  s.body.resize(file_key.size() + kTagBytes);
  crypto_aead_chacha20poly1305_ietf_encrypt(s.body.data(), nullptr, file_key.data(),
                                            file_key.size(), nullptr, 0, nullptr, kZeroNonce.data(),
                                            key.data());
  return s;
}

Status X25519::CheckStanza(const Stanza& s) {
  if (s.args.size() != 2) {
    return InvalidInput("malformed age header: X25519 stanza needs one argument");
  }
  auto share = Base64RawDecode(s.args[1]);
  if (!share.ok() || share->size() != 32) {
    return InvalidInput("malformed age header: bad X25519 share");
  }
  if (s.body.size() != kFileKeyBytes + kTagBytes) {
    return InvalidInput("malformed age header: X25519 stanza body has the wrong length");
  }
  return OkStatus();
}

Result<std::optional<SecretBytes>> X25519::Unwrap(const AgeIdentity& identity, const Stanza& s) {
  auto share_bytes = Base64RawDecode(s.args[1]);
  if (!share_bytes.ok() || share_bytes->size() != 32) std::abort();  // REQUIRES CheckStanza
  std::array<uint8_t, 32> share;
  std::copy(share_bytes->begin(), share_bytes->end(), share.begin());
  ASSIGN_OR_RETURN(SecretBytes key, WrapKey(identity.secret_, share, share, identity.public_));
  SecretBytes file_key(kFileKeyBytes);
  if (crypto_aead_chacha20poly1305_ietf_decrypt(file_key.data(), nullptr, nullptr, s.body.data(),
                                                s.body.size(), nullptr, 0, kZeroNonce.data(),
                                                key.data()) != 0) {
    return std::optional<SecretBytes>();
  }
  return std::optional<SecretBytes>(std::move(file_key));
}

}  // namespace age_internal
}  // namespace amanat::crypto
