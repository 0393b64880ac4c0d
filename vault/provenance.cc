#include "vault/provenance.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "crypto/encoding.h"
#include "crypto/sha256.h"
#include "vault/event.h"
#include "vault/text.h"

namespace amanat::vault {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 5> kRelations = {"transcript", "translation", "redaction",
                                                        "excerpt", "transcode"};
// Deeper chains than this are cut in the tree (each item is shown once anyway).
constexpr int kMaxDepth = 64;

// Items reachable from `from` by following edges downwards (derivatives), `from` included.
Result<std::set<std::string>> Descendants(Db& db, const std::string& from) {
  ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT child FROM derivations WHERE parent = ?"));
  std::set<std::string> seen = {from};
  std::vector<std::string> todo = {from};
  while (!todo.empty()) {
    std::string cur = std::move(todo.back());
    todo.pop_back();
    st.Reset();
    st.Bind(1, cur);
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      std::string child = st.ColumnText(0);
      if (seen.insert(child).second) todo.push_back(child);
    }
  }
  return seen;
}

class TreeWalker {
 public:
  explicit TreeWalker(Vault& v) : v_(v) {}

  // Edges of `item` upwards (sources) or downwards (derivatives), each with its subtree.
  Result<std::vector<ProvenanceNode>> Walk(const std::string& item, bool up, int depth) {
    std::vector<ProvenanceNode> out;
    const char* sql =
        up ? "SELECT parent, relation, seq FROM derivations WHERE child = ? ORDER BY seq"
           : "SELECT child, relation, seq FROM derivations WHERE parent = ? ORDER BY seq";
    ASSIGN_OR_RETURN(Stmt st, v_.db().Prepare(sql));
    st.Bind(1, item);
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      ProvenanceNode n;
      n.item = st.ColumnText(0);
      n.relation = st.ColumnText(1);
      n.sequence = static_cast<uint64_t>(st.ColumnInt(2));
      out.push_back(std::move(n));
    }
    std::set<std::string>& seen = up ? seen_up_ : seen_down_;
    for (auto& n : out) {
      RETURN_IF_ERROR(Describe(n));
      n.repeated = !seen.insert(n.item).second;
      if (!n.repeated && depth < kMaxDepth) {
        ASSIGN_OR_RETURN(n.next, Walk(n.item, up, depth + 1));
      }
    }
    return out;
  }

  void Start(const std::string& item) {
    seen_up_ = {item};
    seen_down_ = {item};
  }

 private:
  // Who made the edge, when, with what: from its signed event.
  Status Describe(ProvenanceNode& n) {
    ASSIGN_OR_RETURN(Bytes entry, v_.log().Entry(n.sequence));
    ASSIGN_OR_RETURN(ParsedEntry pe, ParseEntry(entry));
    n.time = pe.event.time;
    n.custodian = pe.event.actor;
    n.tool = pe.event.details.value("tool", "");
    return OkStatus();
  }

  Vault& v_;
  std::set<std::string> seen_up_, seen_down_;
};

}  // namespace

bool IsValidRelation(std::string_view relation) {
  return std::find(kRelations.begin(), kRelations.end(), relation) != kRelations.end();
}

ItemMetadata DerivedMetadata(const ItemInfo& parent, const std::string& relation,
                             const ItemMetadata& given) {
  ItemMetadata m;
  const json& pm = parent.metadata;
  m.witness = pm.value("witness", "");
  m.captured_at = pm.value("captured_at", "");
  if (relation != "translation") m.lang = pm.value("lang", "");
  if (relation == "transcript" || relation == "translation") {
    const bool spoken =
        parent.kind == "audio" || parent.kind == "video" || parent.kind == "testimony";
    m.kind = spoken ? "testimony" : "document";
  } else {
    m.kind = parent.kind;
  }
  if (!given.kind.empty()) m.kind = given.kind;
  auto over = [](std::string& field, const std::string& value) {
    if (!value.empty()) field = value;
  };
  over(m.filename, given.filename);
  over(m.title, given.title);
  over(m.lang, given.lang);
  over(m.captured_at, given.captured_at);
  over(m.place, given.place);
  over(m.witness, given.witness);
  over(m.note, given.note);
  over(m.confidentiality, given.confidentiality);
  if (!given.tags.empty()) m.tags = given.tags;
  return m;
}

Result<IngestResult> DeriveItem(Vault& vault, const ItemInfo& parent, const ReadFn& read,
                                const DeriveOptions& options, const ProgressFn& progress,
                                const json& extra_details) {
  if (!IsValidRelation(options.relation)) {
    return InvalidInput("unknown relation '" + options.relation.substr(0, 40) +
                        "' (want transcript, translation, redaction, excerpt or transcode)");
  }
  if (!options.tool.empty() && !IsCleanText(options.tool, 200)) {
    return InvalidInput("--tool must be one line of UTF-8 text, at most 200 bytes");
  }
  ItemMetadata meta = DerivedMetadata(parent, options.relation, options.meta);
  StoreEvent event;
  event.action = "derive";
  event.parents = {parent.id};
  event.details = extra_details;
  event.details["relation"] = options.relation;
  if (!options.tool.empty()) event.details["tool"] = options.tool;

  ASSIGN_OR_RETURN(Savepoint sp, Savepoint::Begin(vault.db()));
  ASSIGN_OR_RETURN(IngestResult r, StoreItem(vault, read, meta, progress, event));
  if (r.item.id == parent.id) {
    return InvalidInput("the derived content is the parent item itself (same SHA-256)");
  }
  ASSIGN_OR_RETURN(std::set<std::string> below, Descendants(vault.db(), r.item.id));
  if (below.count(parent.id) != 0) {
    return InvalidInput("this would make a cycle: item " + parent.id.substr(0, 16) +
                        " is itself derived (directly or through others) from item " +
                        r.item.id.substr(0, 16));
  }
  ASSIGN_OR_RETURN(Stmt ins,
                   vault.db().Prepare("INSERT INTO derivations(seq, child, parent, relation) "
                                      "VALUES(?, ?, ?, ?)"));
  RETURN_IF_ERROR(ins.Bind(1, static_cast<int64_t>(r.sequence))
                      .Bind(2, r.item.id)
                      .Bind(3, parent.id)
                      .Bind(4, options.relation)
                      .Run());
  RETURN_IF_ERROR(sp.Release());
  return r;
}

Result<Provenance> GetProvenance(Vault& vault, const std::string& item_id) {
  Provenance p;
  p.item = item_id;
  TreeWalker walker(vault);
  walker.Start(item_id);
  ASSIGN_OR_RETURN(p.sources, walker.Walk(item_id, /*up=*/true, 0));
  ASSIGN_OR_RETURN(p.derivatives, walker.Walk(item_id, /*up=*/false, 0));
  return p;
}

}  // namespace amanat::vault
