// A GRBL 1.1 motion controller driving an XY(Z) microscope stage over a serial port.
//
// Command set used (all lines end in '\n'; each is answered "ok" or "error:N"):
//   G21             millimetre units (sent on connect)
//   $H              homing cycle; "ok" when done (up to homing_timeout_ms)
//   G90 G0 X Y Z    absolute rapid move; "ok" means queued, completion is polled with '?'
//   ?               real-time status query (no newline, no "ok"): "<Idle|MPos:x,y,z|...>"
//   !  then 0x18    feed hold, then soft reset once held: halts a move and keeps the position
// Asynchronous "ALARM:N" lines (hard limit, homing failure) mark the stage not homed and fail
// the command in progress. Soft limits from the config are checked before anything is sent.
// Every wait has a deadline; a silent controller is a timeout, a vanished port disconnected.
// One worker thread at a time; describe() and is_homed() are thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "assay/drivers/clock.hpp"
#include "assay/drivers/stage.hpp"
#include "assay/drivers/transport.hpp"
#include "grbl_protocol.hpp"

namespace assay::drivers {

struct GrblSettings {
  std::string port;  // "/dev/ttyUSB0"
  int baud = 115200;
  StageLimits limits;
  bool has_z = true;
  bool homing_required = true;  // refuse moves until homed in this session
  int connect_timeout_ms = 3000;
  int command_timeout_ms = 2000;
  int move_timeout_ms = 30000;
  int homing_timeout_ms = 60000;
  int poll_interval_ms = 50;
  double position_tolerance_mm = 0.01;  // reached position vs. target

  // From the "stage" table of an imager's settings; errors name `path`.key.
  static Result<GrblSettings> from_json(const nlohmann::json& settings, const std::string& path);
};

using TransportOpener = std::function<Result<std::unique_ptr<Transport>>()>;

class GrblStage final : public Stage {
 public:
  // Without an opener the stage opens settings.port as a SerialPort at settings.baud. Deadlines
  // and status polls run on `clock`.
  explicit GrblStage(GrblSettings settings, TransportOpener opener = {}, Clock& clock = real_clock());

  Status connect() override;
  void disconnect() override;
  Status home(std::stop_token stop) override;
  Status move_to(const StageTarget& target, std::stop_token stop) override;
  Result<StagePosition> position() override;
  const StageLimits& limits() const override { return settings_.limits; }
  bool has_z() const override { return settings_.has_z; }
  bool is_homed() const override { return homed_; }
  nlohmann::json describe() const override;

 private:
  Status send(const std::string& bytes);
  Result<std::string> next_line(Clock::time_point deadline, const std::stop_token* stop);
  Status wait_ok(const std::string& command, Clock::time_point deadline,
                 const std::stop_token* stop);
  Result<grbl::StatusReport> query_status(Clock::time_point deadline);
  Status wait_idle(const std::string& doing, Clock::time_point deadline, std::stop_token stop);
  Status halt();
  Status soft_reset();
  Result<StagePosition> machine_position(const grbl::StatusReport& report);
  std::string who() const { return "stage on " + settings_.port; }

  GrblSettings settings_;
  TransportOpener opener_;
  Clock& clock_;
  std::unique_ptr<Transport> transport_;
  std::string partial_;
  std::deque<std::string> lines_;
  std::optional<grbl::Vec3> work_offset_mm_;
  std::atomic<bool> homed_{false};
  mutable std::mutex describe_mutex_;
  std::string firmware_;
};

}  // namespace assay::drivers
