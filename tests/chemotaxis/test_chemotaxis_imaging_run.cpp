#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <opencv2/imgcodecs.hpp>

#include "assay/protocols/chemotaxis/protocol.hpp"
#include "support/memory_run_context.hpp"
#include "plates.hpp"

using namespace assay::protocols;
using nlohmann::json;

namespace {

// Focus spread 0 keeps the run quick (no autofocus search); the autofocus path has its own test.
const json kImagerSettings{{"time_scale", 0.0},     {"seed", 7u},        {"pixel_size_um", 1.0},
                           {"frame_width_px", 768}, {"frame_height_px", 768}, {"focus_spread_um", 0.0},
                           {"cells_per_field", 60.0}};

JobSpec imaging_job(double true_ic50_nM, json params) {
  params["readout"] = "imaging";
  auto job = chemotaxis_test::transwell_job(std::move(params), chemotaxis_test::transwell_layout(false), "sim-imager");
  job["simulation"] = {{"compounds", {{"balixafortide", {{"migration_ic50_nM", true_ic50_nM}}}}}};
  return JobSpec::from_json(job);
}

const ResultRow* find_row(const AssayResult& result, const std::string& kind, const std::string& key) {
  for (const auto& r : result.rows) {
    if (r.kind == kind && r.key == key) return &r;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("imaging run counts the simulated membranes, never the pores, and recovers the IC50") {
  const double true_ic50 = 10.0;
  assay::testing::MemoryRunContext ctx(
      assay::testing::make_builtin_instrument("sim-imager", "sim-imager", kImagerSettings));
  auto spec = imaging_job(true_ic50, {{"fields", {{0, 0}, {1.2, 0}, {-1.2, 0}}},
                                      {"pixel_size_um", 1.0}, {"autofocus", false}});
  chemotaxis::ChemotaxisProtocol protocol;
  protocol.validate(spec);
  auto result = ctx.run(protocol, spec);
  auto truth = result.summary["simulation_truth"];
  REQUIRE(truth.contains("cells_per_field"));

  // Every field stored, counted and its overlay kept.
  CHECK(ctx.images.size() == 22 * 3);
  long counted = 0, true_total = 0;
  int fields = 0, empty_truth_fields = 0;
  for (const auto& row : result.rows) {
    if (row.kind != "field") continue;
    ++fields;
    const auto& v = row.value;
    int truth_count = truth["cells_per_field"][v["well"].get<std::string>()][std::to_string(v["field"].get<int>())];
    counted += v["count"].get<int>();
    true_total += truth_count;
    if (truth_count == 0) ++empty_truth_fields;
    CHECK(std::filesystem::exists(v["overlay"].get<std::string>()));
    // Pores are never cells: a field holds ~650 pores, counting them would add hundreds.
    CHECK(v["count"].get<int>() <= truth_count + std::max(6, truth_count * 3 / 10));
  }
  CHECK(fields == 66);
  double error_percent = 100.0 * std::abs(static_cast<double>(counted - true_total)) / true_total;
  CAPTURE(counted, true_total, error_percent);
  // The simulated membranes hold touching pairs and clumps of 3-5 cells; the counter loses a
  // cell or two per clump (docs/counting.md, measured 8.4 % under here).
  CHECK(error_percent < 10.0);

  const auto* series = find_row(result, "series", "balixafortide");
  REQUIRE(series);
  REQUIRE(series->value["ic50_nM"].is_number());
  CAPTURE(series->value["ic50_nM"], series->value["ic50_ci_nM"]);
  CHECK(series->value["ic50_ci_nM"][0].get<double>() <= true_ic50);
  CHECK(series->value["ic50_ci_nM"][1].get<double>() >= true_ic50);

  // The simulator's chemotactic index is 4.5; counts are Poisson, so allow for it.
  CHECK(result.summary["chemotactic_index"].get<double>() == Approx(4.5).epsilon(0.25));
  CHECK(result.summary["unit"] == "cells per insert (sum of 3 fields)");

  REQUIRE(result.figures.size() == 2);
  CHECK(result.figures[0].filename() == "dose_response.svg");
  CHECK(result.figures[1].filename() == "contact_sheet.jpg");
  auto sheet = cv::imread(result.figures[1].string());
  // Tiles of 360 px (a 20 um cell of a 768 px field stays ~9 px), JPEG: legible and small.
  CHECK(sheet.rows > 22 * 360);
  CHECK(sheet.cols > 3 * 360);
  CHECK(std::filesystem::file_size(result.figures[1]) < 3u * 1024 * 1024);
  // The curve shows the floor an antagonist can reach: migration without chemokine.
  std::ifstream svg(result.figures[0]);
  const std::string figure((std::istreambuf_iterator<char>(svg)), std::istreambuf_iterator<char>());
  CHECK(figure.find(">no chemokine ") != std::string::npos);
  CHECK(figure.find("stroke-dasharray=\"6 4\"") != std::string::npos);
}

TEST_CASE("a pore-only membrane (no migration) is counted as empty") {
  json settings = kImagerSettings;
  settings["cells_per_field"] = 0.0;
  assay::testing::MemoryRunContext ctx(assay::testing::make_builtin_instrument("sim-imager", "sim-imager", settings));
  auto spec = imaging_job(10.0, {{"fields", {{0, 0}}}, {"autofocus", false}});
  auto result = ctx.run(chemotaxis::ChemotaxisProtocol(), spec);
  int total = 0;
  for (const auto& row : result.rows) {
    if (row.kind == "field") total += row.value["count"].get<int>();
  }
  // 22 membranes full of pores (some holding dye), debris, dye crystals, swab smears and blots,
  // no cells: at most one spurious cell per membrane (measured 12 in all).
  CHECK(total <= 22);
  if (total == 0) CHECK_FALSE(result.summary["chemotactic_index"].is_number());
  // No cell is a result where an antagonist blocks migration or no chemokine draws the cells:
  // only an empty insert of chemokine + vehicle is flagged empty_field.
  int empty_fields = 0;
  for (const auto& row : result.rows) {
    if (row.kind != "field" || row.value["count"] != 0) continue;
    const auto* well = find_row(result, "well", row.value["well"].get<std::string>());
    REQUIRE(well);
    CAPTURE(row.key, well->value["role"], row.value["flags"]);
    const bool flagged = row.value["flags"].dump().find("empty_field") != std::string::npos;
    CHECK(flagged == (well->value["role"] == "positive_control"));
    CHECK((well->value["flags"].dump().find("empty_field") != std::string::npos) == flagged);
    ++empty_fields;
  }
  CHECK(empty_fields >= 11);
}

TEST_CASE("images from the wrong objective stop the imaging run naming the field") {
  assay::testing::MemoryRunContext ctx(
      assay::testing::make_builtin_instrument("sim-imager", "sim-imager", kImagerSettings));
  auto spec = imaging_job(10.0, {{"fields", {{0, 0}}}, {"pixel_size_um", 0.65}, {"autofocus", false}});
  try {
    ctx.run(chemotaxis::ChemotaxisProtocol(), spec);
    FAIL("a 1 um image was counted as a 0.65 um one");
  } catch (const ProtocolError& e) {
    CHECK(std::string(e.what()).find("field A1/f0: pixel size 1 um differs from the expected 0.65 um") !=
          std::string::npos);
  }
}

TEST_CASE("with the flag policy the wrong objective is flagged on every field and the summary") {
  assay::testing::MemoryRunContext ctx(
      assay::testing::make_builtin_instrument("sim-imager", "sim-imager", kImagerSettings));
  auto spec = imaging_job(10.0, {{"fields", {{0, 0}}}, {"pixel_size_um", 0.65},
                                 {"on_pixel_size_mismatch", "flag"}, {"autofocus", false}});
  auto result = ctx.run(chemotaxis::ChemotaxisProtocol(), spec);
  auto flags = result.summary["flags"];
  CHECK(std::find(flags.begin(), flags.end(), "pixel_size_mismatch") != flags.end());
  const auto* field = find_row(result, "field", "B3/f0");
  REQUIRE(field);
  CHECK(field->value["flags"].dump().find("pixel_size_mismatch") != std::string::npos);
}

TEST_CASE("imaging with autofocus finds each membrane's focus before counting") {
  json settings = kImagerSettings;
  settings["focus_spread_um"] = 25.0;
  assay::testing::MemoryRunContext ctx(assay::testing::make_builtin_instrument("sim-imager", "sim-imager", settings));
  json layout = json::array({{{"wells", "A1:A2"}, {"role", "positive_control"}},
                             {{"wells", "A3:A4"}, {"role", "negative_control"}}});
  auto job = chemotaxis_test::transwell_job({{"readout", "imaging"}, {"fields", {{0, 0}}}}, layout, "sim-imager");
  auto result = ctx.run(chemotaxis::ChemotaxisProtocol(), JobSpec::from_json(job));
  auto truth = result.summary["simulation_truth"]["cells_per_field"];
  int counted = 0, expected_total = 0;
  for (const auto& row : result.rows) {
    if (row.kind != "field") continue;
    int expected = truth[row.value["well"].get<std::string>()]["0"];
    CAPTURE(row.key, row.value["count"], expected, row.value["counter"]);
    // A blurred membrane loses its cells to the focus test; in focus each field is close.
    CHECK(std::abs(row.value["count"].get<int>() - expected) <= std::max(6, expected * 3 / 10));
    counted += row.value["count"].get<int>();
    expected_total += expected;
  }
  CHECK(counted == Approx(expected_total).epsilon(0.2));
}
