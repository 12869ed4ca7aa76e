// The fit JSON written as text (what `assayctl fit` prints) against the DOM it stands for:
// to_json(fit) with the labels added, dumped by nlohmann, byte for byte.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "assay/protocols/fit/fit_json_text.hpp"
#include "assay/protocols/json_text.hpp"
#include "fit/simulate.hpp"

using namespace assay::protocols::fit;
using assay::protocols::JsonText;

namespace {

std::string as_text(const DoseResponseFit& fit, const FitLabels& labels, int indent) {
  std::string out;
  JsonText json(out, indent);
  write_json(json, fit, labels);
  return out;
}

std::string as_dom(const DoseResponseFit& fit, const FitLabels& labels, int indent) {
  nlohmann::json j = to_json(fit);
  for (const auto& [key, value] : labels) j[key] = value;
  return j.dump(indent);
}

// Fits of every kind: clean, noisy, flat (inactive), fixed parameters, IC50 beyond the doses,
// too few points, non-finite input.
std::vector<DoseResponseFit> assorted_fits() {
  std::mt19937_64 rng(16);
  std::uniform_real_distribution<double> u(0, 1);
  const auto conc = assay::test::log_series(-10, 0.5, 12);
  std::vector<DoseResponseFit> fits;
  for (int i = 0; i < 200; ++i) {
    assay::test::TrueCurve t;
    t.top = 80 + 40 * u(rng);
    t.bottom = -10 + 30 * u(rng);
    t.log_ic50 = -11 + 8 * u(rng);  // sometimes beyond the doses
    t.hill_slope = (i % 7 == 0 ? 1 : -1) * std::exp(std::log(0.3) + std::log(20.0) * u(rng));
    if (i % 11 == 0) t.top = t.bottom;  // flat
    auto points = assay::test::simulate(t, conc, (0.01 + 0.3 * u(rng)) * 100, rng, 1 + i % 2);
    FitOptions options;
    if (i % 5 == 0) options.fixed_bottom = 0.0;
    if (i % 9 == 0) options.fixed_hill_slope = -1.0;
    if (i % 13 == 0) options.profile_ci = false;
    if (i % 17 == 0) points.push_back({1e-6, NAN});
    if (i % 19 == 0) points.resize(3);
    fits.push_back(fit_dose_response(points, options));
  }
  return fits;
}

}  // namespace

TEST_CASE("a fit written as text is the dump of its JSON, labels in key order", "[json]") {
  const FitLabels labels{{"x_column", "conc"}, {"y_column", "response"}, {"group", "cmpd-7"}};
  int flagged = 0;
  for (const auto& fit : assorted_fits()) {
    flagged += !fit.flags.empty();
    REQUIRE(as_text(fit, labels, 2) == as_dom(fit, labels, 2));
    REQUIRE(as_text(fit, {}, 0) == as_dom(fit, {}, 0));
  }
  CHECK(flagged > 10);  // the assortment reaches the flagged branches
}

TEST_CASE("labels with quotes, control characters and UTF-8 are escaped as nlohmann does", "[json]") {
  const DoseResponseFit fit = assorted_fits().front();
  const FitLabels labels{{"group", "say \"hi\"\\ \t\x01 µM ✓"}, {"aa", ""}, {"zz", "end"}};
  CHECK(as_text(fit, labels, 2) == as_dom(fit, labels, 2));
  CHECK(as_text(fit, labels, 4) == as_dom(fit, labels, 4));
}

TEST_CASE("JSON text lays out nesting and empty containers as dump does", "[json]") {
  std::string out;
  JsonText json(out, 2);
  json.begin_array();
  json.begin_object();
  json.key("a");
  json.begin_array();
  json.end_array();
  json.key("b");
  json.begin_object();
  json.end_object();
  json.key("c");
  json.begin_array();
  json.number(0.1);
  json.number(-0.0);
  json.number(1e21);
  json.number(INFINITY);
  json.integer(-42);
  json.boolean(false);
  json.null();
  json.end_array();
  json.end_object();
  json.number(3.0);
  json.end_array();
  const auto dom = nlohmann::json::parse(R"([{"a":[],"b":{},"c":[0.1,-0.0,1e21,null,-42,false,null]},3.0])");
  CHECK(out == dom.dump(2));
}

TEST_CASE("fits written apart one level deep and joined are the dump of their array", "[json]") {
  // What `assayctl fit` does on several threads: each element at depth 1 after ",\n  ".
  const auto fits = assorted_fits();
  const FitLabels labels{{"x_column", "conc"}, {"y_column", "response"}};
  std::string joined = "[";
  nlohmann::json dom = nlohmann::json::array();
  for (std::size_t i = 0; i < fits.size(); ++i) {
    joined += i == 0 ? "\n  " : ",\n  ";
    JsonText piece(joined, 2, 1);
    write_json(piece, fits[i], labels);
    nlohmann::json j = to_json(fits[i]);
    for (const auto& [key, value] : labels) j[key] = value;
    dom.push_back(j);
  }
  joined += "\n]";
  CHECK(joined == dom.dump(2));
}
