#include "vault/zip_reader.h"

#include <archive_entry.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace amanat::vault {
namespace {

constexpr size_t kReadBlock = 1 << 20;
constexpr size_t kMaxPathBytes = 512;
constexpr uint32_t kEndRecord = 0x06054b50;         // "PK\5\6"
constexpr uint32_t kZip64EndLocator = 0x07064b50;   // "PK\6\7"
constexpr uint32_t kZip64EndRecord = 0x06064b50;    // "PK\6\6"

uint32_t Le32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
uint16_t Le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
uint64_t Le64(const uint8_t* p) { return uint64_t{Le32(p)} | uint64_t{Le32(p + 4)} << 32; }

std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 80)) {
    unsigned char u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : '?';
  }
  return out;
}

}  // namespace

bool IsSafeMemberName(std::string_view path) {
  if (path.empty() || path.size() > kMaxPathBytes || path.front() == '/' || path.back() == '/') {
    return false;
  }
  for (char c : path) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || c == '/';
    if (!ok) return false;
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(start, slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = slash + 1;
  }
  return true;
}

ZipReader::ZipReader(RandomAccessSource& source) : source_(source), buffer_(kReadBlock) {}

ZipReader::~ZipReader() {
  if (archive_ != nullptr) archive_read_free(archive_);
}

la_ssize_t ZipReader::ReadCallback(struct archive* a, void* self_ptr, const void** buf) {
  auto* self = static_cast<ZipReader*>(self_ptr);
  auto n = self->source_.ReadAt(self->position_, self->buffer_.data(), self->buffer_.size());
  if (!n.ok()) {
    self->source_status_ = n.status();
    archive_set_error(a, EIO, "read failed");
    return -1;
  }
  *buf = self->buffer_.data();
  self->position_ += *n;
  return static_cast<la_ssize_t>(*n);
}

la_int64_t ZipReader::SeekCallback(struct archive* a, void* self_ptr, la_int64_t offset,
                                   int whence) {
  auto* self = static_cast<ZipReader*>(self_ptr);
  const int64_t size = static_cast<int64_t>(self->source_.size());
  int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? static_cast<int64_t>(self->position_) : size;
  if ((offset > 0 && base > INT64_MAX - offset) || base + offset < 0) {
    archive_set_error(a, EINVAL, "seek out of range");
    return ARCHIVE_FATAL;
  }
  self->position_ = static_cast<uint64_t>(std::min(base + offset, size));
  return static_cast<la_int64_t>(self->position_);
}

la_int64_t ZipReader::SkipCallback(struct archive*, void* self_ptr, la_int64_t request) {
  auto* self = static_cast<ZipReader*>(self_ptr);
  if (request <= 0) return 0;
  uint64_t left = self->source_.size() - std::min(self->position_, self->source_.size());
  uint64_t skip = std::min<uint64_t>(static_cast<uint64_t>(request), left);
  self->position_ += skip;
  return static_cast<la_int64_t>(skip);
}

Status ZipReader::ArchiveError(Code code, const std::string& what) {
  if (!source_status_.ok()) return source_status_;
  const char* msg = archive_error_string(archive_);
  return Status(code, what + ": " + Printable(msg != nullptr ? msg : "unreadable"));
}

