// A Clock for tests: time moves only when the test lets it, so timeouts, polls and "unplug the
// reader 1.5 s into the read" happen at exactly their time, however loaded the machine is.
//
// Two ways for a sleep to pass, chosen when the clock is made:
// - run_ahead (device time): a sleep returns at once with the clock moved to its deadline, so a
//   40 s read takes no real time. Made for one thread driving a driver with its transport and
//   device model, as the driver tests do.
// - held: a sleep blocks until another thread's advance() carries the clock to its deadline, or
//   its stop is requested. Made for a test that runs the driver on a thread of its own and steps
//   time itself. advance() moves the clock deadline by deadline and returns only once every
//   sleeper it woke has left sleep_until(), so what a test sees after advance() is settled.
//
// Actions scheduled with at() or after() run in time order, on the thread whose sleep (run_ahead)
// or advance() carries the clock past them, with now() at exactly their time; a stop an action
// requests ends the sleep that ran it at that moment. An action must not sleep on its own clock.
// Every call may come from any thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <set>

#include "assay/drivers/clock.hpp"

namespace assay::drivers {

class ManualClock final : public Clock {
 public:
  enum class Sleeps { run_ahead, held };

  // Starts at an arbitrary point well after the epoch (time_point{} is no valid "now").
  explicit ManualClock(Sleeps sleeps = Sleeps::run_ahead);

  time_point now() const override;
  bool sleep_until(time_point deadline, std::stop_token stop = {}) override;

  // Moves the clock on by `span`, running the actions and waking the sleepers that fall due.
  void advance(duration span);
  // Runs `action` when the clock reaches `when` (at the next sleep or advance() if it already has).
  void at(time_point when, std::function<void()> action);
  void after(duration span, std::function<void()> action);
  // How far the clock has moved since it was made.
  duration elapsed() const;

  // Threads blocked in sleep_until() (held clocks only; run_ahead sleeps never block).
  std::size_t sleepers() const;
  // Blocks until at least `count` threads sleep, so a test advances only once they wait.
  void wait_for_sleepers(std::size_t count);

 private:
  bool run_ahead_until(time_point deadline, const std::stop_token& stop);
  bool sleep_held(time_point deadline, const std::stop_token& stop);
  // Runs the first action if it is due by `limit`; false when none is. Unlocks while it runs.
  bool run_next_action(std::unique_lock<std::mutex>& lock, time_point limit);

  const Sleeps sleeps_;
  mutable std::mutex mutex_;
  std::condition_variable_any changed_;  // now_ moved, or a sleeper came or went
  const time_point start_;
  time_point now_;
  std::multimap<time_point, std::function<void()>> actions_;
  std::multiset<time_point> sleeping_;  // the deadlines of held sleepers
};

}  // namespace assay::drivers
