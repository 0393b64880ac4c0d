// Random-access input and streaming output for bundles. A bundle is read through a
// RandomAccessSource (a file today; a decrypting reader over an age-encrypted file later) and
// written through a ByteSink, so that neither side needs a plain file path or a temporary file.
#ifndef AMANAT_VAULT_BYTE_SOURCE_H_
#define AMANAT_VAULT_BYTE_SOURCE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "crypto/bytes.h"
#include "crypto/status.h"

namespace amanat::vault {

// Consumes the next piece of a stream; a non-OK Status stops the writer.
using ByteSink = std::function<Status(ByteView data)>;

// Bytes that can be read at any offset. Implementations need not be thread-safe.
class RandomAccessSource {
 public:
  virtual ~RandomAccessSource() = default;
  // Total size in bytes; fixed for the source's lifetime.
  virtual uint64_t size() const = 0;
  // Reads up to `n` bytes at `offset` into `buf`. Returns the count read: less than `n` only
  // at the end, 0 at or beyond it. kIoError (naming the source) on a read failure.
  virtual Result<size_t> ReadAt(uint64_t offset, uint8_t* buf, size_t n) = 0;
  // Names the source in messages, e.g. the file's path.
  virtual const std::string& name() const = 0;
};

// A regular file, read with pread(2). Holds the file open for its lifetime.
class FileSource final : public RandomAccessSource {
 public:
  // kNotFound if `path` does not exist, kInvalidInput if it is not a regular file, kIoError
  // if it cannot be opened.
  static Result<std::unique_ptr<FileSource>> Open(const std::string& path);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  uint64_t size() const override { return size_; }
  Result<size_t> ReadAt(uint64_t offset, uint8_t* buf, size_t n) override;
  const std::string& name() const override { return path_; }

 private:
  FileSource(std::string path, int fd, uint64_t size) : path_(std::move(path)), fd_(fd), size_(size) {}
  std::string path_;
  int fd_;
  uint64_t size_;
};

// Bytes held in memory (tests, small archives).
class MemorySource final : public RandomAccessSource {
 public:
  MemorySource(std::string data, std::string name = "memory")
      : data_(std::move(data)), name_(std::move(name)) {}
  uint64_t size() const override { return data_.size(); }
  Result<size_t> ReadAt(uint64_t offset, uint8_t* buf, size_t n) override;
  const std::string& name() const override { return name_; }

 private:
  std::string data_;
  std::string name_;
};

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_BYTE_SOURCE_H_
