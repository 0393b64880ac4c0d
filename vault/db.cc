#include "vault/db.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "crypto/encoding.h"

namespace amanat::vault {
namespace {

constexpr char kPlainHeader[] = "SQLite format 3";  // 15 chars + NUL = 16 bytes

// Reads the first 16 bytes of an existing file. Empty result if shorter.
Result<std::string> ReadHeader(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound(path + ": no such file");
    return IoError(path + ": " + std::strerror(errno));
  }
  char buf[16];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  if (n < 0) return IoError(path + ": " + std::strerror(errno));
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace

// ---- Stmt ----

Stmt::~Stmt() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}
Stmt::Stmt(Stmt&& o) noexcept
    : db_(std::exchange(o.db_, nullptr)), stmt_(std::exchange(o.stmt_, nullptr)) {}
Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    db_ = std::exchange(o.db_, nullptr);
    stmt_ = std::exchange(o.stmt_, nullptr);
  }
  return *this;
}

Stmt& Stmt::Bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Stmt& Stmt::Bind(int i, std::string_view text) {
  sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::BindBlob(int i, ByteView blob) {
  // A zero-length blob must still be a blob, not NULL.
  static const uint8_t kEmpty = 0;
  sqlite3_bind_blob(stmt_, i, blob.empty() ? &kEmpty : blob.data(), static_cast<int>(blob.size()),
                    SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::BindBlobNoCopy(int i, ByteView blob) {
  static const uint8_t kEmpty = 0;
  sqlite3_bind_blob(stmt_, i, blob.empty() ? &kEmpty : blob.data(), static_cast<int>(blob.size()),
                    SQLITE_STATIC);
  return *this;
}

Stmt& Stmt::BindNull(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

Result<bool> Stmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string msg = sqlite3_errmsg(db_);
  int ext = sqlite3_extended_errcode(db_);
  sqlite3_reset(stmt_);
  switch (ext & 0xff) {
    case SQLITE_FULL:
      return IoError("disk full");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return IoError("vault is locked by another process");
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return IoError("storage error: " + msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return VerifyFailed("vault.db is damaged: " + msg);
    case SQLITE_CONSTRAINT:
      return VerifyFailed("refused by the database: " + msg);
    default:
      return IoError("database error: " + msg);
  }
}

Status Stmt::Run() {
  auto r = Step();
  if (!r.ok()) return r.status();
  sqlite3_reset(stmt_);
  return OkStatus();
}

void Stmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Stmt::ColumnInt(int i) const { return sqlite3_column_int64(stmt_, i); }
std::string Stmt::ColumnText(int i) const {
  const unsigned char* p = sqlite3_column_text(stmt_, i);
  int n = sqlite3_column_bytes(stmt_, i);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), n);
}
ByteView Stmt::ColumnBlob(int i) const {
  const void* p = sqlite3_column_blob(stmt_, i);
  int n = sqlite3_column_bytes(stmt_, i);
  if (p == nullptr) return {};
  return ByteView(static_cast<const uint8_t*>(p), static_cast<size_t>(n));
}
bool Stmt::ColumnIsNull(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }

// ---- Db ----

Db::~Db() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}
Db::Db(Db&& o) noexcept : db_(std::exchange(o.db_, nullptr)) {}
Db& Db::operator=(Db&& o) noexcept {
  if (this != &o) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = std::exchange(o.db_, nullptr);
  }
  return *this;
}

Status Db::ErrorStatus(int rc, std::string_view what) const {
  std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  std::string w(what);
  switch (rc & 0xff) {
    case SQLITE_FULL:
      return IoError(w + ": disk full");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return IoError(w + ": vault is locked by another process");
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return VerifyFailed(w + ": vault.db is damaged or not an Amanat vault (" + msg + ")");
    case SQLITE_CONSTRAINT:
      return VerifyFailed(w + ": refused by the database (" + msg + ")");
    default:
      return IoError(w + ": " + msg);
  }
}

