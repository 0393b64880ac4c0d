// vault/vault and vault/items at library level: Init/Open, streaming ingest in chunks, a
// failure midway leaving no trace, dedupe, prefix resolution, extraction re-hashing.
#include "vault/items.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/kdf.h"
#include "crypto/secret.h"
#include "crypto/sha256.h"
#include "tests/cli_runner.h"
#include "vault/add_files.h"
#include "vault/chunk_reader.h"
#include "vault/media_type.h"
#include "vault/vault.h"
#include "vault/verify.h"

namespace amanat::vault {
namespace {

using ::amanat::testing::FixturePath;
using ::amanat::testing::PseudoRandomBytes;
using ::amanat::testing::ReadFileBytes;

constexpr char kPass[] = "items test passphrase";

crypto::SecretBytes Pass(std::string_view s) { return crypto::SecretBytes::Copy(AsBytes(s)); }

// Reads `data` in pieces of varying size (1 byte up to ~70 KiB), as a pipe or socket would.
// With fail_at set, returns an I/O error once that many bytes have been delivered.
class Source {
 public:
  explicit Source(std::string data, std::optional<size_t> fail_at = std::nullopt)
      : data_(std::move(data)), fail_at_(fail_at) {}
  ReadFn Fn() {
    return [this](uint8_t* buf, size_t n) -> Result<size_t> {
      if (fail_at_ && pos_ >= *fail_at_) return IoError("test source: the card was pulled out");
      size_t piece = 1 + (calls_++ * 7919) % 70000;
      size_t k = std::min({n, piece, data_.size() - pos_});
      if (fail_at_) k = std::min(k, *fail_at_ - pos_);
      std::copy_n(data_.data() + pos_, k, buf);
      pos_ += k;
      return k;
    };
  }
  size_t delivered() const { return pos_; }

 private:
  std::string data_;
  std::optional<size_t> fail_at_;
  size_t pos_ = 0;
  size_t calls_ = 0;
};

std::string HexSha256(const std::string& s) { return crypto::HexEncode(crypto::Sha256Of(s)); }

class ItemsTest : public amanat::testing::CliTest {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::InitCrypto()); }

  void SetUp() override {
    CliTest::SetUp();
    auto kdf = crypto::Argon2ParamsForLevel("insecure-fast");
    ASSERT_TRUE(kdf.ok());
    kdf_ = *kdf;
    InitOptions o;
    o.dir = vault();
    o.custodian = "alice";
    o.kdf = kdf_;
    Status s = Vault::Init(o, Pass(kPass));
    ASSERT_TRUE(s.ok()) << s.message();
    v_ = OpenVault();
    ASSERT_NE(v_, nullptr);
  }

  std::unique_ptr<Vault> OpenVault(const std::string& pass = kPass) {
    auto v = Vault::Open(vault(), "", [&](const KeySlot&) {
      return Result<crypto::SecretBytes>(Pass(pass));
    });
    EXPECT_TRUE(v.ok()) << v.status().message();
    return v.ok() ? std::move(*v) : nullptr;
  }

  // Ingests `data` in its own committed transaction.
  Result<IngestResult> Add(const std::string& data, ItemMetadata meta = {}) {
    ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(v_->db()));
    Source src(data);
    ASSIGN_OR_RETURN(IngestResult r, IngestItem(*v_, src.Fn(), meta, nullptr));
    RETURN_IF_ERROR(v_->Commit(tx));
    return r;
  }

  std::string Extract(const ItemInfo& item) {
    std::string out;
    Status s = ExtractItem(
        *v_, item,
        [&](ByteView d) {
          out.append(AsChars(d));
          return OkStatus();
        },
        nullptr);
    EXPECT_TRUE(s.ok()) << s.message();
    return out;
  }

  std::vector<std::string> ListedIds(Vault& v, const std::string& kind = "") {
    auto items = ListItems(v, kind);
    EXPECT_TRUE(items.ok()) << items.status().message();
    std::vector<std::string> ids;
    if (items.ok()) {
      for (const auto& it : *items) ids.push_back(it.id);
    }
    return ids;
  }

  int64_t Count(const std::string& sql) {
    auto st = v_->db().Prepare(sql);
    EXPECT_TRUE(st.ok()) << st.status().message();
    if (!st.ok()) return -1;
    auto row = st->Step();
    EXPECT_TRUE(row.ok() && *row) << sql;
    return st->ColumnInt(0);
  }

  crypto::Argon2Params kdf_;
  std::unique_ptr<Vault> v_;
};

