#include "vault/chunk_reader.h"

#include <new>

#include "crypto/secret.h"

namespace amanat::vault {

ChunkReader::ChunkReader(const ReadFn& read, crypto::Sha256& hash, size_t chunk_size)
    : read_(read), hash_(hash), chunk_size_(chunk_size) {
  // Not zero-filled: only bytes read are ever used, and all are wiped on the way out.
  for (auto& s : slots_) s.reset(new uint8_t[chunk_size_]);
  worker_ = std::thread([this] { Run(); });
}

ChunkReader::~ChunkReader() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  worker_.join();
  for (auto& s : slots_) crypto::Wipe(s.get(), chunk_size_);
}

Result<ByteView> ChunkReader::Next() {
  std::unique_lock<std::mutex> lock(mu_);
  if (handed_out_) {
    head_ = (head_ + 1) % kSlots;
    --filled_;
    handed_out_ = false;
    cv_.notify_all();
  }
  cv_.wait(lock, [this] { return filled_ > 0 || done_; });
  if (filled_ == 0) {
    if (!error_.ok()) return error_;
    return ByteView();
  }
  handed_out_ = true;
  return ByteView(slots_[head_].get(), sizes_[head_]);
}

void ChunkReader::Run() {
  for (;;) {
    size_t slot;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || filled_ < kSlots; });
      if (stop_) return;
      slot = (head_ + filled_) % kSlots;  // free: not counted in filled_, so not handed out
    }
    uint8_t* buf = slots_[slot].get();
    size_t n = 0;
    Status error;
    try {
      while (n < chunk_size_) {
        auto got = read_(buf + n, chunk_size_ - n);
        if (!got.ok()) {
          error = got.status();
          break;
        }
        if (*got == 0) break;
        n += *got;
      }
      if (error.ok() && n > 0) hash_.Update(ByteView(buf, n));
    } catch (const std::bad_alloc&) {
      error = IoError("out of memory");
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (!error.ok()) {
      error_ = error;
      done_ = true;
    } else {
      sizes_[slot] = n;
      if (n > 0) ++filled_;
      if (n < chunk_size_) done_ = true;
    }
    cv_.notify_all();
    if (done_) return;
  }
}

}  // namespace amanat::vault
