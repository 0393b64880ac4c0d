#include "crypto/merkle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/sha256.h"

namespace amanat::crypto {
namespace {

namespace fs = std::filesystem;
using Proof = std::vector<Digest>;

constexpr uint64_t kMax64 = std::numeric_limits<uint64_t>::max();

// ---- Reference implementation -----------------------------------------------------------
// RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1 written out literally over the raw leaves, with its
// own hashing; MTH is memoised (a cache of a pure function) so that many queries on a
// 100,000-leaf tree stay fast.

Digest RefLeafHash(std::string_view entry) {
  Sha256 h;
  const uint8_t prefix = 0x00;
  h.Update(ByteView(&prefix, 1));
  h.Update(AsBytes(entry));
  return h.Finish();
}

Digest RefNodeHash(const Digest& l, const Digest& r) {
  Bytes buf = {0x01};
  buf.insert(buf.end(), l.begin(), l.end());
  buf.insert(buf.end(), r.begin(), r.end());
  return Sha256Of(buf);
}

// Largest power of two strictly below n (n >= 2), the naive way.
uint64_t RefSplit(uint64_t n) {
  uint64_t k = 1;
  while (k <= (n - 1) / 2) k *= 2;  // k * 2 < n, without overflow
  return k;
}

class ReferenceTree {
 public:
  explicit ReferenceTree(std::vector<Digest> leaves) : leaves_(std::move(leaves)) {}

  // MTH(D[begin:end]).
  Digest Mth(uint64_t begin, uint64_t end) {
    if (begin == end) return Sha256Of(ByteView());
    if (end - begin == 1) return leaves_[begin];
    const uint64_t key = begin * kStride + end;
    auto it = memo_.find(key);
    if (it != memo_.end()) return it->second;
    const uint64_t k = RefSplit(end - begin);
    Digest h = RefNodeHash(Mth(begin, begin + k), Mth(begin + k, end));
    memo_.emplace(key, h);
    return h;
  }
  Digest Root(uint64_t n) { return Mth(0, n); }
  const Digest& Leaf(uint64_t i) const { return leaves_[i]; }

  // PATH(m, D[0:n]).
  Proof Path(uint64_t m, uint64_t n) { return PathIn(m, 0, n); }
  // PROOF(m, D[0:n]) = SUBPROOF(m, D[0:n], true).
  Proof Consistency(uint64_t m, uint64_t n) { return Subproof(m, 0, n, true); }

 private:
  static constexpr uint64_t kStride = uint64_t{1} << 24;

  Proof PathIn(uint64_t m, uint64_t begin, uint64_t end) {
    const uint64_t n = end - begin;
    if (n == 1) return {};
    const uint64_t k = RefSplit(n);
    Proof p;
    if (m < k) {
      p = PathIn(m, begin, begin + k);
      p.push_back(Mth(begin + k, end));
    } else {
      p = PathIn(m - k, begin + k, end);
      p.push_back(Mth(begin, begin + k));
    }
    return p;
  }

  Proof Subproof(uint64_t m, uint64_t begin, uint64_t end, bool b) {
    const uint64_t n = end - begin;
    if (m == n) {
      if (b) return {};
      return {Mth(begin, end)};
    }
    const uint64_t k = RefSplit(n);
    Proof p;
    if (m <= k) {
      p = Subproof(m, begin, begin + k, b);
      p.push_back(Mth(begin + k, end));
    } else {
      p = Subproof(m - k, begin + k, end, false);
      p.push_back(Mth(begin, begin + k));
    }
    return p;
  }

  std::vector<Digest> leaves_;
  std::unordered_map<uint64_t, Digest> memo_;
};

// ---- Readers for tests --------------------------------------------------------------------

// Counts Get calls; optionally fails the Nth one (1-based) with kIoError.
class CountingReader : public MerkleHashReader {
 public:
  explicit CountingReader(const MerkleHashReader& inner, uint64_t fail_at = 0)
      : inner_(inner), fail_at_(fail_at) {}
  Result<Digest> Get(uint32_t level, uint64_t index) const override {
    ++calls_;
    if (calls_ == fail_at_) return IoError("injected read failure");
    return inner_.Get(level, index);
  }
  uint64_t calls() const { return calls_; }

 private:
  const MerkleHashReader& inner_;
  uint64_t fail_at_;
  mutable uint64_t calls_ = 0;
};

// A virtual tree of `size` identical leaves, any size up to 2^64 - 1: every perfect node of a
// level has the same hash, so every stored node is known without storing anything.
class UniformTreeReader : public MerkleHashReader {
 public:
  explicit UniformTreeReader(uint64_t size) : size_(size) {
    level_hash_[0] = LeafHash(AsBytes("same entry"));
    for (size_t l = 1; l < level_hash_.size(); ++l) {
      level_hash_[l] = RefNodeHash(level_hash_[l - 1], level_hash_[l - 1]);
    }
  }
  Result<Digest> Get(uint32_t level, uint64_t index) const override {
    if (level >= 64 || index >= (size_ >> level)) return NotFound("not stored");
    return level_hash_[level];
  }
  const Digest& leaf() const { return level_hash_[0]; }
  // MTH of n uniform leaves by the RFC recursion (only the right side is not perfect).
  Digest RefRoot(uint64_t n) const {
    if (std::has_single_bit(n)) return level_hash_[static_cast<size_t>(std::countr_zero(n))];
    const uint64_t k = RefSplit(n);
    return RefNodeHash(level_hash_[static_cast<size_t>(std::countr_zero(k))], RefRoot(n - k));
  }

