// Vault: an open, unlocked vault directory (DESIGN.md "On disk"; docs/format/vault.md).
//
//   VAULT/vault.db            SQLCipher database under a key derived from the vault key
//   VAULT/keyslots.json       per-custodian wrapped secrets (no secret in clear)
//   VAULT/checkpoints/latest  newest signed checkpoint
//
// Init creates one; Open unlocks one with a custodian's passphrase. A Vault holds the vault
// key and the custodian's signing key in secret memory for its lifetime. Not thread-safe.
#ifndef AMANAT_VAULT_VAULT_H_
#define AMANAT_VAULT_VAULT_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/ed25519.h"
#include "crypto/kdf.h"
#include "crypto/secret.h"
#include "crypto/note.h"
#include "crypto/status.h"
#include "vault/custody_log.h"
#include "vault/db.h"
#include "vault/keyslots.h"

namespace amanat::vault {

struct VaultPaths {
  explicit VaultPaths(std::string dir);
  std::string dir, db, keyslots, checkpoints_dir, checkpoint_latest;
  // The next keyslots.json while a change to it is being committed (CommitWithKeySlots).
  std::string keyslots_pending;
};

struct HqKeys;  // vault/hq_keys.h

struct InitOptions {
  std::string dir;
  std::string custodian;
  crypto::Argon2Params kdf;
  std::string origin;  // empty: "amanat/<vault id>"
  // Field mode (docs/format/hq-keys.md): the vault's identity key is HQ's, no custodian holds
  // `unseal`, and the HQ keys are kept in meta.hq_keys and the init event. Not owned.
  const HqKeys* hq = nullptr;
  // With `hq`: item content is sealed to HQ's identity key too (meta.seal_content, and
  // seal_content: true in the init event; docs/format/hq-keys.md, "Sealed content").
  bool seal_content = false;
};

// Asked for the passphrase only after keyslots.json has been read and checked, so that a
// damaged or missing vault is reported before anyone types a secret.
using PassphraseProvider = std::function<Result<crypto::SecretBytes>(const KeySlot& slot)>;

class Vault {
 public:
  // Creates a new vault in `options.dir`, which must not exist or be an empty directory.
  // Leaves nothing behind on failure.
  static Status Init(const InitOptions& options, const crypto::SecretBytes& passphrase);

  // Unlocks the vault at `dir` as `custodian` (empty: the only custodian).
  static Result<std::unique_ptr<Vault>> Open(const std::string& dir, const std::string& custodian,
                                             const PassphraseProvider& passphrase);

  Vault(const Vault&) = delete;
  Vault& operator=(const Vault&) = delete;

  const VaultPaths& paths() const { return paths_; }
  Db& db() { return db_; }
  const KeySlots& keyslots() const { return keyslots_; }
  KeySlots& mutable_keyslots() { return keyslots_; }
  const KeySlot& actor() const { return *keyslots_.Find(actor_name_).value(); }
  const crypto::Ed25519KeyPair& actor_key() const { return unlocked_.sign_key; }
  const crypto::SecretBytes& vault_key() const { return unlocked_.vault_key; }
  // The acting custodian's unlocked secrets (vault key, signing key, slot box key).
  const UnlockedSlot& unlocked() const { return unlocked_; }
  const std::string& vault_id() const { return keyslots_.vault_id; }
  const std::string& origin() const { return keyslots_.origin; }
  CustodyLog& log() { return log_; }

  // Appends a custody event by the acting custodian, signed with their key, to the open
  // transaction. Returns its sequence number.
  Result<uint64_t> Record(const std::string& action, const std::vector<std::string>& subjects,
                          const std::string& purpose, const nlohmann::json& details,
                          const std::vector<std::string>& parents = {});
  // As Record, with an explicit list of signing keys (key rotation signs with old and new).
  Result<uint64_t> RecordSignedBy(const std::string& action, const nlohmann::json& details,
                                  const std::vector<const crypto::Ed25519KeyPair*>& signers);

  // Commits `tx` together with a new signed checkpoint of the log, after checking that the
  // log still extends checkpoints/latest (kVerifyFailed if not: rollback or rewrite); then
  // rewrites checkpoints/latest atomically. If only that last step fails, the change is
  // stored (tx.committed() is true) and the error says so.
  Status Commit(Transaction& tx);

  // After a key rotation: sign later events with the new key.
  void ReplaceActorKey(crypto::Ed25519KeyPair key) { unlocked_.sign_key = std::move(key); }

  // As Commit, for a change that also rewrites keyslots.json, so that the two files never
  // disagree, even after a crash: the new key slots are written whole to keyslots.json.pending
  // and their SHA-256 stored in meta.keyslots_sha256 by `tx`; after the commit the pending file
  // replaces keyslots.json. Open settles a pending file a crash left behind: it replaces
  // keyslots.json if vault.db committed its hash, and is removed otherwise.
  Status CommitWithKeySlots(Transaction& tx, const KeySlots& fresh);

  // The log's note signer (key derived from the vault key) and verifier.
  crypto::NoteSigner LogSigner() const;
  crypto::NoteVerifier LogVerifier() const;

 private:
  Vault(VaultPaths paths, KeySlots keyslots, std::string actor, UnlockedSlot unlocked, Db db)
      : paths_(std::move(paths)),
        keyslots_(std::move(keyslots)),
        actor_name_(std::move(actor)),
        unlocked_(std::move(unlocked)),
        db_(std::move(db)),
        log_(db_) {}

  VaultPaths paths_;
  KeySlots keyslots_;
  std::string actor_name_;
  UnlockedSlot unlocked_;
  Db db_;
  CustodyLog log_;
};

// Fills the fields of an event that do not depend on the log's state.
Event NewEvent(const std::string& origin, const std::string& actor,
               const crypto::Ed25519PublicKey& actor_key, const std::string& action);

// Checks that the log in `db` extends the checkpoint in `path` (if that file exists).
// kVerifyFailed naming the rollback or fork otherwise.
Status CheckExtendsLatest(CustodyLog& log, const std::string& path,
                          const crypto::NoteVerifier& verifier);

// The SQLCipher key of a vault key (crypto_kdf subkey 1, context "amanatdb").
crypto::SecretBytes DatabaseKey(const crypto::SecretBytes& vault_key);
// The log's Ed25519 key pair (crypto_kdf subkey 2, context "amanatlg", as seed).
crypto::Ed25519KeyPair LogKey(const crypto::SecretBytes& vault_key);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_VAULT_H_
