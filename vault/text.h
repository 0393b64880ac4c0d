// Checks for user-given text that ends up in metadata, events and JSON.
#ifndef AMANAT_VAULT_TEXT_H_
#define AMANAT_VAULT_TEXT_H_

#include <string>
#include <string_view>

namespace amanat::vault {

bool IsValidUtf8(std::string_view s);
// Length of the valid UTF-8 sequence at s[i] (i < s.size()), or 0 if invalid (RFC 3629: no
// overlongs, no surrogates, nothing above U+10FFFF).
size_t Utf8SeqLen(std::string_view s, size_t i);
// Valid UTF-8, at most `max_bytes`, and no control characters (newline and tab allowed only
// if `multiline`).
bool IsCleanText(std::string_view s, size_t max_bytes, bool multiline = false);
// A file name for display and metadata: the last path component, with invalid UTF-8 and
// control characters replaced by U+FFFD.
std::string DisplayFileName(std::string_view path);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_TEXT_H_