Status Db::Exec(std::string_view sql) {
  std::string s(sql);
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return ErrorStatus(rc, "database");
  return OkStatus();
}

Status Db::SetCacheKiB(int kib) { return Exec("PRAGMA cache_size = -" + std::to_string(kib)); }

Result<Stmt> Db::Prepare(std::string_view sql) {
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &st, nullptr);
  if (rc != SQLITE_OK) return ErrorStatus(rc, "database");
  return Stmt(db_, st);
}

int64_t Db::LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }

std::string Db::CipherVersion() {
  auto st = Prepare("PRAGMA cipher_version");
  if (!st.ok()) return {};
  auto row = st->Step();
  if (!row.ok() || !*row) return {};
  return st->ColumnText(0);
}

bool ValidCipherPageSize(uint64_t size) {
  return size >= 512 && size <= 65536 && (size & (size - 1)) == 0;
}

Result<Db> Db::Open(const std::string& path, const crypto::SecretBytes& raw_key, Mode mode,
                    int page_size) {
  if (!ValidCipherPageSize(static_cast<uint64_t>(page_size))) {
    return InvalidInput("database page size " + std::to_string(page_size) + " is not one SQLCipher uses");
  }
  if (raw_key.size() != 32) return InvalidInput("refusing to open vault.db without a 256-bit key");

  struct stat sb{};
  const bool exists = ::stat(path.c_str(), &sb) == 0;
  if (mode == Mode::kCreateNew && exists) return InvalidInput(path + " already exists");
  if (mode == Mode::kOpenExisting) {
    if (!exists) return NotFound(path + ": no such file");
    ASSIGN_OR_RETURN(std::string header, ReadHeader(path));
    if (header.size() < 16) return VerifyFailed(path + " is truncated or not an Amanat vault");
    if (std::memcmp(header.data(), kPlainHeader, sizeof kPlainHeader) == 0) {
      return VerifyFailed(path + " is an unencrypted SQLite database, not an Amanat vault");
    }
  }

  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX |
              (mode == Mode::kCreateNew ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) return db.ErrorStatus(rc, path);

  // Fail closed: a plain SQLite library would accept the key pragma as a no-op and write
  // everything in clear.
  if (db.CipherVersion().empty()) {
    return IoError("the SQLite library has no SQLCipher support; refusing to continue");
  }

  // Raw key: x'<64 hex>' skips SQLCipher's PBKDF2. The hex form lives only in secret memory.
  {
    crypto::SecretBytes key_text(3 + 64 + 1);
    char* k = reinterpret_cast<char*>(key_text.data());
    k[0] = 'x';
    k[1] = '\'';
    static const char kHex[] = "0123456789abcdef";
    for (size_t i = 0; i < 32; ++i) {
      k[2 + 2 * i] = kHex[raw_key.data()[i] >> 4];
      k[3 + 2 * i] = kHex[raw_key.data()[i] & 0xf];
    }
    k[66] = '\'';
    rc = sqlite3_key(db.db_, k, 67);
    if (rc != SQLITE_OK) return db.ErrorStatus(rc, "setting the vault key");
  }

  // Settings that must precede the first read (docs/format/vault.md).
  RETURN_IF_ERROR(db.Exec("PRAGMA cipher_page_size = " + std::to_string(page_size)));

  // Another command may be committing: wait for it, from the first read on.
  sqlite3_busy_timeout(db.db_, 5000);
  // The first real read: fails with SQLITE_NOTADB when the key or the file is wrong.
  rc = sqlite3_exec(db.db_, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    if ((rc & 0xff) == SQLITE_NOTADB) {
      return VerifyFailed(path + " does not open with this vault's key (damaged, or not this vault's database)");
    }
    return db.ErrorStatus(rc, path);
  }

  RETURN_IF_ERROR(db.Exec(
      "PRAGMA temp_store = MEMORY;"
      "PRAGMA secure_delete = ON;"
      "PRAGMA foreign_keys = ON;"
      "PRAGMA recursive_triggers = ON;"
      "PRAGMA journal_mode = DELETE;"
      "PRAGMA synchronous = FULL;"));
  RETURN_IF_ERROR(db.SetCacheKiB(kCacheKiB));
  if (mode == Mode::kCreateNew) ::chmod(path.c_str(), 0600);
  return db;
}

