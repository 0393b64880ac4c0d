// Tamper tests (issue 3, acceptance item 7): an insider with the passphrase edits, deletes,
// reorders or rolls back the custody log, or damages vault.db; `amanat verify` must exit 1
// and name the cause. Edits go through a library connection that first drops the triggers,
// as an attacker would: verification must not rely on them. Committing commands on a
// rolled-back vault must refuse and leave checkpoints/latest alone.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/secret.h"
#include "tests/cli_runner.h"
#include "vault/db.h"
#include "vault/keyslots.h"
#include "vault/vault.h"

namespace amanat::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr char kDropLogTriggers[] =
    "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;"
    "DROP TRIGGER event_subjects_no_update; DROP TRIGGER event_subjects_no_delete;"
    "DROP TRIGGER merkle_nodes_no_update; DROP TRIGGER merkle_nodes_no_delete;";

class Tamper : public CliTest {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::InitCrypto()); }

  // A vault with a few items of several pages each and some access events:
  // 0 init, 1-3 ingest, 4 access, 5 ingest, 6 access.
  void SetUp() override {
    CliTest::SetUp();
    InitVault();
    for (int i = 0; i < 3; ++i) {
      ids_.push_back(AddFile(MakeFile("item" + std::to_string(i) + ".bin",
                                      PseudoRandomBytes(40 * 1024 + 100 * i, 100 + i))));
    }
    ASSERT_EQ(RunV({"get", ids_[0], "--purpose", "court", "-o", Path("o0")}).exit_code, 0);
    ids_.push_back(AddFile(MakeFile("item3.txt", "a short testimony\n")));
    ASSERT_EQ(RunV({"get", ids_[3], "--purpose", "translation", "-o", Path("o3")}).exit_code, 0);
    RunResult ok = RunV({"verify", "--full"});  // event 7
    ASSERT_EQ(ok.exit_code, 0) << ok;
    events_ = 8;
  }

  std::unique_ptr<vault::Vault> OpenLibrary() {
    auto v = vault::Vault::Open(vault(), "alice", [](const vault::KeySlot&) {
      return Result<crypto::SecretBytes>(crypto::SecretBytes::Copy(AsBytes(kPassphrase)));
    });
    EXPECT_TRUE(v.ok()) << v.status().message();
    return v.ok() ? std::move(*v) : nullptr;
  }

  // Runs SQL through a library connection (the insider's); the statement must succeed.
  void Sql(const std::function<void(vault::Db&)>& fn) {
    auto v = OpenLibrary();
    ASSERT_NE(v, nullptr);
    fn(v->db());
  }
  static void Exec(vault::Db& db, const std::string& sql) {
    Status s = db.Exec(sql);
    ASSERT_TRUE(s.ok()) << sql << ": " << s.message();
  }
  static Bytes EntryOf(vault::Db& db, int64_t seq) {
    auto st = db.Prepare("SELECT entry FROM events WHERE seq = ?");
    EXPECT_TRUE(st.ok());
    st->Bind(1, seq);
    auto row = st->Step();
    EXPECT_TRUE(row.ok() && *row) << "no event " << seq;
    ByteView b = st->ColumnBlob(0);
    return Bytes(b.begin(), b.end());
  }
  static std::string ActionOf(vault::Db& db, int64_t seq) {
    auto st = db.Prepare("SELECT action FROM events WHERE seq = ?");
    EXPECT_TRUE(st.ok());
    st->Bind(1, seq);
    auto row = st->Step();
    EXPECT_TRUE(row.ok() && *row);
    return st->ColumnText(0);
  }
  static void SetEntry(vault::Db& db, int64_t seq, const Bytes& entry, const std::string& action) {
    auto st = db.Prepare("UPDATE events SET entry = ?, action = ? WHERE seq = ?");
    ASSERT_TRUE(st.ok());
    st->BindBlob(1, entry).Bind(2, action).Bind(3, seq);
    Status s = st->Run();
    ASSERT_TRUE(s.ok()) << s.message();
    ASSERT_EQ(sqlite3_changes(db.handle()), 1);
  }

  // verify must fail (exit 1) with an error line naming `cause`, and list `problem` among
  // the problems on stdout.
  RunResult ExpectVerifyFails(const std::string& cause, const std::string& problem,
                              const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"verify"};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult r = RunV(args);
    EXPECT_AMANAT_ERROR(r, 1, cause);
    EXPECT_EQ(r.out.rfind("FAILED: ", 0), 0u) << r;
    EXPECT_NE(r.out.find(problem), std::string::npos) << "problem not listed: " << problem << r;
    return r;
  }

  std::string Latest() { return ReadFileBytes(vault() + "/checkpoints/latest"); }

  std::vector<std::string> ids_;
  uint64_t events_ = 0;
};

