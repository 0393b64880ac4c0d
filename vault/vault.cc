#include "vault/vault.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <unistd.h>

#include "crypto/encoding.h"
#include "crypto/note.h"
#include "vault/fs.h"
#include "vault/schema.h"
#include "vault/timeutil.h"

namespace amanat::vault {
namespace {

// vault.db's first 16 bytes: SQLCipher's per-database random salt, public by design. Recorded
// in keyslots.json so that key slots from another vault are recognised before unlocking.
Result<std::string> ReadDbSalt(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, path);
  uint8_t salt[16];
  ssize_t n = ::read(fd, salt, sizeof salt);
  ::close(fd);
  if (n != static_cast<ssize_t>(sizeof salt)) {
    return VerifyFailed(path + " is truncated or not an Amanat vault");
  }
  return crypto::HexEncode(ByteView(salt, sizeof salt));
}

Status InitInto(const VaultPaths& paths, const InitOptions& options,
                const crypto::SecretBytes& passphrase) {
  crypto::SecretBytes vault_key = crypto::SecretBytes::Random(32);
  auto id_bytes = crypto::RandomArray<8>();
  KeySlots ks;
  ks.vault_id = crypto::HexEncode(id_bytes);
  ks.origin = options.origin.empty() ? "amanat/" + ks.vault_id : options.origin;
  ks.log_verifier_key = crypto::FormatVerifierKey(ks.origin, LogKey(vault_key).public_key());

  ASSIGN_OR_RETURN(Db db, Db::Open(paths.db, DatabaseKey(vault_key), Db::Mode::kCreateNew));
  {
    ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
    RETURN_IF_ERROR(CreateSchema(db));
    ASSIGN_OR_RETURN(Stmt put, db.Prepare("INSERT INTO meta(key, value) VALUES(?, ?)"));
    const std::pair<const char*, std::string> rows[] = {
        {"format", "amanat-vault/1"},
        {"vault_id", ks.vault_id},
        {"origin", ks.origin},
        {"log_key", ks.log_verifier_key},
        {"created_at", NowUtc()},
    };
    for (const auto& [k, v] : rows) {
      RETURN_IF_ERROR(put.Bind(1, k).Bind(2, v).Run());
      put.Reset();
    }
    RETURN_IF_ERROR(tx.Commit());
  }
  ASSIGN_OR_RETURN(ks.db_salt, ReadDbSalt(paths.db));

  auto sign_key = crypto::Ed25519KeyPair::Generate();
  ASSIGN_OR_RETURN(KeySlot slot, MakeKeySlot(ks.vault_id, options.custodian, "admin", passphrase,
                                             options.kdf, vault_key, sign_key));
  ks.slots.push_back(std::move(slot));
  RETURN_IF_ERROR(MakeDirectory(paths.checkpoints_dir, 0700, false));
  return ks.Save(paths.keyslots);
}

}  // namespace

VaultPaths::VaultPaths(std::string d)
    : dir(std::move(d)),
      db(JoinPath(dir, "vault.db")),
      keyslots(JoinPath(dir, "keyslots.json")),
      checkpoints_dir(JoinPath(dir, "checkpoints")),
      checkpoint_latest(JoinPath(checkpoints_dir, "latest")) {}

crypto::SecretBytes DatabaseKey(const crypto::SecretBytes& vault_key) {
  return crypto::DeriveSubkey(vault_key, 1, "amanatdb");
}

crypto::Ed25519KeyPair LogKey(const crypto::SecretBytes& vault_key) {
  crypto::SecretBytes seed = crypto::DeriveSubkey(vault_key, 2, "amanatlg");
  return std::move(crypto::Ed25519KeyPair::FromSeed(seed.view()).value());
}

Status Vault::Init(const InitOptions& options, const crypto::SecretBytes& passphrase) {
  if (options.dir.empty()) return InvalidInput("no vault directory given");
  if (passphrase.empty()) return InvalidInput("empty passphrase");
  RETURN_IF_ERROR(crypto::CheckArgon2Params(options.kdf));
  VaultPaths paths(options.dir);
  bool created_dir = false;
  if (PathExists(paths.dir)) {
    if (PathExists(paths.keyslots) || PathExists(paths.db)) {
      return InvalidInput(paths.dir + " already holds a vault; refusing to touch it");
    }
    auto empty = IsEmptyDirectory(paths.dir);
    if (!empty.ok()) return empty.status();
    if (!*empty) return InvalidInput(paths.dir + " is not empty; give a new or empty directory");
    if (::chmod(paths.dir.c_str(), 0700) != 0) return ErrnoStatus(errno, paths.dir);
  } else {
    RETURN_IF_ERROR(MakeDirectory(paths.dir, 0700, false));
    created_dir = true;
  }
  Status s = InitInto(paths, options, passphrase);
  if (!s.ok()) {
    // Leave nothing behind: a half-made vault must not be mistaken for a vault.
    for (const auto& p : {paths.keyslots, paths.db, paths.db + "-journal"}) ::unlink(p.c_str());
    ::rmdir(paths.checkpoints_dir.c_str());
    if (created_dir) ::rmdir(paths.dir.c_str());
  }
  return s;
}

Result<std::unique_ptr<Vault>> Vault::Open(const std::string& dir, const std::string& custodian,
                                           const PassphraseProvider& passphrase) {
  VaultPaths paths(dir);
  if (!PathExists(paths.dir)) {
    return NotFound("no vault at " + dir).WithHint("create one with `amanat init`, or give --vault DIR");
  }
  ASSIGN_OR_RETURN(KeySlots ks, KeySlots::Load(paths.keyslots));
  if (!PathExists(paths.db)) return NotFound(paths.db + ": vault database is missing");
  ASSIGN_OR_RETURN(std::string salt, ReadDbSalt(paths.db));
  if (salt != ks.db_salt) {
    return VerifyFailed("keyslots.json and vault.db are not from the same vault (or vault.db's "
                        "header is damaged)");
  }
  ASSIGN_OR_RETURN(const KeySlot* slot, ks.Find(custodian));
  ASSIGN_OR_RETURN(crypto::SecretBytes pass, passphrase(*slot));
  ASSIGN_OR_RETURN(UnlockedSlot unlocked, UnlockKeySlot(ks.vault_id, *slot, pass));
  ASSIGN_OR_RETURN(Db db, Db::Open(paths.db, DatabaseKey(unlocked.vault_key), Db::Mode::kOpenExisting));
  RETURN_IF_ERROR(CheckSchema(db));
  // The database names its vault: a keyslots.json from elsewhere that happens to unlock
  // (copied salt) is still caught here.
  ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT value FROM meta WHERE key = 'vault_id'"));
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row || st.ColumnText(0) != ks.vault_id) {
    return VerifyFailed("keyslots.json belongs to another vault than vault.db");
  }
  std::string actor = slot->custodian;
  return std::unique_ptr<Vault>(
      new Vault(std::move(paths), std::move(ks), std::move(actor), std::move(unlocked), std::move(db)));
}

}  // namespace amanat::vault
