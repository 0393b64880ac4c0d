#include "crypto/timestamp.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <ctime>
#include <memory>
#include <string_view>

#include "crypto/encoding.h"
#include "crypto/secret.h"
#include "crypto/sha256.h"

namespace amanat::crypto {
namespace {

template <auto F>
struct Free {
  template <typename T>
  void operator()(T* p) const {
    F(p);
  }
};
using TsReq = std::unique_ptr<TS_REQ, Free<TS_REQ_free>>;
using TsResp = std::unique_ptr<TS_RESP, Free<TS_RESP_free>>;
using TsMsgImprint = std::unique_ptr<TS_MSG_IMPRINT, Free<TS_MSG_IMPRINT_free>>;
using TsVerifyCtx = std::unique_ptr<TS_VERIFY_CTX, Free<TS_VERIFY_CTX_free>>;
using Algor = std::unique_ptr<X509_ALGOR, Free<X509_ALGOR_free>>;
using Bignum = std::unique_ptr<BIGNUM, Free<BN_free>>;
using Integer = std::unique_ptr<ASN1_INTEGER, Free<ASN1_INTEGER_free>>;
using Bio = std::unique_ptr<BIO, Free<BIO_free>>;
using Store = std::unique_ptr<X509_STORE, Free<X509_STORE_free>>;
struct CertsFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
using Certs = std::unique_ptr<STACK_OF(X509), CertsFree>;

Status OpensslFailed(const char* what) {
  ERR_clear_error();
  return IoError(std::string("OpenSSL failed: ") + what);
}

// The most telling reason on OpenSSL's error queue (the last error of the TS library, else
// the last one), with its detail text; clears the queue.
std::string OpensslReason() {
  unsigned long chosen = 0;
  std::string detail;
  const char* data = nullptr;
  int flags = 0;
  for (unsigned long e; (e = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) != 0;) {
    if (chosen != 0 && ERR_GET_LIB(chosen) == ERR_LIB_TS && ERR_GET_LIB(e) != ERR_LIB_TS) continue;
    chosen = e;
    detail = (flags & ERR_TXT_STRING) && data != nullptr ? data : "";
  }
  if (chosen == 0) return "unknown reason";
  const char* reason = ERR_reason_error_string(chosen);
  std::string out = reason != nullptr ? reason : "error " + std::to_string(ERR_GET_REASON(chosen));
  constexpr std::string_view kPrefix = "Verify error:";
  if (detail.rfind(kPrefix, 0) == 0) detail.erase(0, kPrefix.size());
  if (!detail.empty()) out += ": " + detail;
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return out;
}

// Lowercase hex of an INTEGER's magnitude, minimal (no leading zero bytes), "-" if negative.
std::string IntegerHex(const ASN1_INTEGER* n) {
  const uint8_t* p = ASN1_STRING_get0_data(n);
  size_t len = static_cast<size_t>(ASN1_STRING_length(n));
  while (len > 1 && *p == 0) {
    ++p;
    --len;
  }
  std::string hex = len == 0 ? "00" : HexEncode(ByteView(p, len));
  return ASN1_STRING_type(n) == V_ASN1_NEG_INTEGER ? "-" + hex : hex;
}

// A name as "CN=...,O=..." (RFC 2253 escaping, written in the certificate's order, UTF-8 kept).
std::string NameText(const X509_NAME* name) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio) return "";
  const unsigned long flags = XN_FLAG_RFC2253 & ~XN_FLAG_DN_REV & ~ASN1_STRFLGS_ESC_MSB;
  if (X509_NAME_print_ex(bio.get(), name, 0, flags) < 0) return "";
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  if (n <= 0 || data == nullptr) return "";
  std::string out(data, static_cast<size_t>(n));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

// genTime "YYYYMMDDhhmmss[.f...]Z" (RFC 3161 §2.4.2) as RFC 3339, and as seconds since the epoch.
Status ReadGenTime(const ASN1_GENERALIZEDTIME* t, TimestampInfo* info) {
  // Inside the signed content, so a damaged one is a token that does not verify.
  const Status bad = VerifyFailed("time-stamp token: genTime is not YYYYMMDDhhmmss[.fraction]Z");
  std::string_view s(reinterpret_cast<const char*>(ASN1_STRING_get0_data(t)),
                     static_cast<size_t>(ASN1_STRING_length(t)));
  auto digits = [](std::string_view d) {
    return !d.empty() &&
           std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (s.size() < 15 || s.size() > 40 || s.back() != 'Z' || !digits(s.substr(0, 14))) return bad;
  std::string_view fraction = s.substr(14, s.size() - 15);
  if (!fraction.empty() && (fraction[0] != '.' || !digits(fraction.substr(1)))) return bad;
  auto num = [&](size_t at, size_t len) { return std::stoi(std::string(s.substr(at, len))); };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(4, 2) - 1;
  tm.tm_mday = num(6, 2);
  tm.tm_hour = num(8, 2);
  tm.tm_min = num(10, 2);
  tm.tm_sec = num(12, 2);
  const std::tm given = tm;
  time_t unix_time = timegm(&tm);
  std::tm back{};
  if (gmtime_r(&unix_time, &back) == nullptr || back.tm_year != given.tm_year ||
      back.tm_mon != given.tm_mon || back.tm_mday != given.tm_mday ||
      back.tm_hour != given.tm_hour || back.tm_min != given.tm_min || back.tm_sec != given.tm_sec) {
    return bad;  // a field out of range, e.g. month 13 or second 60
  }
  std::string out(s.substr(0, 4));
  out += "-" + std::string(s.substr(4, 2)) + "-" + std::string(s.substr(6, 2)) + "T" +
         std::string(s.substr(8, 2)) + ":" + std::string(s.substr(10, 2)) + ":" +
         std::string(s.substr(12, 2)) + std::string(fraction) + "Z";
  info->gen_time = std::move(out);
  info->gen_time_unix = static_cast<int64_t>(unix_time);
  return OkStatus();
}

const char* StatusName(long status) {
  static const char* const kNames[] = {"granted", "grantedWithMods",   "rejection",
                                       "waiting", "revocationWarning", "revocationNotification"};
  return status >= 0 && status <= 5 ? kNames[status] : "unknown";
}

// Decodes one DER TimeStampResp whose status grants a token.
Result<TsResp> DecodeResponse(ByteView der) {
  if (der.empty() || der.size() > kMaxTimestampSize) {
    return InvalidInput("time-stamp response is empty or larger than " +
                        std::to_string(kMaxTimestampSize / 1024) + " KiB");
  }
  const unsigned char* p = der.data();
  TsResp resp(d2i_TS_RESP(nullptr, &p, static_cast<long>(der.size())));
  ERR_clear_error();
  if (!resp) return InvalidInput("not a DER time-stamp response (RFC 3161 TimeStampResp)");
  if (p != der.data() + der.size()) return InvalidInput("time-stamp response has trailing bytes");
  long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(resp.get())));
  if (status != 0 && status != 1) {
    return InvalidInput(std::string("the TSA did not grant the request (status ") +
                        StatusName(status) + ")");
  }
  if (TS_RESP_get_token(resp.get()) == nullptr || TS_RESP_get_tst_info(resp.get()) == nullptr) {
    return InvalidInput("time-stamp response carries no token");
  }
  return resp;
}

