// A RunContext held in memory for running protocols in-process in tests: readings in arrival
// order, images as PNG files and figures under a temporary job directory (removed with the
// context unless keep_dir), progress and log lines recorded, storage failures and stops on
// demand.
#pragma once

#include <filesystem>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assay/protocols/protocol.hpp"

namespace assay::testing {

// A connected instrument of a built-in driver, e.g. make_builtin_instrument("sim-imager", ...).
std::unique_ptr<drivers::Instrument> make_builtin_instrument(const std::string& driver, const std::string& name,
                                                             const nlohmann::json& settings);

class MemoryRunContext final : public protocols::RunContext {
 public:
  explicit MemoryRunContext(drivers::Instrument& instrument);               // borrows
  explicit MemoryRunContext(std::unique_ptr<drivers::Instrument> instrument);  // owns
  ~MemoryRunContext() override;

  // Loads the job's plate into the instrument, as the daemon's worker does, then runs the protocol.
  protocols::AssayResult run(const protocols::Protocol& protocol, const protocols::JobSpec& job);

  drivers::Instrument& instrument() override { return instrument_; }
  void store_readings(std::span<const drivers::Reading> readings) override;
  protocols::StoredImage store_image(const drivers::CapturedImage& image, const std::string& kind) override;
  void progress(double fraction, const std::string& message) override;
  std::stop_token stop() const override { return stop_source.get_token(); }
  std::vector<drivers::Reading> earlier_readings() const override { return earlier; }
  std::filesystem::path job_dir() const override { return job_dir_; }
  void log_info(const std::string& message) override { infos.push_back(message); }
  void log_warning(const std::string& message) override { warnings.push_back(message); }

  std::vector<drivers::Reading> stored;        // every reading stored, in arrival order
  std::vector<drivers::Reading> earlier;       // what earlier_readings() hands the protocol
  std::vector<protocols::StoredImage> images;  // every image stored ...
  std::vector<std::string> image_kinds;        // ... and its kind ("raw", "overlay", ...)
  std::vector<double> progress_values;
  std::string last_progress_message;
  std::vector<std::string> infos, warnings;
  std::stop_source stop_source;
  long fail_store_after = -1;  // store_readings throws once this many readings are stored
  int stop_after_pages = 0;    // requests a stop after this many store_readings calls
  bool fail_progress = false;  // progress() throws
  int pages = 0;               // store_readings calls so far
  bool keep_dir = false;

 private:
  std::unique_ptr<drivers::Instrument> owned_;
  drivers::Instrument& instrument_;
  std::filesystem::path job_dir_;
};

}  // namespace assay::testing
