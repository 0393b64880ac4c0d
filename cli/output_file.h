// An output file that appears under its name only when complete: written as an unnamed
// O_TMPFILE in the target directory and linked in by Commit(). If the process dies or the
// content fails verification, no file (and no partial plaintext) is left under any name.
#ifndef AMANAT_CLI_OUTPUT_FILE_H_
#define AMANAT_CLI_OUTPUT_FILE_H_

#include <string>

#include "crypto/bytes.h"
#include "crypto/status.h"

namespace amanat::cli {

class OutputFile {
 public:
  // kInvalidInput if `path` exists and !overwrite.
  static Result<OutputFile> Create(const std::string& path, bool overwrite);
  ~OutputFile();
  OutputFile(OutputFile&& o) noexcept;
  OutputFile& operator=(OutputFile&&) = delete;
  OutputFile(const OutputFile&) = delete;

  Status Write(ByteView data);
  // fsync, then give the file its name (atomically replacing an old one if overwrite) and
  // fsync the directory. On failure nothing is left under the name, except that with
  // overwrite a failed directory fsync leaves the complete new file in place of the old.
  Status Commit();

 private:
  OutputFile(std::string path, bool overwrite, int fd, std::string temp_name)
      : path_(std::move(path)), overwrite_(overwrite), fd_(fd), temp_name_(std::move(temp_name)) {}
  // fsync of the directory after a new (not overwriting) name was linked; unlinks it on failure.
  Status SyncNewName();
  std::string path_;
  bool overwrite_;
  int fd_;
  std::string temp_name_;  // only when O_TMPFILE is not supported by the file system
};

// Writes all of `data` to `fd`.
Status WriteAllFd(int fd, ByteView data, const std::string& what);

}  // namespace amanat::cli

#endif  // AMANAT_CLI_OUTPUT_FILE_H_
