// vault/zip_writer and vault/zip_reader: archives that stock unzip and Python read, Zip64,
// and refusal of every unsafe or malformed archive (hand-made with Python's zipfile and by
// patching bytes), without a crash.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "crypto/sha256.h"
#include "tests/cli_runner.h"
#include "vault/byte_source.h"
#include "vault/zip_reader.h"
#include "vault/zip_writer.h"

namespace amanat::testing {
namespace {

using vault::MemorySource;
using vault::ZipReader;
using vault::ZipWriter;

std::string WriteZip(const std::map<std::string, std::string>& members, bool zip64 = false) {
  std::string out;
  auto w = ZipWriter::Open(
      [&](ByteView d) {
        out.append(reinterpret_cast<const char*>(d.data()), d.size());
        return OkStatus();
      },
      {1700000000, zip64});
  EXPECT_TRUE(w.ok());
  for (const auto& [path, data] : members) {
    // Half through Add, half piecewise, to cover both.
    if (data.size() % 2 == 0) {
      EXPECT_TRUE((*w)->Add(path, AsBytes(data)).ok());
    } else {
      EXPECT_TRUE((*w)->Begin(path, data.size()).ok());
      for (size_t off = 0; off < data.size(); off += 1000) {
        EXPECT_TRUE((*w)->Write(AsBytes(std::string_view(data).substr(off, 1000))).ok());
      }
      EXPECT_TRUE((*w)->End().ok());
    }
  }
  EXPECT_TRUE((*w)->Finish().ok());
  EXPECT_EQ((*w)->bytes_written(), out.size());
  return out;
}

// Reads every member; returns the first error, or OK with `out` filled.
Status ReadZip(const std::string& zip, std::map<std::string, std::string>* out) {
  MemorySource src(zip, "test.zip");
  ASSIGN_OR_RETURN(auto r, ZipReader::Open(src));
  for (;;) {
    ASSIGN_OR_RETURN(auto m, r->Next());
    if (!m) break;
    ASSIGN_OR_RETURN(std::string data, r->ReadAll(1 << 24));
    (*out)[m->path] = data;
  }
  return OkStatus();
}

class ZipTest : public CliTest {
 protected:
  // Runs a Python snippet with `zipfile` and `out` (the path to write) defined; returns the
  // archive it wrote.
  std::string PythonZip(const std::string& body) {
    std::string out = Path("py.zip");
    std::string script = "import zipfile, struct, sys\nout = sys.argv[1]\n" + body;
    RunResult r = RunProgram("/usr/bin/python3", {"-c", script, out});
    EXPECT_EQ(r.exit_code, 0) << r;
    return ReadFileBytes(out);
  }
};

TEST_F(ZipTest, RoundTripAndStockUnzip) {
  for (bool zip64 : {false, true}) {
    std::map<std::string, std::string> members = {
        {"manifest.json", "{}\n"},
        {"items/" + std::string(64, 'a'), PseudoRandomBytes(300001, 1)},
        {"custody/events.jsonl", PseudoRandomBytes(5000, 2)},
        {"empty", ""},
    };
    std::string zip = WriteZip(members, zip64);
    std::map<std::string, std::string> back;
    Status s = ReadZip(zip, &back);
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(back, members);

    std::string path = MakeFile(zip64 ? "z64.zip" : "z.zip", zip);
    RunResult t = RunProgram("/usr/bin/unzip", {"-t", path});
    EXPECT_EQ(t.exit_code, 0) << t;
    RunResult p = RunProgram("/usr/bin/unzip", {"-p", path, "items/" + std::string(64, 'a')});
    EXPECT_EQ(p.exit_code, 0);
    EXPECT_TRUE(p.out == members["items/" + std::string(64, 'a')]);
    // Stored, not compressed, as the format says.
    RunResult v = RunProgram("/usr/bin/python3",
                             {"-c",
                              "import zipfile,sys\nz=zipfile.ZipFile(sys.argv[1])\n"
                              "assert all(i.compress_type == 0 for i in z.infolist())\n"
                              "assert z.testzip() is None\nprint(len(z.infolist()))",
                              path});
    EXPECT_EQ(v.exit_code, 0) << v;
    EXPECT_EQ(v.out, "4\n");
  }
}

TEST_F(ZipTest, WriterRefusesWrongSizeAndStopsOnSinkError) {
  std::string out;
  auto w = ZipWriter::Open([&](ByteView d) {
    out.append(reinterpret_cast<const char*>(d.data()), d.size());
    return OkStatus();
  }, {});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Begin("a", 10).ok());
  EXPECT_EQ((*w)->Write(AsBytes(std::string(11, 'x'))).code(), Code::kInvalidInput);
  ASSERT_TRUE((*w)->Write(AsBytes(std::string(5, 'x'))).ok());
  EXPECT_EQ((*w)->End().code(), Code::kInvalidInput);
  EXPECT_FALSE((*w)->Finish().ok());