// ---- Vault::Init and Vault::Open ----

TEST_F(ItemsTest, InitMadeAPrivateVaultThatOpens) {
  EXPECT_EQ(amanat::testing::FileMode(vault()), 0700u);
  EXPECT_EQ(amanat::testing::FileMode(vault() + "/vault.db"), 0600u);
  EXPECT_EQ(amanat::testing::FileMode(vault() + "/keyslots.json"), 0600u);
  EXPECT_EQ(v_->vault_id().size(), 16u);
  EXPECT_TRUE(crypto::IsLowerHex(v_->vault_id()));
  EXPECT_EQ(v_->actor().custodian, "alice");
  EXPECT_EQ(v_->actor().role, "admin");
  EXPECT_EQ(v_->vault_key().size(), 32u);
  EXPECT_EQ(v_->keyslots().origin, "amanat/" + v_->vault_id());
  EXPECT_TRUE(ListedIds(*v_).empty());
}

TEST_F(ItemsTest, InitRefusesAnExistingVaultAndANonEmptyDirectory) {
  InitOptions o;
  o.dir = vault();
  o.custodian = "bob";
  o.kdf = kdf_;
  Status s = Vault::Init(o, Pass("other"));
  EXPECT_EQ(s.code(), Code::kInvalidInput) << s.message();

  std::filesystem::create_directories(Path("busy"));
  amanat::testing::WriteFileBytes(Path("busy/file"), "x");
  o.dir = Path("busy");
  s = Vault::Init(o, Pass("other"));
  EXPECT_EQ(s.code(), Code::kInvalidInput) << s.message();
  EXPECT_FALSE(std::filesystem::exists(Path("busy/vault.db")));
}

TEST_F(ItemsTest, InitRefusesBadInputsAndLeavesNothingBehind) {
  InitOptions o;
  o.dir = Path("new-vault");
  o.custodian = "not a valid name";  // rejected only after the database was created
  o.kdf = kdf_;
  Status s = Vault::Init(o, Pass("p"));
  EXPECT_EQ(s.code(), Code::kInvalidInput) << s.message();
  EXPECT_FALSE(std::filesystem::exists(o.dir)) << "a half-made vault was left behind";

  o.custodian = "alice";
  s = Vault::Init(o, crypto::SecretBytes());
  EXPECT_EQ(s.code(), Code::kInvalidInput);
  EXPECT_FALSE(std::filesystem::exists(o.dir));

  o.kdf.memlimit = 1ULL << 50;
  s = Vault::Init(o, Pass("p"));
  EXPECT_EQ(s.code(), Code::kInvalidInput);
  EXPECT_FALSE(std::filesystem::exists(o.dir));
}

TEST_F(ItemsTest, OpenTellsWrongPassphraseFromMissingAndDamaged) {
  auto wrong = Vault::Open(vault(), "", [](const KeySlot&) {
    return Result<crypto::SecretBytes>(Pass("not it"));
  });
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), Code::kAuthFailed);
  EXPECT_NE(wrong.status().message().find("wrong passphrase"), std::string::npos);

  auto missing = Vault::Open(Path("nowhere"), "", [](const KeySlot&) {
    return Result<crypto::SecretBytes>(Pass(kPass));
  });
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kNotFound);

  auto unknown = Vault::Open(vault(), "bob", [](const KeySlot&) {
    return Result<crypto::SecretBytes>(Pass(kPass));
  });
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), Code::kNotFound);
}

