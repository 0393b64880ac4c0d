// SignatureChecker: checks the custody signatures a command has just made (sign-then-verify,
// against a faulty signer or memory), on another core while the command goes on appending.
// The command calls AllGood() before it commits; that call helps with what is still queued
// and waits for the rest. Thread-compatible: one thread adds and asks.
#ifndef AMANAT_VAULT_SIGNATURE_CHECKER_H_
#define AMANAT_VAULT_SIGNATURE_CHECKER_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <thread>

#include "vault/event.h"

namespace amanat::vault {

class SignatureChecker {
 public:
  SignatureChecker() = default;
  ~SignatureChecker();
  SignatureChecker(const SignatureChecker&) = delete;
  SignatureChecker& operator=(const SignatureChecker&) = delete;

  // Queues `s` for checking. The first call starts the checking thread (none on one core).
  void Add(PendingSignature s);

  // Waits until every signature added so far has been checked; true if all verified. Forgets
  // them either way, so the next command's signatures start a fresh count.
  bool AllGood();

 private:
  // The checking thread: takes signatures from the queue until told to stop.
  void Run();
  // Takes the next queued signature and checks it with `lock` released; false if none.
  // REQUIRES: `lock` holds mu_.
  bool CheckNext(std::unique_lock<std::mutex>& lock);
  // Checks one signature, outside the lock; records a failure.
  void Check(const PendingSignature& s);

  static constexpr size_t kWakeAt = 16;  // queued signatures that wake the checking thread

  std::mutex mu_;
  std::condition_variable queued_;  // the queue grew, or stop_
  std::condition_variable idle_;    // busy_ fell to 0 with the queue empty
  std::deque<PendingSignature> queue_;
  size_t busy_ = 0;  // signatures taken from the queue and not yet checked
  bool failed_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_SIGNATURE_CHECKER_H_
