// What every subcommand shares: global options, opening the vault, printing, exit codes.
// cli/ is thin: parse, call the library, print, map the Status to an exit code.
#ifndef AMANAT_CLI_APP_H_
#define AMANAT_CLI_APP_H_

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "crypto/status.h"
#include "vault/items.h"
#include "vault/vault.h"

namespace amanat::cli {

struct GlobalOptions {
  std::string vault_dir = "vault";
  std::string custodian;
  std::string passphrase_file;
  bool quiet = false;
};

// The run function a subcommand's setup installs; main() calls the chosen one after parsing.
using RunFn = std::function<Status()>;

struct Command {
  CLI::App* app = nullptr;
  RunFn run;
};

// Unlocks the vault named by the global options, asking for the passphrase if needed.
Result<std::unique_ptr<vault::Vault>> OpenVault(const GlobalOptions& g);

// Writes JSON to stdout, one document, pretty-printed, newline-terminated.
void PrintJson(const nlohmann::json& j);
// Writes a line to stdout.
void PrintLine(const std::string& s);
// "amanat: warning: ..." on stderr.
void Warn(const std::string& s);

// The item metadata options shared by `add` and `annotate` (--title, --lang, --captured-at,
// --place, --witness, --tag, --note, --confidentiality), bound to `meta`.
void AddItemMetadataOptions(CLI::App* sub, vault::ItemMetadata& meta);

// Setup functions, one per subcommand (cmd_<name>.cc).
Command SetupInit(CLI::App& app, GlobalOptions& g);
Command SetupPasswd(CLI::App& app, GlobalOptions& g);
Command SetupAdd(CLI::App& app, GlobalOptions& g);
Command SetupLs(CLI::App& app, GlobalOptions& g);
Command SetupShow(CLI::App& app, GlobalOptions& g);
Command SetupGet(CLI::App& app, GlobalOptions& g);
Command SetupAnnotate(CLI::App& app, GlobalOptions& g);
Command SetupVerify(CLI::App& app, GlobalOptions& g);
Command SetupLog(CLI::App& app, GlobalOptions& g);
Command SetupCheckpoint(CLI::App& app, GlobalOptions& g);
Command SetupKey(CLI::App& app, GlobalOptions& g);
Command SetupCustodian(CLI::App& app, GlobalOptions& g);
Command SetupExport(CLI::App& app, GlobalOptions& g);
Command SetupVerifyBundle(CLI::App& app, GlobalOptions& g);
Command SetupWitness(CLI::App& app, GlobalOptions& g);
Command SetupDerive(CLI::App& app, GlobalOptions& g);
Command SetupProvenance(CLI::App& app, GlobalOptions& g);
Command SetupRedact(CLI::App& app, GlobalOptions& g);
Command SetupVerifyRedaction(CLI::App& app, GlobalOptions& g);
Command SetupTimestamp(CLI::App& app, GlobalOptions& g);
Command SetupImport(CLI::App& app, GlobalOptions& g);
Command SetupReport(CLI::App& app, GlobalOptions& g);

// Tool and library versions, one "name version" per line; the custody log cites the first.
std::string VersionText();
std::string ToolVersion();  // "amanat 0.1.0"

}  // namespace amanat::cli

#endif  // AMANAT_CLI_APP_H_
