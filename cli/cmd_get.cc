// amanat get: stream an item's content out, re-hashing it on the way.
#include <unistd.h>

#include <optional>

#include "cli/app.h"
#include "cli/output_file.h"
#include "cli/terminal.h"
#include "vault/custodians.h"
#include "vault/items.h"

namespace amanat::cli {
namespace {

struct GetOptions {
  std::string id;
  std::string output;  // empty: standard output
  std::string purpose;
  bool force = false;
};

Status RunGet(const GetOptions& o, const GlobalOptions& g) {
  const bool to_stdout = o.output.empty() || o.output == "-";
  if (to_stdout && o.output.empty() && ::isatty(STDOUT_FILENO) == 1) {
    return InvalidInput("refusing to write evidence to the terminal")
        .WithHint("use -o FILE, or -o - to force standard output");
  }
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  ASSIGN_OR_RETURN(vault::ItemInfo item, vault::ResolveItem(*v, o.id));
  RETURN_IF_ERROR(vault::RequireRead(*v, item));
  RETURN_IF_ERROR(vault::RequireOpenable(*v, item));
  // The output is opened first (so a refused output records no access), and the read is on
  // record before the first byte leaves the vault.
  std::optional<OutputFile> out;
  if (!to_stdout) {
    ASSIGN_OR_RETURN(OutputFile f, OutputFile::Create(o.output, o.force));
    out.emplace(std::move(f));
  }
  RETURN_IF_ERROR(vault::RecordAccess(*v, item, "get", o.purpose));
  Progress progress(!g.quiet, "extracting " + item.id.substr(0, 12), item.size);
  auto report = [&](uint64_t done) { progress.Update(done); };
  if (to_stdout) {
    Status s = vault::ExtractItem(
        *v, item, [](ByteView d) { return WriteAllFd(STDOUT_FILENO, d, "standard output"); },
        report);
    progress.Finish();
    return s;
  }
  Status s = vault::ExtractItem(*v, item, [&](ByteView d) { return out->Write(d); }, report);
  progress.Finish();
  RETURN_IF_ERROR(s);  // `out` is discarded unnamed: nothing appears under o.output
  return out->Commit();
}

}  // namespace

Command SetupGet(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<GetOptions>();
  CLI::App* sub = app.add_subcommand("get", "Extract an item's exact bytes");
  sub->add_option("id", o->id, "Item ID or unique prefix (8+ hex digits)")->required();
  sub->add_option("-o,--output", o->output, "Write to FILE ('-' for standard output)");
  sub->add_option("--purpose", o->purpose, "Why you are reading it (recorded in the custody log)");
  sub->add_flag("--force", o->force, "Overwrite FILE if it exists");
  return {sub, [o, &g] { return RunGet(*o, g); }};
}

}  // namespace amanat::cli