// (a) One flipped byte inside a used page of vault.db: SQLCipher's per-page HMAC must catch
// it, when the vault is opened or during verify; either way exit 1 naming vault.db. Plain
// `verify` reads every page of the log (the events and merkle_nodes tables); `verify --full`
// reads every page, content included.
TEST_F(Tamper, FlippedByteInVaultDbIsDetected) {
  const std::string db = vault() + "/vault.db";
  int64_t events_root = 0, nodes_root = 0;
  {
    auto v = OpenLibrary();
    ASSERT_NE(v, nullptr);
    auto st = v->db().Prepare("PRAGMA freelist_count");
    ASSERT_TRUE(st.ok());
    ASSERT_TRUE(*st->Step());
    ASSERT_EQ(st->ColumnInt(0), 0) << "every page is in use";
    auto roots = v->db().Prepare(
        "SELECT name, rootpage FROM sqlite_master WHERE name IN ('events', 'merkle_nodes')");
    ASSERT_TRUE(roots.ok());
    while (*roots->Step()) {
      (roots->ColumnText(0) == "events" ? events_root : nodes_root) = roots->ColumnInt(1);
    }
    ASSERT_GT(events_root, 1);
    ASSERT_GT(nodes_root, 1);
  }
  const std::string original = ReadFileBytes(db);
  auto ks = vault::KeySlots::Load(vault() + "/keyslots.json");
  ASSERT_TRUE(ks.ok()) << ks.status().message();
  const size_t page = static_cast<size_t>(ks->db_page_size);
  ASSERT_EQ(page, static_cast<size_t>(vault::kCipherPageSize));
  const size_t pages = original.size() / page;
  ASSERT_GE(pages, 8u) << "the vault should span several pages";
  ASSERT_EQ(original.size() % page, 0u);
  auto in_page = [page](int64_t n) { return static_cast<size_t>(n - 1) * page + page / 2; };
  struct Target {
    std::string what;
    size_t offset;
    bool plain_verify_reads_it;
  };
  const std::vector<Target> targets = {
      {"page 1, past the salt", 1000, true},
      {"the events table's root page", in_page(events_root), true},
      {"the merkle_nodes table's root page", in_page(nodes_root), true},
      {"a middle page", (pages / 2) * page + page / 2, false},
      {"the last page", original.size() - 100, false},
  };
  for (const Target& t : targets) {
    SCOPED_TRACE(t.what + ": byte " + std::to_string(t.offset) + " of " +
                 std::to_string(original.size()));
    std::string damaged = original;
    damaged[t.offset] = static_cast<char>(damaged[t.offset] ^ 0x01);
    WriteFileBytes(db, damaged);
    if (t.plain_verify_reads_it) {
      RunResult r = RunV({"verify"});
      EXPECT_AMANAT_ERROR(r, 1, "vault.db");
    }
    RunResult full = RunV({"verify", "--full"});
    EXPECT_AMANAT_ERROR(full, 1, "vault.db");
    // When the damage is found by verify (not at open), the report keeps its shape: one
    // summary line, then one line per problem.
    RunResult js = RunV({"verify", "--full", "--json"});
    EXPECT_EQ(js.exit_code, 1) << js;
    json j = json::parse(js.out, nullptr, false);
    if (!j.is_discarded() && j.contains("problems")) {
      for (const auto& p : j["problems"]) {
        EXPECT_EQ(p.get<std::string>().find('\n'), std::string::npos)
            << "a problem spans several lines:\n"
            << p.get<std::string>();
      }
      size_t lines = static_cast<size_t>(std::count(full.out.begin(), full.out.end(), '\n'));
      EXPECT_EQ(lines, 1 + j["problems"].size()) << full;
    }
    WriteFileBytes(db, original);
  }
  RunResult clean = RunV({"verify", "--full"});
  EXPECT_EQ(clean.exit_code, 0) << "the original file verifies again" << clean;
}

