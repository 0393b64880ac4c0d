#include "vault/media_type.h"

#include <magic.h>

namespace amanat::vault {

std::string DetectMediaType(ByteView head) {
  const std::string fallback = "application/octet-stream";
  if (head.empty()) return "application/x-empty";
  // No decompression, no following of anything outside the buffer.
  magic_t m = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_ELF |
                         MAGIC_ERROR);
  if (m == nullptr) return fallback;
  std::string out = fallback;
  if (magic_load(m, nullptr) == 0) {
    const char* t = magic_buffer(m, head.data(), head.size());
    if (t != nullptr && *t != '\0') out = t;
  }
  magic_close(m);
  return out;
}

}  // namespace amanat::vault
