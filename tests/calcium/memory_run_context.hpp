// An in-memory RunContext for running protocols in-process in tests: keeps readings in arrival
// order, records progress and log lines, writes figures under a temporary job directory.
#pragma once

#include <atomic>
#include <filesystem>
#include <random>
#include <stop_token>
#include <string>
#include <vector>

#include "assay/protocols/protocol.hpp"

namespace assay::testing {

class MemoryRunContext final : public protocols::RunContext {
 public:
  explicit MemoryRunContext(drivers::Instrument& instrument) : instrument_(instrument) {
    std::random_device rd;
    job_dir_ = std::filesystem::temp_directory_path() /
               ("calcium-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(job_dir_);
  }
  ~MemoryRunContext() override {
    std::error_code ec;
    if (!keep_dir) std::filesystem::remove_all(job_dir_, ec);
  }

  drivers::Instrument& instrument() override { return instrument_; }
  void store_readings(std::span<const drivers::Reading> readings) override {
    if (fail_store_after >= 0 && static_cast<long>(stored.size()) >= fail_store_after) {
      throw std::runtime_error("disk full (test)");
    }
    ++pages;
    stored.insert(stored.end(), readings.begin(), readings.end());
    if (stop_after_pages > 0 && pages >= stop_after_pages) stop_source.request_stop();
  }
  protocols::StoredImage store_image(const drivers::CapturedImage&, const std::string&) override {
    throw std::runtime_error("MemoryRunContext stores no images");
  }
  void progress(double fraction, const std::string& message) override {
    progress_values.push_back(fraction);
    last_progress_message = message;
  }
  std::stop_token stop() const override { return stop_source.get_token(); }
  std::vector<drivers::Reading> earlier_readings() const override { return earlier; }
  std::filesystem::path job_dir() const override { return job_dir_; }
  void log_info(const std::string& message) override { infos.push_back(message); }
  void log_warning(const std::string& message) override { warnings.push_back(message); }

  std::vector<drivers::Reading> stored;
  std::vector<drivers::Reading> earlier;
  std::vector<double> progress_values;
  std::string last_progress_message;
  std::vector<std::string> infos, warnings;
  std::stop_source stop_source;
  long fail_store_after = -1;
  int stop_after_pages = 0;
  int pages = 0;
  bool keep_dir = false;

 private:
  drivers::Instrument& instrument_;
  std::filesystem::path job_dir_;
};

}  // namespace assay::testing
