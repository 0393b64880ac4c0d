// vault/redaction: span lists, term matching, markers, the record format and the streaming
// proof that a redacted text is its original with exactly the recorded spans removed.
#include "vault/redaction.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/secret.h"
#include "crypto/sha256.h"
#include "tests/cli_runner.h"

namespace amanat::vault {
namespace {

using nlohmann::json;
using testing::ReadFileBytes;

std::vector<std::pair<size_t, std::string>> Terms(std::initializer_list<std::string> t) {
  std::vector<std::pair<size_t, std::string>> out;
  size_t line = 1;
  for (const auto& s : t) out.emplace_back(line++, s);
  return out;
}

// Reads `data` at most `step` bytes at a time, to cross every chunk boundary.
ReadFn Reader(const std::string& data, size_t step) {
  auto pos = std::make_shared<size_t>(0);
  return [data, step, pos](uint8_t* buf, size_t n) -> Result<size_t> {
    size_t take = std::min({n, step, data.size() - *pos});
    std::memcpy(buf, data.data() + *pos, take);
    *pos += take;
    return take;
  };
}

std::string Sha(std::string_view s) { return crypto::HexEncode(crypto::Sha256Of(s)); }

struct Made {
  std::string original, redacted;
  RedactionRecord record;
  std::vector<Salt> salts;
};

Made Redact(const std::string& text, const std::vector<Span>& spans) {
  Made m;
  m.original = text;
  EXPECT_TRUE(CheckSpans(text, spans).ok());
  m.redacted = ApplySpans(text, spans);
  m.record.original = Sha(text);
  m.record.redacted = Sha(m.redacted);
  m.record.spans = CommitSpans(text, spans, m.salts);
  return m;
}

class RedactionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::InitCrypto()); }
};

TEST_F(RedactionTest, SpanListParsing) {
  auto s = ParseSpanList("0:4,10:12:place,20:21", "identity");
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_EQ(s->size(), 3u);
  EXPECT_EQ((*s)[0], (Span{0, 4, "identity"}));
  EXPECT_EQ((*s)[1], (Span{10, 12, "place"}));
  EXPECT_EQ((*s)[2], (Span{20, 21, "identity"}));
  for (const char* bad : {"", "4", "a:b", "1:2,", "1:2:", "1:2:Bad", "-1:2", "1:2:x y", "1:0x2"}) {
    auto r = ParseSpanList(bad, "identity");
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), Code::kInvalidInput) << bad;
    }
  }
}

TEST_F(RedactionTest, CheckSpansRefusesWhatCannotBeVerified) {
  const std::string text = "From Ürümchi to Karamay";  // Ü and ü are two bytes each
  EXPECT_TRUE(CheckSpans(text, {{5, 14, "place"}}).ok());
  struct Case {
    const char* what;
    std::vector<Span> spans;
  };
  const std::vector<Case> cases = {
      {"no spans", {}},
      {"empty span", {{3, 3, "x"}}},
      {"reversed", {{5, 3, "x"}}},
      {"past the end", {{20, 30, "x"}}},
      {"overlap", {{0, 6, "x"}, {5, 9, "x"}}},
      {"unsorted", {{10, 12, "x"}, {0, 2, "x"}}},
      {"starts inside Ü", {{6, 9, "x"}}},
      {"ends inside ü", {{5, 9, "x"}}},
      {"bad reason", {{0, 2, "Not OK"}}},
  };
  for (const auto& c : cases) {
    Status s = CheckSpans(text, c.spans);
    EXPECT_FALSE(s.ok()) << c.what;
    EXPECT_EQ(s.code(), Code::kInvalidInput) << c.what;
  }
  EXPECT_FALSE(CheckSpans("bad \xC3 utf-8", {{0, 1, "x"}}).ok());
  // Adjacent spans are fine: two markers.
  EXPECT_TRUE(CheckSpans("abcdef", {{0, 2, "x"}, {2, 4, "y"}}).ok());
  EXPECT_EQ(ApplySpans("abcdef", {{0, 2, "x"}, {2, 4, "y"}}), "[REDACTED:x][REDACTED:y]ef");
}

TEST_F(RedactionTest, TermsAreWholeWordsIgnoringAsciiCase) {
  const std::string text =
      "Ali met Alim. ALI said “Ali” — and Chairman Xi spoke of Xinjiang; xi’s word. Ali";
  auto m = FindTerms(text, Terms({"Ali", "Xi", "Nobody"}), "identity", /*whole_words=*/true);
  std::string out = ApplySpans(text, m.spans);
  EXPECT_EQ(out,
            "[REDACTED:identity] met Alim. [REDACTED:identity] said “[REDACTED:identity]” — and "
            "Chairman [REDACTED:identity] spoke of Xinjiang; [REDACTED:identity]’s word. "
            "[REDACTED:identity]");
  EXPECT_EQ(m.unmatched, std::vector<size_t>{3});
  // --anywhere matches inside words too.
  auto any = FindTerms("Alim", Terms({"Ali"}), "identity", /*whole_words=*/false);
  ASSERT_EQ(any.spans.size(), 1u);
  EXPECT_EQ(any.spans[0], (Span{0, 3, "identity"}));
}

