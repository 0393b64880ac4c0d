// Opening a bundle file as its recipient: a plain ZIP, or a ZIP encrypted to age recipients
// (`export --encrypt-to`, or the stock `age -r`), decrypted chunk by chunk as it is read —
// never to a file and never whole into memory.
#ifndef AMANAT_VAULT_BUNDLE_FILE_H_
#define AMANAT_VAULT_BUNDLE_FILE_H_

#include <memory>
#include <string>
#include <vector>

#include "crypto/age.h"
#include "crypto/status.h"
#include "vault/byte_source.h"

namespace amanat::vault {

// Reads an age identity file (as `age-keygen` or `amanat key age-keygen` write it) through
// secret memory. kNotFound / kIoError for the file, kInvalidInput for its contents.
Result<std::vector<crypto::AgeIdentity>> ReadAgeIdentityFile(const std::string& path);

// The bundle at `path`, ready for ReadBundleMembers. An age-encrypted file needs one of
// `identities`: kInvalidInput (with a hint) if none are given, kAuthFailed if none matches,
// kVerifyFailed if the file is damaged or altered. A plain ZIP ignores `identities`.
Result<std::unique_ptr<RandomAccessSource>> OpenBundleFile(
    const std::string& path, const std::vector<crypto::AgeIdentity>& identities);

// True if the file at `path` starts like an age file.
Result<bool> IsAgeEncryptedFile(const std::string& path);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_BUNDLE_FILE_H_
