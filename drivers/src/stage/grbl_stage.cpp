#include "grbl_stage.hpp"

#include <algorithm>
#include <cmath>

#include "serial_port.hpp"

namespace assay::drivers {
namespace {

using namespace std::chrono_literals;

std::chrono::milliseconds until(Clock& clock, Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock.now());
  return std::max(left, 0ms);
}

}  // namespace

GrblStage::GrblStage(GrblSettings settings, TransportOpener opener, Clock& clock)
    : settings_(std::move(settings)), opener_(std::move(opener)), clock_(clock) {
  if (!opener_) {
    opener_ = [port = settings_.port, baud = settings_.baud]() -> Result<std::unique_ptr<Transport>> {
      auto serial = SerialPort::open(port, baud);
      if (!serial) return serial.status();
      return std::unique_ptr<Transport>(std::move(serial).value());
    };
  }
}

Status GrblStage::send(const std::string& bytes) {
  if (!transport_) return {StatusCode::disconnected, who() + " is not connected"};
  std::span<const std::uint8_t> data(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                     bytes.size());
  auto status = transport_->write(data, std::chrono::milliseconds(settings_.command_timeout_ms));
  if (!status) return {status.code(), who() + ": " + status.message()};
  return Status::ok();
}

Result<std::string> GrblStage::next_line(Clock::time_point deadline, const std::stop_token* stop) {
  while (lines_.empty()) {
    if (!transport_) return Status{StatusCode::disconnected, who() + " is not connected"};
    if (stop != nullptr && stop->stop_requested()) {
      return Status{StatusCode::cancelled, who() + ": stopped"};
    }
    auto left = until(clock_, deadline);
    if (left == 0ms) return Status{StatusCode::timeout, who() + " did not answer in time"};
    // Short slices so a stop request is noticed while a long command (homing) runs.
    auto chunk = transport_->read(256, std::min<std::chrono::milliseconds>(left, 100ms));
    if (!chunk) {
      if (chunk.status().code() == StatusCode::timeout) continue;
      return Status{chunk.status().code(), who() + ": " + chunk.status().message()};
    }
    for (std::uint8_t byte : *chunk) {
      if (byte == '\n') {
        if (!partial_.empty()) lines_.push_back(std::move(partial_));
        partial_.clear();
      } else if (byte != '\r') {
        partial_.push_back(static_cast<char>(byte));
      }
    }
  }
  std::string line = std::move(lines_.front());
  lines_.pop_front();
  return line;
}

Status GrblStage::wait_ok(const std::string& command, Clock::time_point deadline,
                          const std::stop_token* stop) {
  for (;;) {
    auto line = next_line(deadline, stop);
    if (!line) {
      if (line.status().code() == StatusCode::timeout) {
        return {StatusCode::timeout, who() + " did not acknowledge '" + command + "' in time"};
      }
      return line.status();
    }
    if (*line == "ok") return Status::ok();
    if (auto code = grbl::parse_error_code(*line)) {
      return {StatusCode::device_error,
              who() + " refused '" + command + "': " + grbl::error_text(*code)};
    }
    if (auto code = grbl::parse_alarm_code(*line)) {
      homed_ = false;
      return {StatusCode::device_error,
              who() + " raised an alarm during '" + command + "': " + grbl::alarm_text(*code)};
    }
    if (line->rfind("Grbl ", 0) == 0) {
      homed_ = false;
      return {StatusCode::device_error,
              who() + " controller reset itself during '" + command + "'; home the stage again"};
    }
    // Status reports and [MSG:...] lines are not answers to the command.
  }
}

Result<grbl::StatusReport> GrblStage::query_status(Clock::time_point deadline) {
  if (auto status = send("?"); !status) return status;
  for (;;) {
    auto line = next_line(deadline, nullptr);
    if (!line) {
      if (line.status().code() == StatusCode::timeout) {
        return Status{StatusCode::timeout, who() + " did not answer the status query '?'"};
      }
      return line.status();
    }
    if (auto code = grbl::parse_alarm_code(*line)) {
      homed_ = false;
      continue;  // the report that follows says Alarm
    }
    if (line->front() != '<') continue;
    auto report = grbl::parse_status_report(*line);
    if (!report) {
      return Status{StatusCode::protocol_error, who() + " sent a malformed status report: " + *line};
    }
    if (report->work_offset_mm) work_offset_mm_ = report->work_offset_mm;
    if (report->state == "Alarm") homed_ = false;
    return *report;
  }
}

