#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <opencv2/imgcodecs.hpp>

#include "assay/drivers/sim/cell_scene.hpp"
#include "assay/protocols/imaging/cell_counter.hpp"

namespace fs = std::filesystem;
namespace im = assay::protocols::imaging;
namespace sim = assay::drivers::sim;

namespace {

im::CellCountParams params_for(const sim::CellSceneSpec& spec) {
  im::CellCountParams p;
  p.pixel_size_um = spec.pixel_size_um;
  return p;
}

double ape(int counted, std::size_t truth) {
  return std::abs(counted - static_cast<double>(truth)) / static_cast<double>(truth);
}

// The real stained-nucleus tiles beside the repo; the test is skipped (77) without them.
fs::path real_tiles() {
  const fs::path dir = fs::path(ASSAY_SHARED_DIR) / "data/realsets/dsb2018_stained";
  if (!fs::exists(dir / "ground_truth.csv")) std::exit(77);
  return dir;
}

}  // namespace

TEST_CASE("stained cells on a porous membrane are counted within 15 % of the truth") {
  // Membranes with pores, debris, crystals, a smear, blots, faint, out-of-focus and clumped cells.
  double sum = 0.0;
  int n = 0;
  for (int cells : {45, 70, 100}) {
    sim::CellSceneSpec spec;
    spec.width_px = spec.height_px = 768;
    spec.cells = cells;
    spec.seed = 100 + cells;
    spec.jpeg_quality = cells == 70 ? 85 : 0;
    const auto scene = sim::render_cell_scene(spec);
    const auto count = im::count_stained_cells(scene.image, params_for(spec));
    INFO("truth " << scene.cell_centres_px.size() << " counted " << count.count);
    CHECK(ape(count.count, scene.cell_centres_px.size()) <= 0.2);
    sum += ape(count.count, scene.cell_centres_px.size());
    ++n;
  }
  CHECK(sum / n <= 0.15);
}

TEST_CASE("the same membrane is counted alike with and without its pixel size") {
  sim::CellSceneSpec spec;
  spec.width_px = spec.height_px = 768;
  spec.cells = 70;
  spec.pixel_size_um = 1.3;
  spec.seed = 5;
  const auto scene = sim::render_cell_scene(spec);
  const int known = im::count_stained_cells(scene.image, params_for(spec)).count;
  const auto unknown = im::count_stained_cells(scene.image, {});
  INFO("known " << known << " unknown " << unknown.count << " truth " << scene.cell_centres_px.size());
  CHECK(std::abs(unknown.count - known) <= 0.1 * known + 2);
  // The measured cell size is that of the simulated cells (18 um +-30 % with pseudopods).
  CHECK(unknown.typical_cell_diameter_px * spec.pixel_size_um == Approx(18.0).margin(6.0));
}

TEST_CASE("the count does not depend on the stain's colour or on the polarity") {
  sim::CellSceneSpec spec;
  spec.width_px = spec.height_px = 640;
  spec.cells = 50;
  spec.seed = 21;
  const auto scene = sim::render_cell_scene(spec);
  const int purple = im::count_stained_cells(scene.image, params_for(spec)).count;
  cv::Mat swapped;  // another dye: channels permuted, brown-green instead of purple
  cv::mixChannels(scene.image, swapped = cv::Mat(scene.image.size(), scene.image.type()), {0, 2, 1, 0, 2, 1});
  const int other = im::count_stained_cells(swapped, params_for(spec)).count;
  cv::Mat inverted = cv::Scalar::all(255) - scene.image;  // light cells on a dark field
  const auto light = im::count_stained_cells(inverted, params_for(spec));
  INFO("purple " << purple << " other dye " << other << " inverted " << light.count);
  CHECK(std::abs(other - purple) <= 0.1 * purple + 1);
  CHECK(std::abs(light.count - purple) <= 0.15 * purple + 1);
  CHECK(std::find(light.flags.begin(), light.flags.end(), "light_objects_inverted") != light.flags.end());
}

TEST_CASE("a bare membrane with pores, debris, crystals, a smear and blots counts no cells") {
  sim::CellSceneSpec spec;
  spec.width_px = spec.height_px = 768;
  spec.cells = 0;
  spec.debris = 40;
  spec.stain_crystals = 15;
  spec.swab_smears = 2;
  spec.out_of_focus_blobs = 6;
  spec.seed = 77;
  const auto scene = sim::render_cell_scene(spec);
  const auto count = im::count_stained_cells(scene.image, params_for(spec));
  INFO("counted " << count.count);
  CHECK(count.count <= 3);
}

