#include <catch2/catch.hpp>

#include <cmath>

#include "assay/drivers/sim/cell_scene.hpp"
#include "assay/protocols/imaging/cell_counter.hpp"

namespace im = assay::protocols::imaging;
namespace sim = assay::drivers::sim;

namespace {

im::CellCountParams params_for(const sim::CellSceneSpec& spec) {
  im::CellCountParams p;
  p.pixel_size_um = spec.pixel_size_um;
  return p;
}

}  // namespace

TEST_CASE("stained cells on a porous membrane are counted within 10 % of the truth") {
  for (int cells : {30, 80, 140}) {
    sim::CellSceneSpec spec;
    spec.cells = cells;
    spec.seed = 100 + cells;
    spec.jpeg_quality = cells == 80 ? 85 : 0;
    const auto scene = sim::render_cell_scene(spec);
    const auto count = im::count_stained_cells(scene.image, params_for(spec));
    INFO("truth " << scene.cell_centres_px.size() << " counted " << count.count);
    CHECK(std::abs(count.count - static_cast<double>(scene.cell_centres_px.size())) <=
          0.10 * scene.cell_centres_px.size() + 1);
  }
}

TEST_CASE("the pore lattice, debris and out-of-focus blobs are never counted as cells") {
  sim::CellSceneSpec spec;
  spec.cells = 0;
  spec.debris = 40;
  spec.out_of_focus_blobs = 10;
  spec.seed = 77;
  const auto scene = sim::render_cell_scene(spec);
  const auto count = im::count_stained_cells(scene.image, params_for(spec));
  CHECK(count.count <= 1);
  const bool flagged_empty =
      std::find(count.flags.begin(), count.flags.end(), "empty_field") != count.flags.end();
  CHECK((flagged_empty || count.count == 1));
}

TEST_CASE("a strongly defocused field counts far fewer cells than the focused one") {
  sim::CellSceneSpec spec;
  spec.cells = 60;
  spec.seed = 8;
  const int focused = im::count_stained_cells(sim::render_cell_scene(spec).image, params_for(spec)).count;
  spec.focus_error_um = 120.0;
  const int blurred = im::count_stained_cells(sim::render_cell_scene(spec).image, params_for(spec)).count;
  CHECK(blurred < 0.5 * focused);
}

TEST_CASE("cell overlay and JSON carry every counted cell") {
  sim::CellSceneSpec spec;
  spec.cells = 20;
  spec.seed = 4;
  const auto scene = sim::render_cell_scene(spec);
  const auto count = im::count_stained_cells(scene.image, params_for(spec));
  const auto j = im::to_json(count);
  CHECK(j.at("count") == count.count);
  CHECK(j.at("cells").size() == count.cells.size());
  const cv::Mat overlay = im::draw_cell_overlay(scene.image, count);
  CHECK(overlay.size() == scene.image.size());
  CHECK(cv::norm(overlay, scene.image, cv::NORM_L1) > 0);
}

TEST_CASE("cell count parameters out of range are refused with the field named") {
  im::CellCountParams p;
  p.pixel_size_um = 0;
  CHECK_THROWS_WITH(im::count_stained_cells(cv::Mat(100, 100, CV_8UC3), p), Catch::Contains("pixel_size_um"));
  CHECK_THROWS_WITH(im::cell_count_params_from_json({{"pore_size", 8}}), Catch::Contains("pore_size"));
  CHECK_THROWS_WITH(im::count_stained_cells(cv::Mat(), {}), Catch::Contains("empty"));
}