TEST_F(ItemsTest, DamagedKeySlotsAreReportedBeforeAnyoneTypesAPassphrase) {
  amanat::testing::WriteFileBytes(vault() + "/keyslots.json", "{ damaged");
  bool asked = false;
  auto r = Vault::Open(vault(), "", [&](const KeySlot&) {
    asked = true;
    return Result<crypto::SecretBytes>(Pass(kPass));
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidInput);
  EXPECT_FALSE(asked) << "the passphrase was asked for before the damage was noticed";
}

TEST_F(ItemsTest, ThePassphraseProvidersErrorIsPassedOn) {
  auto r = Vault::Open(vault(), "", [](const KeySlot&) -> Result<crypto::SecretBytes> {
    return InvalidInput("no terminal to ask on");
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidInput);
  EXPECT_EQ(r.status().message(), "no terminal to ask on");
}

// ---- ingest and extract ----

TEST_F(ItemsTest, KnownAnswerIds) {
  auto empty = Add("");
  ASSERT_TRUE(empty.ok()) << empty.status().message();
  EXPECT_EQ(empty->item.id, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(empty->item.size, 0u);
  EXPECT_EQ(empty->item.media_type, "application/x-empty");
  EXPECT_EQ(Extract(empty->item), "");
  auto abc = Add("abc");
  ASSERT_TRUE(abc.ok()) << abc.status().message();
  EXPECT_EQ(abc->item.id, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Extract(abc->item), "abc");
}

TEST_F(ItemsTest, RoundTripAcrossChunkBoundaries) {
  const std::vector<size_t> sizes = {1,          kChunkSize - 1, kChunkSize,
                                     kChunkSize + 1, 2 * kChunkSize + 12345};
  std::vector<std::string> ids;
  for (size_t size : sizes) {
    SCOPED_TRACE("size " + std::to_string(size));
    const std::string data = PseudoRandomBytes(size, size);
    auto r = Add(data);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_FALSE(r->already_present);
    EXPECT_EQ(r->item.id, HexSha256(data));
    EXPECT_EQ(r->item.size, size);
    std::string back = Extract(r->item);
    EXPECT_TRUE(back == data) << "extracted " << back.size() << " bytes";
    ids.push_back(r->item.id);
  }
  EXPECT_EQ(ListedIds(*v_), ids);
  // Stored in chunks of at most kChunkSize: the largest item takes three.
  EXPECT_EQ(Count("SELECT max(length(data)) FROM chunks"), static_cast<int64_t>(kChunkSize));
  EXPECT_EQ(Count("SELECT chunks FROM blobs b JOIN items i ON i.blob_id = b.id WHERE i.id = '" +
                  ids.back() + "'"),
            3);
}

TEST_F(ItemsTest, ProgressIsReportedAndReachesTheSize) {
  const std::string data = PseudoRandomBytes(3 * kChunkSize + 10, 77);
  auto tx = Transaction::Begin(v_->db());
  ASSERT_TRUE(tx.ok());
  Source src(data);
  std::vector<uint64_t> seen;
  auto r = IngestItem(*v_, src.Fn(), {}, [&](uint64_t done) { seen.push_back(done); });
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_TRUE(v_->Commit(*tx).ok());
  ASSERT_FALSE(seen.empty());
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(seen.back(), data.size());
}

TEST_F(ItemsTest, AReadFailingMidwayLeavesNoItemAndEarlierItemsStay) {
  const std::string first = PseudoRandomBytes(100000, 1);
  const std::string second = PseudoRandomBytes(3 * kChunkSize, 2);
  std::string first_id;
  {
    auto tx = Transaction::Begin(v_->db());
    ASSERT_TRUE(tx.ok());
    Source a(first);
    auto ra = IngestItem(*v_, a.Fn(), {}, nullptr);
    ASSERT_TRUE(ra.ok()) << ra.status().message();
    first_id = ra->item.id;

    Source b(second, kChunkSize + kChunkSize / 2);  // fails after 1.5 chunks
    auto rb = IngestItem(*v_, b.Fn(), {}, nullptr);
    ASSERT_FALSE(rb.ok());
    EXPECT_EQ(rb.status().code(), Code::kIoError);
    EXPECT_NE(rb.status().message().find("card was pulled out"), std::string::npos);
    EXPECT_EQ(b.delivered(), kChunkSize + kChunkSize / 2) << "the source was read to the failure";

    Status s = v_->Commit(*tx);
    ASSERT_TRUE(s.ok()) << s.message();
  }
  EXPECT_EQ(ListedIds(*v_), std::vector<std::string>{first_id});
  // Nothing of the failed ingest is stored: one blob, and only the first item's chunk.
  EXPECT_EQ(Count("SELECT count(*) FROM blobs"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM chunks"), 1);

  // The same holds for a fresh process, and the failed file can be added in full later.
  v_.reset();
  v_ = OpenVault();
  ASSERT_NE(v_, nullptr);
  EXPECT_EQ(ListedIds(*v_), std::vector<std::string>{first_id});
  auto again = Add(second);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->item.id, HexSha256(second));
  EXPECT_TRUE(Extract(again->item) == second);
  EXPECT_EQ(ListedIds(*v_), (std::vector<std::string>{first_id, HexSha256(second)}));
}

TEST_F(ItemsTest, AFailureAtTheFirstReadLeavesNothing) {
  auto tx = Transaction::Begin(v_->db());
  ASSERT_TRUE(tx.ok());
  Source src("some bytes", 0);
  auto r = IngestItem(*v_, src.Fn(), {}, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kIoError);
  ASSERT_TRUE(v_->Commit(*tx).ok());
  EXPECT_TRUE(ListedIds(*v_).empty());
  EXPECT_EQ(Count("SELECT count(*) FROM chunks"), 0);
}

TEST_F(ItemsTest, AnUncommittedIngestLeavesNothing) {
  // The caller's transaction is abandoned (the process dies, or the caller gives up).
  {
    auto tx = Transaction::Begin(v_->db());
    ASSERT_TRUE(tx.ok());
    Source src(PseudoRandomBytes(2 * kChunkSize, 3));
    auto r = IngestItem(*v_, src.Fn(), {}, nullptr);
    ASSERT_TRUE(r.ok());
  }  // rolled back here
  EXPECT_TRUE(ListedIds(*v_).empty());
  v_.reset();
  v_ = OpenVault();
  ASSERT_NE(v_, nullptr);
  EXPECT_TRUE(ListedIds(*v_).empty());
}

TEST_F(ItemsTest, SameBytesTwiceAreStoredOnce) {
  const std::string data = PseudoRandomBytes(2 * kChunkSize + 5, 9);
  ItemMetadata m1;
  m1.title = "first";
  m1.kind = "audio";
  auto r1 = Add(data, m1);
  ASSERT_TRUE(r1.ok()) << r1.status().message();
  EXPECT_FALSE(r1->already_present);
  const int64_t chunks = Count("SELECT count(*) FROM chunks");
  EXPECT_EQ(chunks, 3);

  ItemMetadata m2;
  m2.title = "second";
  m2.kind = "video";
  auto r2 = Add(data, m2);
  ASSERT_TRUE(r2.ok()) << r2.status().message();
  EXPECT_TRUE(r2->already_present);
  EXPECT_EQ(r2->item.id, r1->item.id);
  EXPECT_EQ(Count("SELECT count(*) FROM chunks"), chunks) << "the content was stored twice";
  EXPECT_EQ(Count("SELECT count(*) FROM blobs"), 1);
  // The first ingest's metadata stands.
  auto items = ListItems(*v_, "");
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ((*items)[0].kind, "audio");
  EXPECT_EQ((*items)[0].metadata.value("title", ""), "first");
  EXPECT_EQ((*items)[0].metadata.value("collector", ""), "alice");
}

TEST_F(ItemsTest, MetadataAndMediaTypeAreRecorded) {
  ItemMetadata m;
  m.kind = "testimony";
  m.filename = "testimony-omir-bekali.txt";
  m.title = "Testimony";
  m.lang = "en";
  m.captured_at = "2017-03-26";
  m.place = "Karamay";
  m.witness = "W-7K3F9Q";
  m.tags = {"camps", "un"};
  m.note = "line one\nline two";
  m.confidentiality = "restricted";
  auto r = Add(ReadFileBytes(FixturePath("testimony-omir-bekali.txt")), m);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->item.id, "c01f1009e392e923f027683b95e432fc1f098d644b2b4c62886bf5e7a6ed025a");
  EXPECT_EQ(r->item.media_type, "text/plain");
  auto got = ResolveItem(*v_, r->item.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->kind, "testimony");
  EXPECT_EQ(got->media_type, "text/plain");
  EXPECT_EQ(got->size, 15753u);
  const auto& md = got->metadata;
  EXPECT_EQ(md.value("filename", ""), "testimony-omir-bekali.txt");
  EXPECT_EQ(md.value("title", ""), "Testimony");
  EXPECT_EQ(md.value("lang", ""), "en");
  EXPECT_EQ(md.value("captured_at", ""), "2017-03-26");
  EXPECT_EQ(md.value("place", ""), "Karamay");
  EXPECT_EQ(md.value("witness", ""), "W-7K3F9Q");
  EXPECT_EQ(md["tags"], nlohmann::json({"camps", "un"}));
  EXPECT_EQ(md.value("note", ""), "line one\nline two");
  EXPECT_EQ(md.value("confidentiality", ""), "restricted");
  EXPECT_EQ(md.value("collector", ""), "alice");
  EXPECT_FALSE(got->ingested_at.empty());
}

TEST_F(ItemsTest, InvalidMetadataIsRefusedBeforeAnythingIsRead) {
  const std::vector<std::pair<std::string, std::function<void(ItemMetadata&)>>> cases = {
      {"kind", [](ItemMetadata& m) { m.kind = "rumour"; }},
      {"witness name", [](ItemMetadata& m) { m.witness = "Omir Bekali"; }},
      {"witness lowercase", [](ItemMetadata& m) { m.witness = "W-abcdef"; }},
      {"witness too short", [](ItemMetadata& m) { m.witness = "W-AB"; }},
      {"captured_at", [](ItemMetadata& m) { m.captured_at = "yesterday"; }},
      {"lang", [](ItemMetadata& m) { m.lang = "en_US!"; }},
      {"title control char", [](ItemMetadata& m) { m.title = "a\x01" "b"; }},
      {"title invalid UTF-8", [](ItemMetadata& m) { m.title = "\xff\xfe"; }},
      {"empty tag", [](ItemMetadata& m) { m.tags = {""}; }},
      {"too many tags", [](ItemMetadata& m) { m.tags.assign(101, "t"); }},
  };
  for (const auto& [what, damage] : cases) {
    SCOPED_TRACE(what);
    ItemMetadata m;
    damage(m);
    EXPECT_EQ(m.Validate().code(), Code::kInvalidInput);
    auto tx = Transaction::Begin(v_->db());
    ASSERT_TRUE(tx.ok());
    bool read = false;
    auto r = IngestItem(
        *v_,
        [&](uint8_t*, size_t) -> Result<size_t> {
          read = true;
          return size_t{0};
        },
        m, nullptr);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kInvalidInput);
    EXPECT_FALSE(read);
  }
  ItemMetadata ok;
  ok.witness = "W-7K3F9Q";
  ok.captured_at = "2017-03-26T10:00:00+06:00";
  ok.lang = "ug-Arab";
  EXPECT_TRUE(ok.Validate().ok()) << ok.Validate().message();
  EXPECT_TRUE(ListedIds(*v_).empty());
}

TEST_F(ItemsTest, PseudonymsAndKinds) {
  for (const char* p : {"W-7K3F9Q", "W-0000", "W-ABCDEFGHIJKLMN"}) EXPECT_TRUE(IsValidPseudonym(p)) << p;
  for (const char* p : {"", "W-", "W-abc1", "X-7K3F9Q", "Omir Bekali", "W-ABCDEFGHIJKLMNO", "W-7K3F 9Q"}) {
    EXPECT_FALSE(IsValidPseudonym(p)) << p;
  }
  for (const char* k : {"testimony", "audio", "video", "image", "document", "other"}) {
    EXPECT_TRUE(IsValidKind(k)) << k;
  }
  for (const char* k : {"", "Audio", "photo"}) EXPECT_FALSE(IsValidKind(k)) << k;
}

// ---- resolve, list ----

TEST_F(ItemsTest, ResolveFullIdAndPrefixes) {
  auto r = Add("resolve me");
  ASSERT_TRUE(r.ok());
  const std::string id = r->item.id;
  std::string upper = id.substr(0, 20);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); });
  for (const std::string& ref : {id, id.substr(0, 8), id.substr(0, 63), upper}) {
    auto got = ResolveItem(*v_, ref);
    ASSERT_TRUE(got.ok()) << ref << ": " << got.status().message();
    EXPECT_EQ(got->id, id);
  }
  for (const std::string& ref : {id.substr(0, 7), std::string(""), id + "0", std::string("g") + id.substr(1, 10),
                                 id.substr(0, 8) + " "}) {
    auto got = ResolveItem(*v_, ref);
    ASSERT_FALSE(got.ok()) << ref;
    EXPECT_EQ(got.status().code(), Code::kInvalidInput) << ref;
  }
  const std::string other = id[0] == '0' ? "1" + id.substr(1) : "0" + id.substr(1);
  for (const std::string& ref : {other, other.substr(0, 8)}) {
    auto got = ResolveItem(*v_, ref);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), Code::kNotFound);
  }
}

