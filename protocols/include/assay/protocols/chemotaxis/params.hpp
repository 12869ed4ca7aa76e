// Parameters of the `chemotaxis` protocol (transwell migration), parsed from a job's "params".
//
// Two readouts: "absorbance" (crystal violet eluted and read at wavelength_nm, blank wells
// subtracted) and "imaging" (stained cells counted in several fields per insert, combined by sum
// or mean). parse_chemotaxis_params() refuses unknown keys and out-of-range values with a
// ProtocolError("invalid_params") naming the key, e.g. "params.fields[2].x_mm: must be a number".
// Value types; thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assay/protocols/imaging/cell_counter.hpp"

namespace assay::protocols::chemotaxis {

enum class Readout { absorbance, imaging };
enum class FieldCombine { sum, mean };
enum class MismatchPolicy { error, flag };

const char* to_string(Readout readout);
const char* to_string(FieldCombine combine);
const char* to_string(MismatchPolicy policy);

// A field's centre, offset from the insert's centre, in millimetres.
struct FieldOffset {
  double x_mm = 0.0;
  double y_mm = 0.0;
};

// Centre plus four fields around it at `radius_mm` (right, down, left, up).
std::vector<FieldOffset> centre_and_four(double radius_mm);

struct AbsorbanceParams {
  int wavelength_nm = 590;        // crystal violet elution: 570-595 nm
  bool blank_subtraction = true;  // subtract the mean of the blank wells (medium + dye, no cells)
  int flashes = 10;
};

struct ImagingParams {
  std::vector<FieldOffset> fields = centre_and_four(1.5);  // a 6.5 mm insert membrane
  FieldCombine combine = FieldCombine::sum;
  // The pixel size the job expects (the objective); a field whose pixel size differs by more
  // than the tolerance is an error or a flag (wrong objective), never silently counted.
  std::optional<double> expected_pixel_size_um;
  double pixel_size_tolerance_percent = 5.0;
  MismatchPolicy on_pixel_size_mismatch = MismatchPolicy::error;
  double exposure_ms = 20.0;
  double gain = 1.0;
  // Autofocus on the first field of each insert; unset = when the imager has autofocus.
  std::optional<bool> autofocus;
  bool keep_overlays = true;  // write one overlay PNG per field under the job directory
  imaging::CellCountParams counter;  // pixel_size_um is taken from each captured image
};

struct AnalysisOptions {
  int min_replicates = 2;               // inserts per condition; fewer is refused
  double chemotactic_index_min = 2.0;   // chemokine / no-chemokine below this: assay did not work
  double z_prime_threshold = 0.5;
  double cv_flag_percent = 25.0;        // a condition whose replicate CV exceeds this is flagged
  bool include_vehicle_in_fit = true;   // chemokine + vehicle inserts enter the fit at conc 0
  // Fix the fitted bottom at the no-chemokine level (Prism's "constrain bottom"); off by default
  // so a partial antagonist shows as such.
  bool constrain_bottom_to_negative = false;
};

struct ChemotaxisParams {
  Readout readout = Readout::absorbance;
  AbsorbanceParams absorbance;
  ImagingParams imaging;
  AnalysisOptions analysis;
};

// Throws ProtocolError("invalid_params", ...) naming the key at fault.
ChemotaxisParams parse_chemotaxis_params(const nlohmann::json& params);
nlohmann::json to_json(const ChemotaxisParams& params);

}  // namespace assay::protocols::chemotaxis
