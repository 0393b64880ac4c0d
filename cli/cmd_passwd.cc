// amanat passwd: change the acting custodian's passphrase by rewrapping their key slot.
#include "cli/app.h"
#include "cli/terminal.h"
#include "vault/custodians.h"
#include "vault/keyslots.h"

namespace amanat::cli {
namespace {

struct PasswdOptions {
  std::string new_passphrase_file;
  std::string kdf;  // empty: keep the slot's cost
};

Status RunPasswd(const PasswdOptions& o, const GlobalOptions& g) {
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  const vault::KeySlot& slot = v->actor();
  crypto::Argon2Params kdf = slot.kdf;
  if (!o.kdf.empty()) {
    ASSIGN_OR_RETURN(kdf, crypto::Argon2ParamsForLevel(o.kdf));
  }
  ASSIGN_OR_RETURN(crypto::SecretBytes pass,
                   GetPassphrase(o.new_passphrase_file, "New passphrase for " + slot.custodian,
                                 true));
  ASSIGN_OR_RETURN(vault::Transaction tx, vault::Transaction::Begin(v->db()));
  nlohmann::json details = {{"custodian", slot.custodian}, {"kdf", crypto::Argon2LevelName(kdf)}};
  ASSIGN_OR_RETURN(vault::KeySlot fresh,
                   vault::RewrapActorSlot(*v, pass, kdf, v->actor_key(), details));
  vault::KeySlots ks = v->keyslots();
  *ks.FindMutable(slot.custodian) = std::move(fresh);
  RETURN_IF_ERROR(v->Record("passwd", {}, "", details).status());
  const std::string name = slot.custodian;
  RETURN_IF_ERROR(v->CommitWithKeySlots(tx, ks));
  PrintLine("passphrase changed for " + name);
  return OkStatus();
}

}  // namespace

Command SetupPasswd(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<PasswdOptions>();
  CLI::App* sub = app.add_subcommand("passwd", "Change your passphrase (rewraps your key slot)");
  sub->add_option("--new-passphrase-file", o->new_passphrase_file,
                  "Read the new passphrase from the first line of FILE");
  sub->add_option("--kdf", o->kdf, "New passphrase hardening (default: keep)")
      ->check(CLI::IsMember({"interactive", "moderate", "sensitive", "insecure-fast"}));
  return {sub, [o, &g] { return RunPasswd(*o, g); }};
}

}  // namespace amanat::cli