TEST_F(ItemsTest, AmbiguousPrefixListsCandidates) {
  const std::string a = ReadFileBytes(FixturePath("prefix-collision-a.bin"));
  const std::string b = ReadFileBytes(FixturePath("prefix-collision-b.bin"));
  auto ra = Add(a);
  auto rb = Add(b);
  ASSERT_TRUE(ra.ok() && rb.ok());
  ASSERT_EQ(ra->item.id.substr(0, 8), rb->item.id.substr(0, 8)) << "fixtures no longer collide";
  ASSERT_NE(ra->item.id.substr(0, 9), rb->item.id.substr(0, 9));
  auto got = ResolveItem(*v_, ra->item.id.substr(0, 8));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), Code::kInvalidInput);
  EXPECT_NE(got.status().message().find("ambiguous"), std::string::npos);
  EXPECT_NE(got.status().message().find(ra->item.id.substr(0, 16)), std::string::npos);
  EXPECT_NE(got.status().message().find(rb->item.id.substr(0, 16)), std::string::npos);
  EXPECT_FALSE(got.status().hint().empty());
  auto one = ResolveItem(*v_, rb->item.id.substr(0, 9));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->id, rb->item.id);
}

TEST_F(ItemsTest, ListFiltersByKind) {
  ItemMetadata audio;
  audio.kind = "audio";
  ItemMetadata doc;
  doc.kind = "document";
  auto a = Add("audio bytes", audio);
  auto d = Add("document bytes", doc);
  auto a2 = Add("more audio bytes", audio);
  ASSERT_TRUE(a.ok() && d.ok() && a2.ok());
  EXPECT_EQ(ListedIds(*v_), (std::vector<std::string>{a->item.id, d->item.id, a2->item.id}));
  EXPECT_EQ(ListedIds(*v_, "audio"), (std::vector<std::string>{a->item.id, a2->item.id}));
  EXPECT_EQ(ListedIds(*v_, "document"), std::vector<std::string>{d->item.id});
  EXPECT_TRUE(ListedIds(*v_, "video").empty());
  auto bad = ListItems(*v_, "rumour");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidInput);
}

