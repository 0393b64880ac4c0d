// Status and Result<T>: how every fallible call in crypto/ and vault/ reports.
//
// Callers branch on code(), never on message text. The code maps one-to-one onto the
// command line's exit codes (DESIGN.md, "Command line"). Messages name what failed and
// where; they never contain a secret or evidence plaintext.
#ifndef AMANAT_CRYPTO_STATUS_H_
#define AMANAT_CRYPTO_STATUS_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace amanat {

enum class Code : int {
  kOk = 0,
  kVerifyFailed = 1,  // tamper, bad signature, hash mismatch, rollback
  kInvalidInput = 2,  // usage or bad input
  kAuthFailed = 3,    // wrong passphrase, missing key or role
  kNotFound = 4,
  kIoError = 5,       // storage or I/O error: disk full, locked, unreadable
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message, std::string hint = {})
      : code_(code), message_(std::move(message)), hint_(std::move(hint)) {}

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // Optional second line: what the user can do about it.
  const std::string& hint() const { return hint_; }

  // Returns a copy whose message reads "<context>: <message>".
  Status Context(std::string_view context) const {
    if (ok()) return *this;
    return Status(code_, std::string(context) + ": " + message_, hint_);
  }
  Status WithHint(std::string hint) const { return Status(code_, message_, std::move(hint)); }

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::string hint_;
};

inline Status OkStatus() { return Status(); }
inline Status VerifyFailed(std::string m) { return Status(Code::kVerifyFailed, std::move(m)); }
inline Status InvalidInput(std::string m) { return Status(Code::kInvalidInput, std::move(m)); }
inline Status AuthFailed(std::string m) { return Status(Code::kAuthFailed, std::move(m)); }
inline Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
inline Status IoError(std::string m) { return Status(Code::kIoError, std::move(m)); }

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    if (status_.ok()) status_ = Status(Code::kIoError, "internal error: OK status without value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  // REQUIRES: ok()
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace amanat

#define AMANAT_CONCAT_INNER_(a, b) a##b
#define AMANAT_CONCAT_(a, b) AMANAT_CONCAT_INNER_(a, b)

// Returns from the current function if `expr` (a Status) is not OK. The temporary's name is
// unique per use, so that uses nest (a lambda inside `expr` may use it too).
#define RETURN_IF_ERROR(expr) RETURN_IF_ERROR_IMPL_(AMANAT_CONCAT_(amanat_status_, __COUNTER__), expr)
#define RETURN_IF_ERROR_IMPL_(tmp, expr) \
  do {                                   \
    ::amanat::Status tmp = (expr);       \
    if (!tmp.ok()) return tmp;           \
  } while (0)

// `lhs = value of expr` (a Result<T>), or returns its Status from the current function.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(AMANAT_CONCAT_(amanat_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return tmp.status();          \
  lhs = std::move(tmp).value()

#endif  // AMANAT_CRYPTO_STATUS_H_
