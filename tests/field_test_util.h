// Helpers for the field-mode tests: open a vault in this process with a passphrase file, and
// read every value of every table of its database directly, with the key the passphrase
// unlocks (what someone holding the passphrase can read without going through amanat).
#ifndef AMANAT_TESTS_FIELD_TEST_UTIL_H_
#define AMANAT_TESTS_FIELD_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "crypto/secret.h"
#include "tests/cli_runner.h"
#include "vault/db.h"
#include "vault/keyslots.h"
#include "vault/vault.h"

namespace amanat::testing {

// The vault at `dir`, unlocked as `who` with the first line of the file `pass`; null (and a
// test failure) if it does not open.
inline std::unique_ptr<vault::Vault> OpenVaultAs(const std::string& dir, const std::string& who,
                                                 const std::string& pass) {
  std::string passphrase = ReadFileBytes(pass);
  if (!passphrase.empty() && passphrase.back() == '\n') passphrase.pop_back();
  auto v = vault::Vault::Open(dir, who, [&](const vault::KeySlot&) {
    return Result<crypto::SecretBytes>(crypto::SecretBytes::Copy(AsBytes(passphrase)));
  });
  EXPECT_TRUE(v.ok()) << v.status().message();
  return v.ok() ? std::move(*v) : nullptr;
}

// Every non-null value of every column of every table, each followed by '\n'.
inline std::string DumpVaultDatabase(const std::string& dir, const std::string& who,
                                     const std::string& pass) {
  auto v = OpenVaultAs(dir, who, pass);
  if (v == nullptr) return "";
  crypto::SecretBytes key = vault::DatabaseKey(v->vault_key());
  v.reset();
  auto ks = vault::KeySlots::Load(dir + "/keyslots.json");
  EXPECT_TRUE(ks.ok()) << ks.status().message();
  if (!ks.ok()) return "";
  auto db = vault::Db::Open(dir + "/vault.db", key, vault::Db::Mode::kOpenExisting, ks->db_page_size);
  EXPECT_TRUE(db.ok()) << db.status().message();
  if (!db.ok()) return "";
  std::string dump;
  std::vector<std::string> tables;
  {
    auto st = db->Prepare("SELECT name FROM sqlite_master WHERE type = 'table'");
    EXPECT_TRUE(st.ok());
    while (st->Step().value()) tables.push_back(st->ColumnText(0));
  }
  EXPECT_GT(tables.size(), 5u);
  for (const auto& t : tables) {
    std::vector<std::string> cols;
    auto info = db->Prepare("PRAGMA table_info(\"" + t + "\")");
    EXPECT_TRUE(info.ok());
    while (info->Step().value()) cols.push_back(info->ColumnText(1));
    for (const auto& c : cols) {
      auto st = db->Prepare("SELECT CAST(\"" + c + "\" AS BLOB) FROM \"" + t + "\"");
      EXPECT_TRUE(st.ok()) << t << "." << c;
      while (st->Step().value()) {
        if (st->ColumnIsNull(0)) continue;
        ByteView b = st->ColumnBlob(0);
        dump.append(AsChars(b));
        dump += '\n';
      }
    }
  }
  return dump;
}

}  // namespace amanat::testing

#endif  // AMANAT_TESTS_FIELD_TEST_UTIL_H_