// ---- extraction checks what it hands out ----

TEST_F(ItemsTest, AWriteFailureIsPassedOn) {
  auto r = Add(PseudoRandomBytes(2 * kChunkSize, 4));
  ASSERT_TRUE(r.ok());
  int calls = 0;
  Status s = ExtractItem(
      *v_, r->item,
      [&](ByteView) {
        return ++calls == 2 ? IoError("disk full") : OkStatus();
      },
      nullptr);
  EXPECT_EQ(s.code(), Code::kIoError);
  EXPECT_EQ(s.message(), "disk full");
  EXPECT_EQ(calls, 2) << "extraction went on after a failed write";
}

TEST_F(ItemsTest, StoredContentIsImmutable) {
  auto r = Add("immutable evidence");
  ASSERT_TRUE(r.ok());
  for (const char* sql :
       {"UPDATE chunks SET data = X'00'", "DELETE FROM chunks",
        "UPDATE items SET kind = 'other'", "DELETE FROM items", "UPDATE blobs SET size = 1",
        "DELETE FROM blobs"}) {
    Status s = v_->db().Exec(sql);
    EXPECT_FALSE(s.ok()) << sql;
  }
  EXPECT_EQ(Extract(r->item), "immutable evidence");
}

TEST_F(ItemsTest, TamperedContentFailsVerificationOnExtract) {
  auto r = Add(PseudoRandomBytes(kChunkSize + 100, 5));
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(v_->db().Exec("DROP TRIGGER chunks_no_update").ok());
  ASSERT_TRUE(v_->db().Exec("UPDATE chunks SET data = X'00' || substr(data, 2) WHERE seq = 1").ok());
  uint64_t written = 0;
  Status s = ExtractItem(
      *v_, r->item,
      [&](ByteView d) {
        written += d.size();
        return OkStatus();
      },
      nullptr);
  EXPECT_EQ(s.code(), Code::kVerifyFailed) << s.message();
  EXPECT_NE(s.message().find(r->item.id), std::string::npos) << s.message();
}

