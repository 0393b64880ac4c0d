// amanat checkpoint [-o FILE] and amanat checkpoint verify --key VKEY FILE.
#include "cli/app.h"
#include "crypto/checkpoint.h"
#include "crypto/encoding.h"
#include "crypto/note.h"
#include "vault/fs.h"
#include "vault/keyslots.h"

namespace amanat::cli {
namespace {

struct CheckpointOptions {
  std::string output;
  // verify
  std::vector<std::string> keys;
  std::string file;
  bool json = false;
};

// A verifier key given as text or as a file holding it.
Result<crypto::NoteVerifier> LoadVerifierKey(const std::string& arg) {
  std::string text = arg;
  if (vault::PathExists(arg)) {
    ASSIGN_OR_RETURN(text, vault::ReadSmallFile(arg, crypto::kMaxNoteKeyTextSize));
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  auto v = crypto::ParseVerifierKey(text);
  if (!v.ok()) return InvalidInput("--key: " + v.status().message());
  return v;
}

// Prints the vault's newest checkpoint. Needs no passphrase: it is public, and is checked
// against the log key named in keyslots.json before it is shown.
Status RunCheckpoint(const CheckpointOptions& o, const GlobalOptions& g) {
  vault::VaultPaths paths(g.vault_dir);
  ASSIGN_OR_RETURN(vault::KeySlots ks, vault::KeySlots::Load(paths.keyslots));
  ASSIGN_OR_RETURN(std::string note, vault::ReadSmallFile(paths.checkpoint_latest, crypto::kMaxNoteSize));
  ASSIGN_OR_RETURN(crypto::NoteVerifier verifier, crypto::ParseVerifierKey(ks.log_verifier_key));
  auto cp = crypto::OpenCheckpoint(note, verifier);
  if (!cp.ok()) return VerifyFailed("checkpoints/latest: " + cp.status().message());
  if (o.output.empty() || o.output == "-") {
    std::fputs(note.c_str(), stdout);
    return OkStatus();
  }
  RETURN_IF_ERROR(vault::WriteFileAtomic(o.output, note, 0644));
  PrintLine("checkpoint of " + cp->origin + " at " + std::to_string(cp->size) + " events written to " +
            o.output);
  return OkStatus();
}

Status RunCheckpointVerify(const CheckpointOptions& o) {
  std::vector<crypto::NoteVerifier> verifiers;
  for (const auto& k : o.keys) {
    ASSIGN_OR_RETURN(crypto::NoteVerifier v, LoadVerifierKey(k));
    verifiers.push_back(std::move(v));
  }
  ASSIGN_OR_RETURN(std::string note, vault::ReadSmallFile(o.file, crypto::kMaxNoteSize));
  auto opened = crypto::OpenNote(note, verifiers);
  if (!opened.ok()) {
    if (opened.status().code() == Code::kInvalidInput) {
      return InvalidInput(o.file + ": " + opened.status().message());
    }
    return VerifyFailed(o.file + ": " + opened.status().message());
  }
  nlohmann::json signers = nlohmann::json::array();
  for (const auto& s : opened->verified) {
    char id[9];
    std::snprintf(id, sizeof id, "%08x", s.key_id);
    signers.push_back(s.name + "+" + id);
  }
  auto cp = crypto::ParseCheckpoint(opened->text);
  // A checkpoint's key name must be its origin; any other note is reported as a plain note.
  bool is_checkpoint = cp.ok() && std::any_of(opened->verified.begin(), opened->verified.end(),
                                              [&](const auto& s) { return s.name == cp->origin; });
  if (o.json) {
    nlohmann::json j = {{"ok", true}, {"signed_by", signers}, {"checkpoint", is_checkpoint}};
    if (is_checkpoint) {
      j["origin"] = cp->origin;
      j["size"] = cp->size;
      j["root"] = crypto::Base64Encode(cp->root);
    }
    PrintJson(j);
  } else {
    std::string by;
    for (const auto& s : signers) by += (by.empty() ? "" : ", ") + s.get<std::string>();
    if (is_checkpoint) {
      PrintLine("checkpoint OK: " + cp->origin + ", " + std::to_string(cp->size) + " entries, root " +
                crypto::Base64Encode(cp->root) + ", signed by " + by);
    } else {
      PrintLine("note OK: signed by " + by);
    }
  }
  return OkStatus();
}

}  // namespace

Command SetupCheckpoint(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<CheckpointOptions>();
  CLI::App* sub = app.add_subcommand("checkpoint", "Print the vault's signed checkpoint, or verify one");
  sub->add_option("-o,--output", o->output, "Write it to FILE");
  sub->require_subcommand(0, 1);
  CLI::App* ver = sub->add_subcommand("verify", "Verify any C2SP signed note or checkpoint (no vault needed)");
  ver->add_option("--key", o->keys, "Verifier key (name+hex8+base64), or a file holding one")
      ->required()
      ->allow_extra_args(false);
  ver->add_option("file", o->file, "The signed note")->required();
  ver->add_flag("--json", o->json, "Machine-readable output");
  return {sub, [o, &g, ver]() -> Status {
            if (ver->parsed()) return RunCheckpointVerify(*o);
            return RunCheckpoint(*o, g);
          }};
}

}  // namespace amanat::cli
