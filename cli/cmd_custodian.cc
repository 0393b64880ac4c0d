// amanat custodian add|ls|revoke|rotate|grant|revoke-grant.
#include "cli/app.h"
#include "cli/terminal.h"
#include "vault/custodians.h"
#include "vault/grants.h"

namespace amanat::cli {
namespace {

struct CustodianOptions {
  std::string name;
  std::string grant;
  std::string role = "collector";
  std::string new_passphrase_file;
  std::string kdf;
  bool json = false;
};

Status RunAdd(const CustodianOptions& o, const GlobalOptions& g) {
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  RETURN_IF_ERROR(vault::RequireRole(*v, {"admin"}, "adding a custodian"));
  crypto::Argon2Params kdf = v->actor().kdf;
  if (!o.kdf.empty()) {
    ASSIGN_OR_RETURN(kdf, crypto::Argon2ParamsForLevel(o.kdf));
  }
  ASSIGN_OR_RETURN(crypto::SecretBytes pass,
                   GetPassphrase(o.new_passphrase_file, "New passphrase for " + o.name, true));
  RETURN_IF_ERROR(vault::AddCustodian(*v, o.name, o.role, pass, kdf));
  PrintLine("added custodian " + o.name + " (" + o.role + ")");
  return OkStatus();
}

Status RunLs(const CustodianOptions& o, const GlobalOptions& g) {
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  ASSIGN_OR_RETURN(auto list, vault::ListCustodians(*v));
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : list) {
    if (o.json) {
      out.push_back({{"name", c.name}, {"role", c.role}, {"key_id", c.key_id},
                     {"active", c.active}, {"grants", c.grants}});
    } else {
      std::string grants = c.grants.empty() ? "" : "  grants: " + c.grants;
      PrintLine(c.name + "  " + c.role + "  key " + c.key_id + grants +
                (c.active ? "" : "  (revoked)"));
    }
  }
  if (o.json) PrintJson(out);
  return OkStatus();
}

Status RunRevoke(const CustodianOptions& o, const GlobalOptions& g) {
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  RETURN_IF_ERROR(vault::RevokeCustodian(*v, o.name));
  PrintLine("revoked custodian " + o.name);
  return OkStatus();
}

Status RunRotate(const CustodianOptions&, const GlobalOptions& g) {
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  // Asked again: the slot is rewrapped around the new signing key.
  ASSIGN_OR_RETURN(crypto::SecretBytes pass,
                   GetPassphrase(g.passphrase_file, "Passphrase for " + v->actor().custodian, false));
  ASSIGN_OR_RETURN(std::string key_id, vault::RotateKey(*v, pass));
  PrintLine("new signing key " + key_id + " for " + v->actor().custodian);
  return OkStatus();
}

Status RunGrant(const CustodianOptions& o, const GlobalOptions& g) {
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  RETURN_IF_ERROR(vault::GrantUnseal(*v, o.name));
  PrintLine("granted " + o.grant + " to " + o.name);
  return OkStatus();
}

Status RunRevokeGrant(const CustodianOptions& o, const GlobalOptions& g) {
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  RETURN_IF_ERROR(vault::RevokeUnsealGrant(*v, o.name));
  PrintLine("revoked " + o.grant + " from " + o.name);
  return OkStatus();
}

}  // namespace

Command SetupCustodian(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<CustodianOptions>();
  CLI::App* sub = app.add_subcommand("custodian", "Manage the people who hold this vault");
  sub->require_subcommand(1);
  CLI::App* add = sub->add_subcommand("add", "Add a custodian (admin only)");
  add->add_option("name", o->name, "Name (letters, digits, - _ .)")->required();
  add->add_option("--role", o->role, "admin, collector or reviewer")
      ->check(CLI::IsMember({"admin", "collector", "reviewer"}))
      ->required();
  add->add_option("--new-passphrase-file", o->new_passphrase_file,
                  "Read the new custodian's passphrase from FILE");
  add->add_option("--kdf", o->kdf, "Passphrase hardening for the new slot")
      ->check(CLI::IsMember({"interactive", "moderate", "sensitive", "insecure-fast"}));
  CLI::App* ls = sub->add_subcommand("ls", "List custodians");
  ls->add_flag("--json", o->json, "Machine-readable output");
  CLI::App* revoke = sub->add_subcommand("revoke", "Revoke a custodian (admin only)");
  revoke->add_option("name", o->name, "Custodian to revoke")->required();
  CLI::App* rotate = sub->add_subcommand("rotate", "Replace your signing key");
  CLI::App* grant = sub->add_subcommand(
      "grant", "Give a custodian the right to unseal witness identities (admin holding it)");
  grant->add_option("name", o->name, "Custodian")->required();
  grant->add_option("grant", o->grant, "unseal")->required()->check(CLI::IsMember({"unseal"}));
  CLI::App* revoke_grant =
      sub->add_subcommand("revoke-grant", "Take a grant away from a custodian (admin only)");
  revoke_grant->add_option("name", o->name, "Custodian")->required();
  revoke_grant->add_option("grant", o->grant, "unseal")
      ->required()
      ->check(CLI::IsMember({"unseal"}));
  return {sub, [o, &g, add, ls, revoke, rotate, grant, revoke_grant]() -> Status {
            if (add->parsed()) return RunAdd(*o, g);
            if (ls->parsed()) return RunLs(*o, g);
            if (revoke->parsed()) return RunRevoke(*o, g);
            if (rotate->parsed()) return RunRotate(*o, g);
            if (grant->parsed()) return RunGrant(*o, g);
            if (revoke_grant->parsed()) return RunRevokeGrant(*o, g);
            return InvalidInput("custodian: give add, ls, revoke, rotate, grant or revoke-grant");
          }};
}

}  // namespace amanat::cli
