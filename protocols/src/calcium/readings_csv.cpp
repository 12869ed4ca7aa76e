#include "assay/protocols/calcium/readings_csv.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>

#include "assay/protocols/csv_line.hpp"

namespace assay::protocols::calcium {

std::vector<drivers::Reading> read_readings_csv(std::istream& in, const std::string& source) {
  std::vector<drivers::Reading> out;
  std::string line;
  std::map<std::string, std::size_t> columns;
  std::size_t line_no = 0;
  auto fail = [&](const std::string& what) -> ReadingsCsvError {
    return ReadingsCsvError(source + ":" + std::to_string(line_no) + ": " + what);
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    auto cells = split_csv_line(line);
    if (columns.empty()) {
      for (std::size_t i = 0; i < cells.size(); ++i) columns[cells[i]] = i;
      for (const char* required : {"well", "channel", "cycle", "time_s", "value"}) {
        if (!columns.count(required)) {
          throw fail(std::string("the header has no '") + required +
                     "' column; expected well,channel,cycle,time_s,value[,saturated]");
        }
      }
      continue;
    }
    auto cell = [&](const char* name) -> const std::string& {
      auto index = columns.at(name);
      if (index >= cells.size()) throw fail(std::string("row has no '") + name + "' value");
      return cells[index];
    };
    auto number = [&](const char* name) {
      const auto& text = cell(name);
      double value = 0.0;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(value)) {
        throw fail(std::string("column '") + name + "': '" + text + "' is not a number");
      }
      return value;
    };
    drivers::Reading r;
    r.well = cell("well");
    if (r.well.empty()) throw fail("column 'well' is empty");
    r.channel = cell("channel");
    double cycle = number("cycle");
    if (cycle < 0 || cycle != std::floor(cycle) || cycle > 1e9) {
      throw fail("column 'cycle': '" + cell("cycle") + "' is not a whole number >= 0");
    }
    r.cycle = static_cast<int>(cycle);
    r.time_s = number("time_s");
    r.value = number("value");
    if (columns.count("saturated") && columns.at("saturated") < cells.size()) {
      const auto& s = cells[columns.at("saturated")];
      if (s == "1" || s == "true") r.saturated = true;
      else if (s == "0" || s == "false" || s.empty()) r.saturated = false;
      else throw fail("column 'saturated': '" + s + "' is not 0/1 or true/false");
    }
    out.push_back(std::move(r));
  }
  if (columns.empty()) throw ReadingsCsvError(source + ": empty file; expected a header line");
  return out;
}

std::vector<drivers::Reading> read_readings_csv(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw ReadingsCsvError(path.string() + ": cannot open the file");
  return read_readings_csv(in, path.string());
}

void write_readings_csv(std::ostream& out, std::span<const drivers::Reading> readings) {
  out << "well,channel,cycle,time_s,value,saturated\n";
  char buffer[64];
  for (const auto& r : readings) {
    out << r.well << ',' << r.channel << ',' << r.cycle << ',';
    std::snprintf(buffer, sizeof buffer, "%.17g", r.time_s);
    out << buffer << ',';
    std::snprintf(buffer, sizeof buffer, "%.17g", r.value);
    out << buffer << ',' << (r.saturated ? 1 : 0) << '\n';
  }
}

}  // namespace assay::protocols::calcium
