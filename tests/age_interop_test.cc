// Interoperability with Debian's stock age and age-keygen (scripts/install-deps installs
// them): our files open with `age -d`, theirs open with AgeFile, keys go both ways, and
// `amanat key age-keygen` makes identity files the stock age accepts.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <random>

#include "crypto/age.h"
#include "tests/age_test_util.h"
#include "tests/cli_runner.h"

namespace amanat::crypto {
namespace {

using ::amanat::testing::CliTest;
using ::amanat::testing::FileMode;
using ::amanat::testing::PseudoRandomBytes;
using ::amanat::testing::ReadFileBytes;
using ::amanat::testing::RunProgram;
using ::amanat::testing::RunResult;

constexpr char kAge[] = "/usr/bin/age";
constexpr char kAgeKeygen[] = "/usr/bin/age-keygen";
constexpr size_t kInteropChunk = kAgeChunkSize;

class AgeInteropTest : public CliTest {
 protected:
  void SetUp() override {
    if (::access(kAge, X_OK) != 0 || ::access(kAgeKeygen, X_OK) != 0) {
      GTEST_SKIP() << "stock age is not installed (scripts/install-deps installs it)";
    }
    CliTest::SetUp();
  }

  // Writes our identity file for `id` and returns its path.
  std::string WriteIdentity(const AgeIdentity& id, const std::string& name) {
    SecretBytes text = id.FileText(std::chrono::system_clock::now());
    return MakeFile(name, std::string(AsChars(text.view())));
  }

  // Opens an age file on disk with AgeFile through pread.
  Result<AgeFile> OpenPath(const std::string& path, const std::vector<AgeIdentity>& ids) {
    std::string data = ReadFileBytes(path);
    return testing::OpenString(data, ids);
  }

