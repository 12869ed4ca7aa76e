#include "grbl_simulator.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

GrblSimulator::GrblSimulator(bool homing_enabled) {
  char name[128] = {0};
  if (::openpty(&master_, &slave_, name, nullptr, nullptr) != 0) std::abort();
  slave_path_ = name;
  termios raw{};
  ::tcgetattr(slave_, &raw);
  ::cfmakeraw(&raw);
  ::tcsetattr(slave_, TCSANOW, &raw);
  ::fcntl(master_, F_SETFL, ::fcntl(master_, F_GETFL) | O_NONBLOCK);
  if (homing_enabled) state_ = "Alarm";  // GRBL with $22=1 starts locked until homed
  thread_ = std::thread([this] { run(); });
}

GrblSimulator::~GrblSimulator() {
  stop_ = true;
  thread_.join();
  if (master_ >= 0) ::close(master_);
  if (slave_ >= 0) ::close(slave_);
}

void GrblSimulator::vanish() {
  std::lock_guard lock(mutex_);
  ::close(master_);
  master_ = -1;
  ::close(slave_);
  slave_ = -1;
}

std::vector<std::string> GrblSimulator::lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

std::string GrblSimulator::realtime() const {
  std::lock_guard lock(mutex_);
  return realtime_;
}

std::string GrblSimulator::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

void GrblSimulator::send(const std::string& text) {
  if (silent_ || master_ < 0) return;
  (void)!::write(master_, text.data(), text.size());
}

std::string GrblSimulator::status_report() {
  char text[160];
  std::snprintf(text, sizeof text, "<%s|MPos:%.3f,%.3f,%.3f|FS:0,0>\r\n", state_.c_str(), pos_[0],
                pos_[1], pos_[2]);
  return text;
}

// Moves the simulated axes along in time; fires a pending alarm half way.
void GrblSimulator::advance() {
  auto now = Clock::now();
  if (homing_ && now >= homing_end_) {
    homing_ = false;
    state_ = "Idle";
    for (double& p : pos_) p = 0.0;
    send("ok\r\n");
  }
  if (state_ != "Run") return;
  double total = std::chrono::duration<double>(move_end_ - move_start_).count();
  double done = std::chrono::duration<double>(now - move_start_).count();
  double f = total <= 0.0 ? 1.0 : std::min(1.0, done / total);
  for (int i = 0; i < 3; ++i) pos_[i] = from_[i] + (to_[i] - from_[i]) * f;
  if (pending_alarm_ != 0 && f >= 0.5) {
    send("ALARM:" + std::to_string(pending_alarm_) + "\r\n");
    pending_alarm_ = 0;
    state_ = "Alarm";
    return;
  }
  if (f >= 1.0) state_ = "Idle";
}

void GrblSimulator::handle_realtime(char byte) {
  if (byte == '?') {
    send(status_report());
    return;
  }
  realtime_.push_back(byte);
  if (byte == '!') {
    if (state_ == "Run") state_ = "Hold:0";  // the simulated axes decelerate instantly
  } else if (byte == 0x18) {
    bool in_motion = state_ == "Run" || homing_;
    homing_ = false;
    partial_.clear();
    send("\r\nGrbl 1.1h ['$' for help]\r\n");
    if (in_motion) {
      state_ = "Alarm";
      send("ALARM:3\r\n");
    } else if (state_ != "Alarm") {
      state_ = "Idle";
    }
  }
}

void GrblSimulator::handle_line(const std::string& line) {
  lines_.push_back(line);
  if (line.empty() || line == "G21") return send("ok\r\n");
  if (line == "$H") {
    homing_ = true;
    state_ = "Home";
    homing_end_ = Clock::now() + std::chrono::milliseconds(100);
    return;  // "ok" when the cycle ends
  }
  if (line.rfind("G90 G0", 0) == 0) {
    if (state_ == "Alarm") return send("error:9\r\n");
    double target[3] = {pos_[0], pos_[1], pos_[2]};
    const char* axes = "XYZ";
    for (int i = 0; i < 3; ++i) {
      auto at = line.find(axes[i]);
      if (at != std::string::npos) target[i] = std::atof(line.c_str() + at + 1);
    }
    for (int i = 0; i < 3; ++i) {
      from_[i] = pos_[i];
      to_[i] = target[i];
    }
    move_start_ = Clock::now();
    move_end_ = move_start_ + std::chrono::milliseconds(move_ms_.load());
    pending_alarm_ = alarm_code_.exchange(0);
    state_ = "Run";
    return send("ok\r\n");
  }
  if (line.front() == '$') return send("error:3\r\n");
  send("error:20\r\n");
}

void GrblSimulator::run() {
  while (!stop_) {
    int fd = -1;
    {
      std::lock_guard lock(mutex_);
      if (master_ < 0) break;
      advance();
      fd = master_;
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5) <= 0 || (p.revents & POLLIN) == 0) continue;
    std::lock_guard lock(mutex_);
    if (master_ < 0) break;
    char buffer[256];
    ssize_t n = ::read(master_, buffer, sizeof buffer);
    for (ssize_t i = 0; i < n; ++i) {
      char c = buffer[i];
      if (c == '?' || c == '!' || c == '~' || c == 0x18) {
        handle_realtime(c);
      } else if (c == '\n') {
        handle_line(partial_);
        partial_.clear();
      } else if (c != '\r') {
        partial_.push_back(c);
      }
    }
  }
}