// What the token in `resp` says. The TSA is named by the signing certificate if it is
// among the token's certificates or `extra`, else by the token's tsa field.
Result<TimestampInfo> ReadInfo(TS_RESP* resp, STACK_OF(X509) * extra) {
  TS_TST_INFO* tst = TS_RESP_get_tst_info(resp);
  TimestampInfo info;
  TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(tst);
  const ASN1_OBJECT* alg = nullptr;
  X509_ALGOR_get0(&alg, nullptr, nullptr, TS_MSG_IMPRINT_get_algo(imprint));
  const ASN1_OCTET_STRING* hashed = TS_MSG_IMPRINT_get_msg(imprint);
  if (OBJ_obj2nid(alg) != NID_sha256 || ASN1_STRING_length(hashed) != 32) {
    return VerifyFailed("time-stamp token: message imprint is not SHA-256");
  }
  std::memcpy(info.imprint.data(), ASN1_STRING_get0_data(hashed), 32);
  RETURN_IF_ERROR(ReadGenTime(TS_TST_INFO_get_time(tst), &info));
  info.serial = IntegerHex(TS_TST_INFO_get_serial(tst));
  if (const ASN1_INTEGER* nonce = TS_TST_INFO_get_nonce(tst)) info.nonce = IntegerHex(nonce);
  char oid[256];
  int n = OBJ_obj2txt(oid, sizeof oid, TS_TST_INFO_get_policy_id(tst), 1);
  if (n > 0 && static_cast<size_t>(n) < sizeof oid) info.policy = oid;
  const GENERAL_NAME* tsa = TS_TST_INFO_get_tsa(tst);
  if (tsa != nullptr && tsa->type == GEN_DIRNAME) info.tsa = NameText(tsa->d.directoryName);
  STACK_OF(X509)* signers = PKCS7_get0_signers(TS_RESP_get_token(resp), extra, 0);
  if (signers != nullptr && sk_X509_num(signers) == 1) {
    info.tsa = NameText(X509_get_subject_name(sk_X509_value(signers, 0)));
  }
  sk_X509_free(signers);
  ERR_clear_error();
  return info;
}

