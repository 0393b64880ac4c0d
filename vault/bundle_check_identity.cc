#include "vault/bundle_check_identity.h"

#include <nlohmann/json.hpp>

#include "crypto/encoding.h"
#include "vault/bundle_json.h"

namespace amanat::vault {
namespace {

const Event* EventIn(const SectionResult& s, uint64_t sequence) {
  for (const auto& pe : s.parsed) {
    if (pe && pe->event.sequence == sequence) return &pe->event;
  }
  return nullptr;
}

}  // namespace

std::string CheckReceivedIdentity(const IdentityRef& r, const BundleReport& report) {
  const std::string unseal_name = "custody event " + std::to_string(r.event);
  const Event* unseal = report.sections.empty() ? nullptr : EventIn(report.sections[0], r.event);
  const std::string sealed_sha256 =
      unseal == nullptr ? "" : JsonStringField(unseal->details, "sealed_sha256");
  if (unseal == nullptr || unseal->action != "unseal" || r.event >= report.manifest.export_event ||
      JsonStringField(unseal->details, "pseudonym") != r.pseudonym ||
      JsonField(unseal->details, "sealed_to") != nlohmann::json(r.age_to) ||
      JsonStringField(unseal->details, "received_from") != r.received_from ||
      sealed_sha256.size() != 64 || !crypto::IsLowerHex(sealed_sha256)) {
    return "not opened for these recipients by a signed unseal event of a record received from " +
           r.received_from + " (" + unseal_name + ")";
  }
  const std::string add_name =
      r.received_from + " custody event " + std::to_string(r.received_event);
  for (size_t i = 1; i < report.sections.size(); ++i) {
    const SectionResult& s = report.sections[i];
    if (s.origin != r.received_from) continue;
    const Event* add = EventIn(s, r.received_event);
    if (add == nullptr) continue;
    if (add->action != "witness-add" || JsonStringField(add->details, "pseudonym") != r.pseudonym ||
        JsonStringField(add->details, "sealed_sha256") != sealed_sha256) {
      return "the signed unseal (" + unseal_name +
             ") opened another record than the signed "
             "witness-add " +
             add_name + " recorded";
    }
    return "";
  }
  return "its signed witness-add event (" + add_name + ") is not in the bundle";
}

}  // namespace amanat::vault
