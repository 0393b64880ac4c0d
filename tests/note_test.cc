#include "crypto/note.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "crypto/ed25519.h"
#include "crypto/encoding.h"

namespace amanat::crypto {
namespace {

constexpr std::string_view kDash = "\xE2\x80\x94";  // U+2014

std::string ReadVector(const std::string& name) {
  const std::string path = std::string(AMANAT_TEST_DATA_DIR) + "/vectors/note/" + name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Key files hold one line; the parsers take the key text without its newline.
std::string ReadKey(const std::string& name) {
  std::string s = ReadVector(name);
  EXPECT_TRUE(!s.empty() && s.back() == '\n') << name;
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

const std::string kPeterText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";

NoteVerifier PeterVerifier() {
  auto v = ParseVerifierKey(ReadKey("peterneumann.vkey"));
  EXPECT_TRUE(v.ok()) << v.status().message();
  return v.ok() ? *v : NoteVerifier{};
}

NoteSigner FreshSigner(std::string name) {
  return NoteSigner(std::move(name), Ed25519KeyPair::Generate());
}

// Splits a note line "— name base64" into its raw key ID ‖ signature bytes.
Bytes SignatureBytes(std::string_view line) {
  const size_t space = line.rfind(' ');
  auto raw = Base64Decode(line.substr(space + 1));
  EXPECT_TRUE(raw.ok());
  return raw.ok() ? *raw : Bytes{};
}

// ---- Keys ----

TEST(NoteKeys, KeyIdKnownAnswers) {
  auto c2sp = ParseVerifierKey(ReadKey("c2sp-example.vkey"));
  ASSERT_TRUE(c2sp.ok()) << c2sp.status().message();
  EXPECT_EQ(c2sp->name, "example.com/foo");
  EXPECT_EQ(c2sp->key_id, 0x530d903au);
  EXPECT_EQ(NoteKeyId("example.com/foo", c2sp->public_key), 0x530d903au);

  const NoteVerifier peter = PeterVerifier();
  EXPECT_EQ(peter.name, "PeterNeumann");
  EXPECT_EQ(peter.key_id, 0xc74f20a3u);
  // The name is part of the ID.
  EXPECT_NE(NoteKeyId("PeterNeumanN", peter.public_key), 0xc74f20a3u);
}

TEST(NoteKeys, VerifierKeyRoundTrips) {
  for (const char* file : {"c2sp-example.vkey", "peterneumann.vkey"}) {
    const std::string text = ReadKey(file);
    auto v = ParseVerifierKey(text);
    ASSERT_TRUE(v.ok()) << file << ": " << v.status().message();
    EXPECT_EQ(FormatVerifierKey(*v), text) << file;
    auto made = MakeNoteVerifier(v->name, v->public_key);
    ASSERT_TRUE(made.ok());
    EXPECT_EQ(made->key_id, v->key_id);
  }
}

TEST(NoteKeys, VerifierKeyAcceptsUppercaseHexLikeGo) {
  auto v = ParseVerifierKey("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(v->key_id, 0xc74f20a3u);
}

TEST(NoteKeys, VerifierKeyRejectsMalformed) {
  const std::string good = ReadKey("peterneumann.vkey");
  const std::vector<std::string> bad = {
      "",
      good + "\n",                                                               // trailing newline
      " " + good,                                                                // leading space
      "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",      // wrong ID
      "PeterNeumanX+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",      // wrong name
      "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",       // 7 hex digits
      "PeterNeumann+c74f20g3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",      // not hex
      "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",                  // empty name
      "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",     // space in name
      "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",       // bad base64
      "PeterNeumann+c74f20a3+Ahpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",      // type 0x02
      "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWAA==",  // 34 bytes
      "PeterNeumann+c74f20a3",
      "PeterNeumann",
      std::string(kMaxNoteKeyTextSize + 1, 'a'),
  };
  for (const std::string& vkey : bad) {
    auto v = ParseVerifierKey(vkey);
    EXPECT_FALSE(v.ok()) << vkey;
    EXPECT_EQ(v.status().code(), Code::kInvalidInput) << vkey;
  }
  EXPECT_TRUE(ParseVerifierKey(good).ok());
}

TEST(NoteKeys, SignerKeyParsesExportsAndMatchesVerifier) {
  const std::string skey = ReadKey("peterneumann.skey");
  auto signer = NoteSigner::FromSignerKey(skey);
  ASSERT_TRUE(signer.ok()) << signer.status().message();
  EXPECT_EQ(signer->name(), "PeterNeumann");
  EXPECT_EQ(signer->key_id(), 0xc74f20a3u);
  EXPECT_EQ(signer->verifier_key(), ReadKey("peterneumann.vkey"));
  const SecretBytes exported = signer->ExportSignerKey();
  EXPECT_EQ(AsChars(exported.view()), skey);
}

TEST(NoteKeys, SignerKeyRejectsMalformed) {
  const std::vector<std::string> bad = {
      "",
      "PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",  // no prefix
      "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",  // ID
      "PRIVATE+KEY+PeterNeumanX+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",  // name
      "PRIVATE+KEY+PeterNeumann+c74f20a3+AoEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",  // type
      "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDF",   // b64
      "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKA==",  // 31 B
      "PRIVATE+KEY+PeterNeumann+c74f20a3+",
      "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz\n",
  };
  for (const std::string& skey : bad) {
    auto s = NoteSigner::FromSignerKey(skey);
    EXPECT_FALSE(s.ok()) << skey;
    EXPECT_EQ(s.status().code(), Code::kInvalidInput) << skey;
    // The error text never echoes the key material.
    EXPECT_EQ(s.status().message().find("AYEKFALV"), std::string::npos);
  }
}

TEST(NoteKeys, KeyNameRules) {
  EXPECT_TRUE(IsValidNoteKeyName("example.com/foo"));
  EXPECT_TRUE(IsValidNoteKeyName("amanat/0f3a"));
  EXPECT_TRUE(IsValidNoteKeyName("caf\xC3\xA9"));  // é
  EXPECT_TRUE(
      IsValidNoteKeyName("a\xE2\x80\x8B"
                         "b"));  // U+200B is not a space
  EXPECT_FALSE(IsValidNoteKeyName(""));
  EXPECT_FALSE(IsValidNoteKeyName("a b"));
  EXPECT_FALSE(IsValidNoteKeyName("a\tb"));
  EXPECT_FALSE(IsValidNoteKeyName("a+b"));
  EXPECT_FALSE(
      IsValidNoteKeyName("a\xC2\xA0"
                         "b"));  // U+00A0 no-break space
  EXPECT_FALSE(
      IsValidNoteKeyName("a\xE2\x80\x83"
                         "b"));  // U+2003 em space
  EXPECT_FALSE(
      IsValidNoteKeyName("a\xE3\x80\x80"
                         "b"));  // U+3000 ideographic space
  EXPECT_FALSE(
      IsValidNoteKeyName("a\xFF"
                         "b"));  // not UTF-8
  EXPECT_FALSE(
      IsValidNoteKeyName("a\xC0\xA0"
                         "b"));  // overlong space
  EXPECT_FALSE(MakeNoteVerifier("a b", {}).ok());
}

// ---- Known answers ----

TEST(NoteOpen, VerifiesC2spExample) {
  auto v = ParseVerifierKey(ReadKey("c2sp-example.vkey"));
  ASSERT_TRUE(v.ok());
  auto note = OpenNote(ReadVector("c2sp-example.note"), {*v});
  ASSERT_TRUE(note.ok()) << note.status().message();
  EXPECT_EQ(note->text, "This is an example message.\n");
  ASSERT_EQ(note->verified.size(), 1u);
  EXPECT_EQ(note->verified[0].name, "example.com/foo");
  EXPECT_EQ(note->verified[0].key_id, 0x530d903au);
  EXPECT_TRUE(note->unverified.empty());
}

TEST(NoteOpen, VerifiesPeterNeumann) {
  auto note = OpenNote(ReadVector("peterneumann.note"), {PeterVerifier()});
  ASSERT_TRUE(note.ok()) << note.status().message();
  EXPECT_EQ(note->text, kPeterText);
  ASSERT_EQ(note->verified.size(), 1u);
  EXPECT_EQ(note->verified[0].name, "PeterNeumann");
  EXPECT_EQ(note->verified[0].key_id, 0xc74f20a3u);
}

TEST(NoteSign, ReproducesPeterNeumannByteForByte) {
  auto signer = NoteSigner::FromSignerKey(ReadKey("peterneumann.skey"));
  ASSERT_TRUE(signer.ok()) << signer.status().message();
  auto note = SignNote(kPeterText, {&*signer});
  ASSERT_TRUE(note.ok()) << note.status().message();
  EXPECT_EQ(*note, ReadVector("peterneumann.note"));
}

TEST(NoteSign, ConstructedSignerMatchesParsedOne) {
  // The vault builds NoteSigner from a key pair it derives: same bytes as the skey path.
  auto seed = Base64Decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz");
  ASSERT_TRUE(seed.ok());
  auto kp = Ed25519KeyPair::FromSeed(ByteView(*seed).subspan(1));
  ASSERT_TRUE(kp.ok());
  NoteSigner signer("PeterNeumann", std::move(*kp));
  EXPECT_EQ(signer.key_id(), 0xc74f20a3u);
  auto note = SignNote(kPeterText, {&signer});
  ASSERT_TRUE(note.ok());
  EXPECT_EQ(*note, ReadVector("peterneumann.note"));
}

// ---- Signing and opening ----

TEST(NoteSign, MultipleSignersRoundTrip) {
  NoteSigner a = FreshSigner("log.example/a");
  NoteSigner b = FreshSigner("witness.example/b");
  auto note = SignNote("hello\n\nworld\n", {&a, &b});
  ASSERT_TRUE(note.ok()) << note.status().message();
  // Text keeps its own blank line; signatures follow the last one, in signer order.
  EXPECT_TRUE(note->starts_with("hello\n\nworld\n\n" + std::string(kDash) + " log.example/a "));

  auto both = OpenNote(*note, {b.verifier(), a.verifier()});
  ASSERT_TRUE(both.ok()) << both.status().message();
  EXPECT_EQ(both->text, "hello\n\nworld\n");
  ASSERT_EQ(both->verified.size(), 2u);
  EXPECT_EQ(both->verified[0].name, "log.example/a");
  EXPECT_EQ(both->verified[1].name, "witness.example/b");

  auto only_b = OpenNote(*note, {b.verifier()});
  ASSERT_TRUE(only_b.ok());
  ASSERT_EQ(only_b->verified.size(), 1u);
  EXPECT_EQ(only_b->verified[0].key_id, b.key_id());
  ASSERT_EQ(only_b->unverified.size(), 1u);
  EXPECT_EQ(only_b->unverified[0].name, "log.example/a");
  EXPECT_EQ(only_b->unverified[0].key_id, a.key_id());
}

TEST(NoteSign, RefusesInvalidTextOrSigners) {
  NoteSigner s = FreshSigner("log.example/a");
  NoteSigner bad_name = FreshSigner("bad name");
  NoteSigner same_key_name = FreshSigner("log.example/a");
  const std::vector<std::pair<std::string, std::vector<const NoteSigner*>>> cases = {
      {"no final newline", {&s}},
      {"", {&s}},
      {"tab\there\n", {&s}},
      {"cr\r\n", {&s}},
      {"bad utf8 \xC3\n", {&s}},
      {std::string(kMaxNoteSize, '\n'), {&s}},  // result would exceed the limit
      {std::string(kMaxNoteSize + 1, '\n'), {&s}},
      {"ok\n", {}},
      {"ok\n", {nullptr}},
      {"ok\n", {&bad_name}},
      {"ok\n", {&s, &s}},
  };
  for (const auto& [text, signers] : cases) {
    auto note = SignNote(text, signers);
    EXPECT_FALSE(note.ok()) << text.substr(0, 40);
    EXPECT_EQ(note.status().code(), Code::kInvalidInput) << text.substr(0, 40);
  }
  // Same name, different key: a different key ID, so both may sign.
  EXPECT_NE(s.key_id(), same_key_name.key_id());
  EXPECT_TRUE(SignNote("ok\n", {&s, &same_key_name}).ok());
  EXPECT_TRUE(SignNote("ok\n", {&s}).ok());
}

TEST(NoteOpen, RejectsFlippedByteInText) {
  std::string note = ReadVector("peterneumann.note");
  note[3] ^= 0x01;  // "If you" -> "If!you"
  auto r = OpenNote(note, {PeterVerifier()});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kVerifyFailed);
  EXPECT_EQ(r.status().message(), "signature by PeterNeumann+c74f20a3 does not verify");
}

TEST(NoteOpen, RejectsFlippedByteInSignature) {
  const std::string note = ReadVector("peterneumann.note");
  const size_t line_start = note.rfind("\n\n") + 2;
  const std::string line = note.substr(line_start, note.size() - line_start - 1);
  for (size_t pos : {size_t{4}, size_t{40}, size_t{67}}) {  // first, middle, last sig byte
    Bytes raw = SignatureBytes(line);
    ASSERT_EQ(raw.size(), 68u);
    raw[pos] ^= 0x80;
    const std::string tampered = note.substr(0, line_start) + std::string(kDash) +
                                 " PeterNeumann " + Base64Encode(raw) + "\n";
    auto r = OpenNote(tampered, {PeterVerifier()});
    ASSERT_FALSE(r.ok()) << pos;
    EXPECT_EQ(r.status().code(), Code::kVerifyFailed) << pos;
    EXPECT_NE(r.status().message().find("does not verify"), std::string::npos);
  }
}

TEST(NoteOpen, RejectsWrongLengthSignatureByKnownKey) {
  const std::string note = ReadVector("peterneumann.note");
  const size_t line_start = note.rfind("\n\n") + 2;
  Bytes raw = SignatureBytes(note.substr(line_start, note.size() - line_start - 1));
  raw.pop_back();  // 63-byte Ed25519 signature
  const std::string tampered =
      note.substr(0, line_start) + std::string(kDash) + " PeterNeumann " + Base64Encode(raw) + "\n";
  auto r = OpenNote(tampered, {PeterVerifier()});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kVerifyFailed);
}

TEST(NoteOpen, EverySingleBitFlipIsRejected) {
  const std::string note = ReadVector("peterneumann.note");
  const std::vector<NoteVerifier> verifiers = {PeterVerifier()};
  ASSERT_TRUE(OpenNote(note, verifiers).ok());
  for (size_t i = 0; i < note.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string t = note;
      t[i] = static_cast<char>(t[i] ^ (1 << bit));
      EXPECT_FALSE(OpenNote(t, verifiers).ok()) << "byte " << i << " bit " << bit;
    }
  }
}

TEST(NoteOpen, RejectsNoteSignedOnlyByUnknownKey) {
  NoteSigner stranger = FreshSigner("PeterNeumann");  // same name, different key and ID
  auto note = SignNote(kPeterText, {&stranger});
  ASSERT_TRUE(note.ok());
  auto r = OpenNote(*note, {PeterVerifier()});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kVerifyFailed);
  EXPECT_NE(r.status().message().find("not signed by any trusted key"), std::string::npos);
  EXPECT_NE(r.status().message().find("PeterNeumann+"), std::string::npos);

