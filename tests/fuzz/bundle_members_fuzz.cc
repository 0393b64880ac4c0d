// Fuzz target: `verify-bundle` behind the ZIP layer. The input lists a bundle's members as
//   @@member PATH\n<bytes>\n@@member PATH\n<bytes>...
// (the newline before each "@@member" after the first belongs to the separator); the target
// writes them into a ZIP with valid CRCs (vault/zip_writer.h), as a careful forger would, and
// verifies it. Mutations of events, proofs, checkpoints and keys thus reach the custody checks,
// since the manifest's signature still holds. tests/fuzz/make_seeds writes real bundles in
// this form.
#include <cstdint>
#include <string>
#include <string_view>

#include "tests/fuzz/fuzz_check.h"
#include "vault/bundle_verify.h"
#include "vault/zip_reader.h"
#include "vault/zip_writer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace amanat;
  constexpr std::string_view kMarker = "@@member ";
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (in.substr(0, kMarker.size()) != kMarker) return 0;

  std::string zip;
  auto writer = vault::ZipWriter::Open(
      [&](ByteView d) {
        zip.append(reinterpret_cast<const char*>(d.data()), d.size());
        return OkStatus();
      },
      {1700000000, false});
  FUZZ_CHECK(writer.ok());
  size_t pos = 0;
  while (pos < in.size()) {
    size_t name_start = pos + kMarker.size();
    size_t name_end = in.find('\n', name_start);
    if (name_end == std::string_view::npos) return 0;
    std::string path(in.substr(name_start, name_end - name_start));
    size_t next = in.find(std::string("\n").append(kMarker), name_end);
    std::string_view body = in.substr(name_end + 1, next == std::string_view::npos
                                                         ? std::string_view::npos
                                                         : next - name_end - 1);
    // Unsafe names are refused before any check this target is for (bundle_fuzz.cc covers
    // the ZIP reader).
    if (!vault::IsSafeMemberName(path)) return 0;
    if (!(*writer)->Add(path, AsBytes(body)).ok()) return 0;
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  if (!(*writer)->Finish().ok()) return 0;

  vault::MemorySource source(std::move(zip), "fuzz.zip");
  auto report = vault::VerifyBundle(source, {});
  if (report.ok() && report->ok()) {
    FUZZ_CHECK(report->manifest_ok);
    for (const auto& item : report->items) FUZZ_CHECK(item.ok);
  }
  return 0;
}
