// Bech32 (BIP 173 vectors), age keys and identity files, and known answers from the C2SP
// age test kit. Streams: age_stream_test.cc; stock age interop: age_interop_test.cc.
#include "crypto/age.h"

#include <gtest/gtest.h>

#include "crypto/age_internal.h"
#include "crypto/bech32.h"
#include "crypto/encoding.h"

namespace amanat::crypto {
namespace {

using age_internal::Stanza;
using age_internal::X25519;

// An independent BIP 173 encoder of raw 5-bit values (no byte conversion), to make strings
// with valid checksums around invalid data.
std::string WithChecksum(const std::string& hrp, const std::vector<int>& values) {
  const char* charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
  auto polymod = [](const std::vector<int>& v) {
    const uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    uint32_t chk = 1;
    for (int x : v) {
      uint32_t b = chk >> 25;
      chk = ((chk & 0x1ffffff) << 5) ^ static_cast<uint32_t>(x);
      for (int i = 0; i < 5; ++i) chk ^= ((b >> i) & 1) ? gen[i] : 0;
    }
    return chk;
  };
  std::vector<int> all;
  for (char c : hrp) all.push_back(c >> 5);
  all.push_back(0);
  for (char c : hrp) all.push_back(c & 31);
  all.insert(all.end(), values.begin(), values.end());
  for (int i = 0; i < 6; ++i) all.push_back(0);
  uint32_t mod = polymod(all) ^ 1;
  std::string out = hrp + "1";
  for (int v : values) out += charset[v];
  for (int i = 0; i < 6; ++i) out += charset[(mod >> (5 * (5 - i))) & 31];
  return out;
}

TEST(Bech32, Bip173ValidChecksums) {
  for (const char* s :
       {"A12UEL5L", "a12uel5l",
        "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tg"
        "s",
        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w", "?1ezyfcl"}) {
    auto d = Bech32Decode(s);
    ASSERT_TRUE(d.ok()) << s << ": " << d.status().message();
    // Re-encoding gives the string back (in its case).
    bool upper = std::string(s) == "A12UEL5L";
    std::string hrp = d->hrp;
    for (char& c : hrp) c = static_cast<char>(std::tolower(c));
    EXPECT_EQ(Bech32Encode(hrp, d->data, upper), s);
  }
  auto abc = Bech32Decode("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw");
  ASSERT_TRUE(abc.ok());
  EXPECT_EQ(abc->hrp, "abcdef");
  EXPECT_EQ(HexEncode(abc->data), "00443214c74254b635cf84653a56d7c675be77df");
  auto zeros = Bech32Decode("11" + std::string(82, 'q') + "c8247j");  // 90 characters
  ASSERT_TRUE(zeros.ok()) << zeros.status().message();
  EXPECT_EQ(zeros->hrp, "1");
  EXPECT_EQ(zeros->data, Bytes(51, 0));
  EXPECT_EQ(Bech32Encode("1", zeros->data), "11" + std::string(82, 'q') + "c8247j");
}

TEST(Bech32, Bip173Invalid) {
  const std::string cases[] = {
      std::string("\x20") + "1nwldj5",  // HRP character out of range
      std::string("\x7f") + "1axkwrx",
      std::string("\x80") + "1eym55h",
      "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
      "pzry9x0s0muk",   // no separator
      "1pzry9x0s0muk",  // empty HRP
      "x1b4n0q5v",      // invalid data character
      "li1dgmt3",       // checksum too short
      std::string("de1lg7wt") + "\xff",
      "A1G7SGD8",  // checksum made with the uppercase HRP
      "10a06t8",   // empty HRP
      "1qzzfhee",  // empty HRP
      "a12UEL5L",  // mixed case
      "a12uel5m",  // bad checksum
      "",
  };
  for (const std::string& s : cases) {
    auto d = Bech32Decode(s);
    EXPECT_FALSE(d.ok()) << s;
    if (!d.ok()) {
      EXPECT_EQ(d.status().code(), Code::kInvalidInput);
    }
  }
}

TEST(Bech32, RoundTripsAndRejectsNonZeroPadding) {
  for (size_t n = 0; n <= 40; ++n) {
    Bytes data(n);
    if (n > 0) RandomBytes(data.data(), n);
    for (bool upper : {false, true}) {
      std::string s = Bech32Encode("age", data, upper);
      auto d = Bech32Decode(s);
      ASSERT_TRUE(d.ok()) << s;
      EXPECT_EQ(d->data, data);
      EXPECT_EQ(d->hrp, upper ? "AGE" : "age");
    }
  }
  // Hand-made strings with valid checksums but bad padding: one byte in two characters
  // leaves 2 padding bits, which must be zero; three characters are overlong.
  EXPECT_TRUE(Bech32Decode(WithChecksum("age", {0, 4})).ok());  // 0x01, padding 00
  auto set_bit = Bech32Decode(WithChecksum("age", {0, 5}));     // padding 01
  ASSERT_FALSE(set_bit.ok());
  EXPECT_NE(set_bit.status().message().find("padding"), std::string::npos);
  EXPECT_FALSE(Bech32Decode(WithChecksum("age", {0, 4, 0})).ok());  // overlong
}

// The C2SP age test kit's identity and the X25519 stanza it wraps "YELLOW SUBMARINE" in
// (testdata/testkit/stanza_bad_start in filippo.io/age; see tests/vectors/age/README.md).
constexpr char kKitIdentity[] =
    "AGE-SECRET-KEY-1XMWWC06LY3EE5RYTXM9MFLAZ2U56JJJ36S0MYPDRWSVLUL66MV4QX3S7F6";
constexpr char kKitShare[] = "TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc";
constexpr char kKitBody[] = "EmECAEcKN+n/Vs9SbWiV+Hu0r+E8R77DdWYyd83nw7U";

TEST(AgeKeys, KnownAnswerUnwrap) {
  auto ids = ParseAgeIdentities(kKitIdentity);
  ASSERT_TRUE(ids.ok()) << ids.status().message();
  ASSERT_EQ(ids->size(), 1u);
  Stanza s;
  s.args = {"X25519", kKitShare};
  auto body = age_internal::Base64RawDecode(kKitBody);
  ASSERT_TRUE(body.ok());
  s.body = *body;
  ASSERT_TRUE(X25519::CheckStanza(s).ok());
  auto key = X25519::Unwrap((*ids)[0], s);
  ASSERT_TRUE(key.ok()) << key.status().message();
  ASSERT_TRUE(key->has_value());
  EXPECT_EQ(AsChars((*key)->view()), "YELLOW SUBMARINE");

  // Another identity does not open it; a changed body does not either.
  AgeIdentity other = AgeIdentity::Generate();
  auto none = X25519::Unwrap(other, s);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  s.body[0] ^= 1;
  auto changed = X25519::Unwrap((*ids)[0], s);
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(changed->has_value());
}

TEST(AgeKeys, IdentityFileRoundTrip) {
  AgeIdentity id = AgeIdentity::Generate();
  auto created = std::chrono::sys_days{std::chrono::year{2026} / 1 / 2} + std::chrono::hours{3} +
                 std::chrono::minutes{4} + std::chrono::seconds{5};
  SecretBytes text = id.FileText(created);
  std::string_view t = AsChars(text.view());
  std::string recipient = id.Recipient().ToString();
  EXPECT_EQ(recipient.size(), 62u);
  EXPECT_EQ(recipient.rfind("age1", 0), 0u);
  const std::string head = "# created: 2026-01-02T03:04:05Z\n# public key: " + recipient + "\n";
  ASSERT_EQ(t.substr(0, head.size()), head);
  std::string_view key_line = t.substr(head.size());
  EXPECT_EQ(key_line.size(), 74u + 1);
  EXPECT_EQ(key_line.substr(0, 16), "AGE-SECRET-KEY-1");
  EXPECT_EQ(key_line.back(), '\n');

  auto parsed = ParseAgeIdentities(t);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_TRUE((*parsed)[0].Recipient() == id.Recipient());
  auto r = ParseAgeRecipient(recipient);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(*r == id.Recipient());
}

TEST(AgeKeys, IdentityFileWithCommentsBlankLinesCrlfAndSeveralKeys) {
  AgeIdentity a = AgeIdentity::Generate(), b = AgeIdentity::Generate();
  auto now = std::chrono::system_clock::now();
  std::string ta(AsChars(a.FileText(now).view())), tb(AsChars(b.FileText(now).view()));
  std::string text = "\n# two keys\n" + ta + "\n\n" + tb;
  auto parsed = ParseAgeIdentities(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_TRUE((*parsed)[0].Recipient() == a.Recipient());
  EXPECT_TRUE((*parsed)[1].Recipient() == b.Recipient());
  std::string crlf;
  for (char c : ta) crlf += (c == '\n') ? std::string("\r\n") : std::string(1, c);
  auto p2 = ParseAgeIdentities(crlf);
  ASSERT_TRUE(p2.ok()) << p2.status().message();
  EXPECT_TRUE((*p2)[0].Recipient() == a.Recipient());
}

TEST(AgeKeys, IdentityFileErrorsNameTheLineNotTheKey) {
  std::string key = kKitIdentity;
  std::string lower = key;
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  struct Case {
    std::string text;
    std::string want;
  } cases[] = {
      {"# only a comment\n", "no age identity"},
      {"", "no age identity"},
      {"# c\n" + lower + "\n", "line 2"},                 // identities are uppercase
      {"# c\n\n " + key + "\n", "line 3"},                // no leading space, as in age
      {key + " \n", "line 1"},                            // nor trailing
      {key.substr(0, key.size() - 1) + "8\n", "line 1"},  // bad checksum
      {"age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj\n", "line 1"},
      {"age-encryption.org/v1\n-> scrypt x 18\n", "passphrase-protected"},
      {"-----BEGIN AGE ENCRYPTED FILE-----\n", "passphrase-protected"},
      {"-----BEGIN OPENSSH PRIVATE KEY-----\n", "SSH"},
  };
  for (const Case& c : cases) {
    auto r = ParseAgeIdentities(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), Code::kInvalidInput);
    EXPECT_NE(r.status().message().find(c.want), std::string::npos) << r.status().message();
    EXPECT_EQ(r.status().message().find("AGE-SECRET-KEY-1X"), std::string::npos);
    EXPECT_EQ(r.status().message().find("age-secret-key-1x"), std::string::npos);
  }
}

TEST(AgeKeys, RecipientParsing) {
  AgeIdentity id = AgeIdentity::Generate();
  std::string r = id.Recipient().ToString();
  EXPECT_TRUE(ParseAgeRecipient(r).ok());
  std::string upper = r;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  EXPECT_FALSE(ParseAgeRecipient(upper).ok());        // recipients are lowercase
  EXPECT_FALSE(ParseAgeRecipient(r.substr(1)).ok());  // wrong HRP / checksum
  EXPECT_FALSE(ParseAgeRecipient(r + "q").ok());      // bad checksum
  EXPECT_FALSE(ParseAgeRecipient(Bech32Encode("age", Bytes(31, 7))).ok());  // 31 bytes
  EXPECT_FALSE(ParseAgeRecipient(Bech32Encode("age", Bytes(33, 7))).ok());  // 33 bytes
  EXPECT_FALSE(ParseAgeRecipient(Bech32Encode("agf", Bytes(32, 7))).ok());  // wrong HRP
  EXPECT_FALSE(ParseAgeRecipient(kKitIdentity).ok());  // a secret key is no recipient
  // An all-zero key parses (it is 32 bytes) but cannot be encrypted to.
  auto zero = ParseAgeRecipient(Bech32Encode("age", Bytes(32, 0)));
  ASSERT_TRUE(zero.ok());
  auto enc = AgeEncryptor::Create({*zero}, [](ByteView) { return OkStatus(); });
  ASSERT_FALSE(enc.ok());
  EXPECT_EQ(enc.status().code(), Code::kInvalidInput);
  EXPECT_FALSE(AgeEncryptor::Create({}, [](ByteView) { return OkStatus(); }).ok());
}

TEST(AgeKeys, Base64RawIsCanonicalOnly) {
  EXPECT_EQ(age_internal::Base64RawEncode(AsBytes("hello")), "aGVsbG8");
  auto ok = age_internal::Base64RawDecode("aGVsbG8");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(AsChars(*ok), "hello");
  EXPECT_FALSE(age_internal::Base64RawDecode("aGVsbG8=").ok());   // padding
  EXPECT_FALSE(age_internal::Base64RawDecode("aGVsbG9").ok());    // unused bits set
  EXPECT_FALSE(age_internal::Base64RawDecode("aGVsbG8\r").ok());  // CR
  EXPECT_FALSE(age_internal::Base64RawDecode("aGVs bG8").ok());   // space
  EXPECT_FALSE(age_internal::Base64RawDecode("aGVsb").ok());      // impossible length
  EXPECT_FALSE(age_internal::Base64RawDecode("aGVsbG8-").ok());   // URL alphabet
  // libsodium 1.0.18 reads these as '/' (crypto/encoding.h, IsAscii); found by fuzzing.
  ASSERT_TRUE(age_internal::Base64RawDecode("aGVsbG8/").ok());
  EXPECT_FALSE(age_internal::Base64RawDecode("aGVsbG8\xd2").ok());
  EXPECT_FALSE(age_internal::Base64RawDecode("aGVsbG8\x80").ok());
}

TEST(AgeKeys, HkdfRfc5869Case1) {
  // RFC 5869 A.1 (HKDF-SHA-256): the KDF under every age key.
  auto ikm = HexDecode("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
  auto salt = HexDecode("000102030405060708090a0b0c");
  auto info = HexDecode("f0f1f2f3f4f5f6f7f8f9");
  ASSERT_TRUE(ikm.ok() && salt.ok() && info.ok());
  SecretBytes okm = age_internal::Hkdf(*ikm, *salt, AsChars(*info), 42);
  EXPECT_EQ(HexEncode(okm.view()),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST(AgeKeys, HkdfRfc5869Case3EmptySaltAndInfo) {
  // The header MAC key uses no salt: RFC 5869 A.3.
  SecretBytes okm = age_internal::Hkdf(Bytes(22, 0x0b), {}, "", 42);
  EXPECT_EQ(HexEncode(okm.view()),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST(AgeKeys, ChunkNonceLayout) {
  auto n = age_internal::ChunkNonce(0x0102030405ULL, true);
  EXPECT_EQ(HexEncode(n), "000000000000010203040501");
  EXPECT_EQ(HexEncode(age_internal::ChunkNonce(0, false)), "000000000000000000000000");
}

TEST(AgeFormat, IsAgeFile) {
  EXPECT_TRUE(IsAgeFile(AsBytes("age-encryption.org/v1\n-> X25519")));
  EXPECT_FALSE(IsAgeFile(AsBytes("age-encryption.org/v1")));
  EXPECT_FALSE(IsAgeFile(AsBytes("-----BEGIN AGE ENCRYPTED FILE-----\n")));
  EXPECT_FALSE(IsAgeFile(AsBytes("PK\x03\x04")));
}

}  // namespace
}  // namespace amanat::crypto
