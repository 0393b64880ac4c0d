// Fuzz target: C2SP signed notes and checkpoints (crypto/note.h, crypto/checkpoint.h), as
// `verify`, `verify-bundle --against` and `import` read them from outside the vault, and
// verifier key texts (`--trust`). Properties: a checkpoint or verifier key that parses formats
// back to exactly the same bytes; a note opened with the test keys was signed by one of them.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/checkpoint.h"
#include "crypto/note.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

// Trusted keys: every *.vkey seed (tests/vectors/note/ and the keys of the bundles that
// make_seeds made), read from the source tree once.
std::vector<amanat::crypto::NoteVerifier> LoadVerifiers() {
  std::vector<amanat::crypto::NoteVerifier> out;
  const std::filesystem::path dir = AMANAT_FUZZ_DATA_DIR "/corpus/note";
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".vkey") continue;
    std::ifstream in(e.path());
    std::string text;
    std::getline(in, text);
    auto v = amanat::crypto::ParseVerifierKey(text);
    FUZZ_CHECK(v.ok());
    out.push_back(*v);
  }
  FUZZ_CHECK(!out.empty());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace amanat;
  using namespace amanat::crypto;
  static const std::vector<NoteVerifier> verifiers = LoadVerifiers();
  std::string_view text(reinterpret_cast<const char*>(data), size);

  auto note = OpenNote(text, verifiers);
  if (note.ok()) {
    FUZZ_CHECK(!note->verified.empty());
    FUZZ_CHECK(ValidateNoteText(note->text).ok());
  }
  for (const auto& v : verifiers) {
    auto cp = OpenCheckpoint(text, v);
    if (cp.ok()) FUZZ_CHECK(cp->origin == v.name);
  }

  auto cp = ParseCheckpoint(text);
  if (cp.ok()) {
    auto out = FormatCheckpoint(*cp);
    FUZZ_CHECK(out.ok() && *out == text);
  }

  auto key = ParseVerifierKey(text);
  if (key.ok()) FUZZ_CHECK(FormatVerifierKey(*key) == text);
  return 0;
}
