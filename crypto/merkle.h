// RFC 6962 / RFC 9162 Merkle tree over SHA-256: hashing, proof verification, and proof
// generation from stored subtree hashes.
//
// The tree over n entries D[0:n] is the one of RFC 9162 §2.1.1: leaf = H(0x00 ‖ entry),
// node = H(0x01 ‖ left ‖ right), the left subtree of a node over k > 1 entries holds the
// largest power of two < k entries, and the hash of the empty tree is H("").
//
// Storage model. Only perfect subtrees are ever stored: the node at (level, index) is the hash
// of the 2^level leaves starting at leaf index * 2^level, and it exists once all of them are
// present; after that it never changes. Every root, inclusion proof and consistency proof for
// any tree size up to the current one is assembled from O(log n) such nodes, so nothing is
// ever rebuilt. `NodesCompletedByAppend` tells a store which nodes to write when a leaf is
// appended.
//
// Verification follows RFC 9162 §2.1.3.2 and §2.1.4.2 and accepts and rejects exactly what
// transparency-dev/merkle's proof/verify.go does (its test vectors are in
// tests/vectors/merkle/). Sizes are full 64-bit unsigned values; nothing overflows.
//
// All functions here are thread-safe as far as the reader passed to them is.
#ifndef AMANAT_CRYPTO_MERKLE_H_
#define AMANAT_CRYPTO_MERKLE_H_

#include <cstdint>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/status.h"

namespace amanat::crypto {

// ---- Hashing ------------------------------------------------------------------------------

// Returns H(0x00 ‖ entry), the leaf hash of one log entry (the entry's exact bytes).
Digest LeafHash(ByteView entry);
// Returns H(0x01 ‖ left ‖ right).
Digest NodeHash(const Digest& left, const Digest& right);
// Returns H(""), the root hash of the tree of size 0.
Digest EmptyRoot();

// ---- Verification -------------------------------------------------------------------------
// Hashes arrive as Digest, so a hash of the wrong length cannot reach these functions:
// parsers of untrusted input must reject any hash that does not decode to exactly 32 bytes
// (Base64DecodeFixed<32>, HexDecodeFixed<32>) with Code::kVerifyFailed or kInvalidInput.

// Checks that `proof` proves that the leaf with hash `leaf_hash` sits at `index` in the tree
// of `size` leaves whose root is `root`. `proof` is ordered from the leaf's sibling upwards
// (RFC 9162 PATH).
// Returns OK if so. Otherwise returns Code::kVerifyFailed with one of
//   "inclusion proof: index I out of range for tree size N"   (index >= size, incl. size 0)
//   "inclusion proof: wrong proof size P, want Q"
//   "inclusion proof: root mismatch"
[[nodiscard]] Status VerifyInclusion(uint64_t index, uint64_t size, const Digest& leaf_hash,
                                     const std::vector<Digest>& proof, const Digest& root);

// Checks that the tree of `size2` leaves with root `root2` extends the tree of `size1` leaves
// with root `root1` (append-only), using an RFC 9162 consistency proof.
// Returns OK if so; in particular OK for size1 == size2 > 0 with an empty proof and
// root1 == root2. Otherwise returns Code::kVerifyFailed with one of
//   "consistency proof: size1 S1 > size2 S2"
//   "consistency proof: size1 is 0; a proof from the empty tree is meaningless"
//   "consistency proof: sizes are equal (S) but the proof has P hashes, want 0"
//   "consistency proof: sizes are equal (S) but the roots differ"
//   "consistency proof: empty proof for sizes S1 -> S2"
//   "consistency proof: wrong proof size P, want Q"
//   "consistency proof: root1 mismatch" / "consistency proof: root2 mismatch"
// Note: like verify.go, size1 == 0 is always rejected, even with size2 == 0. Every tree
// extends the empty one; a caller that wants to accept that must check it before calling
// (and should still compare root1 with EmptyRoot()).
[[nodiscard]] Status VerifyConsistency(uint64_t size1, uint64_t size2,
                                       const std::vector<Digest>& proof, const Digest& root1,
                                       const Digest& root2);

// ---- Storage and proof generation ---------------------------------------------------------

// Read access to stored perfect-subtree hashes.
class MerkleHashReader {
 public:
  virtual ~MerkleHashReader() = default;

