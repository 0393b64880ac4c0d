// amanat key show: the public keys an outside verifier needs.
// amanat key age-keygen: a new age X25519 identity file, as the stock age-keygen makes.
#include <chrono>
#include <iostream>

#include "cli/app.h"
#include "cli/output_file.h"
#include "crypto/age.h"
#include "crypto/encoding.h"
#include "vault/event.h"
#include "vault/hq_keys.h"
#include "vault/keyslots.h"

namespace amanat::cli {
namespace {

struct KeyOptions {
  bool json = false;
  std::string age_output;  // age-keygen -o
  std::string hq_output;   // export-hq -o
  bool force = false;
};

// The HQ keys file for field vaults (docs/format/hq-keys.md). Unlocks the vault: the file is
// signed with its log key.
Status RunExportHq(const KeyOptions& o, const GlobalOptions& g) {
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  ASSIGN_OR_RETURN(std::string text, vault::ExportHqKeys(*v));
  if (o.hq_output == "-") {
    std::cout << text;
    return OkStatus();
  }
  ASSIGN_OR_RETURN(OutputFile out, OutputFile::Create(o.hq_output, o.force));
  RETURN_IF_ERROR(out.Write(AsBytes(text)));
  RETURN_IF_ERROR(out.Commit());
  {
    std::cerr << "HQ keys of " << v->origin() << " written to " << o.hq_output
              << "; give them to field teams with its log key " << v->keyslots().log_verifier_key
              << "\n";
  }
  return OkStatus();
}

// Like age-keygen -o FILE: the identity file (0600, never over an existing file), and the
// public key on stderr. Needs no vault.
Status RunAgeKeygen(const KeyOptions& o) {
  if (o.age_output == "-") {
    return InvalidInput("age-keygen writes the secret key to a file, not to standard output")
        .WithHint("give a file name with -o");
  }
  crypto::AgeIdentity id = crypto::AgeIdentity::Generate();
  crypto::SecretBytes text = id.FileText(std::chrono::system_clock::now());
  auto out = OutputFile::Create(o.age_output, /*overwrite=*/false);
  if (!out.ok()) {
    if (out.status().code() != Code::kInvalidInput) return out.status();
    return InvalidInput(out.status().message())
        .WithHint("age-keygen never overwrites an identity file; choose another name");
  }
  RETURN_IF_ERROR(out->Write(text.view()));
  RETURN_IF_ERROR(out->Commit());
  std::cerr << "Public key: " << id.Recipient().ToString() << "\n";
  return OkStatus();
}

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
  CLI::App* keygen = sub->add_subcommand(
      "age-keygen", "Make an age X25519 identity file (no vault needed), like age-keygen");
  keygen->add_option("-o,--output", o->age_output, "Identity file to create (mode 0600)")
      ->required();
  CLI::App* export_hq = sub->add_subcommand(
      "export-hq", "Write this vault's public keys for field vaults (init --field --hq-keys)");
  export_hq->add_option("-o,--output", o->hq_output, "The file to write ('-': stdout)")
      ->required();
  export_hq->add_flag("--force", o->force, "Overwrite FILE if it exists");
  return {sub, [o, &g, keygen, export_hq]() {
            if (keygen->parsed()) return RunAgeKeygen(*o);
            if (export_hq->parsed()) return RunExportHq(*o, g);
            return RunKeyShow(*o, g);
          }};
}

}  // namespace amanat::cli
