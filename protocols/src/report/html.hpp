// Small HTML helpers of the job report: escaping, base64 data: URIs, tables, sections, figures.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace assay::protocols::report {

std::string escape_html(const std::string& text);
std::string base64(const std::string& bytes);
std::string data_uri(const std::string& mime, const std::string& bytes);

// An SVG document ready to sit inside HTML (no XML declaration).
std::string inline_svg(const std::string& svg_document);

// <section id=...><h2>title</h2>body</section>
std::string section(const std::string& id, const std::string& title, const std::string& body);
// <figure>content<figcaption>caption</figcaption></figure>; caption is escaped.
std::string figure(const std::string& content, const std::string& caption, const std::string& css_class = "");
// A table with a header row (none when every header is empty); cells are escaped text.
std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                  const std::string& css_class = "");
// "<p>text</p>" with the text escaped.
std::string paragraph(const std::string& text, const std::string& css_class = "");

// A number for people: 3 significant digits ("4.42", "57.6", "1230"), "–" when not a number.
std::string number_text(const nlohmann::json& value, int digits = 3);
std::string number_text(double value, int digits = 3);

}  // namespace assay::protocols::report
