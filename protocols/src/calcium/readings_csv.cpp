#include "assay/protocols/calcium/readings_csv.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <istream>
#include <string_view>

#include "assay/protocols/csv_line.hpp"

namespace assay::protocols::calcium {
namespace {

// The whole stream in one string, read in large blocks (sized up front when the stream can
// tell its length, as a file can).
std::string read_all(std::istream& in) {
  std::string text;
  if (const auto here = in.tellg(); here >= 0 && in.seekg(0, std::ios::end)) {
    const auto end = in.tellg();
    in.seekg(here);
    if (end > here) text.reserve(static_cast<std::size_t>(end - here));
  }
  in.clear();
  char block[1 << 16];
  while (in.read(block, sizeof block) || in.gcount() > 0) text.append(block, static_cast<std::size_t>(in.gcount()));
  return text;
}

}  // namespace

std::vector<drivers::Reading> read_readings_csv(std::istream& in, const std::string& source) {
  // The whole file at once: its line count reserves the readings (a 1536-well kinetic read is
  // 280,000 of them; growing the vector instead copied them about twenty times over).
  const std::string text = read_all(in);
  std::vector<drivers::Reading> out;
  out.reserve(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
  std::map<std::string, std::size_t> columns;
  std::vector<std::string> cells;  // one vector for every line: no allocation per row
  std::size_t well = 0, channel = 0, cycle = 0, time_s = 0, value = 0;
  std::optional<std::size_t> saturated;
  std::size_t line_no = 0;
  auto fail = [&](const std::string& what) -> ReadingsCsvError {
    return ReadingsCsvError(source + ":" + std::to_string(line_no) + ": " + what);
  };
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    split_csv_line(line, ',', cells);
    if (columns.empty()) {
      for (std::size_t i = 0; i < cells.size(); ++i) columns[cells[i]] = i;
      for (const char* required : {"well", "channel", "cycle", "time_s", "value"}) {
        if (!columns.count(required)) {
          throw fail(std::string("the header has no '") + required +
                     "' column; expected well,channel,cycle,time_s,value[,saturated]");
        }
      }
      well = columns.at("well");
      channel = columns.at("channel");
      cycle = columns.at("cycle");
      time_s = columns.at("time_s");
      value = columns.at("value");
      if (columns.count("saturated")) saturated = columns.at("saturated");
      continue;
    }
    auto cell = [&](std::size_t index, const char* name) -> const std::string& {
      if (index >= cells.size()) throw fail(std::string("row has no '") + name + "' value");
      return cells[index];
    };
    auto number = [&](std::size_t index, const char* name) {
      const auto& text = cell(index, name);
      double v = 0.0;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v)) {
        throw fail(std::string("column '") + name + "': '" + text + "' is not a number");
      }
      return v;
    };
    drivers::Reading r;
    r.well = cell(well, "well");
    if (r.well.empty()) throw fail("column 'well' is empty");
    r.channel = cell(channel, "channel");
    double cycle_number = number(cycle, "cycle");
    if (cycle_number < 0 || cycle_number != std::floor(cycle_number) || cycle_number > 1e9) {
      throw fail("column 'cycle': '" + cell(cycle, "cycle") + "' is not a whole number >= 0");
    }
    r.cycle = static_cast<int>(cycle_number);
    r.time_s = number(time_s, "time_s");
    r.value = number(value, "value");
    if (saturated && *saturated < cells.size()) {
      const auto& s = cells[*saturated];
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
