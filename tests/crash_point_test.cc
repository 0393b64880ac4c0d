// Crash points of the commands that change keyslots.json as well as vault.db (passwd and
// custodian add, revoke, rotate, grant, revoke-grant): amanat_faulty kills the command with
// SIGKILL just before its Nth write, fsync or truncate, for N = 1, 2, ... until it completes.
// After each kill the two files must agree on whether the change happened: either the change
// is in the custody log and every part of it is in force, or none of it is. The vault must
// open (with the passphrase the log says is current), pass `verify --full`, keep every earlier
// item, and take further commands that verify; an uncommitted change can simply be made again.
//
// crash_test.cc kills commands at random moments; this test hits every point of these short
// commands in order, which random delays would rarely reach. In a sanitizer build, where
// every process starts several times slower, it takes every second point.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <functional>
#include <iostream>

#include "tests/round_test_util.h"

namespace amanat::testing {
namespace {

constexpr long kMaxPoints = 500;  // a command that never completes fails the test

// amanat_faulty with `args`, killed just before its Nth write, fsync or truncate.
RunResult RunKilledAt(long n, const std::vector<std::string>& args) {
  RunOptions opt;
  opt.env["AMANAT_FAULT_AT"] = std::to_string(n);
  opt.env["AMANAT_FAULT_ERROR"] = "kill";
  return RunProgram(FaultyBinary(), args, opt);
}

class CrashPointTest : public VaultRoundTest {
 protected:
  void SetUp() override {
    VaultRoundTest::SetUp();
    MakeTemplate();
    bob_pass_ = MakeFile("bob-passphrase", "bob's passphrase for the crash-point test\n");
    new_pass_ = MakeFile("new-passphrase", "alice's next passphrase\n");
  }

  // Runs `args` on a fresh vault and makes the result the template of the next rounds.
  void ExtendTemplate(const std::vector<std::string>& args) {
    FreshVault();
    RunResult r = AsAlice(pass_file(), args);
    ASSERT_EQ(r.exit_code, 0) << r;
    std::filesystem::remove_all(template_);
    std::filesystem::rename(vault(), template_);
  }

  std::vector<std::string> AddBob() {
    return {"custodian", "add", "bob", "--role", "admin", "--new-passphrase-file", bob_pass_,
            "--kdf", "insecure-fast"};
  }

  RunResult AsBob(std::vector<std::string> args) {
    std::vector<std::string> all = {"--vault", vault(), "--custodian", "bob",
                                    "--passphrase-file", bob_pass_};
    all.insert(all.end(), args.begin(), args.end());
    return Run(all);
  }

  RunResult AsAlice(const std::string& pass, std::vector<std::string> args) {
    std::vector<std::string> all = {"--vault", vault(), "--custodian", "alice",
                                    "--passphrase-file", pass};
    all.insert(all.end(), args.begin(), args.end());
    return Run(all);
  }

  // How many events of `action` the log holds, read with `pass`.
  int CountEvents(const std::string& pass, const std::string& action, const std::string& ctx) {
    RunResult log = AsAlice(pass, {"log", "--json"});
    EXPECT_EQ(log.exit_code, 0) << ctx << log;
    int n = 0;
    nlohmann::json j = ParseJson(log);
    if (!j.is_array()) return -1;
    for (const auto& ev : j) n += ev.value("action", "") == action ? 1 : 0;
    return n;
  }

  // Whether bob's key slot holds the identity grant (keyslots.json as the vault has it now).
  bool BobSlotHasGrant(const std::string& ctx) {
    std::ifstream in(vault() + "/keyslots.json");
    nlohmann::json ks = nlohmann::json::parse(in, nullptr, false);
    EXPECT_TRUE(ks.is_object()) << ctx << " keyslots.json is not JSON";
    if (!ks.is_object()) return false;
    for (const auto& s : ks.value("slots", nlohmann::json::array())) {
      if (s.value("custodian", "") == "bob") return s.contains("identity_grant");
    }
    ADD_FAILURE() << ctx << " bob has no slot";
    return false;
  }

  // Kills `args` at every point, checks each outcome with `check(committed, pass, ctx)` and
  // then that the vault takes another command. `action`: the event the command records.
  void KillAtEveryPoint(const std::vector<std::string>& args, const std::string& action,
                        const std::function<void(bool, const std::string&, const std::string&)>&
                            check) {
    FreshVault();
    const int before = CountEvents(pass_file(), action, "template");
    long n = 1;
    for (;; n += SanitizerSlowdown()) {
      ASSERT_LT(n, kMaxPoints) << "never completed";
      FreshVault();
      std::vector<std::string> all = {"--vault", vault(), "--custodian", "alice",
                                      "--passphrase-file", pass_file()};
      all.insert(all.end(), args.begin(), args.end());
      RunResult r = RunKilledAt(n, all);
      const std::string ctx = "[" + args[0] + " " + args[1] + " killed at " + std::to_string(n) + "]";
      if (r.exit_code == 0) break;
      ASSERT_EQ(r.term_signal, SIGKILL) << ctx << r;

      // Which passphrase opens alice's slot: the old one, or the new one after a passwd that
      // reached the log. Never both, never neither. The first one tried settles the change the
      // crash interrupted, so the order alternates.
      std::string pass = pass_file();
      if (args[0] == "passwd") {
        bool old_opens = false, new_opens = false;
        if (n % 2 == 0) old_opens = AsAlice(pass_file(), {"ls"}).exit_code == 0;
        new_opens = AsAlice(new_pass_, {"ls"}).exit_code == 0;
        if (n % 2 == 1) old_opens = AsAlice(pass_file(), {"ls"}).exit_code == 0;
        ASSERT_NE(old_opens, new_opens) << ctx << " old opens: " << old_opens;
        if (new_opens) pass = new_pass_;
      }
      CheckVaultIntact(pass, ctx);
      const int after = CountEvents(pass, action, ctx);
      ASSERT_TRUE(after == before || after == before + 1) << ctx;
      check(after == before + 1, pass, ctx);

      // Life goes on: a new event signs and verifies.
      RunResult a = AsAlice(pass, {"annotate", prior_ids_[0], "--note", "after the crash"});
      EXPECT_EQ(a.exit_code, 0) << ctx << a;
      RunResult v = AsAlice(pass, {"verify"});
      EXPECT_EQ(v.exit_code, 0) << ctx << v;
      EXPECT_FALSE(std::filesystem::exists(vault() + "/keyslots.json.pending")) << ctx;
      if (::testing::Test::HasFailure()) return;  // one failing round says enough
    }
    std::cout << "[ crashes  ] " << args[0] << " " << args[1] << ": killed at N = 1.." << n - 1
              << " (every " << SanitizerSlowdown() << "), completed at N = " << n << "\n";
    EXPECT_GT(n, 1);
  }

