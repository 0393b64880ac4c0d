// Test helper: runs the built `amanat` binary (or any program) without a shell and captures
// what it does, plus a GoogleTest fixture with a fresh temporary directory per test.
//
//   RunResult r = RunAmanat({"--vault", v, "ls"});
//   EXPECT_EQ(r.exit_code, 0) << r;
//
// Children run in a new session (setsid), so they have no controlling terminal: a command
// that would ask for a passphrase on /dev/tty fails instead of hanging the suite. The
// child's environment is the test's, minus every AMANAT_* variable, plus the overrides
// given. Header-only; later end-to-end tests (custody log, bundles) reuse it.
#ifndef AMANAT_TESTS_CLI_RUNNER_H_
#define AMANAT_TESTS_CLI_RUNNER_H_

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace amanat::testing {

// Where the build put the binary and where the test sources are (set by tests/CMakeLists.txt).
inline std::string AmanatBinary() { return AMANAT_BINARY; }
// The interpreter for the stock-tool checks (scripts/validate_bundle.py and the like).
inline constexpr char kPython[] = "/usr/bin/python3";
// The sample testimony, tests/fixtures/ (FixturePath).
inline constexpr char kTestimony[] = "testimony-omir-bekali.txt";
inline std::string TestDataDir() { return AMANAT_TEST_DATA_DIR; }
inline std::string FixturePath(const std::string& name) {
  return TestDataDir() + "/fixtures/" + name;
}

struct RunResult {
  int exit_code = -1;  // the exit status, or -1 if the child was killed by a signal
  int term_signal = 0;
  bool timed_out = false;
  std::string out;
  std::string err;
  std::string command;  // for failure messages

  // The stderr lines, without their newlines.
  std::vector<std::string> ErrLines() const {
    std::vector<std::string> lines;
    std::istringstream in(err);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
};

inline std::ostream& operator<<(std::ostream& os, const RunResult& r) {
  os << "\n$ " << r.command << "\nexit " << r.exit_code;
  if (r.term_signal != 0) os << " (signal " << r.term_signal << ")";
  if (r.timed_out) os << " (timed out)";
  os << "\n--- stdout (" << r.out.size() << " bytes) ---\n"
     << (r.out.size() > 4000 ? r.out.substr(0, 4000) + "..." : r.out)
     << "\n--- stderr ---\n"
     << r.err;
  return os;
}

struct RunOptions {
  std::optional<std::string> stdin_data;  // none: stdin is /dev/null
  // Environment overrides: a value sets the variable, nullopt removes it.
  std::map<std::string, std::optional<std::string>> env;
  std::string cwd;  // empty: the test's working directory
  std::chrono::seconds timeout{300};
  // Give the child a pseudo-terminal as stderr (isatty(2) is true; it is still not the
  // child's controlling terminal). What it writes there lands in RunResult::err, with the
  // terminal's "\n" -> "\r\n" translation.
  bool stderr_tty = false;
};

// A running child with pipes to its stdin, stdout and stderr. Move-only.
class Child {
 public:
  Child(const std::string& program, const std::vector<std::string>& args,
        const RunOptions& options) {
    // Writing to a child that has exited must be an error (EPIPE), not kill the test.
    ::signal(SIGPIPE, SIG_IGN);
    command_ = program;
    for (const auto& a : args) command_ += " " + a;
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 ||
        ::pipe2(err, O_CLOEXEC) != 0) {
      ADD_FAILURE() << "pipe2: " << std::strerror(errno);
      return;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (options.stdin_data) {
      posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
    } else {
      posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    }
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    if (options.stderr_tty) {
      int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
      int slave = -1;
      if (master >= 0 && ::grantpt(master) == 0 && ::unlockpt(master) == 0) {
        const char* name = ::ptsname(master);
        if (name != nullptr) slave = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
      }
      if (slave < 0) {
        ADD_FAILURE() << "cannot make a pseudo-terminal: " << std::strerror(errno);
        if (master >= 0) ::close(master);
      } else {
        ::close(err[0]);
        ::close(err[1]);
        err[0] = master;  // the parent reads the terminal's output
        err[1] = slave;   // the child writes to the terminal
      }
    }
    posix_spawn_file_actions_adddup2(&fa, err[1], STDERR_FILENO);
    if (!options.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, options.cwd.c_str());
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr,
                             POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<std::string> argv_s;
    argv_s.push_back(program);
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);

    std::vector<std::string> env_s;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string kv(*e);
      std::string key = kv.substr(0, kv.find('='));
      if (key.rfind("AMANAT_", 0) == 0 || options.env.count(key) != 0) continue;
      env_s.push_back(kv);
    }
    for (const auto& [k, v] : options.env) {
      if (v) env_s.push_back(k + "=" + *v);
    }
    std::vector<char*> envp;
    for (auto& e : env_s) envp.push_back(e.data());
    envp.push_back(nullptr);

    int rc = ::posix_spawn(&pid_, program.c_str(), &fa, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    stdin_fd_ = in[1];
    out_fd_ = out[0];
    err_fd_ = err[0];
    if (rc != 0) {
      ADD_FAILURE() << "posix_spawn " << program << ": " << std::strerror(rc);
      pid_ = -1;
      return;
    }
    deadline_ = std::chrono::steady_clock::now() + options.timeout;
    if (options.stdin_data) {
      pending_stdin_ = *options.stdin_data;
      ::fcntl(stdin_fd_, F_SETFL, O_NONBLOCK);
    } else {
      CloseStdin();
    }
  }

  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int st;
      ::waitpid(pid_, &st, 0);
    }
    for (int fd : {stdin_fd_, out_fd_, err_fd_}) {
      if (fd >= 0) ::close(fd);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }

  // Writes to the child's stdin (blocking until written or the child stops reading),
  // collecting its output meanwhile. Returns false if the child closed its stdin.
  bool WriteStdin(const std::string& data) {
    pending_stdin_ += data;
    while (!pending_stdin_.empty() && stdin_fd_ >= 0) {
      if (!Pump()) break;
    }
    return pending_stdin_.empty();
  }
  void CloseStdin() {
    if (stdin_fd_ >= 0) ::close(stdin_fd_);
    stdin_fd_ = -1;
    pending_stdin_.clear();
  }
  void Kill(int sig) {
    if (pid_ > 0) ::kill(pid_, sig);
  }

  // Sends what is left of stdin, closes it, reads all output and reaps the child.
  RunResult Wait() {
    RunResult r;
    r.command = command_;
    if (pid_ <= 0) return r;
    while (out_fd_ >= 0 || err_fd_ >= 0) {
      if (pending_stdin_.empty() && stdin_fd_ >= 0) CloseStdin();
      if (!Pump()) {
        r.timed_out = true;
        ::kill(pid_, SIGKILL);
        break;
      }
    }
    int st = 0;
    while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    if (WIFEXITED(st)) r.exit_code = WEXITSTATUS(st);
    if (WIFSIGNALED(st)) r.term_signal = WTERMSIG(st);
    r.out = std::move(out_);
    r.err = std::move(err_);
    return r;
  }

 private:
  // One poll round. Returns false on timeout.
  bool Pump() {
    pollfd fds[3];
    int n = 0;
    int idx_in = -1, idx_out = -1, idx_err = -1;
    if (stdin_fd_ >= 0 && !pending_stdin_.empty()) {
      idx_in = n;
      fds[n++] = {stdin_fd_, POLLOUT, 0};
    }
    if (out_fd_ >= 0) {
      idx_out = n;
      fds[n++] = {out_fd_, POLLIN, 0};
    }
    if (err_fd_ >= 0) {
      idx_err = n;
      fds[n++] = {err_fd_, POLLIN, 0};
    }
    if (n == 0) return true;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline_ - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    int rc = ::poll(fds, static_cast<nfds_t>(n), static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (rc < 0) return errno == EINTR;
    if (rc == 0) return std::chrono::steady_clock::now() < deadline_;
    if (idx_in >= 0 && fds[idx_in].revents != 0) {
      if (fds[idx_in].revents & (POLLERR | POLLHUP)) {
        CloseStdin();  // the child will not read any more
      } else {
        ssize_t w = ::write(stdin_fd_, pending_stdin_.data(), pending_stdin_.size());
        if (w > 0) {
          pending_stdin_.erase(0, static_cast<size_t>(w));
        } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
          CloseStdin();
        }
      }
    }
    auto drain = [](int& fd, std::string& sink, short revents) {
      if (revents == 0) return;
      char buf[65536];
      ssize_t got = ::read(fd, buf, sizeof buf);
      if (got > 0) {
        sink.append(buf, static_cast<size_t>(got));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        // EOF, or EIO from a pseudo-terminal whose other side has closed.
        ::close(fd);
        fd = -1;
      }
    };
    if (idx_out >= 0) drain(out_fd_, out_, fds[idx_out].revents);
    if (idx_err >= 0) drain(err_fd_, err_, fds[idx_err].revents);
    return true;
  }

  std::string command_;
  pid_t pid_ = -1;
  int stdin_fd_ = -1, out_fd_ = -1, err_fd_ = -1;
  std::string pending_stdin_;
  std::string out_, err_;
  std::chrono::steady_clock::time_point deadline_;
};

