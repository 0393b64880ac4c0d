#include "vault/vault.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "amanat_version.h"
#include "crypto/checkpoint.h"
#include "crypto/encoding.h"
#include "crypto/note.h"
#include "crypto/sha256.h"
#include "vault/fs.h"
#include "vault/hq_keys.h"
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
  if (std::memcmp(salt, "SQLite format 3", 16) == 0) {
    return VerifyFailed(path + " is an unencrypted SQLite database, not an Amanat vault");
  }
  return crypto::HexEncode(ByteView(salt, sizeof salt));
}

// meta key: SHA-256 (hex) of the keyslots.json the last committed change of the key slots
// wrote (Vault::CommitWithKeySlots).
constexpr char kKeySlotsHashMeta[] = "keyslots_sha256";

// A keyslots.json.pending left by a change that was interrupted, and its SHA-256.
struct PendingSlots {
  KeySlots slots;
  std::string sha256;
};

Result<std::optional<PendingSlots>> LoadPendingSlots(const VaultPaths& paths,
                                                     const KeySlots& current) {
  if (!PathExists(paths.keyslots_pending)) return std::optional<PendingSlots>();
  ASSIGN_OR_RETURN(std::string text, ReadSmallFile(paths.keyslots_pending, kMaxKeySlotsBytes));
  auto parsed = KeySlots::Parse(text);
  if (!parsed.ok() || parsed->vault_id != current.vault_id || parsed->db_salt != current.db_salt) {
    return InvalidInput("keyslots.json.pending is damaged or from another vault (it is left by "
                        "a change to the custodians that was interrupted)")
        .WithHint("restore the vault directory from your backup");
  }
  std::string sha256 = crypto::Sha256Hex(AsBytes(text));
  return std::optional<PendingSlots>(PendingSlots{std::move(*parsed), std::move(sha256)});
}

// The last step of a committed change to the key slots: keyslots.json.pending replaces
// keyslots.json, durably.
Status InstallPendingSlots(const VaultPaths& paths) {
  if (::rename(paths.keyslots_pending.c_str(), paths.keyslots.c_str()) != 0) {
    return ErrnoStatus(errno, paths.keyslots);
  }
  return FsyncDirectory(paths.dir);
}

