#include "cli/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <utility>

#include "crypto/encoding.h"
#include "crypto/secret.h"
#include "vault/fs.h"

namespace amanat::cli {
namespace {

std::string DirOf(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string RandomSibling(const std::string& path) {
  return path + ".amanat-" + crypto::HexEncode(crypto::RandomArray<6>()) + ".tmp";
}

}  // namespace

Status WriteAllFd(int fd, ByteView data, const std::string& what) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = vault::FileWrite(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return vault::ErrnoStatus(errno, what).Context("writing");
    }
    off += static_cast<size_t>(n);
  }
  return OkStatus();
}

Result<OutputFile> OutputFile::Create(const std::string& path, bool overwrite) {
  struct stat sb{};
  if (::lstat(path.c_str(), &sb) == 0) {
    if (!overwrite) {
      return InvalidInput(path + " already exists").WithHint("use --force to overwrite it");
    }
    if (S_ISDIR(sb.st_mode)) return InvalidInput(path + " is a directory");
  }
  const std::string dir = DirOf(path);
  int fd = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (fd >= 0) return OutputFile(path, overwrite, fd, "");
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
    return vault::ErrnoStatus(errno, dir);
  }
  // Fallback for file systems without O_TMPFILE: a hidden sibling, removed on failure.
  std::string temp = RandomSibling(path);
  fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return vault::ErrnoStatus(errno, temp);
  return OutputFile(path, overwrite, fd, temp);
}

OutputFile::OutputFile(OutputFile&& o) noexcept
    : path_(std::move(o.path_)),
      overwrite_(o.overwrite_),
      fd_(std::exchange(o.fd_, -1)),
      temp_name_(std::move(o.temp_name_)) {}

OutputFile::~OutputFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    if (!temp_name_.empty()) ::unlink(temp_name_.c_str());
  }
}

Status OutputFile::Write(ByteView data) { return WriteAllFd(fd_, data, path_); }

Status OutputFile::SyncNewName() {
  Status s = vault::FsyncDirectory(DirOf(path_));
  // A name that may not survive a crash is not reported as written: the command fails and
  // leaves nothing under path_, as for any other failure.
  if (!s.ok()) ::unlink(path_.c_str());
  return s;
}

Status OutputFile::Commit() {
  if (vault::FileSync(fd_) != 0) return vault::ErrnoStatus(errno, path_);
  std::string from = temp_name_;
  if (from.empty()) {
    // Name the unnamed file: directly when it must not clobber (linkat fails on EEXIST),
    // else under a temporary name that rename() then moves over the old file atomically.
    std::string proc = "/proc/self/fd/" + std::to_string(fd_);
    std::string target = overwrite_ ? RandomSibling(path_) : path_;
    if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, target.c_str(), AT_SYMLINK_FOLLOW) != 0) {
      int err = errno;
      if (err == EEXIST) {
        return InvalidInput(path_ + " already exists").WithHint("use --force to overwrite it");
      }
      return vault::ErrnoStatus(err, path_);
    }
    if (!overwrite_) {
      ::close(std::exchange(fd_, -1));
      return SyncNewName();
    }
    from = target;
  } else if (!overwrite_) {
    // No O_TMPFILE: link() refuses to clobber, like linkat above.
    if (::link(from.c_str(), path_.c_str()) != 0) {
      return vault::ErrnoStatus(errno, path_);
    }
    ::unlink(from.c_str());
    temp_name_.clear();
    ::close(std::exchange(fd_, -1));
    return SyncNewName();
  }
  if (::rename(from.c_str(), path_.c_str()) != 0) {
    int err = errno;
    ::unlink(from.c_str());
    return vault::ErrnoStatus(err, path_);
  }
  temp_name_.clear();
  ::close(std::exchange(fd_, -1));
  return vault::FsyncDirectory(DirOf(path_));
}

}  // namespace amanat::cli
