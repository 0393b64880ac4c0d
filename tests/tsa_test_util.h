// Test helper: a local RFC 3161 time-stamping authority run with the stock `openssl` binary.
// A CA and TSA certificates are made in a directory of the test's; `openssl ts -reply`
// answers requests and `openssl ts -verify` gives the independent verdict. No network.
//
//   TestTsa tsa(Path("tsa"));
//   TestTsa::Cert signer = tsa.Issue({});
//   tsa.Reply(tsq, tsr, signer);
//   EXPECT_EQ(tsa.Verify({"-queryfile", tsq, "-in", tsr, "-CAfile", tsa.ca_cert()}).exit_code, 0);
//
// Header-only; bundle tests can reuse it for `timestamps/<size>.tsr`.
#ifndef AMANAT_TESTS_TSA_TEST_UTIL_H_
#define AMANAT_TESTS_TSA_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <openssl/asn1.h>
#include <openssl/ts.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <ctime>
#include <string>
#include <vector>

#include "tests/cli_runner.h"

namespace amanat::testing {

inline constexpr char kOpenssl[] = "/usr/bin/openssl";

// A time in the form `openssl ca -startdate/-enddate` takes: YYYYMMDDHHMMSSZ, `offset`
// seconds from now.
inline std::string CaTime(long offset) {
  time_t t = ::time(nullptr) + offset;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%SZ", &tm);
  return buf;
}

// ---- reading requests and responses, independently of crypto/timestamp.cc ----

inline std::string Flip(std::string s, size_t at, uint8_t mask = 0x01) {
  s[at] = static_cast<char>(s[at] ^ mask);
  return s;
}

inline std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

inline std::string HexOf(const unsigned char* p, size_t n) {
  static const char* const kDigits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[p[i] >> 4];
    out += kDigits[p[i] & 15];
  }
  return out;
}

inline std::string HexToBytes(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return out;
}

// The request's message imprint, hex; "" if it does not parse.
inline std::string ImprintHexOfRequest(const std::string& der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  TS_REQ* req = d2i_TS_REQ(nullptr, &p, static_cast<long>(der.size()));
  if (req == nullptr) return "";
  const ASN1_OCTET_STRING* m = TS_MSG_IMPRINT_get_msg(TS_REQ_get_msg_imprint(req));
  std::string hex = HexOf(ASN1_STRING_get0_data(m), static_cast<size_t>(ASN1_STRING_length(m)));
  TS_REQ_free(req);
  return hex;
}

// The content bytes of the request's nonce; "" if none.
inline std::string NonceBytesOfRequest(const std::string& der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  TS_REQ* req = d2i_TS_REQ(nullptr, &p, static_cast<long>(der.size()));
  if (req == nullptr) return "";
  const ASN1_INTEGER* n = TS_REQ_get_nonce(req);
  std::string out = n == nullptr
                        ? ""
                        : std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(n)),
                                      static_cast<size_t>(ASN1_STRING_length(n)));
  TS_REQ_free(req);
  return out;
}

// The DER TSTInfo inside a response (the signed content), as it appears in the response's
// bytes; "" if it does not parse.
inline std::string TstInfoOf(const std::string& der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  TS_RESP* resp = d2i_TS_RESP(nullptr, &p, static_cast<long>(der.size()));
  if (resp == nullptr || TS_RESP_get_tst_info(resp) == nullptr) {
    TS_RESP_free(resp);
    return "";
  }
  unsigned char* out = nullptr;
  int n = i2d_TS_TST_INFO(TS_RESP_get_tst_info(resp), &out);
  std::string info = n > 0 ? std::string(reinterpret_cast<char*>(out), static_cast<size_t>(n)) : "";
  OPENSSL_free(out);
  TS_RESP_free(resp);
  return info;
}

// Seconds since the epoch of "YYYY-MM-DDTHH:MM:SSZ"; -1 if it is not that.
inline int64_t UnixOfRfc3339(const std::string& s) {
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (end == nullptr || *end != '\0') return -1;
  return static_cast<int64_t>(timegm(&tm));
}

// Seconds since the epoch of the "Time stamp: Dec  1 03:34:21 2026 GMT" line of
// `openssl ts -reply -in R -text`; -1 if there is none.
inline int64_t UnixOfOpensslText(const std::string& text) {
  const std::string key = "Time stamp: ";
  size_t at = text.find(key);
  if (at == std::string::npos) return -1;
  std::string line = text.substr(at + key.size(), text.find('\n', at) - at - key.size());
  size_t dot = line.find('.');  // a fraction of a second: "04:05:04.615 2026 GMT"
  if (dot != std::string::npos) line.erase(dot, line.find(' ', dot) - dot);
  std::tm tm{};
  if (strptime(line.c_str(), "%b %d %H:%M:%S %Y GMT", &tm) == nullptr) return -1;
  return static_cast<int64_t>(timegm(&tm));
}

class TestTsa {
 public:
  static constexpr const char* kPolicy = "1.3.6.1.4.1.99999.1";

  struct Cert {
    std::string cert;  // PEM file
    std::string key;   // PEM file
  };
  struct CertOptions {
    std::string name = "Amanat Test TSA";  // CN
    bool timestamping_eku = true;          // extendedKeyUsage critical timeStamping
    std::string start, end;                // CaTime form; empty: now and one year on
    std::string serial;                    // hex; forces `openssl x509 -req -set_serial`
    std::string key;                       // reuse this key file; empty: a new P-256 key
  };

