// UTC time stamps in RFC 3339 form, and checks for user-given times.
#ifndef AMANAT_VAULT_TIMEUTIL_H_
#define AMANAT_VAULT_TIMEUTIL_H_

#include <string>
#include <string_view>

namespace amanat::vault {

// Now, e.g. "2026-11-27T23:59:59Z".
std::string NowUtc();
// True for "YYYY-MM-DD", "YYYY-MM-DDTHH:MM", "YYYY-MM-DDTHH:MM:SS" with an optional "Z" or
// "+HH:MM"/"-HH:MM" offset on the forms with a time; fields in range.
bool IsValidCapturedAt(std::string_view s);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_TIMEUTIL_H_
