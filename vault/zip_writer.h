// ZipWriter: a ZIP archive (libarchive) written front to back through a ByteSink, never
// seeking. Members are regular files stored uncompressed (method 0) with a trailing data
// descriptor; Zip64 records are added where a size or an offset needs them (over 4 GiB), so
// `unzip`, Python's zipfile and libarchive read the result. Not thread-safe.
#ifndef AMANAT_VAULT_ZIP_WRITER_H_
#define AMANAT_VAULT_ZIP_WRITER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "crypto/bytes.h"
#include "crypto/status.h"
#include "vault/byte_source.h"

struct archive;

namespace amanat::vault {

class ZipWriter {
 public:
  struct Options {
    int64_t mtime = 0;         // modification time of every member (Unix seconds)
    bool force_zip64 = false;  // Zip64 records even for small members (tests)
  };

  // The sink receives every byte of the archive in order. kIoError if libarchive cannot be
  // set up.
  static Result<std::unique_ptr<ZipWriter>> Open(ByteSink sink, const Options& options);
  // Without a successful Finish(), whatever was written is incomplete: the caller discards it.
  ~ZipWriter();
  ZipWriter(const ZipWriter&) = delete;
  ZipWriter& operator=(const ZipWriter&) = delete;

  // Adds a whole member.
  Status Add(const std::string& path, ByteView data);

  // Adds a member of exactly `size` bytes, given by Write calls between Begin and End.
  // End fails (kInvalidInput) if a different number of bytes was written.
  Status Begin(const std::string& path, uint64_t size);
  Status Write(ByteView data);
  Status End();

  // Writes the central directory. No member can be added afterwards.
  Status Finish();

  // Bytes handed to the sink so far.
  uint64_t bytes_written() const { return bytes_written_; }

 private:
  ZipWriter(ByteSink sink, const Options& options);
  static long WriteCallback(struct archive* a, void* self, const void* buf, size_t n);
  Status Failed(const std::string& what);

  ByteSink sink_;
  Options options_;
  struct archive* archive_ = nullptr;
  Status sink_status_;
  uint64_t bytes_written_ = 0;
  std::string path_;  // member being written
  uint64_t expected_ = 0, written_ = 0;
  bool in_member_ = false, finished_ = false, broken_ = false;
};

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_ZIP_WRITER_H_
