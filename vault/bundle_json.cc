#include "vault/bundle_json.h"

#include <set>

#include "crypto/encoding.h"

namespace amanat::vault {

using nlohmann::json;

bool JsonDepthWithin(std::string_view text, size_t max_depth) {
  size_t depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

Result<json> ParseStrictJson(std::string_view text, const std::string& what) {
  if (!JsonDepthWithin(text, kMaxJsonDepth)) {
    return InvalidInput(what + ": JSON nested deeper than " + std::to_string(kMaxJsonDepth) +
                        " levels");
  }
  std::vector<std::set<std::string>> keys;  // one set per open object
  bool duplicate = false;
  json::parser_callback_t cb = [&](int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        keys.emplace_back();
        break;
      case json::parse_event_t::object_end:
        if (!keys.empty()) keys.pop_back();
        break;
      case json::parse_event_t::key:
        if (!keys.empty() && !keys.back().insert(parsed.get<std::string>()).second) duplicate = true;
        break;
      default:
        break;
    }
    return true;
  };
  json j = json::parse(text.begin(), text.end(), cb, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidInput(what + ": not valid JSON");
  if (duplicate) return InvalidInput(what + ": an object repeats a key");
  return j;
}

const json& JsonField(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

std::string JsonStringField(const json& j, const char* key) {
  const json& f = JsonField(j, key);
  return f.is_string() ? f.get<std::string>() : std::string();
}

Result<std::string> JsonString(const json& j, const char* key, const std::string& what) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) {
    return InvalidInput(what + ": \"" + key + "\" missing or not a string");
  }
  return it->get<std::string>();
}

Result<uint64_t> JsonUint(const json& j, const char* key, const std::string& what) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_unsigned()) {
    return InvalidInput(what + ": \"" + key + "\" missing or not a non-negative integer");
  }
  return it->get<uint64_t>();
}

Result<Digest> JsonBase64Digest(const json& j, const char* key, const std::string& what) {
  ASSIGN_OR_RETURN(std::string s, JsonString(j, key, what));
  auto d = crypto::Base64DecodeFixed<32>(s);
  if (!d.ok()) return InvalidInput(what + ": \"" + key + "\" is not base64 of 32 bytes");
  return *d;
}

Result<std::string> JsonHex64(const json& j, const char* key, const std::string& what) {
  ASSIGN_OR_RETURN(std::string s, JsonString(j, key, what));
  if (s.size() != 64 || !crypto::IsLowerHex(s)) {
    return InvalidInput(what + ": \"" + key + "\" is not 64 lowercase hex digits");
  }
  return s;
}

Status JsonExactKeys(const json& j, std::initializer_list<const char*> keys,
                     const std::string& what) {
  if (!j.is_object()) return InvalidInput(what + ": not a JSON object");
  for (const char* k : keys) {
    if (!j.contains(k)) return InvalidInput(what + ": \"" + k + "\" missing");
  }
  if (j.size() != keys.size()) {
    for (const auto& [k, v] : j.items()) {
      bool known = false;
      for (const char* want : keys) known = known || k == want;
      if (!known) return InvalidInput(what + ": unknown field \"" + k.substr(0, 40) + "\"");
    }
  }
  return OkStatus();
}

}  // namespace amanat::vault
