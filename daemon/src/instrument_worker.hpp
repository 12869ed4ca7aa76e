// One worker thread per instrument: takes that instrument's queued jobs from the store one at a
// time (highest priority first, then first come), runs the protocol, stores the outcome.
//
// The queue lives in SQLite, so queued jobs survive restarts. The thread sleeps on a condition
// variable until wake() (no polling). cancel() stops a running job at its next safe point;
// shutdown() does the same but leaves the job `interrupted` so the next start resumes it.
// A job waiting for a manual addition keeps the worker (and so the instrument) to itself until
// continue_job(), its timeout, cancel() or shutdown(). check_deadline() fails a job that makes no progress within its step's bound: it asks the job
// to stop, and if the worker is still stuck after a grace period, records the job failed itself
// (the thread cannot be killed; the instrument stays in error until assayd restarts).
// Public methods are thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "assay/daemon/store.hpp"
#include "assay/drivers/instrument.hpp"
#include "addition_gate.hpp"
#include "job_watch.hpp"
#include "protocol_catalog.hpp"

namespace assay::daemon {

class InstrumentWorker {
 public:
  InstrumentWorker(std::unique_ptr<drivers::Instrument> instrument, std::string driver,
                   nlohmann::json settings, Store& store, const ProtocolCatalog& protocols,
                   std::filesystem::path state_dir);
  ~InstrumentWorker();

  void start();
  void wake();
  // True when `job_id` was running here and has been asked to stop.
  bool cancel(const std::string& job_id);
  // When `job_id` waits here for a manual addition: records now as the addition time and lets
  // the job go on (its stamp); nullopt otherwise.
  std::optional<AdditionGate::Stamp> continue_job(const std::string& job_id);
  // Finish the current reading, leave the job interrupted, and end the thread.
  void shutdown();
  // End the thread after the current job (the instrument was removed from the config).
  void retire();
  void join();
  // Joins when the thread ends by `deadline`; false (not joined) when it is stuck.
  bool join_until(std::chrono::steady_clock::time_point deadline);
  // At stop, when join_until() gave up: the running job is marked interrupted (it resumes at the
  // next start) from the calling thread, since the worker's own thread is stuck in the driver.
  void leave_interrupted(std::chrono::milliseconds waited);
  // The bound of a step when the protocol sets none (policy.step_timeout_s).
  void set_step_timeout(std::chrono::seconds timeout);
  // Called periodically (io thread): enforces the running job's step deadline.
  void check_deadline();

  const std::string& name() const { return instrument_->name(); }
  const std::string& driver() const { return driver_; }
  const nlohmann::json& settings() const { return settings_; }
  drivers::Instrument& instrument() { return *instrument_; }
  std::optional<std::string> running_job() const;
  nlohmann::json describe() const;

 private:
  void loop();
  void run_job(const std::string& job_id);
  // Records instrument.<name>.state unless it repeats the last one published (an error with a
  // new detail is still news).
  void publish_state(drivers::InstrumentState state, const std::string& detail);
  // The driver's own state changes: while a job runs, its moments of `online` between fields or
  // reads are not published (the job's start and end say busy and idle).
  void publish_driver_state(drivers::InstrumentState state, const std::string& detail);

  std::unique_ptr<drivers::Instrument> instrument_;
  std::string driver_;
  nlohmann::json settings_;
  Store& store_;
  const ProtocolCatalog& protocols_;
  std::filesystem::path state_dir_;

  mutable std::mutex mutex_;
  std::mutex published_mutex_;  // guards the two below; never held with mutex_
  std::optional<drivers::InstrumentState> published_state_;
  std::string published_detail_;
  std::condition_variable wake_cv_;
  bool pending_ = true;  // check the queue once at start
  bool shutting_down_ = false;
  bool retiring_ = false;
  std::optional<std::string> running_job_;
  bool cancel_requested_ = false;
  std::stop_source stop_source_;
  std::chrono::seconds step_timeout_{300};
  std::shared_ptr<JobWatch> watch_;  // of the running job
  AdditionGate gate_;                // where jobs.continue meets the running job
  std::string stall_error_;          // set when the running job missed its step deadline
  bool wedged_ = false;              // ... and did not stop within the grace period either
  bool finished_ = false;            // the thread has ended
  std::condition_variable finished_cv_;
  std::thread thread_;
};

}  // namespace assay::daemon
