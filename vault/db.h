// RAII wrappers for an encrypted SQLCipher database: Db, Stmt and Transaction.
//
// Db::Open is the only way in, and it fails closed (docs/format/vault.md, "Opening"):
// raw 256-bit key only, never SQLCipher's passphrase KDF; refuses an empty key, a plaintext
// SQLite file, and a library without SQLCipher. Not thread-safe: one Db per thread.
#ifndef AMANAT_VAULT_DB_H_
#define AMANAT_VAULT_DB_H_

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/bytes.h"
#include "crypto/secret.h"
#include "crypto/status.h"

namespace amanat::vault {

// SQLCipher page size of new vaults, which keyslots.json records (docs/format/vault.md). 16 KiB
// instead of 3.x's 1024: SQLCipher encrypts, authenticates and writes each page on its own, so
// on media the cost per page (a random IV, the HMAC's setup, one pwrite) is what large pages
// save. Vaults whose keyslots.json names no size have 4096-byte pages.
inline constexpr int kCipherPageSize = 16384;
// SQLite's page cache per connection, in KiB. Appending to the log updates the subject index
// at one random place per event: with 2 MiB (SQLite's default) most of those pages are read
// and decrypted again at every batch. Peak memory on multi-GB media stays within its budget
// (tests/memory/flat_memory.sh); verify, which reads each page once, holds less (kScanCacheKiB).
inline constexpr int kCacheKiB = 8000;
inline constexpr int kScanCacheKiB = 2000;
// The sizes SQLCipher 3 accepts: powers of two from 512 to 65536.
bool ValidCipherPageSize(uint64_t size);

class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Stmt();
  Stmt(Stmt&& o) noexcept;
  Stmt& operator=(Stmt&& o) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Parameters are 1-based, as in SQLite. Text and blobs are copied (SQLITE_TRANSIENT).
  Stmt& Bind(int i, int64_t v);
  Stmt& Bind(int i, std::string_view text);
  Stmt& Bind(int i, const char* text) { return Bind(i, std::string_view(text)); }
  Stmt& BindBlob(int i, ByteView blob);
  // Binds without copying. REQUIRES: `blob` outlives the statement's next Step/Reset.
  Stmt& BindBlobNoCopy(int i, ByteView blob);
  Stmt& BindNull(int i);

  // true: a row is ready; false: done. Errors are mapped to Status codes (disk full → kIoError).
  Result<bool> Step();
  // Runs a statement that returns no rows.
  Status Run();
  void Reset();

  int64_t ColumnInt(int i) const;
  std::string ColumnText(int i) const;
  ByteView ColumnBlob(int i) const;  // valid until the next Step/Reset
  bool ColumnIsNull(int i) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class Db {
 public:
  enum class Mode { kOpenExisting, kCreateNew };

  // Opens (or creates) the encrypted database at `path` with a 32-byte raw key.
  // kVerifyFailed/kInvalidInput when the file is not an Amanat vault database or the key does
  // not open it; kIoError when it cannot be read or created.
  // `page_size` is the vault's (KeySlots::db_page_size).
  static Result<Db> Open(const std::string& path, const crypto::SecretBytes& raw_key, Mode mode,
                         int page_size);

  Db() = default;
  ~Db();
  Db(Db&& o) noexcept;
  Db& operator=(Db&& o) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  Status Exec(std::string_view sql);
  // PRAGMA cache_size, in KiB.
  Status SetCacheKiB(int kib);
  Result<Stmt> Prepare(std::string_view sql);
  int64_t LastInsertRowid() const;
  // The cipher and SQLite versions of the linked library, e.g. "3.4.1" and "3.15.2".
  std::string CipherVersion();
  sqlite3* handle() { return db_; }

  // Maps the connection's last error to a Status, e.g. "disk full".
  Status ErrorStatus(int rc, std::string_view what) const;

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless Commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> Begin(Db& db);
  ~Transaction();
  Transaction(Transaction&& o) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Status Commit();
  // True once Commit() has succeeded: the transaction is durable in vault.db.
  bool committed() const { return committed_; }

 private:
  explicit Transaction(Db* db) : db_(db) {}
  Db* db_ = nullptr;
  bool committed_ = false;
};

// A read transaction: every statement until End() (or the destructor) sees vault.db as one
// commit left it. A command that writes meanwhile waits for it (the busy timeout), and past
// that stops with "vault is locked by another process", having changed nothing.
class ReadSnapshot {
 public:
  static Result<ReadSnapshot> Begin(Db& db);
  ~ReadSnapshot();
  ReadSnapshot(ReadSnapshot&& o) noexcept;
  ReadSnapshot& operator=(ReadSnapshot&&) = delete;
  ReadSnapshot(const ReadSnapshot&) = delete;
  // Ends the read. Where an error has already made SQLite end it (a damaged page, say), there
  // is nothing left to end: that error was reported where it happened.
  Status End();
  // Ends this read and starts another. After SQLCipher finds a damaged page, every later
  // statement of the same read fails ("SQL logic error"): a reader that reports the damage
  // and goes on needs a new read, which may see commits made since.
  Status Renew();

 private:
  explicit ReadSnapshot(Db* db) : db_(db) {}
  static Status Start(Db& db);
  Db* db_ = nullptr;
};

// SAVEPOINT inside a transaction; rolls back to it on destruction unless Release() succeeded.
class Savepoint {
 public:
  static Result<Savepoint> Begin(Db& db);
  ~Savepoint();
  Savepoint(Savepoint&& o) noexcept;
  Savepoint& operator=(Savepoint&&) = delete;
  Savepoint(const Savepoint&) = delete;
  Status Release();

 private:
  explicit Savepoint(Db* db) : db_(db) {}
  Db* db_ = nullptr;
};

// Versions of the SQLCipher/SQLite library this binary runs with, without opening a vault.
std::string SqliteLibraryVersion();
Result<std::string> SqlcipherLibraryVersion();

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_DB_H_
