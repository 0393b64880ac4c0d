// Reading and hashing content on a second thread, a few chunks ahead of the thread that
// stores it, so that reading and SHA-256 overlap SQLCipher's page encryption.
#ifndef AMANAT_VAULT_CHUNK_READER_H_
#define AMANAT_VAULT_CHUNK_READER_H_

#include <array>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "crypto/sha256.h"
#include "crypto/status.h"
#include "vault/items.h"

namespace amanat::vault {

class ChunkReader {
 public:
  // Reads `read` in chunks of `chunk_size` bytes and adds each to `hash`, on a thread of its
  // own. `read` and `hash` are not touched by the caller until Next() has returned the end or
  // an error, or the reader is destroyed.
  ChunkReader(const ReadFn& read, crypto::Sha256& hash, size_t chunk_size = kChunkSize);
  ChunkReader(const ChunkReader&) = delete;
  ChunkReader& operator=(const ChunkReader&) = delete;
  // Stops the thread (after the read it is in) and wipes the buffers.
  ~ChunkReader();

  // The next chunk, valid until the next call: full-size except the last one; empty at the
  // end. A read error is returned after the chunks read before it.
  Result<ByteView> Next();

 private:
  static constexpr size_t kSlots = 3;
  void Run();

  const ReadFn& read_;
  crypto::Sha256& hash_;
  const size_t chunk_size_;
  std::array<std::unique_ptr<uint8_t[]>, kSlots> slots_;
  std::array<size_t, kSlots> sizes_{};
  std::mutex mu_;
  std::condition_variable cv_;
  size_t head_ = 0;    // oldest filled slot
  size_t filled_ = 0;  // filled slots from head_ on, the one handed out included
  bool handed_out_ = false;
  bool done_ = false;  // the thread has stopped reading: end of input or an error
  bool stop_ = false;
  Status error_;
  std::thread worker_;  // last: starts once the rest is ready
};

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_CHUNK_READER_H_
