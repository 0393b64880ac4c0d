#include "vault/bundle_import.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>

#include "crypto/age.h"
#include "crypto/encoding.h"
#include "vault/bundle_layout.h"
#include "vault/custodians.h"
#include "vault/received.h"
#include "vault/received_identities.h"
#include "vault/witnesses.h"
#include "vault/zip_reader.h"

namespace amanat::vault {
namespace {

using nlohmann::json;

// What StoreItems did beyond storing: items opened from their sealed form, and items this
// vault stored sealed itself (a vault made with init --seal-content).
struct Stored {
  std::vector<const BundleItem*> unsealed;
  std::map<std::string, SealedContent> sealed_here;
};

json ImportDetails(const BundleReport& r, bool already, const Stored& stored) {
  const Manifest& m = r.manifest;
  json items = json::array();
  for (const auto& it : m.items) {
    json e = {{"id", it.id}, {"size", it.size}, {"media_type", it.media_type},
              {"metadata", it.metadata}};
    auto here = stored.sealed_here.find(it.id);
    if (here != stored.sealed_here.end()) e["sealed"] = here->second.ToJson();
    items.push_back(std::move(e));
  }
  json sections = json::array();
  sections.push_back({{"origin", m.origin},
                      {"checkpoint_size", m.checkpoint_size},
                      {"checkpoint_root", crypto::Base64Encode(m.checkpoint_root)}});
  for (const auto& s : m.received) {
    sections.push_back({{"origin", s.origin},
                        {"checkpoint_size", s.checkpoint_size},
                        {"checkpoint_root", crypto::Base64Encode(s.checkpoint_root)}});
  }
  return {{"bundle",
           {{"manifest_sha256", r.manifest_sha256},
            {"origin", m.origin},
            {"exporter", m.exporter},
            {"exporter_key_id", m.exporter_key_id},
            {"export_event", m.export_event},
            {"checkpoint_size", m.checkpoint_size},
            {"checkpoint_root", crypto::Base64Encode(m.checkpoint_root)}}},
          {"items", items},
          {"sections", sections},
          {"already_imported", already}};
}

json IdentityNames(const BundleReport& r) {
  json names = json::array();
  for (const auto& [pseudonym, sealed] : r.sealed_identities) names.push_back(pseudonym);
  return names;
}

// Random access to one member of the bundle, as AgeFile needs it: reads go forward through a
// ZipReader on the member, and a read before the current position opens the archive again.
// The member's first bytes (the age header and nonce) are kept, so that opening the age file
// and then reading it from the start costs two passes over the member, not more.
class MemberAt {
 public:
  MemberAt(RandomAccessSource& source, std::string path) : source_(source), path_(std::move(path)) {}

  Status Start() {
    RETURN_IF_ERROR(Reopen());
    head_.resize(static_cast<size_t>(std::min<uint64_t>(size_, kHeadBytes)));
    ASSIGN_OR_RETURN(size_t got, Forward(head_.data(), head_.size()));
    if (got != head_.size()) return VerifyFailed(path_ + ": shorter than declared");
    return OkStatus();
  }
  uint64_t size() const { return size_; }

  Result<size_t> ReadAt(uint64_t offset, uint8_t* buf, size_t n) {
    if (offset >= size_) return size_t{0};
    n = static_cast<size_t>(std::min<uint64_t>(n, size_ - offset));
    if (offset + n <= head_.size()) {
      std::memcpy(buf, head_.data() + offset, n);
      return n;
    }
    if (offset < pos_) RETURN_IF_ERROR(Reopen());
    Bytes skip(std::min<uint64_t>(offset - pos_, kHeadBytes));
    while (pos_ < offset) {
      ASSIGN_OR_RETURN(size_t got,
                       Forward(skip.data(), static_cast<size_t>(std::min<uint64_t>(
                                                skip.size(), offset - pos_))));
      if (got == 0) return VerifyFailed(path_ + ": shorter than declared");
    }
    return Forward(buf, n);
  }

 private:
  static constexpr uint64_t kHeadBytes = 64 << 10;

