// A simulated GRBL 1.1 controller on a pseudo-terminal, for the stage tests.
//
// The test opens slave_path() with the real SerialPort; a thread answers on the master side as
// GRBL does: "ok"/"error:N" per line, '?' status reports with MPos, $H homing, G90 G0 moves that
// take move_ms to complete, '!' feed hold and 0x18 soft reset. Faults: silence, an alarm during
// the next move, and vanishing (closing the master).
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

class GrblSimulator {
 public:
  explicit GrblSimulator(bool homing_enabled = true);
  ~GrblSimulator();
  GrblSimulator(const GrblSimulator&) = delete;
  GrblSimulator& operator=(const GrblSimulator&) = delete;

  const std::string& slave_path() const { return slave_path_; }
  void set_silent(bool silent) { silent_ = silent; }
  void set_move_ms(int ms) { move_ms_ = ms; }
  void alarm_on_next_move(int code) { alarm_code_ = code; }
  void vanish();  // closes the master: the port disappears under the driver

  std::vector<std::string> lines() const;  // every command line received, in order
  std::string realtime() const;            // every real-time byte received ('?' excluded)
  std::string state() const;

 private:
  void run();
  void handle_line(const std::string& line);
  void handle_realtime(char byte);
  void send(const std::string& text);
  void advance();
  std::string status_report();

  using Clock = std::chrono::steady_clock;
  int master_ = -1;
  int slave_ = -1;
  std::string slave_path_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> silent_{false};
  std::atomic<int> move_ms_{150};
  std::atomic<int> alarm_code_{0};
  std::thread thread_;

  mutable std::mutex mutex_;
  std::string state_ = "Idle";
  double pos_[3] = {0, 0, 0};
  double from_[3] = {0, 0, 0};
  double to_[3] = {0, 0, 0};
  Clock::time_point move_start_, move_end_;
  Clock::time_point homing_end_;
  bool homing_ = false;
  int pending_alarm_ = 0;
  std::vector<std::string> lines_;
  std::string realtime_;
  std::string partial_;
};