TEST_F(ItemsTest, MissingOrTruncatedChunksFailVerification) {
  auto r = Add(PseudoRandomBytes(2 * kChunkSize + 100, 6));
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(v_->db().Exec("DROP TRIGGER chunks_no_delete").ok());
  ASSERT_TRUE(v_->db().Exec("DELETE FROM chunks WHERE seq = 2").ok());
  Status s = ExtractItem(*v_, r->item, [](ByteView) { return OkStatus(); }, nullptr);
  EXPECT_EQ(s.code(), Code::kVerifyFailed) << s.message();

  ASSERT_TRUE(v_->db().Exec("DELETE FROM chunks WHERE seq = 0").ok());
  s = ExtractItem(*v_, r->item, [](ByteView) { return OkStatus(); }, nullptr);
  EXPECT_EQ(s.code(), Code::kVerifyFailed) << s.message();
  EXPECT_NE(s.message().find("missing chunk"), std::string::npos) << s.message();
}

// AddFiles (what `amanat add` runs): small files are read and typed ahead on another thread,
// larger ones streamed; either way the IDs, media types, order and content are those of a
// plain streamed ingest.
TEST_F(ItemsTest, AddFilesStoresEveryFileInOrderAsAStreamedIngestWould) {
  std::vector<std::string> files, contents;
  auto make = [&](const std::string& name, std::string data) {
    files.push_back(MakeFile(name, data));
    contents.push_back(std::move(data));
  };
  for (int i = 0; i < 150; ++i) {
    make("note-" + std::to_string(i) + ".txt", "statement number " + std::to_string(i) + "\n");
  }
  make("empty.txt", "");
  make("photo.png", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) + PseudoRandomBytes(300, 1));
  make("one-chunk.bin", PseudoRandomBytes(kChunkSize, 2));
  make("one-chunk-and-a-byte.bin", PseudoRandomBytes(kChunkSize + 1, 3));
  make("video.bin", PseudoRandomBytes(2 * kChunkSize + 777, 4));
  make("again.txt", "statement number 7\n");  // same bytes as note-7.txt

  AddFilesOptions o;
  o.meta.kind = "document";
  o.batch_time = std::chrono::milliseconds(0);  // a commit after every file
  std::vector<AddedFile> done;
  int commits = 0;
  o.committed = [&](const std::vector<AddedFile>& batch) {
    ++commits;
    done.insert(done.end(), batch.begin(), batch.end());
  };
  Status s = AddFiles(*v_, files, o);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(done.size(), files.size());
  EXPECT_EQ(commits, static_cast<int>(files.size()));
  for (size_t i = 0; i < files.size(); ++i) {
    SCOPED_TRACE(files[i]);
    EXPECT_EQ(done[i].file, files[i]);
    const ItemInfo& item = done[i].result.item;
    EXPECT_EQ(item.id, HexSha256(contents[i]));
    EXPECT_EQ(item.size, contents[i].size());
    EXPECT_EQ(item.kind, "document");
    EXPECT_EQ(item.media_type,
              DetectMediaType(AsBytes(contents[i]).first(std::min(contents[i].size(), kMediaSniffBytes))));
    EXPECT_EQ(Extract(item), contents[i]);
  }
  EXPECT_EQ(done[151].result.item.media_type, "image/png");
  EXPECT_TRUE(done.back().result.already_present);
  EXPECT_EQ(Count("SELECT count(*) FROM items"), static_cast<int64_t>(files.size()) - 1);
}