// Runs `program` with `args` to completion.
inline RunResult RunProgram(const std::string& program, const std::vector<std::string>& args,
                            const RunOptions& options = {}) {
  Child child(program, args, options);
  return child.Wait();
}

// Runs the built amanat binary with `args` to completion.
inline RunResult RunAmanat(const std::vector<std::string>& args, const RunOptions& options = {}) {
  return RunProgram(AmanatBinary(), args, options);
}

// ---- files ----

inline std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void WriteFileBytes(const std::string& path, const std::string& data, mode_t mode = 0600) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    ASSERT_TRUE(out.good()) << "cannot write " << path;
  }
  ASSERT_EQ(::chmod(path.c_str(), mode), 0) << path;
}

inline mode_t FileMode(const std::string& path) {
  struct stat sb{};
  EXPECT_EQ(::lstat(path.c_str(), &sb), 0) << path;
  return sb.st_mode & 07777;
}

// Deterministic pseudo-random bytes (xorshift), so failures reproduce.
inline std::string PseudoRandomBytes(size_t n, uint64_t seed) {
  std::string s(n, '\0');
  uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    s[i] = static_cast<char>(x >> 56);
  }
  return s;
}

// SHA-256 in lowercase hex computed by coreutils' sha256sum: independent of Amanat's code.
inline std::string Sha256SumOfFile(const std::string& path) {
  RunResult r = RunProgram("/usr/bin/sha256sum", {"-b", path});
  EXPECT_EQ(r.exit_code, 0) << r;
  return r.out.substr(0, 64);
}
inline std::string Sha256SumOf(const std::string& data) {
  RunOptions o;
  o.stdin_data = data;
  RunResult r = RunProgram("/usr/bin/sha256sum", {"-b", "-"}, o);
  EXPECT_EQ(r.exit_code, 0) << r;
  return r.out.substr(0, 64);
}