  // Returns the hash of the perfect subtree of 2^level leaves that starts at leaf
  // index * 2^level. Only complete subtrees exist in the store: for a node that is not
  // (yet) stored, returns a non-OK status (kNotFound by convention; kIoError for storage
  // failures). Callers here pass level <= 63.
  virtual Result<Digest> Get(uint32_t level, uint64_t index) const = 0;
};

// Returns the root hash of the tree made of the first `size` leaves of `reader`: EmptyRoot()
// for size 0 (no reads), otherwise at most 64 Get calls (one per set bit of size).
// REQUIRES: the reader holds at least `size` leaves; if it does not, returns the failing
// Get's status (e.g. kNotFound) with context.
Result<Digest> RootAt(const MerkleHashReader& reader, uint64_t size);

// Returns the RFC 9162 inclusion proof PATH(index, D[0:size]), sibling of the leaf first,
// as accepted by VerifyInclusion. At most 2 * 64 Get calls.
// Returns kInvalidInput if index >= size, or the failing Get's status with context.
// REQUIRES: the reader holds at least `size` leaves.
Result<std::vector<Digest>> InclusionProof(const MerkleHashReader& reader, uint64_t index,
                                           uint64_t size);

// Returns the RFC 9162 consistency proof PROOF(size1, D[0:size2]) as accepted by
// VerifyConsistency: empty if size1 == size2. At most 2 * 64 + 1 Get calls.
// Returns kInvalidInput if size1 == 0 or size1 > size2, or the failing Get's status with
// context.
// REQUIRES: the reader holds at least `size2` leaves.
Result<std::vector<Digest>> ConsistencyProof(const MerkleHashReader& reader, uint64_t size1,
                                             uint64_t size2);

// One stored perfect-subtree hash: see MerkleHashReader::Get.
struct MerkleNode {
  uint32_t level;
  uint64_t index;
  Digest hash;

  bool operator==(const MerkleNode&) const = default;
};

// Returns the nodes a store must write when the leaf with hash `leaf_hash` is appended at
// `new_leaf_index` (== the current size): first {0, new_leaf_index, leaf_hash}, then, by
// increasing level, every perfect node that this leaf completes. Reads one left sibling per
// completed level (at most 63 Get calls).
// Returns kInvalidInput if new_leaf_index == UINT64_MAX (the size would overflow), or the
// failing Get's status with context.
// REQUIRES: the reader holds exactly the leaves [0, new_leaf_index) and their nodes.
Result<std::vector<MerkleNode>> NodesCompletedByAppend(const MerkleHashReader& reader,
                                                       uint64_t new_leaf_index,
                                                       const Digest& leaf_hash);

// An in-memory store of perfect-subtree hashes, one vector per level. For tests and for
// building trees in memory; the vault keeps the same (level, index, hash) rows in SQL.
// Not thread-safe: Get may run concurrently with Get, not with Append.
class MemoryMerkleStore : public MerkleHashReader {
 public:
  MemoryMerkleStore() = default;

  // Appends the entry as the next leaf (leaf hash LeafHash(entry)) and stores every node it
  // completes. Returns OK, or kInvalidInput if the tree is full (2^64 - 1 leaves).
  [[nodiscard]] Status Append(ByteView entry) { return AppendLeafHash(LeafHash(entry)); }
  // As Append, for a precomputed leaf hash.
  [[nodiscard]] Status AppendLeafHash(const Digest& leaf_hash);

  // Returns the stored node, or kNotFound if that subtree is not complete.
  Result<Digest> Get(uint32_t level, uint64_t index) const override;

  // Number of leaves.
  uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }

 private:
  std::vector<std::vector<Digest>> levels_;  // levels_[l][i] = node (l, i)
};

}  // namespace amanat::crypto

#endif  // AMANAT_CRYPTO_MERKLE_H_
