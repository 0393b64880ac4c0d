// amanat derive and amanat provenance: derived items and the graph that links them.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "cli/app.h"
#include "cli/terminal.h"
#include "vault/custodians.h"
#include "vault/fs.h"
#include "vault/provenance.h"
#include "vault/text.h"

namespace amanat::cli {
namespace {

struct DeriveCliOptions {
  std::string parent;
  std::string file;
  vault::DeriveOptions derive;
  bool json = false;
};

// A file (or standard input) read in pieces; closes itself.
class InputFile {
 public:
  ~InputFile() {
    if (fd_ > STDIN_FILENO) ::close(fd_);
  }
  Status Open(const std::string& path) {
    if (path == "-") {
      fd_ = STDIN_FILENO;
      return OkStatus();
    }
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return vault::ErrnoStatus(errno, path);
    struct stat sb {};
    if (::fstat(fd_, &sb) != 0) return vault::ErrnoStatus(errno, path);
    if (S_ISDIR(sb.st_mode)) return InvalidInput(path + ": is a directory");
    if (S_ISREG(sb.st_mode)) size_ = static_cast<uint64_t>(sb.st_size);
    return OkStatus();
  }
  Result<size_t> Read(uint8_t* buf, size_t n) {
    for (;;) {
      ssize_t got = ::read(fd_, buf, n);
      if (got >= 0) return static_cast<size_t>(got);
      if (errno != EINTR) return vault::ErrnoStatus(errno, "read");
    }
  }
  uint64_t size() const { return size_; }

 private:
  int fd_ = -1;
  uint64_t size_ = 0;
};

Status RunDerive(DeriveCliOptions& o, const GlobalOptions& g) {
  if (!vault::IsValidRelation(o.derive.relation)) {
    return InvalidInput(
        "--relation must be transcript, translation, redaction, excerpt or transcode");
  }
  InputFile in;
  RETURN_IF_ERROR(in.Open(o.file));
  if (o.file != "-") o.derive.meta.filename = vault::DisplayFileName(o.file);
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  ASSIGN_OR_RETURN(vault::ItemInfo parent, vault::ResolveItem(*v, o.parent));
  RETURN_IF_ERROR(vault::RequireRead(*v, parent));
  ASSIGN_OR_RETURN(vault::Transaction tx, vault::Transaction::Begin(v->db()));
  Progress progress(!g.quiet, "adding " + o.derive.meta.filename, in.size());
  auto r = vault::DeriveItem(
      *v, parent, [&](uint8_t* buf, size_t n) { return in.Read(buf, n); }, o.derive,
      [&](uint64_t done) { progress.Update(done); });
  progress.Finish();
  if (!r.ok()) return r.status().Context(o.file == "-" ? "standard input" : o.file);
  RETURN_IF_ERROR(v->Commit(tx));
  if (o.json) {
    PrintJson({{"id", r->item.id},
               {"parent", parent.id},
               {"relation", o.derive.relation},
               {"event", r->sequence},
               {"size", r->item.size},
               {"kind", r->item.kind},
               {"media_type", r->item.media_type},
               {"already_present", r->already_present}});
  } else {
    PrintLine(r->item.id + "  " + o.derive.relation + " of " + parent.id.substr(0, 16));
  }
  return OkStatus();
}

struct ProvenanceOptions {
  std::string id;
  bool json = false;
};

std::string Label(vault::Vault& v, const std::string& id) {
  auto item = vault::ResolveItem(v, id);
  if (!item.ok()) return "(not in this vault)";
  if (!vault::MayRead(v, *item)) return "[" + item->kind + "]";
  std::string label = item->metadata.value("title", item->metadata.value("filename", ""));
  return "[" + item->kind + "]" + (label.empty() ? "" : " " + label);
}

nlohmann::json NodesJson(const std::vector<vault::ProvenanceNode>& nodes, const char* next_key) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& n : nodes) {
    nlohmann::json j = {{"item", n.item},
                        {"relation", n.relation},
                        {"event", n.sequence},
                        {"time", n.time},
                        {"custodian", n.custodian}};
    if (!n.tool.empty()) j["tool"] = n.tool;
    if (n.repeated) j["repeated"] = true;
    j[next_key] = NodesJson(n.next, next_key);
    out.push_back(std::move(j));
  }
  return out;
}

void PrintNodes(vault::Vault& v, const std::vector<vault::ProvenanceNode>& nodes, bool up,
                const std::string& indent) {
  for (const auto& n : nodes) {
    std::string line = indent + (up ? "<- " : "-> ") + n.item.substr(0, 16) + "  " +
                       (up ? "source of " : "") + n.relation + "  " + Label(v, n.item) +
                       "  (event " + std::to_string(n.sequence) + ", " + n.custodian + ", " +
                       n.time;
    if (!n.tool.empty()) line += ", tool " + n.tool;
    line += ")";
    if (n.repeated) line += "  (shown above)";
    PrintLine(line);
    PrintNodes(v, n.next, up, indent + "   ");
  }
}

Status RunProvenance(const ProvenanceOptions& o, const GlobalOptions& g) {
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  ASSIGN_OR_RETURN(vault::ItemInfo item, vault::ResolveItem(*v, o.id));
  RETURN_IF_ERROR(vault::RequireRead(*v, item));
  ASSIGN_OR_RETURN(vault::Provenance p, vault::GetProvenance(*v, item.id));
  if (o.json) {
    PrintJson({{"item", item.id},
               {"sources", NodesJson(p.sources, "sources")},
               {"derivatives", NodesJson(p.derivatives, "derivatives")}});
    return OkStatus();
  }
  PrintLine(item.id + "  " + Label(*v, item.id));
  PrintLine("sources:" + std::string(p.sources.empty() ? " none" : ""));
  PrintNodes(*v, p.sources, true, "  ");
  PrintLine("derivatives:" + std::string(p.derivatives.empty() ? " none" : ""));
  PrintNodes(*v, p.derivatives, false, "  ");
  return OkStatus();
}

}  // namespace

Command SetupDerive(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<DeriveCliOptions>();
  o->derive.meta.kind = "";  // chosen from the parent and the relation unless --kind is given
  CLI::App* sub =
      app.add_subcommand("derive", "Add an item made from another (transcript, translation, ...)");
  sub->add_option("parent", o->parent, "The item it was made from (ID or unique prefix)")
      ->required();
  sub->add_option("file", o->file, "The derived file ('-' reads standard input)")->required();
  sub->add_option("--relation", o->derive.relation,
                  "transcript, translation, redaction, excerpt or transcode")
      ->required()
      ->check(CLI::IsMember({"transcript", "translation", "redaction", "excerpt", "transcode"}));
  sub->add_option("--tool", o->derive.tool, "What made it, e.g. 'whisper 20231117' or 'hand'");
  sub->add_option("--kind", o->derive.meta.kind, "Kind (default: from the parent and the relation)")
      ->check(CLI::IsMember({"testimony", "audio", "video", "image", "document", "other"}));
  AddItemMetadataOptions(sub, o->derive.meta);
  sub->add_flag("--json", o->json, "Machine-readable output");
  return {sub, [o, &g] { return RunDerive(*o, g); }};
}

Command SetupProvenance(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<ProvenanceOptions>();
  CLI::App* sub = app.add_subcommand(
      "provenance", "Show what an item was derived from and what was derived from it");
  sub->add_option("id", o->id, "Item ID or unique prefix (8+ hex digits)")->required();
  sub->add_flag("--json", o->json, "Machine-readable output");
  return {sub, [o, &g] { return RunProvenance(*o, g); }};
}

}  // namespace amanat::cli
