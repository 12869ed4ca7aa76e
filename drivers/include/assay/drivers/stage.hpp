// The Stage interface: an XY stage with an optional Z (focus) axis under an imager.
//
// Positions are machine coordinates after homing: x and y in millimetres, z in micrometres.
// Every move is absolute and checked against the soft limits (from the config) before anything
// is sent; a move outside them fails with invalid_argument naming the axis, the value and the
// limits. move_to() returns once the stage has stopped at the target (or failed), bounded by a
// timeout; a stop request halts the motion and returns cancelled. Used by one worker thread at
// a time; describe() and is_homed() are safe from any thread.
#pragma once

#include <memory>
#include <optional>
#include <stop_token>
#include <string>

#include <nlohmann/json.hpp>

#include "assay/drivers/status.hpp"

namespace assay::drivers {

struct AxisRange {
  double min = 0.0;
  double max = 0.0;
  bool contains(double value) const { return value >= min && value <= max; }
};

struct StageLimits {
  AxisRange x_mm{0.0, 120.0};
  AxisRange y_mm{0.0, 80.0};
  AxisRange z_um{0.0, 10000.0};
};

struct StagePosition {
  double x_mm = 0.0;
  double y_mm = 0.0;
  double z_um = 0.0;
};

// An absolute move; an axis left empty does not move.
struct StageTarget {
  std::optional<double> x_mm;
  std::optional<double> y_mm;
  std::optional<double> z_um;
};

class Stage {
 public:
  virtual ~Stage() = default;

  // Opens the port and checks that a controller answers; does not move.
  virtual Status connect() = 0;
  virtual void disconnect() = 0;
  // Runs the homing cycle; needed before moves when the controller requires it.
  virtual Status home(std::stop_token stop) = 0;
  virtual Status move_to(const StageTarget& target, std::stop_token stop) = 0;
  virtual Result<StagePosition> position() = 0;
  virtual const StageLimits& limits() const = 0;
  virtual bool has_z() const = 0;
  virtual bool is_homed() const = 0;
  // Controller kind, port, firmware, limits.
  virtual nlohmann::json describe() const = 0;
};

// Refuses a target outside the limits: "stage x 130.000 mm is outside the soft limits
// 0.000-120.000 mm (stage.limits.x_mm in the config)". Ok when every given axis is inside.
Status check_soft_limits(const StageTarget& target, const StageLimits& limits, bool has_z);

// Parses {"x_mm": [min, max], "y_mm": [...], "z_um": [...]}; keys not given keep `defaults`.
// Errors name the key under `path` ("stage.limits.x_mm: min must be below max").
Result<StageLimits> parse_stage_limits(const nlohmann::json& limits, const std::string& path,
                                       const StageLimits& defaults = {});

// Builds (does not connect) the stage a config table describes: {controller = "grbl",
// port = "/dev/ttyUSB0", baud = 115200, limits = {...}, ...}. Errors name `path`.key.
Result<std::unique_ptr<Stage>> make_stage(const nlohmann::json& settings, const std::string& path);

}  // namespace assay::drivers
