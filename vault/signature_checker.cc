#include "vault/signature_checker.h"

#include <utility>

namespace amanat::vault {

SignatureChecker::~SignatureChecker() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  queued_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SignatureChecker::Add(PendingSignature s) {
  size_t queued;
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(s));
    queued = queue_.size();
  }
  if (!thread_.joinable() && std::thread::hardware_concurrency() > 1) {
    thread_ = std::thread([this] { Run(); });
  }
  // Woken for a handful at a time, not for each: a wake-up per signature costs the appending
  // thread a system call and a context switch each time.
  if (queued >= kWakeAt) queued_.notify_one();
}

void SignatureChecker::Check(const PendingSignature& s) {
  const bool good = crypto::Ed25519Verify(s.public_key, s.pae, s.sig);
  std::lock_guard<std::mutex> lock(mu_);
  if (!good) failed_ = true;
  if (--busy_ == 0 && queue_.empty()) idle_.notify_all();
}

bool SignatureChecker::CheckNext(std::unique_lock<std::mutex>& lock) {
  if (queue_.empty()) return false;
  PendingSignature s = std::move(queue_.front());
  queue_.pop_front();
  ++busy_;
  lock.unlock();
  Check(s);
  lock.lock();
  return true;
}

void SignatureChecker::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    queued_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (!CheckNext(lock)) return;  // stop_, nothing left
  }
}

bool SignatureChecker::AllGood() {
  queued_.notify_one();
  std::unique_lock<std::mutex> lock(mu_);
  while (CheckNext(lock)) {
  }
  idle_.wait(lock, [this] { return busy_ == 0; });
  const bool good = !failed_;
  failed_ = false;
  return good;
}

}  // namespace amanat::vault
