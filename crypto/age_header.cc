// The age header: its text form, its MAC, and the key schedule around it.
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <sodium.h>

#include <algorithm>
#include <cstdlib>

#include "crypto/age_internal.h"
#include "crypto/encoding.h"

namespace amanat::crypto::age_internal {
namespace {

// OpenSSL failing at HKDF or HMAC over SHA-256 means the library is broken: no safe way on.
[[noreturn]] void Die() { std::abort(); }

OSSL_PARAM OctetParam(const char* name, ByteView v) {
  // OpenSSL takes a non-const pointer but only reads it.
  return OSSL_PARAM_construct_octet_string(name, const_cast<uint8_t*>(v.data()), v.size());
}

bool IsVisibleAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 33 && c <= 126; });
}

// Splits a line on single spaces; an empty part means a doubled, leading or trailing space.
std::vector<std::string> SplitSpaces(std::string_view line) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t sp = line.find(' ', start);
    parts.emplace_back(line.substr(start, sp == std::string_view::npos ? sp : sp - start));
    if (sp == std::string_view::npos) break;
    start = sp + 1;
  }
  return parts;
}

// Hands out the header's lines, reading the source in blocks as it goes.
class LineReader {
 public:
  LineReader(const ReadAtFn& source, uint64_t size) : source_(source), size_(size) {}

  // The next line without its '\n'. kInvalidInput if the source ends first or the header
  // grows past kMaxHeaderBytes.
  Result<std::string_view> Next() {
    while (true) {
      size_t nl = data_.find('\n', pos_);
      if (nl != std::string::npos) {
        std::string_view line(data_.data() + pos_, nl - pos_);
        pos_ = nl + 1;
        return line;
      }
      if (data_.size() >= kMaxHeaderBytes) return InvalidInput("age header is too long");
      if (data_.size() >= size_) return InvalidInput("age header is truncated");
      size_t want = static_cast<size_t>(std::min<uint64_t>(4096, size_ - data_.size()));
      size_t old = data_.size();
      data_.resize(old + want);
      ASSIGN_OR_RETURN(size_t got,
                       source_(old, reinterpret_cast<uint8_t*>(data_.data() + old), want));
      data_.resize(old + std::min(got, want));
      if (got == 0) return InvalidInput("age header is truncated");
    }
  }
  // Everything consumed so far, and its length.
  const std::string& data() const { return data_; }
  size_t pos() const { return pos_; }

 private:
  const ReadAtFn& source_;
  uint64_t size_;
  std::string data_;
  size_t pos_ = 0;
};

Status BadHeader(std::string_view what) {
  return InvalidInput("malformed age header: " + std::string(what));
}

}  // namespace

SecretBytes Hkdf(ByteView ikm, ByteView salt, std::string_view info, size_t size) {
  static EVP_KDF* const kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  if (kdf == nullptr) Die();
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  if (ctx == nullptr) Die();
  char digest[] = "SHA256";
  OSSL_PARAM params[5];
  OSSL_PARAM* p = params;
  *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  *p++ = OctetParam(OSSL_KDF_PARAM_KEY, ikm);
  if (!salt.empty()) *p++ = OctetParam(OSSL_KDF_PARAM_SALT, salt);
  *p++ = OctetParam(OSSL_KDF_PARAM_INFO, AsBytes(info));
  *p = OSSL_PARAM_construct_end();
  SecretBytes out(size);
  int rc = EVP_KDF_derive(ctx, out.data(), size, params);
  EVP_KDF_CTX_free(ctx);
  if (rc != 1) Die();
  return out;
}

std::array<uint8_t, 32> HmacSha256(const SecretBytes& key, ByteView data) {
  std::array<uint8_t, 32> out{};
  size_t len = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(), data.data(),
                data.size(), out.data(), out.size(), &len) == nullptr ||
      len != out.size()) {
    Die();
  }
  return out;
}

std::string Base64RawEncode(ByteView data) {
  const int variant = sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
  const size_t n = sodium_base64_encoded_len(data.size(), variant);
  std::string out(n, '\0');
  sodium_bin2base64(out.data(), n, data.data(), data.size(), variant);
  out.resize(n - 1);  // drop the terminating NUL
  return out;
}

