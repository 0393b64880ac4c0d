// Shared by fault_test.cc and crash_test.cc: a template vault with items, annotations and a
// bundle from another vault, copied fresh for every round, and the checks that must hold after
// any failed or interrupted command.
#ifndef AMANAT_TESTS_ROUND_TEST_UTIL_H_
#define AMANAT_TESTS_ROUND_TEST_UTIL_H_

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "tests/cli_runner.h"

namespace amanat::testing {

inline std::string FaultyBinary() { return AMANAT_FAULTY_BINARY; }

// 2 in a sanitizer build (CI's second run), where every process starts several times slower:
// the crash tests then run half their rounds and the fault tests every fourth N of the
// variants they otherwise run at every N. The plain build does the full amount.
inline long SanitizerSlowdown() { return AMANAT_TEST_SANITIZED ? 2 : 1; }

// Every item ID that `ls --json` lists in `r`'s output.
inline std::set<std::string> ListedIds(const RunResult& r) {
  std::set<std::string> ids;
  nlohmann::json j = ParseJson(r);
  if (!j.is_array()) return ids;
  for (const auto& it : j) ids.insert(it.value("id", ""));
  return ids;
}

class VaultRoundTest : public CliTest {
 protected:
  // Builds the template: a vault with three items (one of several chunks) and an annotation,
  // its checkpoint saved outside it, and a bundle exported from a second vault.
  void MakeTemplate() {
    InitVault();
    prior_files_ = {FixturePath("testimony-omir-bekali.txt"),
                    MakeFile("small.bin", PseudoRandomBytes(70 * 1024, 11)),
                    MakeFile("chunks.bin", PseudoRandomBytes((1 << 20) + 4321, 12))};
    for (const auto& f : prior_files_) prior_ids_.push_back(AddFile(f));
    ASSERT_EQ(RunV({"annotate", prior_ids_[0], "--note", "before the fault"}).exit_code, 0);
    RunResult cp = RunV({"checkpoint", "-o", Path("template.checkpoint")});
    ASSERT_EQ(cp.exit_code, 0) << cp;

    const std::string other = Path("other");
    InitVault(other, "omar");
    std::string other_file = MakeFile("other.bin", PseudoRandomBytes(90 * 1024, 13));
    RunResult a = Run({"--vault", other, "--passphrase-file", pass_file(), "add", other_file});
    ASSERT_EQ(a.exit_code, 0) << a;
    other_id_ = a.out.substr(0, 64);
    bundle_ = Path("other.zip");
    RunResult e = Run({"--vault", other, "--passphrase-file", pass_file(), "export", other_id_,
                       "-o", bundle_, "--purpose", "for the fault test"});
    ASSERT_EQ(e.exit_code, 0) << e;

    template_ = Path("template");
    std::filesystem::rename(vault(), template_);
  }

  // A fresh copy of the template at vault().
  void FreshVault() {
    std::filesystem::remove_all(vault());
    std::filesystem::copy(template_, vault(), std::filesystem::copy_options::recursive);
  }

  // What must hold after any command, failed or not: the vault opens with `pass` and
  // `verify --full` passes against the template's checkpoint (a consistency proof from it:
  // every earlier event is there, unchanged); every earlier item is listed (and was re-hashed
  // by verify). Returns the listed IDs.
  std::set<std::string> CheckVaultIntact(const std::string& pass, const std::string& context) {
    std::vector<std::string> base = {"--vault",           vault(), "--custodian", "alice",
                                     "--passphrase-file", pass};
    auto with = [&](std::vector<std::string> args) {
      args.insert(args.begin(), base.begin(), base.end());
      return Run(args);
    };
    RunResult v = with({"verify", "--full", "--against", Path("template.checkpoint")});
    EXPECT_EQ(v.exit_code, 0) << context << v;
    RunResult ls = with({"ls", "--json"});
    EXPECT_EQ(ls.exit_code, 0) << context << ls;
    std::set<std::string> ids = ListedIds(ls);
    for (const auto& id : prior_ids_) EXPECT_EQ(ids.count(id), 1u) << context << " lost " << id;
    return ids;
  }

  std::vector<std::string> prior_files_;
  std::vector<std::string> prior_ids_;
  std::string other_id_;
  std::string bundle_;
  std::string template_;
};

}  // namespace amanat::testing

#endif  // AMANAT_TESTS_ROUND_TEST_UTIL_H_
