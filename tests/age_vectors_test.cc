// The C2SP age test-kit headers in tests/vectors/age/ (payloads left out; see its README):
// each scenario's verdict at the header stage, and the file key its identity unwraps.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "crypto/age.h"
#include "crypto/age_internal.h"
#include "crypto/encoding.h"
#include "tests/age_test_util.h"

namespace amanat::crypto {
namespace {

struct Vector {
  std::string name, expect, file_key_hex, identity, header;
};

// Parses one vector file; fails the test on unknown keys or a missing blank line.
Vector Load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Vector v;
  v.name = path.filename().string();
  size_t pos = 0;
  while (true) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) {
      ADD_FAILURE() << v.name << ": no blank line before the header";
      return v;
    }
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) break;
    size_t colon = line.find(": ");
    std::string key = line.substr(0, colon), value = line.substr(colon + 2);
    if (key == "expect")
      v.expect = value;
    else if (key == "file key")
      v.file_key_hex = value;
    else if (key == "identity")
      v.identity = value;
    else if (key != "payload" && key != "comment")
      ADD_FAILURE() << v.name << ": unknown key " << key;
  }
  v.header = text.substr(pos);
  return v;
}

// Runs the header stage as AgeFile::Open does. Returns "ok" (with the file key),
// "no match" or "header failure".
std::string HeaderVerdict(const Vector& v, std::string* file_key_hex) {
  using age_internal::X25519;
  auto ids = ParseAgeIdentities(v.identity);
  if (!ids.ok()) return "bad identity: " + ids.status().message();
  auto h = age_internal::ParseHeader(testing::StringSource(v.header), v.header.size());
  if (!h.ok()) return "header failure";
  std::optional<SecretBytes> key;
  for (const auto& s : h->stanzas) {
    if (s.args[0] != X25519::kType) continue;
    if (!X25519::CheckStanza(s).ok()) return "header failure";
    auto k = X25519::Unwrap((*ids)[0], s);
    if (!k.ok()) return "header failure";
    if (k->has_value() && !key) key = std::move(*k);
  }
  if (!key) return "no match";
  *file_key_hex = HexEncode(key->view());
  auto mac = age_internal::HeaderMac(*key, h->mac_input);
  if (mac != h->mac) return "header failure";
  return "ok";
}

TEST(AgeVectors, HeaderStageVerdicts) {
  const std::filesystem::path dir = std::string(AMANAT_TEST_DATA_DIR) + "/vectors/age";
  int count = 0, successes = 0, failures = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename() == "README.md") continue;
    Vector v = Load(entry.path());
    ++count;
    std::string key_hex;
    std::string verdict = HeaderVerdict(v, &key_hex);
    if (v.expect == "success" || v.expect == "payload failure") {
      EXPECT_EQ(verdict, "ok") << v.name;
      EXPECT_EQ(key_hex, v.file_key_hex) << v.name;
      ++successes;
    } else if (v.expect == "header failure") {
      EXPECT_EQ(verdict, "header failure") << v.name;
      ++failures;
    } else {
      ADD_FAILURE() << v.name << ": unknown verdict " << v.expect;
    }
    // The whole reader agrees: no vector here opens (the payloads are left out), and a
    // header failure is bad input or a failed MAC, never a crash or a wrong identity.
    auto ids = ParseAgeIdentities(v.identity);
    ASSERT_TRUE(ids.ok());
    auto f = testing::OpenString(v.header, *ids);
    ASSERT_FALSE(f.ok()) << v.name;
    if (v.expect == "header failure") {
      EXPECT_TRUE(f.status().code() == Code::kInvalidInput ||
                  f.status().code() == Code::kVerifyFailed)
          << v.name << ": " << f.status().message();
    } else {
      EXPECT_EQ(f.status().code(), Code::kVerifyFailed) << v.name << ": " << f.status().message();
      EXPECT_NE(f.status().message().find("payload"), std::string::npos) << v.name;
    }
  }
  EXPECT_EQ(count, 14);
  EXPECT_GE(successes, 5);
  EXPECT_GE(failures, 9);
}

}  // namespace
}  // namespace amanat::crypto