Result<Bytes> Base64RawDecode(std::string_view s) {
  // libsodium refuses padding in this variant, any ASCII character outside the alphabet (no
  // ignore set is given), and non-zero leftover bits: only the canonical form decodes. It
  // reads bytes of 0x80 and above as '/' (crypto/encoding.h): IsAscii refuses them.
  Bytes out(s.size() / 4 * 3 + 3);
  size_t len = 0;
  const char* end = nullptr;
  if (!IsAscii(s) ||
      sodium_base642bin(out.data(), out.size(), s.data(), s.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0 ||
      end != s.data() + s.size()) {
    return InvalidInput("invalid or non-canonical base64");
  }
  out.resize(len);
  return out;
}

std::string EncodeHeaderWithoutMac(const std::vector<Stanza>& stanzas) {
  std::string out(kAgeVersionLine);
  for (const Stanza& s : stanzas) {
    out += "->";
    for (const std::string& a : s.args) out += " " + a;
    out += "\n";
    std::string body = Base64RawEncode(s.body);
    size_t i = 0;
    for (; body.size() - i >= kColumnsPerLine; i += kColumnsPerLine) {
      out.append(body, i, kColumnsPerLine).append("\n");
    }
    out.append(body, i, std::string::npos).append("\n");  // the final short line
  }
  out += "---";
  return out;
}

std::array<uint8_t, kMacBytes> HeaderMac(const SecretBytes& file_key, std::string_view mac_input) {
  SecretBytes mac_key = Hkdf(file_key.view(), {}, "header", 32);
  return HmacSha256(mac_key, AsBytes(mac_input));
}

Result<Header> ParseHeader(const ReadAtFn& source, uint64_t source_size) {
  LineReader lines(source, source_size);
  // The version line first, so that a file of another kind gets a plain answer.
  uint8_t first[sizeof "-----BEGIN AGE ENCRYPTED FILE-----" - 1] = {};
  const size_t want = static_cast<size_t>(std::min<uint64_t>(sizeof first, source_size));
  ASSIGN_OR_RETURN(size_t first_n, ReadUpTo(source, 0, first, want));
  std::string_view start(reinterpret_cast<const char*>(first), first_n);
  if (start == "-----BEGIN AGE ENCRYPTED FILE-----") {
    return Status(Code::kInvalidInput, "armored (PEM) age files are not supported",
                  "convert it to the binary form first: age -d works on either form");
  }
  if (start.substr(0, kAgeVersionLine.size()) != kAgeVersionLine) {
    if (!start.empty() && start.size() < kAgeVersionLine.size() &&
        kAgeVersionLine.substr(0, start.size()) == start) {
      return InvalidInput("age header is truncated");
    }
    if (start.substr(0, 19) == "age-encryption.org/") {
      return InvalidInput("unsupported age format version");
    }
    return InvalidInput("not an age file");
  }
  ASSIGN_OR_RETURN(std::string_view version, lines.Next());
  (void)version;  // checked above

  Header h;
  while (true) {
    const size_t line_start = lines.pos();
    ASSIGN_OR_RETURN(std::string_view line, lines.Next());
    if (line.substr(0, 3) == "---") {
      if (line.size() < 4 || line[3] != ' ') return BadHeader("bad MAC line");
      auto mac = Base64RawDecode(line.substr(4));
      if (!mac.ok() || mac->size() != kMacBytes) return BadHeader("bad MAC encoding");
      std::copy(mac->begin(), mac->end(), h.mac.begin());
      h.mac_input = lines.data().substr(0, line_start + 3);
      h.payload_offset = lines.pos();
      break;
    }
    if (line.substr(0, 3) != "-> ") return BadHeader("expected a stanza or the MAC line");
    Stanza s;
    s.args = SplitSpaces(line.substr(3));
    for (const std::string& a : s.args) {
      if (a.empty() || !IsVisibleAscii(a)) return BadHeader("bad stanza argument");
    }
    while (true) {
      ASSIGN_OR_RETURN(std::string_view body_line, lines.Next());
      if (body_line.size() > kColumnsPerLine) return BadHeader("stanza body line too long");
      auto part = Base64RawDecode(body_line);
      if (!part.ok()) return BadHeader("bad stanza body encoding");
      s.body.insert(s.body.end(), part->begin(), part->end());
      if (body_line.size() < kColumnsPerLine) break;
    }
    h.stanzas.push_back(std::move(s));
  }
  if (h.stanzas.empty()) return BadHeader("no recipient stanza");
  return h;
}

Result<size_t> ReadUpTo(const ReadAtFn& source, uint64_t offset, uint8_t* buf, size_t n) {
  size_t done = 0;
  while (done < n) {
    ASSIGN_OR_RETURN(size_t got, source(offset + done, buf + done, n - done));
    if (got == 0) break;
    done += std::min(got, n - done);
  }
  return done;
}

Status ReadExactly(const ReadAtFn& source, uint64_t offset, uint8_t* buf, size_t n,
                   std::string_view what) {
  ASSIGN_OR_RETURN(size_t got, ReadUpTo(source, offset, buf, n));
  if (got < n) return VerifyFailed(std::string(what) + " is truncated");
  return OkStatus();
}

SecretBytes PayloadKey(const SecretBytes& file_key, ByteView nonce) {
  return Hkdf(file_key.view(), nonce, "payload", 32);
}

std::array<uint8_t, 12> ChunkNonce(uint64_t counter, bool last) {
  std::array<uint8_t, 12> n{};
  for (int i = 0; i < 8; ++i) n[10 - i] = static_cast<uint8_t>(counter >> (8 * i));
  n[11] = last ? 1 : 0;
  return n;
}

}  // namespace amanat::crypto::age_internal
