// age payloads: round trips at chunk boundaries, random access, and every kind of damage
// (header, MAC, stanzas, chunks, truncation, extension) giving its own clean error.
#include <gtest/gtest.h>

#include <random>

#include "crypto/age.h"
#include "crypto/age_internal.h"
#include "crypto/encoding.h"
#include "tests/age_test_util.h"

namespace amanat::crypto {
namespace {

using age_internal::Stanza;
using testing::CraftChunk;
using testing::CraftFile;
using testing::Encrypt;
using testing::OpenString;
using testing::ReadAll;

constexpr size_t kChunk = kAgeChunkSize;
constexpr size_t kSealed = kAgeChunkSize + 16;

std::string Plain(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

// The offset where the first payload chunk starts: after the header and the 16-byte nonce.
size_t ChunksOffset(const std::string& file) {
  return file.find("\n---") + 4 + 1 + 43 + 1 + 16;  // "\n---", " ", MAC, "\n", nonce
}

std::vector<AgeIdentity> One(AgeIdentity id) {
  std::vector<AgeIdentity> v;
  v.push_back(std::move(id));
  return v;
}

Code OpenCode(const std::string& file, const std::vector<AgeIdentity>& ids) {
  auto f = OpenString(file, ids);
  return f.ok() ? Code::kOk : f.status().code();
}

TEST(AgeStream, RoundTripAtChunkBoundaries) {
  std::vector<AgeIdentity> ids = One(AgeIdentity::Generate());
  for (size_t n :
       {size_t{0}, size_t{1}, kChunk - 1, kChunk, kChunk + 1, 3 * kChunk + 5, 2 * kChunk}) {
    std::string plain = Plain(n, static_cast<uint32_t>(n));
    std::string file = Encrypt(plain, {ids[0].Recipient()}, 7777);
    // Layout: full chunks, then a last chunk that is empty only for an empty plaintext.
    size_t chunks = n == 0 ? 1 : (n + kChunk - 1) / kChunk;
    EXPECT_EQ(file.size() - ChunksOffset(file), n + 16 * chunks) << n;
    auto f = OpenString(file, ids);
    ASSERT_TRUE(f.ok()) << n << ": " << f.status().message();
    EXPECT_EQ(f->plaintext_size(), n);
    auto all = ReadAll(*f, 5000);
    ASSERT_TRUE(all.ok()) << all.status().message();
    EXPECT_TRUE(*all == plain) << n;
  }
}

TEST(AgeStream, WritePiecesDoNotMatter) {
  std::vector<AgeIdentity> ids = One(AgeIdentity::Generate());
  std::string plain = Plain(2 * kChunk + 100, 9);
  for (size_t piece : {size_t{1} << 20, kChunk, size_t{1}, size_t{4099}}) {
    if (piece == 1) continue;  // covered below on a smaller input
    std::string file = Encrypt(plain, {ids[0].Recipient()}, piece);
    auto f = OpenString(file, ids);
    ASSERT_TRUE(f.ok());
    auto all = ReadAll(*f);
    ASSERT_TRUE(all.ok());
    EXPECT_TRUE(*all == plain) << piece;
  }
  std::string small = Plain(kChunk + 3, 10);
  auto f = OpenString(Encrypt(small, {ids[0].Recipient()}, 1), ids);
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(*ReadAll(*f) == small);
}

TEST(AgeStream, RandomAccessEqualsSlices) {
  std::vector<AgeIdentity> ids = One(AgeIdentity::Generate());
  std::string plain = Plain(5 * kChunk + 1234, 3);
  std::string file = Encrypt(plain, {ids[0].Recipient()});
  auto f = OpenString(file, ids);
  ASSERT_TRUE(f.ok());
  std::mt19937_64 rng(42);
  std::vector<uint8_t> buf(3 * kChunk);
  for (int i = 0; i < 300; ++i) {
    uint64_t off = rng() % (plain.size() + 10);
    size_t n = rng() % buf.size();
    auto got = f->ReadAt(off, buf.data(), n);
    ASSERT_TRUE(got.ok()) << got.status().message();
    size_t want = off >= plain.size() ? 0 : std::min<size_t>(n, plain.size() - off);
    ASSERT_EQ(*got, want) << off << "+" << n;
    EXPECT_EQ(std::string(reinterpret_cast<char*>(buf.data()), want),
              plain.substr(std::min<size_t>(off, plain.size()), want));
  }
}

TEST(AgeStream, SeveralRecipientsEachDecrypt) {
  AgeIdentity a = AgeIdentity::Generate(), b = AgeIdentity::Generate(), c = AgeIdentity::Generate();
  std::string plain = Plain(100000, 5);
  std::string file = Encrypt(plain, {a.Recipient(), b.Recipient()});
  for (AgeIdentity* id : {&a, &b}) {
    std::vector<AgeIdentity> ids;
    ids.push_back(AgeIdentity::Generate());  // a non-matching identity first is fine
    ids.push_back(std::move(*id));
    auto f = OpenString(file, ids);
    ASSERT_TRUE(f.ok()) << f.status().message();
    EXPECT_TRUE(*ReadAll(*f) == plain);
  }
  auto wrong = OpenString(file, One(std::move(c)));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), Code::kAuthFailed);
  EXPECT_EQ(OpenCode(file, {}), Code::kAuthFailed);
}

TEST(AgeStream, EncryptorPropagatesSinkFailureAndRefusesMisuse) {
  AgeIdentity id = AgeIdentity::Generate();
  int calls = 0;
  auto enc = AgeEncryptor::Create({id.Recipient()}, [&calls](ByteView) {
    return ++calls > 2 ? IoError("disk full") : OkStatus();
  });
  ASSERT_TRUE(enc.ok());
  std::string plain = Plain(3 * kChunk, 1);
  Status s = enc->Write(AsBytes(plain));
  EXPECT_EQ(s.code(), Code::kIoError);
  EXPECT_FALSE(enc->Write(AsBytes("x")).ok());
  EXPECT_FALSE(enc->Finish().ok());

  auto enc2 = AgeEncryptor::Create({id.Recipient()}, [](ByteView) { return OkStatus(); });
  ASSERT_TRUE(enc2.ok());
  EXPECT_TRUE(enc2->Finish().ok());
  EXPECT_FALSE(enc2->Finish().ok());
  EXPECT_FALSE(enc2->Write(AsBytes("late")).ok());
}

TEST(AgeStream, UnknownStanzasAreSkipped) {
  AgeIdentity id = AgeIdentity::Generate();
  auto w = testing::WrapTo(id);
  Stanza unknown{{"unknown-type", "arg1", "a#b"}, Bytes(100, 9)};
  Stanza scrypt{{"scrypt", "c2FsdA", "18"}, Bytes(32, 1)};
  std::string file = CraftFile(w.file_key, {unknown, w.stanza, scrypt}, {{"hello", true}});
  auto f = OpenString(file, One(std::move(id)));
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(*ReadAll(*f), "hello");
}

TEST(AgeStream, CraftedPayloadsAreRejected) {
  AgeIdentity id = AgeIdentity::Generate();
  auto w = testing::WrapTo(id);
  std::vector<AgeIdentity> ids = One(std::move(id));
  std::string full(kChunk, 'a');
  struct Case {
    const char* name;
    std::vector<CraftChunk> chunks;
    bool open_fails;  // else the first ReadAt fails
  } cases[] = {
      {"no chunk at all", {}, true},
      {"last chunk without last flag", {{"abc", false}}, true},
      {"empty last chunk after a full one", {{full, false}, {"", true}}, true},
      {"last flag on a middle chunk", {{full, true}, {"x", true}}, false},
      {"two chunks, neither last", {{full, false}, {"x", false}}, true},
  };
  for (const Case& c : cases) {
    std::string file = CraftFile(w.file_key, {w.stanza}, c.chunks);
    auto f = OpenString(file, ids);
    if (c.open_fails) {
      ASSERT_FALSE(f.ok()) << c.name;
      EXPECT_EQ(f.status().code(), Code::kVerifyFailed) << c.name;
      continue;
    }
    ASSERT_TRUE(f.ok()) << c.name << ": " << f.status().message();
    uint8_t b[8];
    auto r = f->ReadAt(0, b, sizeof b);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.status().code(), Code::kVerifyFailed) << c.name;
  }
  // A full last chunk is valid (no empty chunk follows it).
  auto f = OpenString(CraftFile(w.file_key, {w.stanza}, {{full, false}, {full, true}}), ids);
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(f->plaintext_size(), 2 * kChunk);
}