// ---- Transaction ----

Result<Transaction> Transaction::Begin(Db& db) {
  RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  return Transaction(&db);
}

Transaction::Transaction(Transaction&& o) noexcept
    : db_(std::exchange(o.db_, nullptr)), committed_(o.committed_) {}

Transaction::~Transaction() {
  if (db_ != nullptr) (void)db_->Exec("ROLLBACK");
}

Status Transaction::Commit() {
  if (db_ == nullptr) return IoError("transaction already finished");
  if (sqlite3_get_autocommit(db_->handle()) != 0) {
    // SQLite rolled the transaction back itself after an error (disk full, I/O error).
    db_ = nullptr;
    return IoError("database: the transaction was rolled back after an earlier error");
  }
  Status s = db_->Exec("COMMIT");
  if (s.ok()) {
    db_ = nullptr;  // on failure the destructor rolls back
    committed_ = true;
  }
  return s;
}

// ---- ReadSnapshot ----

Status ReadSnapshot::Start(Db& db) {
  RETURN_IF_ERROR(db.Exec("BEGIN DEFERRED"));
  // A deferred transaction takes its snapshot at its first read: take it now.
  Status s = db.Exec("SELECT count(*) FROM sqlite_master");
  if (!s.ok() && sqlite3_get_autocommit(db.handle()) == 0) (void)db.Exec("COMMIT");
  return s;
}

Result<ReadSnapshot> ReadSnapshot::Begin(Db& db) {
  RETURN_IF_ERROR(Start(db));
  return ReadSnapshot(&db);
}

Status ReadSnapshot::Renew() {
  Db* db = db_;
  RETURN_IF_ERROR(End());
  if (db == nullptr) return IoError("read snapshot already finished");
  RETURN_IF_ERROR(Start(*db));
  db_ = db;
  return OkStatus();
}

ReadSnapshot::ReadSnapshot(ReadSnapshot&& o) noexcept : db_(std::exchange(o.db_, nullptr)) {}

ReadSnapshot::~ReadSnapshot() { (void)End(); }

Status ReadSnapshot::End() {
  Db* db = std::exchange(db_, nullptr);
  if (db == nullptr || sqlite3_get_autocommit(db->handle()) != 0) return OkStatus();
  // Nothing was written, so COMMIT only releases the lock (and, unlike ROLLBACK, leaves any
  // statement still open able to finish).
  return db->Exec("COMMIT");
}

// ---- Savepoint ----

Result<Savepoint> Savepoint::Begin(Db& db) {
  RETURN_IF_ERROR(db.Exec("SAVEPOINT amanat_sp"));
  return Savepoint(&db);
}

Savepoint::Savepoint(Savepoint&& o) noexcept : db_(std::exchange(o.db_, nullptr)) {}

Savepoint::~Savepoint() {
  if (db_ != nullptr) (void)db_->Exec("ROLLBACK TO amanat_sp; RELEASE amanat_sp");
}

Status Savepoint::Release() {
  if (db_ == nullptr) return IoError("savepoint already finished");
  RETURN_IF_ERROR(db_->Exec("RELEASE amanat_sp"));
  db_ = nullptr;
  return OkStatus();
}

// ---- library versions ----

std::string SqliteLibraryVersion() { return sqlite3_libversion(); }

Result<std::string> SqlcipherLibraryVersion() {
  sqlite3* db = nullptr;
  std::string version;
  if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA cipher_version", -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != nullptr) {
      version = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
  }
  sqlite3_close_v2(db);
  if (version.empty()) return IoError("no SQLCipher support in the SQLite library");
  return version;
}

}  // namespace amanat::vault