// Every regular file under `dir`, recursively.
inline std::vector<std::string> FilesUnder(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it->is_regular_file()) files.push_back(it->path().string());
  }
  return files;
}

// ---- error output ----

// Asserts the shape DESIGN.md asks of every failure: exactly one `amanat: error: ...` line,
// then at most one `amanat: hint: ...` line, and nothing else on stderr (warnings are allowed
// before the error only when `allow_warnings`). Returns the error line's text.
inline std::string ErrorLine(const RunResult& r, bool allow_warnings = false) {
  std::vector<std::string> lines = r.ErrLines();
  size_t i = 0;
  while (allow_warnings && i < lines.size() && lines[i].rfind("amanat: warning: ", 0) == 0) ++i;
  if (i >= lines.size()) {
    ADD_FAILURE() << "no error line on stderr" << r;
    return "";
  }
  const std::string& line = lines[i];
  EXPECT_EQ(line.rfind("amanat: error: ", 0), 0u) << "first stderr line is not an error" << r;
  EXPECT_GT(line.size(), std::string("amanat: error: ").size() + 5) << "error says nothing" << r;
  size_t rest = lines.size() - i - 1;
  EXPECT_LE(rest, 1u) << "more than an error line and a hint line" << r;
  if (rest == 1) {
    EXPECT_EQ(lines[i + 1].rfind("amanat: hint: ", 0), 0u) << "second line is not a hint" << r;
  }
  EXPECT_EQ(r.err.empty() ? '\n' : r.err.back(), '\n') << "stderr does not end in a newline" << r;
  return line.substr(std::min(line.size(), std::string("amanat: error: ").size()));
}

