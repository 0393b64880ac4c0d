// amanat ls and amanat show: list items and their metadata.
#include "cli/app.h"
#include "cli/terminal.h"
#include "vault/custodians.h"
#include "vault/items.h"

namespace amanat::cli {

nlohmann::json ItemJson(const vault::ItemInfo& item) {
  return {{"id", item.id},
          {"size", item.size},
          {"kind", item.kind},
          {"media_type", item.media_type},
          {"ingested_at", item.ingested_at},
          {"metadata", item.metadata}};
}

namespace {

struct LsOptions {
  std::string kind;
  bool json = false;
};

std::string Label(const vault::ItemInfo& item) {
  for (const char* k : {"title", "filename"}) {
    if (item.metadata.contains(k)) return item.metadata[k].get<std::string>();
  }
  return "";
}

Status RunLs(const LsOptions& o, const GlobalOptions& g) {
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  ASSIGN_OR_RETURN(auto all, vault::ListItems(*v, o.kind));
  std::vector<vault::ItemInfo> items;
  for (auto& it : all) {
    if (vault::MayRead(*v, it)) items.push_back(std::move(it));
  }
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& it : items) out.push_back(ItemJson(it));
    PrintJson(out);
    return OkStatus();
  }
  for (const auto& it : items) {
    char size[16];
    std::snprintf(size, sizeof size, "%10s", HumanBytes(it.size).c_str());
    char kind[12];
    std::snprintf(kind, sizeof kind, "%-9s", it.kind.c_str());
    PrintLine(it.id + "  " + kind + "  " + size + "  " + it.ingested_at + "  " + Label(it));
  }
  return OkStatus();
}

struct ShowOptions {
  std::string id;
  bool json = false;
};

Status RunShow(const ShowOptions& o, const GlobalOptions& g) {
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  ASSIGN_OR_RETURN(vault::ItemInfo item, vault::ResolveItem(*v, o.id));
  RETURN_IF_ERROR(vault::RequireRead(*v, item));
  ASSIGN_OR_RETURN(nlohmann::json notes, vault::ItemAnnotations(*v, item));
  if (o.json) {
    nlohmann::json j = ItemJson(item);
    j["annotations"] = notes;
    PrintJson(j);
    return OkStatus();
  }
  PrintLine("id           " + item.id);
  PrintLine("size         " + std::to_string(item.size) + " bytes (" + HumanBytes(item.size) + ")");
  PrintLine("kind         " + item.kind);
  PrintLine("media type   " + item.media_type);
  PrintLine("ingested at  " + item.ingested_at);
  for (const auto& [key, value] : item.metadata.items()) {
    if (key == "kind") continue;
    std::string label = key;
    std::replace(label.begin(), label.end(), '_', ' ');
    label.resize(std::max<size_t>(label.size(), 12), ' ');
    std::string text;
    if (value.is_array()) {
      for (const auto& t : value) text += (text.empty() ? "" : ", ") + t.get<std::string>();
    } else if (value.is_string()) {
      text = value.get<std::string>();
    } else {
      text = value.dump();
    }
    PrintLine(label + " " + text);
  }
  for (const auto& n : notes) {
    PrintLine("annotated    " + n["time"].get<std::string>() + " by " +
              n["custodian"].get<std::string>() + " (event " + n["sequence"].dump() + "): " +
              n["changes"].dump());
  }
  return OkStatus();
}

}  // namespace

Command SetupLs(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<LsOptions>();
  CLI::App* sub = app.add_subcommand("ls", "List items");
  sub->add_option("--kind", o->kind, "Only items of this kind");
  sub->add_flag("--json", o->json, "Machine-readable output");
  return {sub, [o, &g] { return RunLs(*o, g); }};
}

Command SetupShow(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<ShowOptions>();
  CLI::App* sub = app.add_subcommand("show", "Show an item's metadata");
  sub->add_option("id", o->id, "Item ID or unique prefix (8+ hex digits)")->required();
  sub->add_flag("--json", o->json, "Machine-readable output");
  return {sub, [o, &g] { return RunShow(*o, g); }};
}

}  // namespace amanat::cli
