// Reads every member of a bundle once, in archive order: items are hashed as they stream
// past (memory stays flat), every other member of the layout is read into memory within its
// kind's limit, and members outside the layout are listed without being read. Unsafe or
// malformed archives are refused by vault/zip_reader.h before any data is read.
#ifndef AMANAT_VAULT_BUNDLE_READER_H_
#define AMANAT_VAULT_BUNDLE_READER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "crypto/status.h"
#include "vault/byte_source.h"

namespace amanat::vault {

struct BundleMembers {
  std::map<std::string, std::string> contents;  // path -> bytes, members other than items
  std::map<std::string, std::string> sha256;    // path -> hex SHA-256, every member read
  std::map<std::string, uint64_t> sizes;        // path -> size, every member read
  std::vector<std::string> unknown;             // members outside the layout, not read
  // Members whose data could not be read intact (CRC mismatch, short data): path -> reason.
  std::map<std::string, std::string> damaged;
  // The bytes of member `path`, or null if the bundle has no such member (or it was not read).
  const std::string* Find(const std::string& path) const {
    auto it = contents.find(path);
    return it == contents.end() ? nullptr : &it->second;
  }
};

// Called with bytes read so far, for progress.
using ReadProgressFn = std::function<void(uint64_t done)>;

// kInvalidInput for an unsafe or malformed archive or a member over its size limit,
// kVerifyFailed for a member name that appears twice, kIoError if the source fails.
Result<BundleMembers> ReadBundleMembers(RandomAccessSource& source, const ReadProgressFn& progress);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_BUNDLE_READER_H_