TEST_F(ItemsTest, AddFilesStopsAtAFailingFileAndKeepsTheOnesBefore) {
  std::vector<std::string> files = {MakeFile("a.txt", "first\n"), MakeFile("b.txt", "second\n"),
                                    Path("missing.txt"), MakeFile("c.txt", "never read\n")};
  std::vector<std::string> stored;
  AddFilesOptions o;
  o.committed = [&](const std::vector<AddedFile>& batch) {
    for (const auto& f : batch) stored.push_back(f.file);
  };
  Status s = AddFiles(*v_, files, o);
  EXPECT_EQ(s.code(), Code::kNotFound) << s.message();
  EXPECT_NE(s.message().find("missing.txt"), std::string::npos) << s.message();
  EXPECT_EQ(stored, std::vector<std::string>({files[0], files[1]}));
  EXPECT_EQ(ListedIds(*v_), std::vector<std::string>({HexSha256("first\n"), HexSha256("second\n")}));

  std::filesystem::create_directory(Path("folder"));
  s = AddFiles(*v_, {files[3], Path("folder")}, o);
  EXPECT_EQ(s.code(), Code::kInvalidInput) << s.message();
  EXPECT_NE(s.message().find("is a directory"), std::string::npos) << s.message();
  EXPECT_EQ(stored.back(), files[3]);
  EXPECT_EQ(AddFiles(*v_, {"-", "-"}, o).code(), Code::kInvalidInput);
  EXPECT_EQ(ListedIds(*v_).size(), 3u);
}