// (b) An event's signed bytes edited (the witness pseudonym changed in an ingest event).
TEST_F(Tamper, EditedEventIsDetected) {
  Sql([&](vault::Db& db) {
    Exec(db, kDropLogTriggers);
    Bytes entry = EntryOf(db, 2);
    json env = json::parse(entry.begin(), entry.end());
    auto raw = crypto::Base64Decode(env["payload"].get<std::string>());
    ASSERT_TRUE(raw.ok());
    json st = json::parse(raw->begin(), raw->end());
    ASSERT_EQ(st["predicate"]["action"], "ingest");
    st["predicate"]["details"]["metadata"]["filename"] = "renamed.bin";
    env["payload"] = crypto::Base64Encode(AsBytes(st.dump()));
    SetEntry(db, 2, ToBytes(env.dump()), "ingest");
  });
  // The headline names the first problem found (the chain break at event 3); the list names
  // the edited event itself.
  RunResult r = ExpectVerifyFails("custody event", "custody event 2: signature does not verify");
  // The next event's hash chain and the signed checkpoints no longer match either.
  EXPECT_NE(r.out.find("custody event 3: hash chain broken"), std::string::npos) << r;
  EXPECT_NE(r.out.find("checkpoints/latest: the log does not extend this checkpoint"),
            std::string::npos)
      << r;
  EXPECT_NE(r.out.find("stored Merkle tree does not match"), std::string::npos) << r;
  // A later commit signs its checkpoint over the stored tree, which still holds the original
  // entry's leaf: the edit stays detectable after more events.
  RunResult add = RunV({"add", MakeFile("new.txt", "new\n")});
  ASSERT_EQ(add.exit_code, 0) << add;
  RunResult later =
      ExpectVerifyFails("custody event", "custody event 2: signature does not verify");
  EXPECT_NE(later.out.find("checkpoints/latest: the log does not extend this checkpoint (size 9)"),
            std::string::npos)
      << later;
}

// (b') Only the unsigned listing column changed: verify compares it with the signed entry.
TEST_F(Tamper, EditedListingColumnIsDetected) {
  Sql([&](vault::Db& db) {
    Exec(db, kDropLogTriggers);
    Exec(db, "UPDATE events SET action = 'verify', actor = 'mallory' WHERE seq = 4");
  });
  ExpectVerifyFails("custody event 4", "custody event 4: index says 'verify'");
}

// (b'') An edit with the signature bytes changed too (base64 still valid).
TEST_F(Tamper, EditedSignatureIsDetected) {
  Sql([&](vault::Db& db) {
    Exec(db, kDropLogTriggers);
    Bytes entry = EntryOf(db, 4);
    json env = json::parse(entry.begin(), entry.end());
    std::string sig = env["signatures"][0]["sig"];
    sig[10] = sig[10] == 'A' ? 'B' : 'A';
    env["signatures"][0]["sig"] = sig;
    SetEntry(db, 4, ToBytes(env.dump()), "access");
  });
  RunResult r = ExpectVerifyFails("custody event", "custody event 4: signature does not verify");
  EXPECT_NE(r.out.find("custody event 5: hash chain broken"), std::string::npos) << r;
}

// (c) The last event deleted, and with it every Merkle node it completed and the stored
// checkpoint that names it, so that the database is consistent in itself: the log is shorter
// than the checkpoint that left the database.
TEST_F(Tamper, DeletedLastEventIsDetected) {
  const int64_t last = static_cast<int64_t>(events_) - 1;
  Sql([&](vault::Db& db) {
    Exec(db, kDropLogTriggers);
    Exec(db, "DROP TRIGGER checkpoints_no_delete");
    Exec(db, "PRAGMA foreign_keys = OFF");
    Exec(db, "DELETE FROM event_subjects WHERE seq = " + std::to_string(last));
    Exec(db, "DELETE FROM events WHERE seq = " + std::to_string(last));
    Exec(db, "DELETE FROM merkle_nodes WHERE ((idx + 1) << level) = " + std::to_string(last + 1));
    ASSERT_EQ(sqlite3_changes(db.handle()), 4);  // 8 leaves: nodes 0/7, 1/3, 2/1, 3/0
    Exec(db, "DELETE FROM checkpoints WHERE size > " + std::to_string(last));
  });
  ExpectVerifyFails("rollback", "checkpoints/latest: rollback: signed at " +
                                    std::to_string(events_) + " events, the log now has " +
                                    std::to_string(events_ - 1));
}

// (c) A middle event deleted (an access: who read what is gone), also from the tree.
TEST_F(Tamper, DeletedMiddleEventIsDetected) {
  Sql([&](vault::Db& db) {
    Exec(db, kDropLogTriggers);
    Exec(db, "PRAGMA foreign_keys = OFF");
    Exec(db, "DELETE FROM event_subjects WHERE seq = 4");
    Exec(db, "DELETE FROM events WHERE seq = 4");
  });
  RunResult r = ExpectVerifyFails("custody event 4", "custody event 4: missing");
  EXPECT_NE(r.out.find("checkpoints/latest"), std::string::npos) << r;
}

