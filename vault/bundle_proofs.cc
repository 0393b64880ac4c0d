#include "vault/bundle_proofs.h"

#include <nlohmann/json.hpp>

#include "crypto/encoding.h"
#include "vault/bundle_json.h"

namespace amanat::vault {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr size_t kMaxPath = 64;

ordered_json PathJson(const std::vector<Digest>& path) {
  ordered_json a = ordered_json::array();
  for (const auto& h : path) a.push_back(crypto::Base64Encode(h));
  return a;
}

Result<std::vector<Digest>> ParsePath(const json& j, const std::string& what) {
  auto it = j.find("path");
  if (it == j.end() || !it->is_array() || it->size() > kMaxPath) {
    return InvalidInput(what + ": \"path\" missing, not an array, or longer than 64");
  }
  std::vector<Digest> out;
  for (const auto& h : *it) {
    if (!h.is_string()) return InvalidInput(what + ": a path hash is not a string");
    auto d = crypto::Base64DecodeFixed<32>(h.get<std::string>());
    if (!d.ok()) return InvalidInput(what + ": a path hash is not base64 of 32 bytes");
    out.push_back(*d);
  }
  return out;
}

}  // namespace

std::string BundleProofs::Serialize() const {
  ordered_json inc = ordered_json::array();
  for (const auto& p : inclusion) {
    inc.push_back(ordered_json{{"sequence", p.sequence}, {"path", PathJson(p.path)}});
  }
  ordered_json con = ordered_json::array();
  for (const auto& p : consistency) {
    con.push_back(ordered_json{{"from_size", p.from_size}, {"path", PathJson(p.path)}});
  }
  ordered_json j = {{"tree_size", tree_size}, {"inclusion", inc}, {"consistency", con}};
  return j.dump(1) + "\n";
}

Result<BundleProofs> BundleProofs::Parse(std::string_view text, const std::string& what) {
  ASSIGN_OR_RETURN(json j, ParseStrictJson(text, what));
  RETURN_IF_ERROR(JsonExactKeys(j, {"tree_size", "inclusion", "consistency"}, what));
  BundleProofs out;
  ASSIGN_OR_RETURN(out.tree_size, JsonUint(j, "tree_size", what));
  if (!j["inclusion"].is_array() || !j["consistency"].is_array()) {
    return InvalidInput(what + ": \"inclusion\" and \"consistency\" must be arrays");
  }
  for (const auto& e : j["inclusion"]) {
    const std::string w = what + ": inclusion proof";
    RETURN_IF_ERROR(JsonExactKeys(e, {"sequence", "path"}, w));
    InclusionProofEntry p;
    ASSIGN_OR_RETURN(p.sequence, JsonUint(e, "sequence", w));
    ASSIGN_OR_RETURN(p.path, ParsePath(e, w));
    out.inclusion.push_back(std::move(p));
  }
  for (const auto& e : j["consistency"]) {
    const std::string w = what + ": consistency proof";
    RETURN_IF_ERROR(JsonExactKeys(e, {"from_size", "path"}, w));
    ConsistencyProofEntry p;
    ASSIGN_OR_RETURN(p.from_size, JsonUint(e, "from_size", w));
    ASSIGN_OR_RETURN(p.path, ParsePath(e, w));
    out.consistency.push_back(std::move(p));
  }
  return out;
}

}  // namespace amanat::vault
