// The deadline of the running job's current step: when it last made progress (a reading, an
// image, a progress report) and how long its step may take without any. The worker thread
// touches it; the io thread's deadline check reads it. Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

namespace assay::daemon {

class JobWatch {
 public:
  using Clock = std::chrono::steady_clock;

  explicit JobWatch(std::chrono::seconds default_bound) : bound_(default_bound), last_(Clock::now()) {}

  void touch() {
    std::lock_guard lock(mutex_);
    last_ = Clock::now();
  }
  // The protocol's bound for its next step (until the next progress); also counts as progress.
  void set_step(std::chrono::seconds bound, std::string step) {
    std::lock_guard lock(mutex_);
    bound_ = bound;
    step_ = std::move(step);
    last_ = Clock::now();
  }

  struct Overdue {
    std::chrono::seconds bound;
    std::string step;  // empty when the protocol named none
    double idle_s;
  };
  // Set when no progress came within the bound.
  std::optional<Overdue> overdue(Clock::time_point now) const {
    std::lock_guard lock(mutex_);
    auto idle = now - last_;
    if (idle <= bound_) return std::nullopt;
    return Overdue{bound_, step_, std::chrono::duration<double>(idle).count()};
  }

 private:
  mutable std::mutex mutex_;
  std::chrono::seconds bound_;
  std::string step_;
  Clock::time_point last_;
};

}  // namespace assay::daemon
