// JSON form of a DoseResponseFit (snake_case; non-finite numbers and unbounded interval ends
// become null). An inactive or ambiguous curve reports ic50/log_ic50 as null: no number is
// better than a meaningless one; the fitted plateaus are still given.
#include <cmath>

#include "assay/protocols/fit/dose_response.hpp"

namespace assay::protocols::fit {
namespace {

nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }

nlohmann::json interval(double low, double high) { return {number(low), number(high)}; }

}  // namespace

nlohmann::json to_json(const DoseResponseFit& fit) {
  const bool no_ic50 = fit.has_flag(kFlagInactive) || fit.has_flag(kFlagAmbiguous) ||
                       fit.has_flag(kFlagPlateauAtLimit);
  nlohmann::json j;
  j["top"] = number(fit.top.value);
  j["bottom"] = number(fit.bottom.value);
  j["ic50"] = no_ic50 ? nlohmann::json() : number(fit.ic50);
  j["log_ic50"] = no_ic50 ? nlohmann::json() : number(fit.log_ic50.value);
  j["hill_slope"] = number(fit.hill_slope.value);
  j["se"] = {{"top", number(fit.top.se)},
             {"bottom", number(fit.bottom.se)},
             {"log_ic50", no_ic50 ? nlohmann::json() : number(fit.log_ic50.se)},
             {"hill_slope", number(fit.hill_slope.se)}};
  j["ci95"] = {{"top", interval(fit.top.ci_low, fit.top.ci_high)},
               {"bottom", interval(fit.bottom.ci_low, fit.bottom.ci_high)},
               {"hill_slope", interval(fit.hill_slope.ci_low, fit.hill_slope.ci_high)}};
  if (no_ic50) {
    j["ci95"]["log_ic50"] = interval(NAN, NAN);
    j["ci95"]["ic50"] = interval(NAN, NAN);
  } else {
    j["ci95"]["log_ic50"] = interval(fit.log_ic50.ci_low, fit.log_ic50.ci_high);
    j["ci95"]["ic50"] = interval(fit.ic50_ci_low, fit.ic50_ci_high);
  }
  nlohmann::json profile = nlohmann::json::object();
  if (!no_ic50 && fit.log_ic50_profile_low && fit.log_ic50_profile_high) {
    const double lo = *fit.log_ic50_profile_low, hi = *fit.log_ic50_profile_high;
    profile["log_ic50"] = interval(lo, hi);
    profile["ic50"] = interval(std::pow(10.0, lo), std::pow(10.0, hi));
  }
  j["ci95_profile"] = profile;
  j["fixed"] = nlohmann::json::array();
  if (fit.top.fixed) j["fixed"].push_back("top");
  if (fit.bottom.fixed) j["fixed"].push_back("bottom");
  if (fit.log_ic50.fixed) j["fixed"].push_back("log_ic50");
  if (fit.hill_slope.fixed) j["fixed"].push_back("hill_slope");
  j["confidence"] = fit.confidence;
  j["rss"] = number(fit.rss);
  j["r2"] = number(fit.r2);
  j["df"] = fit.df;
  j["n"] = fit.n;
  j["n_dropped"] = fit.n_dropped;
  j["iterations"] = fit.iterations;
  j["converged"] = fit.converged;
  j["usable"] = fit.usable();
  j["flags"] = fit.flags;
  return j;
}

}  // namespace assay::protocols::fit

namespace assay::protocols::fit {
namespace {

double number_of(const nlohmann::json& j, const char* key) {
  return j.is_object() && j.contains(key) && j.at(key).is_number() ? j.at(key).get<double>() : NAN;
}

void interval_of(const nlohmann::json& j, const char* key, double& low, double& high) {
  low = high = NAN;
  if (!j.is_object() || !j.contains(key) || !j.at(key).is_array() || j.at(key).size() != 2) return;
  const auto& pair = j.at(key);
  if (pair[0].is_number()) low = pair[0].get<double>();
  if (pair[1].is_number()) high = pair[1].get<double>();
}

}  // namespace

DoseResponseFit fit_from_json(const nlohmann::json& j) {
  DoseResponseFit fit;
  fit.top.value = number_of(j, "top");
  fit.bottom.value = number_of(j, "bottom");
  fit.log_ic50.value = number_of(j, "log_ic50");
  fit.hill_slope.value = number_of(j, "hill_slope");
  fit.ic50 = number_of(j, "ic50");
  const nlohmann::json empty = nlohmann::json::object();
  const auto& se = j.contains("se") ? j.at("se") : empty;
  fit.top.se = number_of(se, "top");
  fit.bottom.se = number_of(se, "bottom");
  fit.log_ic50.se = number_of(se, "log_ic50");
  fit.hill_slope.se = number_of(se, "hill_slope");
  const auto& ci = j.contains("ci95") ? j.at("ci95") : empty;
  interval_of(ci, "top", fit.top.ci_low, fit.top.ci_high);
  interval_of(ci, "bottom", fit.bottom.ci_low, fit.bottom.ci_high);
  interval_of(ci, "hill_slope", fit.hill_slope.ci_low, fit.hill_slope.ci_high);
  interval_of(ci, "log_ic50", fit.log_ic50.ci_low, fit.log_ic50.ci_high);
  interval_of(ci, "ic50", fit.ic50_ci_low, fit.ic50_ci_high);
  if (j.contains("ci95_profile")) {
    double low = NAN, high = NAN;
    interval_of(j.at("ci95_profile"), "log_ic50", low, high);
    // null ends are unbounded sides
    if (j.at("ci95_profile").contains("log_ic50")) {
      fit.log_ic50_profile_low = std::isfinite(low) ? low : -INFINITY;
      fit.log_ic50_profile_high = std::isfinite(high) ? high : INFINITY;
    }
  }
  if (j.contains("fixed") && j.at("fixed").is_array()) {
    for (const auto& name : j.at("fixed")) {
      if (name == "top") fit.top.fixed = true;
      if (name == "bottom") fit.bottom.fixed = true;
      if (name == "log_ic50") fit.log_ic50.fixed = true;
      if (name == "hill_slope") fit.hill_slope.fixed = true;
    }
  }
  fit.confidence = j.value("confidence", 0.95);
  fit.rss = number_of(j, "rss");
  fit.r2 = number_of(j, "r2");
  fit.df = j.value("df", 0);
  fit.n = j.value("n", 0);
  fit.n_dropped = j.value("n_dropped", 0);
  fit.iterations = j.value("iterations", 0);
  fit.converged = j.value("converged", false);
  if (j.contains("flags") && j.at("flags").is_array()) {
    for (const auto& flag : j.at("flags")) {
      if (flag.is_string()) fit.flags.push_back(flag.get<std::string>());
    }
  }
  return fit;
}

}  // namespace assay::protocols::fit
