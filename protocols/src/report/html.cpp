#include "html.hpp"

#include <cmath>

#include "assay/protocols/figures/svg.hpp"

namespace assay::protocols::report {

std::string escape_html(const std::string& text) { return figures::escape_xml(text); }

std::string base64(const std::string& bytes) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  if (i + 1 == bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string data_uri(const std::string& mime, const std::string& bytes) {
  return "data:" + mime + ";base64," + base64(bytes);
}

std::string inline_svg(const std::string& svg_document) {
  auto start = svg_document.find("<svg");
  return start == std::string::npos ? svg_document : svg_document.substr(start);
}

std::string section(const std::string& id, const std::string& title, const std::string& body) {
  return "<section id=\"" + escape_html(id) + "\">\n<h2>" + escape_html(title) + "</h2>\n" + body + "</section>\n";
}

std::string figure(const std::string& content, const std::string& caption, const std::string& css_class) {
  std::string out = css_class.empty() ? "<figure>" : "<figure class=\"" + escape_html(css_class) + "\">";
  out += content;
  if (!caption.empty()) out += "<figcaption>" + escape_html(caption) + "</figcaption>";
  return out + "</figure>\n";
}

std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                  const std::string& css_class) {
  std::string out = css_class.empty() ? "<table>" : "<table class=\"" + escape_html(css_class) + "\">";
  bool any_header = false;
  for (const auto& h : header) any_header = any_header || !h.empty();
  if (any_header) {
    out += "<thead><tr>";
    for (const auto& h : header) out += "<th>" + escape_html(h) + "</th>";
    out += "</tr></thead>";
  }
  out += "<tbody>\n";
  for (const auto& row : rows) {
    out += "<tr>";
    for (const auto& cell : row) out += "<td>" + escape_html(cell) + "</td>";
    out += "</tr>\n";
  }
  return out + "</tbody></table>\n";
}

std::string paragraph(const std::string& text, const std::string& css_class) {
  return (css_class.empty() ? "<p>" : "<p class=\"" + escape_html(css_class) + "\">") + escape_html(text) + "</p>\n";
}

std::string number_text(double value, int digits) {
  if (!std::isfinite(value)) return "–";
  return figures::format_significant(value, digits);
}

std::string number_text(const nlohmann::json& value, int digits) {
  if (!value.is_number()) return "–";
  if (value.is_number_integer()) return std::to_string(value.get<long long>());
  return number_text(value.get<double>(), digits);
}

}  // namespace assay::protocols::report