  // No verifiers at all: same verdict.
  auto none = OpenNote(ReadVector("peterneumann.note"), {});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), Code::kVerifyFailed);
}

TEST(NoteOpen, RejectsWrongKeyName) {
  // Right public key under another name: a different key, so the signature is unknown.
  auto renamed = MakeNoteVerifier("PeterNeuman", PeterVerifier().public_key);
  ASSERT_TRUE(renamed.ok());
  auto r = OpenNote(ReadVector("peterneumann.note"), {*renamed});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kVerifyFailed);

  // And a note line whose name was changed (ID kept) is unknown to the right verifier.
  std::string note = ReadVector("peterneumann.note");
  const size_t at = note.find("PeterNeumann");
  note.replace(at, 12, "PeterNeumanX");
  auto r2 = OpenNote(note, {PeterVerifier()});
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.status().code(), Code::kVerifyFailed);
}

TEST(NoteOpen, IgnoresUnknownSignaturesOfAnyLength) {
  // An unknown key (maybe another algorithm) with a 10-byte signature is skipped, not parsed.
  Bytes other = {0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  const std::string note = ReadVector("peterneumann.note") + std::string(kDash) +
                           " witness.example/w " + Base64Encode(other) + "\n";
  auto r = OpenNote(note, {PeterVerifier()});
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->unverified.size(), 1u);
  EXPECT_EQ(r->unverified[0].name, "witness.example/w");
  EXPECT_EQ(r->unverified[0].key_id, 0xdeadbeefu);
}

