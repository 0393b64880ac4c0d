#include "vault/bundle_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "crypto/secret.h"
#include "vault/fs.h"

namespace amanat::vault {
namespace {

constexpr size_t kMaxIdentityFile = 64 * 1024;

// Decrypts an age file on demand: every ReadAt authenticates the chunks it touches.
class AgeSource final : public RandomAccessSource {
 public:
  AgeSource(std::unique_ptr<RandomAccessSource> file, crypto::AgeFile age)
      : file_(std::move(file)), age_(std::move(age)), name_(file_->name()) {}
  uint64_t size() const override { return age_.plaintext_size(); }
  Result<size_t> ReadAt(uint64_t offset, uint8_t* buf, size_t n) override {
    return age_.ReadAt(offset, buf, n);
  }
  const std::string& name() const override { return name_; }

 private:
  std::unique_ptr<RandomAccessSource> file_;  // read by age_ through a callback
  crypto::AgeFile age_;
  std::string name_;
};

}  // namespace

Result<std::vector<crypto::AgeIdentity>> ReadAgeIdentityFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, path).Context("identity file");
  crypto::SecretBytes text(kMaxIdentityFile + 1);
  size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return ErrnoStatus(err, path).Context("identity file");
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  if (got > kMaxIdentityFile) return InvalidInput("identity file " + path + " is too large");
  text.Truncate(got);
  auto ids = crypto::ParseAgeIdentities(
      std::string_view(reinterpret_cast<const char*>(text.data()), text.size()));
  if (!ids.ok()) return ids.status().Context("identity file " + path);
  return ids;
}

Result<bool> IsAgeEncryptedFile(const std::string& path) {
  ASSIGN_OR_RETURN(auto file, FileSource::Open(path));
  uint8_t head[32] = {};
  ASSIGN_OR_RETURN(size_t n, file->ReadAt(0, head, sizeof(head)));
  return crypto::IsAgeFile(ByteView(head, n));
}

Result<std::unique_ptr<RandomAccessSource>> OpenBundleFile(
    const std::string& path, const std::vector<crypto::AgeIdentity>& identities) {
  ASSIGN_OR_RETURN(auto file, FileSource::Open(path));
  uint8_t head[32] = {};
  ASSIGN_OR_RETURN(size_t n, file->ReadAt(0, head, sizeof(head)));
  if (!crypto::IsAgeFile(ByteView(head, n))) return std::unique_ptr<RandomAccessSource>(std::move(file));
  if (identities.empty()) {
    return Status(Code::kInvalidInput, path + ": the bundle is encrypted (age)")
        .WithHint("give the recipient's identity file with --identity KEY");
  }
  RandomAccessSource* raw = file.get();
  auto age = crypto::AgeFile::Open(
      [raw](uint64_t offset, uint8_t* buf, size_t len) { return raw->ReadAt(offset, buf, len); },
      raw->size(), identities);
  if (!age.ok()) return age.status().Context(path);
  return std::unique_ptr<RandomAccessSource>(
      std::make_unique<AgeSource>(std::move(file), std::move(*age)));
}

}  // namespace amanat::vault
