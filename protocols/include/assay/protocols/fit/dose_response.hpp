// Four-parameter logistic dose-response fits (GraphPad Prism "log(inhibitor) vs. response,
// variable slope"; drc LL.4 with HillSlope = -b).
//
//   Y = Bottom + (Top - Bottom) / (1 + 10^((LogIC50 - X) * HillSlope)),  X = log10(conc)
//
// HillSlope < 0 for inhibition (falling curve), > 0 for agonist (rising) curves. Concentration 0
// is valid and means X = -infinity (Y = Top for HillSlope < 0). The fit runs in LogIC50.
// Pure functions, no shared state: safe to call from any number of threads at once.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assay/protocols/fit/least_squares.hpp"

namespace assay::protocols::fit {

struct DosePoint {
  double conc = 0.0;  // any unit, >= 0; IC50 comes back in the same unit
  double response = 0.0;
  double weight = 1.0;  // used when FitOptions::weighting == Weighting::given
};

// inverse_y_squared weights each point by 1/Y^2 of its observed Y (a point with Y = 0 is
// dropped). inverse_fit_squared is GraphPad Prism's "relative weighting": 1/Ycurve^2 with Y of the
// fitted curve at the point, found by iterative reweighting (fit, weights from the curve, refit
// until the fit reproduces its own weights); SEs and intervals then treat those weights as given.
enum class Weighting { none, inverse_y_squared, given, inverse_fit_squared };

struct Bounds {
  std::optional<double> lower;
  std::optional<double> upper;
};

struct FitOptions {
  std::optional<double> fixed_top;
  std::optional<double> fixed_bottom;
  std::optional<double> fixed_hill_slope;
  Bounds top, bottom, log_ic50, hill_slope;
  Weighting weighting = Weighting::none;
  double confidence = 0.95;
  bool profile_ci = true;  // profile-likelihood CI for LogIC50
  // A curve whose fit is not better than "no dose effect" at this level (extra-sum-of-squares F
  // test) is flagged inactive.
  double inactive_p_value = 0.05;
  // With noisy data the least-squares optimum is often a step (HillSlope -> +/-infinity) or has
  // LogIC50 -> infinity (no plateau in sight); the fit then never converges. Unless the caller
  // bounds them, |HillSlope| is capped here (a steeper transition is a step at 0.5-log spacing;
  // the fit is flagged hill_slope_at_limit) and LogIC50 is kept within this many log units of
  // the tested range (flagged ic50_extrapolated). 0 disables a cap.
  double max_abs_hill_slope = 10.0;
  double log_ic50_reach_log = 6.0;
  // Likewise a free Top/Bottom is kept within this many response ranges (max Y - min Y) of the
  // data; one that ends there is flagged plateau_at_limit: that plateau is not in the data.
  double plateau_reach = 2.0;
};

struct ParamEstimate {
  double value = 0.0;
  double se = 0.0;  // 0 for a fixed parameter
  double ci_low = 0.0;
  double ci_high = 0.0;
  bool fixed = false;
};

// Flag names, as reported in `flags` and in JSON.
inline constexpr const char* kFlagNotConverged = "not_converged";
inline constexpr const char* kFlagExtrapolated = "ic50_extrapolated";
inline constexpr const char* kFlagInactive = "inactive";  // flat/ambiguous: no meaningful IC50
inline constexpr const char* kFlagTooFewPoints = "too_few_points";
inline constexpr const char* kFlagNonFinite = "non_finite_input";  // such points were dropped
// A point with a negative concentration, a negative/non-finite given weight, or Y = 0 under 1/Y^2
// weighting was dropped.
inline constexpr const char* kFlagInvalidPoint = "invalid_point_dropped";
// The data define no unique curve (singular covariance, unbounded standard error): like inactive,
// no IC50 should be reported.
inline constexpr const char* kFlagAmbiguous = "ambiguous";
// |HillSlope| ended on FitOptions::max_abs_hill_slope: the data look like a step between two
// doses; the IC50 is located only to within that dose interval (see the profile interval).
inline constexpr const char* kFlagHillAtLimit = "hill_slope_at_limit";
// A free plateau ended on its cap (FitOptions::plateau_reach): the data do not show it, so the
// IC50 is not defined; fix that plateau (e.g. --fix bottom=0 for normalised data) to get one.
inline constexpr const char* kFlagPlateauAtLimit = "plateau_at_limit";

struct DoseResponseFit {
  ParamEstimate top, bottom, log_ic50, hill_slope;
  double ic50 = 0.0;  // 10^log_ic50, in the unit of the input concentrations
  double ic50_ci_low = 0.0;
  double ic50_ci_high = 0.0;
  // Profile-likelihood CI of LogIC50; an unbounded side is +/-infinity.
  std::optional<double> log_ic50_profile_low, log_ic50_profile_high;
  double rss = 0.0;
  double r2 = 0.0;
  int df = 0;
  int n = 0;
  int iterations = 0;
  bool converged = false;
  std::vector<std::string> flags;
  double confidence = 0.95;  // level of the ci_low/ci_high and profile intervals
  int n_dropped = 0;         // points ignored (non-finite, invalid); see flags
  Termination termination = Termination::max_iterations;  // why the solver stopped

  bool has_flag(const std::string& flag) const;
  // True when the fit gave a usable IC50: converged, enough points, neither inactive nor
  // ambiguous, no plateau on its cap. An extrapolated IC50 is usable but carries its flag; dropped points too.
  bool usable() const;
  double predict(double conc) const;
};

// Never throws on data problems: they become flags. Replicates are individual points.
DoseResponseFit fit_dose_response(std::span<const DosePoint> points, const FitOptions& options = {});

// snake_case JSON: top, bottom, ic50, log_ic50, hill_slope, se{...}, ci95{...},
// ci95_profile{log_ic50:[lo,hi]}, rss, r2, df, n, iterations, converged, flags.
nlohmann::json to_json(const DoseResponseFit& fit);
// The fit back from its JSON form (to draw a stored result again): values, SEs, intervals,
// fixed parameters, df, n and flags; the solver's bookkeeping (iterations, termination) is not
// needed to draw and stays at its default. A missing or null number becomes NaN.
DoseResponseFit fit_from_json(const nlohmann::json& json);

}  // namespace assay::protocols::fit
