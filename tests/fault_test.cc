// I/O faults (issue P6 item 2): add, annotate, get, export, import, custodian add and passwd
// are run by amanat_faulty
// (tests/faulty/) with its Nth write, fsync or truncate failing, for N = 1, 2, ... until the
// command succeeds, in four variants: EIO once, EIO from then on (persistent), disk full once
// and disk full from then on. Each run starts from a fresh copy of a template vault. A failed
// run must exit 5 with one clean error line ("disk full" for ENOSPC/SQLITE_FULL), leave no
// output file, and leave a vault that opens, passes `verify --full` against the template's
// checkpoint and still holds every earlier item and event.
//
// The plain build tries every N in all four variants. A sanitizer build, where every process
// starts several times slower, tries every fourth N of EIO once and disk full persistent and
// every twelfth N of the other two, so that CI, which runs the suite in both, can afford it;
// AMANAT_FAULT_ALL=1 tries every N there too.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>

#include "tests/round_test_util.h"

namespace amanat::testing {
namespace {

struct Variant {
  const char* mode;   // once | persistent
  const char* error;  // eio | enospc
  long sanitized_stride;  // in a sanitizer build, try every this-th N (unless AMANAT_FAULT_ALL)
};
constexpr Variant kVariants[] = {{"once", "eio", 4},
                                 {"persistent", "enospc", 4},
                                 {"persistent", "eio", 12},
                                 {"once", "enospc", 12}};

constexpr long kMaxFaults = 2000;  // a command that never succeeds fails the test

long Stride(const Variant& v) {
  const char* all = std::getenv("AMANAT_FAULT_ALL");
  if (all != nullptr && *all != '\0' && *all != '0') return 1;
  return SanitizerSlowdown() > 1 ? v.sanitized_stride : 1;
}

// One command under test: its arguments (after --vault and --passphrase-file), and checks of
// what it left after a failure (`stored`: the error says the change was committed) and after
// success.
struct Scenario {
  std::vector<std::string> args;
  std::function<void(const RunResult&, const std::set<std::string>& ids, bool stored,
                     const std::string& ctx)>
      after_failure =
          [](const RunResult&, const std::set<std::string>&, bool, const std::string&) {};
  std::function<void(const RunResult&, const std::string& ctx)> after_success =
      [](const RunResult&, const std::string&) {};
  // Commands that change the passphrase: which passphrase opens the vault afterwards.
  bool changes_passphrase = false;
};

class FaultTest : public VaultRoundTest {
 protected:
  void SetUp() override {
    // Thousands of short runs: on a memory file system when there is one, so that the time
    // goes to the checks rather than to waiting for fsync. (The crash tests use the disk.)
    if (const char* t = std::getenv("TMPDIR")) old_tmpdir_ = t;
    if (::access("/dev/shm", W_OK) == 0) ::setenv("TMPDIR", "/dev/shm", 1);
    VaultRoundTest::SetUp();
    MakeTemplate();
    new_pass_ = MakeFile("new-passphrase", "a new passphrase for the fault test\n");
  }