  int calls = 0;
  auto failing = ZipWriter::Open([&](ByteView) {
    return ++calls > 2 ? IoError("out.zip: disk full") : OkStatus();
  }, {});
  ASSERT_TRUE(failing.ok());
  Status s = (*failing)->Add("big", AsBytes(std::string(100000, 'y')));
  EXPECT_EQ(s.code(), Code::kIoError);
  EXPECT_NE(s.message().find("disk full"), std::string::npos) << s.message();
}

TEST_F(ZipTest, TruncatedOrExtendedArchivesAreRefused) {
  std::string zip = WriteZip({{"a", "hello"}, {"b", PseudoRandomBytes(4000, 3)}});
  // Every prefix, and the archive with bytes appended: a clean error each time.
  for (size_t n = 0; n < zip.size(); n += (n < 100 || zip.size() - n < 200) ? 1 : 97) {
    std::map<std::string, std::string> back;
    Status s = ReadZip(zip.substr(0, n), &back);
    EXPECT_FALSE(s.ok()) << n;
    EXPECT_TRUE(s.code() == Code::kInvalidInput || s.code() == Code::kVerifyFailed) << n;
  }
  std::map<std::string, std::string> back;
  EXPECT_EQ(ReadZip(zip + "x", &back).code(), Code::kInvalidInput);
  Code empty = ReadZip("PK\5\6" + std::string(18, '\0'), &back).code();
  EXPECT_TRUE(empty == Code::kOk || empty == Code::kInvalidInput);
}

TEST_F(ZipTest, ChangedDataFailsTheCrc) {
  std::string data = PseudoRandomBytes(10000, 4);
  std::string zip = WriteZip({{"item", data}});
  size_t at = zip.find(data.substr(0, 64));
  ASSERT_NE(at, std::string::npos);
  zip[at + 5000] ^= 1;
  std::map<std::string, std::string> back;
  Status s = ReadZip(zip, &back);
  EXPECT_EQ(s.code(), Code::kVerifyFailed) << s.message();
  EXPECT_NE(s.message().find("item"), std::string::npos) << s.message();
}

TEST_F(ZipTest, UnsafeMembersAreRefused) {
  struct Case {
    std::string body;
    Code code;
    std::string needle;
  };
  const std::vector<Case> cases = {
      {"z = zipfile.ZipFile(out, 'w')\nz.writestr('../evil', 'x')\nz.close()", Code::kInvalidInput,
       "refusing member name"},
      {"z = zipfile.ZipFile(out, 'w')\nz.writestr('items/../../evil', 'x')\nz.close()",
       Code::kInvalidInput, "refusing member name"},
      {"z = zipfile.ZipFile(out, 'w')\nz.writestr('/etc/passwd', 'x')\nz.close()",
       Code::kInvalidInput, "refusing member name"},
      {"z = zipfile.ZipFile(out, 'w')\nz.writestr('a//b', 'x')\nz.close()", Code::kInvalidInput,
       "refusing member name"},
      {"z = zipfile.ZipFile(out, 'w')\nz.writestr('caf\\u00e9', 'x')\nz.close()",
       Code::kInvalidInput, "member"},
      {"z = zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED)\nz.writestr('a', 'abc' * 10000)\n"
       "z.close()\n", Code::kInvalidInput, "is compressed"},
      {"z = zipfile.ZipFile(out, 'w')\ni = zipfile.ZipInfo('link')\ni.create_system = 3\n"
       "i.external_attr = 0o120777 << 16\nz.writestr(i, '/etc/passwd')\nz.close()",
       Code::kInvalidInput, "not a regular file"},
      {"z = zipfile.ZipFile(out, 'w')\nz.writestr('dir/', '')\nz.close()", Code::kInvalidInput,
       "refusing member name"},
      {"import warnings\nwarnings.simplefilter('ignore')\nz = zipfile.ZipFile(out, 'w')\n"
       "z.writestr('a', 'x')\nz.writestr('a', 'y')\nz.close()",
       Code::kVerifyFailed, "appears twice"},
      // The "encrypted" flag set by hand (zipfile cannot encrypt) in both headers.
      {"z = zipfile.ZipFile(out, 'w')\nz.writestr('secret', 'x' * 40)\nz.close()\n"
       "b = bytearray(open(out, 'rb').read())\n"
       "b[b.find(b'PK\\x03\\x04') + 6] |= 1\nb[b.rfind(b'PK\\x01\\x02') + 8] |= 1\n"
       "open(out, 'wb').write(b)\n",
       Code::kInvalidInput, "encrypted"},
      {"z = zipfile.ZipFile(out, 'w')\nz.writestr('a', 'x')\nz.comment = b'hi'\nz.close()",
       Code::kInvalidInput, "end-of-central-directory"},
  };
  for (const auto& c : cases) {
    std::string zip = PythonZip(c.body);
    std::map<std::string, std::string> back;
    Status s = ReadZip(zip, &back);
    EXPECT_EQ(s.code(), c.code) << c.body << "\n" << s.message();
    EXPECT_NE(s.message().find(c.needle), std::string::npos) << c.body << "\n" << s.message();
    EXPECT_EQ(s.message().find('\n'), std::string::npos);
  }
}

TEST_F(ZipTest, AbsurdOrOverlappingSizesAreRefused) {
  // A stored member whose central directory entry claims 4 GiB - 16.
  std::string zip = PythonZip(
      "z = zipfile.ZipFile(out, 'w')\nz.writestr('a', 'x' * 100)\nz.close()\n"
      "b = bytearray(open(out, 'rb').read())\n"
      "cd = b.rfind(b'PK\\x01\\x02')\n"
      "struct.pack_into('<II', b, cd + 20, 0xfffffff0, 0xfffffff0)\n"
      "lh = b.find(b'PK\\x03\\x04')\n"
      "struct.pack_into('<II', b, lh + 18, 0xfffffff0, 0xfffffff0)\n"
      "open(out, 'wb').write(b)\n");
  std::map<std::string, std::string> back;
  Status s = ReadZip(zip, &back);
  EXPECT_EQ(s.code(), Code::kInvalidInput) << s.message();

  // Two central directory entries for the same data: together more than the archive.
  std::string overlap = PythonZip(
      "z = zipfile.ZipFile(out, 'w')\nz.writestr('a', 'x' * 5000)\nz.close()\n"
      "b = bytes(open(out, 'rb').read())\n"
      "cd = b.rfind(b'PK\\x01\\x02')\nend = b.rfind(b'PK\\x05\\x06')\n"
      "entry = b[cd:end]\nsecond = bytearray(entry)\nsecond[46:47] = b'b'\n"
      "eocd = bytearray(b[end:])\n"
      "struct.pack_into('<HHII', eocd, 8, 2, 2, 2 * len(entry), cd)\n"
      "open(out, 'wb').write(b[:cd] + entry + bytes(second) + bytes(eocd))\n");
  back.clear();
  s = ReadZip(overlap, &back);
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.code() == Code::kInvalidInput || s.code() == Code::kVerifyFailed) << s.message();
}

