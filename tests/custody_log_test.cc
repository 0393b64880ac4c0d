// The custody log in the vault database, through the library (issue 3, acceptance items 2
// and 3): append-only triggers, atomic ingest, the stored Merkle tree and its proofs, strict
// parsing of entries, and proofs at 100,000 entries costing O(log n) stored-hash reads.
// The command-line view is in custody_cli_test.cc; tampering in tamper_test.cc.
#include "vault/custody_log.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "crypto/checkpoint.h"
#include "crypto/encoding.h"
#include "crypto/kdf.h"
#include "crypto/merkle.h"
#include "crypto/secret.h"
#include "crypto/sha256.h"
#include "tests/cli_runner.h"
#include "vault/event.h"
#include "vault/items.h"
#include "vault/vault.h"
#include "vault/verify.h"

namespace amanat::testing {
namespace {

using nlohmann::json;

constexpr char kPass[] = "library test passphrase";

crypto::SecretBytes Secret(std::string_view s) { return crypto::SecretBytes::Copy(AsBytes(s)); }

// Counts what a connection executes: statements started and rows returned, and statements
// that touch the events table.
struct SqlCounter {
  uint64_t statements = 0;
  uint64_t rows = 0;
  uint64_t event_reads = 0;

  static int Callback(unsigned type, void* ctx, void* /*p*/, void* x) {
    auto* self = static_cast<SqlCounter*>(ctx);
    if (type == SQLITE_TRACE_STMT) {
      ++self->statements;
      const char* sql = static_cast<const char*>(x);
      if (sql != nullptr && std::string_view(sql).find("events") != std::string_view::npos) {
        ++self->event_reads;
      }
    } else if (type == SQLITE_TRACE_ROW) {
      ++self->rows;
    }
    return 0;
  }
  void Attach(sqlite3* db) {
    ASSERT_EQ(
        sqlite3_trace_v2(db, SQLITE_TRACE_STMT | SQLITE_TRACE_ROW, &SqlCounter::Callback, this),
        SQLITE_OK);
  }
  static void Detach(sqlite3* db) { sqlite3_trace_v2(db, 0, nullptr, nullptr); }
  void Reset() { *this = SqlCounter(); }
};

// A MerkleHashReader that counts the reads it passes on.
class CountingReader : public crypto::MerkleHashReader {
 public:
  explicit CountingReader(const crypto::MerkleHashReader& inner) : inner_(inner) {}
  Result<Digest> Get(uint32_t level, uint64_t index) const override {
    ++gets;
    return inner_.Get(level, index);
  }
  mutable uint64_t gets = 0;

 private:
  const crypto::MerkleHashReader& inner_;
};

class CustodyLogLib : public CliTest {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::InitCrypto()); }

  void SetUp() override {
    CliTest::SetUp();
    vault::InitOptions o;
    o.dir = vault();
    o.custodian = "alice";
    auto kdf = crypto::Argon2ParamsForLevel("insecure-fast");
    ASSERT_TRUE(kdf.ok());
    o.kdf = *kdf;
    Status s = vault::Vault::Init(o, Secret(kPass));
    ASSERT_TRUE(s.ok()) << s.message();
    v_ = Open();
    ASSERT_NE(v_, nullptr);
  }

  std::unique_ptr<vault::Vault> Open() {
    auto v = vault::Vault::Open(vault(), "alice", [](const vault::KeySlot&) {
      return Result<crypto::SecretBytes>(Secret(kPass));
    });
    EXPECT_TRUE(v.ok()) << v.status().message();
    return v.ok() ? std::move(*v) : nullptr;
  }

  static int64_t Count(vault::Vault& v, const std::string& sql) {
    auto st = v.db().Prepare(sql);
    EXPECT_TRUE(st.ok()) << st.status().message();
    if (!st.ok()) return -1;
    auto row = st->Step();
    EXPECT_TRUE(row.ok() && *row) << sql;
    return st->ColumnInt(0);
  }

  // Adds `data` as an item inside the caller's transaction.
  static Result<vault::IngestResult> Ingest(vault::Vault& v, const std::string& data,
                                            const std::string& name) {
    size_t pos = 0;
    vault::ItemMetadata meta;
    meta.filename = name;
    return vault::IngestItem(
        v,
        [&](uint8_t* buf, size_t n) -> Result<size_t> {
          size_t k = std::min(n, data.size() - pos);
          std::copy_n(data.data() + pos, k, buf);
          pos += k;
          return k;
        },
        meta, nullptr);
  }