Result<StagePosition> GrblStage::machine_position(const grbl::StatusReport& report) {
  grbl::Vec3 mm{};
  if (report.machine_mm) {
    mm = *report.machine_mm;
  } else if (report.work_mm && work_offset_mm_) {
    for (std::size_t i = 0; i < 3; ++i) mm[i] = (*report.work_mm)[i] + (*work_offset_mm_)[i];
  } else {
    return Status{StatusCode::protocol_error,
                  who() + " reports work position without its offset; set GRBL's status report "
                          "mask to machine position ($10=1)"};
  }
  return StagePosition{mm[0], mm[1], mm[2] * 1000.0};
}

Status GrblStage::connect() {
  disconnect();
  auto opened = opener_();
  if (!opened) return opened.status();
  transport_ = std::move(opened).value();
  (void)transport_->purge();
  // An Arduino-based GRBL resets when the port opens and greets after ~1 s: ask until it answers.
  auto deadline = clock_.now() + std::chrono::milliseconds(settings_.connect_timeout_ms);
  std::optional<grbl::StatusReport> report;
  while (!report) {
    auto query_deadline = std::min(deadline, clock_.now() + 300ms);
    auto answer = query_status(query_deadline);
    if (answer) {
      report = *answer;
    } else if (answer.status().code() != StatusCode::timeout || clock_.now() >= deadline) {
      auto status = answer.status();
      transport_.reset();
      if (status.code() == StatusCode::timeout) {
        return {StatusCode::timeout, "no GRBL controller answered on " + settings_.port +
                                         " within " + std::to_string(settings_.connect_timeout_ms) +
                                         " ms; check the port and the baud rate (" +
                                         std::to_string(settings_.baud) + ")"};
      }
      return status;
    }
  }
  {
    std::lock_guard lock(describe_mutex_);
    firmware_ = "GRBL";
  }
  homed_ = false;
  if (report->state == "Alarm") return Status::ok();  // homing needed before anything else
  if (auto status = send("G21\n"); !status) return status;
  return wait_ok("G21", clock_.now() + std::chrono::milliseconds(settings_.command_timeout_ms),
                 nullptr);
}

void GrblStage::disconnect() {
  transport_.reset();
  lines_.clear();
  partial_.clear();
  homed_ = false;
}

Status GrblStage::home(std::stop_token stop) {
  if (auto status = send("$H\n"); !status) return status;
  auto status = wait_ok("$H", clock_.now() + std::chrono::milliseconds(settings_.homing_timeout_ms),
                        &stop);
  if (status.code() == StatusCode::cancelled || status.code() == StatusCode::timeout) {
    (void)soft_reset();  // the only way to abort a homing cycle
    homed_ = false;
    return {status.code(), status.code() == StatusCode::cancelled
                               ? who() + ": homing was cancelled; home again before moving"
                               : who() + ": homing did not finish within " +
                                     std::to_string(settings_.homing_timeout_ms) + " ms"};
  }
  if (!status) return status;
  if (auto s = send("G21\n"); !s) return s;
  if (auto s = wait_ok("G21", clock_.now() + std::chrono::milliseconds(settings_.command_timeout_ms),
                       nullptr);
      !s) {
    return s;
  }
  homed_ = true;
  return Status::ok();
}

Status GrblStage::halt() {
  (void)send("!");
  auto deadline = clock_.now() + 1s;
  while (clock_.now() < deadline) {
    auto report = query_status(deadline);
    if (!report) break;
    if (report->state == "Idle" || (report->state == "Hold" && report->sub_state == 0)) break;
    clock_.sleep_for(std::chrono::milliseconds(settings_.poll_interval_ms));
  }
  // Reset after a completed feed hold keeps the machine position (GRBL 1.1 documentation).
  return soft_reset();
}