// Finishes or undoes the interrupted change: keyslots.json.pending replaces keyslots.json if
// vault.db committed it, and is removed if not. Returns whether it was committed.
Result<bool> SettlePendingSlots(Db& db, const VaultPaths& paths, const PendingSlots& pending) {
  ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT value FROM meta WHERE key = ?"));
  st.Bind(1, kKeySlotsHashMeta);
  ASSIGN_OR_RETURN(bool row, st.Step());
  const bool committed = row && st.ColumnText(0) == pending.sha256;
  if (committed) {
    RETURN_IF_ERROR(InstallPendingSlots(paths));
    return true;
  }
  if (::unlink(paths.keyslots_pending.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus(errno, paths.keyslots_pending);
  }
  RETURN_IF_ERROR(FsyncDirectory(paths.dir));
  return false;
}

// Present while `init` runs: a directory holding it and no keyslots.json holds an init that
// was interrupted. Its vault.db can never be opened (the vault key was only ever in memory
// and in a keyslots.json not yet written), so the next init clears it away.
constexpr char kInitMarker[] = "init-incomplete";

bool IsTempOf(const std::string& entry, const std::string& name) {
  return entry.size() > name.size() + 5 && entry.compare(0, name.size() + 1, name + ".") == 0 &&
         entry.compare(entry.size() - 4, 4, ".tmp") == 0;
}

// Removes what an interrupted or failed init can leave: vault.db and its journal,
// checkpoints/ with latest, the temporary files of atomic writes, and the marker itself
// (last). Not keyslots.json: with it, the vault is complete. Anything else stays, and the
// directory is then not empty.
Status RemoveInterruptedInit(const VaultPaths& paths) {
  auto remove_in = [](const std::string& dir, const std::vector<std::string>& names,
                      const std::vector<std::string>& temps_of) -> Status {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return errno == ENOENT ? OkStatus() : ErrnoStatus(errno, dir);
    std::vector<std::string> doomed;
    while (struct dirent* e = ::readdir(d)) {
      const std::string entry = e->d_name;
      bool match = std::find(names.begin(), names.end(), entry) != names.end();
      for (const auto& t : temps_of) match = match || IsTempOf(entry, t);
      if (match) doomed.push_back(JoinPath(dir, entry));
    }
    ::closedir(d);
    for (const auto& p : doomed) {
      if (::unlink(p.c_str()) != 0 && errno != ENOENT) return ErrnoStatus(errno, p);
    }
    return OkStatus();
  };
  RETURN_IF_ERROR(remove_in(paths.checkpoints_dir, {"latest"}, {"latest"}));
  if (::rmdir(paths.checkpoints_dir.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus(errno, paths.checkpoints_dir);
  }
  RETURN_IF_ERROR(remove_in(paths.dir, {"vault.db", "vault.db-journal"}, {"keyslots.json"}));
  const std::string marker = JoinPath(paths.dir, kInitMarker);
  if (::unlink(marker.c_str()) != 0 && errno != ENOENT) return ErrnoStatus(errno, marker);
  return FsyncDirectory(paths.dir);
}

Status InitInto(const VaultPaths& paths, const InitOptions& options,
                const crypto::SecretBytes& passphrase) {
  crypto::SecretBytes vault_key = crypto::SecretBytes::Random(32);
  auto id_bytes = crypto::RandomArray<8>();
  KeySlots ks;
  ks.vault_id = crypto::HexEncode(id_bytes);
  ks.origin = options.origin.empty() ? "amanat/" + ks.vault_id : options.origin;
  ks.log_verifier_key = crypto::FormatVerifierKey(ks.origin, LogKey(vault_key).public_key());

  auto sign_key = crypto::Ed25519KeyPair::Generate();
  // The identity key seals witness records; its secret half is only ever held sealed to the
  // slot box keys of custodians granted `unseal`, starting with the first custodian.
  // A field vault holds only HQ's public identity key: nothing it seals can be opened here.
  auto box_key = crypto::BoxKeyPair::Generate();
  std::optional<crypto::BoxKeyPair> identity;
  crypto::BoxPublicKey identity_pk{};
  if (options.hq) {
    identity_pk = options.hq->identity_key;
  } else {
    identity = crypto::BoxKeyPair::Generate();
    identity_pk = identity->public_key();
  }
  ks.identity_key = identity_pk;
  const char* grants = options.hq ? "" : "unseal";
  ks.db_page_size = kCipherPageSize;
  ASSIGN_OR_RETURN(Db db, Db::Open(paths.db, DatabaseKey(vault_key), Db::Mode::kCreateNew,
                                   ks.db_page_size));
  std::string checkpoint;
  {
    ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
    RETURN_IF_ERROR(CreateSchema(db));
    ASSIGN_OR_RETURN(Stmt put, db.Prepare("INSERT INTO meta(key, value) VALUES(?, ?)"));
    std::vector<std::pair<const char*, std::string>> rows = {
        {"format", "amanat-vault/1"},
        {"vault_id", ks.vault_id},
        {"origin", ks.origin},
        {"log_key", ks.log_verifier_key},
        {"created_at", NowUtc()},
        {"identity_key", crypto::Base64Encode(identity_pk)},
    };
    if (options.hq) rows.emplace_back("hq_keys", options.hq->ToJson().dump());
    if (options.hq && options.seal_content) rows.emplace_back(kSealContentMeta, "true");
    for (const auto& [k, v] : rows) {
      RETURN_IF_ERROR(put.Bind(1, k).Bind(2, v).Run());
      put.Reset();
    }
    // The first custody event names the vault, its log key and its first custodian: the
    // root of the key history every later signature is checked against.
    ASSIGN_OR_RETURN(Stmt cust, db.Prepare("INSERT INTO custodians(name, role, public_key, key_id, "
                                           "active, grants, box_public_key) "
                                           "VALUES(?, 'admin', ?, ?, 1, ?, ?)"));
    RETURN_IF_ERROR(cust.Bind(1, options.custodian)
                        .BindBlob(2, sign_key.public_key())
                        .Bind(3, KeyId(sign_key.public_key()))
                        .Bind(4, grants)
                        .BindBlob(5, box_key.public_key())
                        .Run());
    Event ev = NewEvent(ks.origin, options.custodian, sign_key.public_key(), "init");
    ev.details = {{"vault_id", ks.vault_id},
                  {"log_key", ks.log_verifier_key},
                  {"custodian",
                   {{"name", options.custodian},
                    {"role", "admin"},
                    {"public_key", crypto::Base64Encode(sign_key.public_key())},
                    {"key_id", KeyId(sign_key.public_key())}}},
                  {"box_public_key", crypto::Base64Encode(box_key.public_key())},
                  {"identity_key", crypto::Base64Encode(identity_pk)},
                  {"grants", options.hq ? nlohmann::json::array()
                                        : nlohmann::json::array({"unseal"})}};
    if (options.hq) ev.details["hq"] = options.hq->ToJson();
    if (options.hq && options.seal_content) ev.details["seal_content"] = true;
    CustodyLog log(db);
    RETURN_IF_ERROR(log.Append(ev, {&sign_key}).status());
    RETURN_IF_ERROR(log.CheckPendingSignatures());
    crypto::NoteSigner log_signer(ks.origin, LogKey(vault_key));
    ASSIGN_OR_RETURN(checkpoint, log.MakeCheckpoint(log_signer));
    RETURN_IF_ERROR(tx.Commit());
  }
  ASSIGN_OR_RETURN(ks.db_salt, ReadDbSalt(paths.db));

  ASSIGN_OR_RETURN(KeySlot slot, MakeKeySlot(ks.vault_id, options.custodian, "admin", passphrase,
                                             options.kdf, vault_key, sign_key, &box_key));
  if (identity) {
    ASSIGN_OR_RETURN(slot.identity_grant, SealIdentityGrant(slot, *identity));
  }
  ks.slots.push_back(std::move(slot));
  RETURN_IF_ERROR(MakeDirectory(paths.checkpoints_dir, 0700, false));
  RETURN_IF_ERROR(WriteFileAtomic(paths.checkpoint_latest, checkpoint, 0600));
  return ks.Save(paths.keyslots);
}

}  // namespace

VaultPaths::VaultPaths(std::string d)
    : dir(std::move(d)),
      db(JoinPath(dir, "vault.db")),
      keyslots(JoinPath(dir, "keyslots.json")),
      checkpoints_dir(JoinPath(dir, "checkpoints")),
      checkpoint_latest(JoinPath(checkpoints_dir, "latest")),
      keyslots_pending(keyslots + ".pending") {}

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
  const std::string marker = JoinPath(paths.dir, kInitMarker);
  bool created_dir = false;
  if (PathExists(paths.dir)) {
    if (PathExists(marker) && !PathExists(paths.keyslots)) {
      RETURN_IF_ERROR(RemoveInterruptedInit(paths));
    }
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
  // The marker is an empty file, so that no crash can leave a part of it.
  Status s = OkStatus();
  if (int fd = ::open(marker.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600); fd >= 0) {
    ::close(fd);
    s = FsyncDirectory(paths.dir);
  } else {
    s = ErrnoStatus(errno, marker);
  }
  if (s.ok()) s = InitInto(paths, options, passphrase);
  // Complete: keyslots.json is in place. A crash before the marker is gone leaves a vault that
  // opens, and that init refuses to touch.
  if (s.ok() && ::unlink(marker.c_str()) != 0) s = ErrnoStatus(errno, marker);
  if (s.ok()) s = FsyncDirectory(paths.dir);
  if (!s.ok()) {
    // Leave nothing behind: a half-made vault must not be mistaken for a vault.
    ::unlink(paths.keyslots.c_str());
    (void)RemoveInterruptedInit(paths);
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
  struct stat sb{};
  if (::stat(paths.dir.c_str(), &sb) != 0 || !S_ISDIR(sb.st_mode)) {
    return InvalidInput(dir + " is not a vault directory");
  }
  ASSIGN_OR_RETURN(KeySlots ks, KeySlots::Load(paths.keyslots));
  // A change to the key slots that a crash interrupted is settled once vault.db is open and
  // can say whether it was committed. Until then the custodian's slot may be in either file.
  ASSIGN_OR_RETURN(std::optional<PendingSlots> pending, LoadPendingSlots(paths, ks));
  if (!PathExists(paths.db)) return NotFound(paths.db + ": vault database is missing");
  ASSIGN_OR_RETURN(std::string salt, ReadDbSalt(paths.db));
  if (salt != ks.db_salt) {
    return VerifyFailed("keyslots.json and vault.db are not from the same vault (or vault.db's "
                        "header is damaged)");
  }
  auto found = ks.Find(custodian);
  bool from_pending = false;
  if (!found.ok() && pending && pending->slots.Find(custodian).ok()) {
    found = pending->slots.Find(custodian);
    from_pending = true;
  }
  if (!found.ok()) return found.status();
  const KeySlot* slot = *found;
  const std::string name = slot->custodian;
  ASSIGN_OR_RETURN(crypto::SecretBytes pass, passphrase(*slot));
  auto unlocked = UnlockKeySlot(ks.vault_id, *slot, pass);
  if (!unlocked.ok() && pending && !from_pending) {
    // The passphrase may be the one an interrupted `passwd` was setting.
    if (auto other = pending->slots.Find(name); other.ok()) {
      if (auto u = UnlockKeySlot(ks.vault_id, **other, pass); u.ok()) {
        unlocked = std::move(u);
        from_pending = true;
      }
    }
  }
  if (!unlocked.ok()) return unlocked.status();
  ASSIGN_OR_RETURN(Db db, Db::Open(paths.db, DatabaseKey(unlocked->vault_key),
                                   Db::Mode::kOpenExisting, ks.db_page_size));
  RETURN_IF_ERROR(CheckSchema(db));
  // The database names its vault: a keyslots.json from elsewhere that happens to unlock
  // (copied salt) is still caught here.
  ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT value FROM meta WHERE key = 'vault_id'"));
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row || st.ColumnText(0) != ks.vault_id) {
    return VerifyFailed("keyslots.json belongs to another vault than vault.db");
  }
  if (pending) {
    ASSIGN_OR_RETURN(bool committed, SettlePendingSlots(db, paths, *pending));
    if (committed) ks = std::move(pending->slots);
    if (committed != from_pending) {
      // The passphrase opened the slot of the version that did not prevail: it must open the
      // custodian's slot in the one that did (a revoked custodian's has gone).
      ASSIGN_OR_RETURN(const KeySlot* now, ks.Find(name));
      ASSIGN_OR_RETURN(unlocked, UnlockKeySlot(ks.vault_id, *now, pass));
    }
  }
  // An init that crashed after writing keyslots.json left its marker: the vault is complete,
  // and the marker must not make a later init take it for an interrupted one.
  ::unlink(JoinPath(paths.dir, kInitMarker).c_str());
  ASSIGN_OR_RETURN(Stmt who, db.Prepare("SELECT active FROM custodians WHERE name = ?"));
  who.Bind(1, name);
  ASSIGN_OR_RETURN(bool known, who.Step());
  if (!known || who.ColumnInt(0) == 0) {
    return AuthFailed("custodian " + name + " has been revoked in this vault");
  }
  return std::unique_ptr<Vault>(
      new Vault(std::move(paths), std::move(ks), name, std::move(*unlocked), std::move(db)));
}

Event NewEvent(const std::string& origin, const std::string& actor,
               const crypto::Ed25519PublicKey& actor_key, const std::string& action) {
  Event ev;
  ev.time = NowUtc();
  ev.vault = origin;
  ev.actor = actor;
  ev.actor_key_id = KeyId(actor_key);
  ev.action = action;
  ev.tool_name = "amanat";
  ev.tool_version = AMANAT_VERSION;
  return ev;
}

Result<uint64_t> Vault::Record(const std::string& action, const std::vector<std::string>& subjects,
                               const std::string& purpose, const nlohmann::json& details,
                               const std::vector<std::string>& parents) {
  Event ev = NewEvent(origin(), actor_name_, actor_key().public_key(), action);
  ev.subjects = subjects;
  ev.purpose = purpose;
  ev.details = details;
  ev.parents = parents;
  return log_.Append(std::move(ev), {&actor_key()});
}

Result<uint64_t> Vault::RecordSignedBy(const std::string& action, const nlohmann::json& details,
                                       const std::vector<const crypto::Ed25519KeyPair*>& signers) {
  Event ev = NewEvent(origin(), actor_name_, signers.front()->public_key(), action);
  ev.details = details;
  return log_.Append(std::move(ev), signers);
}

Status Vault::CommitWithKeySlots(Transaction& tx, const KeySlots& fresh) {
  // Everything that can refuse the commit is checked before keyslots.json.pending is written.
  RETURN_IF_ERROR(CheckExtendsLatest(log_, paths_.checkpoint_latest, LogVerifier()));
  const std::string text = fresh.Serialize();
  ASSIGN_OR_RETURN(Stmt put, db_.Prepare("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)"));
  RETURN_IF_ERROR(put.Bind(1, kKeySlotsHashMeta).Bind(2, crypto::Sha256Hex(AsBytes(text))).Run());
  const std::string& pending = paths_.keyslots_pending;
  if (Status w = WriteFileAtomic(pending, text); !w.ok()) {
    ::unlink(pending.c_str());  // it may be in place (a failed directory fsync after the rename)
    return w;
  }
  Status s = Commit(tx);
  if (!tx.committed()) {
    ::unlink(pending.c_str());
    return s;
  }
  // Committed (even if checkpoints/latest could not be rewritten): vault.db now names the
  // new slots and keys, so keyslots.json must take them.
  keyslots_ = fresh;
  Status moved = InstallPendingSlots(paths_);
  if (!moved.ok() && s.ok()) {
    return Status(moved.code(), "stored, but keyslots.json was not replaced: " + moved.message(),
                  "the next command that opens the vault completes it");
  }
  return s;
}

crypto::NoteSigner Vault::LogSigner() const { return crypto::NoteSigner(origin(), LogKey(vault_key())); }

crypto::NoteVerifier Vault::LogVerifier() const { return LogSigner().verifier(); }

Status CheckExtendsLatest(CustodyLog& log, const std::string& path,
                          const crypto::NoteVerifier& verifier) {
  if (!PathExists(path)) {
    ASSIGN_OR_RETURN(auto stored, log.LatestStoredCheckpoint());
    if (stored) {
      return VerifyFailed("checkpoints/latest is missing although this vault has signed checkpoints")
          .WithHint("restore it from a backup, then run `amanat verify`");
    }
    return OkStatus();
  }
  ASSIGN_OR_RETURN(std::string note, ReadSmallFile(path, crypto::kMaxNoteSize));
  auto cp = crypto::OpenCheckpoint(note, verifier);
  if (!cp.ok()) {
    return VerifyFailed("checkpoints/latest: " + cp.status().message());
  }
  ASSIGN_OR_RETURN(uint64_t size, log.Size());
  if (size < cp->size) {
    return VerifyFailed("rollback: the custody log has " + std::to_string(size) +
                        " events but checkpoints/latest was signed at " +
                        std::to_string(cp->size))
        .WithHint("vault.db was replaced by an older copy or events were deleted");
  }
  ASSIGN_OR_RETURN(Digest root, log.Root(cp->size));
  if (root != cp->root) {
    return VerifyFailed("the custody log no longer matches checkpoints/latest at size " +
                        std::to_string(cp->size) + " (history rewritten)");
  }
  return OkStatus();
}

Status Vault::Commit(Transaction& tx) {
  RETURN_IF_ERROR(log_.CheckPendingSignatures());
  RETURN_IF_ERROR(CheckExtendsLatest(log_, paths_.checkpoint_latest, LogVerifier()));
  ASSIGN_OR_RETURN(std::string note, log_.MakeCheckpoint(LogSigner()));
  RETURN_IF_ERROR(tx.Commit());
  Status s = WriteFileAtomic(paths_.checkpoint_latest, note, 0600);
  if (!s.ok()) {
    // The change is durable; checkpoints/latest stays one checkpoint behind, which still
    // verifies, and the next command that writes brings it up to date.
    return Status(s.code(), "stored, but checkpoints/latest was not updated: " + s.message(),
                  "the next command that changes the vault updates it");
  }
  return OkStatus();
}

}  // namespace amanat::vault
