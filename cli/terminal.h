// Passphrases and progress: everything that talks to the user's terminal.
#ifndef AMANAT_CLI_TERMINAL_H_
#define AMANAT_CLI_TERMINAL_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "crypto/secret.h"
#include "crypto/status.h"

namespace amanat::cli {

// The first line of `path` (without its line ending) as a passphrase. kInvalidInput for an
// empty passphrase or a file over 4 KiB.
Result<crypto::SecretBytes> ReadPassphraseFile(const std::string& path);

// Asks on /dev/tty with echo off. With `confirm`, asks twice and insists they match.
// kInvalidInput when there is no terminal to ask on.
Result<crypto::SecretBytes> AskPassphrase(const std::string& prompt, bool confirm);

// Either from `file` (if not empty) or from the terminal.
Result<crypto::SecretBytes> GetPassphrase(const std::string& file, const std::string& prompt,
                                          bool confirm);

// Progress on stderr: bytes, rate and time left, at most five times a second. Silent unless
// stderr is a terminal and `enabled`.
class Progress {
 public:
  Progress(bool enabled, std::string label, uint64_t total);  // total 0: unknown
  ~Progress();
  void Update(uint64_t done);
  void Finish();

 private:
  bool active_;
  std::string label_;
  uint64_t total_;
  uint64_t done_ = 0;
  std::chrono::steady_clock::time_point start_, last_;
  bool drawn_ = false;
};

std::string HumanBytes(uint64_t n);

}  // namespace amanat::cli

#endif  // AMANAT_CLI_TERMINAL_H_
