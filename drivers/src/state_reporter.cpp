#include "assay/drivers/state_reporter.hpp"

namespace assay::drivers {

std::string StateReporter::detail() const {
  std::lock_guard lock(mutex_);
  return detail_;
}

void StateReporter::set(InstrumentState state, const std::string& detail) {
  StateListener listener;
  {
    std::lock_guard lock(mutex_);
    const bool changed = state_.load() != state || detail_ != detail;
    state_.store(state);
    detail_ = detail;
    if (!changed) return;
    listener = listener_;
  }
  if (listener) listener(state, detail);
}

void StateReporter::set_listener(StateListener listener) {
  std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
}

void StateReporter::describe_into(nlohmann::json& out) const {
  std::lock_guard lock(mutex_);
  out["state"] = to_string(state_.load());
  out["detail"] = detail_;
}

}  // namespace assay::drivers
