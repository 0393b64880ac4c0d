#include "vault/timeutil.h"

#include <ctime>
#include <regex>

namespace amanat::vault {

std::string NowUtc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool IsValidCapturedAt(std::string_view s) {
  static const std::regex re(
      R"(^(\d{4})-(\d{2})-(\d{2})(T(\d{2}):(\d{2})(:(\d{2}))?(Z|[+-](\d{2}):(\d{2}))?)?$)");
  std::cmatch m;
  if (s.size() > 40 || !std::regex_match(s.data(), s.data() + s.size(), m, re)) return false;
  auto num = [&](int i) { return m[i].matched ? std::stoi(m[i].str()) : 0; };
  if (num(2) < 1 || num(2) > 12 || num(3) < 1 || num(3) > 31) return false;
  if (num(5) > 23 || num(6) > 59 || num(8) > 60 || num(10) > 23 || num(11) > 59) return false;
  return true;
}

}  // namespace amanat::vault