  Status Reopen() {
    zip_.reset();
    ASSIGN_OR_RETURN(zip_, ZipReader::Open(source_));
    for (;;) {
      ASSIGN_OR_RETURN(auto member, zip_->Next());
      if (!member) return VerifyFailed(path_ + ": missing from the bundle (it changed since it was verified)");
      if (member->path != path_) continue;
      size_ = member->size;
      pos_ = 0;
      return OkStatus();
    }
  }
  // Reads up to `n` bytes at pos_, fewer only at the member's end.
  Result<size_t> Forward(uint8_t* buf, size_t n) {
    size_t done = 0;
    while (done < n) {
      ASSIGN_OR_RETURN(size_t got, zip_->ReadSome(buf + done, n - done));
      if (got == 0) break;
      done += got;
    }
    pos_ += done;
    return done;
  }

  RandomAccessSource& source_;
  std::string path_;
  std::unique_ptr<ZipReader> zip_;
  uint64_t size_ = 0;
  uint64_t pos_ = 0;
  Bytes head_;
};

// Opens items/<id>.age with the identity key and streams the plaintext into the vault, which
// re-hashes it: kVerifyFailed if it is not the item the manifest names.
Result<IngestResult> StoreUnsealed(Vault& vault, RandomAccessSource& source, const BundleItem& it,
                                   const std::vector<crypto::AgeIdentity>& ids,
                                   const ProgressFn& progress) {
  MemberAt member(source, it.Path());
  RETURN_IF_ERROR(member.Start());
  auto age = crypto::AgeFile::Open(
      [&member](uint64_t off, uint8_t* buf, size_t n) { return member.ReadAt(off, buf, n); },
      member.size(), ids);
  if (!age.ok()) {
    return VerifyFailed("item " + it.id + ": its sealed content does not open with this vault's "
                        "identity key (" + age.status().message() + ")");
  }
  if (age->plaintext_size() != it.size) {
    return VerifyFailed("item " + it.id + ": its sealed content opens to " +
                        std::to_string(age->plaintext_size()) + " bytes, the manifest says " +
                        std::to_string(it.size));
  }
  uint64_t offset = 0;
  ReceivedItem rec{it.id, it.size, it.kind, it.media_type, it.metadata};
  return StoreReceivedItem(
      vault,
      [&](uint8_t* buf, size_t n) -> Result<size_t> {
        ASSIGN_OR_RETURN(size_t got, age->ReadAt(offset, buf, n));
        offset += got;
        return got;
      },
      rec, progress);
}

Result<bool> ItemPresent(Vault& vault, const std::string& id) {
  auto found = ResolveItem(vault, id);
  if (found.ok()) return true;
  if (found.status().code() == Code::kNotFound) return false;
  return found.status();
}

// The identity that opens the manifest's sealed items this vault lacks: its own identity key,
// as an age identity; none if there are no such items. kAuthFailed without the unseal grant,
// or for an item sealed to another key.
Result<std::vector<crypto::AgeIdentity>> SealedContentIdentity(Vault& vault, const Manifest& m) {
  std::vector<const BundleItem*> sealed;
  for (const auto& it : m.items) {
    if (!it.sealed) continue;
    ASSIGN_OR_RETURN(bool present, ItemPresent(vault, it.id));
    if (!present) sealed.push_back(&it);
  }
  std::vector<crypto::AgeIdentity> out;
  if (sealed.empty()) return out;
  const std::string what = "the bundle carries " + std::to_string(sealed.size()) +
                           (sealed.size() == 1 ? " item" : " items") + " sealed to HQ (" +
                           sealed.front()->sealed->to + ")";
  auto key = OpenIdentityKey(vault);
  if (!key.ok()) {
    if (key.status().code() != Code::kAuthFailed) return key.status();
    return Status(Code::kAuthFailed,
                  what + ": opening them needs the unseal grant, which custodian " +
                      vault.actor().custodian + " does not hold here; nothing was imported",
                  "import as a custodian holding unseal (amanat custodian grant NAME unseal)");
  }
  ASSIGN_OR_RETURN(crypto::AgeIdentity id, crypto::AgeIdentity::FromSecretKey(key->secret_key()));
  const std::string mine = id.Recipient().ToString();
  for (const BundleItem* it : sealed) {
    if (it->sealed->to != mine) {
      return AuthFailed("item " + it->id.substr(0, 8) + "… is sealed to " + it->sealed->to +
                        ", not to this vault's identity key (" + mine + "); nothing was imported");
    }
  }
  out.push_back(std::move(id));
  return out;
}

// Streams every item of the manifest that the vault lacks from the ZIP into the vault; items
// sealed to HQ are opened with `identity` (REQUIRES: not empty if the manifest has any).
Status StoreItems(Vault& vault, RandomAccessSource& source, const Manifest& m,
                  const ProgressFn& progress, const std::vector<crypto::AgeIdentity>& identity,
                  ImportResult* out, Stored* stored) {
  std::map<std::string, const BundleItem*> wanted;
  for (const auto& it : m.items) {
    if (it.sealed) {
      ASSIGN_OR_RETURN(bool present, ItemPresent(vault, it.id));
      if (present) {
        out->present.push_back(it.id);
        continue;
      }
      if (identity.empty()) return AuthFailed("no identity key for sealed content");
      ASSIGN_OR_RETURN(IngestResult r, StoreUnsealed(vault, source, it, identity, progress));
      out->stored.push_back(it.id);
      out->unsealed.push_back(it.id);
      stored->unsealed.push_back(&it);
      if (r.item.sealed) stored->sealed_here[it.id] = *r.item.sealed;
      continue;
    }
    wanted[it.Path()] = &it;
  }
  ASSIGN_OR_RETURN(auto zip, ZipReader::Open(source));
  uint64_t before = 0;
  for (;;) {
    ASSIGN_OR_RETURN(auto member, zip->Next());
    if (!member) break;
    auto w = wanted.find(member->path);
    if (w == wanted.end()) continue;
    const BundleItem& it = *w->second;
    ReceivedItem rec{it.id, it.size, it.kind, it.media_type, it.metadata};
    ASSIGN_OR_RETURN(IngestResult r,
                     StoreReceivedItem(
                         vault, [&](uint8_t* buf, size_t n) { return zip->ReadSome(buf, n); }, rec,
                         [&](uint64_t done) {
                           if (progress) progress(before + done);
                         }));
    before += it.size;
    (r.already_present ? out->present : out->stored).push_back(it.id);
    if (!r.already_present && r.item.sealed) stored->sealed_here[it.id] = *r.item.sealed;
    wanted.erase(w);
  }
  if (!wanted.empty()) {
    return VerifyFailed(wanted.begin()->first + ": missing from the bundle (it changed since it was verified)");
  }
  return OkStatus();
}

}  // namespace

Result<ImportResult> ImportBundle(Vault& vault, RandomAccessSource& source,
                                  const BundleVerifyOptions& options, const std::string& purpose,
                                  const ProgressFn& progress) {
  RETURN_IF_ERROR(RequireRole(vault, {"admin", "collector"}, "importing a bundle"));
  ImportResult out;
  ASSIGN_OR_RETURN(out.report, VerifyBundle(source, options));
  if (!out.report.ok()) return out;
  const Manifest& m = out.report.manifest;
  if (m.origin == vault.origin()) {
    return InvalidInput("this bundle was exported from this vault (" + m.origin +
                        "); its items and records are here already");
  }
  std::vector<std::string> ids;
  for (const auto& it : m.items) ids.push_back(it.id);

  ASSIGN_OR_RETURN(out.already_imported, BundleAlreadyReceived(vault, out.report.manifest_sha256));
  // Content sealed to HQ is opened with this vault's identity key: checked before anything
  // is written.
  std::vector<crypto::AgeIdentity> identity;
  if (!out.already_imported) {
    ASSIGN_OR_RETURN(identity, SealedContentIdentity(vault, m));
  }
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(vault.db()));
  Stored stored;
  if (!out.already_imported) {
    RETURN_IF_ERROR(StoreItems(vault, source, m, progress, identity, &out, &stored));
  } else {
    out.present = ids;
  }
  json details = ImportDetails(out.report, out.already_imported, stored);
  if (!stored.unsealed.empty()) {
    json list = json::array();
    for (const BundleItem* it : stored.unsealed) {
      list.push_back({{"id", it->id},
                      {"sealed",
                       {{"format", it->sealed->format},
                        {"sha256", it->sealed->sha256},
                        {"size", it->sealed->size},
                        {"to", it->sealed->to}}}});
    }
    details["unsealed"] = list;
  }
  if (!out.report.sealed_identities.empty()) details["identities"] = IdentityNames(out.report);
  ASSIGN_OR_RETURN(out.import_event, vault.Record("import", ids, purpose, details));
  if (!out.already_imported) {
    RETURN_IF_ERROR(StoreReceivedBundle(vault, out.report, out.import_event));
    ASSIGN_OR_RETURN(out.identities, StoreReceivedIdentities(vault, out.report));
  }
  RETURN_IF_ERROR(vault.Commit(tx));
  out.imported = true;
  return out;
}

}  // namespace amanat::vault
