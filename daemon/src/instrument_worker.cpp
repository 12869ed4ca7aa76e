#include "instrument_worker.hpp"

#include <malloc.h>

#include <cstdio>

#include <spdlog/spdlog.h>

#include "run_context.hpp"

namespace assay::daemon {

using drivers::InstrumentState;

InstrumentWorker::InstrumentWorker(std::unique_ptr<drivers::Instrument> instrument, std::string driver,
                                   nlohmann::json settings, Store& store,
                                   const ProtocolCatalog& protocols,
                                   std::filesystem::path state_dir)
    : instrument_(std::move(instrument)),
      driver_(std::move(driver)),
      settings_(std::move(settings)),
      store_(store),
      protocols_(protocols),
      state_dir_(std::move(state_dir)) {}

InstrumentWorker::~InstrumentWorker() {
  shutdown();
  join();
}

void InstrumentWorker::start() {
  instrument_->set_state_listener(
      [this](InstrumentState state, const std::string& detail) { publish_driver_state(state, detail); });
  thread_ = std::thread([this] { loop(); });
}

void InstrumentWorker::wake() {
  {
    std::lock_guard lock(mutex_);
    pending_ = true;
  }
  wake_cv_.notify_one();
}

bool InstrumentWorker::cancel(const std::string& job_id) {
  std::lock_guard lock(mutex_);
  if (running_job_ != job_id) return false;
  cancel_requested_ = true;
  stop_source_.request_stop();
  return true;
}

std::optional<AdditionGate::Stamp> InstrumentWorker::continue_job(const std::string& job_id) {
  return gate_.release(job_id);
}

void InstrumentWorker::shutdown() {
  {
    std::lock_guard lock(mutex_);
    shutting_down_ = true;
    stop_source_.request_stop();
  }
  wake_cv_.notify_one();
}

void InstrumentWorker::retire() {
  {
    std::lock_guard lock(mutex_);
    retiring_ = true;
  }
  wake_cv_.notify_one();
}

void InstrumentWorker::join() {
  if (thread_.joinable()) thread_.join();
}

bool InstrumentWorker::join_until(std::chrono::steady_clock::time_point deadline) {
  {
    std::unique_lock lock(mutex_);
    if (!finished_cv_.wait_until(lock, deadline, [this] { return finished_ || !thread_.joinable(); })) {
      return false;
    }
  }
  join();
  return true;
}

void InstrumentWorker::leave_interrupted(std::chrono::milliseconds waited) {
  auto job = running_job();
  spdlog::error("[{}] did not stop within {} ms (stuck in a driver call); leaving it behind{}", name(),
                waited.count(), job ? " with job " + *job + " interrupted" : "");
  if (!job) return;
  try {
    store_.mark_interrupted(*job, "assayd stopped while " + name() + " was stuck; the job resumes at the next start");
  } catch (const std::exception& e) {
    spdlog::error("[job {}] cannot record the interruption: {}", *job, e.what());
  }
}

void InstrumentWorker::set_step_timeout(std::chrono::seconds timeout) {
  std::lock_guard lock(mutex_);
  step_timeout_ = timeout;
}

void InstrumentWorker::check_deadline() {
  std::string job_id;
  std::string error;
  {
    std::lock_guard lock(mutex_);
    if (!running_job_ || !watch_ || wedged_) return;
    auto overdue = watch_->overdue(JobWatch::Clock::now());
    if (!overdue) return;
    job_id = *running_job_;
    if (stall_error_.empty()) {
      char idle[32];
      std::snprintf(idle, sizeof idle, "%.0f", overdue->idle_s);
      stall_error_ = "no progress for " + std::string(idle) + " s on " + instrument_->name() +
                     (overdue->step.empty() ? std::string() : " during " + overdue->step) +
                     " (the step's bound is " + std::to_string(overdue->bound.count()) +
                     " s; policy.step_timeout_s when the protocol sets none)";
      stop_source_.request_stop();
      spdlog::error("[job {} on {}] {}; stopping it", job_id, instrument_->name(), stall_error_);
      return;
    }
    // Asked to stop one bound (at most 30 s) ago and still stuck inside the driver.
    auto grace = std::min(overdue->bound, std::chrono::seconds(30));
    if (overdue->idle_s < static_cast<double>((overdue->bound + grace).count())) return;
    wedged_ = true;
    error = stall_error_ + "; the instrument did not stop when asked, so its queue is held until "
                           "assayd restarts";
  }
  spdlog::error("[job {} on {}] {}", job_id, instrument_->name(), error);
  try {
    store_.finish_job(job_id, JobState::failed, "stalled", error);
  } catch (const std::exception& e) {
    spdlog::error("[job {}] cannot record the failure: {}", job_id, e.what());
  }
  publish_state(InstrumentState::error, "stuck in job " + job_id + "; restart assayd");
}

std::optional<std::string> InstrumentWorker::running_job() const {
  std::lock_guard lock(mutex_);
  return running_job_;
}

nlohmann::json InstrumentWorker::describe() const {
  nlohmann::json out{{"name", instrument_->name()},
                     {"driver", driver_},
                     {"kind", drivers::to_string(instrument_->kind())},
                     {"state", drivers::to_string(instrument_->state())},
                     {"details", instrument_->describe()}};
  auto job = running_job();
  out["running_job"] = job ? nlohmann::json(*job) : nlohmann::json(nullptr);
  std::lock_guard lock(mutex_);
  if (wedged_) out["state"] = "error";  // stuck in a driver call: its queue waits for a restart
  return out;
}

void InstrumentWorker::publish_driver_state(InstrumentState state, const std::string& detail) {
  {
    std::lock_guard lock(mutex_);
    if (running_job_ && state == InstrumentState::online) return;
  }
  publish_state(state, detail);
}

void InstrumentWorker::publish_state(InstrumentState state, const std::string& detail) {
  {
    std::lock_guard lock(published_mutex_);
    if (published_state_ == state && (state != InstrumentState::error || published_detail_ == detail)) return;
    published_state_ = state;
    published_detail_ = detail;
  }
  try {
    store_.emit("instrument." + instrument_->name() + ".state",
                {{"instrument", instrument_->name()},
                 {"state", drivers::to_string(state)},
                 {"detail", detail}});
  } catch (const std::exception& e) {
    spdlog::error("[{}] cannot record state change: {}", instrument_->name(), e.what());
  }
}

void InstrumentWorker::loop() {
  auto status = instrument_->connect();
  if (!status) {
    spdlog::warn("[{}] not connected: {}", instrument_->name(), status.to_string());
  }
  publish_state(instrument_->state(), status ? "connected" : status.to_string());
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_cv_.wait(lock, [this] { return pending_ || shutting_down_ || retiring_; });
      if (shutting_down_ || retiring_) break;
      pending_ = false;
    }
    while (true) {
      {
        std::lock_guard lock(mutex_);
        if (shutting_down_ || retiring_) break;
      }
      std::optional<std::string> job_id;
      try {
        job_id = store_.next_queued(instrument_->name());
      } catch (const std::exception& e) {
        spdlog::error("[{}] cannot read the queue: {}", instrument_->name(), e.what());
      }
      if (!job_id) break;
      run_job(*job_id);
    }
  }
  instrument_->disconnect();
  {
    std::lock_guard lock(mutex_);
    finished_ = true;
  }
  finished_cv_.notify_all();
}

