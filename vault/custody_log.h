// The custody log in the vault database: append-only entries, their RFC 9162 Merkle tree
// (perfect-subtree hashes in merkle_nodes), proofs, and signed checkpoints.
// docs/format/custody-log.md describes the format; crypto/merkle.h the tree.
//
// Not thread-safe; one per Db. Appends must run inside a Transaction.
#ifndef AMANAT_VAULT_CUSTODY_LOG_H_
#define AMANAT_VAULT_CUSTODY_LOG_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/ed25519.h"
#include "crypto/merkle.h"
#include "crypto/note.h"
#include "vault/db.h"
#include "vault/event.h"
#include "vault/signature_checker.h"

namespace amanat::vault {

// Reads merkle_nodes through one prepared statement.
class SqlMerkleReader : public crypto::MerkleHashReader {
 public:
  explicit SqlMerkleReader(Db& db) : db_(&db) {}
  Result<Digest> Get(uint32_t level, uint64_t index) const override;

 private:
  Db* db_;
  mutable std::optional<Stmt> stmt_;
};

class CustodyLog {
 public:
  explicit CustodyLog(Db& db) : db_(&db), reader_(db) {}

  // Fills in event.sequence and event.previous, signs with `signers`, stores the entry, its
  // subjects and the Merkle nodes it completes. Returns the sequence number.
  // REQUIRES: an open transaction; `signers` non-empty.
  Result<uint64_t> Append(Event event, const std::vector<const crypto::Ed25519KeyPair*>& signers);

  // Waits for the check of every signature made by Append since the last call (sign-then-
  // verify, on another core as Append goes on). kIoError if one failed: the transaction must
  // not commit.
  Status CheckPendingSignatures();

  // Number of entries (highest sequence number + 1).
  Result<uint64_t> Size();
  Result<Digest> Root(uint64_t size) { return crypto::RootAt(reader_, size); }
  Result<std::vector<Digest>> InclusionProof(uint64_t index, uint64_t size) {
    return crypto::InclusionProof(reader_, index, size);
  }
  Result<std::vector<Digest>> ConsistencyProof(uint64_t size1, uint64_t size2) {
    return crypto::ConsistencyProof(reader_, size1, size2);
  }
  Result<Bytes> Entry(uint64_t seq);
  // Sequence numbers of the events naming `item_id` as subject, ascending.
  Result<std::vector<uint64_t>> EventsAbout(const std::string& item_id);

  // Signs the checkpoint of the current tree with the log key and stores it in the
  // checkpoints table. Returns the signed note.
  Result<std::string> MakeCheckpoint(const crypto::NoteSigner& log_signer);
  // The newest stored checkpoint note, if any.
  Result<std::optional<std::string>> LatestStoredCheckpoint();

 private:
  // Prepares `sql` once into `slot`; returns the statement, reset and ready to bind.
  Result<Stmt*> Cached(std::optional<Stmt>& slot, const char* sql);

  Db* db_;
  SqlMerkleReader reader_;
  std::optional<Stmt> tail_, insert_event_, insert_subject_, insert_node_;
  std::unique_ptr<SignatureChecker> checker_ = std::make_unique<SignatureChecker>();
};

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_CUSTODY_LOG_H_
