#include <catch2/catch.hpp>

#include "assay/drivers/autofocus.hpp"
#include "assay/drivers/sim/sim_imager.hpp"
#include "assay/protocols/imaging/cell_counter.hpp"
#include "assay/protocols/job_spec.hpp"
#include "assay/drivers/registry.hpp"
#include "support/memory_run_context.hpp"

namespace drv = assay::drivers;
using nlohmann::json;

namespace {

drv::LoadedPlate plate_from(const json& layout, const std::string& format, const json& simulation = json::object()) {
  json job = {{"protocol", "cfu"}, {"instrument", "imager-1"},
              {"plate", {{"format", format}, {"barcode", "T1"}}}, {"layout", layout},
              {"simulation", simulation}};
  return assay::protocols::JobSpec::from_json(job).loaded_plate();
}

drv::Imager& as_imager(drv::Instrument& i) { return dynamic_cast<drv::Imager&>(i); }

}  // namespace

TEST_CASE("sim-imager refuses unknown or wrong settings naming the key") {
  drv::DriverRegistry registry;
  drv::register_builtin_drivers(registry);
  const auto* info = registry.find("sim-imager");
  REQUIRE(info != nullptr);
  auto bad = info->factory("x", {{"pixel_size", 1.0}});
  CHECK_FALSE(bad.is_ok());
  CHECK(bad.status().message().find("pixel_size") != std::string::npos);
  auto negative = info->factory("x", {{"time_scale", -1}});
  CHECK(negative.status().message().find("time_scale") != std::string::npos);
}

TEST_CASE("sim-imager records the colony truth of each dish from the simulation object") {
  auto instrument = assay::testing::make_builtin_instrument("sim-imager", "imager-1", {{"time_scale", 0}});
  auto& imager = as_imager(*instrument);
  const auto plate = plate_from(json::array({{{"wells", "A1:A2"}, {"cells_plated", 10000}}}), "dish-6",
                                {{"colonies_per_well", {{"A1", 37}, {"A2", 80}}}});
  REQUIRE(imager.load_plate(plate).is_ok());
  CHECK(imager.truth().at("colonies_per_well").at("A1") == 37);
  CHECK(imager.truth().at("colonies_per_well").at("A2") == 80);
  drv::FieldRequest request;
  request.well = "A1";
  auto image = imager.capture(request, {});
  REQUIRE(image.is_ok());
  CHECK(image->pixel_size_um == Approx(20.0));
  CHECK(image->pixels.cols == 1024);
  request.well = "B3";
  CHECK(imager.capture(request, {}).status().code() == drv::StatusCode::invalid_argument);
}

TEST_CASE("sim-imager renders a released dish again as it was") {
  auto instrument = assay::testing::make_builtin_instrument("sim-imager", "imager-1", {{"time_scale", 0}, {"seed", 7}});
  auto& imager = as_imager(*instrument);
  REQUIRE(imager.load_plate(plate_from(json::array({{{"wells", "A1"}, {"cells_plated", 10000}}}), "dish-6")).is_ok());
  drv::FieldRequest request;
  request.well = "A1";
  auto before = imager.capture(request, {});
  REQUIRE(before.is_ok());
  const auto truth = imager.truth();
  imager.release_plate_cache();  // what the daemon calls when a job is done with the plate
  auto after = imager.capture(request, {});
  REQUIRE(after.is_ok());
  CHECK(cv::norm(before->pixels, after->pixels, cv::NORM_INF) == 0);
  CHECK(imager.truth() == truth);
}

TEST_CASE("sim-imager fails on demand after the configured number of captures") {
  auto instrument = assay::testing::make_builtin_instrument("sim-imager", "imager-1", {{"time_scale", 0}, {"fail_after_captures", 2}});
  auto& imager = as_imager(*instrument);
  REQUIRE(imager.load_plate(plate_from(json::array({{{"wells", "A1"}}}), "transwell-24")).is_ok());
  drv::FieldRequest request;
  request.well = "A1";
  request.sample = drv::SampleKind::stained_cells;
  CHECK(imager.capture(request, {}).is_ok());
  CHECK(imager.capture(request, {}).is_ok());
  auto third = imager.capture(request, {});
  CHECK(third.status().code() == drv::StatusCode::device_error);
  CHECK(third.status().message().find("fail_after_captures") != std::string::npos);
  CHECK(imager.state() == drv::InstrumentState::error);
}

TEST_CASE("sim-imager autofocus finds the well's focus so the field becomes sharp") {
  auto instrument = assay::testing::make_builtin_instrument("sim-imager", "imager-1", {{"time_scale", 0}, {"focus_spread_um", 80}, {"seed", 3}});
  auto& imager = as_imager(*instrument);
  REQUIRE(imager.load_plate(plate_from(json::array({{{"wells", "B2"}}}), "transwell-24")).is_ok());
  drv::FieldRequest request;
  request.well = "B2";
  request.sample = drv::SampleKind::stained_cells;
  const double before = drv::focus_sharpness(imager.capture(request, {})->pixels);
  auto z = imager.autofocus(request, drv::AutofocusPlan{}, {});
  REQUIRE(z.is_ok());
  const double after = drv::focus_sharpness(imager.capture(request, {})->pixels);
  CHECK(after >= before);
}

TEST_CASE("sim-imager migration follows the compound's IC50 and the chemokine") {
  auto instrument = assay::testing::make_builtin_instrument("sim-imager", "imager-1", {{"time_scale", 0}, {"migration_ic50_nM", 10.0}});
  auto& imager = as_imager(*instrument);
  const auto plate = plate_from(json::array({{{"wells", "A1"}, {"compound", "drug"}, {"conc_nM", 0.0}},
                                             {{"wells", "A2"}, {"compound", "drug"}, {"conc_nM", 10.0}},
                                             {{"wells", "A3"}, {"role", "negative_control"}},
                                             {{"wells", "A4"}, {"compound", "drug"}, {"conc_nM", 1000.0}}}),
                                "transwell-24");
  REQUIRE(imager.load_plate(plate).is_ok());
  const json expected = imager.truth().at("expected_cells_per_field");
  const double full = expected.at("A1").get<double>(), random = expected.at("A3").get<double>();
  CHECK(random == Approx(full / 4.5));
  // At the IC50 the chemokine-driven part is halved; random migration stays.
  CHECK(expected.at("A2").get<double>() == Approx(random + 0.5 * (full - random)));
  // Fully blocked (100x the IC50): as without chemokine, never below (no inhibition past 100 %).
  CHECK(expected.at("A4").get<double>() >= random);
  CHECK(expected.at("A4").get<double>() == Approx(random).epsilon(0.05));
  drv::FieldRequest request;
  request.well = "A1";
  request.sample = drv::SampleKind::stained_cells;
  REQUIRE(imager.autofocus(request, drv::AutofocusPlan{}, {}).is_ok());
  auto image = imager.capture(request, {});
  REQUIRE(image.is_ok());
  const int truth = imager.truth().at("cells_per_field").at("A1").at("0");
  assay::protocols::imaging::CellCountParams p;
  p.pixel_size_um = image->pixel_size_um;
  const int counted = assay::protocols::imaging::count_stained_cells(image->pixels, p).count;
  CHECK(std::abs(counted - truth) <= 0.15 * truth + 2);
}