TEST(NoteOpen, ListsEachUnknownKeyOnce) {
  NoteSigner w = FreshSigner("witness.example/w");
  auto cosigned = SignNote(kPeterText, {&w});
  ASSERT_TRUE(cosigned.ok());
  const std::string w_line = cosigned->substr(kPeterText.size() + 1);
  const std::string note = ReadVector("peterneumann.note") + w_line + w_line;
  auto r = OpenNote(note, {PeterVerifier()});
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->unverified.size(), 1u);
  EXPECT_EQ(r->unverified[0].key_id, w.key_id());
  // Known to a verifier that trusts both: both verified, each once.
  auto both = OpenNote(note, {PeterVerifier(), w.verifier()});
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->verified.size(), 2u);
  EXPECT_TRUE(both->unverified.empty());
}

TEST(NoteOpen, RejectsInconsistentVerifier) {
  NoteVerifier v = PeterVerifier();
  v.key_id ^= 1;
  auto r = OpenNote(ReadVector("peterneumann.note"), {v});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidInput);
  NoteVerifier unnamed = PeterVerifier();
  unnamed.name = "Peter Neumann";
  EXPECT_EQ(OpenNote(ReadVector("peterneumann.note"), {unnamed}).status().code(),
            Code::kInvalidInput);
}