TEST(AgeStream, TruncationAndExtensionAreDetected) {
  std::vector<AgeIdentity> ids = One(AgeIdentity::Generate());
  std::string plain = Plain(3 * kChunk + 5, 11);
  std::string file = Encrypt(plain, {ids[0].Recipient()});
  const size_t start = ChunksOffset(file);
  std::vector<size_t> cuts = {start - 16, start - 1, start, start + 1, start + 15, start + 16};
  for (size_t k = 1; k <= 3; ++k) {
    cuts.push_back(start + k * kSealed);  // at a chunk boundary
    cuts.push_back(start + k * kSealed - 1);
    cuts.push_back(start + k * kSealed + 16);    // an empty-looking last chunk
    cuts.push_back(start + k * kSealed - 5000);  // mid-chunk
  }
  cuts.push_back(file.size() - 1);
  for (size_t cut : cuts) {
    EXPECT_EQ(OpenCode(file.substr(0, cut), ids), Code::kVerifyFailed) << "cut at " << cut;
  }
  // Cut inside the header: malformed input.
  for (size_t cut : {size_t{0}, size_t{10}, size_t{22}, size_t{60}, file.find("\n---") + 3}) {
    EXPECT_EQ(OpenCode(file.substr(0, cut), ids), Code::kInvalidInput) << "cut at " << cut;
  }
  const std::string last = file.substr(start + 3 * kSealed);
  for (const std::string& extra :
       {std::string(1, '\0'), std::string(16, 'x'), last, std::string(kSealed, 'y')}) {
    EXPECT_EQ(OpenCode(file + extra, ids), Code::kVerifyFailed) << extra.size();
  }
}

