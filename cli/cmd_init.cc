// amanat init: create a vault.
#include "cli/app.h"
#include "cli/terminal.h"
#include "crypto/kdf.h"
#include "vault/keyslots.h"

namespace amanat::cli {
namespace {

struct InitOptions {
  std::string kdf = "moderate";
  std::string origin;
  bool json = false;
};

Status RunInit(const InitOptions& o, const GlobalOptions& g) {
  if (g.custodian.empty()) {
    return InvalidInput("init needs the first custodian's name").WithHint("add --custodian NAME");
  }
  ASSIGN_OR_RETURN(crypto::Argon2Params kdf, crypto::Argon2ParamsForLevel(o.kdf));
  if (o.kdf == "insecure-fast") {
    Warn("--kdf insecure-fast makes the passphrase trivial to brute-force; for tests only");
  }
  vault::InitOptions init{g.vault_dir, g.custodian, kdf, o.origin};
  ASSIGN_OR_RETURN(crypto::SecretBytes pass,
                   GetPassphrase(g.passphrase_file, "New passphrase for " + g.custodian, true));
  RETURN_IF_ERROR(vault::Vault::Init(init, pass));
  ASSIGN_OR_RETURN(vault::KeySlots ks, vault::KeySlots::Load(vault::VaultPaths(g.vault_dir).keyslots));
  if (o.json) {
    PrintJson({{"vault", g.vault_dir},
               {"vault_id", ks.vault_id},
               {"origin", ks.origin},
               {"log_key", ks.log_verifier_key},
               {"custodian", g.custodian},
               {"kdf", o.kdf}});
  } else {
    PrintLine("created vault " + ks.vault_id + " in " + g.vault_dir + " (custodian " +
              g.custodian + ", admin)");
    PrintLine("log key: " + ks.log_verifier_key);
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
  sub->add_flag("--json", o->json, "Machine-readable output");
  return {sub, [o, &g] { return RunInit(*o, g); }};
}

}  // namespace amanat::cli
