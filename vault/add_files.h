// Adding files to the vault in batches: the work behind `amanat add`.
#ifndef AMANAT_VAULT_ADD_FILES_H_
#define AMANAT_VAULT_ADD_FILES_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "crypto/status.h"
#include "vault/items.h"
#include "vault/vault.h"

namespace amanat::vault {

struct AddedFile {
  std::string file;  // as given; "-" for standard input
  IngestResult result;
};

struct AddFilesOptions {
  ItemMetadata meta;  // for every file; the file name is set per file
  // A batch is committed once it holds this much input or has taken this long.
  uint64_t batch_bytes = 256ULL << 20;
  std::chrono::milliseconds batch_time{1000};
  // Called before a file is stored, with its size (0 if unknown); returns the function to be
  // told of progress, or null. Optional.
  std::function<ProgressFn(const std::string& file, uint64_t size)> start;
  // Called once that file is stored or has failed. Optional.
  std::function<void()> finish;
  // Called after each commit with the files it stored, in the order given: what was passed
  // here is stored. Optional.
  std::function<void(const std::vector<AddedFile>&)> committed;
};

// Adds `files` ("-" reads standard input, at most once), each with a signed ingest event.
// Files are stored in batches, one transaction (and one checkpoint) per batch, so that
// thousands of small files do not cost thousands of fsyncs. A failing file is rolled back
// alone: the files before it are committed (and passed to `committed`), the error names the
// file, and nothing after it is read.
// Files of one chunk or less are read ahead and typed by libmagic on a second thread while
// this one stores the ones before: for many small files that is most of the work.
Status AddFiles(Vault& vault, const std::vector<std::string>& files, const AddFilesOptions& o);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_ADD_FILES_H_
