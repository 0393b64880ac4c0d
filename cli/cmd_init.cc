// amanat init: create a vault.
#include <optional>

#include "cli/app.h"
#include "cli/terminal.h"
#include "crypto/kdf.h"
#include "vault/fs.h"
#include "vault/hq_keys.h"
#include "vault/keyslots.h"

namespace amanat::cli {
namespace {

struct InitOptions {
  std::string kdf = "moderate";
  std::string origin;
  bool field = false;
  bool seal_content = false;
  std::string hq_keys;  // --hq-keys FILE
  bool json = false;
};

Status RunInit(const InitOptions& o, const GlobalOptions& g) {
  if (g.custodian.empty()) {
    return InvalidInput("init needs the first custodian's name").WithHint("add --custodian NAME");
  }
  if (o.seal_content && !o.field) {
    return InvalidInput("--seal-content goes with --field (it seals item content to HQ)")
        .WithHint("amanat init --field --hq-keys HQ-KEYS.json --seal-content");
  }
  ASSIGN_OR_RETURN(crypto::Argon2Params kdf, crypto::Argon2ParamsForLevel(o.kdf));
  if (o.kdf == "insecure-fast") {
    Warn("--kdf insecure-fast makes the passphrase trivial to brute-force; for tests only");
  }
  vault::InitOptions init{g.vault_dir, g.custodian, kdf, o.origin};
  // Field mode: the HQ keys are read and checked before anyone types a passphrase.
  std::optional<vault::HqKeys> hq;
  if (o.field != !o.hq_keys.empty()) {
    return InvalidInput("--field and --hq-keys go together")
        .WithHint("amanat init --field --hq-keys HQ-KEYS.json (written by key export-hq at HQ)");
  }
  init.seal_content = o.seal_content;
  if (o.field) {
    ASSIGN_OR_RETURN(std::string text, vault::ReadSmallFile(o.hq_keys, vault::kMaxHqKeysBytes));
    auto parsed = vault::ParseHqKeys(text);
    if (!parsed.ok()) return parsed.status().Context(o.hq_keys);
    hq = std::move(*parsed);
    init.hq = &*hq;
  }
  ASSIGN_OR_RETURN(crypto::SecretBytes pass,
                   GetPassphrase(g.passphrase_file, "New passphrase for " + g.custodian, true));
  RETURN_IF_ERROR(vault::Vault::Init(init, pass));
  ASSIGN_OR_RETURN(vault::KeySlots ks, vault::KeySlots::Load(vault::VaultPaths(g.vault_dir).keyslots));
  if (o.json) {
    nlohmann::json j = {{"vault", g.vault_dir},
                        {"vault_id", ks.vault_id},
                        {"origin", ks.origin},
                        {"log_key", ks.log_verifier_key},
                        {"custodian", g.custodian},
                        {"kdf", o.kdf},
                        {"field", hq ? nlohmann::json(hq->ToJson()) : nlohmann::json(nullptr)}};
    if (hq) j["seal_content"] = o.seal_content;  // field vaults only
    PrintJson(j);
  } else {
    PrintLine("created vault " + ks.vault_id + " in " + g.vault_dir + " (custodian " +
              g.custodian + ", admin)");
    PrintLine("log key: " + ks.log_verifier_key);
    if (hq) {
      PrintLine("field vault: witness identities are sealed to HQ " + hq->origin +
                " (HQ log key " + hq->log_key + "); no passphrase of this vault opens them");
      if (o.seal_content) {
        PrintLine("item content is sealed to HQ too: no passphrase of this vault opens what is "
                  "added to it");
      }
    }
  }
  return OkStatus();
}

}  // namespace

Command SetupInit(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<InitOptions>();
  CLI::App* sub = app.add_subcommand("init", "Create a new vault (needs --custodian NAME)");
  sub->add_option("--kdf", o->kdf, "Passphrase hardening: interactive, moderate or sensitive")
      ->check(CLI::IsMember({"interactive", "moderate", "sensitive", "insecure-fast"}));
  sub->add_option("--origin", o->origin, "Checkpoint origin (default amanat/<vault id>)");
  sub->add_flag("--field", o->field,
                "Field vault: seal witness identities to HQ's keys (needs --hq-keys)");
  sub->add_option("--hq-keys", o->hq_keys, "HQ's public keys (from `amanat key export-hq`)");
  sub->add_flag("--seal-content", o->seal_content,
                "Field vault: seal item content to HQ as well; this vault cannot open it");
  sub->add_flag("--json", o->json, "Machine-readable output");
  return {sub, [o, &g] { return RunInit(*o, g); }};
}

}  // namespace amanat::cli
