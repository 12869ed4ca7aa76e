// The text form of to_json(DoseResponseFit) (dose_response_json.cpp), member for member and in
// the sorted key order nlohmann's objects have.
#include "assay/protocols/fit/fit_json_text.hpp"

#include <algorithm>
#include <cmath>

namespace assay::protocols::fit {
namespace {

// Writes an object's members in key order: each key() first writes the labels that sort
// before it.
class SortedMembers {
 public:
  SortedMembers(JsonText& out, const FitLabels& labels) : out_(out) {
    for (const auto& label : labels) sorted_.push_back(&label);
    std::sort(sorted_.begin(), sorted_.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
  }
  void key(std::string_view name) {
    labels_before(name);
    out_.key(name);
  }
  void finish() { labels_before({}); }

 private:
  // All remaining labels when `name` is empty.
  void labels_before(std::string_view name) {
    for (; next_ < sorted_.size() && (name.empty() || sorted_[next_]->first < name); ++next_) {
      out_.key(sorted_[next_]->first);
      out_.string(sorted_[next_]->second);
    }
  }

  JsonText& out_;
  std::vector<const std::pair<std::string, std::string>*> sorted_;
  std::size_t next_ = 0;
};

void interval(JsonText& out, double low, double high) {
  out.begin_array();
  out.number(low);
  out.number(high);
  out.end_array();
}

void strings(JsonText& out, const std::vector<std::string>& values) {
  out.begin_array();
  for (const auto& v : values) out.string(v);
  out.end_array();
}

}  // namespace

void write_json(JsonText& out, const DoseResponseFit& fit, const FitLabels& labels) {
  const bool no_ic50 = fit.has_flag(kFlagInactive) || fit.has_flag(kFlagAmbiguous) ||
                       fit.has_flag(kFlagPlateauAtLimit);
  const bool profile = !no_ic50 && fit.log_ic50_profile_low && fit.log_ic50_profile_high;
  std::vector<std::string> fixed;
  if (fit.top.fixed) fixed.push_back("top");
  if (fit.bottom.fixed) fixed.push_back("bottom");
  if (fit.log_ic50.fixed) fixed.push_back("log_ic50");
  if (fit.hill_slope.fixed) fixed.push_back("hill_slope");

  out.begin_object();
  SortedMembers m(out, labels);
  m.key("bottom");
  out.number(fit.bottom.value);
  m.key("ci95");
  out.begin_object();
  out.key("bottom");
  interval(out, fit.bottom.ci_low, fit.bottom.ci_high);
  out.key("hill_slope");
  interval(out, fit.hill_slope.ci_low, fit.hill_slope.ci_high);
  out.key("ic50");
  no_ic50 ? interval(out, NAN, NAN) : interval(out, fit.ic50_ci_low, fit.ic50_ci_high);
  out.key("log_ic50");
  no_ic50 ? interval(out, NAN, NAN) : interval(out, fit.log_ic50.ci_low, fit.log_ic50.ci_high);
  out.key("top");
  interval(out, fit.top.ci_low, fit.top.ci_high);
  out.end_object();
  m.key("ci95_profile");
  out.begin_object();
  if (profile) {
    const double lo = *fit.log_ic50_profile_low, hi = *fit.log_ic50_profile_high;
    out.key("ic50");
    interval(out, std::pow(10.0, lo), std::pow(10.0, hi));
    out.key("log_ic50");
    interval(out, lo, hi);
  }
  out.end_object();
  m.key("confidence");
  out.number(fit.confidence);
  m.key("converged");
  out.boolean(fit.converged);
  m.key("df");
  out.integer(fit.df);
  m.key("fixed");
  strings(out, fixed);
  m.key("flags");
  strings(out, fit.flags);
  m.key("hill_slope");
  out.number(fit.hill_slope.value);
  m.key("ic50");
  out.number(no_ic50 ? NAN : fit.ic50);
  m.key("iterations");
  out.integer(fit.iterations);
  m.key("log_ic50");
  out.number(no_ic50 ? NAN : fit.log_ic50.value);
  m.key("n");
  out.integer(fit.n);
  m.key("n_dropped");
  out.integer(fit.n_dropped);
  m.key("r2");
  out.number(fit.r2);
  m.key("rss");
  out.number(fit.rss);
  m.key("se");
  out.begin_object();
  out.key("bottom");
  out.number(fit.bottom.se);
  out.key("hill_slope");
  out.number(fit.hill_slope.se);
  out.key("log_ic50");
  out.number(no_ic50 ? NAN : fit.log_ic50.se);
  out.key("top");
  out.number(fit.top.se);
  out.end_object();
  m.key("top");
  out.number(fit.top.value);
  m.key("usable");
  out.boolean(fit.usable());
  m.finish();
  out.end_object();
}

}  // namespace assay::protocols::fit