  std::vector<AgeIdentity> Load(const std::string& identity_path) {
    auto ids = ParseAgeIdentities(ReadFileBytes(identity_path));
    EXPECT_TRUE(ids.ok()) << ids.status().message();
    return ids.ok() ? std::move(*ids) : std::vector<AgeIdentity>();
  }
};

TEST_F(AgeInteropTest, StockAgeDecryptsOurFiles) {
  AgeIdentity id = AgeIdentity::Generate();
  std::string key = WriteIdentity(id, "key.txt");
  for (size_t n :
       {size_t{0}, size_t{1}, kInteropChunk - 1, kInteropChunk, kInteropChunk + 1, 3 * kInteropChunk + 5, size_t{5} << 20}) {
    std::string plain = PseudoRandomBytes(n, n + 1);
    std::string enc = MakeFile("f.age", testing::Encrypt(plain, {id.Recipient()}, 50000));
    RunResult r = RunProgram(kAge, {"-d", "-i", key, enc});
    ASSERT_EQ(r.exit_code, 0) << "size " << n << r;
    EXPECT_TRUE(r.out == plain) << "size " << n;
  }
}

TEST_F(AgeInteropTest, StockAgeDecryptsOurMultiRecipientFiles) {
  AgeIdentity a = AgeIdentity::Generate(), b = AgeIdentity::Generate();
  std::string plain = PseudoRandomBytes(200000, 3);
  std::string enc = MakeFile("f.age", testing::Encrypt(plain, {a.Recipient(), b.Recipient()}));
  for (const AgeIdentity* id : {&a, &b}) {
    std::string key = WriteIdentity(*id, "k.txt");
    RunResult r = RunProgram(kAge, {"-d", "-i", key, enc});
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_TRUE(r.out == plain);
    std::filesystem::remove(key);
  }
  std::string other = WriteIdentity(AgeIdentity::Generate(), "other.txt");
  EXPECT_NE(RunProgram(kAge, {"-d", "-i", other, enc}).exit_code, 0);
}

TEST_F(AgeInteropTest, WeDecryptStockAgeFilesAtRandomOffsets) {
  AgeIdentity id = AgeIdentity::Generate();
  const std::string recipient = id.Recipient().ToString();
  std::string recipients_file = MakeFile("recipients.txt", "# ours\n" + recipient + "\n");
  std::vector<AgeIdentity> ids;
  ids.push_back(std::move(id));
  std::mt19937_64 rng(1);
  for (size_t n : {size_t{0}, size_t{1}, kInteropChunk, kInteropChunk + 1, 3 * kInteropChunk + 5, size_t{3} << 20}) {
    std::string plain = PseudoRandomBytes(n, n + 7);
    std::string in = MakeFile("in.bin", plain);
    for (bool use_R : {false, true}) {
      std::string out = Path(use_R ? "R.age" : "r.age");
      RunResult r =
          RunProgram(kAge, use_R ? std::vector<std::string>{"-R", recipients_file, "-o", out, in}
                                 : std::vector<std::string>{"-r", recipient, "-o", out, in});
      ASSERT_EQ(r.exit_code, 0) << r;
      auto f = OpenPath(out, ids);
      ASSERT_TRUE(f.ok()) << n << ": " << f.status().message();
      ASSERT_EQ(f->plaintext_size(), n);
      auto all = testing::ReadAll(*f, 40000);
      ASSERT_TRUE(all.ok());
      EXPECT_TRUE(*all == plain) << n;
      std::vector<uint8_t> buf(kInteropChunk * 2);
      for (int i = 0; i < 50 && n > 0; ++i) {
        uint64_t off = rng() % n;
        size_t len = rng() % buf.size();
        auto got = f->ReadAt(off, buf.data(), len);
        ASSERT_TRUE(got.ok()) << got.status().message();
        size_t want = std::min<size_t>(len, n - off);
        ASSERT_EQ(*got, want);
        EXPECT_EQ(std::string(reinterpret_cast<char*>(buf.data()), want), plain.substr(off, want));
      }
      std::filesystem::remove(out);
    }
  }
}

TEST_F(AgeInteropTest, StockKeysWorkHereAndOursThere) {
  // A stock age-keygen identity file: parsed here, its public key agrees with age-keygen -y.
  std::string stock_key = Path("stock.txt");
  RunResult g = RunProgram(kAgeKeygen, {"-o", stock_key});
  ASSERT_EQ(g.exit_code, 0) << g;
  std::vector<AgeIdentity> stock_ids = Load(stock_key);
  ASSERT_EQ(stock_ids.size(), 1u);
  RunResult y = RunProgram(kAgeKeygen, {"-y", stock_key});
  ASSERT_EQ(y.exit_code, 0) << y;
  EXPECT_EQ(y.out, stock_ids[0].Recipient().ToString() + "\n");
  // age-keygen prints the same public key on stderr when writing to a file.
  EXPECT_NE(g.err.find("Public key: " + stock_ids[0].Recipient().ToString()), std::string::npos);

  // Our identity file: the stock age-keygen -y derives the same recipient.
  AgeIdentity ours = AgeIdentity::Generate();
  std::string our_key = WriteIdentity(ours, "ours.txt");
  RunResult y2 = RunProgram(kAgeKeygen, {"-y", our_key});
  ASSERT_EQ(y2.exit_code, 0) << y2;
  EXPECT_EQ(y2.out, ours.Recipient().ToString() + "\n");

  // A file from stock age to both keys opens here with either.
  std::string plain = PseudoRandomBytes(70000, 9);
  std::string in = MakeFile("in.bin", plain);
  std::string out = Path("both.age");
  RunResult e = RunProgram(kAge, {"-r", ours.Recipient().ToString(), "-r",
                                  stock_ids[0].Recipient().ToString(), "-o", out, in});
  ASSERT_EQ(e.exit_code, 0) << e;
  auto f1 = OpenPath(out, stock_ids);
  ASSERT_TRUE(f1.ok()) << f1.status().message();
  EXPECT_TRUE(*testing::ReadAll(*f1) == plain);
  std::vector<AgeIdentity> our_ids = Load(our_key);
  auto f2 = OpenPath(out, our_ids);
  ASSERT_TRUE(f2.ok()) << f2.status().message();
  EXPECT_TRUE(*testing::ReadAll(*f2) == plain);

  // A combined identity file (ours then stock) in the stock format parses as two keys.
  std::string both = ReadFileBytes(our_key) + "\n" + ReadFileBytes(stock_key);
  auto two = ParseAgeIdentities(both);
  ASSERT_TRUE(two.ok()) << two.status().message();
  EXPECT_EQ(two->size(), 2u);
}

TEST_F(AgeInteropTest, StockArmoredFilesAreRefusedCleanly) {
  AgeIdentity id = AgeIdentity::Generate();
  std::string in = MakeFile("in.txt", "hello");
  std::string out = Path("a.age");
  RunResult e = RunProgram(kAge, {"-a", "-r", id.Recipient().ToString(), "-o", out, in});
  ASSERT_EQ(e.exit_code, 0) << e;
  std::vector<AgeIdentity> ids;
  ids.push_back(std::move(id));
  auto f = OpenPath(out, ids);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), Code::kInvalidInput);
  EXPECT_NE(f.status().message().find("armored"), std::string::npos);
}