  // Makes a CA named `ca_name` in `dir` (created if missing).
  explicit TestTsa(std::string dir, std::string ca_name = "Amanat Test Root CA")
      : dir_(std::move(dir)) {
    ::mkdir(dir_.c_str(), 0700);
    ::mkdir((dir_ + "/newcerts").c_str(), 0700);
    WriteFileBytes(dir_ + "/index.txt", "");
    WriteFileBytes(dir_ + "/ca.serial", "1000\n");
    WriteFileBytes(dir_ + "/tsa.serial", "01\n");
    WriteFileBytes(config(), Config());
    Openssl({"req",
             "-x509",
             "-new",
             "-newkey",
             "ec",
             "-pkeyopt",
             "ec_paramgen_curve:P-256",
             "-nodes",
             "-keyout",
             dir_ + "/ca.key",
             "-out",
             ca_cert(),
             "-subj",
             "/CN=" + ca_name,
             "-days",
             "3650",
             "-config",
             config(),
             "-extensions",
             "ca_ext"});
  }

  const std::string& dir() const { return dir_; }
  std::string ca_cert() const { return dir_ + "/ca.crt"; }
  std::string config() const { return dir_ + "/openssl.cnf"; }

  // Issues a certificate signed by this CA.
  Cert Issue(const CertOptions& o) {
    const std::string base = dir_ + "/cert" + std::to_string(++issued_);
    Cert c{base + ".crt", o.key.empty() ? base + ".key" : o.key};
    if (o.key.empty()) {
      Openssl(
          {"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", c.key});
    }
    Openssl({"req", "-new", "-key", c.key, "-subj", "/CN=" + o.name + "/O=Amanat tests", "-out",
             base + ".csr", "-config", config()});
    const std::string ext = o.timestamping_eku ? "tsa_ext" : "noeku_ext";
    if (!o.serial.empty()) {
      Openssl({"x509", "-req", "-in", base + ".csr", "-CA", ca_cert(), "-CAkey", dir_ + "/ca.key",
               "-set_serial", "0x" + o.serial, "-days", "365", "-extfile", config(), "-extensions",
               ext, "-out", c.cert});
      return c;
    }
    std::vector<std::string> args = {"ca",          "-batch",      "-config", config(),
                                     "-in",         base + ".csr", "-out",    c.cert,
                                     "-extensions", ext,           "-notext"};
    if (!o.start.empty()) args.insert(args.end(), {"-startdate", o.start});
    if (!o.end.empty()) args.insert(args.end(), {"-enddate", o.end});
    Openssl(args);
    return c;
  }

  // `openssl ts -reply`: answers the request in `tsq` with a response in `tsr`, signed by
  // `signer`, including the CA certificate; with `milliseconds`, genTime has a fraction of a
  // second. Expects success.
  void Reply(const std::string& tsq, const std::string& tsr, const Cert& signer,
             bool milliseconds = false) {
    Openssl({"ts", "-reply", "-config", config(), "-section",
             milliseconds ? "tsa_milliseconds" : "tsa_config", "-queryfile", tsq, "-out", tsr,
             "-signer", signer.cert, "-inkey", signer.key});
  }

  // `openssl ts -verify ARGS`, the stock verdict (exit 0: verified).
  RunResult Verify(const std::vector<std::string>& args) {
    std::vector<std::string> all = {"ts", "-verify"};
    all.insert(all.end(), args.begin(), args.end());
    return RunProgram(kOpenssl, all, Env());
  }

  // Runs `openssl ARGS` and expects success.
  RunResult Openssl(const std::vector<std::string>& args) {
    RunResult r = RunProgram(kOpenssl, args, Env());
    EXPECT_EQ(r.exit_code, 0) << r;
    return r;
  }

 private:
  // OPENSSL_CONF points at this TSA's configuration, never at the system's.
  RunOptions Env() const {
    RunOptions o;
    o.env["OPENSSL_CONF"] = config();
    return o;
  }

  std::string Config() const {
    return R"(# Written by tests/tsa_test_util.h
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused

[ ca ]
default_ca = test_ca
[ test_ca ]
dir = )" + dir_ +
           R"(
database = $dir/index.txt
new_certs_dir = $dir/newcerts
certificate = $dir/ca.crt
private_key = $dir/ca.key
serial = $dir/ca.serial
default_md = sha256
default_days = 365
policy = policy_any
unique_subject = no
copy_extensions = none
[ policy_any ]
commonName = supplied
organizationName = optional

[ ca_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ tsa_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ noeku_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = )" + dir_ +
           R"(
serial = $dir/tsa.serial
crypto_device = builtin
certs = $dir/ca.crt
signer_digest = sha256
default_policy = )" +
           kPolicy + R"(
other_policies = 1.3.6.1.4.1.99999.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
[ tsa_milliseconds ]
dir = )" + dir_ +
           R"(
serial = $dir/tsa.serial
crypto_device = builtin
certs = $dir/ca.crt
signer_digest = sha256
default_policy = )" +
           kPolicy + R"(
digests = sha256
accuracy = millisecs:500
clock_precision_digits = 3
ess_cert_id_alg = sha256
)";
  }

  std::string dir_;
  int issued_ = 0;
};

}  // namespace amanat::testing

#endif  // AMANAT_TESTS_TSA_TEST_UTIL_H_
