// End-to-end tests of the amanat command line (issue 2): they run the built binary and check
// exit codes, stdout, stderr and what lands on disk. Library-level tests of the same paths
// are in keyslots_test.cc and items_test.cc.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <sodium.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/secret.h"
#include "tests/cli_runner.h"
#include "vault/vault.h"

namespace amanat::testing {
namespace {

using nlohmann::json;

// sha256sum tests/fixtures/testimony-omir-bekali.txt
constexpr char kTestimonySha256[] =
    "c01f1009e392e923f027683b95e432fc1f098d644b2b4c62886bf5e7a6ed025a";
// Two inputs whose SHA-256 share their first 8 hex digits (see tests/fixtures/README.md).
constexpr char kCollisionA[] = "3a8da86dc38f45fe725768b679fedacf7fa8bbecd9d6df5bfe56c86aa9fc35a1";
constexpr char kCollisionB[] = "3a8da86d810297f9e8a2aa30c60a2ba1058536f80815c0440517c86b6170f2c5";

// A small PNG (signature + IHDR), a PDF header, a WAV header: what libmagic should name.
std::string TinyPng() {
  const unsigned char png[] = {0x89, 'P',  'N',  'G',  '\r', '\n', 0x1a, '\n', 0,    0,   0,
                               13,   'I',  'H',  'D',  'R',  0,    0,    0,    1,    0,   0,
                               0,    1,    8,    6,    0,    0,    0,    0x1f, 0x15, 0xc4, 0x89};
  return std::string(reinterpret_cast<const char*>(png), sizeof png);
}
std::string TinyWav(size_t data_bytes) {
  auto le32 = [](uint32_t v) {
    std::string s(4, '\0');
    for (int i = 0; i < 4; ++i) s[static_cast<size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xff);
    return s;
  };
  auto le16 = [](uint16_t v) {
    return std::string{static_cast<char>(v & 0xff), static_cast<char>(v >> 8)};
  };
  const auto n = static_cast<uint32_t>(data_bytes);
  return "RIFF" + le32(36 + n) + "WAVEfmt " + le32(16) + le16(1) + le16(1) + le32(16000) +
         le32(32000) + le16(2) + le16(16) + "data" + le32(n) + PseudoRandomBytes(data_bytes, 7);
}

class Cli : public CliTest {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::InitCrypto()); }

  std::string Testimony() const { return FixturePath(kTestimony); }

  // Unlocks this test's vault in-process (for checks and deliberate damage only).
  std::unique_ptr<vault::Vault> OpenInProcess() {
    auto v = vault::Vault::Open(vault(), "", [](const vault::KeySlot&) {
      return Result<crypto::SecretBytes>(crypto::SecretBytes::Copy(AsBytes(kPassphrase)));
    });
    EXPECT_TRUE(v.ok()) << v.status().message();
    return v.ok() ? std::move(*v) : nullptr;
  }

  json KeySlotsJson() {
    return json::parse(ReadFileBytes(vault() + "/keyslots.json"), nullptr, false);
  }
  void WriteKeySlots(const json& j) { WriteFileBytes(vault() + "/keyslots.json", j.dump(2)); }

  // Flips one bit in the middle of the base64 value at slots[0][object][field].
  void FlipWrapped(const char* object, const char* field) {
    json j = KeySlotsJson();
    std::string b64 = j["slots"][0][object][field].get<std::string>();
    auto raw = crypto::Base64Decode(b64);
    ASSERT_TRUE(raw.ok());
    (*raw)[raw->size() / 2] ^= 0x10;
    j["slots"][0][object][field] = crypto::Base64Encode(*raw);
    WriteKeySlots(j);
  }

