#include "run_context.hpp"

#include <spdlog/spdlog.h>

#include "assay/drivers/image_file.hpp"

namespace assay::daemon {
namespace {

constexpr auto kProgressInterval = std::chrono::milliseconds(250);

}  // namespace

DaemonRunContext::DaemonRunContext(Store& store, drivers::Instrument& instrument, std::string job_id,
                                   int attempt, std::filesystem::path state_dir, std::stop_token stop,
                                   JobWatch* watch, AdditionGate* gate)
    : store_(store),
      instrument_(instrument),
      job_id_(std::move(job_id)),
      attempt_(attempt),
      state_dir_(std::move(state_dir)),
      job_dir_(state_dir_ / "jobs" / job_id_),
      stop_(std::move(stop)),
      watch_(watch),
      gate_(gate) {
  std::filesystem::create_directories(job_dir_);
}

void DaemonRunContext::store_readings(std::span<const drivers::Reading> readings) {
  store_.append_readings(job_id_, attempt_, readings);
  if (watch_) watch_->touch();
}

protocols::StoredImage DaemonRunContext::store_image(const drivers::CapturedImage& image,
                                                     const std::string& kind) {
  if (image.pixels.empty()) {
    throw protocols::ProtocolError("instrument_error", "the imager returned an empty image for well " +
                                                           image.well + " field " +
                                                           std::to_string(image.field));
  }
  auto name = image.well + "_f" + std::to_string(image.field) + "_a" + std::to_string(attempt_) +
              "_" + kind + ".png";
  auto path = job_dir_ / name;
  try {
    drivers::write_image(path, image.pixels);
  } catch (const drivers::ImageFileError& e) {
    throw protocols::ProtocolError("storage_error", e.what());
  }
  store_.add_image(job_id_, attempt_, {std::filesystem::relative(path, state_dir_), kind, image});
  if (watch_) watch_->touch();
  return {path, image.well, image.field};
}

void DaemonRunContext::progress(double fraction, const std::string& message) {
  if (watch_) watch_->touch();
  auto now = std::chrono::steady_clock::now();
  bool finished = fraction >= 1.0;
  if (!finished && message == last_message_ && now - last_progress_ < kProgressInterval) return;
  last_progress_ = now;
  last_message_ = message;
  store_.set_progress(job_id_, std::clamp(fraction, 0.0, 1.0), message);
}

std::vector<drivers::Reading> DaemonRunContext::earlier_readings() const {
  return store_.readings_before_attempt(job_id_, attempt_);
}

void DaemonRunContext::acquisition_complete(const std::string& acquisition) {
  store_.mark_acquisition_complete(job_id_, attempt_, acquisition);
}

std::optional<std::vector<drivers::Reading>> DaemonRunContext::completed_earlier(const std::string& acquisition) const {
  return store_.readings_of_completed(job_id_, attempt_, acquisition);
}

void DaemonRunContext::expect_step_within(std::chrono::seconds bound, const std::string& step) {
  if (watch_) watch_->set_step(bound, step);
}

protocols::AdditionRecord DaemonRunContext::wait_for_addition(const protocols::AdditionRequest& request) {
  using protocols::ProtocolError;
  if (gate_ == nullptr) return RunContext::wait_for_addition(request);
  const auto began = std::chrono::steady_clock::now();
  const double timeout_s = static_cast<double>(request.timeout.count());
  gate_->open(job_id_);  // before `waiting` is committed: a continue that sees it finds the gate
  try {
    store_.begin_waiting(job_id_, attempt_, request.message, timeout_s, request.baseline_end_s);
  } catch (...) {
    gate_->close();
    throw;
  }
  spdlog::info("[job {} on {}] waiting up to {} s for a manual addition: {}", job_id_, instrument_.name(),
               request.timeout.count(), request.message);
  // The wait is the step: the deadline check must not call it a stall before its own timeout.
  if (watch_) watch_->set_step(request.timeout + std::chrono::seconds(60), "the wait for the addition");
  auto stamp = gate_->wait(stop_, began + request.timeout);
  if (!stamp) {
    if (stop_.stop_requested()) {
      throw ProtocolError("cancelled", "stopped while waiting for the manual addition");
    }
    throw ProtocolError(
        "addition_timeout",
        "timed out waiting for the manual addition: nobody continued job " + job_id_ + " within params.addition.timeout_s (" +
            std::to_string(request.timeout.count()) + " s) of asking: \"" + request.message +
            "\". The baseline read is stored and no addition was recorded. If nothing was added, "
            "resubmit the job and run `assayctl continue` with its id right after the addition; "
            "raise params.addition.timeout_s to allow more time. If the reagent was added, this "
            "plate cannot be read again: use a fresh plate");
  }
  protocols::AdditionRecord record;
  record.attempt = attempt_;
  record.waited_s = std::chrono::duration<double>(stamp->steady - began).count();
  record.time_s = request.baseline_end_s + record.waited_s;
  record.baseline_end_s = request.baseline_end_s;
  record.added_at = utc_text(stamp->wall);
  record.added = stamp->steady;
  store_.end_waiting(job_id_, attempt_, record.added_at, record.time_s);
  if (watch_) watch_->touch();
  spdlog::info("[job {} on {}] addition recorded at {} ({:.1f} s after the request)", job_id_,
               instrument_.name(), record.added_at, record.waited_s);
  return record;
}

std::optional<protocols::AdditionRecord> DaemonRunContext::earlier_addition() const {
  auto row = store_.addition_before_attempt(job_id_, attempt_);
  if (!row || !row->time_s) return std::nullopt;
  protocols::AdditionRecord record;
  record.attempt = row->attempt;
  record.time_s = *row->time_s;
  record.baseline_end_s = row->baseline_end_s;
  record.added_at = row->added_at;
  return record;
}

void DaemonRunContext::log_info(const std::string& message) {
  spdlog::info("[job {} on {}] {}", job_id_, instrument_.name(), message);
}

void DaemonRunContext::log_warning(const std::string& message) {
  spdlog::warn("[job {} on {}] {}", job_id_, instrument_.name(), message);
}

}  // namespace assay::daemon
