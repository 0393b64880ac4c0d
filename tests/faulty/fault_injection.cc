#include "tests/faulty/fault_injection.h"

#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "vault/fs.h"

namespace amanat::testing {
namespace {

enum class Op { kWrite, kSync, kTruncate };

struct Config {
  long fail_at = 0;  // 0: never
  bool persistent = false;
  bool disk_full = false;
  bool kill = false;  // SIGKILL at the Nth operation instead of failing it
  std::string report;
};

Config g_config;
long g_count = 0;
long g_injected = 0;

// Counts one operation; true if it must fail.
bool NextFails() {
  ++g_count;
  bool fail = g_config.fail_at > 0 &&
              (g_count == g_config.fail_at || (g_config.persistent && g_count > g_config.fail_at));
  if (fail) ++g_injected;
  // A crash at this exact point: the operation never happens, and nothing after it runs.
  if (fail && g_config.kill) ::raise(SIGKILL);
  return fail;
}

int SqliteError(Op op) {
  if (g_config.disk_full) return SQLITE_FULL;
  switch (op) {
    case Op::kWrite:
      return SQLITE_IOERR_WRITE;
    case Op::kSync:
      return SQLITE_IOERR_FSYNC;
    case Op::kTruncate:
      return SQLITE_IOERR_TRUNCATE;
  }
  return SQLITE_IOERR;
}

// ---- files outside the database ----

ssize_t FaultyWrite(int fd, const void* buf, size_t n) {
  if (NextFails()) {
    errno = g_config.disk_full ? ENOSPC : EIO;
    return -1;
  }
  return ::write(fd, buf, n);
}

int FaultyFsync(int fd) {
  if (NextFails()) {
    errno = g_config.disk_full ? ENOSPC : EIO;
    return -1;
  }
  return ::fsync(fd);
}

// ---- the shim VFS ----

sqlite3_vfs* g_real = nullptr;
sqlite3_vfs g_shim;

struct ShimFile {
  sqlite3_file base;
  sqlite3_file* real;  // points just past this struct, in the same allocation
};

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f)->real; }

int ShimClose(sqlite3_file* f) { return Real(f)->pMethods->xClose(Real(f)); }
int ShimRead(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return Real(f)->pMethods->xRead(Real(f), buf, n, off);
}
int ShimWrite(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  if (NextFails()) return SqliteError(Op::kWrite);
  return Real(f)->pMethods->xWrite(Real(f), buf, n, off);
}
int ShimTruncate(sqlite3_file* f, sqlite3_int64 size) {
  if (NextFails()) return SqliteError(Op::kTruncate);
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int ShimSync(sqlite3_file* f, int flags) {
  if (NextFails()) return SqliteError(Op::kSync);
  return Real(f)->pMethods->xSync(Real(f), flags);
}
int ShimFileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int ShimLock(sqlite3_file* f, int level) { return Real(f)->pMethods->xLock(Real(f), level); }
int ShimUnlock(sqlite3_file* f, int level) { return Real(f)->pMethods->xUnlock(Real(f), level); }
int ShimCheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int ShimFileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int ShimSectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int ShimDeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}

// Version 1 methods: journal_mode = DELETE needs no shared memory, and without xFetch SQLite
// does not memory-map the database, so every write goes through xWrite.
const sqlite3_io_methods kShimMethods = {1,
                                         ShimClose,
                                         ShimRead,
                                         ShimWrite,
                                         ShimTruncate,
                                         ShimSync,
                                         ShimFileSize,
                                         ShimLock,
                                         ShimUnlock,
                                         ShimCheckReservedLock,
                                         ShimFileControl,
                                         ShimSectorSize,
                                         ShimDeviceCharacteristics,
                                         nullptr,
                                         nullptr,
                                         nullptr,
                                         nullptr,
                                         nullptr,
                                         nullptr};