void InstrumentWorker::run_job(const std::string& job_id) {
  // Recorded before `running` is committed, so a cancel that sees `running` always finds it here.
  std::shared_ptr<JobWatch> watch;
  {
    std::lock_guard lock(mutex_);
    running_job_ = job_id;
    cancel_requested_ = false;
    stall_error_.clear();
    wedged_ = false;
    stop_source_ = std::stop_source();
    if (shutting_down_) stop_source_.request_stop();
    watch = std::make_shared<JobWatch>(step_timeout_);
    watch_ = watch;
  }
  int attempt = 0;
  try {
    attempt = store_.start_attempt(job_id);
  } catch (const std::exception& e) {
    std::lock_guard lock(mutex_);
    running_job_.reset();
    if (!dynamic_cast<const StoreError*>(&e)) {
      spdlog::error("[{}] cannot start job {}: {}", instrument_->name(), job_id, e.what());
    }
    return;  // a StoreError: cancelled between the queue read and the start
  }
  const std::string where = "[job " + job_id + " on " + instrument_->name() + "] ";
  spdlog::info("{}started (attempt {})", where, attempt);
  publish_state(InstrumentState::busy, "running " + job_id);

  JobState final_state = JobState::succeeded;
  std::string error_code;
  std::string error;
  try {
    auto spec = protocols::JobSpec::from_json(store_.load_job_spec(job_id));
    const auto registry = protocols_.current();  // kept for the whole run: a reload swaps, never edits
    const auto* protocol = registry->find(spec.protocol);
    if (!protocol) {
      throw protocols::ProtocolError("unknown_protocol",
                                     "protocol '" + spec.protocol + "' is no longer registered");
    }
    if (instrument_->state() == InstrumentState::offline) {
      auto status = instrument_->connect();
      if (!status) {
        throw protocols::ProtocolError("instrument_offline",
                                       instrument_->name() + " is offline: " + status.to_string());
      }
    }
    protocols::throw_if_failed(instrument_->load_plate(spec.loaded_plate()), "loading the plate");
    DaemonRunContext context(store_, *instrument_, job_id, attempt, state_dir_, stop_source_.get_token(),
                             watch.get(), &gate_);
    auto result = protocol->run(spec, context);
    auto truth = instrument_->truth();
    if (!truth.is_null()) store_.set_truth(job_id, truth);
    // What made this result, for the report and for reproducing the run.
    if (!result.summary.is_object()) result.summary = nlohmann::json::object();
    nlohmann::json provenance{{"software_version", ASSAY_VERSION},
                              {"attempt", attempt},
                              {"instrument", {{"name", instrument_->name()},
                                              {"driver", driver_},
                                              {"kind", drivers::to_string(instrument_->kind())},
                                              {"details", instrument_->describe()}}}};
    if (truth.is_object() && truth.contains("seed")) provenance["simulation_seed"] = truth.at("seed");
    result.summary["provenance"] = std::move(provenance);
    store_.store_results(job_id, attempt, result);
  } catch (const protocols::ProtocolError& e) {
    final_state = JobState::failed;
    error_code = e.code();
    error = e.what();
  } catch (const protocols::JobSpecError& e) {
    final_state = JobState::failed;
    error_code = "invalid_job";
    error = e.what();
  } catch (const std::exception& e) {
    final_state = JobState::failed;
    error_code = "internal_error";
    error = e.what();
    if (error.find("disk is full") != std::string::npos) {
      error_code = "disk_full";
      error = "the disk of the state folder is full; free space and resubmit (" + error + ")";
    }
  }

  // The outcome is decided and committed under the lock, and the job forgotten only then: a
  // cancel either lands before (and counts) or finds the job already finished in the store.
  std::unique_lock lock(mutex_);
  const bool shutting_down = shutting_down_;
  const bool cancelled = cancel_requested_;
  const std::string stalled = stall_error_;
  // A full disk can refuse even this small write: retry each second until it is stored (space
  // came back) or assayd stops, so a job is never left `running` behind an idle worker.
  for (bool logged = false;;) {
    try {
      if (final_state == JobState::failed && !stalled.empty()) {
        store_.finish_job(job_id, JobState::failed, "stalled", stalled);
        spdlog::error("{}failed: {}", where, stalled);
      } else if (final_state == JobState::failed && shutting_down) {
        store_.mark_interrupted(job_id, "assayd stopped; the job resumes at the next start");
        spdlog::info("{}interrupted by shutdown", where);
      } else if (final_state == JobState::failed && cancelled) {
        store_.finish_job(job_id, JobState::cancelled, "cancelled", "cancelled by request while running");
        spdlog::info("{}cancelled", where);
      } else {
        store_.finish_job(job_id, final_state, error_code, error);
        if (final_state == JobState::failed) {
          spdlog::error("{}failed: {}", where, error);
        } else {
          spdlog::info("{}succeeded", where);
        }
      }
      break;
    } catch (const std::exception& e) {
      if (!logged) spdlog::error("{}cannot record the outcome, retrying each second: {}", where, e.what());
      logged = true;
      if (wake_cv_.wait_for(lock, std::chrono::seconds(1), [this] { return shutting_down_; })) break;
    }
  }
  running_job_.reset();
  watch_.reset();
  lock.unlock();
  publish_state(instrument_->state() == InstrumentState::busy ? InstrumentState::online
                                                             : instrument_->state(),
                "idle");
  // An idle daemon holds no image memory: the driver drops its cached images, and glibc gives
  // the freed heap back to the system (it keeps it in its per-thread arenas otherwise: about
  // 150 MB after a CFU job).
  instrument_->release_plate_cache();
  ::malloc_trim(0);
}

}  // namespace assay::daemon
