#include <catch2/catch.hpp>

#include <cmath>

#include "assay/protocols/chemotaxis/absorbance.hpp"
#include "assay/protocols/chemotaxis/analysis.hpp"
#include "assay/protocols/protocol.hpp"
#include "plates.hpp"

using namespace assay::protocols;
using namespace assay::protocols::chemotaxis;
using nlohmann::json;

namespace {

bool has(const std::vector<std::string>& flags, const std::string& flag) {
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

const ConditionResult& condition(const ChemotaxisAnalysis& a, const std::string& key) {
  for (const auto& c : a.conditions) {
    if (c.condition.key == key) return c;
  }
  FAIL("no condition " << key);
  throw std::logic_error("unreachable");
}

// Controls and the series from a true curve: no chemokine 0.2, chemokine 1.0, IC50 12 nM.
std::vector<InsertValue> curve_values(const PlateLayout& layout, double ic50_nM, double hill = 1.0) {
  std::vector<InsertValue> out;
  const double neg = 0.2, pos = 1.0;
  const double pos_jitter[] = {1.0, 1.05, 0.95};
  const double neg_jitter[] = {0.2, 0.21, 0.19};
  int p = 0, n = 0;
  for (const auto& well : layout.wells()) {
    if (well.role == kRoleBlank) continue;
    double v = 0.0;
    if (well.role == kRolePositiveControl) v = pos_jitter[p++];
    if (well.role == kRoleNegativeControl) v = neg_jitter[n++];
    if (well.role == kRoleSample) v = neg + (pos - neg) / (1.0 + std::pow(well.conc_nM / ic50_nM, hill));
    out.push_back({well.well, v, {}});
  }
  return out;
}

}  // namespace

TEST_CASE("condition statistics, migration and inhibition on hand-made numbers") {
  auto spec = chemotaxis_test::transwell_spec(json::object());
  std::vector<InsertValue> values{{"A1", 1.0, {}}, {"A2", 1.05, {}}, {"A3", 0.95, {}},
                                  {"A4", 0.2, {}}, {"A5", 0.25, {}}, {"A6", 0.15, {}}};
  for (const auto& well : spec.layout.wells()) {
    if (well.role == kRoleSample) values.push_back({well.well, well.conc_nM >= 100 ? 0.6 : 0.9, {}});
  }
  auto a = analyze_chemotaxis(spec.layout, values, AnalysisOptions{}, "OD590");

  const auto& pos = condition(a, "positive_control");
  CHECK(pos.stats.n == 3);
  CHECK(pos.stats.mean == Approx(1.0));
  CHECK(pos.stats.sd == Approx(0.05));
  CHECK(pos.stats.cv_percent == Approx(5.0));
  CHECK(*pos.migration_percent == Approx(100.0));
  CHECK(*pos.inhibition_percent == Approx(0.0).margin(1e-9));

  const auto& neg = condition(a, "negative_control");
  CHECK(neg.stats.mean == Approx(0.2));
  CHECK(*neg.migration_percent == Approx(20.0));
  CHECK(*neg.inhibition_percent == Approx(100.0));

  const auto& top = condition(a, "balixafortide 1000 nM");
  CHECK(top.condition.wells == std::vector<std::string>{"B3", "B4"});
  CHECK(top.stats.n == 2);
  CHECK(*top.migration_percent == Approx(60.0));
  CHECK(*top.inhibition_percent == Approx(50.0));  // (1.0 - 0.6) / (1.0 - 0.2)

  REQUIRE(a.qc.chemotactic_index);
  CHECK(*a.qc.chemotactic_index == Approx(5.0));
  CHECK(a.qc.plate.z_prime == Approx(1.0 - 3.0 * (0.05 + 0.05) / 0.8));
  CHECK_FALSE(has(a.qc.flags, kFlagChemotacticIndexLow));
}

TEST_CASE("a chemotactic index below 2 is flagged as an assay that did not work") {
  auto spec = chemotaxis_test::transwell_spec(json::object());
  auto values = curve_values(spec.layout, 12.0);
  for (auto& v : values) {
    if (v.well == "A4" || v.well == "A5" || v.well == "A6") v.value = 0.6;  // index 1.0 / 0.6
  }
  auto a = analyze_chemotaxis(spec.layout, values, AnalysisOptions{}, "OD590");
  REQUIRE(a.qc.chemotactic_index);
  CHECK(*a.qc.chemotactic_index == Approx(1.0 / 0.6));
  CHECK(has(a.qc.flags, kFlagChemotacticIndexLow));
  CHECK(has(a.flags, kFlagChemotacticIndexLow));
  CHECK_FALSE(to_json(a.qc)["pass"].get<bool>());
}

TEST_CASE("a no-chemokine control at the blank leaves the chemotactic index undefined, not infinite") {
  auto spec = chemotaxis_test::transwell_spec(json::object());
  auto values = curve_values(spec.layout, 12.0);
  for (auto& v : values) {
    if (v.well == "A4" || v.well == "A5" || v.well == "A6") v.value = 0.0;
  }
  auto a = analyze_chemotaxis(spec.layout, values, AnalysisOptions{}, "OD590");
  CHECK_FALSE(a.qc.chemotactic_index);
  CHECK(has(a.qc.flags, kFlagChemotacticIndexUndefined));
  CHECK(to_json(a.qc)["chemotactic_index"].is_null());
}

TEST_CASE("replicates that disagree are flagged with high CV") {
  auto spec = chemotaxis_test::transwell_spec(json::object());
  auto values = curve_values(spec.layout, 12.0);
  for (auto& v : values) {
    if (v.well == "B3") v.value *= 2.0;
  }
  auto a = analyze_chemotaxis(spec.layout, values, AnalysisOptions{}, "OD590");
  CHECK(has(condition(a, "balixafortide 1000 nM").flags, kFlagHighCv));
  CHECK_FALSE(has(condition(a, "balixafortide 333 nM").flags, kFlagHighCv));
}

TEST_CASE("the fitted IC50 recovers the curve the values were made from") {
  auto spec = chemotaxis_test::transwell_spec(json::object());
  auto values = curve_values(spec.layout, 12.0);
  auto a = analyze_chemotaxis(spec.layout, values, AnalysisOptions{}, "OD590");
  REQUIRE(a.series.size() == 1);
  const auto& s = a.series[0];
  CHECK(s.compound == "balixafortide");
  CHECK(s.points.size() == 16 + 3);  // the series plus the vehicle inserts at conc 0
  REQUIRE(s.fit);
  REQUIRE(s.fit->usable());
  CHECK(s.fit->ic50 == Approx(12.0).epsilon(0.03));
  CHECK(s.fit->ic50_ci_low <= 12.0);
  CHECK(s.fit->ic50_ci_high >= 12.0);
  CHECK(s.fit->hill_slope.value < 0.0);
  CHECK(s.fit->bottom.value == Approx(20.0).margin(2.0));  // the no-chemokine level, in %
}

TEST_CASE("constraining the bottom to the no-chemokine level fixes it in the fit") {
  auto spec = chemotaxis_test::transwell_spec(json::object());
  auto values = curve_values(spec.layout, 30.0);
  AnalysisOptions options;
  options.constrain_bottom_to_negative = true;
  auto a = analyze_chemotaxis(spec.layout, values, options, "OD590");
  REQUIRE(a.series[0].fit);
  CHECK(a.series[0].fit->bottom.fixed);
  CHECK(a.series[0].fit->bottom.value == Approx(20.0));
  CHECK(a.series[0].fit->ic50 == Approx(30.0).epsilon(0.03));
}

TEST_CASE("an insert of the layout without a value is named") {
  auto spec = chemotaxis_test::transwell_spec(json::object());
  auto values = curve_values(spec.layout, 12.0);
  values.erase(std::remove_if(values.begin(), values.end(), [](auto& v) { return v.well == "C4"; }), values.end());
  try {
    analyze_chemotaxis(spec.layout, values, AnalysisOptions{}, "OD590");
    FAIL("a missing insert was accepted");
  } catch (const ProtocolError& e) {
    CHECK(std::string(e.what()).find("no value for insert C4") != std::string::npos);
  }
}

TEST_CASE("blank wells are averaged and subtracted from every insert") {
  auto spec = chemotaxis_test::transwell_spec(json::object());
  std::vector<assay::drivers::Reading> readings;
  for (const auto& well : spec.layout.wells()) {
    double od = well.role == kRoleBlank ? (well.well == "B1" ? 0.05 : 0.07) : 0.5;
    readings.push_back({well.well, "abs590", 0, 0.0, od, well.well == "C1"});
  }
  readings.push_back({"A1", "abs450", 0, 0.0, 9.0, false});  // another wavelength is ignored
  auto abs = absorbance_inserts(spec.layout, readings, AbsorbanceParams{});
  CHECK(abs.blank.n == 2);
  CHECK(abs.blank.mean == Approx(0.06));
  CHECK(abs.inserts.size() == 22);
  for (const auto& insert : abs.inserts) CHECK(insert.value == Approx(0.44));
  CHECK(has(abs.flags, kFlagSaturated));
  auto c1 = std::find_if(abs.inserts.begin(), abs.inserts.end(), [](auto& i) { return i.well == "C1"; });
  CHECK(has(c1->flags, kFlagSaturated));

  AbsorbanceParams raw;
  raw.blank_subtraction = false;
  auto unsubtracted = absorbance_inserts(spec.layout, readings, raw);
  CHECK(unsubtracted.inserts.front().value == Approx(0.5));
}

TEST_CASE("absorbance at a wavelength that was not read says which channels were") {
  auto spec = chemotaxis_test::transwell_spec(json::object());
  std::vector<assay::drivers::Reading> readings{{"A1", "abs570", 0, 0.0, 0.5, false}};
  try {
    absorbance_inserts(spec.layout, readings, AbsorbanceParams{});
    FAIL("accepted");
  } catch (const ProtocolError& e) {
    CHECK(std::string(e.what()).find("no endpoint reading at abs590") != std::string::npos);
    CHECK(std::string(e.what()).find("abs570") != std::string::npos);
  }
}

TEST_CASE("a well read twice is refused, not averaged") {
  auto spec = chemotaxis_test::transwell_spec(json::object());
  std::vector<assay::drivers::Reading> readings{{"A1", "abs590", 0, 0.0, 0.5, false},
                                                {"A1", "abs590", 0, 1.0, 0.7, false}};
  CHECK_THROWS_WITH(absorbance_inserts(spec.layout, readings, AbsorbanceParams{}),
                    Catch::Contains("well A1 was read twice"));
}
