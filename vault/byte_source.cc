#include "vault/byte_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "vault/fs.h"

namespace amanat::vault {

Result<std::unique_ptr<FileSource>> FileSource::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return ErrnoStatus(errno, path);
  struct stat sb{};
  if (::fstat(fd, &sb) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoStatus(err, path);
  }
  if (!S_ISREG(sb.st_mode)) {
    ::close(fd);
    return InvalidInput(path + " is not a regular file");
  }
  return std::unique_ptr<FileSource>(new FileSource(path, fd, static_cast<uint64_t>(sb.st_size)));
}

FileSource::~FileSource() { ::close(fd_); }

Result<size_t> FileSource::ReadAt(uint64_t offset, uint8_t* buf, size_t n) {
  if (offset >= size_) return size_t{0};
  n = static_cast<size_t>(std::min<uint64_t>(n, size_ - offset));
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd_, buf + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, path_).Context("reading");
    }
    if (r == 0) break;  // the file shrank under us: the caller sees a short read
    got += static_cast<size_t>(r);
  }
  return got;
}

Result<size_t> MemorySource::ReadAt(uint64_t offset, uint8_t* buf, size_t n) {
  if (offset >= data_.size()) return size_t{0};
  n = static_cast<size_t>(std::min<uint64_t>(n, data_.size() - offset));
  std::memcpy(buf, data_.data() + offset, n);
  return n;
}

}  // namespace amanat::vault
