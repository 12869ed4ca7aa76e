// The assay protocol interface and the context a protocol runs in.
//
// A Protocol turns a JobSpec into instrument actions and an analysis. validate() runs before
// the job is accepted and before the instrument moves, and throws ProtocolError naming the
// parameter at fault. run() executes on the instrument's worker thread; it hands every reading
// and image to the RunContext as soon as it has it (the daemon stores and publishes them), checks
// ctx.stop() between safe points, and returns the analysed result. A failed driver Status becomes
// a ProtocolError that carries the driver's message.
//
// Whoever runs a protocol loads the job's plate (JobSpec::loaded_plate()) into ctx.instrument()
// before run(): the daemon's instrument worker does, once per attempt; run() does not load it
// again. The daemon implements RunContext; the offline CLI and tests implement it too.
// Protocols never see ZeroMQ or SQLite.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assay/drivers/imager.hpp"
#include "assay/drivers/plate_reader.hpp"
#include "assay/protocols/job_spec.hpp"

namespace assay::protocols {

class ProtocolError : public std::runtime_error {
 public:
  ProtocolError(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  // "invalid_params", "instrument_error", "cancelled", "analysis_error", ...
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

// One stored result row, queryable per well, per series or per plate.
struct ResultRow {
  std::string kind;  // "well", "series", "qc", "field", "colony", "condition"
  std::string key;   // "A1", compound name, "plate", ...
  nlohmann::json value;
};

struct AssayResult {
  nlohmann::json summary = nlohmann::json::object();  // what `assayctl results` shows first
  std::vector<ResultRow> rows;
  std::vector<std::filesystem::path> figures;  // files written under the job directory
};

// A stored image file with its metadata, as handed to RunContext::store_image.
struct StoredImage {
  std::filesystem::path path;
  std::string well;
  int field = 0;
};

class RunContext {
 public:
  virtual ~RunContext() = default;

  virtual drivers::Instrument& instrument() = 0;
  // The instrument as the kind the protocol drives (drivers::PlateReader, drivers::Imager);
  // throws ProtocolError("wrong_instrument") naming it otherwise, never std::bad_cast.
  template <class Kind>
  Kind& require_instrument() {
    auto* typed = dynamic_cast<Kind*>(&instrument());
    if (typed == nullptr) {
      throw ProtocolError("wrong_instrument",
                          "this protocol needs a " + std::string(drivers::to_string(Kind::kKind)) +
                              "; instrument '" + instrument().name() + "' is a " +
                              drivers::to_string(instrument().kind()));
    }
    return *typed;
  }
  // Stores (and publishes) readings; throws when storing fails, which must stop the run.
  virtual void store_readings(std::span<const drivers::Reading> readings) = 0;
  // Writes the image as a lossless file under the job directory, records it with its metadata.
  virtual StoredImage store_image(const drivers::CapturedImage& image, const std::string& kind) = 0;
  virtual void progress(double fraction, const std::string& message) = 0;
  virtual std::stop_token stop() const = 0;
  // Readings stored by earlier attempts of this job (after an interruption), oldest first.
  virtual std::vector<drivers::Reading> earlier_readings() const = 0;
  // Where figures and images of this job go; exists.
  virtual std::filesystem::path job_dir() const = 0;
  virtual void log_info(const std::string& message) = 0;
  virtual void log_warning(const std::string& message) = 0;

  // For reads that cannot be resumed part-way (a kinetic read after its injection): records that
  // this attempt read everything `acquisition` planned, so that a later attempt (the daemon died
  // before the results were stored) analyses that read instead of reading again. Appended last,
  // with defaults, so plugins built against the earlier interface keep working; the defaults
  // record nothing, and later attempts then read again.
  virtual void acquisition_complete(const std::string& acquisition) {}
  // The readings of the latest earlier attempt that recorded `acquisition` complete (only that
  // attempt's, in arrival order), or nullopt when none did.
  virtual std::optional<std::vector<drivers::Reading>> completed_earlier(const std::string& acquisition) const {
    return std::nullopt;
  }
  // The longest the next step may go without a reading, image or progress report (e.g. a kinetic
  // read with long intervals). The daemon fails a job that makes no progress within its step's
  // bound (policy.step_timeout_s when the protocol sets none). Default: ignored.
  virtual void expect_step_within(std::chrono::seconds bound, const std::string& step) {}
};

class Protocol {
 public:
  virtual ~Protocol() = default;
  virtual std::string name() const = 0;
  virtual std::string description() const = 0;
  virtual drivers::InstrumentKind instrument_kind() const = 0;
  // The kind this job needs; a protocol whose params choose the readout (chemotaxis: absorbance
  // on a plate reader or imaging on an imager) overrides it. Check jobs with this one.
  virtual drivers::InstrumentKind instrument_kind_for(const JobSpec& job) const { return instrument_kind(); }
  // Every kind a job of this protocol may need (protocols.list shows them all).
  virtual std::vector<drivers::InstrumentKind> instrument_kinds() const { return {instrument_kind()}; }
  // Throws ProtocolError("invalid_params", ...) naming the parameter or well at fault.
  virtual void validate(const JobSpec& job) const = 0;
  // The checks that need the instrument the job will run on (a reader's fastest kinetic
  // interval); called at submit after validate(), from the API's thread, so it may only use the
  // instrument's const, thread-safe members. Throws as validate() does.
  virtual void validate_on(const JobSpec& job, const drivers::Instrument& instrument) const {}
  // Acquire and analyse; throws ProtocolError on failure (code "cancelled" when stopped).
  virtual AssayResult run(const JobSpec& job, RunContext& ctx) const = 0;
};

// Throws ProtocolError("instrument_error", ...) when the status failed, "cancelled" when the
// driver reported cancellation.
void throw_if_failed(const drivers::Status& status, const std::string& doing);

}  // namespace assay::protocols
