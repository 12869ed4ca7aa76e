// GRBL 1.1 text protocol pieces: status-report parsing, error and alarm texts, move formatting.
//
// Status report: "<Idle|MPos:1.000,2.000,0.000|FS:0,0|WCO:0.000,0.000,0.000>"; the state may
// carry a sub-state ("Hold:0", "Door:1"). GRBL reports MPos or WPos depending on its $10 mask;
// machine position = WPos + WCO. Pure functions, thread-safe.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "assay/drivers/stage.hpp"

namespace assay::drivers::grbl {

using Vec3 = std::array<double, 3>;

struct StatusReport {
  std::string state;  // "Idle", "Run", "Hold", "Jog", "Alarm", "Door", "Check", "Home", "Sleep"
  int sub_state = -1;
  std::optional<Vec3> machine_mm;    // MPos
  std::optional<Vec3> work_mm;       // WPos
  std::optional<Vec3> work_offset_mm;  // WCO
};

// nullopt when `line` is not a well-formed status report.
std::optional<StatusReport> parse_status_report(std::string_view line);

// "error:N" -> N, "ALARM:N" -> N; nullopt otherwise.
std::optional<int> parse_error_code(std::string_view line);
std::optional<int> parse_alarm_code(std::string_view line);

// Human text of GRBL 1.1 error and alarm codes, with what to do where it helps.
std::string error_text(int code);
std::string alarm_text(int code);

// "G90 G0 X10.000 Y20.000 Z0.150": absolute rapid move in millimetres (z given in um).
std::string format_move(const StageTarget& target);

}  // namespace assay::drivers::grbl