// Expects failure with `exit_code`, a well-formed error whose line contains `needle`.
#define EXPECT_AMANAT_ERROR(result, code, needle)                                         \
  do {                                                                                    \
    const ::amanat::testing::RunResult& amanat_r_ = (result);                             \
    EXPECT_EQ(amanat_r_.exit_code, (code)) << amanat_r_;                                  \
    std::string amanat_line_ = ::amanat::testing::ErrorLine(amanat_r_);                   \
    EXPECT_NE(amanat_line_.find(needle), std::string::npos)                               \
        << "error line lacks \"" << (needle) << "\"" << amanat_r_;                        \
  } while (0)

// ---- fixture ----

// A fresh temporary directory per test (removed afterwards, also when the test fails), a
// passphrase file, and helpers that run amanat against a vault inside the directory.
class CliTest : public ::testing::Test {
 protected:
  static constexpr const char* kPassphrase = "correct horse battery staple (test)";

  void SetUp() override {
    std::string base = std::filesystem::temp_directory_path().string() + "/amanat-test.XXXXXX";
    std::vector<char> tmpl(base.begin(), base.end());
    tmpl.push_back('\0');
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr) << std::strerror(errno);
    dir_ = tmpl.data();
    vault_ = dir_ + "/vault";
    pass_file_ = Path("passphrase");
    WriteFileBytes(pass_file_, std::string(kPassphrase) + "\n");
  }

  void TearDown() override {
    if (dir_.empty()) return;
    // Give back any permission a test took away, so that removal works as a non-root user.
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(
             dir_, std::filesystem::directory_options::skip_permission_denied, ec);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      if (it->is_directory(ec) && !it->is_symlink(ec)) {
        ::chmod(it->path().c_str(), 0700);
      }
    }
    ::chmod(dir_.c_str(), 0700);
    std::filesystem::remove_all(dir_, ec);
  }

  // A path inside the test's directory.
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  const std::string& dir() const { return dir_; }
  const std::string& vault() const { return vault_; }
  const std::string& pass_file() const { return pass_file_; }

  // Writes a file inside the test's directory; returns its path.
  std::string MakeFile(const std::string& name, const std::string& data, mode_t mode = 0600) {
    std::string p = Path(name);
    WriteFileBytes(p, data, mode);
    return p;
  }

  // Runs amanat with the given arguments exactly.
  RunResult Run(const std::vector<std::string>& args, const RunOptions& options = {}) {
    return RunAmanat(args, options);
  }

  // Runs amanat against this test's vault with this test's passphrase file:
  // `amanat --vault V --passphrase-file P <args>`.
  RunResult RunV(const std::vector<std::string>& args, const RunOptions& options = {}) {
    std::vector<std::string> all = {"--vault", vault_, "--passphrase-file", pass_file_};
    all.insert(all.end(), args.begin(), args.end());
    return RunAmanat(all, options);
  }

  // Creates a vault at `dir` (default: this test's vault) with the fast, insecure KDF.
  RunResult InitVault(const std::string& dir = "", const std::string& custodian = "alice",
                      const std::string& passphrase_file = "") {
    RunResult r = RunAmanat({"init", "--vault", dir.empty() ? vault_ : dir, "--custodian",
                             custodian, "--kdf", "insecure-fast", "--passphrase-file",
                             passphrase_file.empty() ? pass_file_ : passphrase_file});
    EXPECT_EQ(r.exit_code, 0) << r;
    return r;
  }

  // Adds `path` to this test's vault and returns the item ID amanat printed.
  std::string AddFile(const std::string& path, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"add", path};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult r = RunV(args);
    EXPECT_EQ(r.exit_code, 0) << r;
    if (r.out.size() < 64) {
      ADD_FAILURE() << "add printed no ID" << r;
      return "";
    }
    return r.out.substr(0, 64);
  }

 private:
  std::string dir_, vault_, pass_file_;
};

inline bool Contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

// The lines of `s`, without their '\n'.
inline std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

// stdout of `r` parsed as JSON; a test failure (and a discarded value) if it is not JSON.
inline nlohmann::json ParseJson(const RunResult& r) {
  nlohmann::json j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << "stdout is not JSON" << r;
  return j;
}

}  // namespace amanat::testing

#endif  // AMANAT_TESTS_CLI_RUNNER_H_
