#include "vault/bundle_reader.h"

#include "crypto/encoding.h"
#include "crypto/sha256.h"
#include "vault/bundle_layout.h"
#include "vault/zip_reader.h"

namespace amanat::vault {

Result<BundleMembers> ReadBundleMembers(RandomAccessSource& source, const ReadProgressFn& progress) {
  ASSIGN_OR_RETURN(auto zip, ZipReader::Open(source));
  BundleMembers out;
  uint64_t done = 0, small_total = 0;
  for (;;) {
    ASSIGN_OR_RETURN(auto member, zip->Next());
    if (!member) break;
    const std::string& path = member->path;
    const MemberKind kind = ClassifyMember(path);
    if (kind == MemberKind::kUnknown) {
      out.unknown.push_back(path);
      continue;
    }
    crypto::Sha256 hash;
    Status s;
    if (kind == MemberKind::kItem) {
      s = zip->Read([&](ByteView d) {
        hash.Update(d);
        done += d.size();
        if (progress) progress(done);
        return OkStatus();
      });
    } else {
      if (member->size > kMaxSmallMembersTotal - small_total) {
        return InvalidInput(source.name() + ": its members other than items hold more than " +
                            std::to_string(kMaxSmallMembersTotal >> 20) + " MiB");
      }
      small_total += member->size;
      auto data = zip->ReadAll(MaxMemberBytes(kind));
      if (data.ok()) {
        hash.Update(AsBytes(*data));
        done += data->size();
        out.contents[path] = std::move(*data);
      } else {
        s = data.status();
      }
    }
    if (!s.ok()) {
      // Damaged data is a finding about this member; the others can still be checked.
      if (s.code() != Code::kVerifyFailed) return s;
      out.damaged[path] = s.message();
      out.contents.erase(path);
      continue;
    }
    out.sha256[path] = crypto::HexEncode(hash.Finish());
    out.sizes[path] = member->size;
  }
  return out;
}

}  // namespace amanat::vault
