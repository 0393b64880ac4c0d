// The strict JSON reader and the fast base64 decoder that `verify` parses entries with, each
// checked against an independent oracle (nlohmann::json, libsodium), and ParseEntry checked
// against a reference parser built on nlohmann::json over thousands of mutated entries.
#include "vault/json_reader.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/secret.h"
#include "vault/event.h"

namespace amanat::testing {
namespace {

using nlohmann::json;
using vault::JsonReader;

bool ReaderAccepts(const std::string& text) {
  JsonReader r(text);
  std::string_view span;
  return r.Skip(&span) && r.AtEnd();
}

TEST(JsonReader, AgreesWithNlohmannOnTrickyTexts) {
  const std::vector<std::string> texts = {
      "{}", "[]", "0", "-0", "01", "1.", ".5", "1.5e", "1e+5", "1E-05", "-", "--1", "+1",
      "123456789012345678901234567890", "true", "tru", "nul", "null ", " \t\r\n{} ",
      "{\"a\":1,}", "[1,]", "[,1]", "{\"a\" 1}", "{\"a\":}", "{a:1}", "[1 2]", "{\"a\":1}x",
      "\"\\u00e9\"", "\"\\ud83d\\ude00\"", "\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83dx\"",
      "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"a\tb\"", "\"a\nb\"", "\"\x7f\"",
      "\"\xc3\xa9\"", "\"\xc3\"", "\"\xc0\xaf\"", "\"\xe0\x80\xaf\"", "\"\xed\xa0\x80\"",
      "\"\xf4\x90\x80\x80\"", "\"\xf0\x9f\x98\x80\"", "\"\xff\"", "\"abc", "[\"a\",{\"b\":[null]}]",
      "{\"a\":{\"b\":{\"c\":[true,false,null,-1.25e-3]}}}", "", " ", "[", "]", "{\"\":0}",
  };
  for (const auto& t : texts) {
    EXPECT_EQ(ReaderAccepts(t), json::accept(t)) << "text: " << t;
  }
}

// Strings are scanned eight bytes at a time while no byte needs a look of its own: each such
// byte, at every offset from the start (and so at every place in a word of eight), must still
// be seen, with String, RawString and Skip giving what nlohmann gives.
TEST(JsonReader, StringsAgreeWithNlohmannWhereverTheSpecialByteFalls) {
  const std::vector<std::string> specials = {"\"", "\\\"", "\\\\", "\\/", "\\u00e9", "\\n",
                                             "\\x", "\x01", "\x1f", "\t", "\x7f", "\x80",
                                             "\xc3\xa9", "\xc3", "\xff", "\xf0\x9f\x98\x80"};
  for (size_t at = 0; at <= 24; ++at) {
    for (const auto& special : specials) {
      const std::string text = "\"" + std::string(at, 'a') + special + std::string(17, 'b') + "\"";
      SCOPED_TRACE("text: " + text);
      json want;
      const bool ok = json::accept(text);
      if (ok) want = json::parse(text);
      std::string got;
      JsonReader r(text);
      ASSERT_EQ(r.String(&got) && r.AtEnd(), ok);
      if (ok) {
        EXPECT_EQ(got, want.get<std::string>());
      }
      std::string_view raw;
      JsonReader raw_reader(text);
      ASSERT_EQ(raw_reader.RawString(&raw) && raw_reader.AtEnd(), ok);
      if (ok) {
        EXPECT_EQ(raw, std::string_view(text).substr(1, text.size() - 2));
      }
      EXPECT_EQ(ReaderAccepts(text), ok);
    }
  }
}

TEST(JsonReader, RejectsWhatNlohmannLetsThrough) {
  EXPECT_TRUE(json::accept("{\"a\":1,\"a\":2}"));
  EXPECT_FALSE(ReaderAccepts("{\"a\":1,\"a\":2}"));            // duplicate member names
  EXPECT_FALSE(ReaderAccepts("{\"a\":1,\"\\u0061\":2}"));      // the same name, escaped
  EXPECT_TRUE(ReaderAccepts("{\"a\":{\"a\":1}}"));             // same name, other object
  EXPECT_TRUE(ReaderAccepts(std::string(64, '[') + std::string(64, ']')));
  EXPECT_FALSE(ReaderAccepts(std::string(65, '[') + std::string(65, ']')));  // too deep
  EXPECT_FALSE(ReaderAccepts(std::string(100000, '[')));  // no stack exhaustion either
}

TEST(JsonReader, PullsMembersAndValues) {
  JsonReader r(R"( {"s":"a\"b\u00e9","n":18446744073709551615,"l":[1,2],"o":{"x":null}} )");
  std::string name, s;
  uint64_t n = 0;
  std::string_view span;
  ASSERT_TRUE(r.BeginObject());
  ASSERT_TRUE(r.NextMember(&name));
  EXPECT_EQ(name, "s");
  ASSERT_TRUE(r.String(&s));
  EXPECT_EQ(s, "a\"b\xc3\xa9");
  ASSERT_TRUE(r.NextMember(&name));
  ASSERT_TRUE(r.Unsigned(&n));
  EXPECT_EQ(n, UINT64_MAX);
  ASSERT_TRUE(r.NextMember(&name));
  ASSERT_TRUE(r.BeginArray());
  int elements = 0;
  while (r.NextElement()) {
    ASSERT_TRUE(r.Unsigned(&n));
    ++elements;
  }
  EXPECT_EQ(elements, 2);
  ASSERT_TRUE(r.NextMember(&name));
  ASSERT_TRUE(r.Skip(&span));
  EXPECT_EQ(span, R"({"x":null})");
  EXPECT_FALSE(r.NextMember(&name));
  EXPECT_FALSE(r.failed());
  EXPECT_TRUE(r.AtEnd());