  // Runs the scenario for every variant and N. Returns the number of faulty runs.
  void RunAll(const Scenario& sc) {
    for (const Variant& var : kVariants) {
      long n = 1;
      for (;; n += Stride(var)) {
        ASSERT_LT(n, kMaxFaults) << "never succeeded";
        FreshVault();
        std::filesystem::remove(Path("fault.report"));
        RunOptions opt;
        opt.env["AMANAT_FAULT_AT"] = std::to_string(n);
        opt.env["AMANAT_FAULT_MODE"] = var.mode;
        opt.env["AMANAT_FAULT_ERROR"] = var.error;
        opt.env["AMANAT_FAULT_REPORT"] = Path("fault.report");
        std::vector<std::string> args = {"--vault", vault(), "--passphrase-file", pass_file()};
        args.insert(args.end(), sc.args.begin(), sc.args.end());
        RunResult r = RunProgram(FaultyBinary(), args, opt);
        const std::string ctx =
            std::string("[") + var.mode + " " + var.error + " fault at " + std::to_string(n) + "]";
        long ops = -1, injected = -1;
        std::ifstream(Path("fault.report")) >> ops >> injected;
        ASSERT_GE(ops, 0) << ctx << " no fault report" << r;
        if (r.exit_code == 0) {
          EXPECT_EQ(injected, 0) << ctx << " succeeded although a fault was injected" << r;
          EXPECT_GT(n, 1) << ctx << " the first operation never failed";
          sc.after_success(r, ctx);
          CheckVaultIntact(sc.changes_passphrase ? new_pass_ : pass_file(), ctx);
          std::cout << "[ faults   ] " << sc.args[0] << " " << var.mode << " " << var.error
                    << ": exit 5 at N = 1.." << n - 1 << " (every " << Stride(var)
                    << "), exit 0 at N = " << n << " (" << ops
                    << " writes, fsyncs and truncates)\n";
          break;
        }
        ASSERT_GT(injected, 0) << ctx << " failed without a fault" << r;
        std::string line = ErrorLine(r);
        EXPECT_EQ(r.exit_code, 5) << ctx << r;
        if (std::string(var.error) == "enospc") {
          EXPECT_NE(line.find("disk full"), std::string::npos) << ctx << r;
        }
        const bool stored = line.find("stored, but") != std::string::npos;
        std::string pass = pass_file();
        if (sc.changes_passphrase) pass = WhichPassphraseOpens(stored, ctx);
        std::set<std::string> ids = CheckVaultIntact(pass, ctx);
        sc.after_failure(r, ids, stored, ctx);
        if (::testing::Test::HasFailure()) return;  // one failing round says enough
      }
    }
  }

  // After a failed passwd: the new passphrase opens the vault if the change was committed
  // (the error says "stored, but"), the old one if not; never both, never neither.
  std::string WhichPassphraseOpens(bool stored, const std::string& ctx) {
    RunResult old_pass = RunV({"ls"});
    RunResult fresh = Run({"--vault", vault(), "--passphrase-file", new_pass_, "ls"});
    EXPECT_EQ(old_pass.exit_code == 0, !stored) << ctx << old_pass;
    EXPECT_EQ(fresh.exit_code == 0, stored) << ctx << fresh;
    return stored ? new_pass_ : pass_file();
  }

  // How many export events the vault's log holds.
  size_t ExportEvents() {
    size_t n = 0;
    for (const auto& e : ParseJson(RunV({"log", "--json"}))) n += e["action"] == "export" ? 1 : 0;
    return n;
  }

  // No file under `path`, and no temporary sibling of it left in its directory.
  void ExpectNoOutput(const std::string& path, const std::string& ctx) {
    EXPECT_FALSE(std::filesystem::exists(path)) << ctx << " partial output " << path;
    for (const auto& f : std::filesystem::directory_iterator(dir())) {
      EXPECT_EQ(f.path().string().find(path + "."), std::string::npos)
          << ctx << " temporary file left: " << f.path();
    }
  }

  void TearDown() override {
    VaultRoundTest::TearDown();
    if (old_tmpdir_) {
      ::setenv("TMPDIR", old_tmpdir_->c_str(), 1);
    } else {
      ::unsetenv("TMPDIR");
    }
  }

