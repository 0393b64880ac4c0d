// amanat log: the custody timeline.
#include "cli/app.h"
#include "vault/custodians.h"
#include "vault/event.h"
#include "vault/items.h"

namespace amanat::cli {
namespace {

struct LogOptions {
  std::string item;
  bool json = false;
};

Status RunLog(const LogOptions& o, const GlobalOptions& g) {
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  std::vector<uint64_t> seqs;
  if (!o.item.empty()) {
    ASSIGN_OR_RETURN(vault::ItemInfo item, vault::ResolveItem(*v, o.item));
    RETURN_IF_ERROR(vault::RequireRead(*v, item));
    ASSIGN_OR_RETURN(seqs, v->log().EventsAbout(item.id));
  } else {
    ASSIGN_OR_RETURN(uint64_t n, v->log().Size());
    for (uint64_t i = 0; i < n; ++i) seqs.push_back(i);
  }
  nlohmann::json out = nlohmann::json::array();
  for (uint64_t seq : seqs) {
    ASSIGN_OR_RETURN(Bytes entry, v->log().Entry(seq));
    ASSIGN_OR_RETURN(vault::ParsedEntry pe, vault::ParseEntry(entry));
    const vault::Event& e = pe.event;
    if (o.json) {
      nlohmann::json j = {{"sequence", e.sequence}, {"time", e.time},
                          {"custodian", e.actor},   {"key_id", e.actor_key_id},
                          {"action", e.action},     {"subjects", e.subjects},
                          {"purpose", e.purpose},   {"tool", e.tool_name + " " + e.tool_version},
                          {"parents", e.parents},   {"previous", e.previous},
                          {"details", e.details},   {"entry", std::string(AsChars(entry))}};
      out.push_back(std::move(j));
      continue;
    }
    std::string subject;
    for (const auto& s : e.subjects) subject += (subject.empty() ? "" : ",") + s.substr(0, 12);
    char head[64];
    std::snprintf(head, sizeof head, "%6llu  ", static_cast<unsigned long long>(e.sequence));
    std::string line = head + e.time + "  " + e.actor + "  " + e.action;
    if (!subject.empty()) line += "  " + subject;
    if (!e.purpose.empty()) line += "  purpose: " + e.purpose;
    PrintLine(line);
  }
  if (o.json) PrintJson(out);
  return OkStatus();
}

}  // namespace

Command SetupLog(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<LogOptions>();
  CLI::App* sub = app.add_subcommand("log", "Show the custody log");
  sub->add_option("--item", o->item, "Only events about this item");
  sub->add_flag("--json", o->json, "Every event decoded, with its raw signed entry");
  return {sub, [o, &g] { return RunLog(*o, g); }};
}

}  // namespace amanat::cli