  for (const char* bad : {"18446744073709551616", "-1", "1.0", "1e3", "007", "\"1\""}) {
    JsonReader u(bad);
    EXPECT_FALSE(u.Unsigned(&n)) << bad;
  }
}

TEST(Base64DecodePublic, MatchesLibsodiumOnEveryShortInput) {
  // Every string of length 0..4 over an alphabet with valid, padding and invalid characters,
  // and random longer ones: same verdict and same bytes as the constant-time decoder.
  // Bytes above 0x7F too: libsodium 1.0.18 alone reads them as '/' (crypto/encoding.h, IsAscii).
  const std::string chars = "AQgw/+=a9 -_\n\x80\xd2";
  std::vector<std::string> inputs = {""};
  for (size_t len = 1; len <= 4; ++len) {
    std::vector<std::string> next;
    for (const auto& s : inputs) {
      if (s.size() != len - 1) continue;
      for (char c : chars) next.push_back(s + c);
    }
    inputs.insert(inputs.end(), next.begin(), next.end());
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    Bytes raw(rng() % 40);
    for (auto& b : raw) b = static_cast<uint8_t>(rng());
    std::string s = crypto::Base64Encode(raw);
    if (i % 2 == 1 && !s.empty()) s[rng() % s.size()] = chars[rng() % chars.size()];
    inputs.push_back(s);
  }
  for (const auto& s : inputs) {
    auto want = crypto::Base64Decode(s);
    Bytes got = {0xAA};  // appends after what is there
    const bool ok = crypto::Base64DecodePublicAppend(s, &got);
    ASSERT_EQ(ok, want.ok()) << "input: '" << s << "'";
    if (ok) {
      EXPECT_EQ(Bytes(got.begin() + 1, got.end()), *want) << s;
    }
  }
}

// ---- ParseEntry against a reference parser -----------------------------------------------

// The entry parser as it was written on nlohmann::json trees: the oracle.
bool ReferenceParse(ByteView entry, vault::ParsedEntry* out) {
  json env = json::parse(entry.begin(), entry.end(), nullptr, false);
  auto exact = [](const json& j, std::initializer_list<const char*> keys) {
    if (!j.is_object() || j.size() != keys.size()) return false;
    for (const char* k : keys) {
      if (!j.contains(k)) return false;
    }
    return true;
  };
  auto hex = [](const json& j, size_t n) {
    return j.is_string() && j.get<std::string>().size() == n && crypto::IsLowerHex(j.get<std::string>());
  };
  if (env.is_discarded() || !exact(env, {"payload", "payloadType", "signatures"})) return false;
  if (env["payloadType"] != vault::kDssePayloadType || !env["payload"].is_string()) return false;
  auto payload = crypto::Base64Decode(env["payload"].get<std::string>());
  if (!payload.ok()) return false;
  const json& sigs = env["signatures"];
  if (!sigs.is_array() || sigs.empty() || sigs.size() > 4) return false;
  for (const auto& s : sigs) {
    if (!exact(s, {"keyid", "sig"}) || !hex(s["keyid"], 16) || !s["sig"].is_string()) return false;
    auto sig = crypto::Base64Decode(s["sig"].get<std::string>());
    if (!sig.ok() || sig->size() != 64) return false;
    out->signatures.push_back({s["keyid"].get<std::string>(), {}});
    std::copy(sig->begin(), sig->end(), out->signatures.back().sig.begin());
  }
  json st = json::parse(payload->begin(), payload->end(), nullptr, false);
  if (st.is_discarded() || !exact(st, {"_type", "subject", "predicateType", "predicate"})) return false;
  if (st["_type"] != vault::kStatementType || st["predicateType"] != vault::kCustodyPredicateType) return false;
  if (!st["subject"].is_array()) return false;
  vault::Event& ev = out->event;
  for (const auto& s : st["subject"]) {
    if (!exact(s, {"name", "digest"}) || s["name"] != "item" || !exact(s["digest"], {"sha256"}) ||
        !hex(s["digest"]["sha256"], 64)) {
      return false;
    }
    ev.subjects.push_back(s["digest"]["sha256"].get<std::string>());
  }
  const json& p = st["predicate"];
  if (!exact(p, {"sequence", "previous", "time", "vault", "actor", "action", "purpose", "tool",
                 "parents", "details"}) ||
      !p["sequence"].is_number_unsigned() || !hex(p["previous"], 64) || !p["time"].is_string() ||
      !p["vault"].is_string() || !exact(p["actor"], {"custodian", "key_id"}) ||
      !p["actor"]["custodian"].is_string() || !hex(p["actor"]["key_id"], 16) ||
      !p["action"].is_string() || !vault::IsKnownAction(p["action"].get<std::string>()) ||
      !p["purpose"].is_string() || !exact(p["tool"], {"name", "version"}) ||
      !p["tool"]["name"].is_string() || !p["tool"]["version"].is_string() ||
      !p["parents"].is_array() || !p["details"].is_object()) {
    return false;
  }
  ev.time = p["time"];
  if (ev.time.size() != 20 || ev.time[10] != 'T' || ev.time.back() != 'Z') return false;
  for (const auto& e : p["parents"]) {
    if (!hex(e, 64)) return false;
    ev.parents.push_back(e);
  }
  ev.sequence = p["sequence"];
  ev.previous = p["previous"];
  ev.vault = p["vault"];
  ev.actor = p["actor"]["custodian"];
  ev.actor_key_id = p["actor"]["key_id"];
  ev.action = p["action"];
  ev.purpose = p["purpose"];
  ev.tool_name = p["tool"]["name"];
  ev.tool_version = p["tool"]["version"];
  ev.details = p["details"];
  out->pae = vault::Pae(vault::kDssePayloadType, *payload);
  out->payload_offset = out->pae.size() - payload->size();
  return true;
}

Bytes SampleEntry(std::mt19937& rng, const crypto::Ed25519KeyPair& key) {
  vault::Event ev;
  ev.sequence = rng() % 100000;
  ev.time = "2026-12-01T03:04:05Z";
  ev.vault = "amanat/0123456789abcdef";
  ev.actor = "amina";
  ev.actor_key_id = vault::KeyId(key.public_key());
  ev.action = (rng() % 2) ? "access" : "ingest";
  ev.purpose = "translation into Kazakh — «тест» \"quoted\"\n";
  ev.tool_version = "0.1.0";
  for (auto i = rng() % 3; i > 0; --i) ev.subjects.push_back(std::string(64, "0a3f"[i]));
  if (rng() % 2) ev.parents.push_back(std::string(64, 'b'));
  ev.details = {{"operation", "get"}, {"n", 1.5}, {"list", {1, "two", nullptr, false}},
                {"nested", {{"k", json::object()}}}};
  return vault::SignEntry(ev, {&key});
}

TEST(ParseEntry, AgreesWithTheReferenceParserOnMutatedEntries) {
  ASSERT_TRUE(crypto::InitCrypto());
  std::mt19937 rng(2026);
  const auto key = crypto::Ed25519KeyPair::Generate();
  int accepted = 0, rejected = 0, escaped = 0;
  vault::ParsedEntry reused;  // ParseEntryInto's, carried from round to round
  for (int round = 0; round < 4000; ++round) {
    Bytes entry = SampleEntry(rng, key);
    const bool pristine = round % 8 == 0;
    // Mutate the envelope or, re-encoded, the payload inside it.
    if (!pristine) {
      json env = json::parse(entry.begin(), entry.end());
      const bool in_payload = rng() % 2;
      std::string text = in_payload ? [&] {
        Bytes p = *crypto::Base64Decode(env["payload"].get<std::string>());
        return std::string(p.begin(), p.end());
      }() : std::string(entry.begin(), entry.end());
      const std::string junk = "{}[]\",:0123456789.eE-+\\u aftrn\x01\xc3\xa9\xff";
      for (auto m = 1 + rng() % 2; m > 0 && !text.empty(); --m) {
        const size_t at = rng() % text.size();
        switch (rng() % 3) {
          case 0: text[at] = junk[rng() % junk.size()]; break;
          case 1: text.insert(at, 1, junk[rng() % junk.size()]); break;
          default: text.erase(at, 1 + rng() % 3); break;
        }
      }
      if (in_payload) {
        env["payload"] = crypto::Base64Encode(AsBytes(text));
        entry = ToBytes(env.dump());
      } else {
        entry = ToBytes(text);
      }
    }
    vault::ParsedEntry want;
    const bool want_ok = ReferenceParse(entry, &want);
    auto got = vault::ParseEntry(entry);
    const std::string shown(entry.begin(), entry.end());
    // The same answer into a parse of earlier rounds' entries, nothing of them left over.
    const Status into = vault::ParseEntryInto(entry, reused);
    EXPECT_EQ(into.ok(), got.ok()) << into.message() << ": " << shown;
    if (into.ok() && got.ok()) {
      EXPECT_EQ(reused.event.ToJson(), got->event.ToJson()) << shown;
      EXPECT_EQ(reused.pae, got->pae);
      EXPECT_EQ(reused.payload_offset, got->payload_offset);
      ASSERT_EQ(reused.signatures.size(), got->signatures.size());
      for (size_t i = 0; i < got->signatures.size(); ++i) {
        EXPECT_EQ(reused.signatures[i].key_id, got->signatures[i].key_id);
        EXPECT_EQ(reused.signatures[i].sig, got->signatures[i].sig);
      }
    }
    // A writer may escape characters of the base64 payload ('/' as "\/", any as "\u00XX"):
    // the same payload, the same PAE.
    if (pristine) {
      std::string slashes = shown;
      for (size_t at = slashes.find_first_of("/e"); at < slashes.find("\"payloadType\"");
           at = slashes.find_first_of("/e", at)) {
        const std::string escape = slashes[at] == '/' ? "\\/" : "\\u0065";
        slashes.replace(at, 1, escape);
        at += escape.size();
      }
      ASSERT_NE(slashes, shown);
      auto unescaped = vault::ParseEntry(AsBytes(slashes));
      ASSERT_TRUE(unescaped.ok()) << unescaped.status().message() << ": " << slashes;
      EXPECT_EQ(unescaped->pae, got->pae);
      ++escaped;
    }
    if (!want_ok) {
      EXPECT_FALSE(got.ok()) << "accepted what the reference rejects: " << shown;
      ++rejected;
      continue;
    }
    if (!got.ok()) {
      // The one intended difference: a duplicate member name, which nlohmann lets through.
      EXPECT_NE(got.status().message().find("duplicate"), std::string::npos)
          << got.status().message() << ": " << shown;
      continue;
    }
    ++accepted;
    EXPECT_EQ(got->event.ToJson(), want.event.ToJson()) << shown;
    EXPECT_EQ(got->pae, want.pae);
    EXPECT_EQ(Bytes(got->payload().begin(), got->payload().end()),
              Bytes(want.payload().begin(), want.payload().end()));
    ASSERT_EQ(got->signatures.size(), want.signatures.size());
    for (size_t i = 0; i < want.signatures.size(); ++i) {
      EXPECT_EQ(got->signatures[i].key_id, want.signatures[i].key_id);
      EXPECT_EQ(got->signatures[i].sig, want.signatures[i].sig);
    }
    if (pristine) {
      EXPECT_TRUE(vault::VerifyEntrySignature(*got, got->signatures[0], key.public_key()));
    }
  }
  // Both outcomes must have been exercised for the comparison to mean anything.
  EXPECT_GT(accepted, 600);
  EXPECT_GT(rejected, 1000);
  EXPECT_GT(escaped, 100);
}

}  // namespace
}  // namespace amanat::testing