TEST(AgeStream, EveryPayloadRegionIsAuthenticated) {
  std::vector<AgeIdentity> ids = One(AgeIdentity::Generate());
  std::string plain = Plain(3 * kChunk + 5, 12);
  std::string file = Encrypt(plain, {ids[0].Recipient()});
  const size_t start = ChunksOffset(file);
  // The nonce and the last chunk are checked at Open.
  for (size_t pos : {start - 16, start - 1, start + 3 * kSealed, file.size() - 1}) {
    std::string bad = file;
    bad[pos] ^= 0x01;
    EXPECT_EQ(OpenCode(bad, ids), Code::kVerifyFailed) << pos;
  }
  // Other chunks when read: the damaged one fails, the others still read.
  for (size_t k = 0; k < 3; ++k) {
    for (size_t within : {size_t{0}, kSealed / 2, kSealed - 1}) {
      std::string bad = file;
      bad[start + k * kSealed + within] ^= '\x55';
      auto f = OpenString(bad, ids);
      ASSERT_TRUE(f.ok());
      uint8_t b[10];
      auto r = f->ReadAt(k * kChunk + 100, b, sizeof b);
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.status().code(), Code::kVerifyFailed);
      auto ok = f->ReadAt(((k + 1) % 3) * kChunk, b, sizeof b);
      ASSERT_TRUE(ok.ok());
      EXPECT_EQ(std::string(reinterpret_cast<char*>(b), 10),
                plain.substr(((k + 1) % 3) * kChunk, 10));
    }
  }
}

TEST(AgeStream, ShortReadsAndSourceErrors) {
  std::vector<AgeIdentity> ids = One(AgeIdentity::Generate());
  std::string plain = Plain(2 * kChunk + 9, 14);
  std::string file = Encrypt(plain, {ids[0].Recipient()});
  ReadAtFn whole = testing::StringSource(file);
  // A source that gives at most 7 bytes a call still reads in full.
  ReadAtFn dribble = [whole](uint64_t off, uint8_t* buf, size_t n) {
    return whole(off, buf, std::min<size_t>(n, 7));
  };
  auto f = AgeFile::Open(dribble, file.size(), ids);
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_TRUE(*ReadAll(*f) == plain);
  // A source that fails at its Nth call, for every N until Open and a full read succeed:
  // the source's own error comes back each time.
  for (int fail_at = 1;; ++fail_at) {
    auto calls = std::make_shared<int>(0);
    ReadAtFn failing = [whole, calls, fail_at](uint64_t off, uint8_t* buf,
                                               size_t n) -> Result<size_t> {
      if (++*calls == fail_at) return IoError("injected read error");
      return whole(off, buf, n);
    };
    auto g = AgeFile::Open(failing, file.size(), ids);
    if (!g.ok()) {
      EXPECT_EQ(g.status().code(), Code::kIoError) << fail_at << ": " << g.status().message();
      continue;
    }
    auto all = ReadAll(*g);
    if (!all.ok()) {
      EXPECT_EQ(all.status().code(), Code::kIoError) << fail_at;
      continue;
    }
    EXPECT_TRUE(*all == plain);
    EXPECT_GT(fail_at, 3);
    break;
  }
}

