// Strict CSV reader for dose-response tables; see dose_table.hpp.
#include "assay/protocols/fit/dose_table.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <functional>
#include <string_view>
#include <unordered_map>

#include "assay/protocols/csv_line.hpp"

namespace assay::protocols::fit {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string_view trim(std::string_view s) { return trim_csv_space(s); }

bool blank(std::string_view line) { return trim_csv_space(line).empty(); }

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + ("'" + n + "'");
  return out;
}

int find_column(const std::vector<std::string>& header, const std::string& name) {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return static_cast<int>(i);
  for (std::size_t i = 0; i < header.size(); ++i)
    if (lower(header[i]) == lower(name)) return static_cast<int>(i);
  return -1;
}

int find_default(const std::vector<std::string>& header, std::initializer_list<const char*> names,
                 int exclude) {
  for (const char* n : names) {
    const int i = find_column(header, n);
    if (i >= 0 && i != exclude) return i;
  }
  return -1;
}

int require_column(const std::vector<std::string>& header, const std::string& name,
                   const std::string& source, const char* role) {
  const int i = find_column(header, name);
  if (i < 0)
    throw DoseTableError(source + ": no " + role + " column '" + name + "'; the columns are " +
                         join(header));
  return i;
}

double parse_number(std::string_view cell, const std::string& source, int line,
                    const std::string& column) {
  const std::string_view t = trim(cell);
  double v = 0.0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size() || !std::isfinite(v)) {
    throw DoseTableError(source + ": line " + std::to_string(line) + ", column '" + column +
                         "': '" + std::string(t) + "' is not a number" +
                         (t.empty() || lower(std::string(t)) == "na"
                              ? " (remove the row or fill in the value)"
                              : ""));
  }
  return v;
}

// The next line of `text` from `pos` (without its '\n'), as std::getline splits a stream: a
// last line without '\n' is a line, a final '\n' does not start another.
bool next_line(std::string_view text, std::size_t& pos, std::string_view& line) {
  if (pos >= text.size()) return false;
  const std::size_t end = std::min(text.find('\n', pos), text.size());
  line = text.substr(pos, end - pos);
  pos = end + 1;
  return true;
}

// Group names to curve indices, looked up by view: a string is made only for a new group.
struct GroupHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using GroupIndex = std::unordered_map<std::string, std::size_t, GroupHash, std::equal_to<>>;

}  // namespace

DoseTable read_dose_table(std::istream& in, const std::string& source,
                          const DoseTableOptions& options) {
  std::string text;
  char chunk[1 << 16];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) text.append(chunk, static_cast<std::size_t>(in.gcount()));
  return read_dose_table(std::string_view(text), source, options);
}

DoseTable read_dose_table(std::string_view text, const std::string& source,
                          const DoseTableOptions& options) {
  std::size_t pos = 0;
  std::string_view line;
  int line_no = 0;
  std::vector<std::string> header;
  char delimiter = ',';
  while (header.empty() && next_line(text, pos, line)) {
    ++line_no;
    if (blank(line)) continue;
    if (line.find(',') == std::string_view::npos) {
      if (line.find('\t') != std::string_view::npos) delimiter = '\t';
      else if (line.find(';') != std::string_view::npos) delimiter = ';';
    }
    split_csv_line(line, delimiter, header);
  }
  if (header.empty()) throw DoseTableError(source + ": empty file, expected a header row with column names");

  DoseTable table;
  int x = options.x_column.empty()
              ? find_default(header, {"conc", "concentration", "dose", "conc_nM", "conc_uM", "x"}, -1)
              : require_column(header, options.x_column, source, "concentration (--x)");
  if (x < 0) x = 0;
  int y = options.y_column.empty()
              ? find_default(header, {"response", "y", "value", "signal", "percent"}, x)
              : require_column(header, options.y_column, source, "response (--y)");
  if (y < 0 && header.size() == 2) y = 1 - x;
  if (y < 0)
    throw DoseTableError(source + ": cannot tell which column is the response; pass --y with one of " +
                         join(header));
  const int group = options.group_column.empty()
                        ? -1
                        : require_column(header, options.group_column, source, "group (--group)");
  const int weight = options.weight_column.empty()
                         ? -1
                         : require_column(header, options.weight_column, source, "weight (--weights)");
  table.x_column = header[x];
  table.y_column = header[y];
  if (group >= 0) table.group_column = header[group];

  GroupIndex group_index;
  std::size_t current = 0;  // the curve of the previous row: replicates usually follow each other
  std::vector<std::string_view> cells;
  std::string scratch;
  while (next_line(text, pos, line)) {
    ++line_no;
    if (blank(line)) continue;
    split_csv_line(line, delimiter, cells, scratch);
    if (cells.size() != header.size())
      throw DoseTableError(source + ": line " + std::to_string(line_no) + " has " +
                           std::to_string(cells.size()) + " fields, the header has " +
                           std::to_string(header.size()));
    DosePoint p;
    p.conc = parse_number(cells[x], source, line_no, header[x]);
    if (p.conc < 0)
      throw DoseTableError(source + ": line " + std::to_string(line_no) + ", column '" + header[x] +
                           "': negative concentration " + std::string(trim(cells[x])) +
                           " (use 0 for vehicle controls)");
    p.response = parse_number(cells[y], source, line_no, header[y]);
    if (weight >= 0) {
      p.weight = parse_number(cells[weight], source, line_no, header[weight]);
      if (p.weight < 0)
        throw DoseTableError(source + ": line " + std::to_string(line_no) + ", column '" +
                             header[weight] + "': negative weight");
    }
    const std::string_view key = group >= 0 ? cells[group] : std::string_view();
    if (table.curves.empty() || table.curves[current].group != key) {
      auto it = group_index.find(key);
      if (it == group_index.end()) {
        // A new curve is as long as the one before, usually: one allocation instead of a doubling series.
        const std::size_t expected = table.curves.empty() ? 0 : table.curves[current].points.size();
        it = group_index.emplace(std::string(key), table.curves.size()).first;
        DoseCurveInput& added = table.curves.emplace_back();
        added.group = key;
        added.points.reserve(expected);
        added.lines.reserve(expected);
      }
      current = it->second;
    }
    table.curves[current].points.push_back(p);
    table.curves[current].lines.push_back(line_no);
  }
  if (table.curves.empty()) throw DoseTableError(source + ": no data rows after the header");
  for (const DoseCurveInput& c : table.curves) {
    if (static_cast<int>(c.points.size()) < options.min_points) {
      throw DoseTableError(source + ": " + (c.group.empty() ? "the curve" : "group '" + c.group + "'") +
                           " (first at line " + std::to_string(c.lines.front()) + ") has " +
                           std::to_string(c.points.size()) + " points; the fit has " +
                           std::to_string(options.min_points) +
                           " free parameters and needs at least that many");
    }
  }
  return table;
}

}  // namespace assay::protocols::fit
