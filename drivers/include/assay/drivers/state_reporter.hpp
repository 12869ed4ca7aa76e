// An instrument's state, its detail line and the listener told of changes: the part every
// driver shares. Thread-safe; the listener is called outside the lock, only when the state or
// the detail changes.
#pragma once

#include <atomic>
#include <mutex>
#include <string>

#include "assay/drivers/instrument.hpp"

namespace assay::drivers {

class StateReporter {
 public:
  explicit StateReporter(std::string detail = "not connected") : detail_(std::move(detail)) {}

  InstrumentState state() const { return state_.load(); }
  std::string detail() const;
  void set(InstrumentState state, const std::string& detail);
  void set_listener(StateListener listener);
  // "state" and "detail" for describe().
  void describe_into(nlohmann::json& out) const;

 private:
  std::atomic<InstrumentState> state_{InstrumentState::offline};
  mutable std::mutex mutex_;  // guards detail_ and listener_
  std::string detail_;
  StateListener listener_;
};

}  // namespace assay::drivers
