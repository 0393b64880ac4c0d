// Custody log benchmark: append 100,000 events (10,000 ingests of small files plus access
// events) in batches, then verify the whole log. Prints events/s, one "name value" line
// each, for bench/run to put in its table against the targets of docs/benchmarks.md. Not a test.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "crypto/kdf.h"
#include "vault/items.h"
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
    std::fprintf(stderr, "usage: custody_bench EMPTY_DIR\n");
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

  std::vector<std::string> ids;
  auto t0 = Clock::now();
  int events = 1;  // init
  for (int i = 0; i < kFiles; i += kBatch) {
    auto tx = vault::Transaction::Begin(vault.db());
    if (!tx.ok()) Die(tx.status());
    for (int j = i; j < i + kBatch; ++j) {
      std::string body = "testimony fragment " + std::to_string(j) + "\n";
      size_t off = 0;
      vault::ItemMetadata meta;
      meta.kind = "testimony";
      meta.filename = "fragment-" + std::to_string(j) + ".txt";
      auto r = vault::IngestItem(
          vault,
          [&](uint8_t* buf, size_t n) -> Result<size_t> {
            size_t k = std::min(n, body.size() - off);
            std::copy(body.begin() + static_cast<long>(off), body.begin() + static_cast<long>(off + k), buf);
            off += k;
            return k;
          },
          meta, nullptr);
      if (!r.ok()) Die(r.status());
      ids.push_back(r->item.id);
      ++events;
    }
    if (Status c = vault.Commit(*tx); !c.ok()) Die(c);
  }
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
