// Helpers of the plugin tests: a private plugin directory with safe permissions, a plate reader
// that answers with a known viability curve, and a RunContext that keeps everything in memory.
#pragma once

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <sys/stat.h>

#include "assay/drivers/plate_reader.hpp"
#include "assay/protocols/protocol.hpp"

namespace plugin_test {

namespace fs = std::filesystem;

inline fs::path built_plugin(const std::string& file) { return fs::path(ASSAY_PLUGIN_DIR) / "plugins" / file; }
inline fs::path test_plugin(const std::string& file) {
  return fs::path(ASSAY_PLUGIN_DIR) / "plugin-tests" / file;
}

// A fresh directory (mode 0755) removed at the end of the test.
class PluginDir {
 public:
  PluginDir() {
    std::string pattern = (fs::temp_directory_path() / "assay-plugins-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
    ::chmod(path_.c_str(), 0755);
  }
  ~PluginDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  // Copies a built plugin in, mode 0755 unless told otherwise; returns the copy's path.
  fs::path add(const fs::path& plugin, mode_t mode = 0755) const {
    auto target = path_ / plugin.filename();
    fs::copy_file(plugin, target, fs::copy_options::overwrite_existing);
    ::chmod(target.c_str(), mode);
    return target;
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Resazurin signal of a well: dead cells 500 RFU, untreated 20500 RFU, a compound with a
// CC50 of `cc50_nM` and Hill slope 1.
class ViabilityReader final : public assay::drivers::PlateReader {
 public:
  explicit ViabilityReader(double cc50_nM) : cc50_nM_(cc50_nM) {}
  const std::string& name() const override { return name_; }
  assay::drivers::InstrumentState state() const override {
    return assay::drivers::InstrumentState::online;
  }
  nlohmann::json describe() const override { return {{"model", "test viability reader"}}; }
  assay::drivers::Status connect() override { return {}; }
  void disconnect() override {}
  assay::drivers::Status load_plate(const assay::drivers::LoadedPlate& plate) override {
    plate_ = plate;
    return {};
  }
  void set_state_listener(assay::drivers::StateListener) override {}

  assay::drivers::Status read_fluorescence(const assay::drivers::FluorescenceEndpointPlan& plan,
                                           const assay::drivers::ReadingSink& sink,
                                           const assay::drivers::ProgressSink& progress,
                                           std::stop_token) override {
    std::vector<assay::drivers::Reading> page;
    std::string channel =
        "fl" + std::to_string(plan.excitation_nm) + "-" + std::to_string(plan.emission_nm);
    for (const auto& contents : plate_.wells) {
      double signal = 500.0;
      if (contents.role == "positive_control") signal = 20500.0;
      if (contents.role == "sample") {
        signal = 500.0 + 20000.0 / (1.0 + contents.conc_nM / cc50_nM_);
      }
      // A fixed +-1.5 % pattern so replicates differ as real wells do.
      signal *= 1.0 + 0.015 * std::sin(3.0 * static_cast<double>(page.size()));
      page.push_back({contents.well, channel, 0, 0.1 * static_cast<double>(page.size()), signal,
                      false});
    }
    progress(1.0, "read");
    return sink(page);
  }
  assay::drivers::Status read_absorbance(const assay::drivers::AbsorbancePlan&,
                                         const assay::drivers::ReadingSink&,
                                         const assay::drivers::ProgressSink&,
                                         std::stop_token) override {
    return {assay::drivers::StatusCode::unsupported, "test reader reads fluorescence only"};
  }
  assay::drivers::Status read_absorbance_spectrum(const assay::drivers::AbsorbanceSpectrumPlan&,
                                                  const assay::drivers::ReadingSink&,
                                                  const assay::drivers::ProgressSink&,
                                                  std::stop_token) override {
    return {assay::drivers::StatusCode::unsupported, "test reader reads fluorescence only"};
  }
  assay::drivers::Status read_kinetic_fluorescence(const assay::drivers::KineticFluorescencePlan&,
                                                   const assay::drivers::ReadingSink&,
                                                   const assay::drivers::ProgressSink&,
                                                   std::stop_token) override {
    return {assay::drivers::StatusCode::unsupported, "test reader reads endpoints only"};
  }
  assay::drivers::Result<double> temperature_C() override { return 25.0; }
  double min_kinetic_interval_s(int) const override { return 1.0; }

 private:
  std::string name_ = "viability-reader";
  double cc50_nM_;
  assay::drivers::LoadedPlate plate_;
};

class MemoryRunContext final : public assay::protocols::RunContext {
 public:
  explicit MemoryRunContext(assay::drivers::Instrument& instrument) : instrument_(instrument) {}
  assay::drivers::Instrument& instrument() override { return instrument_; }
  void store_readings(std::span<const assay::drivers::Reading> readings) override {
    stored.insert(stored.end(), readings.begin(), readings.end());
  }
  assay::protocols::StoredImage store_image(const assay::drivers::CapturedImage& image,
                                            const std::string&) override {
    return {job_dir() / "image.png", image.well, image.field};
  }
  void progress(double, const std::string&) override {}
  std::stop_token stop() const override { return stop_.get_token(); }
  std::vector<assay::drivers::Reading> earlier_readings() const override { return {}; }
  std::filesystem::path job_dir() const override { return fs::temp_directory_path(); }
  void log_info(const std::string&) override {}
  void log_warning(const std::string&) override {}

  std::vector<assay::drivers::Reading> stored;

 private:
  assay::drivers::Instrument& instrument_;
  std::stop_source stop_;
};

}  // namespace plugin_test
