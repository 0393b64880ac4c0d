#include "crypto/checkpoint.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "crypto/ed25519.h"
#include "crypto/encoding.h"
#include "crypto/note.h"
#include "crypto/sha256.h"

namespace amanat::crypto {
namespace {

// The note text of the example in the C2SP tlog-checkpoint specification.
constexpr std::string_view kSpecText =
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

NoteSigner NewLogSigner(std::string name) {
  return NoteSigner(std::move(name), Ed25519KeyPair::Generate());
}

Checkpoint Sample(std::string origin) {
  Checkpoint cp;
  cp.origin = std::move(origin);
  cp.size = 12345;
  cp.root = Sha256Of(std::string_view("root"));
  return cp;
}

void ExpectCheckpointMalformed(std::string_view text, const std::string& what) {
  auto r = ParseCheckpoint(text);
  EXPECT_FALSE(r.ok()) << what;
  EXPECT_EQ(r.status().code(), Code::kInvalidInput) << what << ": " << r.status().message();
}

TEST(CheckpointText, ParsesSpecExampleAndFormatsItBack) {
  auto cp = ParseCheckpoint(kSpecText);
  ASSERT_TRUE(cp.ok()) << cp.status().message();
  EXPECT_EQ(cp->origin, "example.com/behind-the-sofa");
  EXPECT_EQ(cp->size, 20852163u);
  EXPECT_EQ(Base64Encode(cp->root), "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
  EXPECT_TRUE(cp->extensions.empty());
  auto text = FormatCheckpoint(*cp);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, kSpecText);
}

TEST(CheckpointText, ExtensionsAndBoundarySizes) {
  const std::string root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
  auto with_ext = ParseCheckpoint("o\n0\n" + root + "\nfirst ext\n\xE2\x80\x94 second\n");
  ASSERT_TRUE(with_ext.ok()) << with_ext.status().message();
  EXPECT_EQ(with_ext->size, 0u);
  EXPECT_EQ(with_ext->extensions, (std::vector<std::string>{"first ext", "\xE2\x80\x94 second"}));
  auto text = FormatCheckpoint(*with_ext);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "o\n0\n" + root + "\nfirst ext\n\xE2\x80\x94 second\n");

  auto max = ParseCheckpoint("o\n18446744073709551615\n" + root + "\n");
  ASSERT_TRUE(max.ok()) << max.status().message();
  EXPECT_EQ(max->size, 18446744073709551615u);
  auto max_text = FormatCheckpoint(*max);
  ASSERT_TRUE(max_text.ok());
  EXPECT_EQ(*max_text, "o\n18446744073709551615\n" + root + "\n");
}

TEST(CheckpointText, RejectsBadTreeSize) {
  const std::string root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
  for (const std::string size :
       {"01", "00", "007", "18446744073709551616", "99999999999999999999", "184467440737095516150",
        "", "-1", "+1", " 1", "1 ", "0x10", "1e3", "1.0", "\xEF\xBC\x91" /* fullwidth 1 */}) {
    ExpectCheckpointMalformed("o\n" + size + "\n" + root + "\n", "size '" + size + "'");
  }
  ASSERT_TRUE(ParseCheckpoint("o\n10\n" + root + "\n").ok());  // the control is good
}

TEST(CheckpointText, RejectsBadRootHash) {
  const std::vector<std::pair<std::string, std::string>> roots = {
      {Base64Encode(Bytes(31, 0x11)), "31 bytes"},
      {Base64Encode(Bytes(33, 0x11)), "33 bytes"},
      {Base64Encode(Bytes(64, 0x11)), "64 bytes"},
      {"", "empty"},
      {"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I", "no padding"},
      {"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=", "non-canonical final bits"},
      {"CsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=", "URL-safe alphabet"},
      {"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I= ", "trailing space"},
      {HexEncode(Bytes(32, 0x11)), "hex"},
  };
  for (const auto& [root, what] : roots) ExpectCheckpointMalformed("o\n1\n" + root + "\n", what);
}

TEST(CheckpointText, RejectsMissingOrEmptyLines) {
  const std::string root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
  ExpectCheckpointMalformed("", "empty");
  ExpectCheckpointMalformed("o\n", "origin only");
  ExpectCheckpointMalformed("o\n1\n", "no root line");
  ExpectCheckpointMalformed("o\n1\n" + root, "no final newline");
  ExpectCheckpointMalformed("\n1\n" + root + "\n", "empty origin");
  ExpectCheckpointMalformed("o\n\n" + root + "\n", "empty size line");
  ExpectCheckpointMalformed("o\n1\n" + root + "\n\n", "empty extension line at end");
  ExpectCheckpointMalformed("o\n1\n" + root + "\next\n\nmore\n", "empty extension line inside");
  ExpectCheckpointMalformed("o\n1\n" + root + "\r\n", "CRLF");
  ExpectCheckpointMalformed("o\t\n1\n" + root + "\n", "control character");
  ExpectCheckpointMalformed("o\xFF\n1\n" + root + "\n", "not UTF-8");
  ExpectCheckpointMalformed(std::string(kMaxNoteSize, 'o') + "\n1\n" + root + "\n", "too large");
}

TEST(CheckpointText, FormatRefusesWhatItCouldNotParse) {
  const std::vector<std::pair<Checkpoint, std::string>> cases = {
      {Sample(""), "empty origin"},
      {Sample("a\nb"), "newline in origin"},
      {Sample("a\tb"), "control character in origin"},
      {Sample("a\xC3"), "origin not UTF-8"},
  };
  for (const auto& [cp, what] : cases) {
    auto r = FormatCheckpoint(cp);
    EXPECT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.status().code(), Code::kInvalidInput) << what;
  }
  for (const std::string ext : {"", "two\nlines", "bell\a"}) {
    Checkpoint cp = Sample("amanat/x");
    cp.extensions = {"fine", ext};
    auto r = FormatCheckpoint(cp);
    EXPECT_FALSE(r.ok()) << ext;
    EXPECT_EQ(r.status().code(), Code::kInvalidInput) << ext;
  }
  EXPECT_TRUE(FormatCheckpoint(Sample("amanat/x")).ok());
}