// The end-of-central-directory record must end the archive exactly (no comment, nothing
// appended); its member count, or the Zip64 one, must be sane.
Status ZipReader::CheckEndRecord() {
  const uint64_t size = source_.size();
  const std::string name = source_.name();
  auto bad = [&](const std::string& why) {
    return InvalidInput(name + ": not a ZIP archive, or damaged or truncated (" + why + ")");
  };
  uint8_t end[22];
  if (size < sizeof end) return bad("too short");
  ASSIGN_OR_RETURN(size_t got, source_.ReadAt(size - sizeof end, end, sizeof end));
  if (got != sizeof end || Le32(end) != kEndRecord || Le16(end + 20) != 0) {
    return bad("no end-of-central-directory record at its end");
  }
  uint64_t members = Le16(end + 10);
  uint64_t cd_size = Le32(end + 12), cd_offset = Le32(end + 16);
  if (members == 0xffff || cd_size == 0xffffffff || cd_offset == 0xffffffff) {
    uint8_t loc[20], rec[56];
    if (size < sizeof end + sizeof loc) return bad("no Zip64 locator");
    ASSIGN_OR_RETURN(got, source_.ReadAt(size - sizeof end - sizeof loc, loc, sizeof loc));
    if (got != sizeof loc || Le32(loc) != kZip64EndLocator) return bad("no Zip64 locator");
    uint64_t rec_offset = Le64(loc + 8);
    if (rec_offset > size - sizeof rec) return bad("Zip64 record out of range");
    ASSIGN_OR_RETURN(got, source_.ReadAt(rec_offset, rec, sizeof rec));
    if (got != sizeof rec || Le32(rec) != kZip64EndRecord) return bad("no Zip64 record");
    members = Le64(rec + 32);
    cd_size = Le64(rec + 40);
    cd_offset = Le64(rec + 48);
  }
  if (cd_offset > size || cd_size > size - cd_offset) return bad("central directory out of range");
  if (members > kMaxZipMembers) {
    return InvalidInput(name + ": declares " + std::to_string(members) + " members, more than " +
                        std::to_string(kMaxZipMembers));
  }
  declared_members_ = members;
  return OkStatus();
}

Result<std::unique_ptr<ZipReader>> ZipReader::Open(RandomAccessSource& source) {
  std::unique_ptr<ZipReader> r(new ZipReader(source));
  RETURN_IF_ERROR(r->CheckEndRecord());
  r->archive_ = archive_read_new();
  if (r->archive_ == nullptr) return IoError("zip: cannot allocate a reader");
  struct archive* a = r->archive_;
  if (archive_read_support_format_zip_seekable(a) != ARCHIVE_OK ||
      archive_read_set_read_callback(a, &ZipReader::ReadCallback) != ARCHIVE_OK ||
      archive_read_set_seek_callback(a, &ZipReader::SeekCallback) != ARCHIVE_OK ||
      archive_read_set_skip_callback(a, &ZipReader::SkipCallback) != ARCHIVE_OK ||
      archive_read_set_callback_data(a, r.get()) != ARCHIVE_OK) {
    return r->ArchiveError(Code::kIoError, "zip: setting up the reader");
  }
  if (archive_read_open1(a) != ARCHIVE_OK) {
    return r->ArchiveError(Code::kInvalidInput, source.name() + ": not a readable ZIP archive");
  }
  return r;
}

Result<std::optional<ZipMember>> ZipReader::Next() {
  struct archive_entry* e = nullptr;
  int rc = archive_read_next_header(archive_, &e);
  if (rc == ARCHIVE_EOF) {
    current_.reset();
    // libarchive keeps one member per data offset; a central directory that lists the same
    // data twice would show other readers a member that this one never returns.
    if (seen_.size() != declared_members_) {
      return InvalidInput(source_.name() + ": the central directory lists " +
                          std::to_string(declared_members_) + " members, " +
                          std::to_string(seen_.size()) + " can be read");
    }
    return std::optional<ZipMember>();
  }
  if (rc != ARCHIVE_OK) {
    // Warnings too: an inconsistency between the local header and the central directory
    // means two readers may see different content.
    return ArchiveError(Code::kInvalidInput, source_.name() + ": damaged ZIP member header");
  }
  const char* raw = archive_entry_pathname(e);
  std::string path = raw != nullptr ? raw : "";
  if (!IsSafeMemberName(path)) {
    return InvalidInput(source_.name() + ": refusing member name '" + Printable(path) +
                        "' (absolute, '..', or characters outside A-Z a-z 0-9 . _ - /)");
  }
  if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e) != nullptr) {
    return InvalidInput(source_.name() + ": member " + path +
                        " is not a regular file (symbolic link, directory or other)");
  }
  // libarchive names each member's method in the format name: "ZIP 1.0 (uncompressed)".
  const char* format = archive_format_name(archive_);
  std::string_view method = format != nullptr ? format : "";
  if (method.size() < 14 || method.substr(method.size() - 14) != "(uncompressed)") {
    return InvalidInput(source_.name() + ": member " + path +
                        " is compressed; bundle members are stored uncompressed");
  }
  if (archive_entry_is_encrypted(e)) {
    return InvalidInput(source_.name() + ": member " + path + " is encrypted");
  }
  if (!archive_entry_size_is_set(e) || archive_entry_size(e) < 0) {
    return InvalidInput(source_.name() + ": member " + path + " declares no size");
  }
  const uint64_t size = static_cast<uint64_t>(archive_entry_size(e));
  if (size > source_.size() || declared_total_ > source_.size() - size) {
    return InvalidInput(source_.name() + ": member " + path + " declares " + std::to_string(size) +
                        " bytes, more than the archive holds");
  }
  declared_total_ += size;
  if (!seen_.insert(path).second) {
    return VerifyFailed(source_.name() + ": member " + path + " appears twice");
  }
  current_ = ZipMember{path, size};
  data_read_ = false;
  pulled_ = 0;
  return current_;
}

