// JsonReader: a strict pull reader over one JSON text (RFC 8259), for the custody entries that
// `verify` reads by the hundred thousand.
//
// Why not nlohmann::json here: building a DOM of every entry costs more than checking its
// signature (docs/benchmarks.md). This reader allocates nothing but the strings it is asked
// to decode. It is strict where nlohmann is lenient: a duplicate member name is an error, as
// is invalid UTF-8, a lone surrogate escape, a control character in a string, a leading zero,
// anything after the text, or nesting deeper than kMaxDepth. Callers ask for the value they
// expect next and get false on anything else; after a false the reader is failed for good.
// Objects read member by member (NextMember) leave duplicate names to the caller, who knows
// which names it expects; Skip rejects them itself.
//
// Not thread-safe; cheap to create, one per text.
#ifndef AMANAT_VAULT_JSON_READER_H_
#define AMANAT_VAULT_JSON_READER_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace amanat::vault {

class JsonReader {
 public:
  static constexpr int kMaxDepth = 64;

  explicit JsonReader(std::string_view text) : s_(text) {}

  // '{': then call NextMember until it returns false (at the closing '}').
  bool BeginObject() { return Open('{'); }
  // True with the member's name if another member follows (its ':' consumed; read the value
  // next). False at '}' (consumed) or on malformed input (failed() tells which).
  bool NextMember(std::string* name);
  // '[': then call NextElement until it returns false (at the closing ']').
  bool BeginArray() { return Open('['); }
  // True if another element follows (read it next); false at ']' or on malformed input.
  bool NextElement();

  // A string value, unescaped; its UTF-8 is checked.
  bool String(std::string* out);
  // A string value, checked as String checks it, given as its text between the quotes with
  // any escapes left as they are (`raw` points into the text read): for long values that
  // seldom hold an escape, read without a copy. A value that holds a backslash must be
  // unescaped (String, on a reader of the quoted text) before use.
  bool RawString(std::string_view* raw);
  // A non-negative integer without sign, fraction or exponent that fits in 64 bits.
  bool Unsigned(uint64_t* out);
  // Any value, checked as strictly as the rest (including duplicate member names at every
  // level); `span` is its exact text.
  bool Skip(std::string_view* span);
  // True if nothing but whitespace is left and no container is open.
  bool AtEnd();

  bool failed() const { return failed_; }

 private:
  bool Open(char c);
  // Shared by NextMember and NextElement: false at `close` (consumed) or on malformed input;
  // true, past any ',', if another item follows.
  bool NextItem(char close);
  bool Fail() {
    failed_ = true;
    return false;
  }
  void SkipSpace();
  bool Peek(char c);
  bool ReadString(std::string* out);  // out may be null: validate only
  bool SkipNumber();
  bool SkipValue(int depth);

  std::string_view s_;
  size_t pos_ = 0;
  bool failed_ = false;
  int depth_ = 0;
  // Per open container: true until its first member or element has been read.
  bool first_[kMaxDepth + 1] = {};
};

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_JSON_READER_H_