TEST(CheckpointSigned, RoundTripsWithFreshKey) {
  NoteSigner signer = NewLogSigner("amanat/0123456789abcdef");
  Checkpoint cp = Sample(signer.name());
  for (bool extensions : {false, true}) {
    if (extensions) cp.extensions = {"time 2024-06-01T00:00:00Z"};
    auto note = SignCheckpoint(cp, signer);
    ASSERT_TRUE(note.ok()) << note.status().message();
    auto text = FormatCheckpoint(cp);
    ASSERT_TRUE(text.ok());
    EXPECT_TRUE(note->starts_with(*text + "\n\xE2\x80\x94 amanat/0123456789abcdef "));

    auto opened = OpenCheckpoint(*note, signer.verifier());
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    EXPECT_EQ(*opened, cp);

    // The verifier key text round-trips too (what `amanat checkpoint` users are given).
    auto parsed = ParseVerifierKey(signer.verifier_key());
    ASSERT_TRUE(parsed.ok());
    auto via_text = OpenCheckpoint(*note, *parsed);
    ASSERT_TRUE(via_text.ok());
    EXPECT_EQ(*via_text, cp);
  }
}

TEST(CheckpointSigned, AcceptsExtraCosignatures) {
  NoteSigner log = NewLogSigner("amanat/log");
  NoteSigner witness = NewLogSigner("witness.example/w1");
  Checkpoint cp = Sample(log.name());
  auto text = FormatCheckpoint(cp);
  ASSERT_TRUE(text.ok());
  auto note = SignNote(*text, {&log, &witness});
  ASSERT_TRUE(note.ok());
  auto opened = OpenCheckpoint(*note, log.verifier());
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  EXPECT_EQ(*opened, cp);
}

TEST(CheckpointSigned, RejectsTamperingAndWrongKeys) {
  NoteSigner signer = NewLogSigner("amanat/log");
  Checkpoint cp = Sample(signer.name());
  auto note = SignCheckpoint(cp, signer);
  ASSERT_TRUE(note.ok());

  // A different tree size in the signed text.
  std::string tampered = *note;
  tampered.replace(tampered.find("12345"), 5, "12346");
  auto r1 = OpenCheckpoint(tampered, signer.verifier());
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.status().code(), Code::kVerifyFailed);

  // Another key under the same name.
  NoteSigner impostor = NewLogSigner("amanat/log");
  auto r2 = OpenCheckpoint(*note, impostor.verifier());
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.status().code(), Code::kVerifyFailed);

  // Signed only by someone else.
  auto other_note = SignCheckpoint(cp, impostor);
  ASSERT_TRUE(other_note.ok());
  auto r3 = OpenCheckpoint(*other_note, signer.verifier());
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.status().code(), Code::kVerifyFailed);

  ASSERT_TRUE(OpenCheckpoint(*note, signer.verifier()).ok());  // the control is good
}

TEST(CheckpointSigned, KeyNameMustEqualOrigin) {
  NoteSigner signer = NewLogSigner("amanat/other");
  Checkpoint cp = Sample("amanat/log");

  auto refused = SignCheckpoint(cp, signer);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kInvalidInput);

  // Validly signed, but by a key whose name is not the origin.
  auto text = FormatCheckpoint(cp);
  ASSERT_TRUE(text.ok());
  auto note = SignNote(*text, {&signer});
  ASSERT_TRUE(note.ok());
  auto r = OpenCheckpoint(*note, signer.verifier());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kVerifyFailed);
  EXPECT_NE(r.status().message().find("origin"), std::string::npos);
}

TEST(CheckpointSigned, RejectsSignedNoteThatIsNotACheckpoint) {
  NoteSigner signer = NewLogSigner("amanat/log");
  const std::string root = Base64Encode(Sha256Of(std::string_view("r")));
  for (const std::string& text : {std::string("amanat/log\n"), "amanat/log\n01\n" + root + "\n",
                                  "amanat/log\n1\n" + root + "\n\nextension after blank\n"}) {
    auto note = SignNote(text, {&signer});
    ASSERT_TRUE(note.ok()) << note.status().message();
    auto r = OpenCheckpoint(*note, signer.verifier());
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), Code::kInvalidInput) << text;
  }
  auto good = SignNote("amanat/log\n1\n" + root + "\n", {&signer});
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE(OpenCheckpoint(*good, signer.verifier()).ok());  // the control is good
}

TEST(CheckpointSigned, RejectsMalformedNote) {
  NoteSigner signer = NewLogSigner("amanat/log");
  auto text = FormatCheckpoint(Sample(signer.name()));
  ASSERT_TRUE(text.ok());
  for (const std::string& note : {std::string(), *text, *text + "\n"}) {
    auto r = OpenCheckpoint(note, signer.verifier());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kInvalidInput);
  }
}

}  // namespace
}  // namespace amanat::crypto
