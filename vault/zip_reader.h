// ZipReader: reads a ZIP archive from a RandomAccessSource with libarchive's seekable ZIP
// reader (the central directory decides what the members are), and refuses everything an
// Amanat bundle never holds, before any member's data is read:
//   - an archive whose end-of-central-directory record is not at its very end (truncated,
//     trailing data, an archive comment), or that declares more than kMaxZipMembers members;
//   - member names that are empty, absolute, contain "..", "." or empty components, a
//     backslash, or any byte outside [A-Za-z0-9._/-], or that are longer than 512 bytes;
//   - symbolic links, hard links, directories and every other non-regular member;
//   - compressed members (a bundle's members are stored, method 0) and encrypted members;
//   - a declared size larger than the archive, or declared sizes that add up to more than
//     the archive (overlapping members);
//   - any inconsistency libarchive reports, even one it would only warn about;
//   - a central directory listing more members than libarchive returns (two entries over
//     the same data, which libarchive merges and other readers show twice).
// A name that appears twice is kVerifyFailed (an added member); the rest is kInvalidInput.
// While reading data, more or fewer bytes than declared, or a CRC-32 mismatch, is
// kVerifyFailed naming the member. Not thread-safe.
#ifndef AMANAT_VAULT_ZIP_READER_H_
#define AMANAT_VAULT_ZIP_READER_H_

#include <archive.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "crypto/bytes.h"
#include "crypto/status.h"
#include "vault/byte_source.h"

namespace amanat::vault {

inline constexpr uint64_t kMaxZipMembers = 200000;

struct ZipMember {
  std::string path;
  uint64_t size = 0;  // declared, uncompressed
};

class ZipReader {
 public:
  // REQUIRES: `source` outlives the reader.
  static Result<std::unique_ptr<ZipReader>> Open(RandomAccessSource& source);
  ~ZipReader();
  ZipReader(const ZipReader&) = delete;
  ZipReader& operator=(const ZipReader&) = delete;

  // Moves to the next member (in archive order) and returns it; nullopt after the last.
  Result<std::optional<ZipMember>> Next();

  // Streams the current member's bytes to `sink`. Exactly the declared size, or an error.
  // REQUIRES: Next() returned a member whose data has not been read yet.
  Status Read(const ByteSink& sink);
  // Pulls up to `n` bytes of the current member into `buf`; 0 at its end, after which the
  // byte count is checked against the declared size. Do not mix with Read.
  Result<size_t> ReadSome(uint8_t* buf, size_t n);
  // Reads the current member into memory; kInvalidInput if it is larger than `max_bytes`.
  Result<std::string> ReadAll(size_t max_bytes);

 private:
  explicit ZipReader(RandomAccessSource& source);
  Status CheckEndRecord();
  Status ArchiveError(Code code, const std::string& what);
  static la_ssize_t ReadCallback(struct archive* a, void* self, const void** buf);
  static la_int64_t SeekCallback(struct archive* a, void* self, la_int64_t offset, int whence);
  static la_int64_t SkipCallback(struct archive* a, void* self, la_int64_t request);

  RandomAccessSource& source_;
  struct archive* archive_ = nullptr;
  uint64_t position_ = 0;
  Bytes buffer_;
  Status source_status_;
  std::set<std::string> seen_;
  uint64_t declared_total_ = 0;
  uint64_t declared_members_ = 0;  // from the end-of-central-directory record
  std::optional<ZipMember> current_;
  bool data_read_ = false;
  uint64_t pulled_ = 0;  // bytes of the current member returned by ReadSome
};

// True if `path` is a member name ZipReader accepts (see above).
bool IsSafeMemberName(std::string_view path);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_ZIP_READER_H_
