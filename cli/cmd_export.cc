// amanat export ID... -o FILE.zip: write a signed evidence bundle.
#include "cli/app.h"
#include "cli/output_file.h"
#include "cli/terminal.h"
#include <optional>

#include "crypto/age.h"
#include "crypto/encoding.h"
#include "vault/bundle_writer.h"
#include "vault/items.h"

namespace amanat::cli {
namespace {

struct ExportCliOptions {
  std::vector<std::string> ids;
  std::string output;
  std::string purpose;
  std::vector<std::string> encrypt_to;
  std::vector<std::string> identities_to;
  bool with_derived = false;
  bool include_identities = false;
  bool redacted = false;
  bool force = false;
  bool json = false;
};

Status RunExport(const ExportCliOptions& o, const GlobalOptions& g) {
  vault::ExportOptions eo;
  // Checked before the passphrase is asked for.
  if (!o.identities_to.empty() && !o.include_identities) {
    return InvalidInput("--to goes with --include-identities")
        .WithHint("--to age1... names who the witness identity records are encrypted to");
  }
  for (const auto& r : o.identities_to) {
    auto rec = crypto::AgeRecipient::Parse(r);
    if (!rec.ok()) return rec.status().Context("--to");
    eo.identities_to.push_back(*rec);
  }
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  eo.purpose = o.purpose;
  eo.with_derived = o.with_derived;
  eo.include_identities = o.include_identities;
  eo.redacted = o.redacted;
  std::vector<crypto::AgeRecipient> recipients;
  for (const auto& r : o.encrypt_to) {
    auto rec = crypto::AgeRecipient::Parse(r);
    if (!rec.ok()) return rec.status().Context("--encrypt-to");
    recipients.push_back(*rec);
    eo.encrypted_to.push_back(rec->ToString());
  }
  uint64_t total = 0;
  for (const auto& ref : o.ids) {
    ASSIGN_OR_RETURN(vault::ItemInfo item, vault::ResolveItem(*v, ref));
    total += item.size;
    eo.items.push_back(std::move(item));
  }
  // The output is opened before anything is recorded, so that a refused output leaves no
  // export event; it gets its name only once the whole bundle is written and checked.
  ASSIGN_OR_RETURN(OutputFile out, OutputFile::Create(o.output, o.force));
  // Encrypted to recipients, the ZIP passes through age on its way to the file.
  vault::ByteSink sink = [&](ByteView d) { return out.Write(d); };
  std::optional<crypto::AgeEncryptor> age;
  if (!recipients.empty()) {
    ASSIGN_OR_RETURN(age, crypto::AgeEncryptor::Create(recipients, sink));
    sink = [&](ByteView d) { return age->Write(d); };
  }
  Progress progress(!g.quiet, "exporting", total);
  auto r = vault::ExportBundle(*v, eo, sink, [&](uint64_t done) { progress.Update(done); });
  progress.Finish();
  if (!r.ok()) return r.status();
  Status finished = age ? age->Finish() : OkStatus();
  if (finished.ok()) finished = out.Commit();
  if (!finished.ok()) return vault::BundleNotWritten(r->export_event, finished);
  // Not carried, and said so: a record sealed to this vault's own key opens for no one else.
  if (const size_t left = r->received_identities_left.size(); left > 0) {
    Warn(std::to_string(left) + " witness identity record" + (left == 1 ? "" : "s") +
         " received from another vault " + (left == 1 ? "is" : "are") +
         " not in the bundle (sealed to this vault's own identity key); "
         "`--include-identities --to age1...` carries " + (left == 1 ? "it" : "them") +
         " encrypted to your recipients");
  }
  if (o.json) {
    PrintJson({{"file", o.output},
               {"encrypted_to", eo.encrypted_to},
               {"items", r->item_ids},
               {"events", r->events},
               {"received_sections", r->received_sections},
               {"identities", r->identities},
               {"identities_to", o.identities_to},
               {"unseal_events", r->unseal_events},
               {"identities_not_included", r->received_identities_left},
               {"redacted", r->redacted},
               {"export_event", r->export_event},
               {"checkpoint", {{"size", r->checkpoint_size},
                               {"root", crypto::Base64Encode(r->checkpoint_root)}}},
               {"bytes", r->bytes}});
  } else {
    PrintLine("exported " + std::to_string(r->item_ids.size()) + " item" +
              (r->item_ids.size() == 1 ? "" : "s") + " and " + std::to_string(r->events) +
              " custody events to " + o.output + " (" + HumanBytes(r->bytes) + ")");
    if (o.include_identities && !o.identities_to.empty()) {
      PrintLine("with " + std::to_string(r->identities.size()) + " witness identity record" +
                (r->identities.size() == 1 ? "" : "s") + " encrypted to " +
                std::to_string(o.identities_to.size()) + " age recipient" +
                (o.identities_to.size() == 1 ? "" : "s") +
                " (each unseal logged; open with `age -d -i KEY`)");
    } else if (o.include_identities) {
      PrintLine("with " + std::to_string(r->identities.size()) +
                " sealed witness identity record" + (r->identities.size() == 1 ? "" : "s") +
                " (they open only with the vault's identity key)");
    }
    for (const auto& [original, redacted] : r->redacted) {
      PrintLine(redacted + "  redaction in place of " + original);
    }
    PrintLine("export event " + std::to_string(r->export_event) + ", checkpoint of " +
              std::to_string(r->checkpoint_size) + " entries, root " +
              crypto::Base64Encode(r->checkpoint_root));
  }
  return r->after_commit;  // "stored, but checkpoints/latest was not updated": exit 5
}

}  // namespace

Command SetupExport(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<ExportCliOptions>();
  CLI::App* sub = app.add_subcommand("export", "Write items and their custody record to a signed bundle");
  sub->add_option("ids", o->ids, "Item IDs or unique prefixes (8+ hex digits)")->required();
  sub->add_option("-o,--output", o->output, "The bundle to write (.zip)")->required();
  sub->add_option("--purpose", o->purpose, "Why it is exported (recorded and signed)");
  sub->add_flag("--with-derived", o->with_derived, "Also export items derived from these");
  sub->add_flag("--include-identities", o->include_identities,
                "Also carry the sealed identity records of the witnesses the items name (sealed "
                "to the identity key; in a field vault, HQ's). Records received from another "
                "vault travel only with --to. Without it none leaves");
  sub->add_option("--to", o->identities_to,
                  "With --include-identities: open each identity record, own or received "
                  "(needs the unseal grant and --purpose; each unseal is logged) and encrypt it "
                  "to this age recipient (age1...) instead; repeatable. The stock `age -d -i "
                  "KEY` opens it")
      ->allow_extra_args(false);
  sub->add_option("--encrypt-to", o->encrypt_to,
                  "Encrypt the bundle to this age recipient (age1...); repeatable. The stock "
                  "`age -d -i KEY` opens it")
      ->allow_extra_args(false);
  sub->add_flag("--redacted", o->redacted,
                "Carry each item's redaction (its newest) in place of the item, with the "
                "redaction record; the original stays in the vault");
  sub->add_flag("--force", o->force, "Overwrite FILE if it exists");
  sub->add_flag("--json", o->json, "Machine-readable output");
  return {sub, [o, &g] { return RunExport(*o, g); }};
}

}  // namespace amanat::cli
