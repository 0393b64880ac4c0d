// Custody log benchmark: append 100,000 events (an `add` of 10,000 small files, then access
// events in batches), then verify the whole log. Prints events/s, one "name value" line
// each, for bench/run to put in its table against the targets of docs/benchmarks.md. Not a test.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "crypto/kdf.h"
#include "vault/add_files.h"
#include "vault/verify.h"

namespace {

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

[[noreturn]] void Die(const amanat::Status& s) {
  std::fprintf(stderr, "custody_bench: %s\n", s.message().c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace amanat;
  if (argc != 2) {
    std::fprintf(stderr, "usage: custody_bench NEW_DIR  (also uses NEW_DIR.files)\n");
    return 2;
  }
  const std::string dir = argv[1];
  const int kFiles = std::getenv("BENCH_FILES") ? std::atoi(std::getenv("BENCH_FILES")) : 10000;
  const int kEvents = std::getenv("BENCH_EVENTS") ? std::atoi(std::getenv("BENCH_EVENTS")) : 100000;
  const int kBatch = 1000;
  auto pass = crypto::SecretBytes::Copy(AsBytes("bench passphrase"));
  auto kdf = crypto::Argon2ParamsForLevel("insecure-fast").value();
  Status s = vault::Vault::Init({dir, "bench", kdf, ""}, pass);
  if (!s.ok()) Die(s);
  auto v = vault::Vault::Open(dir, "", [&](const vault::KeySlot&) {
    return Result<crypto::SecretBytes>(crypto::SecretBytes::Copy(pass.view()));
  });
  if (!v.ok()) Die(v.status());
  vault::Vault& vault = **v;

  // The files are written before the clock starts: the benchmark measures `add`, not this.
  const std::string files_dir = dir + ".files";
  if (::mkdir(files_dir.c_str(), 0700) != 0) Die(IoError(files_dir + ": cannot create"));
  std::vector<std::string> files;
  for (int j = 0; j < kFiles; ++j) {
    files.push_back(files_dir + "/fragment-" + std::to_string(j) + ".txt");
    std::FILE* f = std::fopen(files.back().c_str(), "w");
    if (f == nullptr) Die(IoError(files.back() + ": cannot create"));
    std::fprintf(f, "testimony fragment %d\n", j);
    if (std::fclose(f) != 0) Die(IoError(files.back() + ": cannot write"));
  }

  // The 10,000 small files go in as `amanat add` stores them: vault::AddFiles.
  std::vector<std::string> ids;
  int events = 1;  // init
  vault::AddFilesOptions add;
  add.meta.kind = "testimony";
  add.committed = [&](const std::vector<vault::AddedFile>& done) {
    for (const auto& f : done) ids.push_back(f.result.item.id);
  };
  auto t0 = Clock::now();
  if (Status a = vault::AddFiles(vault, files, add); !a.ok()) Die(a);
  events += static_cast<int>(ids.size());
  auto t1 = Clock::now();
  while (events < kEvents) {
    auto tx = vault::Transaction::Begin(vault.db());
    if (!tx.ok()) Die(tx.status());
    for (int j = 0; j < kBatch && events < kEvents; ++j, ++events) {
      auto r = vault.Record("access", {ids[static_cast<size_t>(events) % ids.size()]}, "review",
                            {{"operation", "get"}});
      if (!r.ok()) Die(r.status());
    }
    if (Status c = vault.Commit(*tx); !c.ok()) Die(c);
  }
  auto t2 = Clock::now();
  auto report = vault::VerifyVault(vault, {});
  auto t3 = Clock::now();
  if (!report.ok()) Die(report.status());
  if (!report->ok()) Die(VerifyFailed("verify found problems: " + report->problems.front()));

  const double ingest_rate = kFiles / Seconds(t0, t1);
  const double append_rate = (kEvents - kFiles - 1) / Seconds(t1, t2);
  const double total_rate = kEvents / Seconds(t0, t2);
  const double verify_rate = static_cast<double>(report->events) / Seconds(t2, t3);
  // One "name value" line each; bench/run puts them in its table.
  std::printf("events %d\nfiles %d\n", kEvents, kFiles);
  std::printf("ingest_rate %.1f\nappend_rate %.1f\n", ingest_rate, append_rate);
  std::printf("total_rate %.1f\nverify_rate %.1f\n", total_rate, verify_rate);
  return 0;
}