TEST_F(RedactionTest, NonLatinTermsAndOverlapsMerge) {
  const std::string text = "Омир Бекали және Бекали. 奥米尔·别卡利说";
  auto m = FindTerms(text, Terms({"Бекали", "Омир Бекали"}), "identity", true);
  EXPECT_EQ(ApplySpans(text, m.spans),
            "[REDACTED:identity] және [REDACTED:identity]. 奥米尔·别卡利说");
  // Chinese has no spaces: whole words cannot match, --anywhere can.
  EXPECT_TRUE(FindTerms(text, Terms({"别卡利"}), "identity", true).spans.empty());
  auto any = FindTerms(text, Terms({"别卡利"}), "identity", false);
  EXPECT_EQ(ApplySpans(text, any.spans), "Омир Бекали және Бекали. 奥米尔·[REDACTED:identity]说");
  EXPECT_TRUE(CheckSpans(text, any.spans).ok());
}

TEST_F(RedactionTest, TermsFileParsing) {
  auto t = ParseTerms("\xEF\xBB\xBF# names\r\n  Omir Bekali \r\n\n\tTahir\n#x\nWang Xiaomi");
  ASSERT_TRUE(t.ok()) << t.status().message();
  ASSERT_EQ(t->size(), 3u);
  EXPECT_EQ((*t)[0], (std::pair<size_t, std::string>{2, "Omir Bekali"}));
  EXPECT_EQ((*t)[1], (std::pair<size_t, std::string>{4, "Tahir"}));
  EXPECT_EQ((*t)[2], (std::pair<size_t, std::string>{6, "Wang Xiaomi"}));
  EXPECT_FALSE(ParseTerms("# only a comment\n\n").ok());
  EXPECT_FALSE(ParseTerms("bad \xFF").ok());
}

TEST_F(RedactionTest, RecordRoundTripIsCanonicalAndStrict) {
  Made m = Redact("Omir Bekali was held in Karamay.", {{0, 11, "identity"}, {24, 31, "place"}});
  const std::string bytes = m.record.Serialize();
  EXPECT_EQ(bytes.find('\n'), std::string::npos);
  EXPECT_EQ(bytes.find("Omir"), std::string::npos) << "the record holds no removed text";
  auto back = RedactionRecord::Parse(AsBytes(bytes));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->Serialize(), bytes);
  EXPECT_EQ(back->spans.size(), 2u);
  EXPECT_EQ(back->spans[1].span, (Span{24, 31, "place"}));

  json j = json::parse(bytes);
  auto expect_bad = [&](json bad, const char* what) {
    auto r = RedactionRecord::Parse(AsBytes(bad.dump()));
    EXPECT_FALSE(r.ok()) << what;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), Code::kVerifyFailed) << what;
    }
  };
  json extra = j;
  extra["note"] = "x";
  expect_bad(extra, "extra field");
  json marker = j;
  marker["marker"] = "[X]";
  expect_bad(marker, "other marker");
  json order = j;
  std::swap(order["spans"][0], order["spans"][1]);
  expect_bad(order, "unsorted spans");
  json empty = j;
  empty["spans"][0]["end"] = 0;
  expect_bad(empty, "empty span");
  json hex = j;
  hex["spans"][0]["commitment"] = "00";
  expect_bad(hex, "short commitment");
  json none = j;
  none["spans"] = json::array();
  expect_bad(none, "no spans");
  EXPECT_FALSE(RedactionRecord::Parse(AsBytes("not json")).ok());
}

TEST_F(RedactionTest, CommitmentIsSha256OfSaltThenSpanBytes) {
  const std::string text = "name: Tahir, teacher";
  Made m = Redact(text, {{6, 11, "identity"}});
  ASSERT_EQ(m.salts.size(), 1u);
  std::string salted(reinterpret_cast<const char*>(m.salts[0].data()), m.salts[0].size());
  salted += "Tahir";
  // Computed by coreutils, independently of Amanat's hashing.
  EXPECT_EQ(crypto::HexEncode(m.record.spans[0].commitment), testing::Sha256SumOf(salted));
  Made again = Redact(text, {{6, 11, "identity"}});
  EXPECT_NE(again.record.spans[0].commitment, m.record.spans[0].commitment) << "fresh salt";
}

