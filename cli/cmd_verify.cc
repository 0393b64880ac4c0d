// amanat verify: check the whole vault against its own log and any checkpoints given.
#include "cli/app.h"
#include "vault/fs.h"
#include "vault/verify.h"

namespace amanat::cli {
namespace {

struct VerifyOptions {
  bool full = false;
  std::vector<std::string> against;
  bool json = false;
};

Status RunVerify(const VerifyOptions& o, const GlobalOptions& g) {
  vault::VerifyOptions vo;
  vo.full = o.full;
  for (const auto& path : o.against) {
    ASSIGN_OR_RETURN(std::string note, vault::ReadSmallFile(path, crypto::kMaxNoteSize));
    vo.against.emplace_back(path, std::move(note));
  }
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  ASSIGN_OR_RETURN(vault::VerifyReport r, vault::VerifyVault(*v, vo));
  if (r.ok()) {
    // A passed verification is itself on record.
    ASSIGN_OR_RETURN(vault::Transaction tx, vault::Transaction::Begin(v->db()));
    RETURN_IF_ERROR(v->Record("verify", {}, "",
                              {{"result", "ok"},
                               {"events", r.events},
                               {"items", r.items},
                               {"full", o.full},
                               {"checkpoints", r.checkpoints},
                               {"root", r.root_b64}})
                        .status());
    RETURN_IF_ERROR(v->Commit(tx));
  }
  if (o.json) {
    nlohmann::json j = {{"ok", r.ok()},
                        {"events", r.events},
                        {"items", r.items},
                        {"items_rehashed", r.items_rehashed},
                        {"checkpoints", r.checkpoints},
                        {"root", r.root_b64},
                        {"problems", r.problems}};
    // Only where content is sealed to HQ (a field vault made with --seal-content).
    if (r.items_sealed_checked > 0) j["items_sealed_checked"] = r.items_sealed_checked;
    PrintJson(j);
  } else {
    std::string content;
    if (o.full && r.items_sealed_checked == 0) {
      content = " (content re-hashed)";
    } else if (o.full) {
      content = std::string(" (") + (r.items_rehashed ? "content re-hashed; " : "") +
                std::to_string(r.items_sealed_checked) +
                " sealed to HQ: their stored bytes checked against the sealed SHA-256 and size "
                "their signed events record, the plaintext only HQ can check)";
    }
    std::string summary = std::to_string(r.events) + " events, " + std::to_string(r.items) +
                          " items" + content + ", " + std::to_string(r.checkpoints) +
                          " checkpoints";
    if (r.ok()) {
      PrintLine("verified: " + summary + ": OK");
    } else {
      PrintLine("FAILED: " + summary + ": " + std::to_string(r.problems.size()) + " problem" +
                (r.problems.size() == 1 ? "" : "s"));
      for (const auto& p : r.problems) PrintLine("  " + p);
    }
  }
  if (!r.ok()) return VerifyFailed("verification failed: " + r.problems.front());
  return OkStatus();
}

}  // namespace

Command SetupVerify(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<VerifyOptions>();
  CLI::App* sub = app.add_subcommand("verify", "Check signatures, hash chain, Merkle tree and checkpoints");
  sub->add_flag("--full", o->full, "Also re-hash every item's content");
  sub->add_option("--against", o->against, "A checkpoint that left the vault earlier (repeatable)")
      ->allow_extra_args(false);
  sub->add_flag("--json", o->json, "Machine-readable output");
  return {sub, [o, &g] { return RunVerify(*o, g); }};
}

}  // namespace amanat::cli
