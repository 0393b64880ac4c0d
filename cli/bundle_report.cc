#include "cli/bundle_report.h"

#include <cstdio>
#include <set>

#include "cli/app.h"
#include "cli/terminal.h"
#include "crypto/checkpoint.h"
#include "crypto/encoding.h"
#include "crypto/timestamp.h"
#include "vault/fs.h"

namespace amanat::cli {
namespace {

using nlohmann::json;

std::string Short(const std::string& id) { return id.substr(0, 12); }

std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

}  // namespace

Result<vault::BundleVerifyOptions> BundleOptionsFromArgs(const std::vector<std::string>& trust,
                                                        const std::vector<std::string>& against) {
  vault::BundleVerifyOptions o;
  for (const auto& arg : trust) {
    std::string text = arg;
    if (vault::PathExists(arg)) {
      ASSIGN_OR_RETURN(text, vault::ReadSmallFile(arg, crypto::kMaxNoteKeyTextSize));
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    auto v = crypto::ParseVerifierKey(text);
    if (!v.ok()) {
      return InvalidInput("--trust " + arg.substr(0, 80) + ": " + v.status().message())
          .WithHint("give a verifier key (name+hex8+base64) or a file holding one, e.g. keys/log.vkey");
    }
    o.trusted.push_back(*v);
  }
  for (const auto& path : against) {
    ASSIGN_OR_RETURN(std::string note, vault::ReadSmallFile(path, crypto::kMaxNoteSize));
    o.against.emplace_back(path, std::move(note));
  }
  return o;
}

Result<std::string> TsaCaFromArgs(const std::vector<std::string>& files) {
  std::string pem;
  for (const auto& path : files) {
    ASSIGN_OR_RETURN(std::string text, vault::ReadSmallFile(path, crypto::kMaxTimestampSize * 4));
    auto certs = crypto::CertificatesPem(text, true);
    if (!certs.ok()) {
      return certs.status().Context("--tsa-ca " + path).WithHint(
          "give the PEM certificate of the TSA's CA, obtained from the TSA by a channel you trust");
    }
    pem += *certs;
  }
  return pem;
}

void PrintBundleReport(const std::string& file, const vault::BundleReport& r, bool trust_given,
                       bool tsa_ca_given) {
  PrintLine("bundle " + file);
  if (r.manifest_ok) {
    const vault::Manifest& m = r.manifest;
    PrintLine("  " + m.format + ", exported " + m.created + " by " + m.exporter + " (key " +
              m.exporter_key_id + ")");
    PrintLine("  from " + m.origin + ", checkpoint of " + std::to_string(m.checkpoint_size) +
              " entries, root " + crypto::Base64Encode(m.checkpoint_root));
    PrintLine("  purpose: " + (m.purpose.empty() ? std::string("(none given)") : m.purpose));
    PrintLine("");
    PrintLine("items (" + std::to_string(r.items.size()) + "):");
    for (const auto& it : r.items) {
      PrintLine(std::string("  ") + (it.ok ? "✓ " : "✗ ") + it.id + "  " + HumanBytes(it.size) +
                "  " + it.kind + (it.filename.empty() ? "" : "  " + it.filename));
      if (!it.ok) PrintLine("      " + it.problem);
      if (it.ok && it.sealed) {
        PrintLine("      sealed to HQ (items/" + it.id.substr(0, 8) +
                  "….age): its bytes match the signed record; only HQ can check the plaintext");
      }
    }
    std::set<std::string> origins;
    for (const auto& e : r.timeline) origins.insert(e.origin);
    PrintLine("");
    PrintLine("custody timeline (" + std::to_string(r.timeline.size()) + " signed entries" +
              (origins.size() > 1 ? ", " + std::to_string(origins.size()) + " vaults" : "") + "):");
    for (const auto& e : r.timeline) {
      std::string subjects;
      for (const auto& s : e.subjects) subjects += (subjects.empty() ? "" : ",") + Short(s);
      char seq[32];
      std::snprintf(seq, sizeof seq, "#%llu", static_cast<unsigned long long>(e.sequence));
      std::string line = "  " + e.time + "  " +
                         (origins.size() > 1 ? e.origin + " " : std::string()) + Pad(seq, 6) + " " +
                         Pad(e.custodian, 10) + " " + Pad(e.action, 8);
      if (!subjects.empty()) line += " " + subjects;
      if (!e.purpose.empty()) line += "  purpose: " + e.purpose;
      PrintLine(line);
    }
    PrintLine("");
    if (m.provenance.empty()) {
      PrintLine("provenance: no derived items recorded");
    } else {
      PrintLine("provenance:");
      for (const auto& p : m.provenance) {
        PrintLine("  " + Short(p.parent) + " -> " + Short(p.child) +
                  (p.relation.empty() ? "" : " (" + p.relation + ")") + ", " + p.origin +
                  " event " + std::to_string(p.event));
      }
    }
    PrintLine("");
    PrintLine("keys relied on:");
    for (const auto& s : r.signers) {
      std::string line = "  " + Pad(s.kind, 10) + " " +
                         (s.kind == "log" ? Pad(s.fingerprint, 36)
                                          : Pad(s.name + " " + s.fingerprint, 36)) +
                         " " + s.used_for;
      if (trust_given) line += s.trusted ? "  [trusted]" : "  [NOT TRUSTED]";
      PrintLine(line);
    }
    if (!trust_given) {
      PrintLine("  (no --trust given: compare these keys with copies you received separately)");
    }
    if (!r.timestamps.empty()) {
      PrintLine("");
      PrintLine("trusted timestamps (" + std::to_string(r.timestamps.size()) + "):");
      for (const auto& t : r.timestamps) {
        const std::string when = t.gen_time_utc.empty() ? "(time unreadable)" : t.gen_time_utc;
        std::string line = std::string("  ") + (t.ok ? "✓ " : "✗ ") + when + "  " + t.token_path +
                           "  dates custody events 0 to " + std::to_string(t.size == 0 ? 0 : t.size - 1) +
                           " (checkpoint " + std::to_string(t.size) + ")";
        PrintLine(line);
        PrintLine("      by " + (t.tsa.empty() ? std::string("(unknown TSA)") : t.tsa) +
                  ", serial " + t.serial + ", recorded by custody event " +
                  std::to_string(t.event) + ": " +
                  (!t.ok        ? t.problem
                   : t.trusted ? "verified, TSA trusted"
                               : "signature valid, TSA not trusted"));
      }
      if (!tsa_ca_given) {
        PrintLine("  (no --tsa-ca given: the tokens were checked against the CA certificates the "
                  "bundle carries; give the TSA's CA certificate, obtained separately, to trust it)");
      }
    }
    for (const auto& a : r.against) {
      PrintLine(std::string("against ") + a.label + ": " + (a.ok ? "OK, " : "FAILED, ") + a.detail);
    }
    PrintLine("");
    PrintLine("checked:");
    for (const auto& c : r.checked) PrintLine("  - " + c);
  }
  if (r.ok()) {
    PrintLine("result: VERIFIED");
  } else {
    PrintLine("result: FAILED, " + std::to_string(r.problems.size()) + " problem" +
              (r.problems.size() == 1 ? "" : "s") + ":");
    for (const auto& p : r.problems) PrintLine("  ✗ " + p);
  }
}

json BundleReportJson(const std::string& file, const vault::BundleReport& r) {
  json j = {{"ok", r.ok()}, {"file", file}, {"problems", r.problems}, {"checked", r.checked}};
  if (!r.manifest_ok) return j;
  const vault::Manifest& m = r.manifest;
  j["format"] = m.format;
  j["created"] = m.created;
  j["purpose"] = m.purpose;
  j["exporter"] = {{"custodian", m.exporter}, {"key_id", m.exporter_key_id}};
  j["source"] = {{"origin", m.origin}, {"log_key", m.log_key}};
  j["checkpoint"] = {{"size", m.checkpoint_size}, {"root", crypto::Base64Encode(m.checkpoint_root)}};
  j["manifest_sha256"] = r.manifest_sha256;
  json items = json::array();
  for (const auto& it : r.items) {
    json e = {{"id", it.id}, {"size", it.size}, {"kind", it.kind}, {"filename", it.filename},
              {"ok", it.ok}, {"problem", it.problem}};
    if (it.sealed) e["sealed"] = true;  // items/<id>.age: only HQ can check the plaintext
    items.push_back(std::move(e));
  }
  j["items"] = items;
  json timeline = json::array();
  for (const auto& e : r.timeline) {
    timeline.push_back({{"origin", e.origin}, {"sequence", e.sequence}, {"time", e.time},
                        {"custodian", e.custodian}, {"key_id", e.key_id}, {"action", e.action},
                        {"purpose", e.purpose}, {"subjects", e.subjects}});
  }
  j["timeline"] = timeline;
  json prov = json::array();
  for (const auto& p : m.provenance) {
    prov.push_back({{"parent", p.parent}, {"child", p.child}, {"relation", p.relation},
                    {"origin", p.origin}, {"event", p.event}});
  }
  j["provenance"] = prov;
  json signers = json::array();
  for (const auto& s : r.signers) {
    signers.push_back({{"kind", s.kind}, {"name", s.name}, {"origin", s.origin},
                       {"fingerprint", s.fingerprint}, {"vkey", s.vkey}, {"used_for", s.used_for},
                       {"trusted", s.trusted}});
  }
  j["signers"] = signers;
  json against = json::array();
  for (const auto& a : r.against) against.push_back({{"file", a.label}, {"ok", a.ok}, {"detail", a.detail}});
  j["against"] = against;
  json stamps = json::array();
  for (const auto& t : r.timestamps) {
    stamps.push_back({{"token", t.token_path}, {"checkpoint_size", t.size},
                      {"covers_events_below", t.size}, {"event", t.event},
                      {"gen_time", t.gen_time_utc}, {"tsa", t.tsa}, {"serial", t.serial},
                      {"policy", t.policy}, {"trusted", t.trusted}, {"ok", t.ok},
                      {"problem", t.problem}});
  }
  j["timestamps"] = stamps;
  return j;
}

Status BundleReportStatus(const vault::BundleReport& r) {
  if (r.ok()) return OkStatus();
  return VerifyFailed("bundle verification failed: " + r.problems.front());
}

}  // namespace amanat::cli