int ShimOpen(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  auto* shim = reinterpret_cast<ShimFile*>(f);
  shim->base.pMethods = nullptr;
  shim->real = reinterpret_cast<sqlite3_file*>(shim + 1);
  int rc = g_real->xOpen(g_real, name, shim->real, flags, out_flags);
  if (shim->real->pMethods != nullptr) shim->base.pMethods = &kShimMethods;
  return rc;
}
int ShimDelete(sqlite3_vfs*, const char* name, int sync_dir) {
  return g_real->xDelete(g_real, name, sync_dir);
}
int ShimAccess(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_real->xAccess(g_real, name, flags, out);
}
int ShimFullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_real->xFullPathname(g_real, name, n, out);
}
void* ShimDlOpen(sqlite3_vfs*, const char* name) { return g_real->xDlOpen(g_real, name); }
void ShimDlError(sqlite3_vfs*, int n, char* msg) { g_real->xDlError(g_real, n, msg); }
void (*ShimDlSym(sqlite3_vfs*, void* h, const char* sym))(void) {
  return g_real->xDlSym(g_real, h, sym);
}
void ShimDlClose(sqlite3_vfs*, void* h) { g_real->xDlClose(g_real, h); }
int ShimRandomness(sqlite3_vfs*, int n, char* out) { return g_real->xRandomness(g_real, n, out); }
int ShimSleep(sqlite3_vfs*, int us) { return g_real->xSleep(g_real, us); }
int ShimCurrentTime(sqlite3_vfs*, double* t) { return g_real->xCurrentTime(g_real, t); }
int ShimGetLastError(sqlite3_vfs*, int n, char* msg) {
  return g_real->xGetLastError(g_real, n, msg);
}
int ShimCurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* t) {
  return g_real->xCurrentTimeInt64(g_real, t);
}

void WriteReport() {
  if (g_config.report.empty()) return;
  std::FILE* f = std::fopen(g_config.report.c_str(), "w");
  if (f == nullptr) return;
  std::fprintf(f, "%ld %ld\n", g_count, g_injected);
  std::fclose(f);
}

bool ReadConfig() {
  if (const char* at = std::getenv("AMANAT_FAULT_AT")) {
    char* end = nullptr;
    g_config.fail_at = std::strtol(at, &end, 10);
    if (*at == '\0' || *end != '\0' || g_config.fail_at < 0) {
      std::fprintf(stderr, "amanat_faulty: AMANAT_FAULT_AT must be a number\n");
      return false;
    }
  }
  std::string mode = std::getenv("AMANAT_FAULT_MODE") ? std::getenv("AMANAT_FAULT_MODE") : "once";
  std::string error = std::getenv("AMANAT_FAULT_ERROR") ? std::getenv("AMANAT_FAULT_ERROR") : "eio";
  if ((mode != "once" && mode != "persistent") ||
      (error != "eio" && error != "enospc" && error != "kill")) {
    std::fprintf(stderr, "amanat_faulty: bad AMANAT_FAULT_MODE or AMANAT_FAULT_ERROR\n");
    return false;
  }
  g_config.persistent = mode == "persistent";
  g_config.disk_full = error == "enospc";
  g_config.kill = error == "kill";
  if (const char* r = std::getenv("AMANAT_FAULT_REPORT")) g_config.report = r;
  return true;
}

}  // namespace

bool InstallFaultInjection() {
  if (!ReadConfig()) return false;
  g_real = sqlite3_vfs_find(nullptr);
  if (g_real == nullptr) {
    std::fprintf(stderr, "amanat_faulty: no default SQLite VFS\n");
    return false;
  }
  g_shim = sqlite3_vfs{};
  g_shim.iVersion = 2;
  g_shim.szOsFile = static_cast<int>(sizeof(ShimFile)) + g_real->szOsFile;
  g_shim.mxPathname = g_real->mxPathname;
  g_shim.zName = "amanat-fault";
  g_shim.xOpen = ShimOpen;
  g_shim.xDelete = ShimDelete;
  g_shim.xAccess = ShimAccess;
  g_shim.xFullPathname = ShimFullPathname;
  g_shim.xDlOpen = ShimDlOpen;
  g_shim.xDlError = ShimDlError;
  g_shim.xDlSym = ShimDlSym;
  g_shim.xDlClose = ShimDlClose;
  g_shim.xRandomness = ShimRandomness;
  g_shim.xSleep = ShimSleep;
  g_shim.xCurrentTime = ShimCurrentTime;
  g_shim.xGetLastError = ShimGetLastError;
  g_shim.xCurrentTimeInt64 = ShimCurrentTimeInt64;
  if (sqlite3_vfs_register(&g_shim, /*makeDflt=*/1) != SQLITE_OK) {
    std::fprintf(stderr, "amanat_faulty: cannot register the fault VFS\n");
    return false;
  }
  vault::FileIoHooks hooks;
  hooks.write = FaultyWrite;
  hooks.fsync = FaultyFsync;
  vault::TEST_SetFileIoHooks(hooks);
  std::atexit(WriteReport);
  return true;
}

}  // namespace amanat::testing
