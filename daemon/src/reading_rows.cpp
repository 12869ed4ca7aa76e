#include "reading_rows.hpp"

#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

#include "assay/daemon/store.hpp"

namespace assay::daemon {
namespace {

void append_string(std::string& out, const std::string& text) {
  for (unsigned char c : text) {
    if (c >= 0x80 || c < 0x20 || c == '"' || c == '\\') {
      // Rare (well and channel names are ASCII): nlohmann escapes and checks UTF-8 as the event log did.
      out += nlohmann::json(text).dump();
      return;
    }
  }
  out += '"';
  out += text;
  out += '"';
}

void append_double(std::string& out, double value) {
  char buffer[32];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  std::string_view text(buffer, static_cast<std::size_t>(end - buffer));
  out += text;
  if (text.find_first_of(".e") == std::string_view::npos) out += ".0";
}

void append_int(std::string& out, long long value) {
  char buffer[24];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

}  // namespace

void append_reading_rows(std::string& out, std::span<const drivers::Reading> readings) {
  out.reserve(out.size() + readings.size() * 64 + 2);
  out += '[';
  bool first = true;
  for (const auto& r : readings) {
    if (!std::isfinite(r.time_s) || !std::isfinite(r.value)) {
      throw StoreError("reading of well " + r.well + " (" + r.channel + ", cycle " + std::to_string(r.cycle) +
                       ") is not a finite number (time_s " + std::to_string(r.time_s) + ", value " +
                       std::to_string(r.value) + "); the driver must report a fault instead");
    }
    if (!first) out += ',';
    first = false;
    out += '[';
    append_string(out, r.well);
    out += ',';
    append_string(out, r.channel);
    out += ',';
    append_int(out, r.cycle);
    out += ',';
    append_double(out, r.time_s);
    out += ',';
    append_double(out, r.value);
    out += r.saturated ? ",true]" : ",false]";
  }
  out += ']';
}

std::string reading_event_text(const std::string& job_id, std::int64_t attempt, const std::string* rows,
                               std::int64_t seq, const std::string& time, const std::string& topic) {
  std::string text;
  text.reserve((rows ? rows->size() : 0) + 256);
  text += "{\"attempt\":";
  append_int(text, attempt);
  text += ",\"columns\":[\"well\",\"channel\",\"cycle\",\"time_s\",\"value\",\"saturated\"],\"job_id\":";
  append_string(text, job_id);
  if (rows) {
    text += ",\"rows\":";
    text += *rows;
  }
  text += ",\"seq\":";
  append_int(text, seq);
  text += ",\"time\":";
  append_string(text, time);
  text += ",\"topic\":";
  append_string(text, topic);
  text += '}';
  return text;
}

std::vector<drivers::Reading> parse_reading_rows(std::string_view rows) {
  auto parsed = nlohmann::json::parse(rows, nullptr, false);
  if (!parsed.is_array()) throw StoreError("a stored page of readings is not a JSON array");
  std::vector<drivers::Reading> readings;
  readings.reserve(parsed.size());
  try {
    for (const auto& row : parsed) {
      readings.push_back({row.at(0).get<std::string>(), row.at(1).get<std::string>(), row.at(2).get<int>(),
                          row.at(3).get<double>(), row.at(4).get<double>(), row.at(5).get<bool>()});
    }
  } catch (const nlohmann::json::exception& e) {
    throw StoreError(std::string("a stored page of readings has a malformed row: ") + e.what());
  }
  return readings;
}

}  // namespace assay::daemon
