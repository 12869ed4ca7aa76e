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

// A step that waits for a person to add a reagent by hand (a reader without an injector).
struct AdditionRequest {
  std::string message;  // what to do, shown with the job while it waits
  std::chrono::seconds timeout{600};
  // Where the reads before the wait ended on the read's clock (seconds since the first read
  // began): the wait is counted from there, so the addition lands on the same clock.
  double baseline_end_s = 0.0;
};

// A manual addition that was made: when the person said so (jobs.continue), on the daemon's
// clock and on the read's clock.
struct AdditionRecord {
  int attempt = 0;
  double time_s = 0.0;    // on the read's clock: seconds since the first read began
  double baseline_end_s = 0.0;  // the request's baseline_end_s
  std::string added_at;   // UTC text of the daemon's clock when continue arrived
  // The same moment on the steady clock of this process, to time the next read from it (the
  // epoch when the record comes from an earlier attempt).
  std::chrono::steady_clock::time_point added{};
  double waited_s = 0.0;  // from the start of the wait to the addition
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
  // Pauses the job for a manual addition: it shows `waiting` with the request's message and the
  // instrument stays reserved for it, until the person continues the job (returns the addition's
  // time), the timeout passes (throws ProtocolError("addition_timeout") saying what to do) or
  // the job is stopped (throws ProtocolError("cancelled")). Default: throws "unsupported" (a
  // runner with nobody to ask, such as the offline CLI).
  virtual AdditionRecord wait_for_addition(const AdditionRequest& request) {
    throw ProtocolError("unsupported", "this runner cannot pause a job for a manual addition (" +
                                           request.message + ")");
  }
  // The addition an earlier attempt of this job recorded (the latest), or nullopt.
  virtual std::optional<AdditionRecord> earlier_addition() const { return std::nullopt; }
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
