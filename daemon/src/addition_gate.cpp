#include "addition_gate.hpp"

namespace assay::daemon {

void AdditionGate::open(const std::string& job_id) {
  std::lock_guard lock(mutex_);
  job_ = job_id;
  stamp_.reset();
}

std::optional<AdditionGate::Stamp> AdditionGate::wait(std::stop_token stop,
                                                      std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  cv_.wait_until(lock, stop, deadline, [this] { return stamp_.has_value(); });
  auto stamp = stamp_;
  job_.reset();
  stamp_.reset();
  return stamp;
}

std::optional<AdditionGate::Stamp> AdditionGate::release(const std::string& job_id) {
  std::optional<Stamp> stamp;
  {
    std::lock_guard lock(mutex_);
    if (job_ != job_id) return std::nullopt;
    if (stamp_) return stamp_;  // a repeated continue: the first one is the addition
    stamp_ = Stamp{std::chrono::system_clock::now(), std::chrono::steady_clock::now()};
    stamp = stamp_;
  }
  cv_.notify_all();
  return stamp;
}

void AdditionGate::close() {
  std::lock_guard lock(mutex_);
  job_.reset();
  stamp_.reset();
}

std::optional<std::string> AdditionGate::waiting_job() const {
  std::lock_guard lock(mutex_);
  return job_;
}

}  // namespace assay::daemon