// (c) A middle event deleted and the later ones renumbered, so the sequence has no gap.
TEST_F(Tamper, DeletedAndRenumberedEventIsDetected) {
  Sql([&](vault::Db& db) {
    Exec(db, kDropLogTriggers);
    Exec(db, "PRAGMA foreign_keys = OFF");
    Exec(db, "DELETE FROM event_subjects WHERE seq = 4");
    Exec(db, "DELETE FROM events WHERE seq = 4");
    for (uint64_t s = 5; s < events_; ++s) {
      Exec(db, "UPDATE event_subjects SET seq = seq - 1 WHERE seq = " + std::to_string(s));
      Exec(db, "UPDATE events SET seq = seq - 1 WHERE seq = " + std::to_string(s));
    }
  });
  ExpectVerifyFails("custody event 4", "custody event 4: says it is event 5");
}

// (d) Two events swapped.
TEST_F(Tamper, SwappedEventsAreDetected) {
  Sql([&](vault::Db& db) {
    Exec(db, kDropLogTriggers);
    Bytes e3 = EntryOf(db, 3), e4 = EntryOf(db, 4);
    std::string a3 = ActionOf(db, 3), a4 = ActionOf(db, 4);
    SetEntry(db, 3, e4, a4);
    SetEntry(db, 4, e3, a3);
  });
  RunResult r =
      ExpectVerifyFails("custody event 3", "custody event 3: says it is event 4 (reordered?)");
  EXPECT_NE(r.out.find("custody event 4: says it is event 3 (reordered?)"), std::string::npos) << r;
}

// (e) The stored Merkle tree edited: proofs handed out from it would be wrong.
TEST_F(Tamper, EditedMerkleNodesAreDetected) {
  Sql([&](vault::Db& db) {
    Exec(db, kDropLogTriggers);
    Exec(db, "UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 1 AND idx = 1");
    ASSERT_EQ(sqlite3_changes(db.handle()), 1);
  });
  ExpectVerifyFails("Merkle",
                    "custody log: stored Merkle tree does not match the entries (1 wrong");
}

// (e) The node that is the root at the checkpointed size: committing commands check the
// stored tree against checkpoints/latest and refuse to sign on top of it.
TEST_F(Tamper, EditedMerkleRootNodeIsDetectedAndStopsCommits) {
  ASSERT_EQ(events_, 8u);
  Sql([&](vault::Db& db) {
    Exec(db, kDropLogTriggers);
    Exec(db, "UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 3 AND idx = 0");
    ASSERT_EQ(sqlite3_changes(db.handle()), 1);
  });
  ExpectVerifyFails("Merkle",
                    "custody log: stored Merkle tree does not match the entries (1 wrong");
  const std::string latest = Latest();
  RunResult add = RunV({"add", MakeFile("new.txt", "new\n")});
  EXPECT_AMANAT_ERROR(add, 1, "checkpoints/latest");
  EXPECT_EQ(Latest(), latest);
}

TEST_F(Tamper, DeletedMerkleNodeIsDetected) {
  Sql([&](vault::Db& db) {
    Exec(db, kDropLogTriggers);
    Exec(db, "DELETE FROM merkle_nodes WHERE level = 0 AND idx = 7");
  });
  ExpectVerifyFails("Merkle", "stored Merkle tree does not match the entries");
}