TEST(AgeHeader, EveryByteOfTheHeaderMatters) {
  std::vector<AgeIdentity> ids = One(AgeIdentity::Generate());
  std::string file =
      Encrypt("testimony", {ids[0].Recipient(), AgeIdentity::Generate().Recipient()});
  const size_t header_end = file.find("\n---") + 49;
  for (size_t pos = 0; pos < header_end; ++pos) {
    for (int bit : {0x01, 0x20}) {
      std::string bad = file;
      bad[pos] = static_cast<char>(bad[pos] ^ bit);
      Code c = OpenCode(bad, ids);
      EXPECT_TRUE(c == Code::kInvalidInput || c == Code::kAuthFailed || c == Code::kVerifyFailed)
          << "byte " << pos << " bit " << bit << " gave " << static_cast<int>(c);
    }
  }
}

TEST(AgeHeader, MacAndStanzaDamageGiveTheirOwnErrors) {
  AgeIdentity id = AgeIdentity::Generate();
  auto w = testing::WrapTo(id);
  std::vector<AgeIdentity> ids = One(std::move(id));
  const std::vector<CraftChunk> hello = {{"hello", true}};
  auto code = [&](const std::vector<Stanza>& st, const std::string& mac = "") {
    return OpenCode(CraftFile(w.file_key, st, hello, mac), ids);
  };
  ASSERT_EQ(code({w.stanza}), Code::kOk);
  // Another well-formed MAC: verification fails (exit 1).
  EXPECT_EQ(code({w.stanza}, std::string(42, 'A') + "A"), Code::kVerifyFailed);
  // A stanza added after the MAC was made.
  std::string file = CraftFile(w.file_key, {w.stanza}, hello);
  std::string added = file;
  added.insert(added.find("\n---") + 1, "-> grease x\n\n");
  EXPECT_EQ(OpenCode(added, ids), Code::kVerifyFailed);

  // Malformed X25519 stanzas: bad input (exit 2), whatever the identity.
  Stanza extra = w.stanza;
  extra.args.push_back("more");
  Stanza short_share = w.stanza;
  short_share.args[1] = age_internal::Base64RawEncode(Bytes(31, 1));
  Stanza long_body = w.stanza;
  long_body.body.push_back(0);
  Stanza short_body = w.stanza;
  short_body.body.pop_back();
  Stanza zero_share = w.stanza;
  zero_share.args[1] = age_internal::Base64RawEncode(Bytes(32, 0));
  Stanza order8 = w.stanza;  // a point of order 8 on Curve25519
  auto p8 = HexDecode("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157");
  ASSERT_TRUE(p8.ok());
  order8.args[1] = age_internal::Base64RawEncode(*p8);
  Stanza bad_share_text = w.stanza;
  bad_share_text.args[1] += "=";
  for (const Stanza* s :
       {&extra, &short_share, &long_body, &short_body, &zero_share, &order8, &bad_share_text}) {
    EXPECT_EQ(code({*s}), Code::kInvalidInput) << s->args[1];
    EXPECT_EQ(code({w.stanza, *s}), Code::kInvalidInput) << s->args[1];
  }
  // No X25519 stanza: nothing to open (exit 3).
  EXPECT_EQ(code({Stanza{{"scrypt", "c2FsdA", "18"}, Bytes(32, 1)}}), Code::kAuthFailed);
}

