// verify-bundle against tampered and malformed bundles (issue P3, item 4): every changed
// byte of every member, removed and added members, reordered and dropped events, swapped
// items, a checkpoint or a whole bundle from another vault: exit 1, naming what failed.
// Truncated archives, unsafe member paths, symlinks, absurd sizes, invalid or deeply nested
// JSON: one clean error line, exit 1 or 2, nothing written. scripts/test --sanitize runs
// these under ASan and UBSan.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "crypto/ed25519.h"
#include "crypto/minisign.h"
#include "crypto/secret.h"
#include "tests/bundle_test_util.h"
#include "vault/event.h"

namespace amanat::testing {
namespace {

class BundleTamperTest : public BundleTest {
 protected:
  void SetUp() override {
    BundleTest::SetUp();
    ASSERT_TRUE(crypto::InitCrypto());
    bundle_ = Export("b.zip");
    members_ = ReadMembers(bundle_);
    ASSERT_GE(members_.size(), 12u);
  }

  // Writes `members` as t.zip, verifies it, and expects exit 1 with `needle` in the error.
  void ExpectTamperFound(const std::vector<Member>& members, const std::string& needle,
                         const std::string& what) {
    std::string path = Path("t.zip");
    WriteMembers(path, members);
    RunResult r = VerifyBundle(path);
    EXPECT_EQ(r.exit_code, 1) << what << r;
    std::string line = ErrorLine(r);
    EXPECT_NE(line.find(needle), std::string::npos) << what << ": error lacks '" << needle << "'" << r;
  }

  // What the first problem should name when `path` changed.
  static std::string NameFor(const std::string& path) {
    if (path.rfind("items/", 0) == 0) return "item " + path.substr(6);
    if (path == "manifest.json" || path == "manifest.json.minisig") return "manifest.json";
    if (path.rfind("keys/", 0) == 0 && path.find(".minisign.pub") != std::string::npos) return "key";
    return path;
  }

