// The photographs of a job report: colony overlays per dish with their legend and counts, the
// contact sheet of a chemotaxis imaging run, and the fields of an image_wells job.
#include <filesystem>

#include "colony_legend.hpp"
#include "html.hpp"
#include "report_data.hpp"

namespace assay::protocols::report {
namespace {

using nlohmann::json;

// Photographs in the page: large enough to see colonies and cells, small enough that a report of
// a full plate stays a few MB. The contact sheet keeps its rows: only its width is limited.
constexpr int kDishPx = 1200;
constexpr int kSheetWidthPx = 1100;
constexpr int kFieldPx = 480;

std::string legend() {
  std::string out = "<p class=\"legend\">";
  for (const auto& entry : colony_legend()) {
    out += "<span><span class=\"swatch\" style=\"background:" + entry.hex + "\"></span>" + escape_html(entry.name) +
           "</span>";
  }
  out += "<span>filled dot: a colony split from a touching pair</span></p>\n";
  return out;
}

std::string classes_text(const json& by_class) {
  std::string text;
  if (!by_class.is_object()) return text;
  for (const auto& [cls, n] : by_class.items()) text += (text.empty() ? "" : ", ") + cls + " " + n.dump();
  return text;
}

}  // namespace

const std::vector<LegendEntry>& colony_legend() {
  // draw_colony_overlay's BGR colours, written as RGB.
  static const std::vector<LegendEntry> entries{{"CFU-GM", "#00c8ff"},   {"BFU-E", "#ff0000"},
                                                {"CFU-GEMM", "#ff00ff"}, {"colony", "#00e600"},
                                                {"unknown", "#ffff00"},  {"dish edge", "#0080ff"}};
  return entries;
}

std::string colonies_section(ReportData& data) {
  if (data.protocol() != "cfu") return "";
  const auto& wells = data.rows_of("well");
  if (wells.empty()) return "";
  std::string body = legend();
  std::vector<std::vector<std::string>> rows;
  std::map<std::string, json> dish_of;
  for (const auto& dish : data.summary.value("dishes", json::array())) dish_of[dish.value("well", "")] = dish;
  for (const auto& r : wells) {
    const auto& v = *r.value;
    const auto& dish = dish_of[r.key];
    std::string count = v.contains("count") ? v.at("count").dump() : "?";
    if (v.value("too_many_to_count", false)) count += " (too many to count)";
    std::string cfu = dish.contains("cfu_per_1e5_cells") && dish.at("cfu_per_1e5_cells").is_number()
                          ? number_text(dish.at("cfu_per_1e5_cells")) + " CFU per 1e5 cells"
                          : "";
    rows.push_back({r.key, dish.value("sample", std::string()), count, classes_text(v.value("count_by_class", json())), cfu});
    std::string caption = data.well_label(r.key) + ": " + count + " colonies";
    if (auto classes = classes_text(v.value("count_by_class", json())); !classes.empty()) caption += " (" + classes + ")";
    if (!cfu.empty()) caption += ", " + cfu;
    std::string flags = data.note_flags(v.value("flags", json::array()));
    if (!flags.empty()) caption += "; flags: " + flags;
    const std::string path = v.value("overlay", std::string());
    auto uri = path.empty() ? std::nullopt : data.image_uri(path, kDishPx, kDishPx);
    std::string content = uri ? "<img alt=\"colonies of dish " + escape_html(r.key) + "\" src=\"" + *uri + "\">"
                              : paragraph("(the overlay " + path + " could not be read)", "error");
    body += figure(content, caption, "dish");
  }
  body += "<h3>Counts per dish</h3>\n" + table({"dish", "sample", "colonies", "by class", "per plated cells"}, rows);
  return section("colonies", "Colonies", body);
}

std::string fields_section(ReportData& data) {
  std::string body;
  for (const auto& figure_path : data.summary.value("figures", json::array())) {
    if (!figure_path.is_string()) continue;
    const std::string path = figure_path.get<std::string>();
    if (std::filesystem::path(path).stem() != "contact_sheet") continue;
    auto uri = data.image_uri(path, kSheetWidthPx, 0);
    body += figure(uri ? "<img alt=\"contact sheet\" src=\"" + *uri + "\">"
                       : paragraph("(the contact sheet " + path + " could not be read)", "error"),
                   "Every imaged field, by insert: the stained cells that were counted.", "sheet");
  }
  if (data.protocol() == "image_wells") {
    for (const auto& image : data.in.images) {
      const std::string path = image.value("path", std::string());
      auto uri = data.image_uri(path, kFieldPx, kFieldPx);
      if (!uri) continue;
      body += figure("<img alt=\"field\" src=\"" + *uri + "\">",
                     image.value("well", std::string()) + " field " + image.value("field", json(0)).dump());
    }
  }
  return body.empty() ? "" : section("fields", "Fields", body);
}

}  // namespace assay::protocols::report
