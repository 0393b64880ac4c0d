#include "vault/report_html.h"

#include "vault/text.h"

namespace amanat::vault {
namespace {

// Print: A4 with room for a 64-digit hash in 8pt monospace on one line (about 11 cm).
constexpr char kStyle[] = R"css(
body { font-family: "DejaVu Serif", Georgia, serif; font-size: 11pt; line-height: 1.35;
       color: #111; max-width: 60em; margin: 1.5em auto; padding: 0 1em; }
h1 { font-size: 18pt; margin: 0 0 .4em; }
h2 { font-size: 14pt; border-bottom: 1px solid #888; margin: 1.6em 0 .5em; }
h3 { font-size: 11.5pt; margin: 1em 0 .3em; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 .8em; }
th, td { border: 1px solid #bbb; padding: .2em .4em; text-align: left; vertical-align: top; }
th { background: #eee; }
table.kv th { width: 12em; }
.hash, code { font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; }
/* Breaks only where a line cannot hold it: the layout gives every full hash a whole line. */
.hash, code { overflow-wrap: anywhere; }
.hash.block { display: block; }
.nowrap { white-space: nowrap; }
table.timeline { font-size: 9.5pt; }
.short { font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; white-space: nowrap; }
.ok { color: #0a5c0a; font-weight: bold; }
.bad { color: #a00000; font-weight: bold; }
.banner { border: 3px solid; padding: .6em 1em; margin: 1em 0; font-size: 13pt; }
.banner.ok { border-color: #0a5c0a; background: #eef8ee; }
.banner.bad { border-color: #a00000; background: #fdecec; }
.banner ul { font-size: 10.5pt; font-weight: normal; color: #111; }
.note { color: #444; font-size: 10pt; }
svg { max-width: 100%; height: auto; }
@page { size: A4; margin: 15mm 12mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  section { break-before: page; }
  section.first { break-before: auto; }
  h2, h3 { break-after: avoid; }
  tr, .item, .banner, svg, li { break-inside: avoid; }
  thead { display: table-header-group; }
  .hash, code { font-size: 8pt; }
  .banner.bad, th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
)css";

std::string E(std::string_view s) { return HtmlEscape(s); }

std::string Hash(std::string_view s) { return "<span class=\"hash\">" + E(s) + "</span>"; }
std::string Block(std::string_view s) { return "<span class=\"hash block\">" + E(s) + "</span>"; }

std::string OrNone(const std::string& s) { return s.empty() ? "<i>not given</i>" : E(s); }

std::string Mark(bool ok, std::string_view text) {
  return std::string("<span class=\"") + (ok ? "ok\">✓ " : "bad\">✗ ") + E(text) + "</span>";
}

void Row(std::string& out, std::string_view label, const std::string& html) {
  out += "<tr><th>" + E(label) + "</th><td>" + html + "</td></tr>\n";
}

void List(std::string& out, const std::vector<std::string>& lines, const char* empty) {
  if (lines.empty()) {
    out += std::string("<p>") + empty + "</p>\n";
    return;
  }
  out += "<ul>\n";
  for (const auto& l : lines) out += "<li>" + E(l) + "</li>\n";
  out += "</ul>\n";
}

void Banner(std::string& out, const ReportModel& m) {
  if (m.verified()) {
    out +=
        "<div class=\"banner ok\"><span class=\"ok\">✓ VERIFIED</span>: every check below "
        "passed; no anomaly was found.</div>\n";
    return;
  }
  out +=
      "<div class=\"banner bad\" role=\"alert\"><span class=\"bad\">✗ VERIFICATION "
      "FAILED</span>: " +
      std::to_string(m.anomalies.size()) + (m.anomalies.size() == 1 ? " anomaly" : " anomalies") +
      " found. Do not rely on the items or records named below until they are explained.\n";
  List(out, m.anomalies, "");
  out += "</div>\n";
}

void Header(std::string& out, const ReportModel& m) {
  out += "<section class=\"first\" id=\"summary\">\n<h1>Evidence verification report</h1>\n";
  Banner(out, m);
  out += "<table class=\"kv\">\n";
  Row(out, "Case", OrNone(m.case_id));
  Row(out, "Verified from",
      E(m.mode == "bundle" ? "an evidence bundle, without the vault or any secret"
                           : "the evidence vault, by one of its custodians"));
  for (const auto& [label, value] : m.identifiers) Row(out, label, Hash(value));
  Row(out, "Report made", E(m.generated_at) + " (UTC) with " + E(m.tool));
  Row(out, "Items", std::to_string(m.items.size()));
  out += "</table>\n</section>\n";
}

void Items(std::string& out, const ReportModel& m) {
  out +=
      "<section id=\"items\">\n<h2>1. Items and their SHA-256</h2>\n"
      "<p class=\"note\">An item is named by the SHA-256 of its exact bytes, recorded and "
      "signed when it was collected. “Now” is the SHA-256 of the bytes as read for this "
      "report.</p>\n";
  if (m.items.empty()) {
    out += "<p class=\"bad\">No item can be listed: the signed list of items could not be "
           "read or did not verify (see the anomalies).</p>\n";
  }
  size_t n = 0;
  for (const auto& it : m.items) {
    out += "<div class=\"item\">\n<h3>Item " + std::to_string(++n) + ": " + E(it.kind) +
           (it.title.empty() ? "" : ", “" + E(it.title) + "”") + "</h3>\n<table class=\"kv\">\n";
    Row(out, "SHA-256 at collection", Hash(it.id));
    Row(out, "SHA-256 now",
        it.sha256_now.empty() ? std::string("<i>could not be read</i>") : Hash(it.sha256_now));
    Row(out, "Result",
        Mark(it.match,
             it.match ? "identical bytes" : (it.problem.empty() ? "differs" : it.problem)));
    Row(out, "Size", std::to_string(it.size) + " bytes");
    Row(out, "Media type", OrNone(it.media_type));
    Row(out, "Original file name", OrNone(it.filename));
    Row(out, "Recorded",
        E(it.recorded_at) + (it.record_event.empty() ? "" : ", " + E(it.record_event)));
    Row(out, "Captured at", OrNone(it.captured_at));
    Row(out, "Place", OrNone(it.place));
    Row(out, "Collector", OrNone(it.collector));
    Row(out, "Witness (pseudonym)", OrNone(it.witness));
    Row(out, "Recorded with", OrNone(it.tool));
    out += "</table>\n</div>\n";
  }
  out += "</section>\n";
}

void Timeline(std::string& out, const ReportModel& m) {
  out +=
      "<section id=\"timeline\">\n<h2>2. Custody timeline</h2>\n"
      "<p class=\"note\">Every signed custody event about these items, in order; events "
      "of another vault the items passed through are named with that vault's log. Items are "
      "named by the first 12 digits of their SHA-256.</p>\n"
      "<table class=\"timeline\">\n<thead><tr><th>Event</th><th>Time "
      "(UTC)</th><th>Action</th><th>Custodian</th>"
      "<th>Items</th><th>Purpose</th><th>Signed by</th><th>Signature</th></tr></thead>\n<tbody>\n";
  for (const auto& e : m.timeline) {
    std::string subjects;
    for (const auto& s : e.subjects) {
      subjects += (subjects.empty() ? "" : " ") +
                  ("<span class=\"short\">" + E(s.substr(0, 12)) + "</span>");
    }
    out += "<tr><td>" + (e.log.empty() ? std::string() : E(e.log) + " ") + "#" +
           std::to_string(e.sequence) + "</td><td class=\"nowrap\">" + E(e.time) + "</td><td>" +
           E(e.action) + "</td><td>" + E(e.custodian) + "</td><td>" + subjects + "</td><td>" +
           E(e.purpose) + "</td><td>" + E(e.signers) + "</td><td>" +
           Mark(e.signature_ok, e.signature) + "</td></tr>\n";
  }
  out += "</tbody>\n</table>\n</section>\n";
}

void ProvenanceSection(std::string& out, const ReportModel& m) {
  out += "<section id=\"provenance\">\n<h2>3. Provenance</h2>\n";
  if (m.provenance.empty()) {
    out += "<p>No item here was derived from another, and none was derived from them.</p>\n";
  } else {
    out +=
        "<p class=\"note\">Arrows run from the item a derivative was made from to the "
        "derivative, each recorded by a signed derive event.</p>\n" +
        ProvenanceSvg(m) +
        "<table>\n<thead><tr><th>From → "
        "to</th><th>Relation</th><th>Event</th></tr></thead>\n<tbody>\n";
    for (const auto& e : m.provenance) {
      out += "<tr><td>" + Block(e.parent) + "→ " + Block(e.child) + "</td><td>" + E(e.relation) +
             "</td><td>" + E(e.event) + "</td></tr>\n";
    }
    out += "</tbody>\n</table>\n";
  }
  out += "<h3>Redactions</h3>\n";
  if (m.redactions.empty()) {
    out += "<p>No redaction of or into these items is recorded.</p>\n";
  } else {
    for (const auto& r : m.redactions) {
      out += "<table class=\"kv item\">\n";
      Row(out, "Original", Hash(r.original));
      Row(out, "Redacted", Hash(r.redacted));
      Row(out, "Recorded by", E(r.event));
      Row(out, "Record", E(r.detail));
      out += "</table>\n";
    }
  }
  out += "</section>\n";
}

void Timestamps(std::string& out, const ReportModel& m) {
  out += "<section id=\"timestamps\">\n<h2>4. Trusted timestamps</h2>\n";
  if (m.timestamps.empty()) {
    out +=
        "<p>None. Without a trusted timestamp, the times above are the custodians' clocks, "
        "signed but not independently attested.</p>\n";
  } else {
    for (const auto& t : m.timestamps) {
      out += "<table class=\"kv item\">\n";
      Row(out, "Covers",
          "the checkpoint of the first " + std::to_string(t.checkpoint_size) +
              " log entries, and so every event up to it");
      Row(out, "Time (TSA)", E(t.gen_time));
      Row(out, "Authority", E(t.tsa));
      Row(out, "Serial, policy", E(t.serial) + ", " + E(t.policy));
      Row(out, "Token SHA-256", Hash(t.tsr_sha256));
      Row(out, "Result", Mark(t.ok, t.detail));
      out += "</table>\n";
    }
  }
  out += "</section>\n";
}

void Keys(std::string& out, const ReportModel& m) {
  out +=
      "<section id=\"keys\">\n<h2>5. Keys and fingerprints</h2>\n"
      "<p class=\"note\">Compare these with copies received separately (by hand, by phone, "
      "from the organisation's published keys). A signature proves only that the holder of "
      "that key signed.</p>\n"
      "<table>\n<thead><tr><th>Kind</th><th>Name</th><th>Fingerprint</th><th>Used for</th>"
      "<th>Trust</th></tr></thead>\n<tbody>\n";
  for (const auto& k : m.keys) {
    out += "<tr><td>" + E(k.kind) + "</td><td>" + E(k.name) + "</td><td>" + Hash(k.fingerprint) +
           "</td><td>" + E(k.used_for) + "</td><td>" +
           (k.trust.empty() ? std::string("not compared") : E(k.trust)) + "</td></tr>\n";
  }
  out += "</tbody>\n</table>\n";
  for (const auto& k : m.keys) {
    if (!k.vkey.empty()) out += "<p>" + E(k.name) + ": <code>" + E(k.vkey) + "</code></p>\n";
  }
  out += "</section>\n";
}

void Findings(std::string& out, const ReportModel& m) {
  out += "<section id=\"anomalies\">\n<h2>6. Anomalies</h2>\n";
  List(out, m.anomalies, "None: every check passed.");
  out += "<h3>What was checked</h3>\n";
  List(out, m.checked, "Nothing.");
  out +=
      "</section>\n<section id=\"repeat\">\n<h2>7. How to repeat this verification</h2>\n"
      "<p>An independent examiner needs only the material named here and a computer; no "
      "secret of the vault is needed to check a bundle.</p>\n<ol>\n";
  for (const auto& step : m.repeat) out += "<li>" + E(step) + "</li>\n";
  out +=
      "</ol>\n<h3>What this report proves, and what it does not</h3>\n"
      "<p>It shows whether each item is, byte for byte, what was recorded when it was "
      "collected, and whether the signed record of who handled it, when and why is intact "
      "and was signed by the keys listed. It does not show that the content is true, "
      "relevant or complete, that a person behind a key is who they say, or that the times "
      "given by custodians' clocks are right (only a trusted timestamp attests a time).</p>\n"
      "</section>\n";
}

}  // namespace

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t n = Utf8SeqLen(s, i);
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (n == 0 || (n == 1 && ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F))) {
      out += "\xEF\xBF\xBD";
      i += 1;
      continue;
    }
    if (n > 1) {
      out.append(s.substr(i, n));
    } else {
      switch (c) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        case '\'':
          out += "&#39;";
          break;
        default:
          out += static_cast<char>(c);
      }
    }
    i += n;
  }
  return out;
}

std::string RenderReportHtml(const ReportModel& m) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">\n"
      "<meta name=\"referrer\" content=\"no-referrer\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Evidence "
      "verification report" +
      (m.case_id.empty() ? std::string() : ", " + E(m.case_id)) +
      (m.verified() ? "" : " (VERIFICATION FAILED)") + "</title>\n<style>" + kStyle +
      "</style>\n</head>\n<body>\n";
  Header(out, m);
  Items(out, m);
  Timeline(out, m);
  ProvenanceSection(out, m);
  Timestamps(out, m);
  Keys(out, m);
  Findings(out, m);
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace amanat::vault
