// amanat timestamp request|add|ls: RFC 3161 trusted timestamps of the vault's checkpoint.
#include <unistd.h>

#include <optional>

#include "cli/app.h"
#include "cli/output_file.h"
#include "crypto/timestamp.h"
#include "vault/fs.h"
#include "vault/timestamps.h"

namespace amanat::cli {
namespace {

constexpr size_t kMaxPemFile = 1 << 20;

struct TimestampOptions {
  // request
  std::string output;  // empty: standard output
  bool force = false;
  // add
  std::string response;
  std::string ca;
  std::string chain;
  bool json = false;
};

nlohmann::json ToJson(const vault::StoredTimestamp& t) {
  return {{"event", t.event_seq},      {"checkpoint_size", t.checkpoint_size},
          {"gen_time", t.gen_time},    {"tsa", t.tsa},
          {"serial", t.serial},        {"policy", t.policy},
          {"tsr_sha256", t.tsr_sha256}};
}

Status RunRequest(const TimestampOptions& o, const GlobalOptions& g) {
  const bool to_stdout = o.output.empty() || o.output == "-";
  if (to_stdout && o.output.empty() && ::isatty(STDOUT_FILENO) == 1) {
    return InvalidInput("refusing to write a binary time-stamp request to the terminal")
        .WithHint("use -o FILE.tsq, or -o - to force standard output");
  }
  if (to_stdout && o.json)
    return InvalidInput("--json needs -o FILE (the request goes to standard output)");
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  // The output is opened first, so that a refused output leaves no pending request behind.
  std::optional<OutputFile> out;
  if (!to_stdout) {
    ASSIGN_OR_RETURN(OutputFile f, OutputFile::Create(o.output, o.force));
    out.emplace(std::move(f));
  }
  ASSIGN_OR_RETURN(vault::PendingTimestamp p, vault::RequestTimestamp(*v));
  if (to_stdout) return WriteAllFd(STDOUT_FILENO, p.request, "standard output");
  RETURN_IF_ERROR(out->Write(p.request));
  RETURN_IF_ERROR(out->Commit());
  if (o.json) {
    PrintJson({{"output", o.output}, {"checkpoint_size", p.checkpoint_size}, {"nonce", p.nonce}});
  } else {
    PrintLine("time-stamp request for the checkpoint at " + std::to_string(p.checkpoint_size) +
              " events written to " + o.output);
  }
  return OkStatus();
}

// The certificates in a PEM file, checked before the vault is opened.
Result<std::string> ReadPem(const std::string& path, bool required) {
  ASSIGN_OR_RETURN(std::string pem, vault::ReadSmallFile(path, kMaxPemFile));
  auto certs = crypto::CertificatesPem(pem, required);
  if (!certs.ok()) return InvalidInput(path + ": " + certs.status().message());
  return pem;
}

Status RunAdd(const TimestampOptions& o, const GlobalOptions& g) {
  // Every input is read and checked for form before the passphrase is asked for.
  ASSIGN_OR_RETURN(std::string response,
                   vault::ReadSmallFile(o.response, crypto::kMaxTimestampSize));
  auto parsed = crypto::ParseTimestampResponse(AsBytes(response));
  if (!parsed.ok()) return parsed.status().Context(o.response);
  crypto::TimestampTrust trust;
  ASSIGN_OR_RETURN(trust.ca_pem, ReadPem(o.ca, true));
  if (!o.chain.empty()) {
    ASSIGN_OR_RETURN(trust.chain_pem, ReadPem(o.chain, true));
  }

  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  auto added = vault::AddTimestamp(*v, AsBytes(response), trust);
  if (!added.ok()) return added.status().Context(o.response);
  const vault::StoredTimestamp& t = *added;
  if (o.json) {
    PrintJson(ToJson(t));
  } else {
    PrintLine("timestamp of the checkpoint at " + std::to_string(t.checkpoint_size) +
              " events recorded (custody event " + std::to_string(t.event_seq) +
              "): " + t.gen_time + " by " + t.tsa);
  }
  return OkStatus();
}

Status RunLs(const TimestampOptions& o, const GlobalOptions& g) {
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  ASSIGN_OR_RETURN(std::vector<vault::StoredTimestamp> all, vault::ListTimestamps(*v));
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& t : all) out.push_back(ToJson(t));
    PrintJson(out);
    return OkStatus();
  }
  for (const auto& t : all) {
    PrintLine(t.gen_time + "  checkpoint " + std::to_string(t.checkpoint_size) + "  event " +
              std::to_string(t.event_seq) + "  serial " + t.serial + "  " + t.tsa);
  }
  return OkStatus();
}

}  // namespace

Command SetupTimestamp(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<TimestampOptions>();
  CLI::App* sub =
      app.add_subcommand("timestamp", "Trusted timestamps (RFC 3161) of the checkpoint");
  sub->require_subcommand(1);
  CLI::App* req = sub->add_subcommand(
      "request", "Write a time-stamp request (DER .tsq) over the current checkpoint");
  req->add_option("-o,--output", o->output, "Write it to FILE ('-' for standard output)");
  req->add_flag("--force", o->force, "Overwrite FILE if it exists");
  req->add_flag("--json", o->json, "Machine-readable summary (with -o FILE)");
  CLI::App* add = sub->add_subcommand(
      "add", "Verify a TSA's response (DER .tsr) to a pending request and record it");
  add->add_option("response", o->response, "The TSA's response (.tsr)")->required();
  add->add_option("--ca", o->ca, "PEM file of the CA certificates you trust for this TSA")
      ->required();
  add->add_option("--chain", o->chain,
                  "PEM file of intermediate certificates, if the TSA needs them");
  add->add_flag("--json", o->json, "Machine-readable output");
  CLI::App* ls = sub->add_subcommand("ls", "List the timestamps kept in the vault");
  ls->add_flag("--json", o->json, "Machine-readable output");
  return {sub, [o, &g, req, add]() -> Status {
            if (req->parsed()) return RunRequest(*o, g);
            if (add->parsed()) return RunAdd(*o, g);
            return RunLs(*o, g);
          }};
}

}  // namespace amanat::cli
