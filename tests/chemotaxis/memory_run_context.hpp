// A RunContext held in memory for in-process protocol runs: readings in a vector, images as
// PNG files under a temporary job directory that is removed with the context.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "assay/drivers/registry.hpp"
#include "assay/protocols/protocol.hpp"

namespace chemotaxis_test {

class MemoryRunContext final : public assay::protocols::RunContext {
 public:
  explicit MemoryRunContext(std::unique_ptr<assay::drivers::Instrument> instrument)
      : instrument_(std::move(instrument)) {
    std::random_device random;
    dir_ = std::filesystem::temp_directory_path() /
           ("chemotaxis-test-" + std::to_string(random()) + std::to_string(random()));
    std::filesystem::create_directories(dir_);
  }
  ~MemoryRunContext() override {
    std::error_code ignored;
    if (!keep_) std::filesystem::remove_all(dir_, ignored);
  }

  assay::drivers::Instrument& instrument() override { return *instrument_; }
  void store_readings(std::span<const assay::drivers::Reading> readings) override {
    if (fail_storing_) throw std::runtime_error("disk full");
    readings_.insert(readings_.end(), readings.begin(), readings.end());
  }
  assay::protocols::StoredImage store_image(const assay::drivers::CapturedImage& image,
                                            const std::string& kind) override {
    auto path = dir_ / (kind + "_" + image.well + "_" + std::to_string(image.field) + ".png");
    if (!cv::imwrite(path.string(), image.pixels)) throw std::runtime_error("cannot write " + path.string());
    images_.push_back({path, image.well, image.field});
    return images_.back();
  }
  void progress(double fraction, const std::string&) override { last_progress_ = fraction; }
  std::stop_token stop() const override { return stop_.get_token(); }
  std::vector<assay::drivers::Reading> earlier_readings() const override { return earlier_; }
  std::filesystem::path job_dir() const override { return dir_; }
  void log_info(const std::string& message) override { log_.push_back("info: " + message); }
  void log_warning(const std::string& message) override { log_.push_back("warning: " + message); }

  std::vector<assay::drivers::Reading> readings_;
  std::vector<assay::drivers::Reading> earlier_;
  std::vector<assay::protocols::StoredImage> images_;
  std::vector<std::string> log_;
  std::stop_source stop_;
  double last_progress_ = 0.0;
  bool fail_storing_ = false;
  bool keep_ = false;

 private:
  std::unique_ptr<assay::drivers::Instrument> instrument_;
  std::filesystem::path dir_;
};

// A connected built-in instrument of the given driver, e.g. "sim-plate-reader".
inline std::unique_ptr<assay::drivers::Instrument> make_instrument(const std::string& driver,
                                                                   const std::string& name,
                                                                   const nlohmann::json& settings) {
  assay::drivers::DriverRegistry registry;
  assay::drivers::register_builtin_drivers(registry);
  const auto* info = registry.find(driver);
  if (!info) throw std::runtime_error("driver " + driver + " is not built in");
  auto made = info->factory(name, settings);
  if (!made) throw std::runtime_error("cannot make " + driver + ": " + made.status().to_string());
  auto instrument = std::move(made.value());
  if (auto status = instrument->connect(); !status) throw std::runtime_error(status.to_string());
  return instrument;
}

}  // namespace chemotaxis_test