Status GrblStage::soft_reset() {
  lines_.clear();
  partial_.clear();
  if (auto status = send(std::string(1, '\x18')); !status) return status;
  // Swallow everything up to the greeting the reset produces, so no later command mistakes it
  // for a spontaneous reset.
  auto deadline = clock_.now() + std::chrono::milliseconds(settings_.connect_timeout_ms);
  for (;;) {
    auto line = next_line(deadline, nullptr);
    if (!line) return line.status();
    if (line->rfind("Grbl ", 0) == 0) break;
  }
  lines_.clear();
  return Status::ok();
}

Status GrblStage::wait_idle(const std::string& doing, Clock::time_point deadline,
                            std::stop_token stop) {
  for (;;) {
    if (stop.stop_requested()) {
      (void)halt();
      return {StatusCode::cancelled, who() + ": " + doing + " was stopped"};
    }
    auto report = query_status(std::min(deadline, clock_.now() + std::chrono::milliseconds(
                                                                     settings_.command_timeout_ms)));
    if (!report) return report.status();
    if (report->state == "Idle") return Status::ok();
    if (report->state == "Alarm") {
      return {StatusCode::device_error,
              who() + " went into alarm during " + doing + "; check the limit switches, then home"};
    }
    if (report->state == "Door") {
      return {StatusCode::device_error, who() + ": the safety door is open during " + doing};
    }
    if (clock_.now() >= deadline) {
      (void)halt();
      return {StatusCode::timeout, who() + ": " + doing + " did not finish within " +
                                       std::to_string(settings_.move_timeout_ms) + " ms"};
    }
    // A stop ends the pause at once; the next turn of the loop halts the stage.
    clock_.sleep_for(std::chrono::milliseconds(settings_.poll_interval_ms), stop);
  }
}

Status GrblStage::move_to(const StageTarget& target, std::stop_token stop) {
  if (auto status = check_soft_limits(target, settings_.limits, settings_.has_z); !status) {
    return status;
  }
  if (!transport_) return {StatusCode::disconnected, who() + " is not connected"};
  if (settings_.homing_required && !homed_) {
    return {StatusCode::device_error, who() + " is not homed; home it before moving"};
  }
  if (!target.x_mm && !target.y_mm && !target.z_um) return Status::ok();
  std::string command = grbl::format_move(target);
  if (auto status = send(command + "\n"); !status) return status;
  if (auto status = wait_ok(command, clock_.now() + std::chrono::milliseconds(
                                                        settings_.command_timeout_ms),
                            &stop);
      !status) {
    return status;
  }
  auto deadline = clock_.now() + std::chrono::milliseconds(settings_.move_timeout_ms);
  if (auto status = wait_idle("the move '" + command + "'", deadline, stop); !status) return status;
  auto reached = position();
  if (!reached) return reached.status();
  auto off = [&](const std::optional<double>& want, double got) {
    return want && std::abs(*want - got) > settings_.position_tolerance_mm;
  };
  if (off(target.x_mm, reached->x_mm) || off(target.y_mm, reached->y_mm) ||
      (target.z_um && std::abs(*target.z_um - reached->z_um) >
                          settings_.position_tolerance_mm * 1000.0)) {
    return {StatusCode::device_error,
            who() + " stopped away from its target after '" + command + "' (at X" +
                std::to_string(reached->x_mm) + " Y" + std::to_string(reached->y_mm) + " Z" +
                std::to_string(reached->z_um / 1000.0) + " mm); check for lost steps"};
  }
  return Status::ok();
}

Result<StagePosition> GrblStage::position() {
  auto report =
      query_status(clock_.now() + std::chrono::milliseconds(settings_.command_timeout_ms));
  if (!report) return report.status();
  return machine_position(*report);
}

nlohmann::json GrblStage::describe() const {
  std::lock_guard lock(describe_mutex_);
  const auto& l = settings_.limits;
  return {{"controller", "grbl"},
          {"port", settings_.port},
          {"baud", settings_.baud},
          {"firmware", firmware_},
          {"has_z", settings_.has_z},
          {"homed", homed_.load()},
          {"limits",
           {{"x_mm", {l.x_mm.min, l.x_mm.max}},
            {"y_mm", {l.y_mm.min, l.y_mm.max}},
            {"z_um", {l.z_um.min, l.z_um.max}}}}};
}

}  // namespace assay::drivers
