#include "assay/drivers/clock.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace assay::drivers {
namespace {

class RealClock final : public Clock {
 public:
  time_point now() const override { return std::chrono::steady_clock::now(); }

  bool sleep_until(time_point deadline, std::stop_token stop) override {
    if (!stop.stop_possible()) {
      std::this_thread::sleep_until(deadline);
      return true;
    }
    // condition_variable_any wakes at once on a stop request (it registers a stop callback).
    std::mutex mutex;
    std::condition_variable_any never_notified;
    std::unique_lock lock(mutex);
    never_notified.wait_until(lock, stop, deadline, [] { return false; });
    return !stop.stop_requested();
  }
};

}  // namespace

Clock& real_clock() {
  static RealClock clock;
  return clock;
}

}  // namespace assay::drivers
