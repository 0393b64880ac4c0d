// vault/schema: a database made by an older Amanat is brought up to date at open, once; one
// from a newer Amanat is refused.
#include "vault/schema.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "crypto/secret.h"
#include "vault/db.h"

namespace amanat::vault {
namespace {

class SchemaTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::InitCrypto()); }
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("amanat-schema-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Db Make(size_t migrations) {
    auto db = Db::Open((dir_ / "vault.db").string(), key_, Db::Mode::kCreateNew,
                       kCipherPageSize);
    EXPECT_TRUE(db.ok()) << db.status().message();
    Status s = TEST_CreateSchema(*db, migrations);
    EXPECT_TRUE(s.ok()) << s.message();
    return std::move(*db);
  }
  static int64_t Int(Db& db, const std::string& sql) {
    auto st = db.Prepare(sql);
    EXPECT_TRUE(st.ok()) << sql;
    auto row = st->Step();
    EXPECT_TRUE(row.ok() && *row) << sql;
    return st->ColumnInt(0);
  }

  std::filesystem::path dir_;
  crypto::SecretBytes key_ = crypto::SecretBytes::Random(32);
};

TEST_F(SchemaTest, VersionOneIsUpgradedOnceByName) {
  Db db = Make(0);
  EXPECT_EQ(Int(db, "PRAGMA user_version"), 1);
  EXPECT_EQ(Int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'witnesses'"), 0);
  ASSERT_TRUE(CheckSchema(db).ok());
  EXPECT_EQ(Int(db, "PRAGMA user_version"), SchemaVersion());
  for (const char* table : {"witnesses", "derivations", "redactions"}) {
    EXPECT_EQ(
        Int(db, std::string("SELECT count(*) FROM sqlite_master WHERE name = '") + table + "'"), 1)
        << table;
  }
  EXPECT_EQ(Int(db, "SELECT count(*) FROM meta WHERE key = 'schema:witnesses-provenance'"), 1);
  // The new column exists, and the append-only triggers came with the tables.
  EXPECT_TRUE(db.Exec("SELECT box_public_key FROM custodians").ok());
  ASSERT_TRUE(db.Exec("INSERT INTO events(seq, entry, action, time, actor) "
                      "VALUES(0, x'00', 'init', 't', 'a')")
                  .ok());
  ASSERT_TRUE(db.Exec("INSERT INTO derivations(seq, child, parent, relation) VALUES(0, '" +
                      std::string(64, 'a') + "', '" + std::string(64, 'b') + "', 'excerpt')")
                  .ok());
  EXPECT_FALSE(db.Exec("UPDATE derivations SET relation = 'transcript'").ok());
  EXPECT_FALSE(db.Exec("DELETE FROM derivations").ok());
  EXPECT_FALSE(
      db.Exec("INSERT OR REPLACE INTO derivations(seq, child, parent, relation) VALUES(0, '" +
              std::string(64, 'c') + "', '" + std::string(64, 'b') + "', 'excerpt')")
          .ok());
  // A second check changes nothing.
  ASSERT_TRUE(CheckSchema(db).ok());
  EXPECT_EQ(Int(db, "SELECT count(*) FROM meta WHERE key LIKE 'schema:%'"), SchemaVersion() - 1);
}

TEST_F(SchemaTest, AMigrationRecordedByNameIsNotAppliedTwice) {
  // As if the lead renumbered the list: the version says 1, the name says applied.
  Db db = Make(1);
  ASSERT_TRUE(db.Exec("PRAGMA user_version = 1").ok());
  Status s = CheckSchema(db);
  ASSERT_TRUE(s.ok()) << s.message();  // would fail with "table witnesses already exists"
  EXPECT_EQ(Int(db, "PRAGMA user_version"), SchemaVersion());
}

TEST_F(SchemaTest, NewerOrMissingVersionsAreRefused) {
  Db db = Make(1);
  ASSERT_TRUE(db.Exec("PRAGMA user_version = " + std::to_string(SchemaVersion() + 1)).ok());
  Status s = CheckSchema(db);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kVerifyFailed);
  EXPECT_NE(s.hint().find("newer Amanat"), std::string::npos);
  ASSERT_TRUE(db.Exec("PRAGMA user_version = 0").ok());
  EXPECT_FALSE(CheckSchema(db).ok());
}

}  // namespace
}  // namespace amanat::vault
