#include "cli/terminal.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "vault/fs.h"

namespace amanat::cli {
namespace {

constexpr size_t kMaxPassphrase = 4096;

// Reads bytes from `fd` into secret memory up to the first newline or EOF.
Result<crypto::SecretBytes> ReadLine(int fd, const std::string& what) {
  crypto::SecretBytes buf(kMaxPassphrase + 1);
  size_t len = 0;
  for (;;) {
    uint8_t c;
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return vault::ErrnoStatus(errno, what);
    }
    if (n == 0 || c == '\n') break;
    if (len == kMaxPassphrase) return InvalidInput(what + ": passphrase is longer than 4096 bytes");
    buf.data()[len++] = c;
  }
  if (len > 0 && buf.data()[len - 1] == '\r') --len;
  buf.Truncate(len);
  return buf;
}

}  // namespace

Result<crypto::SecretBytes> ReadPassphraseFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return vault::ErrnoStatus(errno, path).Context("passphrase file");
  auto r = ReadLine(fd, path);
  ::close(fd);
  if (!r.ok()) {
    return Status(Code::kInvalidInput, "passphrase file " + r.status().message())
        .WithHint("--passphrase-file takes a file whose first line is the passphrase");
  }
  if (r->empty()) return InvalidInput("passphrase file " + path + " is empty");
  return r;
}

Result<crypto::SecretBytes> AskPassphrase(const std::string& prompt, bool confirm) {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    return InvalidInput("no terminal to ask for the passphrase on")
        .WithHint("use --passphrase-file FILE or set AMANAT_PASSPHRASE_FILE");
  }
  struct termios old{};
  bool restore = ::tcgetattr(fd, &old) == 0;
  if (restore) {
    struct termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  auto ask = [&](const std::string& p) -> Result<crypto::SecretBytes> {
    std::string text = p + ": ";
    if (::write(fd, text.data(), text.size()) < 0) return vault::ErrnoStatus(errno, "/dev/tty");
    return ReadLine(fd, "/dev/tty");
  };
  Result<crypto::SecretBytes> first = ask(prompt);
  Status status = first.status();
  if (first.ok() && first->empty()) status = InvalidInput("empty passphrase");
  if (status.ok() && confirm) {
    auto second = ask("Again, " + prompt);
    if (!second.ok()) {
      status = second.status();
    } else if (!second->Equals(*first)) {
      status = InvalidInput("the two passphrases differ");
    }
  }
  if (restore) ::tcsetattr(fd, TCSAFLUSH, &old);
  ::close(fd);
  if (!status.ok()) return status;
  return first;
}

Result<crypto::SecretBytes> GetPassphrase(const std::string& file, const std::string& prompt,
                                          bool confirm) {
  if (!file.empty()) return ReadPassphraseFile(file);
  return AskPassphrase(prompt, confirm);
}

std::string HumanBytes(uint64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

Progress::Progress(bool enabled, std::string label, uint64_t total)
    : active_(enabled && ::isatty(STDERR_FILENO) == 1),
      label_(std::move(label)),
      total_(total),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

Progress::~Progress() { Finish(); }

void Progress::Update(uint64_t done) {
  done_ = done;
  if (!active_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  double secs = std::chrono::duration<double>(now - start_).count();
  double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
  std::string line = "\r" + label_ + "  " + HumanBytes(done);
  if (total_ > 0) line += " / " + HumanBytes(total_);
  line += "  " + HumanBytes(static_cast<uint64_t>(rate)) + "/s";
  if (total_ > done && rate > 0) {
    auto left = static_cast<uint64_t>(static_cast<double>(total_ - done) / rate);
    char buf[32];
    std::snprintf(buf, sizeof buf, "  %llu:%02llu left", static_cast<unsigned long long>(left / 60),
                  static_cast<unsigned long long>(left % 60));
    line += buf;
  }
  line += "\x1b[K";
  std::fputs(line.c_str(), stderr);
  drawn_ = true;
}

void Progress::Finish() {
  if (drawn_) std::fputs("\r\x1b[K", stderr);
  drawn_ = false;
}

}  // namespace amanat::cli
