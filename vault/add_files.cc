#include "vault/add_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <new>
#include <optional>
#include <thread>

#include "crypto/secret.h"
#include "vault/fs.h"
#include "vault/media_type.h"
#include "vault/text.h"
#include "vault/witnesses.h"

namespace amanat::vault {
namespace {

// How far the reading thread may run ahead of the storing one.
constexpr size_t kAheadFiles = 64;
constexpr size_t kAheadBytes = 8u << 20;

// An input file descriptor that closes itself.
class Input {
 public:
  Input() = default;
  Input(const Input&) = delete;
  Input& operator=(const Input&) = delete;
  ~Input() {
    if (fd_ > STDIN_FILENO) ::close(fd_);
  }
  Status Open(const std::string& path) {
    if (path == "-") {
      fd_ = STDIN_FILENO;
      return OkStatus();
    }
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return ErrnoStatus(errno, path);
    struct stat sb {};
    if (::fstat(fd_, &sb) != 0) return ErrnoStatus(errno, path);
    if (S_ISDIR(sb.st_mode)) return InvalidInput(path + ": is a directory");
    if (S_ISREG(sb.st_mode)) {
      regular_ = true;
      size_ = static_cast<uint64_t>(sb.st_size);
    }
    return OkStatus();
  }
  Result<size_t> Read(uint8_t* buf, size_t n) {
    for (;;) {
      ssize_t got = ::read(fd_, buf, n);
      if (got >= 0) return static_cast<size_t>(got);
      if (errno != EINTR) return ErrnoStatus(errno, "read");  // the caller names the file
    }
  }
  // Fills `buf` unless the input ends first; returns the byte count.
  Result<size_t> ReadFull(uint8_t* buf, size_t n) {
    size_t done = 0;
    while (done < n) {
      ASSIGN_OR_RETURN(size_t got, Read(buf + done, n - done));
      if (got == 0) break;
      done += got;
    }
    return done;
  }
  bool regular() const { return regular_; }
  uint64_t size() const { return size_; }
  void Sequential() const { ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL); }

 private:
  int fd_ = -1;
  bool regular_ = false;
  uint64_t size_ = 0;
};

// One file as the reading thread leaves it: either its whole content and media type, or a
// note that it is to be streamed (too large, not a regular file, standard input), or the
// error that stopped it. The content is evidence: wiped when dropped.
struct AheadFile {
  Status status = OkStatus();
  bool whole = false;
  std::vector<uint8_t> buffer;  // one byte more than the file, to notice a growing file
  size_t size = 0;
  std::string media_type;

  AheadFile() = default;
  AheadFile(AheadFile&&) = default;
  AheadFile& operator=(AheadFile&&) = delete;
  ~AheadFile() { crypto::Wipe(buffer.data(), buffer.size()); }
};

AheadFile ReadWhole(const std::string& path) {
  AheadFile f;
  if (path == "-") return f;
  Input in;
  f.status = in.Open(path);
  if (!f.status.ok() || !in.regular() || in.size() > kChunkSize) return f;
  f.buffer.resize(in.size() + 1);
  auto got = in.ReadFull(f.buffer.data(), f.buffer.size());
  if (!got.ok()) {
    f.status = got.status().Context(path);
    return f;
  }
  if (*got > in.size()) return f;  // grew since fstat: stream it
  f.whole = true;
  f.size = *got;
  f.media_type = DetectMediaType(ByteView(f.buffer.data(), std::min(f.size, kMediaSniffBytes)));
  return f;
}

// Reads the files in order on a thread of its own, a bounded distance ahead of Next().
class ReadAhead {
 public:
  explicit ReadAhead(const std::vector<std::string>& files)
      : files_(files), worker_([this] { Run(); }) {}
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;
  ~ReadAhead() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }

  // The next file in order. Call at most once per file, and not after a failed one.
  AheadFile Next() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !ready_.empty(); });
    AheadFile f = std::move(ready_.front());
    ready_.pop_front();
    ready_bytes_ -= f.buffer.size();
    lock.unlock();
    cv_.notify_all();
    return f;
  }

 private:
  void Run() {
    for (const std::string& path : files_) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] {
          return stop_ || (ready_.size() < kAheadFiles && ready_bytes_ < kAheadBytes);
        });
        if (stop_) return;
      }
      AheadFile f = [&] {
        try {
          return ReadWhole(path);
        } catch (const std::bad_alloc&) {
          AheadFile e;
          e.status = IoError("out of memory");
          return e;
        }
      }();
      const bool failed = !f.status.ok();
      {
        std::lock_guard<std::mutex> lock(mu_);
        ready_bytes_ += f.buffer.size();
        ready_.push_back(std::move(f));
      }
      cv_.notify_all();
      if (failed) return;  // nothing after a failing file is read
    }
  }

  const std::vector<std::string>& files_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<AheadFile> ready_;
  size_t ready_bytes_ = 0;
  bool stop_ = false;
  std::thread worker_;  // last: starts once the rest is ready
};

}  // namespace

Status AddFiles(Vault& vault, const std::vector<std::string>& files, const AddFilesOptions& o) {
  RETURN_IF_ERROR(o.meta.Validate());
  if (std::count(files.begin(), files.end(), "-") > 1) {
    return InvalidInput("'-' (standard input) can be given only once");
  }
  std::vector<AddedFile> pending;
  std::optional<Transaction> tx;
  auto batch_start = std::chrono::steady_clock::now();
  uint64_t batch_bytes = 0;

  auto report = [&] {
    if (!pending.empty() && o.committed) o.committed(pending);
    pending.clear();
  };
  auto flush = [&]() -> Status {
    if (tx) {
      Status s = vault.Commit(*tx);
      const bool stored = tx->committed();
      tx.reset();
      if (!stored) pending.clear();  // rolled back: none of the batch may be reported
      if (!s.ok()) {
        report();  // stored, only checkpoints/latest failed: the files are in the vault
        return s;
      }
    }
    report();
    return OkStatus();
  };
  // Commits and reports what the batch holds before the failure. The failure itself is what
  // is returned: when it made SQLite abandon the transaction (disk full), the commit fails
  // too, and its message would only hide the cause.
  auto fail = [&](const Status& s) {
    (void)flush();
    return s;
  };

  RETURN_IF_ERROR(CheckWitnessKnown(vault, o.meta.witness));

  ReadAhead ahead(files);
  for (const std::string& file : files) {
    AheadFile f = ahead.Next();
    if (!f.status.ok()) return fail(f.status);
    Input in;
    if (!f.whole) {
      Status s = in.Open(file);
      if (!s.ok()) return fail(s);
      in.Sequential();
    }
    if (!tx) {
      auto t = Transaction::Begin(vault.db());
      if (!t.ok()) return fail(t.status());
      tx.emplace(std::move(*t));
      batch_start = std::chrono::steady_clock::now();
      batch_bytes = 0;
    }
    ItemMetadata meta = o.meta;
    meta.filename = file == "-" ? "" : DisplayFileName(file);
    ProgressFn progress = o.start ? o.start(file, f.whole ? f.size : in.size()) : nullptr;
    Result<IngestResult> r =
        f.whole ? IngestWholeItem(vault, ByteView(f.buffer.data(), f.size), meta, f.media_type)
                : IngestItem(vault, [&](uint8_t* buf, size_t n) { return in.Read(buf, n); }, meta,
                             progress);
    if (progress && r.ok()) progress(r->item.size);
    if (o.finish) o.finish();
    if (!r.ok() && f.whole) {
      // No savepoint to roll back to: the batch goes, unacknowledged, with the file.
      tx.reset();
      const size_t lost = pending.size();
      pending.clear();
      Status s = r.status().Context(file);
      if (lost == 0) return s;
      return Status(s.code(),
                    s.message() + " (the " + std::to_string(lost) +
                        " files before it in this batch were not stored either)",
                    s.hint());
    }
    if (!r.ok()) return fail(r.status().Context(file == "-" ? "standard input" : file));
    batch_bytes += r->item.size;
    pending.push_back({file, std::move(*r)});
    if (batch_bytes >= o.batch_bytes ||
        std::chrono::steady_clock::now() - batch_start >= o.batch_time) {
      Status s = flush();
      if (!s.ok()) return fail(s);
    }
  }
  return flush();
}

}  // namespace amanat::vault