  // Commits one item; returns its ID.
  std::string AddItem(const std::string& data, const std::string& name) {
    auto tx = vault::Transaction::Begin(v_->db());
    EXPECT_TRUE(tx.ok());
    auto r = Ingest(*v_, data, name);
    EXPECT_TRUE(r.ok()) << r.status().message();
    Status s = v_->Commit(*tx);
    EXPECT_TRUE(s.ok()) << s.message();
    return r.ok() ? r->item.id : "";
  }

  void ExpectVerifies(vault::Vault& v) {
    auto report = vault::VerifyVault(v, {});
    ASSERT_TRUE(report.ok()) << report.status().message();
    std::string problems;
    for (const auto& p : report->problems) problems += p + "\n";
    EXPECT_TRUE(report->ok()) << problems;
  }

  std::unique_ptr<vault::Vault> v_;
};

// ---- 2. Append-only and atomic --------------------------------------------------------------

TEST_F(CustodyLogLib, TriggersRefuseUpdateAndDeleteOnTheLog) {
  AddItem("some evidence\n", "a.txt");
  const uint64_t size = *v_->log().Size();
  ASSERT_EQ(size, 2u);
  const Bytes entry0 = *v_->log().Entry(0);
  const Bytes entry1 = *v_->log().Entry(1);
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"UPDATE events SET action = 'verify' WHERE seq = 1", "append-only"},
      {"UPDATE events SET entry = x'00' WHERE seq = 0", "append-only"},
      {"UPDATE events SET seq = 7 WHERE seq = 1", "append-only"},
      {"DELETE FROM events WHERE seq = 1", "append-only"},
      {"DELETE FROM events", "append-only"},
      {"UPDATE event_subjects SET seq = 0", "append-only"},
      {"DELETE FROM event_subjects", "append-only"},
      {"UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 0 AND idx = 0", "append-only"},
      {"DELETE FROM merkle_nodes WHERE level = 1", "append-only"},
      {"UPDATE checkpoints SET note = 'x'", "append-only"},
      {"DELETE FROM checkpoints", "append-only"},
      {"UPDATE items SET kind = 'other'", "immutable"},
      {"DELETE FROM chunks", "immutable"},
      {"DELETE FROM custodians", "never deleted"},
      // REPLACE deletes the row it conflicts with; that is a delete too.
      {"INSERT OR REPLACE INTO events(seq, entry, action, time, actor) "
       "VALUES(1, x'7b7d', 'verify', '2000-01-01T00:00:00Z', 'mallory')",
       ""},
      {"INSERT OR REPLACE INTO merkle_nodes(level, idx, hash) VALUES(0, 0, zeroblob(32))", ""},
      {"INSERT OR REPLACE INTO checkpoints(size, note) VALUES(2, 'forged')", ""},
      {"INSERT OR REPLACE INTO chunks(blob_id, seq, data) VALUES(1, 0, x'00')", ""},
  };
  for (const auto& [sql, why] : refused) {
    SCOPED_TRACE(sql);
    Status s = v_->db().Exec(sql);
    EXPECT_FALSE(s.ok()) << "the database accepted it";
    EXPECT_EQ(s.code(), Code::kVerifyFailed) << s.message();
    EXPECT_NE(s.message().find(why), std::string::npos) << s.message();
  }
  // Nothing changed.
  EXPECT_EQ(*v_->log().Size(), size);
  EXPECT_EQ(*v_->log().Entry(0), entry0);
  EXPECT_EQ(*v_->log().Entry(1), entry1);
  EXPECT_EQ(Count(*v_, "SELECT count(*) FROM checkpoints"), 2);
  ExpectVerifies(*v_);
}

