// A Clock for tests, in device time: it moves only when a sleeper reaches its deadline (every
// sleep returns at once with the clock set to its deadline, so a 40 s read takes no real time)
// or when advance() moves it. Actions scheduled with at() or after() run in time order, on the
// thread whose sleep or advance() carries the clock past them, at exactly their time; a stop an
// action requests ends the sleep that ran it at that moment. "Unplug the reader 1.5 s into the
// read" thus happens at 1.5 s of the read, however loaded the machine is.
//
// Made for one thread driving a driver with its transport and device model, as the driver tests
// do; calls from several threads are safe, but each sleep still returns at once.
#pragma once

#include <functional>
#include <map>
#include <mutex>

#include "assay/drivers/clock.hpp"

namespace assay::drivers {

class ManualClock final : public Clock {
 public:
  // Starts at an arbitrary point well after the epoch (time_point{} is no valid "now").
  ManualClock();

  time_point now() const override;
  bool sleep_until(time_point deadline, std::stop_token stop = {}) override;

  // Moves the clock on by `span`, running the actions that fall due.
  void advance(duration span);
  // Runs `action` when the clock reaches `when` (at once on the next sleep if it already has).
  void at(time_point when, std::function<void()> action);
  void after(duration span, std::function<void()> action) { at(now() + span, std::move(action)); }
  // How far the clock has moved since it was made.
  duration elapsed() const;

 private:
  // Runs due actions up to `deadline`, stopping early on a stop request; leaves the clock at the
  // last action run (stopped) or at `deadline`.
  bool run_until(time_point deadline, const std::stop_token& stop);

  mutable std::mutex mutex_;
  const time_point start_;
  time_point now_;
  std::multimap<time_point, std::function<void()>> actions_;
};

}  // namespace assay::drivers
