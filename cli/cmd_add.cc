// amanat add: stream files (or stdin) into the vault.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <iostream>
#include <optional>

#include "cli/app.h"
#include "cli/terminal.h"
#include "vault/custodians.h"
#include "vault/fs.h"
#include "vault/items.h"
#include "vault/text.h"

namespace amanat::cli {
namespace {

struct AddOptions {
  std::vector<std::string> files;
  vault::ItemMetadata meta;
  bool json = false;
};

// An input file descriptor that closes itself.
class Input {
 public:
  ~Input() {
    if (fd_ > 0) ::close(fd_);
  }
  Status Open(const std::string& path) {
    path_ = path;
    if (path == "-") {
      fd_ = STDIN_FILENO;
      return OkStatus();
    }
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return vault::ErrnoStatus(errno, path);
    struct stat sb{};
    if (::fstat(fd_, &sb) != 0) return vault::ErrnoStatus(errno, path);
    if (S_ISDIR(sb.st_mode)) return InvalidInput(path + ": is a directory");
    if (S_ISREG(sb.st_mode)) {
      size_ = static_cast<uint64_t>(sb.st_size);
      ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    return OkStatus();
  }
  Result<size_t> Read(uint8_t* buf, size_t n) {
    for (;;) {
      ssize_t got = ::read(fd_, buf, n);
      if (got >= 0) return static_cast<size_t>(got);
      if (errno != EINTR) return vault::ErrnoStatus(errno, "read");  // caller names the file
    }
  }
  uint64_t size() const { return size_; }

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

// Files are stored in batches, one transaction (and one checkpoint) per batch of up to a
// second or 256 MiB of input, so that thousands of small files do not cost thousands of
// fsyncs. A line is printed for a file only once its batch has committed: what was printed
// is stored. A failing file is rolled back alone; the batch before it is committed.
constexpr auto kBatchTime = std::chrono::seconds(1);
constexpr uint64_t kBatchBytes = 256ULL << 20;

Status RunAdd(AddOptions& o, const GlobalOptions& g) {
  RETURN_IF_ERROR(o.meta.Validate());
  int stdin_count = 0;
  for (const auto& f : o.files) stdin_count += f == "-";
  if (stdin_count > 1) return InvalidInput("'-' (standard input) can be given only once");
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  RETURN_IF_ERROR(vault::RequireRole(*v, {"admin", "collector"}, "adding items"));

  nlohmann::json out = nlohmann::json::array();
  std::vector<std::pair<vault::IngestResult, std::string>> pending;
  std::optional<vault::Transaction> tx;
  auto batch_start = std::chrono::steady_clock::now();
  uint64_t batch_bytes = 0;

  auto flush = [&]() -> Status {
    if (tx) {
      Status s = v->Commit(*tx);
      const bool stored = tx->committed();
      tx.reset();
      if (!stored) pending.clear();  // rolled back: none of the batch may be printed
      if (!s.ok()) return s;
    }
    for (auto& [r, file] : pending) {
      if (o.json) {
        out.push_back({{"id", r.item.id},
                       {"file", file},
                       {"size", r.item.size},
                       {"media_type", r.item.media_type},
                       {"kind", r.item.kind},
                       {"already_present", r.already_present}});
      } else {
        PrintLine(r.item.id + "  " + file);
      }
    }
    pending.clear();
    std::cout.flush();  // acknowledged now, not when the process ends
    return OkStatus();
  };
  // Commits what the batch holds before the failure and prints it. The failure itself is
  // what is reported: when it made SQLite abandon the transaction (disk full), the commit
  // fails too, and its message would only hide the cause.
  auto fail = [&](const Status& s) {
    (void)flush();
    if (o.json) PrintJson(out);
    return s;
  };

  for (const auto& file : o.files) {
    Input in;
    Status s = in.Open(file);
    if (!s.ok()) return fail(s);
    if (!tx) {
      auto t = vault::Transaction::Begin(v->db());
      if (!t.ok()) return fail(t.status());
      tx.emplace(std::move(*t));
      batch_start = std::chrono::steady_clock::now();
      batch_bytes = 0;
    }
    vault::ItemMetadata meta = o.meta;
    meta.filename = file == "-" ? "" : vault::DisplayFileName(file);
    Progress progress(!g.quiet, "adding " + meta.filename, in.size());
    auto r = vault::IngestItem(
        *v, [&](uint8_t* buf, size_t n) { return in.Read(buf, n); }, meta,
        [&](uint64_t done) { progress.Update(done); });
    progress.Finish();
    if (!r.ok()) return fail(r.status().Context(file == "-" ? "standard input" : file));
    batch_bytes += r->item.size;
    pending.emplace_back(std::move(*r), file);
    if (batch_bytes >= kBatchBytes || std::chrono::steady_clock::now() - batch_start >= kBatchTime) {
      Status f = flush();
      if (!f.ok()) return fail(f);
    }
  }
  Status f = flush();
  if (!f.ok()) return fail(f);  // prints what was stored if only checkpoints/latest failed
  if (o.json) PrintJson(out);
  return OkStatus();
}

}  // namespace

Command SetupAdd(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<AddOptions>();
  CLI::App* sub = app.add_subcommand("add", "Add files to the vault ('-' reads standard input)");
  sub->add_option("files", o->files, "Files to add")->required();
  sub->add_option("--kind", o->meta.kind, "testimony, audio, video, image, document or other")
      ->check(CLI::IsMember({"testimony", "audio", "video", "image", "document", "other"}));
  AddItemMetadataOptions(sub, o->meta);
  sub->add_flag("--json", o->json, "Machine-readable output");
  return {sub, [o, &g] { return RunAdd(*o, g); }};
}

}  // namespace amanat::cli
