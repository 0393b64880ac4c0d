// amanat redact and amanat verify-redaction: verifiable redaction of UTF-8 text.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include "cli/app.h"
#include "cli/output_file.h"
#include "crypto/encoding.h"
#include "crypto/sha256.h"
#include "vault/custodians.h"
#include "vault/bundle_file.h"
#include "vault/bundle_verify.h"
#include "vault/fs.h"
#include "vault/redactions.h"

namespace amanat::cli {
namespace {

constexpr size_t kMaxTermsFileBytes = 1 << 20;

struct RedactOptions {
  std::string id;
  std::string spans;
  std::string terms_file;
  std::string reason = vault::kDefaultReason;
  bool anywhere = false;
  std::string output;
  bool force = false;
  std::string purpose;
  vault::ItemMetadata meta;
  bool json = false;
};

nlohmann::json SpansJson(const vault::RedactionRecord& r) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : r.spans) {
    out.push_back({{"start", s.span.start}, {"end", s.span.end}, {"reason", s.span.reason}});
  }
  return out;
}

Status RunRedact(RedactOptions& o, const GlobalOptions& g) {
  if (o.spans.empty() == o.terms_file.empty()) {
    return InvalidInput("give exactly one of --spans START:END,... and --terms FILE");
  }
  if (!vault::IsValidReason(o.reason)) {
    return InvalidInput("--reason takes a code of 1-32 lowercase letters, digits or '-'");
  }
  std::vector<vault::Span> spans;
  std::optional<vault::PlainText> terms_text;
  if (!o.spans.empty()) {
    ASSIGN_OR_RETURN(spans, vault::ParseSpanList(o.spans, o.reason));
  } else {
    ASSIGN_OR_RETURN(std::string t, vault::ReadSmallFile(o.terms_file, kMaxTermsFileBytes));
    terms_text.emplace(std::move(t));
  }
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  ASSIGN_OR_RETURN(vault::ItemInfo item, vault::ResolveItem(*v, o.id));
  RETURN_IF_ERROR(vault::RequireRead(*v, item));
  RETURN_IF_ERROR(vault::RequireOpenable(*v, item));
  std::optional<OutputFile> out;
  if (!o.output.empty()) {
    ASSIGN_OR_RETURN(OutputFile f, OutputFile::Create(o.output, o.force));
    out.emplace(std::move(f));
  }
  ASSIGN_OR_RETURN(vault::PlainText text, vault::ReadTextItem(*v, item));
  if (terms_text) {
    ASSIGN_OR_RETURN(auto terms, vault::ParseTerms(terms_text->view()));
    vault::TermMatch m = vault::FindTerms(text.view(), terms, o.reason, !o.anywhere);
    for (auto& t : terms) crypto::Wipe(t.second.data(), t.second.size());
    for (size_t line : m.unmatched) {
      Warn("the term on line " + std::to_string(line) + " of " + o.terms_file +
           " occurs nowhere in the text");
    }
    if (m.spans.empty())
      return InvalidInput("none of the terms occurs in the text: nothing to redact");
    spans = std::move(m.spans);
  }
  ASSIGN_OR_RETURN(vault::RedactResult r, vault::RedactItem(*v, item, text.view(), spans, o.meta));
  if (out) {
    RETURN_IF_ERROR(vault::RecordAccess(*v, r.item.item, "get", o.purpose));
    RETURN_IF_ERROR(vault::ExtractItem(
        *v, r.item.item, [&](ByteView d) { return out->Write(d); }, nullptr));
    RETURN_IF_ERROR(out->Commit());
  }
  if (o.json) {
    PrintJson({{"id", r.item.item.id},
               {"original", item.id},
               {"event", r.item.sequence},
               {"spans", SpansJson(r.record)}});
  } else {
    PrintLine(r.item.item.id + "  redaction of " + item.id.substr(0, 16) + ": " +
              std::to_string(r.record.spans.size()) + " spans removed (event " +
              std::to_string(r.item.sequence) + ")");
  }
  return OkStatus();
}

struct VerifyRedactionOptions {
  std::string redacted;
  std::string original;
  std::string bundle;
  bool json = false;
};

