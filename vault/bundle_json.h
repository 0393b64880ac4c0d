// Strict JSON for bundle members that arrive from outside (manifest.json, proofs.json): a
// bounded nesting depth checked before the parser builds anything, and no duplicate keys
// (two readers could disagree about which one counts).
#ifndef AMANAT_VAULT_BUNDLE_JSON_H_
#define AMANAT_VAULT_BUNDLE_JSON_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/bytes.h"
#include "crypto/status.h"

namespace amanat::vault {

inline constexpr size_t kMaxJsonDepth = 64;

// True if no array or object in `text` is nested deeper than `max_depth` (strings and their
// escapes are skipped; the text need not be valid JSON).
bool JsonDepthWithin(std::string_view text, size_t max_depth);

// Parses `text` as one JSON document. kInvalidInput naming `what` if it is not valid JSON,
// is nested deeper than kMaxJsonDepth, or an object repeats a key.
Result<nlohmann::json> ParseStrictJson(std::string_view text, const std::string& what);

// j[key] if `j` is an object holding `key`, else null. Never throws, whatever `j` is (unlike
// nlohmann's value() and operator[], which throw or assert on unexpected types).
const nlohmann::json& JsonField(const nlohmann::json& j, const char* key);
// The string at j[key], or "" if there is none or it is not a string. Never throws.
std::string JsonStringField(const nlohmann::json& j, const char* key);

// Readers of fields in parsed JSON that return kInvalidInput naming `what` and the key.
Result<std::string> JsonString(const nlohmann::json& j, const char* key, const std::string& what);
Result<uint64_t> JsonUint(const nlohmann::json& j, const char* key, const std::string& what);
Result<Digest> JsonBase64Digest(const nlohmann::json& j, const char* key, const std::string& what);
// Lowercase hex SHA-256 (64 digits).
Result<std::string> JsonHex64(const nlohmann::json& j, const char* key, const std::string& what);
// OK if `j` is an object with exactly `keys` (all required).
Status JsonExactKeys(const nlohmann::json& j, std::initializer_list<const char*> keys,
                     const std::string& what);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_BUNDLE_JSON_H_
