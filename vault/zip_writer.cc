#include "vault/zip_writer.h"

#include <archive.h>
#include <archive_entry.h>

namespace amanat::vault {

ZipWriter::ZipWriter(ByteSink sink, const Options& options)
    : sink_(std::move(sink)), options_(options) {}

ZipWriter::~ZipWriter() {
  if (archive_ == nullptr) return;
  // archive_write_free closes the archive, writing a central directory even after an
  // unfinished member: abandon the sink first so that nothing more reaches it.
  broken_ = true;
  archive_write_free(archive_);
}

Result<std::unique_ptr<ZipWriter>> ZipWriter::Open(ByteSink sink, const Options& options) {
  std::unique_ptr<ZipWriter> w(new ZipWriter(std::move(sink), options));
  w->archive_ = archive_write_new();
  if (w->archive_ == nullptr) return IoError("zip: cannot allocate a writer");
  struct archive* a = w->archive_;
  if (archive_write_set_format_zip(a) != ARCHIVE_OK ||
      archive_write_set_options(a, "zip:compression=store") != ARCHIVE_OK ||
      (options.force_zip64 && archive_write_set_options(a, "zip:zip64") != ARCHIVE_OK) ||
      // No blocking: every piece goes straight to the sink, and nothing pads the end.
      archive_write_set_bytes_per_block(a, 0) != ARCHIVE_OK) {
    return w->Failed("setting up the writer");
  }
  if (archive_write_open2(a, w.get(), nullptr, &ZipWriter::WriteCallback, nullptr, nullptr) !=
      ARCHIVE_OK) {
    return w->Failed("opening the writer");
  }
  return w;
}

long ZipWriter::WriteCallback(struct archive*, void* self_ptr, const void* buf, size_t n) {
  auto* self = static_cast<ZipWriter*>(self_ptr);
  if (!self->broken_) {
    Status s = self->sink_(ByteView(static_cast<const uint8_t*>(buf), n));
    if (s.ok()) {
      self->bytes_written_ += n;
    } else {
      self->sink_status_ = s;
      self->broken_ = true;
    }
  }
  // libarchive is never told of a failure: an archive in its fatal state is freed without
  // closing its output, which leaks (libarchive 3.6). After a failure, or once the writer is
  // abandoned, the rest is discarded here, and every method reports sink_status_.
  return static_cast<long>(n);
}

Status ZipWriter::Failed(const std::string& what) {
  broken_ = true;
  if (!sink_status_.ok()) return sink_status_;  // the sink's own error says it best
  const char* msg = archive_error_string(archive_);
  return IoError("zip: " + what + ": " + (msg != nullptr ? msg : "unknown libarchive error"));
}

Status ZipWriter::Add(const std::string& path, ByteView data) {
  RETURN_IF_ERROR(Begin(path, data.size()));
  RETURN_IF_ERROR(Write(data));
  return End();
}

Status ZipWriter::Begin(const std::string& path, uint64_t size) {
  if (broken_ || finished_ || in_member_) return IoError("zip: writer is not ready for " + path);
  struct archive_entry* e = archive_entry_new();
  if (e == nullptr) return IoError("zip: cannot allocate an entry");
  archive_entry_set_pathname(e, path.c_str());
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_entry_set_size(e, static_cast<la_int64_t>(size));
  archive_entry_set_mtime(e, options_.mtime, 0);
  int rc = archive_write_header(archive_, e);
  archive_entry_free(e);
  if (rc != ARCHIVE_OK || !sink_status_.ok()) return Failed("writing the header of " + path);
  path_ = path;
  expected_ = size;
  written_ = 0;
  in_member_ = true;
  return OkStatus();
}

Status ZipWriter::Write(ByteView data) {
  if (!in_member_ || broken_) return IoError("zip: no member open");
  if (data.size() > expected_ - written_) {
    return InvalidInput("zip: " + path_ + " is longer than the " + std::to_string(expected_) +
                        " bytes announced");
  }
  size_t off = 0;
  while (off < data.size()) {
    la_ssize_t n = archive_write_data(archive_, data.data() + off, data.size() - off);
    if (n <= 0 || !sink_status_.ok()) return Failed("writing " + path_);
    off += static_cast<size_t>(n);
  }
  written_ += data.size();
  return OkStatus();
}

Status ZipWriter::End() {
  if (!in_member_ || broken_) return IoError("zip: no member open");
  if (written_ != expected_) {
    broken_ = true;
    return InvalidInput("zip: " + path_ + " has " + std::to_string(written_) + " bytes, " +
                        std::to_string(expected_) + " were announced");
  }
  if (archive_write_finish_entry(archive_) != ARCHIVE_OK || !sink_status_.ok()) {
    return Failed("finishing " + path_);
  }
  in_member_ = false;
  return OkStatus();
}

Status ZipWriter::Finish() {
  if (broken_ || finished_ || in_member_) return IoError("zip: writer is not ready to finish");
  if (archive_write_close(archive_) != ARCHIVE_OK || !sink_status_.ok()) {
    return Failed("writing the central directory");
  }
  finished_ = true;
  return OkStatus();
}

}  // namespace amanat::vault