  std::string new_pass_;
  std::optional<std::string> old_tmpdir_;
};

TEST_F(FaultTest, Add) {
  const std::string file = MakeFile("new.bin", PseudoRandomBytes(40 * 1024, 21));
  const std::string id = Sha256SumOfFile(file);
  Scenario sc;
  sc.args = {"add", file, FixturePath("testimony-omir-bekali.txt")};
  sc.after_failure = [&](const RunResult& r, const std::set<std::string>& ids, bool stored,
                         const std::string& ctx) {
    // A printed line is a promise: the item is stored. An unprinted one may be stored only if
    // the error says the batch was committed.
    for (const auto& line : Lines(r.out)) {
      EXPECT_EQ(ids.count(line.substr(0, 64)), 1u) << ctx << " printed but not stored" << r;
    }
    if (ids.count(id) != 0) {
      EXPECT_TRUE(stored) << ctx << " stored although the error says nothing was" << r;
      EXPECT_NE(r.out.find(id), std::string::npos) << ctx << " stored but not printed" << r;
    }
  };
  sc.after_success = [&](const RunResult& r, const std::string& ctx) {
    EXPECT_EQ(r.out.substr(0, 64), id) << ctx << r;
  };
  RunAll(sc);
}

TEST_F(FaultTest, Annotate) {
  Scenario sc;
  sc.args = {"annotate", prior_ids_[1], "--note", "after the fault", "--tag", "fault"};
  RunAll(sc);
}

TEST_F(FaultTest, Get) {
  const std::string out = Path("got.bin");
  Scenario sc;
  sc.args = {"get", prior_ids_[2], "-o", out, "--purpose", "fault test"};
  sc.after_failure = [&](const RunResult&, const std::set<std::string>&, bool,
                         const std::string& ctx) { ExpectNoOutput(out, ctx); };
  sc.after_success = [&](const RunResult& r, const std::string& ctx) {
    EXPECT_EQ(Sha256SumOfFile(out), prior_ids_[2]) << ctx << r;
    std::filesystem::remove(out);
  };
  RunAll(sc);
}

TEST_F(FaultTest, Export) {
  const std::string out = Path("out.zip");
  Scenario sc;
  sc.args = {"export", prior_ids_[0], prior_ids_[1], "-o", out, "--purpose", "fault test"};
  // Once the export event is committed ("stored, but ..."), the bundle it records is written.
  // A failure while writing the bundle, after the commit, says that the event is on record.
  int written_after_stored = 0, failed_on_record = 0;
  FreshVault();
  const size_t exports_before = ExportEvents();
  sc.after_failure = [&](const RunResult& r, const std::set<std::string>&, bool stored,
                         const std::string& ctx) {
    const bool on_record = ExportEvents() > exports_before;
    const bool says_so = ErrorLine(r).find("is on record, but its bundle was not written") !=
                         std::string::npos;
    EXPECT_EQ(says_so, on_record && !stored) << ctx << r;
    failed_on_record += says_so ? 1 : 0;
    if (!stored) return ExpectNoOutput(out, ctx);
    RunResult vb = Run({"verify-bundle", out});
    EXPECT_EQ(vb.exit_code, 0) << ctx << r << vb;
    std::filesystem::remove(out);
    ++written_after_stored;
  };
  sc.after_success = [&](const RunResult& r, const std::string& ctx) {
    RunResult vb = Run({"verify-bundle", out});
    EXPECT_EQ(vb.exit_code, 0) << ctx << r << vb;
    std::filesystem::remove(out);
  };
  RunAll(sc);
  // Trying every N, some fault must have hit checkpoints/latest after the commit, and some
  // the bundle.
  if (Stride(kVariants[0]) == 1) {
    EXPECT_GT(written_after_stored, 0);
    EXPECT_GT(failed_on_record, 0);
  }
}

TEST_F(FaultTest, Import) {
  Scenario sc;
  sc.args = {"import", bundle_, "--purpose", "fault test"};
  sc.after_failure = [&](const RunResult& r, const std::set<std::string>& ids, bool stored,
                         const std::string& ctx) {
    if (ids.count(other_id_) != 0) {
      EXPECT_TRUE(stored) << ctx << " stored although the error says nothing was" << r;
    }
  };
  sc.after_success = [&](const RunResult& r, const std::string& ctx) {
    RunResult ls = RunV({"ls", "--json"});
    EXPECT_EQ(ListedIds(ls).count(other_id_), 1u) << ctx << r << ls;
  };
  RunAll(sc);
}

TEST_F(FaultTest, CustodianAdd) {
  Scenario sc;
  sc.args = {"custodian", "add",   "bob",          "--role", "collector", "--new-passphrase-file",
             new_pass_,   "--kdf", "insecure-fast"};
  auto bob_opens = [&] {
    return Run({"--vault", vault(), "--custodian", "bob", "--passphrase-file", new_pass_, "ls"});
  };
  sc.after_failure = [&](const RunResult& r, const std::set<std::string>&, bool stored,
                         const std::string& ctx) {
    // Committed: bob's slot must be in keyslots.json (it was once put back after a commit).
    if (stored) {
      EXPECT_EQ(bob_opens().exit_code, 0) << ctx << r;
    }
  };
  sc.after_success = [&](const RunResult& r, const std::string& ctx) {
    RunResult b = bob_opens();
    EXPECT_EQ(b.exit_code, 0) << ctx << r << b;
  };
  RunAll(sc);
}

TEST_F(FaultTest, Passwd) {
  Scenario sc;
  sc.args = {"passwd", "--new-passphrase-file", new_pass_, "--kdf", "insecure-fast"};
  sc.changes_passphrase = true;
  RunAll(sc);
}

// A real full disk: the vault on a small tmpfs. Needs the right to mount (root in CI);
// skipped, saying why, where that is refused.
class FullDiskTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    disk_ = Path("disk");
    std::filesystem::create_directory(disk_);
    if (::mount("tmpfs", disk_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=8m,mode=0700") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs to fill (" << std::strerror(errno)
                   << "); needs root or CAP_SYS_ADMIN";
    }
    mounted_ = true;
  }
  void TearDown() override {
    if (mounted_) ::umount2(disk_.c_str(), MNT_DETACH);
    CliTest::TearDown();
  }
  RunResult On(std::vector<std::string> args) {
    std::vector<std::string> all = {"--vault", disk_ + "/vault", "--passphrase-file", pass_file()};
    all.insert(all.end(), args.begin(), args.end());
    return Run(all);
  }
  // Fills the file system with one file until write(2) says ENOSPC.
  void Fill() {
    std::ofstream f(disk_ + "/filler", std::ios::binary);
    std::string block(64 * 1024, 'x');
    while (f.write(block.data(), static_cast<std::streamsize>(block.size()))) {
    }
  }
  std::string disk_;
  bool mounted_ = false;
};

TEST_F(FullDiskTest, FailsCleanlyAndLosesNothing) {
  ASSERT_EQ(Run({"init", "--vault", disk_ + "/vault", "--custodian", "alice", "--kdf",
                 "insecure-fast", "--passphrase-file", pass_file()})
                .exit_code,
            0);
  const std::string small = MakeFile("small.bin", PseudoRandomBytes(30 * 1024, 51));
  RunResult a = On({"add", small});
  ASSERT_EQ(a.exit_code, 0) << a;
  const std::string id = a.out.substr(0, 64);

  // Larger than the whole file system.
  const std::string big = MakeFile("big.bin", PseudoRandomBytes(12 << 20, 52));
  RunResult b = On({"add", big});
  EXPECT_AMANAT_ERROR(b, 5, "disk full");
  EXPECT_EQ(b.out, "") << b;

  Fill();
  const std::string out = disk_ + "/got.bin";
  EXPECT_AMANAT_ERROR(On({"get", id, "-o", out, "--purpose", "full disk"}), 5, "disk full");
  EXPECT_FALSE(std::filesystem::exists(out));
  const std::string zip = disk_ + "/out.zip";
  EXPECT_AMANAT_ERROR(On({"export", id, "-o", zip, "--purpose", "full disk"}), 5, "disk full");
  EXPECT_FALSE(std::filesystem::exists(zip));
  RunResult n = On({"annotate", id, "--note", std::string(60000, 'n')});
  if (n.exit_code != 0) {
    EXPECT_AMANAT_ERROR(n, 5, "disk full");
  }

  std::filesystem::remove(disk_ + "/filler");
  RunResult v = On({"verify", "--full"});
  EXPECT_EQ(v.exit_code, 0) << v;
  RunResult ls = On({"ls", "--json"});
  EXPECT_EQ(ListedIds(ls), std::set<std::string>{id}) << ls;
  const std::string back = Path("back.bin");
  ASSERT_EQ(On({"get", id, "-o", back, "--purpose", "after"}).exit_code, 0);
  EXPECT_EQ(Sha256SumOfFile(back), Sha256SumOfFile(small));
}

}  // namespace
}  // namespace amanat::testing