// A file read in pieces; closes itself.
class FileReader {
 public:
  ~FileReader() {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Open(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    return fd_ < 0 ? vault::ErrnoStatus(errno, path) : OkStatus();
  }
  vault::ReadFn Reader(const std::string& path) {
    return [this, path](uint8_t* buf, size_t n) -> Result<size_t> {
      for (;;) {
        ssize_t got = ::read(fd_, buf, n);
        if (got >= 0) return static_cast<size_t>(got);
        if (errno != EINTR) return vault::ErrnoStatus(errno, path);
      }
    };
  }

 private:
  int fd_ = -1;
};

Result<std::string> HashFile(const std::string& path) {
  FileReader f;
  RETURN_IF_ERROR(f.Open(path));
  vault::ReadFn read = f.Reader(path);
  crypto::Sha256 h;
  std::vector<uint8_t> buf(1 << 16);
  for (;;) {
    ASSIGN_OR_RETURN(size_t n, read(buf.data(), buf.size()));
    if (n == 0) break;
    h.Update(ByteView(buf.data(), n));
  }
  crypto::Wipe(buf.data(), buf.size());
  return crypto::HexEncode(h.Finish());
}

// --bundle B: the record comes from the bundle, checked against the bundle's signed derive
// event; no vault and no secret. The salts stay in the vault that made the redaction, so the
// commitments are not checked: the proof is that the redacted text is the original with
// exactly the recorded spans replaced by their markers.
Status VerifyRedactionInBundle(const VerifyRedactionOptions& o) {
  ASSIGN_OR_RETURN(std::string redacted_id, HashFile(o.redacted));
  ASSIGN_OR_RETURN(std::string original_id, HashFile(o.original));
  ASSIGN_OR_RETURN(auto source, vault::OpenBundleFile(o.bundle, {}));
  auto report = vault::VerifyBundle(*source, {});
  if (!report.ok()) return report.status().Context(o.bundle);
  if (!report->ok()) {
    return VerifyFailed(o.bundle + " does not verify: " + report->problems.front())
        .WithHint("run amanat verify-bundle " + o.bundle + " for every finding");
  }
  auto it = report->redactions.find(redacted_id);
  if (it == report->redactions.end()) {
    return VerifyFailed(o.bundle + " holds no redaction record of " + o.redacted + " (SHA-256 " +
                        redacted_id.substr(0, 16) + ")")
        .WithHint("bundles carry redaction records when made with export --redacted");
  }
  const vault::BundleRedaction& red = it->second;
  if (red.record.original != original_id) {
    return VerifyFailed(o.original + " is not the original of this redaction: its SHA-256 is " +
                        original_id.substr(0, 16) + ", the redaction (custody event " +
                        std::to_string(red.event) + ") was made from " +
                        red.record.original.substr(0, 16));
  }
  FileReader orig, redf;
  RETURN_IF_ERROR(orig.Open(o.original));
  RETURN_IF_ERROR(redf.Open(o.redacted));
  RETURN_IF_ERROR(vault::VerifyRedaction(red.record, nullptr, orig.Reader(o.original),
                                         redf.Reader(o.redacted))
                      .status());
  const std::string& origin = report->manifest.origin;
  if (o.json) {
    PrintJson({{"ok", true},
               {"redacted", redacted_id},
               {"original", original_id},
               {"bundle", o.bundle},
               {"origin", origin},
               {"event", red.event},
               {"spans", SpansJson(red.record)},
               {"commitments_checked", false}});
  } else {
    PrintLine("verified: " + o.redacted + " is " + o.original + " with exactly " +
              std::to_string(red.record.spans.size()) +
              " spans replaced by markers (redaction record of custody event " +
              std::to_string(red.event) + " of " + origin + ", from " + o.bundle +
              "); commitments not checked: their salts stay in the vault");
  }
  return OkStatus();
}

Status RunVerifyRedaction(const VerifyRedactionOptions& o, const GlobalOptions& g) {
  if (!o.bundle.empty()) return VerifyRedactionInBundle(o);
  ASSIGN_OR_RETURN(std::string redacted_id, HashFile(o.redacted));
  ASSIGN_OR_RETURN(std::string original_id, HashFile(o.original));
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  ASSIGN_OR_RETURN(auto found, vault::FindRedactions(*v, redacted_id, original_id));
  const vault::StoredRedaction* chosen = nullptr;
  for (const auto& r : found) {
    if (r.record.redacted == redacted_id && r.record.original == original_id) chosen = &r;
  }
  std::string context;
  if (chosen == nullptr) {
    for (const auto& r : found) {
      if (r.record.redacted == redacted_id) {
        return VerifyFailed(o.original + " is not the original of this redaction: its SHA-256 is " +
                            original_id.substr(0, 16) + ", the redaction (custody event " +
                            std::to_string(r.sequence) + ") was made from " +
                            r.record.original.substr(0, 16));
      }
    }
    if (found.empty()) {
      return VerifyFailed("no redaction recorded in this vault produced " + o.redacted +
                          " (SHA-256 " + redacted_id.substr(0, 16) + ") or was made from " +
                          o.original + " (SHA-256 " + original_id.substr(0, 16) + ")");
    }
    // Redactions of this original exist, none produced these bytes: show where the newest
    // one and the file part ways.
    chosen = &found.back();
    context = o.redacted + " is not the recorded redaction of " + o.original + " (custody event " +
              std::to_string(chosen->sequence) + "): ";
  }
  FileReader orig, red;
  RETURN_IF_ERROR(orig.Open(o.original));
  RETURN_IF_ERROR(red.Open(o.redacted));
  auto check = vault::VerifyRedaction(chosen->record, &chosen->salts, orig.Reader(o.original),
                                      red.Reader(o.redacted));
  if (!check.ok()) {
    return Status(check.status().code(), context + check.status().message(), check.status().hint());
  }
  if (!context.empty()) return VerifyFailed(context + "the files changed while being read");
  if (o.json) {
    PrintJson({{"ok", true},
               {"redacted", redacted_id},
               {"original", original_id},
               {"event", chosen->sequence},
               {"spans", SpansJson(chosen->record)},
               {"commitments_checked", check->commitments_checked}});
  } else {
    PrintLine("verified: " + o.redacted + " is " + o.original + " with exactly " +
              std::to_string(chosen->record.spans.size()) +
              " spans replaced by markers (redaction of custody event " +
              std::to_string(chosen->sequence) + "); every span matches its commitment");
  }
  return OkStatus();
}

}  // namespace

