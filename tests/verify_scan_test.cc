// verify reads the custody log through a bounded pipeline (vault/verify.cc, ScanLog): each
// signature is checked on some core with the keys the log has announced so far, or after the
// scan when no such key was known or the entry is in the last share of the log (left to run
// beside the checks after the scan). These tests hold the paths to the same verdicts on a log
// longer than the pipeline's window, with a key rotation and a second custodian in it, clean
// and with forged signatures on either side of the rotation and in the last share.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "crypto/kdf.h"
#include "crypto/secret.h"
#include "tests/cli_runner.h"
#include "vault/custodians.h"
#include "vault/vault.h"
#include "vault/verify.h"

namespace amanat::testing {
namespace {

using nlohmann::json;

constexpr char kScanPass[] = "scan test passphrase";
constexpr char kBobPass[] = "scan test passphrase of bob";

crypto::SecretBytes ScanSecret(std::string_view s) { return crypto::SecretBytes::Copy(AsBytes(s)); }

class VerifyScan : public CliTest {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::InitCrypto()); }

  // 0 init; 1..2000 annotate by alice; 2001 custodian-add bob; 2002..2999 annotate by bob;
  // 3000 alice rotates; 3001..5000 annotate by alice under her new key.
  void SetUp() override {
    CliTest::SetUp();
    vault::InitOptions o;
    o.dir = vault();
    o.custodian = "alice";
    o.kdf = *crypto::Argon2ParamsForLevel("insecure-fast");
    ASSERT_TRUE(vault::Vault::Init(o, ScanSecret(kScanPass)).ok());
    auto alice = Open("alice", kScanPass);
    ASSERT_NE(alice, nullptr);
    Annotate(*alice, 2000);
    ASSERT_TRUE(vault::AddCustodian(*alice, "bob", "reviewer", ScanSecret(kBobPass), o.kdf).ok());
    alice.reset();
    auto bob = Open("bob", kBobPass);
    ASSERT_NE(bob, nullptr);
    Annotate(*bob, 998);
    bob.reset();
    alice = Open("alice", kScanPass);
    ASSERT_NE(alice, nullptr);
    auto rotated = vault::RotateKey(*alice, ScanSecret(kScanPass));
    ASSERT_TRUE(rotated.ok()) << rotated.status().message();
    Annotate(*alice, 2000);
    ASSERT_EQ(*alice->log().Size(), 5001u);
  }

  std::unique_ptr<vault::Vault> Open(const std::string& who, const std::string& pass) {
    auto v = vault::Vault::Open(vault(), who, [pass](const vault::KeySlot&) {
      return Result<crypto::SecretBytes>(ScanSecret(pass));
    });
    EXPECT_TRUE(v.ok()) << v.status().message();
    return v.ok() ? std::move(*v) : nullptr;
  }

  static void Annotate(vault::Vault& v, int n) {
    auto tx = vault::Transaction::Begin(v.db());
    ASSERT_TRUE(tx.ok());
    for (int i = 0; i < n; ++i) ASSERT_TRUE(v.Record("annotate", {}, "", {{"n", i}}).ok());
    Status s = v.Commit(*tx);
    ASSERT_TRUE(s.ok()) << s.message();
  }

  // Verifies with at most `early_keys` keys for the checks made during the scan.
  vault::VerifyReport Verify(size_t early_keys) {
    auto v = Open("alice", kScanPass);
    EXPECT_NE(v, nullptr);
    if (v == nullptr) return {};
    vault::VerifyOptions o;
    o.early_keys = early_keys;
    auto r = vault::VerifyVault(*v, o);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : vault::VerifyReport{};
  }