// ---- Malformed notes: kInvalidInput, never a crash ----

void ExpectMalformed(const std::string& note, const std::string& what) {
  auto r = OpenNote(note, {PeterVerifier()});
  EXPECT_FALSE(r.ok()) << what;
  EXPECT_EQ(r.status().code(), Code::kInvalidInput) << what << ": " << r.status().message();
}

TEST(NoteOpen, RejectsMalformedLayout) {
  const std::string good = ReadVector("peterneumann.note");
  const size_t split = good.rfind("\n\n");
  const std::string text = good.substr(0, split + 1);
  const std::string sig_line = good.substr(split + 2);  // with its newline

  ExpectMalformed("", "empty note");
  ExpectMalformed("\n\n", "blank line and nothing else");
  ExpectMalformed(text + sig_line, "missing blank line");
  ExpectMalformed(good.substr(0, good.size() - 1), "missing final newline");
  ExpectMalformed(text + "\n", "no signature lines");
  ExpectMalformed(text + "\n" + sig_line + "\n", "trailing blank line");
  ExpectMalformed(good + "\n", "trailing blank line after signatures");
  ExpectMalformed(text + "\n" + sig_line + "not a signature\n", "junk after signatures");
  ExpectMalformed(text + "\n- PeterNeumann" + sig_line.substr(kDash.size() + 13), "hyphen");
  ExpectMalformed(
      text + "\n" + std::string(kDash) + "PeterNeumann" + sig_line.substr(kDash.size() + 13),
      "no space after dash");
  ExpectMalformed(text + "\n" + std::string(kDash) + " PeterNeumann\n", "no signature");
  ExpectMalformed(text + "\n" + std::string(kDash) + " PeterNeumann \n", "empty signature");
  ExpectMalformed(text + "\n" + std::string(kDash) + "  " + sig_line.substr(kDash.size() + 14),
                  "empty name");
  ExpectMalformed(text + "\n" + std::string(kDash) + " PeterNeumann AAAAAA==\n",
                  "signature of 4 bytes");
  ExpectMalformed(text + "\n" + std::string(kDash) + " Peter+Neumann AAAAAAA=\n", "plus in name");
}