TEST(AgeHeader, TextualMalformationsAreBadInput) {
  AgeIdentity id = AgeIdentity::Generate();
  auto w = testing::WrapTo(id);
  std::vector<AgeIdentity> ids = One(std::move(id));
  const std::string file = CraftFile(w.file_key, {w.stanza}, {{"hello", true}});
  ASSERT_EQ(OpenCode(file, ids), Code::kOk);
  const size_t mac_line = file.find("\n---") + 1;
  const size_t stanza = file.find("-> X25519 ");
  const size_t body = file.find('\n', stanza) + 1;
  auto edit = [&](size_t pos, size_t len, const std::string& with) {
    std::string f = file;
    return f.replace(pos, len, with);
  };
  // The body's last character with its unused low bits set: not canonical.
  std::string body_line = file.substr(body, file.find('\n', body) - body);
  ASSERT_EQ(body_line.size(), 43u);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t last = alphabet.find(body_line.back());
  std::string noncanon(1, alphabet[last | 1]);
  if (noncanon[0] == body_line.back()) noncanon[0] = alphabet[last | 2];
  const std::string mac = file.substr(mac_line + 4, 43);
  std::string mac_noncanon = mac;
  mac_noncanon.back() = alphabet[alphabet.find(mac.back()) | 1];
  if (mac_noncanon == mac) mac_noncanon.back() = alphabet[alphabet.find(mac.back()) | 2];

  const std::pair<const char*, std::string> cases[] = {
      {"version v2", edit(20, 1, "2")},
      {"no stanza", edit(stanza, mac_line - stanza, "")},
      {"empty line before MAC", edit(mac_line, 0, "\n")},
      {"stanza without arguments", edit(stanza, body - stanza, "->\n")},
      {"double space", edit(stanza + 2, 1, "  ")},
      {"trailing space", edit(body - 1, 0, " ")},
      {"CR in stanza line", edit(body - 1, 0, "\r")},
      {"control character", edit(stanza + 4, 1, "\x01")},
      {"missing body", edit(body, mac_line - body, "")},
      {"non-canonical body", edit(body + 42, 1, noncanon)},
      {"padded body", edit(body + 43, 0, "=")},
      {"body line of 65 columns", edit(body, 43, std::string(65, 'A'))},
      {"full body line then EOF", file.substr(0, body) + std::string(64, 'A') + "\n"},
      {"MAC without space", edit(mac_line + 3, 1, "")},
      {"MAC with two spaces", edit(mac_line + 3, 0, " ")},
      {"MAC padded", edit(mac_line + 47, 0, "=")},
      {"MAC non-canonical", edit(mac_line + 4, 43, mac_noncanon)},
      {"MAC truncated", edit(mac_line + 40, 7, "")},
      {"MAC line with CR", edit(mac_line + 47, 0, "\r")},
      {"armored", "-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n"},
      {"not age", "PK\x03\x04 a zip file"},
  };
  for (const auto& [name, f] : cases) {
    EXPECT_EQ(OpenCode(f, ids), Code::kInvalidInput) << name;
  }
}

TEST(AgeHeader, RandomDamageNeverCrashesNorDecryptsWrongly) {
  std::vector<AgeIdentity> ids = One(AgeIdentity::Generate());
  std::string plain = Plain(kChunk + 77, 13);
  std::string file = Encrypt(plain, {ids[0].Recipient()});
  std::mt19937_64 rng(7);
  for (int i = 0; i < 400; ++i) {
    std::string bad = file;
    switch (rng() % 4) {
      case 0:
        bad[rng() % bad.size()] = static_cast<char>(rng());
        break;
      case 1:
        bad.resize(rng() % bad.size());
        break;
      case 2:
        bad.insert(rng() % bad.size(), std::string(1 + rng() % 20, static_cast<char>(rng())));
        break;
      default:
        bad.erase(rng() % bad.size(), 1 + rng() % 20);
        break;
    }
    if (bad == file) continue;
    auto f = OpenString(bad, ids);
    if (!f.ok()) continue;
    auto all = ReadAll(*f);
    // Whatever opened must either fail to read or give exactly the plaintext (a change
    // that left the authenticated bytes alone, e.g. none).
    if (all.ok()) {
      EXPECT_TRUE(*all == plain) << "iteration " << i;
    }
  }
}

}  // namespace
}  // namespace amanat::crypto