TEST_F(CustodyLogLib, IngestFailingMidwayLeavesNoEventAndNoItem) {
  const uint64_t size = *v_->log().Size();
  const std::string latest = ReadFileBytes(vault() + "/checkpoints/latest");
  const std::string good = PseudoRandomBytes(300 * 1024, 1);
  const std::string broken = PseudoRandomBytes(3 * 1024 * 1024, 2);  // fails after 1.5 MiB
  {
    auto tx = vault::Transaction::Begin(v_->db());
    ASSERT_TRUE(tx.ok());
    auto ok = Ingest(*v_, good, "good.bin");
    ASSERT_TRUE(ok.ok()) << ok.status().message();

    size_t pos = 0;
    uint64_t chunks_seen = 0;
    vault::ItemMetadata meta;
    meta.filename = "broken.bin";
    auto bad = vault::IngestItem(
        *v_,
        [&](uint8_t* buf, size_t n) -> Result<size_t> {
          if (pos >= 3 * 512 * 1024) return IoError("simulated read error on the card reader");
          size_t k = std::min<size_t>(n, 256 * 1024);
          std::copy_n(broken.data() + pos, k, buf);
          pos += k;
          return k;
        },
        meta,
        [&](uint64_t) {
          // A chunk of the broken input was stored before the failure.
          chunks_seen = static_cast<uint64_t>(Count(*v_, "SELECT count(*) FROM chunks"));
        });
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.status().message().find("simulated read error"), std::string::npos)
        << bad.status().message();
    EXPECT_EQ(chunks_seen, 2u) << "the first chunk of each input reached the table";
    Status s = v_->Commit(*tx);
    ASSERT_TRUE(s.ok()) << s.message();
  }
  // The good item and its one event are there; of the broken one, nothing.
  EXPECT_EQ(*v_->log().Size(), size + 1);
  EXPECT_EQ(Count(*v_, "SELECT count(*) FROM items"), 1);
  EXPECT_EQ(Count(*v_, "SELECT count(*) FROM blobs"), 1);
  EXPECT_EQ(Count(*v_, "SELECT count(*) FROM chunks"), 1);
  EXPECT_EQ(Count(*v_, "SELECT count(*) FROM event_subjects"), 1);
  const std::string good_id = crypto::HexEncode(crypto::Sha256Of(good));
  EXPECT_EQ(Count(*v_, "SELECT count(*) FROM items WHERE id = '" + good_id + "'"), 1);
  auto last = vault::ParseEntry(*v_->log().Entry(size));
  ASSERT_TRUE(last.ok()) << last.status().message();
  EXPECT_EQ(last->event.action, "ingest");
  EXPECT_EQ(last->event.subjects, std::vector<std::string>{good_id});
  EXPECT_NE(ReadFileBytes(vault() + "/checkpoints/latest"), latest);

  // A transaction abandoned after an ingest (the process dies, the commit fails) leaves no
  // item, no event, and the checkpoint as it was.
  const std::string latest2 = ReadFileBytes(vault() + "/checkpoints/latest");
  {
    auto tx = vault::Transaction::Begin(v_->db());
    ASSERT_TRUE(tx.ok());
    auto r = Ingest(*v_, "never committed\n", "lost.txt");
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(*v_->log().Size(), size + 2);  // visible inside the transaction only
  }
  EXPECT_EQ(*v_->log().Size(), size + 1);
  EXPECT_EQ(Count(*v_, "SELECT count(*) FROM items"), 1);
  EXPECT_EQ(Count(*v_, "SELECT count(*) FROM merkle_nodes"), 3);  // 2 leaves + 1 node
  EXPECT_EQ(ReadFileBytes(vault() + "/checkpoints/latest"), latest2);
  ExpectVerifies(*v_);
}

TEST_F(CustodyLogLib, AnEventBecomesVisibleOnlyTogetherWithTheChangeItRecords) {
  auto tx = vault::Transaction::Begin(v_->db());
  ASSERT_TRUE(tx.ok());
  auto r = Ingest(*v_, "atomic\n", "atomic.txt");
  ASSERT_TRUE(r.ok()) << r.status().message();
  {
    auto reader = Open();  // a second connection sees the last committed state
    ASSERT_NE(reader, nullptr);
    EXPECT_EQ(*reader->log().Size(), 1u);
    EXPECT_EQ(Count(*reader, "SELECT count(*) FROM items"), 0);
  }
  ASSERT_TRUE(v_->Commit(*tx).ok());
  auto reader = Open();
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(*reader->log().Size(), 2u);
  EXPECT_EQ(Count(*reader, "SELECT count(*) FROM items"), 1);
  EXPECT_EQ(*reader->log().EventsAbout(r->item.id), std::vector<uint64_t>{1});
}

// ---- 3. The stored tree -------------------------------------------------------------------

