#include "crypto/kdf.h"

#include <sodium.h>

#include <cstdlib>

namespace amanat::crypto {
namespace {

constexpr uint64_t kMaxOpslimit = 64;
constexpr uint64_t kMaxMemlimit = 4ULL << 30;  // 4 GiB

}  // namespace

Result<Argon2Params> Argon2ParamsForLevel(std::string_view level) {
  if (level == "interactive") {
    return Argon2Params{crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
  }
  if (level == "moderate") {
    return Argon2Params{crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
  }
  if (level == "sensitive") {
    return Argon2Params{crypto_pwhash_OPSLIMIT_SENSITIVE, crypto_pwhash_MEMLIMIT_SENSITIVE};
  }
  if (level == "insecure-fast") {
    return Argon2Params{crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
  }
  return InvalidInput("unknown KDF level '" + std::string(level) +
                      "' (want interactive, moderate or sensitive)");
}

std::string Argon2LevelName(const Argon2Params& p) {
  for (const char* name : {"interactive", "moderate", "sensitive", "insecure-fast"}) {
    auto q = Argon2ParamsForLevel(name);
    if (q.ok() && q->opslimit == p.opslimit && q->memlimit == p.memlimit) return name;
  }
  return "custom";
}

Status CheckArgon2Params(const Argon2Params& p) {
  if (p.opslimit < crypto_pwhash_OPSLIMIT_MIN || p.opslimit > kMaxOpslimit) {
    return InvalidInput("Argon2id opslimit out of range");
  }
  if (p.memlimit < crypto_pwhash_MEMLIMIT_MIN || p.memlimit > kMaxMemlimit) {
    return InvalidInput("Argon2id memlimit out of range");
  }
  return OkStatus();
}

Result<SecretBytes> DerivePassphraseKey(const SecretBytes& passphrase, ByteView salt,
                                        const Argon2Params& params) {
  if (passphrase.empty()) return InvalidInput("empty passphrase");
  if (salt.size() != kArgon2SaltBytes) return InvalidInput("Argon2id salt has wrong length");
  RETURN_IF_ERROR(CheckArgon2Params(params));
  if (!InitCrypto()) return IoError("libsodium failed to initialise");
  SecretBytes key(32);
  if (crypto_pwhash(key.data(), key.size(), reinterpret_cast<const char*>(passphrase.data()),
                    passphrase.size(), salt.data(), params.opslimit,
                    static_cast<size_t>(params.memlimit), crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return IoError("not enough memory for Argon2id (" +
                   std::to_string(params.memlimit >> 20) + " MiB)");
  }
  return key;
}

SecretBytes DeriveSubkey(const SecretBytes& master, uint64_t id, std::string_view context,
                         size_t size) {
  if (master.size() != crypto_kdf_KEYBYTES || context.size() != crypto_kdf_CONTEXTBYTES ||
      size < crypto_kdf_BYTES_MIN || size > crypto_kdf_BYTES_MAX) {
    std::abort();  // programming error; never reached with untrusted input
  }
  SecretBytes out(size);
  char ctx[crypto_kdf_CONTEXTBYTES];
  std::copy(context.begin(), context.end(), ctx);
  crypto_kdf_derive_from_key(out.data(), size, id, ctx, master.data());
  return out;
}

}  // namespace amanat::crypto
