// KeyHistory: who may sign what in a custody log, replayed from the log's own events in
// order, by the rules vault/verify.cc applies to a whole vault (docs/format/custody-log.md,
// "Key history"): init names the first admin; custodian-add (by an admin) adds a custodian
// and key; custodian-rotate replaces the actor's key and is signed by the old and the new
// key; custodian-revoke (by an admin) ends a custodian's right to sign; grants are changed
// by admins only. Works on a whole log or on the subset a bundle carries, provided the
// subset holds every key-history event. Not thread-safe.
#ifndef AMANAT_VAULT_KEY_HISTORY_H_
#define AMANAT_VAULT_KEY_HISTORY_H_

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crypto/ed25519.h"
#include "crypto/status.h"
#include "vault/event.h"

namespace amanat::vault {

// The Ed25519 public key in `c["public_key"]` (base64), as init, custodian-add and
// custodian-rotate details carry it; kVerifyFailed if absent or malformed.
Result<crypto::Ed25519PublicKey> PublicKeyInDetails(const nlohmann::json& c);

// The slot box public key (base64) that `ev` records, and the custodian it belongs to: init
// and custodian-add give the new custodian's; passwd and custodian-rotate give the actor's
// first one when their slot was made before box keys. std::nullopt for any other event.
std::optional<std::pair<std::string, std::string>> BoxKeyInEvent(const Event& ev);

// True for the actions that change the key history (init and custodian-*).
bool IsKeyHistoryAction(std::string_view action);

class KeyHistory {
 public:
  struct Custodian {
    std::string role;
    crypto::Ed25519PublicKey key{};
    std::string key_id;
    bool active = true;
  };
  // A key some event introduced, with the custodian it belongs to.
  struct Key {
    std::string custodian;
    crypto::Ed25519PublicKey public_key{};
  };

  // Applies the next event in log order. Returns the keys that must have signed it, in
  // signature order, or kVerifyFailed with the reason (without the "custody event N: "
  // prefix), e.g. "signed by revoked custodian bob (key 1a2b3c4d)". The first event applied
  // must be init.
  Result<std::vector<crypto::Ed25519PublicKey>> Apply(const Event& ev);

  const std::map<std::string, Custodian>& custodians() const { return custodians_; }
  // Every key ever introduced, by custody key ID.
  const std::map<std::string, Key>& keys() const { return keys_; }
  // The log verifier key text named by init.
  const std::string& log_key() const { return log_key_; }

 private:
  Status ApplyCustodianChange(const Event& ev, const Custodian& actor);
  void Learn(const std::string& custodian, const crypto::Ed25519PublicKey& pk);

  std::map<std::string, Custodian> custodians_;
  std::map<std::string, Key> keys_;
  std::string log_key_;
  bool started_ = false;
};

// Checks that `entry` carries exactly `keys`' signatures, in order, key IDs first, then the
// signatures themselves. kVerifyFailed with the reason.
Status CheckEntrySignatures(const ParsedEntry& entry,
                            const std::vector<crypto::Ed25519PublicKey>& keys);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_KEY_HISTORY_H_
