// The provenance graph as inline SVG: a simple layered layout. Each item's layer is the length
// of the longest chain of derivations leading to it (bounded, so that a cycle in damaged data
// cannot loop); items of a layer are stacked in a column, parents left of their children.
#include <algorithm>
#include <map>
#include <set>

#include "vault/report_html.h"

namespace amanat::vault {
namespace {

constexpr int kBoxW = 170, kBoxH = 40, kColGap = 90, kRowGap = 22, kMargin = 12;

std::string Label(const ReportModel& m, const std::string& id) {
  for (const auto& it : m.items) {
    if (it.id == id) return it.kind;
  }
  return "";
}

}  // namespace

std::string ProvenanceSvg(const ReportModel& m) {
  if (m.provenance.empty()) return "";
  std::map<std::string, size_t> layer;
  std::vector<std::string> order;  // first appearance
  auto note = [&](const std::string& id) {
    if (layer.emplace(id, 0).second) order.push_back(id);
  };
  for (const auto& e : m.provenance) {
    note(e.parent);
    note(e.child);
  }
  // Longest-path layering by relaxation; at most |nodes| rounds (more only with a cycle).
  for (size_t round = 0; round < order.size(); ++round) {
    bool changed = false;
    for (const auto& e : m.provenance) {
      if (layer[e.child] < layer[e.parent] + 1 && layer[e.parent] + 1 < order.size()) {
        layer[e.child] = layer[e.parent] + 1;
        changed = true;
      }
    }
    if (!changed) break;
  }
  std::map<size_t, std::vector<std::string>> columns;
  for (const auto& id : order) columns[layer[id]].push_back(id);
  std::map<std::string, std::pair<int, int>> pos;  // top-left corner
  size_t rows = 0;
  for (const auto& [col, ids] : columns) {
    rows = std::max(rows, ids.size());
    for (size_t r = 0; r < ids.size(); ++r) {
      pos[ids[r]] = {kMargin + static_cast<int>(col) * (kBoxW + kColGap),
                     kMargin + static_cast<int>(r) * (kBoxH + kRowGap)};
    }
  }
  const int width = 2 * kMargin + static_cast<int>(columns.size()) * (kBoxW + kColGap) - kColGap;
  const int height = 2 * kMargin + static_cast<int>(rows) * (kBoxH + kRowGap) - kRowGap;
  std::string out =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"provenance graph\" "
      "width=\"" +
      std::to_string(width) + "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " +
      std::to_string(width) + " " + std::to_string(height) +
      "\" font-family=\"DejaVu Sans, sans-serif\" font-size=\"11\">\n"
      "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
      "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" "
      "fill=\"#333\"/></marker></defs>\n";
  for (const auto& e : m.provenance) {
    auto [px, py] = pos[e.parent];
    auto [cx, cy] = pos[e.child];
    const int x1 = px + kBoxW, y1 = py + kBoxH / 2, x2 = cx, y2 = cy + kBoxH / 2;
    out += "<line x1=\"" + std::to_string(x1) + "\" y1=\"" + std::to_string(y1) + "\" x2=\"" +
           std::to_string(x2) + "\" y2=\"" + std::to_string(y2) +
           "\" stroke=\"#333\" stroke-width=\"1.3\" marker-end=\"url(#arrow)\"/>\n";
    out += "<text x=\"" + std::to_string((x1 + x2) / 2) + "\" y=\"" +
           std::to_string((y1 + y2) / 2 - 4) + "\" text-anchor=\"middle\" fill=\"#333\">" +
           HtmlEscape(e.relation) + "</text>\n";
  }
  for (const auto& id : order) {
    auto [x, y] = pos[id];
    const std::string kind = Label(m, id);
    out += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y) + "\" width=\"" +
           std::to_string(kBoxW) + "\" height=\"" + std::to_string(kBoxH) + "\" rx=\"4\" fill=\"" +
           (kind.empty() ? "#f4f4f4" : "#e8f0fb") + "\" stroke=\"#555\"/>\n<text x=\"" +
           std::to_string(x + 8) + "\" y=\"" + std::to_string(y + 16) +
           "\" font-family=\"DejaVu Sans Mono, monospace\">" + HtmlEscape(id.substr(0, 16)) +
           "…</text>\n<text x=\"" + std::to_string(x + 8) + "\" y=\"" + std::to_string(y + 31) +
           "\" fill=\"#444\">" + HtmlEscape(kind.empty() ? "not in this report" : kind) +
           "</text>\n";
  }
  out += "</svg>\n";
  return out;
}

}  // namespace amanat::vault