TEST_F(RedactionTest, VerifyAcceptsTheRedactionAtAnyReadSize) {
  const std::string text = ReadFileBytes(testing::FixturePath("testimony-omir-bekali.txt"));
  auto m =
      FindTerms(text, Terms({"Omir Bekali", "Tahir", "Gerry Shih", "Ürümchi"}), "identity", true);
  Made made = Redact(text, m.spans);
  for (size_t step : {1, 7, 4096, 1 << 20}) {
    auto r = VerifyRedaction(made.record, &made.salts, Reader(made.original, step),
                             Reader(made.redacted, step + 3));
    ASSERT_TRUE(r.ok()) << step << ": " << r.status().message();
    EXPECT_TRUE(r->commitments_checked);
    EXPECT_EQ(r->original_bytes, text.size());
    EXPECT_EQ(r->redacted_bytes, made.redacted.size());
  }
  // Without salts the text is still proven; the commitments are not checked.
  auto r =
      VerifyRedaction(made.record, nullptr, Reader(made.original, 100), Reader(made.redacted, 100));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->commitments_checked);
}

TEST_F(RedactionTest, VerifyFailsOnAnyOtherDifference) {
  const std::string text = "Omir Bekali was held in Karamay by Liu.";
  Made m = Redact(text, {{0, 11, "identity"}, {35, 38, "identity"}});
  ASSERT_EQ(m.redacted, "[REDACTED:identity] was held in Karamay by [REDACTED:identity].");
  auto verify = [&](const std::string& original, const std::string& redacted,
                    const std::vector<Salt>* salts) {
    return VerifyRedaction(m.record, salts, Reader(original, 5), Reader(redacted, 5));
  };
  auto expect_fail = [&](const std::string& original, const std::string& redacted,
                         const std::string& needle, const std::vector<Salt>* salts = nullptr) {
    auto r = verify(original, redacted, salts != nullptr ? salts : &m.salts);
    ASSERT_FALSE(r.ok()) << needle;
    EXPECT_EQ(r.status().code(), Code::kVerifyFailed);
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
  };
  ASSERT_TRUE(verify(m.original, m.redacted, &m.salts).ok());

  std::string kept = m.redacted;
  kept[24] = 'X';  // inside "held"
  expect_fail(m.original, kept, "at byte 24");
  std::string marker = m.redacted;
  marker[3] = 'd';  // inside the first marker
  expect_fail(m.original, marker, "at byte 3 (span 1)");
  expect_fail(m.original, m.redacted + "\n", "more bytes after byte 63");
  expect_fail(m.original, m.redacted.substr(0, 50), "ends at byte 50");
  // Text added where the record says nothing was removed.
  std::string added = m.redacted;
  added.insert(19, " Omer");  // " Omer was" for " was": the first difference is the 'O'
  expect_fail(m.original, added, "at byte 20");
  // An original with another name in a span: commitment and hash both say no.
  std::string other = text;
  other.replace(0, 4, "Omer");
  expect_fail(other, m.redacted, "span 1 (0:11) of the original does not match its commitment");
  // Without salts the other original is caught by its hash.
  auto no_salts = verify(other, m.redacted, nullptr);
  ASSERT_FALSE(no_salts.ok());
  EXPECT_NE(no_salts.status().message().find("original's SHA-256"), std::string::npos);
  // A shorter original.
  expect_fail(text.substr(0, 20), m.redacted, "the original ends at byte 20");
  // Wrong salts.
  std::vector<Salt> bad = m.salts;
  bad[1][0] ^= 1;
  expect_fail(m.original, m.redacted, "span 2 (35:38)", &bad);
  // A record whose span was moved (same length): the rebuilt text differs.
  RedactionRecord moved = m.record;
  moved.spans[1].span = {34, 37, "identity"};
  auto r = VerifyRedaction(moved, &m.salts, Reader(m.original, 5), Reader(m.redacted, 5));
  EXPECT_FALSE(r.ok());
}

TEST_F(RedactionTest, VerifyRefusesSpansThatCutACharacter) {
  const std::string text = "in Ürümchi";
  Made m = Redact(text, {{3, 12, "place"}});
  RedactionRecord cut = m.record;
  cut.spans[0].span.start = 4;  // inside Ü
  auto r = VerifyRedaction(cut, nullptr, Reader(text, 3),
                           Reader(ApplySpans(text, {{3, 12, "place"}}), 3));
  ASSERT_FALSE(r.ok());
  RedactionRecord cut_end = m.record;
  cut_end.spans[0].span.end = 7;  // inside ü
  const std::string rebuilt = "in [REDACTED:place]" + text.substr(7);
  auto e = VerifyRedaction(cut_end, nullptr, Reader(text, 2), Reader(rebuilt, 2));
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("inside a UTF-8 character"), std::string::npos)
      << e.status().message();
}

}  // namespace
}  // namespace amanat::vault
