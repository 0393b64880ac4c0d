// amanat annotate: later metadata for an item, recorded as a signed event.
#include "cli/app.h"
#include "vault/custodians.h"
#include "vault/items.h"

namespace amanat::cli {
namespace {

struct AnnotateOptions {
  std::string id;
  vault::ItemMetadata meta;
};

Status RunAnnotate(AnnotateOptions& o, const GlobalOptions& g) {
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  ASSIGN_OR_RETURN(vault::ItemInfo item, vault::ResolveItem(*v, o.id));
  RETURN_IF_ERROR(vault::RequireRead(*v, item));
  RETURN_IF_ERROR(vault::RequireRole(*v, {"admin", "collector"}, "annotating items"));
  o.meta.kind = item.kind;
  RETURN_IF_ERROR(vault::AnnotateItem(*v, item, o.meta));
  PrintLine("annotated " + item.id);
  return OkStatus();
}

}  // namespace

Command SetupAnnotate(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<AnnotateOptions>();
  CLI::App* sub = app.add_subcommand("annotate", "Record later metadata for an item (a signed event)");
  sub->add_option("id", o->id, "Item ID or unique prefix (8+ hex digits)")->required();
  AddItemMetadataOptions(sub, o->meta);
  return {sub, [o, &g] { return RunAnnotate(*o, g); }};
}

}  // namespace amanat::cli
