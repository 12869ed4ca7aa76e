#include "csv_output.hpp"

#include <algorithm>
#include <map>
#include <sstream>

namespace assay::ctl {
namespace {

using nlohmann::json;

std::string scalar_text(const json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {
    std::string out;
    for (const auto& item : value) out += (out.empty() ? "" : ";") + scalar_text(item);
    return out;
  }
  if (value.is_number_float()) {
    std::ostringstream text;
    text.precision(10);
    text << value.get<double>();
    return text.str();
  }
  return value.dump();
}

void flatten(const json& value, const std::string& prefix, std::vector<std::pair<std::string, std::string>>& out) {
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      flatten(item, prefix.empty() ? key : prefix + "." + key, out);
    }
    return;
  }
  out.emplace_back(prefix, scalar_text(value));
}

}  // namespace

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void write_csv(std::ostream& out, const std::vector<json>& rows, const std::vector<std::string>& leading) {
  std::vector<std::string> columns = leading;
  std::vector<std::map<std::string, std::string>> flat;
  for (const auto& row : rows) {
    std::vector<std::pair<std::string, std::string>> cells;
    flatten(row, "", cells);
    std::map<std::string, std::string> by_name;
    for (auto& [name, text] : cells) {
      if (std::find(columns.begin(), columns.end(), name) == columns.end()) columns.push_back(name);
      by_name[name] = std::move(text);
    }
    flat.push_back(std::move(by_name));
  }
  for (std::size_t i = 0; i < columns.size(); ++i) out << (i ? "," : "") << csv_field(columns[i]);
  out << "\n";
  for (const auto& row : flat) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      auto it = row.find(columns[i]);
      out << (i ? "," : "") << (it == row.end() ? "" : csv_field(it->second));
    }
    out << "\n";
  }
}

void write_long_csv(std::ostream& out, const std::vector<json>& rows, const std::vector<std::string>& leading) {
  for (const auto& column : leading) out << csv_field(column) << ",";
  out << "field,value\n";
  for (const auto& row : rows) {
    std::string prefix;
    json rest = row;
    for (const auto& column : leading) {
      prefix += csv_field(scalar_text(row.value(column, json()))) + ",";
      rest.erase(column);
    }
    std::vector<std::pair<std::string, std::string>> cells;
    flatten(rest, "", cells);
    for (const auto& [name, text] : cells) out << prefix << csv_field(name) << "," << csv_field(text) << "\n";
  }
}

}  // namespace assay::ctl
