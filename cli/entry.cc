// amanat: a secure evidence vault with provenance. Hardening, parsing, exit codes.
#include "cli/entry.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <cstdio>
#include <iostream>
#include <vector>

#include "cli/app.h"
#include "crypto/secret.h"

namespace {

// No core dumps (they would hold keys and evidence), no ptrace by other processes of the
// same user, and files we create are ours alone.
void HardenProcess() {
  struct rlimit none{0, 0};
  ::setrlimit(RLIMIT_CORE, &none);
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  ::umask(077);
}

int ExitCode(const amanat::Status& s) { return static_cast<int>(s.code()); }

void PrintError(const amanat::Status& s) {
  std::string line = s.message();
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::cerr << "amanat: error: " << line << "\n";
  if (!s.hint().empty()) std::cerr << "amanat: hint: " << s.hint() << "\n";
}

}  // namespace

int amanat::cli::Main(int argc, char** argv) {
  HardenProcess();
  if (!amanat::crypto::InitCrypto()) {
    PrintError(amanat::IoError("libsodium failed to initialise"));
    return 5;
  }

  CLI::App app{"Amanat: a secure evidence vault with provenance", "amanat"};
  app.set_version_flag("--version", amanat::cli::VersionText());
  app.require_subcommand(1);
  app.fallthrough();

  amanat::cli::GlobalOptions g;
  app.add_option("--vault", g.vault_dir, "Vault directory (default ./vault)")
      ->envname("AMANAT_VAULT")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--custodian", g.custodian, "Custodian to act as (if the vault has several)")
      ->envname("AMANAT_CUSTODIAN")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--passphrase-file", g.passphrase_file,
                 "Read the passphrase from the first line of FILE")
      ->envname("AMANAT_PASSPHRASE_FILE")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_flag("-q,--quiet", g.quiet, "No progress output");

  std::vector<amanat::cli::Command> commands = {
      amanat::cli::SetupInit(app, g), amanat::cli::SetupPasswd(app, g),
      amanat::cli::SetupAdd(app, g),  amanat::cli::SetupLs(app, g),
      amanat::cli::SetupShow(app, g), amanat::cli::SetupGet(app, g),
      amanat::cli::SetupLog(app, g),  amanat::cli::SetupVerify(app, g),
      amanat::cli::SetupCheckpoint(app, g), amanat::cli::SetupKey(app, g),
      amanat::cli::SetupCustodian(app, g), amanat::cli::SetupAnnotate(app, g),
      amanat::cli::SetupExport(app, g), amanat::cli::SetupVerifyBundle(app, g),
      amanat::cli::SetupWitness(app, g), amanat::cli::SetupDerive(app, g),
      amanat::cli::SetupProvenance(app, g), amanat::cli::SetupRedact(app, g),
      amanat::cli::SetupVerifyRedaction(app, g),
      amanat::cli::SetupTimestamp(app, g),
      amanat::cli::SetupImport(app, g),
      amanat::cli::SetupReport(app, g),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    PrintError(amanat::InvalidInput(e.what()).WithHint("see `amanat --help`"));
    return 2;
  }

  for (const auto& c : commands) {
    if (c.app->parsed()) {
      amanat::Status s = c.run();
      std::cout.flush();
      if (!s.ok()) PrintError(s);
      return ExitCode(s);
    }
  }
  PrintError(amanat::InvalidInput("no command given"));
  return 2;
}