  // Changes one character of the first signature of event `seq`, through a connection that
  // drops the append-only triggers first (as an insider would).
  void ForgeSignature(int64_t seq) {
    auto v = Open("alice", kScanPass);
    ASSERT_NE(v, nullptr);
    ASSERT_TRUE(v->db().Exec("DROP TRIGGER IF EXISTS events_no_update").ok());
    auto st = v->db().Prepare("SELECT entry FROM events WHERE seq = ?");
    ASSERT_TRUE(st.ok());
    st->Bind(1, seq);
    ASSERT_TRUE(*st->Step());
    ByteView b = st->ColumnBlob(0);
    json env = json::parse(b.begin(), b.end());
    std::string sig = env["signatures"][0]["sig"];
    sig[5] = sig[5] == 'A' ? 'B' : 'A';
    env["signatures"][0]["sig"] = sig;
    const std::string forged = env.dump();
    auto up = v->db().Prepare("UPDATE events SET entry = ? WHERE seq = ?");
    ASSERT_TRUE(up.ok());
    up->BindBlob(1, AsBytes(forged)).Bind(2, seq);
    ASSERT_TRUE(up->Run().ok());
  }
};

std::string JoinLines(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

TEST_F(VerifyScan, ALogLongerThanTheWindowVerifiesWhicheverWayItsSignaturesAreChecked) {
  // 256: every key checked during the scan; 1: only alice's first key (bob's and her new one
  // after it); 0: every signature after the scan.
  vault::VerifyReport all = Verify(256), first = Verify(1), none = Verify(0);
  EXPECT_TRUE(all.ok()) << JoinLines(all.problems);
  EXPECT_TRUE(first.ok()) << JoinLines(first.problems);
  EXPECT_TRUE(none.ok()) << JoinLines(none.problems);
  EXPECT_EQ(all.events, 5001u);
  EXPECT_EQ(first.root_b64, all.root_b64);
  EXPECT_EQ(none.root_b64, all.root_b64);
}

TEST_F(VerifyScan, ForgedSignaturesAreNamedWhicheverWayTheyAreChecked) {
  // Under alice's first key, bob's key, and alice's second key; 4900 is in the share of the
  // log whose signatures are checked after the scan (the last 1/16).
  const std::vector<int> forged = {1500, 2500, 4500, 4900};
  for (int64_t seq : forged) ForgeSignature(seq);
  std::vector<std::string> first_run;
  for (size_t early_keys : {256u, 1u, 0u}) {
    SCOPED_TRACE("early_keys = " + std::to_string(early_keys));
    vault::VerifyReport r = Verify(early_keys);
    const std::string problems = JoinLines(r.problems);
    for (int seq : forged) {
      const std::string n = "custody event " + std::to_string(seq);
      EXPECT_NE(problems.find(n + ": signature does not verify"), std::string::npos) << problems;
      EXPECT_NE(problems.find("custody event " + std::to_string(seq + 1) + ": hash chain broken"),
                std::string::npos)
          << problems;
    }
    // The same report, line for line, however the signatures were checked.
    if (first_run.empty()) {
      first_run = r.problems;
    } else {
      EXPECT_EQ(r.problems, first_run);
    }
  }
}

// verify reads one snapshot of vault.db: a command committing on another connection while it
// runs waits for it (or gives up, "locked"), and never shows verify a log longer than its tree,
// a tree longer than its log, or checkpoints/latest ahead of either.
TEST_F(VerifyScan, CommandsCommittingMeanwhileAreNotTampering) {
  std::atomic<bool> stop{false};
  std::atomic<int> committed{0};
  int verified = 0;
  std::thread writer([&] {
    auto w = Open("alice", kScanPass);
    if (w == nullptr) return;
    while (!stop.load()) {
      auto tx = vault::Transaction::Begin(w->db());
      if (!tx.ok()) continue;  // locked: try again
      for (int i = 0; i < 5; ++i) (void)w->Record("annotate", {}, "", {{"while", "verifying"}});
      if (w->Commit(*tx).ok()) ++committed;
      // A person's pace, not a loop's: a writer that never lets go would starve any reader.
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  std::vector<std::string> problems;
  for (int round = 0; round < 12 && problems.empty(); ++round) {
    vault::VerifyReport r = Verify(256);
    problems = r.problems;
    if (r.events > 0) ++verified;
  }
  stop = true;
  writer.join();
  EXPECT_TRUE(problems.empty()) << JoinLines(problems);
  EXPECT_EQ(verified, 12);
  EXPECT_GT(committed.load(), 0) << "the writer never committed: the test proved nothing";
  EXPECT_TRUE(Verify(256).ok());
}

}  // namespace
}  // namespace amanat::testing