// (f) vault.db replaced by an older copy of itself: checkpoints/latest names more events.
// Committing commands refuse and leave checkpoints/latest alone; no content leaves.
TEST_F(Tamper, VaultDbRolledBackToAnOlderCopyIsDetected) {
  const std::string db = vault() + "/vault.db";
  const std::string old_db = ReadFileBytes(db);
  const std::string new_item = AddFile(MakeFile("later.txt", "added after the copy\n"));
  ASSERT_EQ(RunV({"get", ids_[1], "--purpose", "later read", "-o", Path("later")}).exit_code, 0);
  const std::string latest = Latest();
  WriteFileBytes(db, old_db);

  ExpectVerifyFails("rollback", "checkpoints/latest: rollback: signed at " +
                                    std::to_string(events_ + 2) + " events, the log now has " +
                                    std::to_string(events_));
  EXPECT_EQ(Latest(), latest);

  RunResult add = RunV({"add", MakeFile("during.txt", "added to the rolled-back vault\n")});
  EXPECT_AMANAT_ERROR(add, 1, "rollback");
  EXPECT_EQ(Latest(), latest) << "a refused commit rewrote checkpoints/latest";
  RunResult get = RunV({"get", ids_[0], "--purpose", "x", "-o", Path("leak")});
  EXPECT_AMANAT_ERROR(get, 1, "rollback");
  EXPECT_FALSE(fs::exists(Path("leak"))) << "content left a rolled-back vault";
  const std::string bob_pass = MakeFile("bob-pass", "bob (test)\n");
  RunResult cust = RunV({"custodian", "add", "bob", "--role", "reviewer", "--new-passphrase-file",
                         bob_pass, "--kdf", "insecure-fast"});
  EXPECT_AMANAT_ERROR(cust, 1, "rollback");
  EXPECT_EQ(ReadFileBytes(vault() + "/keyslots.json").find("\"bob\""), std::string::npos)
      << "a refused custodian add left a key slot";
  EXPECT_EQ(Latest(), latest);
  // A passphrase change is a committing command too: refused, and the key slot unchanged
  // (otherwise the new passphrase would be in force with no event recording it).
  const std::string keyslots = ReadFileBytes(vault() + "/keyslots.json");
  const std::string new_pass = MakeFile("new-pass", "a new passphrase (test)\n");
  RunResult pw = RunV({"passwd", "--new-passphrase-file", new_pass});
  EXPECT_AMANAT_ERROR(pw, 1, "rollback");
  EXPECT_EQ(ReadFileBytes(vault() + "/keyslots.json"), keyslots)
      << "keyslots.json was rewritten by a refused passwd";
  RunResult rotate = RunV({"custodian", "rotate"});
  EXPECT_AMANAT_ERROR(rotate, 1, "rollback");
  EXPECT_EQ(ReadFileBytes(vault() + "/keyslots.json"), keyslots)
      << "keyslots.json was rewritten by a refused rotate";
  EXPECT_EQ(Latest(), latest);
  RunResult again = RunV({"verify"});
  EXPECT_EQ(again.exit_code, 1) << again;
  EXPECT_EQ(Latest(), latest);
  EXPECT_EQ(ReadFileBytes(db), old_db) << "nothing was committed to the rolled-back database";
  (void)new_item;
}

// (g) The whole vault directory rolled back (vault.db and checkpoints/latest together): the
// vault alone cannot tell, but a checkpoint that left it earlier can.
TEST_F(Tamper, WholeDirectoryRollbackIsDetectedAgainstAnExportedCheckpoint) {
  const std::string saved = Path("saved-vault");
  fs::copy(vault(), saved, fs::copy_options::recursive);
  AddFile(MakeFile("later.txt", "added after the copy\n"));
  ASSERT_EQ(RunV({"get", ids_[2], "--purpose", "later read", "-o", Path("later")}).exit_code, 0);
  RunResult cp = Run({"--vault", vault(), "checkpoint", "-o", Path("exported.cp")});
  ASSERT_EQ(cp.exit_code, 0) << cp;
  ASSERT_EQ(RunV({"verify", "--against", Path("exported.cp")}).exit_code, 0);

  fs::remove_all(vault());
  fs::copy(saved, vault(), fs::copy_options::recursive);
  ExpectVerifyFails(Path("exported.cp"),
                    Path("exported.cp") + ": rollback: signed at " + std::to_string(events_ + 2) +
                        " events, the log now has " + std::to_string(events_),
                    {"--against", Path("exported.cp")});
  RunResult js = RunV({"verify", "--json", "--against", Path("exported.cp")});
  EXPECT_EQ(js.exit_code, 1) << js;
  json j = json::parse(js.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << js;
  EXPECT_EQ(j["ok"], false);
  ASSERT_EQ(j["problems"].size(), 1u) << js;

  // A fork: the rolled-back vault grows past the exported size with other events. It is as
  // long as the checkpoint now, but does not extend it.
  for (int i = 0; i < 4; ++i)
    AddFile(MakeFile("fork" + std::to_string(i), "fork " + std::to_string(i)));
  ExpectVerifyFails(Path("exported.cp"),
                    Path("exported.cp") + ": the log does not extend this checkpoint (size " +
                        std::to_string(events_ + 2) + "): history was rewritten",
                    {"--against", Path("exported.cp")});
}

}  // namespace
}  // namespace amanat::testing
