// The RunContext a protocol sees inside assayd: readings and images go to the store (and so to
// subscribers) as they arrive; progress is stored at most every kProgressInterval. Used by one
// worker thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <stop_token>

#include "assay/daemon/store.hpp"
#include "assay/protocols/protocol.hpp"
#include "addition_gate.hpp"
#include "job_watch.hpp"

namespace assay::daemon {

class DaemonRunContext final : public protocols::RunContext {
 public:
  // `watch` (borrowed, may be null) hears of every reading, image and progress report; `gate`
  // (borrowed, may be null: no manual additions) is where jobs.continue meets a waiting job.
  DaemonRunContext(Store& store, drivers::Instrument& instrument, std::string job_id, int attempt,
                   std::filesystem::path state_dir, std::stop_token stop, JobWatch* watch = nullptr,
                   AdditionGate* gate = nullptr);

  drivers::Instrument& instrument() override { return instrument_; }
  void store_readings(std::span<const drivers::Reading> readings) override;
  protocols::StoredImage store_image(const drivers::CapturedImage& image, const std::string& kind) override;
  void progress(double fraction, const std::string& message) override;
  std::stop_token stop() const override { return stop_; }
  std::vector<drivers::Reading> earlier_readings() const override;
  std::filesystem::path job_dir() const override { return job_dir_; }
  void log_info(const std::string& message) override;
  void log_warning(const std::string& message) override;
  void acquisition_complete(const std::string& acquisition) override;
  void expect_step_within(std::chrono::seconds bound, const std::string& step) override;
  std::optional<std::vector<drivers::Reading>> completed_earlier(const std::string& acquisition) const override;
  protocols::AdditionRecord wait_for_addition(const protocols::AdditionRequest& request) override;
  std::optional<protocols::AdditionRecord> earlier_addition() const override;

 private:
  Store& store_;
  drivers::Instrument& instrument_;
  std::string job_id_;
  int attempt_;
  std::filesystem::path state_dir_;
  std::filesystem::path job_dir_;
  std::stop_token stop_;
  JobWatch* watch_;
  AdditionGate* gate_;
  std::chrono::steady_clock::time_point last_progress_{};
  std::string last_message_;
};

}  // namespace assay::daemon
