// File-system seam for everything outside the database: small files written atomically,
// directories, permissions. Every call reports errno as a Status naming the path.
#ifndef AMANAT_VAULT_FS_H_
#define AMANAT_VAULT_FS_H_

#include <sys/types.h>

#include <string>
#include <string_view>

#include "crypto/bytes.h"
#include "crypto/status.h"

namespace amanat::vault {

// Maps an errno value to a Status: ENOSPC/EDQUOT → "disk full", ENOENT → kNotFound,
// EACCES/EPERM → "permission denied", others → strerror; always kIoError except ENOENT.
Status ErrnoStatus(int err, std::string_view path);

// Writes `data` to `path` via a temporary file in the same directory, fsync, rename and a
// directory fsync, so a crash leaves either the old or the new file, never a torn one.
Status WriteFileAtomic(const std::string& path, std::string_view data, int mode = 0600);

// Reads a whole file, refusing files larger than `max_bytes` (kInvalidInput).
Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes);

bool PathExists(const std::string& path);
// True if `path` is a directory with no entries.
Result<bool> IsEmptyDirectory(const std::string& path);
// mkdir with `mode`; OK if it already exists as a directory and `allow_existing`.
Status MakeDirectory(const std::string& path, int mode, bool allow_existing);
Status FsyncDirectory(const std::string& path);

std::string JoinPath(std::string_view dir, std::string_view name);

// write(2) and fsync(2) for every file Amanat writes outside vault.db (keyslots.json,
// checkpoints/latest, output files, standard output of `get`): one countable place.
ssize_t FileWrite(int fd, const void* buf, size_t n);
int FileSync(int fd);

// Test seam: replaces what FileWrite and FileSync call (nullptr: the system call). Only the
// test-only program `amanat_faulty` (tests/faulty/) sets it, to fail the Nth write or fsync;
// nothing in the amanat binary calls it, and no environment variable reaches it.
struct FileIoHooks {
  ssize_t (*write)(int fd, const void* buf, size_t n) = nullptr;
  int (*fsync)(int fd) = nullptr;
};
void TEST_SetFileIoHooks(const FileIoHooks& hooks);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_FS_H_
