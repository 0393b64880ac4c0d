#include "vault/media_type.h"

#include <magic.h>

#include <memory>

namespace amanat::vault {
namespace {

struct MagicCloser {
  void operator()(magic_set* m) const { magic_close(m); }
};

// One libmagic handle per thread, loaded once: loading the database costs far more than a
// lookup. Null if libmagic or its database is unavailable.
magic_t ThreadMagic() {
  thread_local std::unique_ptr<magic_set, MagicCloser> handle = [] {
    // No decompression, no following of anything outside the buffer.
    magic_t m = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_ELF |
                           MAGIC_ERROR);
    if (m != nullptr && magic_load(m, nullptr) != 0) {
      magic_close(m);
      m = nullptr;
    }
    return std::unique_ptr<magic_set, MagicCloser>(m);
  }();
  return handle.get();
}

}  // namespace

std::string DetectMediaType(ByteView head) {
  const std::string fallback = "application/octet-stream";
  if (head.empty()) return "application/x-empty";
  magic_t m = ThreadMagic();
  if (m == nullptr) return fallback;
  const char* t = magic_buffer(m, head.data(), head.size());
  if (t == nullptr || *t == '\0') return fallback;
  return t;
}

}  // namespace amanat::vault