  // Asserts that nothing about the vault's items changed: it still lists `ids`, in order.
  void ExpectItems(const std::vector<std::string>& ids) {
    RunResult r = RunV({"ls", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r;
    json j = ParseJson(r);
    ASSERT_TRUE(j.is_array()) << r;
    std::vector<std::string> got;
    for (const auto& it : j) got.push_back(it["id"].get<std::string>());
    EXPECT_EQ(got, ids) << r;
  }
};

// ---------------------------------------------------------------------------------------
// init

TEST_F(Cli, InitCreatesPrivateVault) {
  RunResult r = InitVault();
  EXPECT_NE(r.out.find("created vault "), std::string::npos) << r;
  EXPECT_NE(r.out.find("custodian alice"), std::string::npos) << r;
  // insecure-fast is loud about itself, but it is a warning, not an error.
  EXPECT_NE(r.err.find("amanat: warning: --kdf insecure-fast"), std::string::npos) << r;
  EXPECT_EQ(r.err.find("error"), std::string::npos) << r;

  EXPECT_EQ(FileMode(vault()), 0700u);
  EXPECT_EQ(FileMode(vault() + "/vault.db"), 0600u);
  EXPECT_EQ(FileMode(vault() + "/keyslots.json"), 0600u);
  // Every file and directory under the vault is the owner's alone.
  std::error_code ec;
  int entries = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(vault(), ec)) {
    ++entries;
    mode_t mode = FileMode(e.path().string());
    EXPECT_EQ(mode, e.is_directory() ? 0700u : 0600u) << e.path();
  }
  EXPECT_GE(entries, 2);
  // The vault.db is encrypted from its first byte.
  std::string db = ReadFileBytes(vault() + "/vault.db");
  ASSERT_GE(db.size(), 16u);
  EXPECT_NE(db.substr(0, 15), "SQLite format 3");
  // And the vault opens.
  r = RunV({"ls"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "") << r;
}

TEST_F(Cli, InitTightensTheModeOfAnEmptyDirectory) {
  ASSERT_EQ(::mkdir(vault().c_str(), 0755), 0);
  ASSERT_EQ(::chmod(vault().c_str(), 0755), 0);
  InitVault();
  EXPECT_EQ(FileMode(vault()), 0700u);
}

TEST_F(Cli, InitRefusesAnExistingVault) {
  InitVault();
  const std::string before = ReadFileBytes(vault() + "/keyslots.json");
  const std::string db_before = ReadFileBytes(vault() + "/vault.db");
  RunResult r = Run({"init", "--vault", vault(), "--custodian", "bob", "--kdf", "insecure-fast",
                     "--passphrase-file", pass_file()});
  EXPECT_EQ(r.exit_code, 2) << r;
  std::string line = ErrorLine(r, /*allow_warnings=*/true);
  EXPECT_NE(line.find("already holds a vault"), std::string::npos) << r;
  EXPECT_EQ(ReadFileBytes(vault() + "/keyslots.json"), before);
  EXPECT_EQ(ReadFileBytes(vault() + "/vault.db"), db_before);
}

TEST_F(Cli, InitRefusesANonEmptyDirectory) {
  ASSERT_EQ(::mkdir(vault().c_str(), 0700), 0);
  WriteFileBytes(vault() + "/notes.txt", "field notes");
  RunResult r = Run({"init", "--vault", vault(), "--custodian", "alice", "--kdf", "insecure-fast",
                     "--passphrase-file", pass_file()});
  EXPECT_EQ(r.exit_code, 2) << r;
  std::string line = ErrorLine(r, /*allow_warnings=*/true);
  EXPECT_NE(line.find("not empty"), std::string::npos) << r;
  EXPECT_EQ(ReadFileBytes(vault() + "/notes.txt"), "field notes");
  EXPECT_FALSE(std::filesystem::exists(vault() + "/vault.db"));
  EXPECT_FALSE(std::filesystem::exists(vault() + "/keyslots.json"));
}

TEST_F(Cli, InitNeedsACustodian) {
  RunResult r = Run({"init", "--vault", vault(), "--kdf", "insecure-fast", "--passphrase-file",
                     pass_file()});
  EXPECT_AMANAT_ERROR(r, 2, "custodian");
  EXPECT_FALSE(std::filesystem::exists(vault()));
}

TEST_F(Cli, InitRejectsAnUnknownKdfLevel) {
  RunResult r = Run({"init", "--vault", vault(), "--custodian", "alice", "--kdf", "weak",
                     "--passphrase-file", pass_file()});
  EXPECT_AMANAT_ERROR(r, 2, "kdf");
  EXPECT_FALSE(std::filesystem::exists(vault()));
}

TEST_F(Cli, PassphraseIsNeverACommandLineArgument) {
  RunResult r = Run({"init", "--vault", vault(), "--custodian", "alice", "--kdf", "insecure-fast",
                     "--passphrase", "hunter2hunter2"});
  EXPECT_EQ(r.exit_code, 2) << r;
  ErrorLine(r);
  EXPECT_FALSE(std::filesystem::exists(vault() + "/keyslots.json"));
}

TEST_F(Cli, WithoutTerminalOrPassphraseFileInitFailsCleanly) {
  // The runner starts amanat in a new session: there is no terminal to ask on.
  RunResult r =
      Run({"init", "--vault", vault(), "--custodian", "alice", "--kdf", "insecure-fast"});
  EXPECT_EQ(r.exit_code, 2) << r;
  std::string line = ErrorLine(r, /*allow_warnings=*/true);
  EXPECT_NE(line.find("no terminal"), std::string::npos) << r;
  EXPECT_NE(r.err.find("amanat: hint: "), std::string::npos) << r;
  EXPECT_NE(r.err.find("--passphrase-file"), std::string::npos) << r;
  EXPECT_FALSE(std::filesystem::exists(vault() + "/keyslots.json"));
}

TEST_F(Cli, EmptyPassphraseFileIsRefused) {
  std::string empty = MakeFile("empty-pass", "\n");
  RunResult r = Run({"init", "--vault", vault(), "--custodian", "alice", "--kdf", "insecure-fast",
                     "--passphrase-file", empty});
  EXPECT_EQ(r.exit_code, 2) << r;
  std::string line = ErrorLine(r, /*allow_warnings=*/true);
  EXPECT_NE(line.find("empty"), std::string::npos) << r;
  EXPECT_FALSE(std::filesystem::exists(vault() + "/keyslots.json"));
}

TEST_F(Cli, InitJsonOutput) {
  RunResult r = Run({"init", "--vault", vault(), "--custodian", "alice", "--kdf", "insecure-fast",
                     "--passphrase-file", pass_file(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r;
  json j = ParseJson(r);
  ASSERT_TRUE(j.is_object()) << r;
  EXPECT_EQ(j.value("custodian", ""), "alice");
  EXPECT_EQ(j.value("kdf", ""), "insecure-fast");
  std::string id = j.value("vault_id", "");
  EXPECT_EQ(id.size(), 16u);
  EXPECT_TRUE(crypto::IsLowerHex(id)) << id;
  EXPECT_EQ(KeySlotsJson().value("vault_id", ""), id);
}

TEST_F(Cli, KeySlotsHoldNoSecretInClear) {
  InitVault();
  const std::string text = ReadFileBytes(vault() + "/keyslots.json");
  json j = json::parse(text, nullptr, false);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j.value("format", ""), "amanat-keyslots/3");
  ASSERT_EQ(j["slots"].size(), 1u);
  EXPECT_EQ(j["slots"][0].value("custodian", ""), "alice");
  EXPECT_EQ(j["slots"][0]["kdf"].value("algorithm", ""), "argon2id13");
  EXPECT_EQ(text.find(kPassphrase), std::string::npos);

  // Unlock in-process to learn the secrets, then look for them in every encoding.
  auto v = OpenInProcess();
  ASSERT_NE(v, nullptr);
  std::vector<std::pair<std::string, ByteView>> secrets = {
      {"vault key", v->vault_key().view()},
      // libsodium's 64-byte secret key is seed || public key; the seed is the secret half.
      {"signing key seed", v->actor_key().secret_key().view().first(32)},
  };
  crypto::SecretBytes db_key = vault::DatabaseKey(v->vault_key());
  secrets.emplace_back("database key", db_key.view());
  for (const auto& [name, secret] : secrets) {
    ASSERT_GE(secret.size(), 32u);
    for (size_t off : {size_t{0}, secret.size() - 16}) {
      ByteView part = secret.subspan(off, 16);
      EXPECT_EQ(text.find(std::string(AsChars(part))), std::string::npos) << name << " raw";
      std::string hex = crypto::HexEncode(part);
      EXPECT_EQ(text.find(hex), std::string::npos) << name << " hex";
      std::string upper = hex;
      std::transform(upper.begin(), upper.end(), upper.begin(),
                     [](char ch) { return static_cast<char>(std::toupper(static_cast<unsigned char>(ch))); });
      EXPECT_EQ(text.find(upper), std::string::npos) << name << " HEX";
    }
    // base64 of the whole secret, and of 15-byte windows at each of the 3 alignments.
    EXPECT_EQ(text.find(crypto::Base64Encode(secret)), std::string::npos) << name << " base64";
    for (size_t off = 0; off < 3; ++off) {
      std::string b64 = crypto::Base64Encode(secret.subspan(off, 15));
      EXPECT_EQ(text.find(b64), std::string::npos) << name << " base64 at " << off;
    }
  }
}

// ---------------------------------------------------------------------------------------
// passphrases and key slots

TEST_F(Cli, WrongPassphraseExits3OnEveryCommand) {
  InitVault();
  std::string id = AddFile(Testimony());
  std::string wrong = MakeFile("wrong", "not the passphrase\n");
  std::string newpass = MakeFile("new", "another passphrase\n");
  const std::string keyslots_before = ReadFileBytes(vault() + "/keyslots.json");
  const std::vector<std::vector<std::string>> commands = {
      {"ls"},
      {"show", id},
      {"add", Testimony()},
      {"get", id, "-o", Path("out")},
      {"passwd", "--new-passphrase-file", newpass},
  };
  for (const auto& cmd : commands) {
    std::vector<std::string> args = {"--vault", vault(), "--passphrase-file", wrong};
    args.insert(args.end(), cmd.begin(), cmd.end());
    RunResult r = Run(args);
    EXPECT_AMANAT_ERROR(r, 3, "wrong passphrase");
    EXPECT_EQ(r.out, "") << r;
  }
  EXPECT_FALSE(std::filesystem::exists(Path("out")));
  EXPECT_EQ(ReadFileBytes(vault() + "/keyslots.json"), keyslots_before);
}

TEST_F(Cli, VaultAndPassphraseFileFromTheEnvironment) {
  InitVault();
  RunOptions env;
  env.env["AMANAT_VAULT"] = vault();
  env.env["AMANAT_PASSPHRASE_FILE"] = pass_file();
  RunResult r = Run({"add", Testimony()}, env);
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out.substr(0, 64), kTestimonySha256);
  r = Run({"ls"}, env);
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out.substr(0, 64), kTestimonySha256);

  // A wrong passphrase file named in the environment is used, and fails as such.
  env.env["AMANAT_PASSPHRASE_FILE"] = MakeFile("wrong", "nope nope\n");
  r = Run({"ls"}, env);
  EXPECT_AMANAT_ERROR(r, 3, "wrong passphrase");
}

TEST_F(Cli, PassphraseFileUsesOnlyTheFirstLine) {
  InitVault();
  // Same passphrase, CRLF line ending and a second line: still the same passphrase.
  std::string crlf = MakeFile("crlf", std::string(kPassphrase) + "\r\nsecond line\n");
  RunResult r = Run({"--vault", vault(), "--passphrase-file", crlf, "ls"});
  EXPECT_EQ(r.exit_code, 0) << r;
  // A prefix of the passphrase is not the passphrase.
  std::string prefix = MakeFile("prefix", std::string(kPassphrase).substr(0, 10) + "\n");
  r = Run({"--vault", vault(), "--passphrase-file", prefix, "ls"});
  EXPECT_AMANAT_ERROR(r, 3, "wrong passphrase");
}

TEST_F(Cli, MissingPassphraseFileIsNotFound) {
  InitVault();
  RunResult r = Run({"--vault", vault(), "--passphrase-file", Path("no-such-file"), "ls"});
  EXPECT_AMANAT_ERROR(r, 4, "no-such-file");
}

TEST_F(Cli, TruncatedKeySlotsIsDamagedNotWrongPassphrase) {
  InitVault();
  std::string text = ReadFileBytes(vault() + "/keyslots.json");
  WriteFileBytes(vault() + "/keyslots.json", text.substr(0, text.size() / 2));
  RunResult r = RunV({"ls"});
  EXPECT_AMANAT_ERROR(r, 2, "keyslots.json is damaged");
  EXPECT_EQ(r.err.find("wrong passphrase"), std::string::npos) << r;
}

TEST_F(Cli, InvalidJsonKeySlotsIsDamaged) {
  InitVault();
  for (const std::string& bad : {std::string("{"), std::string("not json at all"),
                                 std::string("[]"), std::string(""), std::string("{}")}) {
    WriteFileBytes(vault() + "/keyslots.json", bad);
    RunResult r = RunV({"ls"});
    EXPECT_NE(r.exit_code, 0) << r;
    EXPECT_NE(r.exit_code, 3) << r;
    std::string line = ErrorLine(r);
    EXPECT_NE(line.find("keyslots.json"), std::string::npos) << r;
    EXPECT_EQ(line.find("wrong passphrase"), std::string::npos) << r;
  }
}

TEST_F(Cli, KeySlotWithAMissingFieldNamesTheField) {
  InitVault();
  json j = KeySlotsJson();
  j["slots"][0].erase("vault_key");
  WriteKeySlots(j);
  RunResult r = RunV({"ls"});
  EXPECT_AMANAT_ERROR(r, 2, "vault_key");
}

TEST_F(Cli, FlippedByteInWrappedVaultKeyIsDamagedNotWrongPassphrase) {
  InitVault();
  FlipWrapped("vault_key", "ciphertext");
  RunResult r = RunV({"ls"});
  EXPECT_AMANAT_ERROR(r, 1, "damaged");
  EXPECT_NE(r.err.find("keyslots.json"), std::string::npos) << r;
  EXPECT_EQ(r.err.find("wrong passphrase"), std::string::npos) << r;
}

TEST_F(Cli, FlippedByteInWrappedSigningKeyIsDamaged) {
  InitVault();
  FlipWrapped("sign_key", "ciphertext");
  RunResult r = RunV({"ls"});
  EXPECT_AMANAT_ERROR(r, 1, "damaged");
  EXPECT_EQ(r.err.find("wrong passphrase"), std::string::npos) << r;
}

TEST_F(Cli, FlippedByteInNonceIsDamaged) {
  InitVault();
  FlipWrapped("vault_key", "nonce");
  RunResult r = RunV({"ls"});
  EXPECT_AMANAT_ERROR(r, 1, "damaged");
}

TEST_F(Cli, SwappedVaultKeyFromAnotherVaultIsDamaged) {
  // Same custodian, same passphrase: only the wrapped vault key comes from elsewhere.
  InitVault();
  InitVault(Path("other"));
  json mine = KeySlotsJson();
  json theirs = json::parse(ReadFileBytes(Path("other/keyslots.json")), nullptr, false);
  mine["slots"][0]["vault_key"] = theirs["slots"][0]["vault_key"];
  WriteKeySlots(mine);
  RunResult r = RunV({"ls"});
  EXPECT_AMANAT_ERROR(r, 1, "damaged");
  EXPECT_EQ(r.err.find("wrong passphrase"), std::string::npos) << r;
}

TEST_F(Cli, SwappedWrappedSecretsAreDamaged) {
  // The two wrapped secrets of one slot exchanged: sizes differ, so the structure check
  // catches it before any cryptography.
  InitVault();
  json j = KeySlotsJson();
  std::swap(j["slots"][0]["vault_key"], j["slots"][0]["sign_key"]);
  WriteKeySlots(j);
  RunResult r = RunV({"ls"});
  EXPECT_AMANAT_ERROR(r, 2, "keyslots.json is damaged");
}

TEST_F(Cli, KeySlotsFromAnotherVaultIsAPreciseError) {
  // Same custodian name and passphrase, so the foreign slot would unlock: the pairing of
  // keyslots.json and vault.db must still be noticed.
  InitVault();
  InitVault(Path("other"));
  std::string id = AddFile(Testimony());
  std::filesystem::copy_file(Path("other/keyslots.json"), vault() + "/keyslots.json",
                             std::filesystem::copy_options::overwrite_existing);
  RunResult r = RunV({"show", id});
  EXPECT_AMANAT_ERROR(r, 1, "not from the same vault");
  EXPECT_EQ(r.err.find("wrong passphrase"), std::string::npos) << r;
  EXPECT_EQ(r.out, "") << r;
}

TEST_F(Cli, ForeignVaultIdInKeySlotsIsRefused) {
  // keyslots.json claims another vault ID: the wrapped secrets' associated data no longer
  // matches, or the database's own record of its ID does not. Either way: not exit 0, not 3.
  InitVault();
  json j = KeySlotsJson();
  j["vault_id"] = "0123456789abcdef";
  WriteKeySlots(j);
  RunResult r = RunV({"ls"});
  EXPECT_EQ(r.exit_code, 1) << r;
  ErrorLine(r);
  EXPECT_EQ(r.err.find("wrong passphrase"), std::string::npos) << r;
}

TEST_F(Cli, AbsurdKdfParametersAreRefusedBeforeAnyWork) {
  InitVault();
  json j = KeySlotsJson();
  j["slots"][0]["kdf"]["memlimit"] = 1ULL << 50;  // a petabyte
  WriteKeySlots(j);
  auto start = std::chrono::steady_clock::now();
  RunResult r = RunV({"ls"});
  EXPECT_AMANAT_ERROR(r, 2, "kdf");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

TEST_F(Cli, MissingKeySlotsIsNotFound) {
  InitVault();
  ASSERT_EQ(::unlink((vault() + "/keyslots.json").c_str()), 0);
  RunResult r = RunV({"ls"});
  EXPECT_AMANAT_ERROR(r, 4, "keyslots.json");
}

TEST_F(Cli, NoVaultIsNotFound) {
  RunResult r = RunV({"ls"});
  EXPECT_AMANAT_ERROR(r, 4, "no vault");
  EXPECT_FALSE(std::filesystem::exists(vault())) << "ls must not create a vault";
}

TEST_F(Cli, PasswdChangesThePassphrase) {
  InitVault();
  std::string id = AddFile(Testimony());
  std::string newpass = MakeFile("new-passphrase", "a new and different passphrase\n");
  const std::string db_before = ReadFileBytes(vault() + "/vault.db");
  RunResult r = RunV({"passwd", "--new-passphrase-file", newpass});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_NE(r.out.find("passphrase changed for alice"), std::string::npos) << r;
  EXPECT_EQ(r.err, "") << r;

  // The old passphrase no longer opens the vault...
  r = RunV({"ls"});
  EXPECT_AMANAT_ERROR(r, 3, "wrong passphrase");
  // ...the new one does, and the evidence is all there, byte for byte.
  r = Run({"--vault", vault(), "--passphrase-file", newpass, "get", id, "-o", Path("out")});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(ReadFileBytes(Path("out")), ReadFileBytes(Testimony()));
  // Rewrapping re-encrypts nothing: the SQLCipher salt (first 16 bytes) is unchanged.
  EXPECT_EQ(ReadFileBytes(vault() + "/vault.db").substr(0, 16), db_before.substr(0, 16));
}

TEST_F(Cli, PasswdWithTheWrongOldPassphraseChangesNothing) {
  InitVault();
  std::string wrong = MakeFile("wrong", "wrong old passphrase\n");
  std::string newpass = MakeFile("new", "new passphrase\n");
  const std::string before = ReadFileBytes(vault() + "/keyslots.json");
  RunResult r = Run({"--vault", vault(), "--passphrase-file", wrong, "passwd",
                     "--new-passphrase-file", newpass});
  EXPECT_AMANAT_ERROR(r, 3, "wrong passphrase");
  EXPECT_EQ(ReadFileBytes(vault() + "/keyslots.json"), before);
  r = RunV({"ls"});
  EXPECT_EQ(r.exit_code, 0) << r;
}

// ---------------------------------------------------------------------------------------
// add

TEST_F(Cli, AddPrintsSha256AndFileName) {
  InitVault();
  RunResult r = RunV({"add", Testimony()});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, std::string(kTestimonySha256) + "  " + Testimony() + "\n");
  EXPECT_EQ(Sha256SumOfFile(Testimony()), kTestimonySha256);
  EXPECT_EQ(r.err, "") << "no progress or chatter when stderr is not a terminal" << r;
}

TEST_F(Cli, AddSeveralFilesPrintsOneLineEach) {
  InitVault();
  std::string a = MakeFile("a.bin", PseudoRandomBytes(1000, 1));
  std::string b = MakeFile("b.bin", PseudoRandomBytes(3 * 1024 * 1024 + 5, 2));
  RunResult r = RunV({"add", a, b});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, Sha256SumOfFile(a) + "  " + a + "\n" + Sha256SumOfFile(b) + "  " + b + "\n");
  ExpectItems({Sha256SumOfFile(a), Sha256SumOfFile(b)});
}

TEST_F(Cli, AddReadsStandardInput) {
  InitVault();
  RunOptions in;
  in.stdin_data = PseudoRandomBytes(2 * 1024 * 1024 + 17, 3);
  RunResult r = RunV({"add", "-", "--kind", "audio"}, in);
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::string sha = Sha256SumOf(*in.stdin_data);
  EXPECT_EQ(r.out, sha + "  -\n");
  r = RunV({"get", sha, "-o", "-"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_TRUE(r.out == *in.stdin_data) << "standard input did not round-trip";
}

TEST_F(Cli, AddStandardInputOnlyOnce) {
  InitVault();
  RunOptions in;
  in.stdin_data = "x";
  RunResult r = RunV({"add", "-", "-"}, in);
  EXPECT_AMANAT_ERROR(r, 2, "standard input");
  ExpectItems({});
}

TEST_F(Cli, SameBytesTwiceAreStoredOnce) {
  InitVault();
  const std::string content = PseudoRandomBytes(2 * 1024 * 1024, 4);
  std::string a = MakeFile("first.bin", content);
  std::string b = MakeFile("second-name.bin", content);
  std::string id = AddFile(a, {"--title", "first title"});
  const auto size_after_first = std::filesystem::file_size(vault() + "/vault.db");

  RunResult r = RunV({"add", b, "--json", "--title", "second title"});
  ASSERT_EQ(r.exit_code, 0) << r;
  json j = ParseJson(r);
  ASSERT_TRUE(j.is_array() && j.size() == 1) << r;
  EXPECT_EQ(j[0].value("id", ""), id);
  EXPECT_EQ(j[0].value("already_present", false), true) << r;
  const auto size_after_second = std::filesystem::file_size(vault() + "/vault.db");
  // A second copy would add 2 MiB; an ingest event is a few KiB.
  EXPECT_LT(size_after_second, size_after_first + 512 * 1024)
      << "the same bytes were stored twice";
  ExpectItems({id});
  // The item keeps its first metadata; later ingests never overwrite.
  r = RunV({"show", id, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(ParseJson(r)["metadata"].value("title", ""), "first title") << r;
}

TEST_F(Cli, MediaTypeComesFromLibmagic) {
  InitVault();
  struct Case {
    std::string name, content, media_type;
  };
  const std::vector<Case> cases = {
      {"testimony.txt", ReadFileBytes(Testimony()), "text/plain"},
      {"photo.jpg", TinyPng(), "image/png"},  // content, not the file name, decides
      {"recording.bin", TinyWav(64 * 1024), "audio/x-wav"},
      {"statement.pdf", "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n",
       "application/pdf"},
      {"noise.txt", PseudoRandomBytes(4096, 5), "application/octet-stream"},
      {"empty", "", "application/x-empty"},
  };
  for (const auto& c : cases) {
    std::string id = AddFile(MakeFile(c.name, c.content));
    RunResult r = RunV({"show", id, "--json"});
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_EQ(ParseJson(r).value("media_type", ""), c.media_type) << c.name << r;
  }
}

TEST_F(Cli, AddJsonOutputShape) {
  InitVault();
  std::string png = MakeFile("p.png", TinyPng());
  RunResult r = RunV({"add", Testimony(), png, "--json", "--kind", "document"});
  ASSERT_EQ(r.exit_code, 0) << r;
  json j = ParseJson(r);
  ASSERT_TRUE(j.is_array()) << r;
  ASSERT_EQ(j.size(), 2u) << r;
  EXPECT_EQ(j[0].value("id", ""), kTestimonySha256);
  EXPECT_EQ(j[0].value("file", ""), Testimony());
  EXPECT_EQ(j[0].value("size", 0), 15753);
  EXPECT_EQ(j[0].value("media_type", ""), "text/plain");
  EXPECT_EQ(j[0].value("kind", ""), "document");
  EXPECT_EQ(j[0].value("already_present", true), false);
  EXPECT_EQ(j[1].value("file", ""), png);
  EXPECT_EQ(j[1].value("media_type", ""), "image/png");
  for (const auto& e : j) {
    for (const char* k : {"id", "file", "size", "media_type", "kind", "already_present"}) {
      EXPECT_TRUE(e.contains(k)) << k << r;
    }
  }
}

TEST_F(Cli, MetadataFlagsAreStored) {
  InitVault();
  RunResult r = RunV({"add", Testimony(), "--kind", "testimony", "--title",
                      "Testimony from Karamay", "--lang", "ug", "--captured-at",
                      "2017-03-26T10:00:00+06:00", "--place", "Almaty region", "--witness",
                      "W-7K3F9Q", "--tag", "camps", "--tag", "un-testimony", "--note",
                      "copied from the published book", "--confidentiality", "restricted"});
  ASSERT_EQ(r.exit_code, 0) << r;
  r = RunV({"show", kTestimonySha256, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r;
  json j = ParseJson(r);
  EXPECT_EQ(j.value("id", ""), kTestimonySha256);
  EXPECT_EQ(j.value("size", 0), 15753);
  EXPECT_EQ(j.value("kind", ""), "testimony");
  EXPECT_FALSE(j.value("ingested_at", "").empty());
  const json& m = j["metadata"];
  EXPECT_EQ(m.value("title", ""), "Testimony from Karamay");
  EXPECT_EQ(m.value("lang", ""), "ug");
  EXPECT_EQ(m.value("captured_at", ""), "2017-03-26T10:00:00+06:00");
  EXPECT_EQ(m.value("place", ""), "Almaty region");
  EXPECT_EQ(m.value("witness", ""), "W-7K3F9Q");
  EXPECT_EQ(m["tags"], json({"camps", "un-testimony"}));
  EXPECT_EQ(m.value("note", ""), "copied from the published book");
  EXPECT_EQ(m.value("confidentiality", ""), "restricted");
  EXPECT_EQ(m.value("collector", ""), "alice");
  EXPECT_EQ(m.value("filename", ""), kTestimony) << "the base name only";

  // The human form shows the same.
  r = RunV({"show", std::string(kTestimonySha256).substr(0, 8)});
  ASSERT_EQ(r.exit_code, 0) << r;
  for (const char* s : {kTestimonySha256, "testimony", "text/plain", "Testimony from Karamay",
                        "W-7K3F9Q", "camps, un-testimony", "15753 bytes", "alice"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << s << r;
  }
}

TEST_F(Cli, BadMetadataIsRefusedAndNothingIsStored) {
  InitVault();
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--witness", "Omir Bekali"}, "pseudonym"},  // a name, never
      {{"--witness", "w-7k3f9q"}, "pseudonym"},
      {{"--kind", "rumour"}, "kind"},
      {{"--captured-at", "last spring"}, "captured-at"},
      {{"--lang", "en us"}, "lang"},
      {{"--title", "line one\nline two"}, "title"},
  };
  for (const auto& [flags, needle] : cases) {
    std::vector<std::string> args = {"add", Testimony()};
    args.insert(args.end(), flags.begin(), flags.end());
    RunResult r = RunV(args);
    EXPECT_AMANAT_ERROR(r, 2, needle);
    EXPECT_EQ(r.out, "") << r;
  }
  ExpectItems({});
}

TEST_F(Cli, AddMissingFileExits4) {
  InitVault();
  RunResult r = RunV({"add", Path("no-such-recording.wav")});
  EXPECT_AMANAT_ERROR(r, 4, "no-such-recording.wav");
  ExpectItems({});
}

TEST_F(Cli, AddDirectoryIsRefused) {
  InitVault();
  ASSERT_EQ(::mkdir(Path("a-directory").c_str(), 0700), 0);
  RunResult r = RunV({"add", Path("a-directory")});
  EXPECT_AMANAT_ERROR(r, 2, "a-directory");
  ExpectItems({});
}

TEST_F(Cli, AddUnreadableFileFailsCleanly) {
  InitVault();
  if (::geteuid() != 0) {
    std::string f = MakeFile("locked.wav", "secret recording", 0000);
    RunResult r = RunV({"add", f});
    EXPECT_AMANAT_ERROR(r, 5, "locked.wav");
    EXPECT_NE(r.err.find("permission denied"), std::string::npos) << r;
  }
  // Root reads any mode bits, so also use a file that opens but cannot be read:
  // /proc/self/mem fails with EIO at offset 0. This works for every user.
  RunResult r = RunV({"add", "/proc/self/mem"});
  EXPECT_AMANAT_ERROR(r, 5, "/proc/self/mem");
  EXPECT_EQ(r.out, "") << r;
  ExpectItems({});
}

TEST_F(Cli, FailureOnTheSecondOfThreeFilesKeepsTheFirst) {
  InitVault();
  std::string first = MakeFile("first.txt", "first statement\n");
  std::string third = MakeFile("third.txt", "third statement\n");
  const std::string first_id = Sha256SumOfFile(first);
  struct Case {
    std::string second;
    int exit_code;
  };
  const std::vector<Case> cases = {
      {Path("missing.txt"), 4},  // fails to open
      {"/proc/self/mem", 5},     // opens, fails while streaming
  };
  for (const auto& c : cases) {
    RunResult r = RunV({"add", first, c.second, third});
    EXPECT_EQ(r.exit_code, c.exit_code) << r;
    ErrorLine(r);
    // What was printed is stored; nothing after the failure was.
    EXPECT_EQ(r.out, first_id + "  " + first + "\n") << r;
    ExpectItems({first_id});
  }
  // The third file was never added, and nothing partial blocks adding it now.
  std::string third_id = AddFile(third);
  ExpectItems({first_id, third_id});
}

TEST_F(Cli, FailureWithJsonStillReportsWhatWasStored) {
  InitVault();
  std::string first = MakeFile("first.txt", "first statement\n");
  RunResult r = RunV({"add", first, Path("missing.txt"), "--json"});
  EXPECT_EQ(r.exit_code, 4) << r;
  ErrorLine(r);
  json j = ParseJson(r);
  ASSERT_TRUE(j.is_array() && j.size() == 1) << r;
  EXPECT_EQ(j[0].value("id", ""), Sha256SumOfFile(first));
}

TEST_F(Cli, InterruptedAddLeavesNoPartialItem) {
  InitVault();
  std::string kept = AddFile(Testimony());
  for (int sig : {SIGINT, SIGKILL}) {
    RunOptions o;
    o.stdin_data = "";  // a pipe we keep writing to
    Child child(AmanatBinary(),
                {"--vault", vault(), "--passphrase-file", pass_file(), "add", "-"}, o);
    // 3 MiB through a 64 KiB pipe: when this returns, amanat has stored at least two chunks.
    ASSERT_TRUE(child.WriteStdin(PseudoRandomBytes(3 * 1024 * 1024, 10 + sig)));
    child.Kill(sig);
    RunResult r = child.Wait();
    EXPECT_EQ(r.term_signal, sig) << r;
    EXPECT_EQ(r.out, "") << r;
    ExpectItems({kept});
  }
  // The vault still works and the earlier item is intact.
  RunResult r = RunV({"get", kept, "-o", Path("out")});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(ReadFileBytes(Path("out")), ReadFileBytes(Testimony()));
}

TEST_F(Cli, QuietAndNonTerminalAddsPrintNoProgress) {
  InitVault();
  std::string big = MakeFile("big.bin", PseudoRandomBytes(8 * 1024 * 1024, 11));
  RunResult r = RunV({"add", big});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.err, "") << r;
  r = RunV({"--quiet", "get", Sha256SumOfFile(big), "-o", Path("out")});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.err, "") << r;
  EXPECT_EQ(r.out, "") << r;
}

TEST_F(Cli, ProgressOnATerminalShowsBytesRateAndTimeLeft) {
  InitVault();
  // Big enough that adding and extracting take well over the 200 ms before the first update.
  std::string big = MakeFile("big.bin", PseudoRandomBytes(96 * 1024 * 1024, 16));
  RunOptions tty;
  tty.stderr_tty = true;
  RunResult r = RunV({"add", big}, tty);
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::string id = Sha256SumOfFile(big);
  EXPECT_EQ(r.out, id + "  " + big + "\n");
  for (const char* s : {"adding big.bin", "MiB / 96.0 MiB", "MiB/s", "left"}) {
    EXPECT_NE(r.err.find(s), std::string::npos) << s << r;
  }
  EXPECT_EQ(r.err.find("error"), std::string::npos) << r;

  r = RunV({"get", id, "-o", Path("out.bin")}, tty);
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_NE(r.err.find("extracting " + id.substr(0, 12)), std::string::npos) << r;
  EXPECT_NE(r.err.find("MiB/s"), std::string::npos) << r;

  // --quiet silences it, even on a terminal.
  r = RunV({"--quiet", "get", id, "-o", Path("out2.bin")}, tty);
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.err, "") << r;
  std::string big2 = MakeFile("big2.bin", PseudoRandomBytes(32 * 1024 * 1024, 17));
  r = RunV({"add", "--quiet", big2}, tty);
  EXPECT_EQ(r.exit_code, 0) << r;
  r = RunV({"-q", "add", big2}, tty);
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.err, "") << r;
}

// ---------------------------------------------------------------------------------------
// ls and show

TEST_F(Cli, LsOfAnEmptyVault) {
  InitVault();
  RunResult r = RunV({"ls"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "");
  r = RunV({"ls", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(ParseJson(r), json::array());
}

TEST_F(Cli, LsListsItemsFiltersByKindAndSpeaksJson) {
  InitVault();
  std::string t = AddFile(Testimony(), {"--kind", "testimony", "--title", "Bekali testimony"});
  std::string a = AddFile(MakeFile("rec.wav", TinyWav(1000)), {"--kind", "audio"});
  std::string p = AddFile(MakeFile("p.png", TinyPng()), {"--kind", "image"});

  RunResult r = RunV({"ls"});
  ASSERT_EQ(r.exit_code, 0) << r;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r;
  EXPECT_EQ(lines[0].substr(0, 64), t);
  EXPECT_NE(lines[0].find("testimony"), std::string::npos) << r;
  EXPECT_NE(lines[0].find("Bekali testimony"), std::string::npos) << r;
  EXPECT_EQ(lines[1].substr(0, 64), a);
  EXPECT_NE(lines[1].find("rec.wav"), std::string::npos) << "no title: the file name" << r;
  EXPECT_EQ(lines[2].substr(0, 64), p);

  r = RunV({"ls", "--kind", "audio"});
  ASSERT_EQ(r.exit_code, 0) << r;
  lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 1u) << r;
  EXPECT_EQ(lines[0].substr(0, 64), a);

  r = RunV({"ls", "--kind", "video"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "") << r;

  r = RunV({"ls", "--kind", "image", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r;
  json j = ParseJson(r);
  ASSERT_TRUE(j.is_array() && j.size() == 1) << r;
  EXPECT_EQ(j[0].value("id", ""), p);
  EXPECT_EQ(j[0].value("kind", ""), "image");
  EXPECT_EQ(j[0].value("media_type", ""), "image/png");
  EXPECT_EQ(j[0].value("size", 0u), TinyPng().size());
  EXPECT_TRUE(j[0].contains("ingested_at"));
  EXPECT_TRUE(j[0]["metadata"].is_object());

  r = RunV({"ls", "--kind", "rumour"});
  EXPECT_AMANAT_ERROR(r, 2, "kind");
  EXPECT_EQ(r.out, "") << r;
}

TEST_F(Cli, ShowByFullIdAndByPrefix) {
  InitVault();
  AddFile(Testimony());
  const std::string full = kTestimonySha256;
  std::string upper = full.substr(0, 10);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                     [](char ch) { return static_cast<char>(std::toupper(static_cast<unsigned char>(ch))); });
  for (const std::string& ref : {full, full.substr(0, 8), full.substr(0, 12), upper}) {
    RunResult r = RunV({"show", ref, "--json"});
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_EQ(ParseJson(r).value("id", ""), full) << ref;
  }
}

TEST_F(Cli, MalformedItemReferencesAreUsageErrors) {
  InitVault();
  AddFile(Testimony());
  for (const std::string& ref : {std::string(kTestimonySha256).substr(0, 7), std::string("zzzzzzzz"),
                                 std::string(kTestimonySha256) + "0", std::string("")}) {
    RunResult r = RunV({"show", ref});
    EXPECT_EQ(r.exit_code, 2) << r;
    ErrorLine(r);
    EXPECT_EQ(r.out, "") << r;
  }
}

TEST_F(Cli, AmbiguousPrefixListsTheCandidates) {
  InitVault();
  std::string a = AddFile(FixturePath("prefix-collision-a.bin"));
  std::string b = AddFile(FixturePath("prefix-collision-b.bin"));
  ASSERT_EQ(a, kCollisionA);
  ASSERT_EQ(b, kCollisionB);
  ASSERT_EQ(a.substr(0, 8), b.substr(0, 8));

  for (const char* cmd : {"show", "get"}) {
    std::vector<std::string> args = {cmd, a.substr(0, 8)};
    if (std::string(cmd) == "get") args.insert(args.end(), {"-o", Path("out")});
    RunResult r = RunV(args);
    EXPECT_AMANAT_ERROR(r, 2, "ambiguous");
    EXPECT_NE(r.err.find(a.substr(0, 16)), std::string::npos) << "candidate a not listed" << r;
    EXPECT_NE(r.err.find(b.substr(0, 16)), std::string::npos) << "candidate b not listed" << r;
    EXPECT_NE(r.err.find("amanat: hint: "), std::string::npos) << r;
    EXPECT_EQ(r.out, "") << r;
  }
  EXPECT_FALSE(std::filesystem::exists(Path("out")));
  // One more digit tells them apart.
  RunResult r = RunV({"show", a.substr(0, 9), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(ParseJson(r).value("id", ""), a);
  r = RunV({"show", b.substr(0, 9), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(ParseJson(r).value("id", ""), b);
}

TEST_F(Cli, UnknownIdExits4) {
  InitVault();
  AddFile(Testimony());
  const std::string unknown = "0000000000000000000000000000000000000000000000000000000000000000";
  for (const std::string& ref : {unknown, unknown.substr(0, 8)}) {
    RunResult r = RunV({"show", ref});
    EXPECT_AMANAT_ERROR(r, 4, "no item");
    r = RunV({"get", ref, "-o", Path("out")});
    EXPECT_AMANAT_ERROR(r, 4, "no item");
  }
  EXPECT_FALSE(std::filesystem::exists(Path("out")));
}

// ---------------------------------------------------------------------------------------
// get

TEST_F(Cli, GetWritesAByteIdenticalPrivateFile) {
  InitVault();
  std::string rec = MakeFile("rec.wav", TinyWav(3 * 1024 * 1024 + 333));
  std::string id = AddFile(rec);
  RunResult r = RunV({"get", id.substr(0, 10), "-o", Path("copy.wav"), "--purpose", "test"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "") << r;
  EXPECT_EQ(r.err, "") << r;
  EXPECT_TRUE(ReadFileBytes(Path("copy.wav")) == ReadFileBytes(rec)) << "content differs";
  EXPECT_EQ(Sha256SumOfFile(Path("copy.wav")), id);
  EXPECT_EQ(FileMode(Path("copy.wav")), 0600u) << "extracted evidence is the user's alone";
  // No temporary file left next to it.
  for (const auto& e : std::filesystem::directory_iterator(dir())) {
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
  }
}

TEST_F(Cli, GetRefusesToOverwriteWithoutForce) {
  InitVault();
  std::string id = AddFile(Testimony());
  std::string existing = MakeFile("existing.txt", "do not lose me");
  RunResult r = RunV({"get", id, "-o", existing});
  EXPECT_AMANAT_ERROR(r, 2, "already exists");
  EXPECT_NE(r.err.find("amanat: hint: "), std::string::npos) << r;
  EXPECT_NE(r.err.find("--force"), std::string::npos) << r;
  EXPECT_EQ(ReadFileBytes(existing), "do not lose me");

  r = RunV({"get", id, "-o", existing, "--force"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(ReadFileBytes(existing), ReadFileBytes(Testimony()));
}

TEST_F(Cli, GetToStandardOutput) {
  InitVault();
  const std::string bytes = PseudoRandomBytes(1024 * 1024 + 99, 12) + std::string(10, '\0');
  std::string id = AddFile(MakeFile("b.bin", bytes));
  RunResult r = RunV({"get", id, "-o", "-"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_TRUE(r.out == bytes) << "stdout differs from the original (" << r.out.size() << " vs "
                              << bytes.size() << " bytes)";
  EXPECT_EQ(r.err, "");
  // Without -o, standard output is used when it is not a terminal (here: a pipe).
  r = RunV({"get", id});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_TRUE(r.out == bytes);
}

TEST_F(Cli, GetOfTamperedContentExits1AndLeavesNoFile) {
  InitVault();
  std::string id = AddFile(Testimony());
  {
    // Someone with the vault key rewrites a stored chunk behind the store's back.
    auto v = OpenInProcess();
    ASSERT_NE(v, nullptr);
    ASSERT_TRUE(v->db().Exec("DROP TRIGGER chunks_no_update").ok());
    Status s = v->db().Exec(
        "UPDATE chunks SET data = X'58' || substr(data, 2) WHERE seq = 0 AND blob_id = "
        "(SELECT blob_id FROM items WHERE id = '" + id + "')");
    ASSERT_TRUE(s.ok()) << s.message();
  }
  RunResult r = RunV({"get", id, "-o", Path("out.txt")});
  EXPECT_AMANAT_ERROR(r, 1, id);
  EXPECT_FALSE(std::filesystem::exists(Path("out.txt"))) << "a file that failed verification";
  for (const auto& e : std::filesystem::directory_iterator(dir())) {
    EXPECT_EQ(e.path().filename().string().find("out.txt"), std::string::npos) << e.path();
  }
  // Overwriting with --force must not destroy the old file either.
  std::string old = MakeFile("old.txt", "previous good copy");
  r = RunV({"get", id, "-o", old, "--force"});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_EQ(ReadFileBytes(old), "previous good copy");
}

// ---------------------------------------------------------------------------------------
// a vault.db that is not a vault

class NotAVault : public Cli {
 protected:
  void SetUp() override {
    Cli::SetUp();
    InitVault();
    id_ = AddFile(Testimony());
    db_ = vault() + "/vault.db";
    original_ = ReadFileBytes(db_);
    ASSERT_GT(original_.size(), 16384u);
  }
  // The error for `amanat ls` (and `get`, which must not write anything).
  std::string ExpectFailure(int code) {
    RunResult r = RunV({"get", id_, "-o", Path("out")});
    EXPECT_EQ(r.exit_code, code) << r;
    EXPECT_FALSE(std::filesystem::exists(Path("out")));
    r = RunV({"ls"});
    EXPECT_EQ(r.exit_code, code) << r;
    EXPECT_EQ(r.out, "") << r;
    std::string line = ErrorLine(r);
    EXPECT_NE(line.find("vault.db"), std::string::npos) << "the error must name the file" << r;
    EXPECT_EQ(line.find("wrong passphrase"), std::string::npos) << r;
    return line;
  }
  std::string id_, db_, original_;
};

TEST_F(NotAVault, RandomBytes) {
  WriteFileBytes(db_, PseudoRandomBytes(original_.size(), 13));
  ExpectFailure(1);
}

TEST_F(NotAVault, RandomBytesBehindTheRightSalt) {
  // Passes the salt pairing check; the key then does not open the pages.
  WriteFileBytes(db_, original_.substr(0, 16) + PseudoRandomBytes(original_.size() - 16, 14));
  ExpectFailure(1);
}

TEST_F(NotAVault, PlaintextSqliteDatabase) {
  const std::string plain = Path("plain.db");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(plain.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE items(id TEXT); INSERT INTO items VALUES('x');",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  ASSERT_EQ(ReadFileBytes(plain).substr(0, 15), "SQLite format 3");
  std::filesystem::copy_file(plain, db_, std::filesystem::copy_options::overwrite_existing);
  std::string line = ExpectFailure(1);
  // DESIGN.md: refuse a file that starts with `SQLite format 3`, and say so.
  EXPECT_NE(line.find("unencrypted"), std::string::npos) << line;
}

TEST_F(NotAVault, Truncated) {
  for (size_t keep : {size_t{0}, size_t{10}, size_t{4096}, original_.size() / 2}) {
    WriteFileBytes(db_, original_.substr(0, keep));
    SCOPED_TRACE("truncated to " + std::to_string(keep) + " bytes");
    ExpectFailure(1);
  }
}

TEST_F(NotAVault, Missing) {
  ASSERT_EQ(::unlink(db_.c_str()), 0);
  RunResult r = RunV({"ls"});
  EXPECT_AMANAT_ERROR(r, 4, "vault.db");
}

TEST_F(NotAVault, RestoringTheOriginalWorksAgain) {
  // The checks above are about the file, not a side effect on the vault: put it back.
  WriteFileBytes(db_, PseudoRandomBytes(1000, 15));
  ExpectFailure(1);
  WriteFileBytes(db_, original_);
  RunResult r = RunV({"get", id_, "-o", Path("out")});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(ReadFileBytes(Path("out")), ReadFileBytes(Testimony()));
}

// ---------------------------------------------------------------------------------------
// versions, usage, error format

TEST_F(Cli, VersionNamesToolAndLibraries) {
  RunResult r = Run({"--version"});
  ASSERT_EQ(r.exit_code, 0) << r;
  // The versions the binary runs with are the ones this test process loaded.
  const std::vector<std::string> expected = {
      "amanat 0.1.0",
      std::string("libsodium ") + sodium_version_string(),
      std::string("(SQLite ") + sqlite3_libversion() + ")",
      "SQLCipher 3.",
      "OpenSSL 3.",
      "libarchive 3.",
  };
  for (const auto& s : expected) EXPECT_NE(r.out.find(s), std::string::npos) << s << r;
  EXPECT_EQ(Lines(r.out)[0].rfind("amanat ", 0), 0u) << "first line names the tool" << r;
}

TEST_F(Cli, UsageErrorsExit2WithOneErrorLine) {
  InitVault();
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"frobnicate"},
      {"ls", "--frobnicate"},
      {"show"},
      {"get"},
      {"add"},
      {"add", Testimony(), "--kind"},
  };
  for (const auto& c : cases) {
    RunResult r = RunV(c);
    EXPECT_EQ(r.exit_code, 2) << r;
    ErrorLine(r);
    EXPECT_EQ(r.out, "") << r;
  }
}

TEST_F(Cli, ProcessRunsWithoutCoreDumpsAndWithAPrivateUmask) {
  InitVault();
  RunOptions o;
  o.stdin_data = "";
  Child child(AmanatBinary(), {"--vault", vault(), "--passphrase-file", pass_file(), "add", "-"},
              o);
  // Once amanat has taken 2 MiB from the pipe, it is well inside main(), hardened.
  ASSERT_TRUE(child.WriteStdin(PseudoRandomBytes(2 * 1024 * 1024, 18)));
  const std::string proc = "/proc/" + std::to_string(child.pid());
  const std::string limits = ReadFileBytes(proc + "/limits");
  const std::string status = ReadFileBytes(proc + "/status");
  child.CloseStdin();
  RunResult r = child.Wait();
  EXPECT_EQ(r.exit_code, 0) << r;

  size_t at = limits.find("Max core file size");
  ASSERT_NE(at, std::string::npos) << limits;
  std::istringstream line(limits.substr(at + std::string("Max core file size").size()));
  std::string soft, hard;
  line >> soft >> hard;
  EXPECT_EQ(soft, "0") << "core dumps would hold keys and evidence";
  EXPECT_EQ(hard, "0");
  at = status.find("Umask:");
  ASSERT_NE(at, std::string::npos) << status;
  std::istringstream umask_line(status.substr(at + 6));
  std::string umask;
  umask_line >> umask;
  EXPECT_EQ(umask, "0077");
}

TEST_F(Cli, HelpExits0) {
  RunResult r = Run({"--help"});
  EXPECT_EQ(r.exit_code, 0) << r;
  for (const char* cmd : {"init", "passwd", "add", "ls", "show", "get"}) {
    EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd << r;
  }
}

}  // namespace
}  // namespace amanat::testing