  std::string bundle_;
  std::vector<Member> members_;
};

// Any single changed byte, in any member, with the ZIP's CRCs made right again.
TEST_F(BundleTamperTest, EveryChangedByteOfEveryMemberIsNamed) {
  for (size_t m = 0; m < members_.size(); ++m) {
    const std::string& data = members_[m].data;
    ASSERT_FALSE(data.empty()) << members_[m].path;
    for (size_t at : {size_t{0}, data.size() / 2, data.size() - 1}) {
      for (uint8_t flip : {uint8_t{0x01}, uint8_t{0x20}}) {
        std::vector<Member> t = members_;
        t[m].data[at] = static_cast<char>(t[m].data[at] ^ flip);
        ExpectTamperFound(t, NameFor(t[m].path),
                          members_[m].path + " byte " + std::to_string(at) + " ^ " + std::to_string(flip));
      }
    }
  }
}

// The same in the archive as sent: the member's CRC-32 no longer matches.
TEST_F(BundleTamperTest, ChangedBytesInTheRawArchiveAreNamed) {
  std::string zip = ReadFileBytes(bundle_);
  for (const auto& m : members_) {
    // The member's data follows its local header: "PK\3\4", 26 bytes, name, extra field.
    size_t at = std::string::npos;
    for (size_t name = zip.find(m.path); name != std::string::npos; name = zip.find(m.path, name + 1)) {
      if (name >= 30 && zip.compare(name - 30, 4, "PK\3\4") == 0) {
        size_t extra = static_cast<uint8_t>(zip[name - 2]) | static_cast<uint8_t>(zip[name - 1]) << 8;
        at = name + m.path.size() + extra;
        break;
      }
    }
    ASSERT_NE(at, std::string::npos) << m.path;
    ASSERT_EQ(zip.compare(at, m.data.size(), m.data), 0) << m.path;
    std::string t = zip;
    t[at + m.data.size() / 2] ^= 0x04;
    std::string path = MakeFile("raw.zip", t);
    RunResult r = VerifyBundle(path);
    EXPECT_AMANAT_ERROR(r, 1, m.path);
  }
}

// Bytes changed anywhere in the archive, headers included: a verdict or a clean error,
// never a crash.
TEST_F(BundleTamperTest, ChangedBytesAnywhereNeverCrash) {
  std::string zip = ReadFileBytes(bundle_);
  // Under the sanitizers a third as many places (each is a process, several times slower there).
  const size_t places = AMANAT_TEST_SANITIZED ? 50 : 150, tail = AMANAT_TEST_SANITIZED ? 40 : 120;
  const size_t step = std::max<size_t>(1, zip.size() / places);
  for (size_t at = 0; at < zip.size(); at += (zip.size() - at < tail ? 1 : step)) {
    std::string t = zip;
    t[at] ^= 0x10;
    RunResult r = VerifyBundle(MakeFile("any.zip", t));
    ASSERT_EQ(r.term_signal, 0) << "offset " << at << r;
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1 || r.exit_code == 2) << "offset " << at << r;
    if (r.exit_code != 0) ErrorLine(r);
  }
}

TEST_F(BundleTamperTest, RemovedMembersAreNamed) {
  for (size_t m = 0; m < members_.size(); ++m) {
    std::vector<Member> t = members_;
    std::string path = t[m].path;
    t.erase(t.begin() + static_cast<std::ptrdiff_t>(m));
    std::string needle = path.rfind("keys/alice", 0) == 0 && path.find(".minisign.pub") != std::string::npos
                             ? "minisign key"
                             : NameFor(path);
    ExpectTamperFound(t, needle, "without " + path);
  }
}

TEST_F(BundleTamperTest, AddedMembersAreNamed) {
  const std::string other_id = Sha256SumOf("slipped in");
  for (const Member& extra :
       {Member{"extra.txt", "hello"}, Member{"items/" + other_id, "slipped in"},
        Member{"keys/mallory-0123456789abcdef.vkey", "x"}, Member{"custody/notes.json", "{}"},
        Member{"custody/received/1/events.jsonl", "{}\n"}}) {
    std::vector<Member> t = members_;
    t.push_back(extra);
    ExpectTamperFound(t, extra.path, "with " + extra.path);
  }
  // A second copy of a member under the same name.
  std::vector<Member> t = members_;
  t.push_back(t[4]);
  ExpectTamperFound(t, "appears twice", "duplicate " + t[4].path);
}

TEST_F(BundleTamperTest, ReorderedOrDroppedEventsAreNamed) {
  std::vector<Member> t = members_;
  Member* events = FindMember(t, "custody/events.jsonl");
  std::vector<std::string> lines = Lines(events->data);
  ASSERT_EQ(lines.size(), 5u);
  auto join = [](const std::vector<std::string>& ls) {
    std::string s;
    for (const auto& l : ls) s += l + "\n";
    return s;
  };
  std::vector<std::string> swapped = lines;
  std::swap(swapped[1], swapped[2]);
  events->data = join(swapped);
  ExpectTamperFound(t, "custody/events.jsonl", "reordered");
  std::vector<std::string> dropped = lines;
  dropped.erase(dropped.begin() + 3);  // the access event
  events->data = join(dropped);
  ExpectTamperFound(t, "custody/events.jsonl", "dropped");
  // The events alone, checked in the report, are named one by one.
  std::string path = Path("t.zip");
  WriteMembers(path, t);
  RunResult r = VerifyBundle(path);
  EXPECT_NE(r.out.find("custody event 3: entry 4 of custody/events.jsonl is not the one the manifest lists"),
            std::string::npos) << r;
}

TEST_F(BundleTamperTest, SwappedItemsAreNamed) {
  std::vector<Member> t = members_;
  Member* a = FindMember(t, "items/" + testimony_);
  Member* b = FindMember(t, "items/" + recording_);
  std::swap(a->data, b->data);
  ExpectTamperFound(t, "item ", "swapped");
  std::string path = Path("t.zip");
  RunResult r = VerifyBundle(path);
  EXPECT_NE(r.out.find("✗ " + testimony_), std::string::npos) << r;
  EXPECT_NE(r.out.find("✗ " + recording_), std::string::npos) << r;
}

TEST_F(BundleTamperTest, CheckpointFromAnotherVaultIsNamed) {
  std::string other = Path("other-vault");
  InitVault(other, "alice");
  std::vector<Member> t = members_;
  FindMember(t, "custody/checkpoint")->data = ReadFileBytes(other + "/checkpoints/latest");
  ExpectTamperFound(t, "custody/checkpoint", "foreign checkpoint");

  // A whole, self-consistent bundle from another vault: only trust tells it apart.
  std::string their_item = MakeFile("their.txt", "their statement\n");
  RunResult add = RunAmanat({"--vault", other, "--passphrase-file", pass_file(), "add", their_item});
  ASSERT_EQ(add.exit_code, 0) << add;
  RunResult ex = RunAmanat({"--vault", other, "--passphrase-file", pass_file(), "export",
                            add.out.substr(0, 64), "-o", Path("theirs.zip")});
  ASSERT_EQ(ex.exit_code, 0) << ex;
  std::string our_log = MemberData(bundle_, "keys/log.vkey");
  std::string key_file = MakeFile("our-log.vkey", our_log);
  EXPECT_EQ(VerifyBundle(Path("theirs.zip")).exit_code, 0);
  EXPECT_AMANAT_ERROR(VerifyBundle(Path("theirs.zip"), {"--trust", key_file}), 1, "not trusted: log key");
  std::string our_cp = MakeFile("our.checkpoint", MemberData(bundle_, "custody/checkpoint"));
  EXPECT_AMANAT_ERROR(VerifyBundle(Path("theirs.zip"), {"--against", our_cp}), 1, "not in this bundle");
}

TEST_F(BundleTamperTest, TruncatedArchivesFailCleanly) {
  std::string zip = ReadFileBytes(bundle_);
  for (size_t n : {size_t{0}, size_t{1}, size_t{21}, size_t{22}, size_t{100}, zip.size() / 3,
                   zip.size() / 2, zip.size() - 100, zip.size() - 23, zip.size() - 22, zip.size() - 1}) {
    RunResult r = VerifyBundle(MakeFile("cut.zip", zip.substr(0, n)));
    EXPECT_TRUE(r.exit_code == 1 || r.exit_code == 2) << n << r;
    ErrorLine(r);
  }
  RunResult r = VerifyBundle(MakeFile("long.zip", zip + "appended"));
  EXPECT_AMANAT_ERROR(r, 2, "end-of-central-directory");
  EXPECT_AMANAT_ERROR(VerifyBundle(MakeFile("text.zip", "not a zip at all")), 2, "not a ZIP");
}

// Members no bundle holds, made with Python's zipfile: refused before anything is read, and
// nothing is written anywhere (verify-bundle writes nothing at all).
TEST_F(BundleTamperTest, UnsafeMembersAreRefusedAndNothingIsWritten) {
  const std::string add_to_bundle =
      "import zipfile, shutil, sys, struct\nsrc, out = sys.argv[1], sys.argv[2]\n"
      "shutil.copy(src, out)\nz = zipfile.ZipFile(out, 'a')\n";
  struct Case {
    std::string body, needle;
  };
  const std::vector<Case> cases = {
      {"z.writestr('../evil', 'x')\nz.close()", "refusing member name"},
      {"z.writestr('items/../../evil', 'x')\nz.close()", "refusing member name"},
      {"z.writestr('/tmp/evil', 'x')\nz.close()", "refusing member name"},
      {"i = zipfile.ZipInfo('keys/link')\ni.create_system = 3\ni.external_attr = 0o120777 << 16\n"
       "z.writestr(i, '/etc/passwd')\nz.close()",
       "not a regular file"},
      {"z.writestr('custody/', '')\nz.close()", "refusing member name"},
      {"z.writestr('README2.txt', 'x' * 100)\nz.close()\n"
       "b = bytearray(open(out, 'rb').read())\ncd = b.rfind(b'PK\\x01\\x02')\n"
       "struct.pack_into('<II', b, cd + 20, 0xfffffff0, 0xfffffff0)\n"
       "lh = b.rfind(b'PK\\x03\\x04')\nstruct.pack_into('<II', b, lh + 18, 0xfffffff0, 0xfffffff0)\n"
       "open(out, 'wb').write(b)",
       "more than the archive holds"},
  };
  std::string work = Path("work");
  std::filesystem::create_directory(work);
  RunOptions in_work;
  in_work.cwd = work;
  for (const auto& c : cases) {
    std::string out = Path("unsafe.zip");
    RunResult py = RunProgram("/usr/bin/python3", {"-c", add_to_bundle + c.body, bundle_, out});
    ASSERT_EQ(py.exit_code, 0) << py;
    RunResult r = RunAmanat({"verify-bundle", out}, in_work);
    EXPECT_AMANAT_ERROR(r, 2, c.needle);
  }
  EXPECT_TRUE(std::filesystem::is_empty(work));
  EXPECT_FALSE(std::filesystem::exists(Path("evil")));
  EXPECT_FALSE(std::filesystem::exists(dir() + "/../evil"));
  EXPECT_FALSE(std::filesystem::exists("/tmp/evil"));
}

// A manifest that is signed, by a key the bundle carries, but is not valid JSON or is nested
// absurdly deep: a clean error, exit 2.
TEST_F(BundleTamperTest, MalformedSignedJsonFailsCleanly) {
  auto key = crypto::Ed25519KeyPair::Generate();
  const std::string id = vault::KeyId(key.public_key());
  const std::string key_path = "keys/mallory-" + id + ".minisign.pub";
  struct Case {
    std::string manifest, needle;
  };
  const std::vector<Case> cases = {
      {"{\"format\": \"amanat-bundle/1\",", "not valid JSON"},
      {std::string(100000, '[') + std::string(100000, ']'), "nested deeper"},
      {"{\"a\": " + std::string(70, '{') + std::string(70, '}') + "}", "nested deeper"},
      {"{\"format\": \"amanat-bundle/1\", \"format\": \"amanat-bundle/1\"}", "repeats a key"},
      {"{\"format\": \"amanat-bundle/9\"}", "manifest.json"},
      {"[]", "manifest.json"},
  };
  for (const auto& c : cases) {
    std::vector<Member> t = members_;
    FindMember(t, "manifest.json")->data = c.manifest;
    FindMember(t, "manifest.json.minisig")->data =
        crypto::MinisignSign(key, AsBytes(c.manifest), "t", "u").value();
    t.push_back({key_path, crypto::FormatMinisignPublicKey(
                               {crypto::MinisignKeyNumberOf(key.public_key()), key.public_key()})});
    std::string path = Path("json.zip");
    WriteMembers(path, t);
    RunResult r = VerifyBundle(path);
    EXPECT_AMANAT_ERROR(r, 2, c.needle);
  }
  // Deep nesting in a member the manifest does not vouch for: found changed, and no crash.
  std::vector<Member> t = members_;
  FindMember(t, "custody/proofs.json")->data = std::string(200000, '{');
  ExpectTamperFound(t, "custody/proofs.json", "deep proofs");
  t = members_;
  FindMember(t, "custody/events.jsonl")->data = std::string(200000, '[') + "\n";
  ExpectTamperFound(t, "custody/events.jsonl", "deep events");
}

}  // namespace
}  // namespace amanat::testing
