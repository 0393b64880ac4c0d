// Media type detection with libmagic, from the first bytes of content.
#ifndef AMANAT_VAULT_MEDIA_TYPE_H_
#define AMANAT_VAULT_MEDIA_TYPE_H_

#include <cstddef>
#include <string>

#include "crypto/bytes.h"

namespace amanat::vault {

// How much of the start of the content libmagic is shown.
inline constexpr size_t kMediaSniffBytes = 256 * 1024;

// e.g. "text/plain", "audio/x-wav"; "application/octet-stream" when libmagic cannot tell
// or is unavailable. Thread-safe (one libmagic handle per thread).
std::string DetectMediaType(ByteView head);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_MEDIA_TYPE_H_