// A small file is stored without a savepoint: if the database refuses it, the whole batch is
// rolled back and none of it is reported as stored.
TEST_F(ItemsTest, AddFilesDropsTheWholeBatchWhenTheDatabaseRefusesASmallFile) {
  std::vector<std::string> files = {MakeFile("a.txt", "first\n"), MakeFile("b.txt", "second\n"),
                                    MakeFile("c.txt", "refused\n")};
  ASSERT_TRUE(v_->db()
                  .Exec("CREATE TEMP TRIGGER refuse BEFORE INSERT ON items WHEN NEW.size = 8 "
                        "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
                  .ok());
  std::vector<std::string> stored;
  AddFilesOptions o;
  o.batch_time = std::chrono::hours(1);
  o.committed = [&](const std::vector<AddedFile>& batch) {
    for (const auto& f : batch) stored.push_back(f.file);
  };
  const int64_t events = Count("SELECT count(*) FROM events");
  Status s = AddFiles(*v_, files, o);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("c.txt"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("the 2 files before it in this batch were not stored"),
            std::string::npos)
      << s.message();
  EXPECT_TRUE(stored.empty());
  EXPECT_TRUE(ListedIds(*v_).empty());
  EXPECT_EQ(Count("SELECT count(*) FROM events"), events);

  // The vault goes on: the next add stores and records both files.
  ASSERT_TRUE(v_->db().Exec("DROP TRIGGER temp.refuse").ok());
  s = AddFiles(*v_, {files[0], files[1]}, o);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(stored.size(), 2u);
  EXPECT_EQ(Count("SELECT count(*) FROM events"), events + 2);
  auto report = VerifyVault(*v_, {});
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_TRUE(report->ok()) << report->problems.front();
}

// ChunkReader hands out full chunks in order, hashing them on its thread, and passes a read
// error on only after the chunks read before it.
TEST(ChunkReaderTest, ChunksInOrderHashedThenTheEndOrTheError) {
  const std::string data = PseudoRandomBytes(10 * 1000 + 500, 9);
  for (bool fail : {false, true}) {
    SCOPED_TRACE(fail ? "failing source" : "whole source");
    Source src(data, fail ? std::optional<size_t>(7 * 1000 + 10) : std::nullopt);
    ReadFn read = src.Fn();
    crypto::Sha256 hash;
    std::string got;
    Status end;
    {
      ChunkReader reader(read, hash, 1000);
      for (;;) {
        auto chunk = reader.Next();
        if (!chunk.ok()) {
          end = chunk.status();
          break;
        }
        if (chunk->empty()) break;
        EXPECT_TRUE(chunk->size() == 1000 || got.size() == 10 * 1000) << chunk->size();
        got.append(AsChars(*chunk));
      }
    }
    if (fail) {
      EXPECT_EQ(end.code(), Code::kIoError) << end.message();
      EXPECT_EQ(got, data.substr(0, 7 * 1000));
    } else {
      EXPECT_TRUE(end.ok()) << end.message();
      EXPECT_EQ(got, data);
      EXPECT_EQ(crypto::HexEncode(hash.Finish()), HexSha256(data));
    }
  }
}

// Destroyed early, the reader stops its thread without reading to the end.
TEST(ChunkReaderTest, StopsWhenDestroyedEarly) {
  const std::string data = PseudoRandomBytes(100 * 1000, 10);
  Source src(data);
  ReadFn read = src.Fn();
  crypto::Sha256 hash;
  {
    ChunkReader reader(read, hash, 1000);
    auto chunk = reader.Next();
    ASSERT_TRUE(chunk.ok());
    EXPECT_EQ(chunk->size(), 1000u);
  }
  EXPECT_LT(src.delivered(), data.size());
}

}  // namespace
}  // namespace amanat::vault