Command SetupRedact(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<RedactOptions>();
  o->meta.kind = "";  // the original's
  CLI::App* sub = app.add_subcommand("redact", "Make a verifiable redaction of a UTF-8 text item");
  sub->add_option("id", o->id, "Item ID or unique prefix of the original text")->required();
  sub->add_option("--spans", o->spans,
                  "Byte ranges START:END[:REASON],... of the original to remove (END exclusive)");
  sub->add_option(
      "--terms", o->terms_file,
      "Remove every occurrence of each term in FILE (one per line; ASCII case ignored)");
  sub->add_flag("--anywhere", o->anywhere,
                "With --terms: also match inside words (default: whole words only)");
  sub->add_option("--reason", o->reason, "Reason code shown in each marker (default identity)");
  sub->add_option("-o,--output", o->output, "Also write the redacted text to FILE");
  sub->add_flag("--force", o->force, "Overwrite FILE if it exists");
  sub->add_option("--purpose", o->purpose, "Why it is written out (recorded with -o)");
  sub->add_option("--title", o->meta.title, "Title of the redacted item");
  sub->add_option("--confidentiality", o->meta.confidentiality, "Confidentiality label");
  sub->add_option("--tag", o->meta.tags, "Tag (repeatable)")->allow_extra_args(false);
  sub->add_flag("--json", o->json, "Machine-readable output");
  return {sub, [o, &g] { return RunRedact(*o, g); }};
}

Command SetupVerifyRedaction(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<VerifyRedactionOptions>();
  CLI::App* sub = app.add_subcommand(
      "verify-redaction",
      "Prove a redacted text is the original with exactly the recorded spans removed");
  sub->add_option("redacted", o->redacted, "The redacted text")->required();
  sub->add_option("original", o->original, "The original text")->required();
  sub->add_option("--bundle", o->bundle,
                  "Take the redaction record from this evidence bundle (export --redacted) "
                  "instead of a vault");
  sub->add_flag("--json", o->json, "Machine-readable output");
  return {sub, [o, &g] { return RunVerifyRedaction(*o, g); }};
}

}  // namespace amanat::cli