TEST(NoteOpen, RejectsBadBase64InSignatureLine) {
  const std::string good = ReadVector("peterneumann.note");
  const size_t split = good.rfind("\n\n");
  const std::string head = good.substr(0, split + 2) + std::string(kDash) + " PeterNeumann ";
  const std::string b64 = good.substr(head.size(), good.size() - head.size() - 1);
  ExpectMalformed(head + b64.substr(0, b64.size() - 1) + "\n", "missing padding");
  ExpectMalformed(head + "!" + b64.substr(1) + "\n", "non-base64 character");
  ExpectMalformed(head + b64 + " \n", "trailing space");
  ExpectMalformed(head + b64 + "AAAA\n", "data after padding");
  ExpectMalformed(head + b64.substr(0, 10) + " " + b64.substr(10) + "\n", "inner space");
  ExpectMalformed(head + b64.substr(0, b64.size() - 2) + "N=\n", "non-canonical final bits");
  ASSERT_TRUE(OpenNote(head + b64 + "\n", {PeterVerifier()}).ok());  // the control is good
}

TEST(NoteOpen, RejectsNonUtf8AndControlCharacters) {
  const std::string good = ReadVector("peterneumann.note");
  const std::vector<std::pair<std::string, std::string>> inserts = {
      {"\xFF", "0xFF"},
      {"\xC3", "truncated sequence"},
      {"\xC0\xAF", "overlong"},
      {"\xE0\x80\xAF", "overlong 3-byte"},
      {"\xED\xA0\x80", "surrogate"},
      {"\xF4\x90\x80\x80", "above U+10FFFF"},
      {"\x80", "lone continuation"},
      {std::string(1, '\0'), "NUL"},
      {"\t", "tab"},
      {"\r", "carriage return"},
      {"\x1B", "escape"},
  };
  for (const auto& [bytes, what] : inserts) {
    std::string in_text = good;
    in_text.insert(5, bytes);
    ExpectMalformed(in_text, what + " in text");
    std::string in_sig = good;
    in_sig.insert(good.size() - 1, bytes);
    ExpectMalformed(in_sig, what + " in signature line");
  }
  // Valid non-ASCII text is fine (signed fresh, so the signature matches).
  NoteSigner s = FreshSigner("log.example/a");
  auto note =
      SignNote("Ognuno sta solo sul cuor della terra \xE2\x80\x94 \xF0\x9F\x8C\x9E\n", {&s});
  ASSERT_TRUE(note.ok()) << note.status().message();
  EXPECT_TRUE(OpenNote(*note, {s.verifier()}).ok());
}

