#include "flag_words.hpp"

#include <map>

namespace assay::protocols::report {

std::string explain_flag(const std::string& flag) {
  static const std::map<std::string, std::string> words{
      // dose-response fits
      {"not_converged", "The curve fit did not converge: treat its numbers as unreliable."},
      {"ic50_extrapolated", "The IC50 lies outside the tested concentrations: it is an extrapolation; test a wider range."},
      {"inactive", "No dose effect better than a flat line: the compound shows no IC50 in this range."},
      {"too_few_points", "Too few usable points to fit a curve."},
      {"non_finite_input", "Some points were not numbers and were left out of the fit."},
      {"invalid_point_dropped", "Some points had a negative concentration or an unusable weight and were left out."},
      {"ambiguous", "The data define no unique curve (the IC50's standard error is unbounded): no IC50 is reported."},
      {"hill_slope_at_limit", "The curve is a step between two doses: the IC50 is known only to within that dose interval."},
      {"plateau_at_limit", "A plateau of the curve is not in the data: no IC50; fix that plateau or test further doses."},
      // plate QC
      {"too_few_controls", "Fewer than two positive or negative control wells: Z' and S/B cannot be computed."},
      {"no_separation", "Positive and negative controls do not separate: the assay window is closed."},
      {"z_prime_low", "Z' is below the threshold: the control window is too narrow or too noisy for a screen."},
      {"high_cv", "The replicates of a condition vary by more than the CV limit."},
      // calcium flux wells
      {"no_baseline", "The well has no usable baseline before the injection (F0 unknown)."},
      {"saturated", "The detector saturated in this well: the true signal is higher than read; lower the gain."},
      {"dropped_read", "The reader returned no value for some cycles of this well."},
      {"injection_artefact", "A spike at the injection that is not a calcium response (a bubble or the tip touching)."},
      // chemotaxis
      {"pixel_size_mismatch", "The image's pixel size differs from the expected one: cell sizes may be misjudged."},
      {"fewer_fields", "Fewer fields than planned were counted in this insert."},
      {"chemotactic_index_low", "Chemokine-driven migration is weak (chemotactic index below its minimum): inhibition is hard to measure."},
      {"chemotactic_index_undefined", "Without migration in the no-chemokine control the chemotactic index is undefined."},
      {"no_chemokine_migration", "No migration toward the chemokine: nothing to inhibit, no IC50."},
      {"not_fitted", "No curve was fitted for this compound."},
      {"blank_above_no_chemokine", "The blank reads above the no-chemokine inserts: check the blank wells and the destaining."},
      {"empty_field", "No cells were found in this field."},
      {"light_objects_inverted", "Objects were lighter than the background; the image was inverted to count them."},
      {"grey_image_no_colour_test", "The image has no colour: the stain colour test was skipped."},
      // colonies
      {"dish_not_found_whole_image_used", "The dish edge was not found; the whole image was counted."},
      {"wall_parts_not_counted", "Nothing colony-like inside the dish; small parts at its wall (specks, glare) were not counted. Check the wall by eye."},
      {"clusters_counted_by_area", "Some touching colonies were counted from their area (by the size of a typical colony)."},
      {"too_many_to_count", "Too many colonies to count reliably (TNTC): plate fewer cells."},
      {"confluent_growth", "Colonies have grown together (confluent): counts are a lower bound."},
  };
  std::string base = flag;
  if (auto colon = flag.rfind(": "); colon != std::string::npos) base = flag.substr(colon + 2);
  if (auto it = words.find(base); it != words.end()) return it->second;
  return "A flag of this protocol without a description here; see its documentation.";
}

}  // namespace assay::protocols::report
