// Time as drivers and simulators see it: the seam beside Transport (as LevelDB's Env carries
// both the files and the clock). A driver reads now() and waits with sleep_until() or
// sleep_for(); it never calls std::chrono::steady_clock or std::this_thread::sleep_for itself.
// So a test hands the driver, its transport and its device model one ManualClock
// (manual_clock.hpp), and "stops within a step" or "gives up after 2 s" is checked exactly and
// without waiting.
//
// Every Clock may be used from any thread.
#pragma once

#include <chrono>
#include <stop_token>

namespace assay::drivers {

class Clock {
 public:
  using duration = std::chrono::steady_clock::duration;
  using time_point = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;

  virtual time_point now() const = 0;
  // Waits until `deadline` or until `stop` is requested, whichever comes first; true when the
  // deadline was reached with no stop requested.
  virtual bool sleep_until(time_point deadline, std::stop_token stop = {}) = 0;

  bool sleep_for(duration span, std::stop_token stop = {}) { return sleep_until(now() + span, stop); }
};

// The real clock: steady_clock; a stop request ends a sleep at once. One for the process.
Clock& real_clock();

}  // namespace assay::drivers
