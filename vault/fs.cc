#include "vault/fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "crypto/secret.h"

namespace amanat::vault {

Status ErrnoStatus(int err, std::string_view path) {
  std::string p(path);
  switch (err) {
    case ENOSPC:
    case EDQUOT:
      return IoError(p + ": disk full");
    case ENOENT:
      return NotFound(p + ": no such file or directory");
    case EACCES:
    case EPERM:
      return IoError(p + ": permission denied");
    default:
      return IoError(p + ": " + std::strerror(err));
  }
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (!out.empty() && out.back() != '/') out += '/';
  out += name;
  return out;
}

namespace {
FileIoHooks g_hooks;
}  // namespace

void TEST_SetFileIoHooks(const FileIoHooks& hooks) { g_hooks = hooks; }

ssize_t FileWrite(int fd, const void* buf, size_t n) {
  return g_hooks.write != nullptr ? g_hooks.write(fd, buf, n) : ::write(fd, buf, n);
}

int FileSync(int fd) { return g_hooks.fsync != nullptr ? g_hooks.fsync(fd) : ::fsync(fd); }

static Status WriteAll(int fd, std::string_view data, const std::string& path) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = FileWrite(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, path);
    }
    off += static_cast<size_t>(n);
  }
  return OkStatus();
}

Status FsyncDirectory(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, path);
  int rc = FileSync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoStatus(err, path);
  return OkStatus();
}

Status WriteFileAtomic(const std::string& path, std::string_view data, int mode) {
  std::string dir = ".";
  if (auto slash = path.rfind('/'); slash != std::string::npos) {
    dir = slash == 0 ? "/" : path.substr(0, slash);
  }
  uint8_t rnd[6];
  crypto::RandomBytes(rnd, sizeof rnd);
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, ".%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2],
                rnd[3], rnd[4], rnd[5]);
  std::string tmp = path + suffix + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return ErrnoStatus(errno, tmp);
  Status s = ::fchmod(fd, static_cast<mode_t>(mode)) == 0 ? OkStatus() : ErrnoStatus(errno, tmp);
  if (s.ok()) s = WriteAll(fd, data, path);
  if (s.ok() && FileSync(fd) != 0) s = ErrnoStatus(errno, path);
  if (::close(fd) != 0 && s.ok()) s = ErrnoStatus(errno, path);
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) s = ErrnoStatus(errno, path);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  return FsyncDirectory(dir);
}

Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, path);
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return ErrnoStatus(err, path);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max_bytes) {
      ::close(fd);
      return InvalidInput(path + ": file is larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
  ::close(fd);
  return out;
}

bool PathExists(const std::string& path) {
  struct stat sb{};
  return ::lstat(path.c_str(), &sb) == 0;
}

Result<bool> IsEmptyDirectory(const std::string& path) {
  DIR* d = ::opendir(path.c_str());
  if (d == nullptr) return ErrnoStatus(errno, path);
  bool empty = true;
  while (struct dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) {
      empty = false;
      break;
    }
  }
  ::closedir(d);
  return empty;
}

Status MakeDirectory(const std::string& path, int mode, bool allow_existing) {
  if (::mkdir(path.c_str(), static_cast<mode_t>(mode)) == 0) {
    ::chmod(path.c_str(), static_cast<mode_t>(mode));  // independent of umask
    return OkStatus();
  }
  int err = errno;
  struct stat sb{};
  if (err == EEXIST && allow_existing && ::stat(path.c_str(), &sb) == 0 && S_ISDIR(sb.st_mode)) {
    return OkStatus();
  }
  return ErrnoStatus(err, path);
}

}  // namespace amanat::vault