 private:
  uint64_t size_;
  std::array<Digest, 64> level_hash_;
};

unsigned BitLen(uint64_t x) { return static_cast<unsigned>(std::bit_width(x)); }

// ---- Hashing ------------------------------------------------------------------------------

TEST(MerkleHash, KnownAnswers) {
  EXPECT_EQ(HexEncode(EmptyRoot()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // RFC 6962 test tree, leaf "" (the root of the 1-leaf tree).
  EXPECT_EQ(HexEncode(LeafHash(ByteView())),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  const Digest a = LeafHash(AsBytes("a"));
  const Digest b = LeafHash(AsBytes("b"));
  EXPECT_EQ(a, RefLeafHash("a"));
  EXPECT_EQ(NodeHash(a, b), RefNodeHash(a, b));
  EXPECT_NE(NodeHash(a, b), NodeHash(b, a));
  // Domain separation: a leaf never hashes like a node over the same bytes.
  Bytes ab(a.begin(), a.end());
  ab.insert(ab.end(), b.begin(), b.end());
  EXPECT_NE(LeafHash(ab), NodeHash(a, b));
}

// The 8-leaf test tree of RFC 6962 implementations (Certificate Transparency, and
// transparency-dev/merkle's tests and vectors). The first leaf is empty.
MemoryMerkleStore Rfc6962TestTree() {
  const std::vector<std::string> leaves_hex = {"00",
                                               "10",
                                               "2021",
                                               "3031",
                                               "40414243",
                                               "5051525354555657",
                                               "606162636465666768696a6b6c6d6e6f"};
  MemoryMerkleStore store;
  EXPECT_TRUE(store.Append(ByteView()).ok());
  for (const std::string& h : leaves_hex) {
    auto leaf = HexDecode(h);
    EXPECT_TRUE(leaf.ok()) << h;
    EXPECT_TRUE(store.Append(leaf.ok() ? *leaf : Bytes{}).ok());
  }
  EXPECT_EQ(store.size(), 8u);
  return store;
}

// The RFC 6962 test tree's roots at sizes 1..8.
TEST(MerkleHash, Rfc6962TestTreeRoots) {
  const std::vector<std::string> roots_hex = {
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
  };
  const MemoryMerkleStore store = Rfc6962TestTree();
  for (uint64_t size = 1; size <= 8; ++size) {
    auto root = RootAt(store, size);
    ASSERT_TRUE(root.ok()) << root.status().message();
    EXPECT_EQ(HexEncode(*root), roots_hex[size - 1]) << "size " << size;
  }
}

// ---- transparency-dev vectors -------------------------------------------------------------

struct DecodedHash {
  Digest digest;
  bool well_formed;  // exactly 32 bytes
};

// Decodes a vector's base64 hash. "" means an empty (absent) hash. A value that is not
// 32 bytes long cannot be a Digest:
//  - a leaf hash or proof hash of the wrong length is rejected before verification, as
//    Amanat's parsers do and as verify.go does for the leaf hash (RunVector);
//  - a root of the wrong length becomes a stand-in that equals no real hash but keeps equal
//    inputs equal, so the verifier sees what verify.go's bytes.Equal on roots sees (two equal
//    12-byte roots for size1 == size2 are consistent there).
DecodedHash DecodeHash(const nlohmann::json& j, const std::string& field) {
  if (!j.is_string()) {
    ADD_FAILURE() << field << " is not a string";
    return {Digest{}, false};
  }
  const std::string s = j.get<std::string>();
  Bytes raw;
  if (!s.empty()) {
    auto r = Base64Decode(s);
    if (!r.ok()) {
      ADD_FAILURE() << field << " is not valid base64: " << s;
      return {Digest{}, false};
    }
    raw = *r;
  }
  if (raw.size() == 32) {
    Digest d;
    std::copy(raw.begin(), raw.end(), d.begin());
    return {d, true};
  }
  Bytes tagged = ToBytes("amanat test stand-in for a hash that is not 32 bytes:");
  tagged.insert(tagged.end(), raw.begin(), raw.end());
  return {Sha256Of(tagged), false};
}

uint64_t GetSize(const nlohmann::json& obj, const std::string& field) {
  const nlohmann::json& j = obj.at(field);
  if (!j.is_number_unsigned()) {
    ADD_FAILURE() << field << " is not an unsigned integer: " << j.dump();
    return 0;
  }
  return j.get<uint64_t>();
}

// Checks that `obj` has exactly the keys `want` (nothing unknown, nothing missing).
bool HasExactKeys(const nlohmann::json& obj, const std::set<std::string>& want) {
  bool ok = true;
  for (const auto& [key, value] : obj.items()) {
    if (want.count(key) == 0) {
      ADD_FAILURE() << "unknown key \"" << key << "\"";
      ok = false;
    }
  }
  for (const std::string& key : want) {
    if (!obj.contains(key)) {
      ADD_FAILURE() << "missing key \"" << key << "\"";
      ok = false;
    }
  }
  return ok;
}

struct DecodedProof {
  Proof hashes;
  bool well_formed = true;
};

DecodedProof DecodeProof(const nlohmann::json& j) {
  DecodedProof out;
  if (j.is_null()) return out;  // Go's nil slice
  if (!j.is_array()) {
    ADD_FAILURE() << "proof is neither null nor an array";
    return out;
  }
  for (size_t i = 0; i < j.size(); ++i) {
    DecodedHash h = DecodeHash(j[i], "proof[" + std::to_string(i) + "]");
    out.hashes.push_back(h.digest);
    out.well_formed = out.well_formed && h.well_formed;
  }
  return out;
}

struct VectorCounts {
  int inclusion = 0;
  int consistency = 0;
  int want_ok = 0;
  int malformed = 0;
};

void RunVector(const fs::path& path, const std::string& kind, VectorCounts& counts) {
  std::ifstream in(path);
  ASSERT_TRUE(in) << "cannot open";
  nlohmann::json v = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(v.is_discarded()) << "invalid JSON";
  ASSERT_TRUE(v.is_object());
  ASSERT_TRUE(v.contains("wantErr") && v["wantErr"].is_boolean());
  ASSERT_TRUE(v.contains("desc") && v["desc"].is_string());
  const bool want_err = v["wantErr"].get<bool>();
  SCOPED_TRACE(v["desc"].get<std::string>() + (want_err ? " (wantErr)" : " (want OK)"));
  if (!want_err) ++counts.want_ok;

  // `verified` is what the verifier says on the decoded hashes (stand-ins included);
  // `status` is the verdict, which is a rejection if a leaf or proof hash is malformed.
  Status verified;
  bool malformed_input = false;  // a leaf hash or proof hash that is not 32 bytes
  if (kind == "inclusion") {
    ASSERT_TRUE(
        HasExactKeys(v, {"leafIdx", "treeSize", "root", "leafHash", "proof", "desc", "wantErr"}));
    ++counts.inclusion;
    const DecodedHash leaf = DecodeHash(v["leafHash"], "leafHash");
    const DecodedHash root = DecodeHash(v["root"], "root");
    const DecodedProof proof = DecodeProof(v["proof"]);
    malformed_input = !leaf.well_formed || !proof.well_formed;
    verified = VerifyInclusion(GetSize(v, "leafIdx"), GetSize(v, "treeSize"), leaf.digest,
                               proof.hashes, root.digest);
    // With both leaf and root stand-ins the verifier can be fooled (an empty leaf "matches" an
    // empty root in a 1-leaf tree); only then is its answer not meaningful on its own.
    if (malformed_input && (leaf.well_formed || root.well_formed)) {
      EXPECT_FALSE(verified.ok()) << "the verifier accepted a stand-in hash";
    }
  } else {
    ASSERT_EQ(kind, "consistency");
    ASSERT_TRUE(HasExactKeys(v, {"size1", "size2", "root1", "root2", "proof", "desc", "wantErr"}));
    ++counts.consistency;
    const DecodedHash root1 = DecodeHash(v["root1"], "root1");
    const DecodedHash root2 = DecodeHash(v["root2"], "root2");
    const DecodedProof proof = DecodeProof(v["proof"]);
    malformed_input = !proof.well_formed;
    verified = VerifyConsistency(GetSize(v, "size1"), GetSize(v, "size2"), proof.hashes,
                                 root1.digest, root2.digest);
    if (malformed_input) {
      EXPECT_FALSE(verified.ok()) << "the verifier accepted a stand-in hash";
    }
  }
  Status status = verified;
  if (malformed_input) {
    ++counts.malformed;
    status = VerifyFailed("a leaf or proof hash is not 32 bytes");
  }
  EXPECT_EQ(status.ok(), !want_err) << "got: " << (status.ok() ? "OK" : status.message());
  if (!verified.ok()) {
    EXPECT_EQ(verified.code(), Code::kVerifyFailed) << verified.message();
    EXPECT_FALSE(verified.message().empty());
  }
}

TEST(MerkleVectors, AllTransparencyDevVectorsGiveTheirVerdict) {
  const fs::path root = fs::path(AMANAT_TEST_DATA_DIR) / "vectors" / "merkle";
  ASSERT_TRUE(fs::is_directory(root)) << root;
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  VectorCounts counts;
  for (const fs::path& file : files) {
    const fs::path rel = fs::relative(file, root);
    SCOPED_TRACE(rel.string());
    RunVector(file, rel.begin()->string(), counts);
  }
  // Guard against passing vacuously: the vector set must actually be there.
  EXPECT_EQ(counts.inclusion + counts.consistency, static_cast<int>(files.size()));
  EXPECT_GT(files.size(), 150u);
  EXPECT_GE(counts.inclusion, 90);
  EXPECT_GE(counts.consistency, 90);
  EXPECT_GE(counts.want_ok, 10);
  EXPECT_GE(counts.malformed, 20);
}

// Every happy-path vector over the RFC 6962 test tree must be exactly what our generator
// produces from stored nodes: same proof, hash for hash.
TEST(MerkleVectors, GeneratorReproducesHappyPathProofs) {
  const MemoryMerkleStore store = Rfc6962TestTree();

  const fs::path root = fs::path(AMANAT_TEST_DATA_DIR) / "vectors" / "merkle";
  int compared = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file() || entry.path().filename() != "happy-path.json") continue;
    SCOPED_TRACE(entry.path().string());
    std::ifstream in(entry.path());
    nlohmann::json v = nlohmann::json::parse(in, nullptr, false);
    ASSERT_FALSE(v.is_discarded());
    const DecodedProof want = DecodeProof(v["proof"]);
    if (v.contains("leafIdx")) {
      const uint64_t size = GetSize(v, "treeSize");
      auto tree_root = RootAt(store, size);
      ASSERT_TRUE(tree_root.ok());
      ASSERT_EQ(*tree_root, DecodeHash(v["root"], "root").digest);
      auto got = InclusionProof(store, GetSize(v, "leafIdx"), size);
      ASSERT_TRUE(got.ok()) << got.status().message();
      EXPECT_EQ(*got, want.hashes);
    } else {
      auto got = ConsistencyProof(store, GetSize(v, "size1"), GetSize(v, "size2"));
      ASSERT_TRUE(got.ok()) << got.status().message();
      EXPECT_EQ(*got, want.hashes);
    }
    ++compared;
  }
  EXPECT_EQ(compared, 10);
}

// ---- Verifier edge cases ------------------------------------------------------------------

TEST(MerkleVerify, PreciseErrors) {
  const Digest x = LeafHash(AsBytes("x"));
  Status s = VerifyInclusion(9, 8, x, {}, x);
  EXPECT_EQ(s.code(), Code::kVerifyFailed);
  EXPECT_EQ(s.message(), "inclusion proof: index 9 out of range for tree size 8");
  s = VerifyInclusion(0, 0, x, {}, EmptyRoot());
  EXPECT_EQ(s.message(), "inclusion proof: index 0 out of range for tree size 0");
  s = VerifyInclusion(0, 16, x, {x, x, x}, x);
  EXPECT_EQ(s.message(), "inclusion proof: wrong proof size 3, want 4");
  s = VerifyInclusion(0, 1, x, {}, EmptyRoot());
  EXPECT_EQ(s.message(), "inclusion proof: root mismatch");
  EXPECT_TRUE(VerifyInclusion(0, 1, x, {}, x).ok());

  s = VerifyConsistency(3, 2, {}, x, x);
  EXPECT_EQ(s.message(), "consistency proof: size1 3 > size2 2");
  s = VerifyConsistency(0, 0, {}, EmptyRoot(), EmptyRoot());
  EXPECT_EQ(s.code(), Code::kVerifyFailed);
  s = VerifyConsistency(0, 5, {}, EmptyRoot(), x);
  EXPECT_EQ(s.code(), Code::kVerifyFailed);
  EXPECT_TRUE(VerifyConsistency(5, 5, {}, x, x).ok());
  s = VerifyConsistency(5, 5, {x}, x, x);
  EXPECT_EQ(s.message(),
            "consistency proof: sizes are equal (5) but the proof has 1 hashes, want 0");
  s = VerifyConsistency(5, 5, {}, x, EmptyRoot());
  EXPECT_EQ(s.message(), "consistency proof: sizes are equal (5) but the roots differ");
  s = VerifyConsistency(3, 5, {}, x, x);
  EXPECT_EQ(s.message(), "consistency proof: empty proof for sizes 3 -> 5");
  s = VerifyConsistency(4, 8, {x, x}, x, x);
  EXPECT_EQ(s.message(), "consistency proof: wrong proof size 2, want 1");
  s = VerifyConsistency(4, 8, {x}, x, x);
  EXPECT_EQ(s.message(), "consistency proof: root2 mismatch");
  s = VerifyConsistency(3, 4, {x, x, x}, x, x);
  EXPECT_EQ(s.message(), "consistency proof: root1 mismatch");
}

TEST(MerkleVerify, HugeSizesDoNotOverflow) {
  const Digest x = LeafHash(AsBytes("x"));
  // Proof lengths at the top of the range: never more than 64 hashes.
  for (uint64_t size : {kMax64, kMax64 - 1, uint64_t{1} << 63, (uint64_t{1} << 63) + 1}) {
    for (uint64_t index : {uint64_t{0}, size / 2, size - 2, size - 1}) {
      Status s = VerifyInclusion(index, size, x, {}, x);
      ASSERT_FALSE(s.ok());
      EXPECT_NE(s.message().find("wrong proof size 0, want "), std::string::npos) << s.message();
      EXPECT_FALSE(VerifyInclusion(index, size, x, Proof(64, x), x).ok());
    }
    EXPECT_FALSE(VerifyConsistency(1, size, {x}, x, x).ok());
    EXPECT_FALSE(VerifyConsistency(size - 1, size, {x}, x, x).ok());
  }
  EXPECT_FALSE(VerifyInclusion(kMax64, kMax64, x, {}, x).ok());
  EXPECT_FALSE(VerifyInclusion(kMax64, 1, x, {}, x).ok());
  EXPECT_FALSE(VerifyConsistency(kMax64, 1, {}, x, x).ok());
}

// ---- Generation on a 100,000-leaf store ---------------------------------------------------

class MerkleLargeTree : public ::testing::Test {
 protected:
  static constexpr uint64_t kLeaves = 100'000;

  static void SetUpTestSuite() {
    store_ = new MemoryMerkleStore();
    std::vector<Digest> leaves;
    leaves.reserve(kLeaves);
    for (uint64_t i = 0; i < kLeaves; ++i) {
      const std::string entry = "entry " + std::to_string(i);
      ASSERT_TRUE(store_->Append(AsBytes(entry)).ok());
      leaves.push_back(RefLeafHash(entry));
    }
    ref_ = new ReferenceTree(std::move(leaves));
  }
  static void TearDownTestSuite() {
    delete store_;
    delete ref_;
    store_ = nullptr;
    ref_ = nullptr;
  }

  // Sizes that stress the shape: tiny, around powers of two, the full tree.
  static std::vector<uint64_t> InterestingSizes() {
    std::vector<uint64_t> sizes;
    for (uint64_t s = 1; s <= 70; ++s) sizes.push_back(s);
    for (uint64_t p = 64; p <= kLeaves; p *= 2) {
      sizes.insert(sizes.end(), {p - 1, p, p + 1});
    }
    sizes.insert(sizes.end(), {kLeaves - 1, kLeaves});
    return sizes;
  }

  // Generates and checks one inclusion proof; tampers with it if `tamper`.
  static void CheckInclusion(uint64_t index, uint64_t size, bool tamper) {
    SCOPED_TRACE("inclusion index " + std::to_string(index) + " size " + std::to_string(size));
    CountingReader counter(*store_);
    auto proof = InclusionProof(counter, index, size);
    ASSERT_TRUE(proof.ok()) << proof.status().message();
    EXPECT_LE(counter.calls(), 2u * BitLen(size));
    EXPECT_LE(counter.calls(), 2u * 64);
    ASSERT_EQ(*proof, ref_->Path(index, size));
    const Digest root = ref_->Root(size);
    const Digest& leaf = ref_->Leaf(index);
    ASSERT_TRUE(VerifyInclusion(index, size, leaf, *proof, root).ok());
    if (!tamper) return;
    for (size_t i = 0; i < proof->size(); ++i) {
      Proof bad = *proof;
      bad[i][i % 32] ^= 0x20;
      EXPECT_FALSE(VerifyInclusion(index, size, leaf, bad, root).ok()) << "flipped " << i;
    }
    if (!proof->empty()) {
      Proof shorter(proof->begin(), proof->end() - 1);
      EXPECT_FALSE(VerifyInclusion(index, size, leaf, shorter, root).ok());
      Proof swapped = *proof;
      std::reverse(swapped.begin(), swapped.end());
      if (swapped != *proof) {
        EXPECT_FALSE(VerifyInclusion(index, size, leaf, swapped, root).ok());
      }
    }
    Proof longer = *proof;
    longer.push_back(root);
    EXPECT_FALSE(VerifyInclusion(index, size, leaf, longer, root).ok());
    EXPECT_FALSE(
        VerifyInclusion(index, size, ref_->Leaf((index + 1) % kLeaves), *proof, root).ok());
    if (size < kLeaves) {
      EXPECT_FALSE(VerifyInclusion(index, size, leaf, *proof, ref_->Root(size + 1)).ok());
    }
    if (index + 1 < size) {
      EXPECT_FALSE(VerifyInclusion(index + 1, size, leaf, *proof, root).ok());
    }
    if (index > 0) {
      EXPECT_FALSE(VerifyInclusion(index - 1, size, leaf, *proof, root).ok());
    }
  }

  static void CheckConsistency(uint64_t size1, uint64_t size2, bool tamper) {
    SCOPED_TRACE("consistency " + std::to_string(size1) + " -> " + std::to_string(size2));
    CountingReader counter(*store_);
    auto proof = ConsistencyProof(counter, size1, size2);
    ASSERT_TRUE(proof.ok()) << proof.status().message();
    EXPECT_LE(counter.calls(), 2u * BitLen(size2) + 1);
    EXPECT_LE(counter.calls(), 2u * 64 + 1);
    ASSERT_EQ(*proof, ref_->Consistency(size1, size2));
    const Digest root1 = ref_->Root(size1);
    const Digest root2 = ref_->Root(size2);
    ASSERT_TRUE(VerifyConsistency(size1, size2, *proof, root1, root2).ok());
    if (!tamper || size1 == size2) return;
    for (size_t i = 0; i < proof->size(); ++i) {
      Proof bad = *proof;
      bad[i][i % 32] ^= 0x10;
      EXPECT_FALSE(VerifyConsistency(size1, size2, bad, root1, root2).ok()) << "flipped " << i;
    }
    Proof shorter(proof->begin(), proof->end() - 1);
    EXPECT_FALSE(VerifyConsistency(size1, size2, shorter, root1, root2).ok());
    Proof longer = *proof;
    longer.push_back(root2);
    EXPECT_FALSE(VerifyConsistency(size1, size2, longer, root1, root2).ok());
    EXPECT_FALSE(VerifyConsistency(size1, size2, *proof, root2, root1).ok());
    EXPECT_FALSE(VerifyConsistency(size1, size2, *proof, ref_->Root(size1 - 1), root2).ok());
    EXPECT_FALSE(VerifyConsistency(size1, size2, *proof, root1, ref_->Root(size2 - 1)).ok());
  }

  static MemoryMerkleStore* store_;
  static ReferenceTree* ref_;
};

MemoryMerkleStore* MerkleLargeTree::store_ = nullptr;
ReferenceTree* MerkleLargeTree::ref_ = nullptr;

TEST_F(MerkleLargeTree, StoredNodesMatchReference) {
  ASSERT_EQ(store_->size(), kLeaves);
  uint64_t checked = 0;
  for (uint32_t level = 0; level < 64; ++level) {
    const uint64_t count = kLeaves >> level;
    for (uint64_t i = 0; i < count; ++i) {
      auto node = store_->Get(level, i);
      ASSERT_TRUE(node.ok()) << level << "," << i;
      ASSERT_EQ(*node, ref_->Mth(i << level, (i + 1) << level)) << level << "," << i;
      ++checked;
    }
    // Incomplete subtrees are not stored.
    auto missing = store_->Get(level, count);
    EXPECT_FALSE(missing.ok());
    EXPECT_EQ(missing.status().code(), Code::kNotFound);
  }
  EXPECT_EQ(checked, 2 * kLeaves - static_cast<uint64_t>(std::popcount(kLeaves)));
}

TEST_F(MerkleLargeTree, RootAtMatchesReference) {
  std::vector<uint64_t> sizes = InterestingSizes();
  std::mt19937_64 rng(6962);
  for (int i = 0; i < 500; ++i) sizes.push_back(1 + rng() % kLeaves);
  for (uint64_t size : sizes) {
    CountingReader counter(*store_);
    auto root = RootAt(counter, size);
    ASSERT_TRUE(root.ok()) << root.status().message();
    EXPECT_EQ(*root, ref_->Root(size)) << size;
    EXPECT_EQ(counter.calls(), static_cast<uint64_t>(std::popcount(size))) << size;
  }
  CountingReader counter(*store_);
  auto empty = RootAt(counter, 0);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, EmptyRoot());
  EXPECT_EQ(counter.calls(), 0u);
}

TEST_F(MerkleLargeTree, InclusionProofsExhaustiveSmallSizes) {
  for (uint64_t size = 1; size <= 64; ++size) {
    for (uint64_t index = 0; index < size; ++index) {
      CheckInclusion(index, size, /*tamper=*/size <= 17);
      if (HasFatalFailure()) return;
    }
  }
}

TEST_F(MerkleLargeTree, InclusionProofsSampled) {
  std::mt19937_64 rng(9162);
  for (uint64_t size : InterestingSizes()) {
    for (uint64_t index : {uint64_t{0}, size / 2, size - 1, rng() % size}) {
      CheckInclusion(index, size, /*tamper=*/true);
      if (HasFatalFailure()) return;
    }
  }
  for (int i = 0; i < 1500; ++i) {
    const uint64_t size = 1 + rng() % kLeaves;
    CheckInclusion(rng() % size, size, /*tamper=*/i % 10 == 0);
    if (HasFatalFailure()) return;
  }
}

TEST_F(MerkleLargeTree, ConsistencyProofsExhaustiveSmallSizes) {
  for (uint64_t size2 = 1; size2 <= 64; ++size2) {
    for (uint64_t size1 = 1; size1 <= size2; ++size1) {
      CheckConsistency(size1, size2, /*tamper=*/size2 <= 17);
      if (HasFatalFailure()) return;
    }
  }
}

TEST_F(MerkleLargeTree, ConsistencyProofsSampled) {
  std::mt19937_64 rng(6962 + 9162);
  const std::vector<uint64_t> sizes = InterestingSizes();
  for (uint64_t size2 : sizes) {
    for (uint64_t size1 : sizes) {
      // Pairs with size2 <= 64 are covered exhaustively above.
      if (size1 <= size2 && size2 > 64) CheckConsistency(size1, size2, /*tamper=*/false);
      if (HasFatalFailure()) return;
    }
  }
  for (int i = 0; i < 1500; ++i) {
    const uint64_t size2 = 1 + rng() % kLeaves;
    const uint64_t size1 = 1 + rng() % size2;
    CheckConsistency(size1, size2, /*tamper=*/i % 10 == 0);
    if (HasFatalFailure()) return;
  }
}

TEST_F(MerkleLargeTree, EqualSizesGiveEmptyConsistencyProof) {
  for (uint64_t size : {uint64_t{1}, uint64_t{2}, uint64_t{3}, uint64_t{4096}, kLeaves}) {
    auto proof = ConsistencyProof(*store_, size, size);
    ASSERT_TRUE(proof.ok());
    EXPECT_TRUE(proof->empty());
    EXPECT_TRUE(VerifyConsistency(size, size, *proof, ref_->Root(size), ref_->Root(size)).ok());
  }
}

TEST_F(MerkleLargeTree, BadArgumentsAndMissingNodes) {
  auto r = InclusionProof(*store_, 5, 5);
  EXPECT_EQ(r.status().code(), Code::kInvalidInput);
  r = InclusionProof(*store_, 0, 0);
  EXPECT_EQ(r.status().code(), Code::kInvalidInput);
  r = InclusionProof(*store_, kMax64, kMax64);
  EXPECT_EQ(r.status().code(), Code::kInvalidInput);
  r = ConsistencyProof(*store_, 0, 5);
  EXPECT_EQ(r.status().code(), Code::kInvalidInput);
  r = ConsistencyProof(*store_, 6, 5);
  EXPECT_EQ(r.status().code(), Code::kInvalidInput);
  // Beyond what the store holds: the store's kNotFound, with the node named.
  auto root = RootAt(*store_, kLeaves + 1);
  EXPECT_EQ(root.status().code(), Code::kNotFound);
  EXPECT_NE(root.status().message().find("level 0, index 100000"), std::string::npos)
      << root.status().message();
  r = InclusionProof(*store_, 0, kLeaves + 1);
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  r = ConsistencyProof(*store_, 10, kLeaves + 1);
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  r = InclusionProof(*store_, 0, kMax64);
  EXPECT_EQ(r.status().code(), Code::kNotFound);
}

// SQLite-style fault injection: fail the Nth read for N = 1, 2, ... until the operation
// completes; every failure must surface as the reader's status, never as a wrong answer.
TEST_F(MerkleLargeTree, ReadFailuresPropagate) {
  struct Op {
    const char* name;
    std::function<Status(const MerkleHashReader&)> run;
  };
  const uint64_t size = 77'777;
  const std::vector<Op> ops = {
      {"root", [&](const MerkleHashReader& r) { return RootAt(r, size).status(); }},
      {"inclusion",
       [&](const MerkleHashReader& r) { return InclusionProof(r, 12'345, size).status(); }},
      {"consistency",
       [&](const MerkleHashReader& r) { return ConsistencyProof(r, 54'321, size).status(); }},
      {"append", [&](const MerkleHashReader& r) {
         return NodesCompletedByAppend(r, 65'535, LeafHash(AsBytes("x"))).status();
       }}};
  for (const Op& op : ops) {
    SCOPED_TRACE(op.name);
    uint64_t n = 1;
    for (;; ++n) {
      CountingReader faulty(*store_, n);
      Status s = op.run(faulty);
      if (faulty.calls() < n) {
        EXPECT_TRUE(s.ok()) << s.message();
        break;
      }
      ASSERT_FALSE(s.ok()) << "read " << n << " failed but the operation succeeded";
      EXPECT_EQ(s.code(), Code::kIoError);
      EXPECT_NE(s.message().find("injected read failure"), std::string::npos);
      ASSERT_LT(n, 200u);
    }
    EXPECT_GT(n, 2u);  // the operation did read
  }
}

// ---- Append ---------------------------------------------------------------------------------

TEST(MerkleStore, NodesCompletedByAppend) {
  MemoryMerkleStore store;
  std::vector<Digest> leaves;
  for (uint64_t i = 0; i < 1100; ++i) {
    const std::string entry = "e" + std::to_string(i);
    leaves.push_back(RefLeafHash(entry));
    CountingReader counter(store);
    auto nodes = NodesCompletedByAppend(counter, i, leaves.back());
    ASSERT_TRUE(nodes.ok()) << nodes.status().message();
    const unsigned completed = static_cast<unsigned>(std::countr_one(i));
    ASSERT_EQ(nodes->size(), 1u + completed) << i;
    EXPECT_EQ(counter.calls(), completed);
    EXPECT_EQ((*nodes)[0], (MerkleNode{0, i, leaves.back()}));
    ReferenceTree ref(leaves);
    for (uint32_t l = 1; l <= completed; ++l) {
      const MerkleNode& node = (*nodes)[l];
      EXPECT_EQ(node.level, l);
      EXPECT_EQ(node.index, i >> l);
      EXPECT_EQ((node.index + 1) << l, i + 1);  // the subtree ends with the new leaf
      EXPECT_EQ(node.hash, ref.Mth(node.index << l, (node.index + 1) << l));
    }
    ASSERT_TRUE(store.AppendLeafHash(leaves.back()).ok());
    ASSERT_EQ(store.size(), i + 1);
  }
}

TEST(MerkleStore, EmptyStore) {
  MemoryMerkleStore store;
  EXPECT_EQ(store.size(), 0u);
  EXPECT_EQ(store.Get(0, 0).status().code(), Code::kNotFound);
  auto root = RootAt(store, 0);
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(*root, EmptyRoot());
  EXPECT_EQ(RootAt(store, 1).status().code(), Code::kNotFound);
  ASSERT_TRUE(store.Append(AsBytes("first")).ok());
  auto one = RootAt(store, 1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, RefLeafHash("first"));
}

// ---- Sizes near 2^64 (virtual tree) ------------------------------------------------------

TEST(MerkleHugeTree, ProofsAtTheTopOfTheRange) {
  const std::vector<uint64_t> sizes = {kMax64,
                                       kMax64 - 1,
                                       uint64_t{1} << 63,
                                       (uint64_t{1} << 63) + 1,
                                       (uint64_t{1} << 63) - 1,
                                       (uint64_t{1} << 32) + 1,
                                       0xAAAA'AAAA'AAAA'AAAAull,
                                       0x5555'5555'5555'5555ull};
  const UniformTreeReader tree(kMax64);
  const Digest leaf = tree.leaf();
  for (uint64_t size : sizes) {
    SCOPED_TRACE("size " + std::to_string(size));
    CountingReader root_counter(tree);
    auto root = RootAt(root_counter, size);
    ASSERT_TRUE(root.ok()) << root.status().message();
    EXPECT_EQ(*root, tree.RefRoot(size));
    EXPECT_LE(root_counter.calls(), 64u);

    for (uint64_t index : {uint64_t{0}, size / 3, size / 2, size - 2, size - 1}) {
      CountingReader counter(tree);
      auto proof = InclusionProof(counter, index, size);
      ASSERT_TRUE(proof.ok()) << proof.status().message();
      EXPECT_LE(proof->size(), 64u);
      EXPECT_LE(counter.calls(), 2u * 64);
      EXPECT_TRUE(VerifyInclusion(index, size, leaf, *proof, *root).ok()) << index;
      Proof bad = *proof;
      bad.back()[0] ^= 1;
      EXPECT_FALSE(VerifyInclusion(index, size, leaf, bad, *root).ok()) << index;
    }
    for (uint64_t size1 : {uint64_t{1}, uint64_t{3}, size / 2, size - 1, size}) {
      CountingReader counter(tree);
      auto proof = ConsistencyProof(counter, size1, size);
      ASSERT_TRUE(proof.ok()) << proof.status().message();
      EXPECT_LE(proof->size(), 65u);
      EXPECT_LE(counter.calls(), 2u * 64 + 1);
      const Digest root1 = tree.RefRoot(size1);
      EXPECT_TRUE(VerifyConsistency(size1, size, *proof, root1, *root).ok()) << size1;
      if (proof->empty()) continue;
      Proof bad = *proof;
      bad.front()[31] ^= 1;
      EXPECT_FALSE(VerifyConsistency(size1, size, bad, root1, *root).ok()) << size1;
    }
  }
}

TEST(MerkleHugeTree, AppendAtTheTopOfTheRange) {
  // Leaf 2^63 - 1 completes a node at every level up to the level-63 root of the first half.
  const uint64_t index = (uint64_t{1} << 63) - 1;
  const UniformTreeReader tree(index);
  CountingReader counter(tree);
  auto nodes = NodesCompletedByAppend(counter, index, tree.leaf());
  ASSERT_TRUE(nodes.ok()) << nodes.status().message();
  ASSERT_EQ(nodes->size(), 64u);
  EXPECT_EQ(counter.calls(), 63u);
  EXPECT_EQ(nodes->back().level, 63u);
  EXPECT_EQ(nodes->back().index, 0u);
  EXPECT_EQ(nodes->back().hash, tree.RefRoot(uint64_t{1} << 63));

  const UniformTreeReader full(kMax64);
  EXPECT_EQ(NodesCompletedByAppend(full, kMax64, tree.leaf()).status().code(), Code::kInvalidInput);
  auto last = NodesCompletedByAppend(full, kMax64 - 1, tree.leaf());
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->size(), 1u);  // 2^64 - 2 is even: it completes nothing
}

}  // namespace
}  // namespace amanat::crypto
