#include "assay/drivers/manual_clock.hpp"

#include <algorithm>

namespace assay::drivers {

ManualClock::ManualClock() : start_(time_point{} + std::chrono::hours(24)), now_(start_) {}

Clock::time_point ManualClock::now() const {
  std::lock_guard lock(mutex_);
  return now_;
}

Clock::duration ManualClock::elapsed() const {
  std::lock_guard lock(mutex_);
  return now_ - start_;
}

void ManualClock::at(time_point when, std::function<void()> action) {
  std::lock_guard lock(mutex_);
  actions_.emplace(when, std::move(action));
}

bool ManualClock::run_until(time_point deadline, const std::stop_token& stop) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (stop.stop_requested()) return false;
    auto next = actions_.begin();
    if (next == actions_.end() || next->first > deadline) break;
    now_ = std::max(now_, next->first);
    auto action = std::move(next->second);
    actions_.erase(next);
    lock.unlock();
    action();  // may schedule more actions, unplug a transport or request the stop
    lock.lock();
  }
  now_ = std::max(now_, deadline);
  return true;
}

bool ManualClock::sleep_until(time_point deadline, std::stop_token stop) {
  return run_until(deadline, stop) && !stop.stop_requested();
}

void ManualClock::advance(duration span) { run_until(now() + span, {}); }

}  // namespace assay::drivers
