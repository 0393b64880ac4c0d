// amanat key show: the public keys an outside verifier needs.
#include "cli/app.h"
#include "crypto/encoding.h"
#include "vault/event.h"
#include "vault/keyslots.h"

namespace amanat::cli {
namespace {

struct KeyOptions {
  bool json = false;
};

// Public only: read from keyslots.json without unlocking anything.
Status RunKeyShow(const KeyOptions& o, const GlobalOptions& g) {
  ASSIGN_OR_RETURN(vault::KeySlots ks, vault::KeySlots::Load(vault::VaultPaths(g.vault_dir).keyslots));
  if (o.json) {
    nlohmann::json custodians = nlohmann::json::array();
    for (const auto& s : ks.slots) {
      custodians.push_back({{"name", s.custodian},
                            {"role", s.role},
                            {"key_id", vault::KeyId(s.sign_public_key)},
                            {"public_key", crypto::Base64Encode(s.sign_public_key)}});
    }
    nlohmann::json out = {{"vault_id", ks.vault_id},
                          {"origin", ks.origin},
                          {"log_key", ks.log_verifier_key},
                          {"custodians", custodians}};
    if (ks.identity_key) out["identity_key"] = crypto::Base64Encode(*ks.identity_key);
    PrintJson(out);
    return OkStatus();
  }
  PrintLine("vault      " + ks.vault_id);
  PrintLine("log key    " + ks.log_verifier_key);
  if (ks.identity_key) {
    PrintLine("identity   " + crypto::Base64Encode(*ks.identity_key) +
              "  (X25519; witness records are sealed to it)");
  }
  for (const auto& s : ks.slots) {
    PrintLine("custodian  " + s.custodian + " (" + s.role + ")  key " +
              vault::KeyId(s.sign_public_key) + "  " + crypto::Base64Encode(s.sign_public_key));
  }
  return OkStatus();
}

}  // namespace

Command SetupKey(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<KeyOptions>();
  CLI::App* sub = app.add_subcommand("key", "Public keys of this vault");
  sub->require_subcommand(1);
  CLI::App* show = sub->add_subcommand("show", "Print the log's verifier key and custodians' keys");
  show->add_flag("--json", o->json, "Machine-readable output");
  return {sub, [o, &g]() { return RunKeyShow(*o, g); }};
}

}  // namespace amanat::cli