  std::string bob_pass_, new_pass_;
};

TEST_F(CrashPointTest, Passwd) {
  KillAtEveryPoint({"passwd", "--new-passphrase-file", new_pass_, "--kdf", "insecure-fast"},
                   "passwd", [&](bool committed, const std::string& pass, const std::string& ctx) {
                     EXPECT_EQ(committed, pass == new_pass_) << ctx;
                   });
}

TEST_F(CrashPointTest, CustodianAdd) {
  KillAtEveryPoint(AddBob(), "custodian-add",
                   [&](bool committed, const std::string&, const std::string& ctx) {
                     RunResult b = AsBob({"ls"});
                     EXPECT_EQ(b.exit_code == 0, committed) << ctx << b;
                     if (!committed) {
                       RunResult again = AsAlice(pass_file(), AddBob());
                       EXPECT_EQ(again.exit_code, 0) << ctx << " adding bob again" << again;
                       EXPECT_EQ(AsBob({"ls"}).exit_code, 0) << ctx;
                     }
                   });
}

TEST_F(CrashPointTest, CustodianRevoke) {
  ExtendTemplate(AddBob());
  KillAtEveryPoint({"custodian", "revoke", "bob"}, "custodian-revoke",
                   [&](bool committed, const std::string&, const std::string& ctx) {
                     RunResult b = AsBob({"ls"});
                     EXPECT_EQ(b.exit_code != 0, committed) << ctx << b;
                   });
}

TEST_F(CrashPointTest, CustodianRotate) {
  KillAtEveryPoint({"custodian", "rotate"}, "custodian-rotate",
                   [&](bool, const std::string&, const std::string&) {
                     // The annotate and verify that follow every round prove that alice signs
                     // with the key the log names.
                   });
}

TEST_F(CrashPointTest, Grant) {
  ExtendTemplate(AddBob());
  KillAtEveryPoint({"custodian", "grant", "bob", "unseal"}, "custodian-grant",
                   [&](bool committed, const std::string&, const std::string& ctx) {
                     EXPECT_EQ(BobSlotHasGrant(ctx), committed) << ctx;
                   });
}

TEST_F(CrashPointTest, RevokeGrant) {
  ExtendTemplate(AddBob());
  ExtendTemplate({"custodian", "grant", "bob", "unseal"});
  KillAtEveryPoint({"custodian", "revoke-grant", "bob", "unseal"}, "custodian-revoke-grant",
                   [&](bool committed, const std::string&, const std::string& ctx) {
                     EXPECT_EQ(BobSlotHasGrant(ctx), !committed) << ctx;
                   });
}

// init killed at every point: the directory then holds a vault that opens and verifies, or
// an interrupted init that the same init clears away and completes. Nothing in between.
// (After the warning that --kdf insecure-fast prints.)
void ExpectRefused(const RunResult& r, const std::string& ctx) {
  EXPECT_EQ(r.exit_code, 2) << ctx << r;
  EXPECT_TRUE(Contains(r.err, "already holds a vault; refusing to touch it")) << ctx << r;
}

TEST_F(CrashPointTest, Init) {
  const std::string dir = Path("new-vault");
  const std::vector<std::string> init = {"init", "--vault", dir, "--custodian", "alice",
                                         "--kdf", "insecure-fast", "--passphrase-file",
                                         pass_file()};
  long n = 1;
  for (;; n += SanitizerSlowdown()) {
    ASSERT_LT(n, kMaxPoints) << "never completed";
    std::filesystem::remove_all(dir);
    RunResult r = RunKilledAt(n, init);
    const std::string ctx = "[init killed at " + std::to_string(n) + "]";
    if (r.exit_code == 0) break;
    ASSERT_EQ(r.term_signal, SIGKILL) << ctx << r;
    if (std::filesystem::exists(dir + "/keyslots.json")) {
      // Complete, even if the marker is still there: never cleared away.
      ExpectRefused(Run(init), ctx);
    } else {
      RunResult again = Run(init);
      ASSERT_EQ(again.exit_code, 0) << ctx << " init again" << again;
    }
    RunResult v = Run({"--vault", dir, "--passphrase-file", pass_file(), "verify"});
    EXPECT_EQ(v.exit_code, 0) << ctx << v;
    EXPECT_FALSE(std::filesystem::exists(dir + "/init-incomplete")) << ctx;
    ExpectRefused(Run(init), ctx);
    if (::testing::Test::HasFailure()) return;
  }
  std::cout << "[ crashes  ] init: killed at N = 1.." << n - 1 << " (every " << SanitizerSlowdown()
            << "), completed at N = " << n << "\n";
  EXPECT_GT(n, 1);
}

}  // namespace
}  // namespace amanat::testing
