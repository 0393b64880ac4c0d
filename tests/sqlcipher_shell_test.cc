// vault.db as other tools see it (docs/format/vault.md, "Page size" and "Opening vault.db with
// the stock SQLCipher tools"): the page's own script derives the database key, and Debian's
// sqlcipher shell opens a copy of vault.db with it and the page size keyslots.json names, and
// not with another. A vault made before 16 KiB pages (4096-byte pages, key slots of format 2),
// rebuilt here with that shell, still opens, verifies and takes new items.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "crypto/encoding.h"
#include "tests/cli_runner.h"

namespace amanat::testing {
namespace {

using nlohmann::json;

// The first ```python block after the heading of the section that shows how to open vault.db.
std::string ScriptFromDocs() {
  const std::string page =
      ReadFileBytes(std::string(AMANAT_TEST_DATA_DIR) + "/../docs/format/vault.md");
  size_t at = page.find("\n## Opening vault.db with the stock SQLCipher tools\n");
  if (at == std::string::npos) return "";
  at = page.find("```python\n", at);
  if (at == std::string::npos) return "";
  at += 10;
  const size_t end = page.find("\n```\n", at);
  return end == std::string::npos ? "" : page.substr(at, end - at + 1);
}

class SqlcipherShell : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    ASSERT_TRUE(std::filesystem::exists("/usr/bin/sqlcipher"))
        << "the sqlcipher shell is missing: run scripts/install-deps";
    InitVault();
    first_ = AddFile(MakeFile("statement.txt", "what the witness said, word for word\n"));
  }

  // Runs the documented script for alice; returns the SQL file it wrote.
  std::string KeyFile() {
    const std::string script = ScriptFromDocs();
    EXPECT_NE(script.find("cipher_page_size"), std::string::npos) << "script not found in the docs";
    const std::string out = Path("key.sql");
    std::filesystem::remove(out);
    RunResult r = RunProgram("/usr/bin/python3", {MakeFile("init.py", script),
                                                  vault() + "/keyslots.json", "alice",
                                                  pass_file(), out});
    EXPECT_EQ(r.exit_code, 0) << r;
    EXPECT_EQ(std::filesystem::status(out).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    return out;
  }

  RunResult Shell(const std::string& key_file, const std::string& db, const std::string& sql) {
    RunOptions o;
    o.stdin_data = sql;
    return RunProgram("/usr/bin/sqlcipher", {"-init", key_file, "file:" + db}, o);
  }

  json KeySlotsJson() { return json::parse(ReadFileBytes(vault() + "/keyslots.json")); }

  std::string first_;
};

TEST_F(SqlcipherShell, OpensACopyWithTheDocumentedScriptAndTheNamedPageSize) {
  json ks = KeySlotsJson();
  ASSERT_EQ(ks["format"], "amanat-keyslots/3");
  ASSERT_EQ(ks["db_page_size"], 16384);
  const std::string key = KeyFile();
  const std::string sql = ReadFileBytes(key);
  EXPECT_NE(sql.find("PRAGMA cipher_page_size = 16384;"), std::string::npos) << "(key file)";
  std::filesystem::copy_file(vault() + "/vault.db", Path("copy.db"));
  RunResult r = Shell(key, Path("copy.db") + "?mode=ro",
                      "SELECT value FROM meta WHERE key = 'vault_id';\n"
                      "SELECT id FROM items;\nPRAGMA page_size;\n");
  EXPECT_EQ(r.out, ks["vault_id"].get<std::string>() + "\n" + first_ + "\n16384\n") << r;

  // The page size is the one setting a reader must repeat.
  std::string wrong = sql;
  wrong.replace(wrong.find("16384"), 5, "4096");
  WriteFileBytes(key, wrong, 0600);
  r = Shell(key, Path("copy.db") + "?mode=ro", "SELECT count(*) FROM items;\n");
  EXPECT_EQ(r.out, "") << r;
  EXPECT_NE(r.err.find("file is encrypted or is not a database"), std::string::npos) << r;
}

TEST_F(SqlcipherShell, AVaultWithTheOldPageSizeStillOpensVerifiesAndGrows) {
  // Rebuild vault.db with 4096-byte pages (sqlcipher_export into a new, empty database under
  // the same key), and key slots as format 2 wrote them.
  const std::string key = KeyFile();
  const std::string sql = ReadFileBytes(key);
  const size_t q = sql.find("x'");
  ASSERT_NE(q, std::string::npos);
  const std::string hex = sql.substr(q + 2, 64);
  const std::string legacy = Path("legacy.db");
  std::filesystem::copy_file(vault() + "/vault.db", Path("copy.db"));
  // sqlcipher_export copies the schema and rows, not the schema version.
  RunResult r = Shell(key, Path("copy.db"), "PRAGMA user_version;\n");
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::string version = r.out.substr(0, r.out.find('\n'));
  ASSERT_GT(std::stoi(version), 0) << r;
  r = Shell(key, Path("copy.db"),
            "ATTACH DATABASE '" + legacy + "' AS legacy KEY \"x'" + hex + "'\";\n" +
                "PRAGMA legacy.cipher_page_size = 4096;\n"
                "SELECT sqlcipher_export('legacy');\nPRAGMA legacy.user_version = " + version +
                ";\nPRAGMA legacy.page_size;\nDETACH DATABASE legacy;\n");
  ASSERT_EQ(r.exit_code, 0) << r;
  ASSERT_NE(r.out.find("\n4096\n"), std::string::npos) << r;
  const std::string bytes = ReadFileBytes(legacy);
  ASSERT_GT(bytes.size(), 16u);
  ASSERT_EQ(bytes.size() % 4096, 0u);
  const std::string salt = crypto::HexEncode(AsBytes(std::string_view(bytes).substr(0, 16)));
  json ks = KeySlotsJson();
  ks["format"] = "amanat-keyslots/2";
  ks.erase("db_page_size");
  ks["db_salt"] = salt;
  WriteFileBytes(vault() + "/keyslots.json", ks.dump(2) + "\n", 0600);
  std::filesystem::rename(legacy, vault() + "/vault.db");

  r = RunV({"verify", "--full"});
  EXPECT_EQ(r.exit_code, 0) << r;
  const std::string second = AddFile(MakeFile("later.txt", "added after the upgrade\n"));
  r = RunV({"ls"});
  EXPECT_NE(r.out.find(first_.substr(0, 16)), std::string::npos) << r;
  EXPECT_NE(r.out.find(second.substr(0, 16)), std::string::npos) << r;
  EXPECT_EQ(KeySlotsJson()["format"], "amanat-keyslots/2") << "add does not rewrite key slots";

  // Rewritten key slots keep the page size the database has.
  MakeFile("bob-pass", "bob's passphrase\n");
  r = RunV({"custodian", "add", "bob", "--role", "reviewer", "--new-passphrase-file",
            Path("bob-pass")});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(KeySlotsJson()["format"], "amanat-keyslots/3");
  EXPECT_EQ(KeySlotsJson()["db_page_size"], 4096);
  r = RunV({"--custodian", "alice", "verify", "--full"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(ReadFileBytes(vault() + "/vault.db").size() % 4096, 0u);
}

}  // namespace
}  // namespace amanat::testing
