#include "grbl_protocol.hpp"

#include <charconv>
#include <cstdio>
#include <vector>

namespace assay::drivers::grbl {
namespace {

std::optional<double> to_double(std::string_view text) {
  double value = 0.0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<Vec3> parse_vec(std::string_view text) {
  // GRBL sends 3 axes (more on 4/5-axis builds); the first three are X, Y, Z.
  Vec3 out{};
  for (int i = 0; i < 3; ++i) {
    auto comma = text.find(',');
    auto part = text.substr(0, comma);
    auto value = to_double(part);
    if (!value) return std::nullopt;
    out[static_cast<std::size_t>(i)] = *value;
    if (comma == std::string_view::npos) return i == 2 ? std::optional<Vec3>(out) : std::nullopt;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::optional<int> code_after(std::string_view line, std::string_view prefix) {
  if (line.substr(0, prefix.size()) != prefix) return std::nullopt;
  int code = 0;
  auto digits = line.substr(prefix.size());
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), code);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return code;
}

}  // namespace

std::optional<StatusReport> parse_status_report(std::string_view line) {
  if (line.size() < 3 || line.front() != '<' || line.back() != '>') return std::nullopt;
  line = line.substr(1, line.size() - 2);
  StatusReport report;
  bool first = true;
  while (!line.empty() || first) {
    auto bar = line.find('|');
    auto field = line.substr(0, bar);
    if (first) {
      auto colon = field.find(':');
      report.state = std::string(field.substr(0, colon));
      if (colon != std::string_view::npos) {
        int sub = 0;
        auto digits = field.substr(colon + 1);
        if (std::from_chars(digits.data(), digits.data() + digits.size(), sub).ec == std::errc()) {
          report.sub_state = sub;
        }
      }
      if (report.state.empty()) return std::nullopt;
      first = false;
    } else if (field.substr(0, 5) == "MPos:") {
      report.machine_mm = parse_vec(field.substr(5));
      if (!report.machine_mm) return std::nullopt;
    } else if (field.substr(0, 5) == "WPos:") {
      report.work_mm = parse_vec(field.substr(5));
      if (!report.work_mm) return std::nullopt;
    } else if (field.substr(0, 4) == "WCO:") {
      report.work_offset_mm = parse_vec(field.substr(4));
      if (!report.work_offset_mm) return std::nullopt;
    }
    if (bar == std::string_view::npos) break;
    line.remove_prefix(bar + 1);
  }
  return report;
}

std::optional<int> parse_error_code(std::string_view line) { return code_after(line, "error:"); }
std::optional<int> parse_alarm_code(std::string_view line) { return code_after(line, "ALARM:"); }

std::string error_text(int code) {
  switch (code) {
    case 1: return "G-code words consist of a letter and a value; letter was not found";
    case 2: return "numeric value format is not valid or missing an expected value";
    case 3: return "'$' system command was not recognized or supported";
    case 8: return "'$' command only valid when the controller is idle";
    case 9: return "G-code locked out during alarm or jog state; home the stage ($H) first";
    case 15: return "jog target exceeds machine travel";
    case 20: return "unsupported or invalid G-code command";
    case 22: return "feed rate has not yet been set or is undefined";
    case 33: return "motion command has an invalid target";
    default: return "GRBL error " + std::to_string(code) + " (see the GRBL 1.1 error code table)";
  }
}

std::string alarm_text(int code) {
  switch (code) {
    case 1: return "hard limit triggered; machine position is likely lost, re-home the stage";
    case 2: return "motion target exceeds the controller's own soft limits";
    case 3: return "reset while in motion; position may be lost, re-home the stage";
    case 4: return "probe fail: probe not in the expected initial state";
    case 5: return "probe fail: probe did not contact the workpiece";
    case 6: return "homing fail: the active homing cycle was reset";
    case 7: return "homing fail: safety door was opened during homing";
    case 8: return "homing fail: pull off travel failed to clear the limit switch";
    case 9: return "homing fail: could not find a limit switch; check the switches and wiring";
    default: return "GRBL alarm " + std::to_string(code);
  }
}

std::string format_move(const StageTarget& target) {
  std::string out = "G90 G0";
  char text[40];
  if (target.x_mm) {
    std::snprintf(text, sizeof text, " X%.4f", *target.x_mm);
    out += text;
  }
  if (target.y_mm) {
    std::snprintf(text, sizeof text, " Y%.4f", *target.y_mm);
    out += text;
  }
  if (target.z_um) {
    std::snprintf(text, sizeof text, " Z%.4f", *target.z_um / 1000.0);
    out += text;
  }
  return out;
}

}  // namespace assay::drivers::grbl
