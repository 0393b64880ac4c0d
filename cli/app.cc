#include "cli/app.h"

#include <archive.h>
#include <magic.h>
#include <openssl/crypto.h>
#include <sodium.h>

#include <cstdio>
#include <iostream>

#include "amanat_version.h"
#include "cli/terminal.h"
#include "vault/db.h"

namespace amanat::cli {

Result<std::unique_ptr<vault::Vault>> OpenVault(const GlobalOptions& g) {
  return vault::Vault::Open(g.vault_dir, g.custodian, [&](const vault::KeySlot& slot) {
    return GetPassphrase(g.passphrase_file, "Passphrase for " + slot.custodian, false);
  });
}

void PrintJson(const nlohmann::json& j) {
  std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

void PrintLine(const std::string& s) { std::cout << s << "\n"; }

void Warn(const std::string& s) { std::cerr << "amanat: warning: " << s << "\n"; }

void AddItemMetadataOptions(CLI::App* sub, vault::ItemMetadata& meta) {
  sub->add_option("--title", meta.title, "Title");
  sub->add_option("--lang", meta.lang, "Language tag, e.g. ug, kk, ru, en");
  sub->add_option("--captured-at", meta.captured_at, "When it was recorded (2017-03-26 or RFC 3339)");
  sub->add_option("--place", meta.place, "Where it was recorded (may be coarse)");
  sub->add_option("--witness", meta.witness, "Witness pseudonym, e.g. W-7K3F9Q (never a name)");
  sub->add_option("--tag", meta.tags, "Tag (repeatable)")->allow_extra_args(false);
  sub->add_option("--note", meta.note, "Free-text note");
  sub->add_option("--confidentiality", meta.confidentiality, "Confidentiality label");
}

std::string ToolVersion() { return std::string("amanat ") + AMANAT_VERSION; }

std::string VersionText() {
  std::string cipher = vault::SqlcipherLibraryVersion().ok()
                           ? vault::SqlcipherLibraryVersion().value()
                           : std::string("missing");
  std::string out = ToolVersion() + "\n";
  out += std::string("libsodium ") + sodium_version_string() + "\n";
  out += "SQLCipher " + cipher + " (SQLite " + vault::SqliteLibraryVersion() + ")\n";
  out += std::string(OpenSSL_version(OPENSSL_VERSION)) + "\n";
  out += std::string(archive_version_details()) + "\n";
  out += "libmagic " + std::to_string(magic_version() / 100) + "." +
         std::to_string(magic_version() % 100) + "\n";
  return out;
}

}  // namespace amanat::cli
