#include "assay/drivers/manual_clock.hpp"

#include <algorithm>

namespace assay::drivers {

ManualClock::ManualClock(Sleeps sleeps)
    : sleeps_(sleeps), start_(time_point{} + std::chrono::hours(24)), now_(start_) {}

Clock::time_point ManualClock::now() const {
  std::lock_guard lock(mutex_);
  return now_;
}

Clock::duration ManualClock::elapsed() const {
  std::lock_guard lock(mutex_);
  return now_ - start_;
}

std::size_t ManualClock::sleepers() const {
  std::lock_guard lock(mutex_);
  return sleeping_.size();
}

void ManualClock::wait_for_sleepers(std::size_t count) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return sleeping_.size() >= count; });
}

void ManualClock::at(time_point when, std::function<void()> action) {
  std::lock_guard lock(mutex_);
  actions_.emplace(when, std::move(action));
}

void ManualClock::after(duration span, std::function<void()> action) {
  std::lock_guard lock(mutex_);
  actions_.emplace(now_ + span, std::move(action));
}

bool ManualClock::run_next_action(std::unique_lock<std::mutex>& lock, time_point limit) {
  auto next = actions_.begin();
  if (next == actions_.end() || next->first > limit) return false;
  now_ = std::max(now_, next->first);
  auto action = std::move(next->second);
  actions_.erase(next);
  lock.unlock();
  action();  // may schedule more actions, unplug a transport or request a stop
  lock.lock();
  return true;
}

bool ManualClock::sleep_until(time_point deadline, std::stop_token stop) {
  return sleeps_ == Sleeps::run_ahead ? run_ahead_until(deadline, stop) : sleep_held(deadline, stop);
}

bool ManualClock::run_ahead_until(time_point deadline, const std::stop_token& stop) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (stop.stop_requested()) return false;  // the clock stays at the action that stopped us
    if (!run_next_action(lock, deadline)) break;
  }
  now_ = std::max(now_, deadline);
  return true;
}

bool ManualClock::sleep_held(time_point deadline, const std::stop_token& stop) {
  std::unique_lock lock(mutex_);
  if (now_ >= deadline) return !stop.stop_requested();
  auto entry = sleeping_.insert(deadline);
  changed_.notify_all();
  // condition_variable_any also wakes on a stop request (it registers a stop callback).
  bool reached = changed_.wait(lock, stop, [&] { return now_ >= deadline; });
  sleeping_.erase(entry);
  changed_.notify_all();
  return reached && !stop.stop_requested();
}

void ManualClock::advance(duration span) {
  std::unique_lock lock(mutex_);
  const auto target = now_ + span;
  if (sleeps_ == Sleeps::run_ahead) {
    lock.unlock();
    run_ahead_until(target, {});
    return;
  }
  for (;;) {
    // On to the next moment anything happens: an action or a sleeper's deadline, at most target.
    auto next = target;
    if (!actions_.empty()) next = std::min(next, actions_.begin()->first);
    if (!sleeping_.empty()) next = std::min(next, *sleeping_.begin());
    now_ = std::max(now_, next);
    changed_.notify_all();
    // Every sleeper due by now leaves before time moves on.
    changed_.wait(lock, [&] { return sleeping_.empty() || *sleeping_.begin() > now_; });
    if (run_next_action(lock, now_)) continue;
    if (now_ >= target) return;
  }
}

}  // namespace assay::drivers
