// A RunContext in memory for in-process runs of imaging protocols: images as PNG files under a
// temporary job directory removed with the context.
#pragma once

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "assay/drivers/registry.hpp"
#include "assay/protocols/protocol.hpp"

namespace imaging_test {

class ImagingRunContext final : public assay::protocols::RunContext {
 public:
  explicit ImagingRunContext(std::unique_ptr<assay::drivers::Instrument> instrument)
      : instrument_(std::move(instrument)) {
    std::random_device random;
    dir_ = std::filesystem::temp_directory_path() / ("imaging-test-" + std::to_string(random()));
    std::filesystem::create_directories(dir_);
  }
  ~ImagingRunContext() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  assay::drivers::Instrument& instrument() override { return *instrument_; }
  void store_readings(std::span<const assay::drivers::Reading>) override {}
  assay::protocols::StoredImage store_image(const assay::drivers::CapturedImage& image,
                                            const std::string& kind) override {
    auto path = dir_ / (kind + "_" + image.well + "_" + std::to_string(image.field) + ".png");
    if (!cv::imwrite(path.string(), image.pixels)) throw std::runtime_error("cannot write " + path.string());
    images_.push_back({path, image.well, image.field});
    kinds_.push_back(kind);
    return images_.back();
  }
  void progress(double fraction, const std::string&) override { progress_.push_back(fraction); }
  std::stop_token stop() const override { return stop_.get_token(); }
  std::vector<assay::drivers::Reading> earlier_readings() const override { return {}; }
  std::filesystem::path job_dir() const override { return dir_; }
  void log_info(const std::string& message) override { log_.push_back(message); }
  void log_warning(const std::string& message) override { log_.push_back("warning: " + message); }

  std::vector<assay::protocols::StoredImage> images_;
  std::vector<std::string> kinds_;
  std::vector<double> progress_;
  std::vector<std::string> log_;
  std::stop_source stop_;

 private:
  std::unique_ptr<assay::drivers::Instrument> instrument_;
  std::filesystem::path dir_;
};

inline std::unique_ptr<assay::drivers::Instrument> make_sim_imager(const nlohmann::json& settings) {
  assay::drivers::DriverRegistry registry;
  assay::drivers::register_builtin_drivers(registry);
  auto made = registry.find("sim-imager")->factory("imager-1", settings);
  if (!made) throw std::runtime_error(made.status().to_string());
  auto instrument = std::move(made.value());
  if (auto status = instrument->connect(); !status) throw std::runtime_error(status.to_string());
  return instrument;
}

}  // namespace imaging_test