// Every PEM certificate in `pem`; `what` names the input in errors.
Result<Certs> ReadCerts(const std::string& pem, const char* what, bool required) {
  Certs certs(sk_X509_new_null());
  if (!certs) return OpensslFailed("allocating a certificate list");
  if (pem.size() > INT_MAX) return InvalidInput(std::string(what) + ": too large");
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpensslFailed("reading certificates");
  for (;;) {
    X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (cert == nullptr) {
      unsigned long e = ERR_peek_last_error();
      ERR_clear_error();
      // Running out of PEM blocks is the normal end; anything else is a damaged block.
      if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE) break;
      return InvalidInput(std::string(what) + ": malformed PEM certificate");
    }
    if (sk_X509_push(certs.get(), cert) <= 0) {
      X509_free(cert);
      return OpensslFailed("reading certificates");
    }
  }
  if (sk_X509_num(certs.get()) == 0 && (required || !pem.empty())) {
    return InvalidInput(std::string(what) + ": no PEM certificate found");
  }
  return certs;
}

// A request holding only a SHA-256 imprint (and, if given, a nonce).
Result<TsReq> NewRequest(const Digest& digest, const ASN1_INTEGER* nonce) {
  TsReq req(TS_REQ_new());
  TsMsgImprint imprint(TS_MSG_IMPRINT_new());
  Algor alg(X509_ALGOR_new());
  if (!req || !imprint || !alg ||
      X509_ALGOR_set0(alg.get(), OBJ_nid2obj(NID_sha256), V_ASN1_NULL, nullptr) != 1 ||
      TS_MSG_IMPRINT_set_algo(imprint.get(), alg.get()) != 1 ||
      TS_MSG_IMPRINT_set_msg(imprint.get(), const_cast<uint8_t*>(digest.data()), 32) != 1 ||
      TS_REQ_set_version(req.get(), 1) != 1 ||
      TS_REQ_set_msg_imprint(req.get(), imprint.get()) != 1 ||
      (nonce != nullptr && TS_REQ_set_nonce(req.get(), nonce) != 1) ||
      TS_REQ_set_cert_req(req.get(), 1) != 1) {
    return OpensslFailed("making a time-stamp request");
  }
  return req;
}

// The checks behind VerifyTimestampResponse and VerifyTimestampToken.
Result<TimestampInfo> Verify(ByteView response, TS_REQ* req, const TimestampTrust& trust) {
  ERR_clear_error();
  ASSIGN_OR_RETURN(TsResp resp, DecodeResponse(response));
  ASSIGN_OR_RETURN(Certs roots, ReadCerts(trust.ca_pem, "trusted CA certificates", true));
  ASSIGN_OR_RETURN(Certs chain, ReadCerts(trust.chain_pem, "intermediate certificates", false));
  ASSIGN_OR_RETURN(TimestampInfo info, ReadInfo(resp.get(), chain.get()));

  Store store(X509_STORE_new());
  if (!store) return OpensslFailed("making a certificate store");
  for (int i = 0; i < sk_X509_num(roots.get()); ++i) {
    if (X509_STORE_add_cert(store.get(), sk_X509_value(roots.get(), i)) != 1) {
      return OpensslFailed("adding a trusted certificate");
    }
  }
  // The chain is checked at the token's own time (see the header).
  X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()),
                             static_cast<time_t>(info.gen_time_unix));

  TsVerifyCtx ctx(TS_REQ_to_TS_VERIFY_CTX(req, nullptr));
  if (!ctx) return OpensslFailed("making a verification context");
  TS_VERIFY_CTX_set_store(ctx.get(), store.release());  // the context owns both from here
  TS_VERIFY_CTX_set_certs(ctx.get(), chain.release());
  int flags = TS_VFY_SIGNATURE | TS_VFY_VERSION | TS_VFY_IMPRINT | TS_VFY_SIGNER;
  if (TS_REQ_get_nonce(req) != nullptr) flags |= TS_VFY_NONCE;
  TS_VERIFY_CTX_set_flags(ctx.get(), flags);
  if (TS_RESP_verify_response(ctx.get(), resp.get()) != 1) {
    return VerifyFailed("time-stamp response does not verify: " + OpensslReason());
  }
  ERR_clear_error();
  return info;
}

}  // namespace