TEST(NoteOpen, SignatureCountLimit) {
  const std::string good = ReadVector("peterneumann.note");
  const size_t split = good.rfind("\n\n");
  const std::string text = good.substr(0, split + 2);
  const std::string sig_line = good.substr(split + 2);
  std::string note = text;
  for (size_t i = 0; i < kMaxNoteSignatures; ++i) note += sig_line;
  auto at_limit = OpenNote(note, {PeterVerifier()});
  ASSERT_TRUE(at_limit.ok()) << at_limit.status().message();
  EXPECT_EQ(at_limit->verified.size(), 1u);  // repeats are verified but listed once

  note += sig_line;
  ExpectMalformed(note, "101 signatures");
}

TEST(NoteOpen, RejectsOversizedNote) {
  NoteSigner s = FreshSigner("log.example/a");
  const std::string text(kMaxNoteSize - 200, 'a');
  auto note = SignNote(text + "\n", {&s});
  ASSERT_TRUE(note.ok()) << note.status().message();
  EXPECT_TRUE(OpenNote(*note, {s.verifier()}).ok());
  const std::string big = std::string(kMaxNoteSize, 'a') + *note;
  auto r = OpenNote(big, {s.verifier()});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidInput);
}

TEST(NoteOpen, GarbageNeverCrashesOrVerifies) {
  std::mt19937 rng(20240601);
  const std::string good = ReadVector("peterneumann.note");
  const std::vector<NoteVerifier> verifiers = {PeterVerifier()};
  std::uniform_int_distribution<int> byte(0, 255);
  for (int iter = 0; iter < 2000; ++iter) {
    std::string t;
    if (iter % 2 == 0) {
      // Random bytes drawn mostly from the note alphabet.
      const std::string alphabet = "\n \xE2\x80\x94+/=AZaz09PeterNeumann";
      const size_t len = static_cast<size_t>(byte(rng)) % 200;
      for (size_t i = 0; i < len; ++i) {
        t += iter % 4 == 0 ? static_cast<char>(byte(rng))
                           : alphabet[static_cast<size_t>(byte(rng)) % alphabet.size()];
      }
    } else {
      // The known-good note with a few random byte edits, insertions or deletions.
      t = good;
      for (int k = 0; k < 1 + iter % 4; ++k) {
        const size_t pos = static_cast<size_t>(byte(rng)) % t.size();
        switch (byte(rng) % 3) {
          case 0:
            t[pos] = static_cast<char>(byte(rng));
            break;
          case 1:
            t.insert(pos, 1, static_cast<char>(byte(rng)));
            break;
          default:
            t.erase(pos, 1);
            break;
        }
      }
      if (t == good) continue;
    }
    EXPECT_FALSE(OpenNote(t, verifiers).ok()) << iter;
  }
}

}  // namespace
}  // namespace amanat::crypto
