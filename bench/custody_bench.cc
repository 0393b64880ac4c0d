// Custody log benchmark: append 100,000 events (an `add` of 10,000 small files, then access
// events in batches), then verify the whole log. Prints events/s, one "name value" line
// each, for bench/run to put in its table against the targets of docs/benchmarks.md. Not a test.
//
// Beside verify it measures what libsodium alone does on this machine in the same run: as many
// signature checks as the log has events, of the log's own signed messages, on every core,
// with nothing read or parsed. No verifier that checks each signature with libsodium can go
// faster, so verify's rate over this one says how much the rest of verify costs, whatever
// the machine's speed that minute.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "crypto/kdf.h"
#include "vault/add_files.h"
#include "vault/event.h"
#include "vault/key_history.h"
#include "vault/parallel.h"
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

// One signature of the log, as verify checks it.
struct Signed {
  amanat::Bytes message;
  amanat::crypto::Ed25519Signature sig{};
  amanat::crypto::Ed25519PublicKey key{};
};

// The first `count` events' signatures, with the keys the log says must have made them.
std::vector<Signed> FirstSignatures(amanat::vault::Vault& vault, int count) {
  using namespace amanat;
  std::vector<Signed> out;
  vault::KeyHistory history;
  auto st = vault.db().Prepare("SELECT entry FROM events ORDER BY seq LIMIT " + std::to_string(count));
  if (!st.ok()) Die(st.status());
  for (;;) {
    auto row = st->Step();
    if (!row.ok()) Die(row.status());
    if (!*row) break;
    auto pe = vault::ParseEntry(st->ColumnBlob(0));
    if (!pe.ok()) Die(pe.status());
    auto keys = history.Apply(pe->event);
    if (!keys.ok()) Die(keys.status());
    for (size_t k = 0; k < keys->size(); ++k) {
      out.push_back({pe->pae, pe->signatures[k].sig, (*keys)[k]});
    }
  }
  return out;
}

// Signature checks per second: `total` checks of `sample`'s signatures in turn, on every core.
double LibsodiumRate(const std::vector<Signed>& sample, size_t total) {
  std::atomic<bool> all_good{true};
  auto t0 = Clock::now();
  amanat::vault::ParallelFor(total, [&](size_t i) {
    const Signed& s = sample[i % sample.size()];
    if (!amanat::crypto::Ed25519Verify(s.key, s.message, s.sig)) all_good = false;
  });
  auto t1 = Clock::now();
  if (!all_good) Die(amanat::VerifyFailed("a signature of the log does not verify"));
  return static_cast<double>(total) / Seconds(t0, t1);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
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
  const int kRounds = 3;
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
  // verify and libsodium alone take turns, three times each: this machine's speed drifts by
  // the minute (by a third within a run, seen), so each verify run is set against the
  // libsodium runs just before and after it, and the medians are printed.
  const std::vector<Signed> sample = FirstSignatures(vault, 2048);
  std::vector<double> verify_rates, libsodium_rates, shares;
  double libsodium_last = LibsodiumRate(sample, static_cast<size_t>(kEvents));
  for (int round = 0; round < kRounds; ++round) {
    auto t3 = Clock::now();
    auto report = vault::VerifyVault(vault, {});
    auto t4 = Clock::now();
    if (!report.ok()) Die(report.status());
    if (!report->ok()) Die(VerifyFailed("verify found problems: " + report->problems.front()));
    const double rate = static_cast<double>(report->events) / Seconds(t3, t4);
    const double libsodium_next = LibsodiumRate(sample, static_cast<size_t>(kEvents));
    const double libsodium = (libsodium_last + libsodium_next) / 2;
    verify_rates.push_back(rate);
    libsodium_rates.push_back(libsodium);
    shares.push_back(rate / libsodium);
    libsodium_last = libsodium_next;
  }

  const double ingest_rate = kFiles / Seconds(t0, t1);
  const double append_rate = (kEvents - kFiles - 1) / Seconds(t1, t2);
  const double total_rate = kEvents / Seconds(t0, t2);

  // One "name value" line each; bench/run puts them in its table.
  std::printf("events %d\nfiles %d\n", kEvents, kFiles);
  std::printf("ingest_rate %.1f\nappend_rate %.1f\n", ingest_rate, append_rate);
  std::printf("total_rate %.1f\n", total_rate);
  std::printf("verify_rate %.1f\nlibsodium_rate %.1f\nverify_of_libsodium %.3f\n",
              Median(verify_rates), Median(libsodium_rates), Median(shares));
  for (int round = 0; round < kRounds; ++round) {
    std::printf("round_%d %.1f %.1f\n", round + 1, verify_rates[static_cast<size_t>(round)],
                libsodium_rates[static_cast<size_t>(round)]);
  }
  return 0;
}
