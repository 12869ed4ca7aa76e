// The common face of every instrument: a name, a kind, a state and what it is loaded with.
//
// An Instrument is owned by the daemon (unique_ptr) and used by one worker thread at a time;
// only state() and describe() may be called from other threads, and implementations must keep
// those two thread-safe. Operations return Status values and never throw.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assay/drivers/plate_geometry.hpp"
#include "assay/drivers/status.hpp"

namespace assay::drivers {

enum class InstrumentKind { plate_reader, imager };
enum class InstrumentState { offline, online, busy, error };

const char* to_string(InstrumentKind kind);
const char* to_string(InstrumentState state);

// What a well physically holds. Real instruments ignore this; simulators use it to produce
// data with a known truth, as the real sample would.
struct WellContents {
  std::string well;           // "A1"
  std::string role;           // "sample", "positive_control", "negative_control", "blank", ...
  std::string compound;       // antagonist / test article, empty for none
  double conc_nM = 0.0;       // compound concentration
  bool stimulated = true;     // agonist (calcium) or chemokine (transwell) present
  double cells_plated = 0.0;  // cells seeded (CFU), 0 when not stated
};

// The plate put into the instrument for one job.
struct LoadedPlate {
  std::string barcode;
  std::string format;  // "96", "384", "1536", "transwell-24", "dish-6", "dish-35mm"
  PlateGeometry geometry;
  std::vector<WellContents> wells;
  // Simulation settings for this plate (true IC50 per compound, ...). Real drivers ignore it.
  nlohmann::json simulation = nlohmann::json::object();
};

// Called by drivers when the device's state changes (from any thread).
using StateListener = std::function<void(InstrumentState, const std::string& detail)>;

class Instrument {
 public:
  virtual ~Instrument() = default;

  virtual const std::string& name() const = 0;
  virtual InstrumentKind kind() const = 0;
  virtual InstrumentState state() const = 0;
  // Model, serial, firmware, capabilities; safe to call from any thread.
  virtual nlohmann::json describe() const = 0;

  // Opens the device; a simulator succeeds at once.
  virtual Status connect() = 0;
  virtual void disconnect() = 0;
  virtual Status load_plate(const LoadedPlate& plate) = 0;
  // The job is done with the loaded plate: drop what was cached for it (a simulator's rendered
  // dishes), so that an idle daemon holds no image memory. The plate stays loaded.
  virtual void release_plate_cache() {}
  // What the simulator knows to be true of the loaded plate (IC50, counts); null for real devices.
  virtual nlohmann::json truth() const { return nullptr; }
  virtual void set_state_listener(StateListener listener) = 0;
};

}  // namespace assay::drivers