TEST_F(AgeInteropTest, KeyAgeKeygenMakesIdentitiesStockAgeAccepts) {
  std::string key = Path("id.txt");
  RunResult r = Run({"key", "age-keygen", "-o", key});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(FileMode(key), 0600u);
  // Public key on stderr, as age-keygen prints it, and equal to what age-keygen -y derives.
  RunResult y = RunProgram(kAgeKeygen, {"-y", key});
  ASSERT_EQ(y.exit_code, 0) << y;
  ASSERT_EQ(y.out.rfind("age1", 0), 0u);
  EXPECT_EQ(r.err, "Public key: " + y.out);
  std::string text = ReadFileBytes(key);
  EXPECT_EQ(text.rfind("# created: ", 0), 0u);
  EXPECT_NE(text.find("\n# public key: " + y.out), std::string::npos);
  // The secret key never appears on stdout or stderr.
  EXPECT_EQ(r.err.find("AGE-SECRET-KEY-1"), std::string::npos);

  // Stock age encrypts to it and decrypts with it.
  std::string plain = PseudoRandomBytes(100000, 4);
  std::string in = MakeFile("in.bin", plain);
  std::string enc = Path("x.age");
  std::string recipient = y.out.substr(0, y.out.size() - 1);
  ASSERT_EQ(RunProgram(kAge, {"-r", recipient, "-o", enc, in}).exit_code, 0);
  RunResult d = RunProgram(kAge, {"-d", "-i", key, enc});
  ASSERT_EQ(d.exit_code, 0) << d;
  EXPECT_TRUE(d.out == plain);

  // Never over an existing file; -o is required; not to stdout.
  RunResult again = Run({"key", "age-keygen", "-o", key});
  EXPECT_AMANAT_ERROR(again, 2, "already exists");
  EXPECT_EQ(ReadFileBytes(key), text);
  RunResult no_o = Run({"key", "age-keygen"});
  EXPECT_EQ(no_o.exit_code, 2) << no_o;
  EXPECT_AMANAT_ERROR(Run({"key", "age-keygen", "-o", "-"}), 2, "standard output");
  EXPECT_FALSE(std::filesystem::exists(Path("missing-dir") + "/id.txt"));
  RunResult no_dir = Run({"key", "age-keygen", "-o", Path("missing-dir") + "/id.txt"});
  EXPECT_NE(no_dir.exit_code, 0) << no_dir;
  EXPECT_NE(no_dir.exit_code, 2) << no_dir;
}

}  // namespace
}  // namespace amanat::crypto