TEST_F(CustodyLogLib, AppendChainsEntriesAndStoresExactlyThePerfectSubtrees) {
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i) {
    ids.push_back(AddItem("item " + std::to_string(i) + "\n", "f" + std::to_string(i)));
  }
  const uint64_t n = *v_->log().Size();
  ASSERT_EQ(n, 13u);
  crypto::MemoryMerkleStore mem;
  std::string previous = vault::kNoPrevious;
  for (uint64_t i = 0; i < n; ++i) {
    auto entry = v_->log().Entry(i);
    ASSERT_TRUE(entry.ok());
    auto parsed = vault::ParseEntry(*entry);
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    EXPECT_EQ(parsed->event.sequence, i);
    EXPECT_EQ(parsed->event.previous, previous);
    previous = crypto::HexEncode(crypto::Sha256Of(*entry));
    ASSERT_TRUE(mem.Append(*entry).ok());
    // Every earlier size's root is still reachable from the stored nodes.
    for (uint64_t s = 1; s <= i + 1; ++s) {
      EXPECT_EQ(*v_->log().Root(s), *crypto::RootAt(mem, s)) << "size " << s;
    }
  }
  // Exactly the perfect subtrees: n + n/2 + n/4 + ... rows.
  uint64_t expected = 0;
  for (uint64_t k = n; k > 0; k >>= 1) expected += k;
  EXPECT_EQ(Count(*v_, "SELECT count(*) FROM merkle_nodes"), static_cast<int64_t>(expected));
  EXPECT_EQ(*v_->log().Root(0), crypto::EmptyRoot());
  auto missing = v_->log().Entry(n);
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_FALSE(v_->log().InclusionProof(n, n).ok());
  EXPECT_FALSE(v_->log().Root(n + 1).ok()) << "a root beyond the log must not be made up";
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(*v_->log().EventsAbout(ids[i]), std::vector<uint64_t>{i + 1});
  }
  EXPECT_TRUE(v_->log().EventsAbout(std::string(64, '0'))->empty());

  // The newest stored checkpoint is checkpoints/latest, signed by the log key over this tree.
  auto stored = v_->log().LatestStoredCheckpoint();
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ(**stored, ReadFileBytes(vault() + "/checkpoints/latest"));
  auto cp = crypto::OpenCheckpoint(**stored, v_->LogVerifier());
  ASSERT_TRUE(cp.ok()) << cp.status().message();
  EXPECT_EQ(cp->origin, v_->origin());
  EXPECT_EQ(cp->size, n);
  EXPECT_EQ(cp->root, *crypto::RootAt(mem, n));
}

TEST_F(CustodyLogLib, ParseEntryRejectsAnythingButTheExactFormat) {
  AddItem("x\n", "x.txt");
  const Bytes entry = *v_->log().Entry(1);
  ASSERT_TRUE(vault::ParseEntry(entry).ok());
  const json env = json::parse(entry.begin(), entry.end());
  const Bytes payload_raw = *crypto::Base64Decode(env["payload"].get<std::string>());
  const json statement = json::parse(payload_raw.begin(), payload_raw.end());

  auto with_env = [&](const std::function<void(json&)>& edit) {
    json e = env;
    edit(e);
    return ToBytes(e.dump());
  };
  auto with_statement = [&](const std::function<void(json&)>& edit) {
    json st = statement;
    edit(st);
    return with_env([&](json& e) { e["payload"] = crypto::Base64Encode(AsBytes(st.dump())); });
  };
  const std::vector<std::pair<std::string, Bytes>> bad = {
      {"not JSON", ToBytes("{\"payload\":")},
      {"extra envelope key", with_env([](json& e) { e["x"] = 1; })},
      {"other payload type", with_env([](json& e) { e["payloadType"] = "text/plain"; })},
      {"payload not base64", with_env([](json& e) { e["payload"] = "%%%"; })},
      {"no signatures", with_env([](json& e) { e["signatures"] = json::array(); })},
      {"short signature", with_env([](json& e) { e["signatures"][0]["sig"] = "AAAA"; })},
      {"bad keyid", with_env([](json& e) { e["signatures"][0]["keyid"] = "XYZ"; })},
      {"unknown action", with_statement([](json& s) { s["predicate"]["action"] = "shred"; })},
      {"missing purpose", with_statement([](json& s) { s["predicate"].erase("purpose"); })},
      {"extra predicate field", with_statement([](json& s) { s["predicate"]["x"] = 1; })},
      {"negative sequence", with_statement([](json& s) { s["predicate"]["sequence"] = -1; })},
      {"bad previous", with_statement([](json& s) { s["predicate"]["previous"] = "00"; })},
      {"bad time", with_statement([](json& s) { s["predicate"]["time"] = "yesterday"; })},
      {"bad subject", with_statement([](json& s) { s["subject"][0]["digest"]["sha256"] = "ABC"; })},
      {"other statement type", with_statement([](json& s) { s["_type"] = "x"; })},
      {"other predicate type", with_statement([](json& s) { s["predicateType"] = "x"; })},
  };
  for (const auto& [what, bytes] : bad) {
    auto r = vault::ParseEntry(bytes);
    EXPECT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.status().code(), Code::kVerifyFailed) << what;
    EXPECT_NE(r.status().message().find("malformed custody entry"), std::string::npos)
        << what << ": " << r.status().message();
  }
  // A changed payload still parses, but its signature no longer verifies.
  auto changed =
      vault::ParseEntry(with_statement([](json& s) { s["predicate"]["purpose"] = "x"; }));
  ASSERT_TRUE(changed.ok()) << changed.status().message();
  EXPECT_FALSE(
      vault::VerifyEntrySignature(*changed, changed->signatures[0], v_->actor_key().public_key()));
  auto original = vault::ParseEntry(entry);
  EXPECT_TRUE(vault::VerifyEntrySignature(*original, original->signatures[0],
                                          v_->actor_key().public_key()));
}