TEST_CASE("a defocused field still counts its cells") {
  sim::CellSceneSpec spec;
  spec.width_px = spec.height_px = 768;
  spec.cells = 60;
  spec.seed = 8;
  const int focused = im::count_stained_cells(sim::render_cell_scene(spec).image, params_for(spec)).count;
  spec.focus_error_um = 25.0;
  const auto scene = sim::render_cell_scene(spec);
  const int blurred = im::count_stained_cells(scene.image, params_for(spec)).count;
  INFO("focused " << focused << " defocused " << blurred << " truth " << scene.cell_centres_px.size());
  CHECK(ape(blurred, scene.cell_centres_px.size()) <= 0.2);
}

TEST_CASE("real stained-nucleus tiles of unknown pixel size are counted within 25 % MAPE") {
  // 40 brightfield haematoxylin tiles (BBBC038), 3-151 nuclei, cell size 12-45 px: counted with
  // the defaults only. Measured 19.9 % at the time of writing; OpenCFU -d reg -a: 58.9 %.
  const fs::path dir = real_tiles();
  std::ifstream truth(dir / "ground_truth.csv");
  std::string line;
  std::getline(truth, line);
  double sum = 0.0;
  int n = 0;
  while (std::getline(truth, line)) {
    std::istringstream fields(line);
    std::string file, count;
    std::getline(fields, file, ',');
    std::getline(fields, count, ',');
    const cv::Mat image = cv::imread((dir / file).string(), cv::IMREAD_UNCHANGED);
    REQUIRE_FALSE(image.empty());
    const int counted = im::count_stained_cells(image, {}).count;
    sum += ape(counted, static_cast<std::size_t>(std::stoi(count)));
    ++n;
  }
  REQUIRE(n == 40);
  INFO("MAPE " << 100.0 * sum / n << " %");
  CHECK(sum / n <= 0.23);
}

TEST_CASE("a bright-field section whose bright tail is the longer is not taken for fluorescence") {
  // Haematoxylin nuclei beside a band of eosin that darkens half the tile, with white gaps:
  // its grey histogram reaches further up than down (median 113), yet the nuclei are the dark
  // objects. People counted 12.
  const cv::Mat image = cv::imread((real_tiles() / "4193474b2f1c72f7.png").string(), cv::IMREAD_UNCHANGED);
  REQUIRE_FALSE(image.empty());
  const auto counted = im::count_stained_cells(image, {});
  CHECK(std::find(counted.flags.begin(), counted.flags.end(), "light_objects_inverted") == counted.flags.end());
  CHECK(counted.count >= 9);
  CHECK(counted.count <= 15);
}

TEST_CASE("cell overlay and JSON carry every counted cell") {
  sim::CellSceneSpec spec;
  spec.width_px = spec.height_px = 512;
  spec.cells = 20;
  spec.seed = 4;
  const auto scene = sim::render_cell_scene(spec);
  const auto count = im::count_stained_cells(scene.image, params_for(spec));
  const auto j = im::to_json(count);
  CHECK(j.at("count") == count.count);
  CHECK(j.at("cells").size() == count.cells.size());
  CHECK(j.at("typical_cell_diameter_px").get<double>() > 0);
  const cv::Mat overlay = im::draw_cell_overlay(scene.image, count);
  CHECK(overlay.size() == scene.image.size());
  CHECK(cv::norm(overlay, scene.image, cv::NORM_L1) > 0);
}

TEST_CASE("cell count parameters out of range are refused with the field named") {
  im::CellCountParams p;
  p.pixel_size_um = -1;
  CHECK_THROWS_WITH(im::count_stained_cells(cv::Mat(100, 100, CV_8UC3), p), Catch::Contains("pixel_size_um"));
  CHECK_THROWS_WITH(im::cell_count_params_from_json({{"pore_size", 8}}), Catch::Contains("pore_size"));
  CHECK_THROWS_WITH(im::cell_count_params_from_json({{"min_stain_match", 2}}), Catch::Contains("min_stain_match"));
  CHECK_THROWS_WITH(im::count_stained_cells(cv::Mat(), {}), Catch::Contains("empty"));
}
