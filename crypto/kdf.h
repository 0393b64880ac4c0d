// Key derivation: Argon2id for passphrases, crypto_kdf (BLAKE2b) for subkeys of the vault key.
#ifndef AMANAT_CRYPTO_KDF_H_
#define AMANAT_CRYPTO_KDF_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/bytes.h"
#include "crypto/secret.h"
#include "crypto/status.h"

namespace amanat::crypto {

inline constexpr size_t kArgon2SaltBytes = 16;

struct Argon2Params {
  uint64_t opslimit = 0;
  uint64_t memlimit = 0;  // bytes
};

// Named cost levels: libsodium's interactive, moderate and sensitive limits, plus
// "insecure-fast", which exists only so tests and benchmarks do not spend a second and
// 256 MiB per unlock; it is trivially brute-forced and `init` warns loudly when it is used.
Result<Argon2Params> Argon2ParamsForLevel(std::string_view level);
// The level name for params, or "custom".
std::string Argon2LevelName(const Argon2Params& params);

// Bounds checked before any work: a damaged or hostile key slot file must not make us
// allocate gigabytes or spin for hours.
Status CheckArgon2Params(const Argon2Params& params);

// 32-byte key from a passphrase. kInvalidInput for an empty passphrase or bad params,
// kIoError if the memory for Argon2id cannot be had.
Result<SecretBytes> DerivePassphraseKey(const SecretBytes& passphrase, ByteView salt,
                                        const Argon2Params& params);

// Subkey `id` of a 32-byte master key in an 8-character context (libsodium crypto_kdf).
// REQUIRES: master.size() == 32, context.size() == 8, 16 <= size <= 64.
SecretBytes DeriveSubkey(const SecretBytes& master, uint64_t id, std::string_view context,
                         size_t size = 32);

}  // namespace amanat::crypto

#endif  // AMANAT_CRYPTO_KDF_H_