// ---- 3. 100,000 entries -------------------------------------------------------------------

TEST_F(CustodyLogLib, HundredThousandEntriesProofsCostLogarithmicReads) {
  // 20,000 under the sanitizers, which check memory, not the cost: there appending 100,000
  // signed events alone takes minutes. The plain build checks the 100,000.
  const uint64_t kEntries = AMANAT_TEST_SANITIZED ? 20000 : 100000;
  const auto t0 = std::chrono::steady_clock::now();
  {
    auto tx = vault::Transaction::Begin(v_->db());
    ASSERT_TRUE(tx.ok());
    for (uint64_t i = 1; i < kEntries; ++i) {
      auto seq = v_->Record("annotate", {}, "", {{"n", i}});
      ASSERT_TRUE(seq.ok()) << seq.status().message();
      ASSERT_EQ(*seq, i);
    }
    Status s = v_->Commit(*tx);
    ASSERT_TRUE(s.ok()) << s.message();
  }
  const double append_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[ timing   ] appended %llu signed events in %.2f s (%.0f events/s)\n",
              static_cast<unsigned long long>(kEntries - 1), append_s,
              static_cast<double>(kEntries - 1) / append_s);
  RecordProperty("append_seconds", std::to_string(append_s));
  vault::CustodyLog& log = v_->log();
  ASSERT_EQ(*log.Size(), kEntries);

  // An independent tree over the stored entries, built in memory.
  crypto::MemoryMerkleStore mem;
  std::vector<Digest> leaf(kEntries);
  {
    auto st = v_->db().Prepare("SELECT seq, entry FROM events ORDER BY seq");
    ASSERT_TRUE(st.ok());
    uint64_t expect = 0;
    for (;;) {
      auto row = st->Step();
      ASSERT_TRUE(row.ok());
      if (!*row) break;
      ASSERT_EQ(static_cast<uint64_t>(st->ColumnInt(0)), expect);
      leaf[expect] = crypto::LeafHash(st->ColumnBlob(1));
      ASSERT_TRUE(mem.AppendLeafHash(leaf[expect]).ok());
      ++expect;
    }
    ASSERT_EQ(expect, kEntries);
  }
  uint64_t expected_nodes = 0;
  for (uint64_t k = kEntries; k > 0; k >>= 1) expected_nodes += k;
  EXPECT_EQ(Count(*v_, "SELECT count(*) FROM merkle_nodes"), static_cast<int64_t>(expected_nodes));

  SqlCounter counter;
  counter.Attach(v_->db().handle());
  // A proof or root for a tree of n leaves reads at most ~2 log2(n) stored hashes.
  auto bound = [](uint64_t n) { return 2 * static_cast<uint64_t>(std::bit_width(n)) + 2; };
  uint64_t max_rows = 0, proofs = 0;

  std::mt19937_64 rng(20240601);
  std::vector<uint64_t> sizes;
  for (uint64_t n : {uint64_t{1}, uint64_t{2}, uint64_t{3}, uint64_t{4}, uint64_t{5}, uint64_t{7},
                     uint64_t{8}, uint64_t{9}, uint64_t{1000}, uint64_t{1023}, uint64_t{1024},
                     uint64_t{1025}, uint64_t{16383}, uint64_t{16384}, uint64_t{16385},
                     uint64_t{65535}, uint64_t{65536}, uint64_t{65537}, kEntries - 1, kEntries}) {
    if (n <= kEntries) sizes.push_back(n);
  }
  for (int i = 0; i < 20; ++i) sizes.push_back(1 + rng() % kEntries);
  std::vector<Digest> roots;
  for (uint64_t n : sizes) {
    counter.Reset();
    auto root = log.Root(n);
    ASSERT_TRUE(root.ok()) << root.status().message();
    EXPECT_LE(counter.rows, static_cast<uint64_t>(std::popcount(n))) << "root at " << n;
    EXPECT_EQ(counter.event_reads, 0u) << "a root must not read entries";
    EXPECT_EQ(*root, *crypto::RootAt(mem, n)) << "root at " << n;
    roots.push_back(*root);
  }
  EXPECT_EQ(roots[sizes.size() - 1 - 20], *crypto::RootAt(mem, kEntries));

  // Inclusion proofs.
  for (uint64_t n : sizes) {
    const Digest root = *crypto::RootAt(mem, n);
    std::vector<uint64_t> indices = {0, n - 1, n / 2, n > 1 ? n - 2 : 0, rng() % n, rng() % n};
    for (uint64_t i : indices) {
      SCOPED_TRACE("inclusion of " + std::to_string(i) + " in " + std::to_string(n));
      counter.Reset();
      auto proof = log.InclusionProof(i, n);
      ASSERT_TRUE(proof.ok()) << proof.status().message();
      EXPECT_LE(counter.rows, bound(n));
      EXPECT_EQ(counter.event_reads, 0u);
      max_rows = std::max(max_rows, counter.rows);
      ++proofs;
      EXPECT_TRUE(crypto::VerifyInclusion(i, n, leaf[i], *proof, root).ok());
      // The same proof as from the in-memory tree, and a counted reader agrees on the cost.
      EXPECT_EQ(*proof, *crypto::InclusionProof(mem, i, n));
      vault::SqlMerkleReader sql_reader(v_->db());
      CountingReader counting(sql_reader);
      EXPECT_EQ(*crypto::InclusionProof(counting, i, n), *proof);
      EXPECT_LE(counting.gets, bound(n));
      // It proves nothing else.
      if (n > 1) {
        EXPECT_FALSE(crypto::VerifyInclusion(i, n, leaf[(i + 1) % n], *proof, root).ok());
      }
    }
  }

  // Consistency proofs.
  std::vector<std::pair<uint64_t, uint64_t>> pairs = {
      {1, kEntries},     {2, kEntries},        {7, 8},         {8, 9},
      {1024, 1025},      {65536, kEntries},    {65535, 65537}, {12345, 67890},
      {99999, kEntries}, {kEntries, kEntries}, {1, 2},         {3, 99999}};
  std::erase_if(pairs, [&](const auto& p) { return p.second > kEntries || p.first > p.second; });
  pairs.emplace_back(16384, kEntries);
  for (int i = 0; i < 40; ++i) {
    uint64_t a = 1 + rng() % kEntries, b = 1 + rng() % kEntries;
    pairs.emplace_back(std::min(a, b), std::max(a, b));
  }
  for (const auto& [n1, n2] : pairs) {
    SCOPED_TRACE("consistency " + std::to_string(n1) + " -> " + std::to_string(n2));
    counter.Reset();
    auto proof = log.ConsistencyProof(n1, n2);
    ASSERT_TRUE(proof.ok()) << proof.status().message();
    EXPECT_LE(counter.rows, bound(n2));
    EXPECT_EQ(counter.event_reads, 0u);
    max_rows = std::max(max_rows, counter.rows);
    ++proofs;
    const Digest r1 = *crypto::RootAt(mem, n1), r2 = *crypto::RootAt(mem, n2);
    EXPECT_TRUE(crypto::VerifyConsistency(n1, n2, *proof, r1, r2).ok());
    EXPECT_EQ(*proof, *crypto::ConsistencyProof(mem, n1, n2));
    if (n1 > 1 && n1 < n2) {
      // A different old root (the tree one entry smaller) is not consistent via this proof.
      EXPECT_FALSE(
          crypto::VerifyConsistency(n1, n2, *proof, *crypto::RootAt(mem, n1 - 1), r2).ok());
    }
  }
  SqlCounter::Detach(v_->db().handle());
  std::printf(
      "[ timing   ] %llu proofs at up to %llu entries: at most %llu stored hashes read "
      "per proof\n",
      static_cast<unsigned long long>(proofs), static_cast<unsigned long long>(kEntries),
      static_cast<unsigned long long>(max_rows));
  const double total_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[ timing   ] 100,000-entry test: %.2f s in all\n", total_s);
}

}  // namespace
}  // namespace amanat::testing
