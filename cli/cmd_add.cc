// amanat add: stream files (or stdin) into the vault.
#include <algorithm>
#include <iostream>
#include <optional>

#include "cli/app.h"
#include "cli/terminal.h"
#include "vault/add_files.h"
#include "vault/custodians.h"
#include "vault/text.h"

namespace amanat::cli {
namespace {

struct AddOptions {
  std::vector<std::string> files;
  vault::ItemMetadata meta;
  bool json = false;
};

// A line is printed for a file only once its batch has committed: what was printed is stored.
Status RunAdd(AddOptions& o, const GlobalOptions& g) {
  RETURN_IF_ERROR(o.meta.Validate());
  if (std::count(o.files.begin(), o.files.end(), "-") > 1) {
    return InvalidInput("'-' (standard input) can be given only once");
  }
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  RETURN_IF_ERROR(vault::RequireRole(*v, {"admin", "collector"}, "adding items"));

  nlohmann::json out = nlohmann::json::array();
  std::optional<Progress> progress;
  vault::AddFilesOptions add;
  add.meta = o.meta;
  add.start = [&](const std::string& file, uint64_t size) -> vault::ProgressFn {
    progress.emplace(!g.quiet, "adding " + vault::DisplayFileName(file), size);
    return [&](uint64_t done) { progress->Update(done); };
  };
  add.finish = [&] {
    if (progress) progress->Finish();
    progress.reset();
  };
  add.committed = [&](const std::vector<vault::AddedFile>& files) {
    for (const auto& [file, r] : files) {
      if (o.json) {
        out.push_back({{"id", r.item.id},
                       {"file", file},
                       {"size", r.item.size},
                       {"media_type", r.item.media_type},
                       {"kind", r.item.kind},
                       {"already_present", r.already_present}});
      } else {
        PrintLine(r.item.id + "  " + file);
      }
    }
    std::cout.flush();  // acknowledged now, not when the process ends
  };
  Status s = vault::AddFiles(*v, o.files, add);
  if (o.json) PrintJson(out);
  return s;
}

}  // namespace

Command SetupAdd(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<AddOptions>();
  CLI::App* sub = app.add_subcommand("add", "Add files to the vault ('-' reads standard input)");
  sub->add_option("files", o->files, "Files to add")->required();
  sub->add_option("--kind", o->meta.kind, "testimony, audio, video, image, document or other")
      ->check(CLI::IsMember({"testimony", "audio", "video", "image", "document", "other"}));
  AddItemMetadataOptions(sub, o->meta);
  sub->add_flag("--json", o->json, "Machine-readable output");
  return {sub, [o, &g] { return RunAdd(*o, g); }};
}

}  // namespace amanat::cli
