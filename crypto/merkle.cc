#include "crypto/merkle.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <string>

#include "crypto/sha256.h"

namespace amanat::crypto {
namespace {

constexpr uint8_t kLeafPrefix = 0x00;
constexpr uint8_t kNodePrefix = 0x01;

// Number of bits needed to write x (0 for 0).
unsigned BitLen(uint64_t x) { return static_cast<unsigned>(std::bit_width(x)); }
unsigned PopCount(uint64_t x) { return static_cast<unsigned>(std::popcount(x)); }
// x >> n without the undefined behaviour of n >= 64.
uint64_t Shr(uint64_t x, unsigned n) { return n >= 64 ? 0 : x >> n; }
// The largest power of two strictly below n. REQUIRES: n >= 2.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }
uint32_t LevelOf(uint64_t power_of_two) {
  return static_cast<uint32_t>(std::countr_zero(power_of_two));
}

std::string U(uint64_t v) { return std::to_string(v); }

// reader.Get with the node named in the error.
Result<Digest> GetNode(const MerkleHashReader& reader, uint32_t level, uint64_t index) {
  Result<Digest> r = reader.Get(level, index);
  if (!r.ok()) {
    return r.status().Context("reading Merkle node (level " + std::to_string(level) + ", index " +
                              U(index) + ")");
  }
  return r;
}

// MTH(D[begin:end]) from stored perfect subtrees: the perfect subtrees that tile the range,
// largest first, folded from the right as RFC 9162 §2.1.1 nests them. One Get per set bit of
// end - begin.
// REQUIRES: begin < end, and begin is a multiple of std::bit_floor(end - begin), which holds
// for every range the RFC 9162 recursion visits.
Result<Digest> RangeHash(const MerkleHashReader& reader, uint64_t begin, uint64_t end) {
  std::vector<Digest> peaks;
  uint64_t pos = begin;
  uint64_t remaining = end - begin;
  while (remaining != 0) {
    const uint32_t level = static_cast<uint32_t>(BitLen(remaining) - 1);
    ASSIGN_OR_RETURN(Digest peak, GetNode(reader, level, pos >> level));
    peaks.push_back(peak);
    pos += uint64_t{1} << level;
    remaining -= uint64_t{1} << level;
  }
  Digest hash = peaks.back();
  for (size_t i = peaks.size() - 1; i-- > 0;) hash = NodeHash(peaks[i], hash);
  return hash;
}

}  // namespace

Digest LeafHash(ByteView entry) { return Sha256Of({ByteView(&kLeafPrefix, 1), entry}); }

Digest NodeHash(const Digest& left, const Digest& right) {
  return Sha256Of({ByteView(&kNodePrefix, 1), left, right});
}

Digest EmptyRoot() { return Sha256Of(ByteView()); }

// The inclusion path of leaf `index` in a tree of `size` has two parts (as in verify.go):
// `inner` hashes below the point where the paths to `index` and to `size - 1` part, where the
// leaf's side decides the order, then one hash per set bit of index above that point, all of
// them left siblings (the right border). This is the RFC 9162 §2.1.3.2 loop with the proof
// length known up front, so a wrong length gets a precise error.
Status VerifyInclusion(uint64_t index, uint64_t size, const Digest& leaf_hash,
                       const std::vector<Digest>& proof, const Digest& root) {
  if (index >= size) {
    return VerifyFailed("inclusion proof: index " + U(index) + " out of range for tree size " +
                        U(size));
  }
  const unsigned inner = BitLen(index ^ (size - 1));
  const size_t want = inner + PopCount(Shr(index, inner));
  if (proof.size() != want) {
    return VerifyFailed("inclusion proof: wrong proof size " + U(proof.size()) + ", want " +
                        U(want));
  }
  Digest hash = leaf_hash;
  for (unsigned i = 0; i < inner; ++i) {
    hash = ((index >> i) & 1) == 0 ? NodeHash(hash, proof[i]) : NodeHash(proof[i], hash);
  }
  for (size_t i = inner; i < proof.size(); ++i) hash = NodeHash(proof[i], hash);
  if (hash != root) return VerifyFailed("inclusion proof: root mismatch");
  return OkStatus();
}

// A consistency proof is, apart from its first hash, the upper part of the inclusion path of
// the node that covers the last 2^shift leaves of the old tree (shift = trailing zeros of
// size1). Chaining only the left siblings reproduces root1; chaining all of them gives root2.
Status VerifyConsistency(uint64_t size1, uint64_t size2, const std::vector<Digest>& proof,
                         const Digest& root1, const Digest& root2) {
  if (size1 > size2) {
    return VerifyFailed("consistency proof: size1 " + U(size1) + " > size2 " + U(size2));
  }
  if (size1 == 0) {
    return VerifyFailed(
        "consistency proof: size1 is 0; a proof from the empty tree is meaningless");
  }
  if (size1 == size2) {
    if (!proof.empty()) {
      return VerifyFailed("consistency proof: sizes are equal (" + U(size1) +
                          ") but the proof has " + U(proof.size()) + " hashes, want 0");
    }
    if (root1 != root2) {
      return VerifyFailed("consistency proof: sizes are equal (" + U(size1) +
                          ") but the roots differ");
    }
    return OkStatus();
  }
  if (proof.empty()) {
    return VerifyFailed("consistency proof: empty proof for sizes " + U(size1) + " -> " + U(size2));
  }

  const uint64_t last1 = size1 - 1;
  const unsigned shift = static_cast<unsigned>(std::countr_zero(size1));
  // last1 and size2 - 1 differ at some bit >= shift, since size2 - 1 >= size1 and last1 has
  // all its bits below `shift` set; so inner >= 1.
  const unsigned full_inner = BitLen(last1 ^ (size2 - 1));
  const unsigned inner = full_inner - shift;
  const unsigned border = PopCount(Shr(last1, full_inner));
  // If size1 is a power of two, the node the proof starts from is root1 itself and is not
  // sent; otherwise it is the proof's first hash.
  const bool seed_is_root1 = std::has_single_bit(size1);
  const size_t start = seed_is_root1 ? 0 : 1;
  const size_t want = start + inner + border;
  if (proof.size() != want) {
    return VerifyFailed("consistency proof: wrong proof size " + U(proof.size()) + ", want " +
                        U(want));
  }

  const Digest& seed = seed_is_root1 ? root1 : proof[0];
  const uint64_t node_index = last1 >> shift;  // of the seed node, at level `shift`
  Digest hash1 = seed;
  Digest hash2 = seed;
  for (unsigned i = 0; i < inner; ++i) {
    const Digest& sibling = proof[start + i];
    if (((node_index >> i) & 1) == 1) {
      hash1 = NodeHash(sibling, hash1);
      hash2 = NodeHash(sibling, hash2);
    } else {
      hash2 = NodeHash(hash2, sibling);
    }
  }
  for (size_t i = start + inner; i < proof.size(); ++i) {
    hash1 = NodeHash(proof[i], hash1);
    hash2 = NodeHash(proof[i], hash2);
  }
  if (hash1 != root1) return VerifyFailed("consistency proof: root1 mismatch");
  if (hash2 != root2) return VerifyFailed("consistency proof: root2 mismatch");
  return OkStatus();
}

Result<Digest> RootAt(const MerkleHashReader& reader, uint64_t size) {
  if (size == 0) return EmptyRoot();
  Result<Digest> root = RangeHash(reader, 0, size);
  if (!root.ok()) return root.status().Context("Merkle root at size " + U(size));
  return root;
}

// RFC 9162 §2.1.3.1 PATH(m, D[0:n]), unrolled: walk down from the root, at each node take the
// sibling of the side that holds leaf m. Left siblings are perfect subtrees (one Get each);
// the first right sibling may be a non-perfect right edge (one Get per set bit), and after
// stepping left once every subtree is perfect. The walk yields siblings top-down; the proof
// lists them bottom-up.
Result<std::vector<Digest>> InclusionProof(const MerkleHashReader& reader, uint64_t index,
                                           uint64_t size) {
  if (index >= size) {
    return InvalidInput("inclusion proof: index " + U(index) + " out of range for tree size " +
                        U(size));
  }
  std::vector<Digest> proof;
  uint64_t begin = 0;  // the current subtree is D[begin:begin+n] and holds leaf begin+m
  uint64_t n = size;
  uint64_t m = index;
  while (n > 1) {
    const uint64_t k = SplitPoint(n);
    if (m < k) {
      Result<Digest> right = RangeHash(reader, begin + k, begin + n);
      if (!right.ok()) return right.status().Context("inclusion proof");
      proof.push_back(*right);
      n = k;
    } else {
      const uint32_t level = LevelOf(k);
      Result<Digest> left = GetNode(reader, level, begin >> level);
      if (!left.ok()) return left.status().Context("inclusion proof");
      proof.push_back(*left);
      begin += k;
      m -= k;
      n -= k;
    }
  }
  std::reverse(proof.begin(), proof.end());
  return proof;
}

// RFC 9162 §2.1.4.1 SUBPROOF(m, D[0:n], b), unrolled the same way as InclusionProof. The walk
// stops at the subtree D[begin:begin+m] that equals the old tree's last perfect part; that
// subtree's own hash is part of the proof unless it is the whole old tree (b still true).
Result<std::vector<Digest>> ConsistencyProof(const MerkleHashReader& reader, uint64_t size1,
                                             uint64_t size2) {
  if (size1 == 0 || size1 > size2) {
    return InvalidInput("consistency proof: need 0 < size1 <= size2, got size1 " + U(size1) +
                        ", size2 " + U(size2));
  }
  std::vector<Digest> proof;
  uint64_t begin = 0;
  uint64_t n = size2;
  uint64_t m = size1;
  bool whole_old_tree = true;
  while (m != n) {
    const uint64_t k = SplitPoint(n);
    if (m <= k) {
      Result<Digest> right = RangeHash(reader, begin + k, begin + n);
      if (!right.ok()) return right.status().Context("consistency proof");
      proof.push_back(*right);
      n = k;
    } else {
      const uint32_t level = LevelOf(k);
      Result<Digest> left = GetNode(reader, level, begin >> level);
      if (!left.ok()) return left.status().Context("consistency proof");
      proof.push_back(*left);
      begin += k;
      m -= k;
      n -= k;
      whole_old_tree = false;
    }
  }
  if (!whole_old_tree) {
    Result<Digest> node = RangeHash(reader, begin, begin + n);
    if (!node.ok()) return node.status().Context("consistency proof");
    proof.push_back(*node);
  }
  std::reverse(proof.begin(), proof.end());
  return proof;
}

Result<std::vector<MerkleNode>> NodesCompletedByAppend(const MerkleHashReader& reader,
                                                       uint64_t new_leaf_index,
                                                       const Digest& leaf_hash) {
  if (new_leaf_index == std::numeric_limits<uint64_t>::max()) {
    return InvalidInput("Merkle tree is full: cannot append leaf " + U(new_leaf_index));
  }
  std::vector<MerkleNode> nodes;
  nodes.push_back(MerkleNode{0, new_leaf_index, leaf_hash});
  // While the newest node is a right child, its parent is now complete.
  uint32_t level = 0;
  uint64_t index = new_leaf_index;
  Digest hash = leaf_hash;
  while ((index & 1) == 1) {
    Result<Digest> left = GetNode(reader, level, index - 1);
    if (!left.ok()) return left.status().Context("append of leaf " + U(new_leaf_index));
    hash = NodeHash(*left, hash);
    ++level;
    index >>= 1;
    nodes.push_back(MerkleNode{level, index, hash});
  }
  return nodes;
}

Status MemoryMerkleStore::AppendLeafHash(const Digest& leaf_hash) {
  ASSIGN_OR_RETURN(std::vector<MerkleNode> nodes, NodesCompletedByAppend(*this, size(), leaf_hash));
  // Node (l, i) is the next one its level needs; check them all before changing anything.
  for (const MerkleNode& node : nodes) {
    const uint64_t have = node.level < levels_.size() ? levels_[node.level].size() : 0;
    if (have != node.index) {
      return Status(Code::kIoError, "internal error: Merkle store out of step at level " +
                                        std::to_string(node.level));
    }
  }
  for (const MerkleNode& node : nodes) {
    if (levels_.size() <= node.level) levels_.resize(node.level + size_t{1});
    levels_[node.level].push_back(node.hash);
  }
  return OkStatus();
}

Result<Digest> MemoryMerkleStore::Get(uint32_t level, uint64_t index) const {
  if (level >= levels_.size() || index >= levels_[level].size()) {
    return NotFound("no Merkle node at level " + std::to_string(level) + ", index " + U(index));
  }
  return levels_[level][index];
}

}  // namespace amanat::crypto