Result<TimestampRequest> MakeTimestampRequest(ByteView message) {
  const auto random = RandomArray<8>();
  Bignum bn(BN_bin2bn(random.data(), static_cast<int>(random.size()), nullptr));
  Integer nonce(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
  if (!nonce) return OpensslFailed("making a nonce");
  ASSIGN_OR_RETURN(TsReq req, NewRequest(Sha256Of(message), nonce.get()));
  int len = i2d_TS_REQ(req.get(), nullptr);
  if (len <= 0) return OpensslFailed("encoding a time-stamp request");
  TimestampRequest out;
  out.der.resize(static_cast<size_t>(len));
  unsigned char* p = out.der.data();
  if (i2d_TS_REQ(req.get(), &p) != len) return OpensslFailed("encoding a time-stamp request");
  out.nonce = IntegerHex(nonce.get());
  return out;
}

Result<TimestampInfo> ParseTimestampResponse(ByteView response) {
  ERR_clear_error();
  ASSIGN_OR_RETURN(TsResp resp, DecodeResponse(response));
  return ReadInfo(resp.get(), nullptr);
}

Result<TimestampInfo> VerifyTimestampResponse(ByteView response, ByteView request,
                                              const TimestampTrust& trust) {
  ERR_clear_error();
  if (request.empty() || request.size() > kMaxTimestampSize) {
    return InvalidInput("time-stamp request is empty or too large");
  }
  const unsigned char* p = request.data();
  TsReq req(d2i_TS_REQ(nullptr, &p, static_cast<long>(request.size())));
  ERR_clear_error();
  if (!req || p != request.data() + request.size()) {
    return InvalidInput("not a DER time-stamp request (RFC 3161 TimeStampReq)");
  }
  const ASN1_OBJECT* alg = nullptr;
  TS_MSG_IMPRINT* imprint = TS_REQ_get_msg_imprint(req.get());
  X509_ALGOR_get0(&alg, nullptr, nullptr, TS_MSG_IMPRINT_get_algo(imprint));
  if (OBJ_obj2nid(alg) != NID_sha256 || ASN1_STRING_length(TS_MSG_IMPRINT_get_msg(imprint)) != 32) {
    return InvalidInput("time-stamp request: message imprint is not SHA-256");
  }
  return Verify(response, req.get(), trust);
}

Result<TimestampInfo> VerifyTimestampToken(ByteView response, const Digest& message_sha256,
                                           const TimestampTrust& trust) {
  ERR_clear_error();
  ASSIGN_OR_RETURN(TsReq req, NewRequest(message_sha256, nullptr));
  return Verify(response, req.get(), trust);
}

Result<std::string> CertificatesPem(const std::string& pem, bool required) {
  ASSIGN_OR_RETURN(Certs certs, ReadCerts(pem, "certificates", required));
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio) return OpensslFailed("writing certificates");
  for (int i = 0; i < sk_X509_num(certs.get()); ++i) {
    if (PEM_write_bio_X509(bio.get(), sk_X509_value(certs.get(), i)) != 1) {
      return OpensslFailed("writing certificates");
    }
  }
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  if (n <= 0 || data == nullptr) return std::string();
  return std::string(data, static_cast<size_t>(n));
}

}  // namespace amanat::crypto
