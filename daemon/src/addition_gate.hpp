// The meeting point of a job waiting for a manual addition (on its instrument's worker thread)
// and the person's jobs.continue (on the io thread).
//
// The worker opens the gate for its job before it commits `waiting`, so a continue that sees
// `waiting` in the store always finds the gate open (as cancel finds a running job). release()
// stamps the daemon's clock at the moment continue arrives; that stamp is the addition time.
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>

namespace assay::daemon {

class AdditionGate {
 public:
  struct Stamp {
    std::chrono::system_clock::time_point wall;
    std::chrono::steady_clock::time_point steady;
  };

  // Worker: `job_id` is about to wait; a continue for it is accepted from now on.
  void open(const std::string& job_id);
  // Worker: blocks until release(), a stop request or `deadline`; the stamp of the release, or
  // nullopt (stopped or timed out). The gate is closed when it returns: a continue that comes
  // later is refused.
  std::optional<Stamp> wait(std::stop_token stop, std::chrono::steady_clock::time_point deadline);
  // Worker: the wait did not begin after all (storing `waiting` failed).
  void close();
  // io thread: when `job_id` waits here, records now as its addition and wakes it. A repeated
  // continue gets the first one's stamp.
  std::optional<Stamp> release(const std::string& job_id);
  // The job waiting here, if any.
  std::optional<std::string> waiting_job() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable_any cv_;
  std::optional<std::string> job_;
  std::optional<Stamp> stamp_;
};

}  // namespace assay::daemon
