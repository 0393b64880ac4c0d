// RFC 3161 trusted timestamps through OpenSSL's TS API: a request over a message, and the
// verification of a time-stamping authority's (TSA's) response to it.
//
// A response is the DER TimeStampResp exactly as the TSA sent it (a `.tsr` file, as written
// by `openssl ts -reply`); Amanat keeps and exports those bytes unchanged, so that the stock
// `openssl ts -verify` checks them too. Only SHA-256 message imprints are made or accepted.
//
// "Valid at the token's own time": the TSA's certificate chain is checked at the genTime the
// token states (X509_V_FLAG_USE_CHECK_TIME), not at the time of checking. A token made while
// the TSA's certificate was valid still verifies after that certificate has expired, which is
// what a timestamp is for; a token whose genTime lies outside the certificate's validity does
// not. Revocation is not checked (no CRL or OCSP): a TSA key known to be compromised must be
// dealt with by whoever decides which CA to trust.
//
// Stateless; thread-safe.
#ifndef AMANAT_CRYPTO_TIMESTAMP_H_
#define AMANAT_CRYPTO_TIMESTAMP_H_

#include <cstdint>
#include <string>

#include "crypto/bytes.h"
#include "crypto/status.h"

namespace amanat::crypto {

// Responses and requests above this size are refused as malformed (real ones are a few KiB).
inline constexpr size_t kMaxTimestampSize = 256 * 1024;

struct TimestampRequest {
  Bytes der;          // DER TimeStampReq
  std::string nonce;  // the request's nonce: lowercase hex of the integer, no leading zeros
};

// What a response attests, as read from its TSTInfo.
struct TimestampInfo {
  // genTime as RFC 3339 UTC, e.g. "2026-12-01T03:34:21Z" (a fraction of a second is kept).
  std::string gen_time;
  int64_t gen_time_unix = 0;  // genTime in seconds since the epoch (fraction dropped)
  std::string serial;         // serialNumber, lowercase hex
  // The signing certificate's subject in the certificate's order ("CN=...,O=..."), or the
  // token's tsa field if no certificate is at hand.
  std::string tsa;
  std::string policy;  // TSA policy OID, dotted decimal
  std::string nonce;   // lowercase hex; empty if the token has none
  Digest imprint{};    // the SHA-256 message imprint
};

// Trust for verification: the CA certificates trusted as roots, and optional intermediate
// certificates (not trusted by themselves) to build the chain from the TSA's certificate.
struct TimestampTrust {
  std::string ca_pem;     // one or more PEM certificates; at least one is required
  std::string chain_pem;  // zero or more PEM certificates
};

// A TimeStampReq (version 1) over SHA-256(`message`) with a fresh random 64-bit nonce and
// certReq set (the TSA is asked to include its certificate), no policy. kIoError only if
// OpenSSL fails internally.
Result<TimestampRequest> MakeTimestampRequest(ByteView message);

// Reads a response without verifying anything, e.g. to find the request it answers.
// kInvalidInput if it is not one DER TimeStampResp (or has trailing bytes), or if the TSA's
// status is not granted (the message names the status); kVerifyFailed if its imprint is not
// SHA-256 or its genTime is malformed.
Result<TimestampInfo> ParseTimestampResponse(ByteView response);

// Verifies `response` as the answer to `request` (DER TimeStampReq, SHA-256): the token's
// signature, its signing-certificate binding (ESS), the TSA certificate chain up to a CA in
// `trust` with the timeStamping extended key usage, checked at the token's genTime, the
// version, the message imprint, the nonce (if the request has one), and that a tsa field, if
// present, names the signer. Returns what the token attests.
// kInvalidInput for a malformed response, request or PEM input, or a refused request;
// kVerifyFailed, naming OpenSSL's reason, for a response that does not verify or answers
// another request.
Result<TimestampInfo> VerifyTimestampResponse(ByteView response, ByteView request,
                                              const TimestampTrust& trust);

// As VerifyTimestampResponse, without the original request: the imprint must be
// `message_sha256`; the nonce cannot be checked (anyone could have asked for this token, which
// is harmless: it still proves the message existed at genTime).
Result<TimestampInfo> VerifyTimestampToken(ByteView response, const Digest& message_sha256,
                                           const TimestampTrust& trust);

// The certificates in `pem`, re-encoded as PEM one after the other; anything else in the
// text (comments, keys, other PEM blocks) is dropped. For keeping the certificates a token
// was verified with. kInvalidInput if a certificate block is damaged, or if there is none
// and `required`.
Result<std::string> CertificatesPem(const std::string& pem, bool required);

}  // namespace amanat::crypto

#endif  // AMANAT_CRYPTO_TIMESTAMP_H_