// Info-ZIP unzip and libarchive both turn a backslash into a path separator; whatever the
// name becomes, it must be one the reader would accept.
TEST_F(ZipTest, BackslashNamesNeverSurviveAsBackslashes) {
  std::string zip = PythonZip("z = zipfile.ZipFile(out, 'w')\nz.writestr('a\\\\b', 'x')\nz.close()");
  std::map<std::string, std::string> back;
  Status s = ReadZip(zip, &back);
  if (s.ok()) {
    for (const auto& [name, data] : back) EXPECT_EQ(name.find('\\'), std::string::npos) << name;
  } else {
    EXPECT_EQ(s.code(), Code::kInvalidInput) << s.message();
  }
}

TEST(ZipNames, SafeMemberNames) {
  for (const char* ok : {"manifest.json", "items/abc", "keys/alice-0123.minisign.pub",
                         "custody/received/1/events.jsonl", "a.b-c_d"}) {
    EXPECT_TRUE(vault::IsSafeMemberName(ok)) << ok;
  }
  for (const char* bad : {"", "/a", "a/", "../a", "a/../b", "./a", "a/./b", "a//b", "a\\b",
                          "C:x", "a b", "a\n", "..", "."}) {
    EXPECT_FALSE(vault::IsSafeMemberName(bad)) << bad;
  }
  EXPECT_FALSE(vault::IsSafeMemberName(std::string(513, 'a')));
}

}  // namespace
}  // namespace amanat::testing
