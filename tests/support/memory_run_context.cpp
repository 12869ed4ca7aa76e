#include "support/memory_run_context.hpp"

#include <random>
#include <stdexcept>

#include <opencv2/imgcodecs.hpp>

#include "assay/drivers/registry.hpp"

namespace assay::testing {

std::unique_ptr<drivers::Instrument> make_builtin_instrument(const std::string& driver, const std::string& name,
                                                             const nlohmann::json& settings) {
  drivers::DriverRegistry registry;
  drivers::register_builtin_drivers(registry);
  const auto* info = registry.find(driver);
  if (!info) throw std::runtime_error("driver " + driver + " is not built in");
  // Simulators repeat themselves in tests unless the test gives a seed of its own.
  nlohmann::json with_seed = settings;
  if (driver == "sim-plate-reader" && !with_seed.contains("seed")) with_seed["seed"] = 42;
  if (driver == "sim-imager" && !with_seed.contains("seed")) with_seed["seed"] = 7;
  auto made = info->factory(name, with_seed);
  if (!made) throw std::runtime_error("cannot make " + driver + ": " + made.status().to_string());
  auto instrument = std::move(made.value());
  if (auto status = instrument->connect(); !status) throw std::runtime_error(status.to_string());
  return instrument;
}

namespace {

std::filesystem::path make_job_dir() {
  std::random_device random;
  auto dir = std::filesystem::temp_directory_path() /
             ("assay-run-" + std::to_string(random()) + std::to_string(random()));
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace

MemoryRunContext::MemoryRunContext(drivers::Instrument& instrument)
    : instrument_(instrument), job_dir_(make_job_dir()) {}

MemoryRunContext::MemoryRunContext(std::unique_ptr<drivers::Instrument> instrument)
    : owned_(std::move(instrument)), instrument_(*owned_), job_dir_(make_job_dir()) {}

MemoryRunContext::~MemoryRunContext() {
  std::error_code ignored;
  if (!keep_dir) std::filesystem::remove_all(job_dir_, ignored);
}

protocols::AssayResult MemoryRunContext::run(const protocols::Protocol& protocol, const protocols::JobSpec& job) {
  protocols::throw_if_failed(instrument_.load_plate(job.loaded_plate()), "loading the plate");
  return protocol.run(job, *this);
}

void MemoryRunContext::store_readings(std::span<const drivers::Reading> readings) {
  if (fail_store_after >= 0 && static_cast<long>(stored.size()) >= fail_store_after) {
    throw std::runtime_error("disk full (test)");
  }
  ++pages;
  stored.insert(stored.end(), readings.begin(), readings.end());
  if (stop_after_pages > 0 && pages >= stop_after_pages) stop_source.request_stop();
}

protocols::StoredImage MemoryRunContext::store_image(const drivers::CapturedImage& image, const std::string& kind) {
  auto path = job_dir_ / (kind + "_" + image.well + "_" + std::to_string(image.field) + ".png");
  if (!cv::imwrite(path.string(), image.pixels)) throw std::runtime_error("cannot write " + path.string());
  images.push_back({path, image.well, image.field});
  image_kinds.push_back(kind);
  return images.back();
}

void MemoryRunContext::progress(double fraction, const std::string& message) {
  if (fail_progress) throw std::runtime_error("cannot report progress (test)");
  progress_values.push_back(fraction);
  last_progress_message = message;
}

}  // namespace assay::testing