Status ZipReader::Read(const ByteSink& sink) {
  if (!current_ || data_read_) return IoError("zip: no member to read");
  data_read_ = true;
  const std::string& path = current_->path;
  uint64_t total = 0;
  for (;;) {
    const void* buf = nullptr;
    size_t n = 0;
    la_int64_t offset = 0;
    int rc = archive_read_data_block(archive_, &buf, &n, &offset);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK) return ArchiveError(Code::kVerifyFailed, "member " + path);
    if (offset < 0 || static_cast<uint64_t>(offset) != total) {
      return VerifyFailed("member " + path + ": data out of order");
    }
    if (n > current_->size - total) {
      return VerifyFailed("member " + path + ": more data than the " +
                          std::to_string(current_->size) + " bytes declared");
    }
    total += n;
    if (n > 0) RETURN_IF_ERROR(sink(ByteView(static_cast<const uint8_t*>(buf), n)));
  }
  if (total != current_->size) {
    return VerifyFailed("member " + path + ": " + std::to_string(total) + " bytes, " +
                        std::to_string(current_->size) + " declared (truncated?)");
  }
  return OkStatus();
}

Result<size_t> ZipReader::ReadSome(uint8_t* buf, size_t n) {
  if (!current_ || data_read_) return IoError("zip: no member to read");
  const std::string& path = current_->path;
  la_ssize_t got = archive_read_data(archive_, buf, n);
  if (got < 0) return ArchiveError(Code::kVerifyFailed, "member " + path);
  if (static_cast<uint64_t>(got) > current_->size - pulled_) {
    return VerifyFailed("member " + path + ": more data than the " +
                        std::to_string(current_->size) + " bytes declared");
  }
  pulled_ += static_cast<uint64_t>(got);
  if (got == 0 && n > 0) {
    data_read_ = true;
    if (pulled_ != current_->size) {
      return VerifyFailed("member " + path + ": " + std::to_string(pulled_) + " bytes, " +
                          std::to_string(current_->size) + " declared (truncated?)");
    }
  }
  return static_cast<size_t>(got);
}

Result<std::string> ZipReader::ReadAll(size_t max_bytes) {
  if (!current_) return IoError("zip: no member to read");
  if (current_->size > max_bytes) {
    return InvalidInput("member " + current_->path + " is " + std::to_string(current_->size) +
                        " bytes, more than the " + std::to_string(max_bytes) + " allowed");
  }
  std::string out;
  out.reserve(static_cast<size_t>(current_->size));
  RETURN_IF_ERROR(Read([&](ByteView d) {
    out.append(reinterpret_cast<const char*>(d.data()), d.size());
    return OkStatus();
  }));
  return out;
}

}  // namespace amanat::vault
