#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "assay/drivers/sim/colony_scene.hpp"
#include "assay/protocols/imaging/colony_counter.hpp"
#include "imaging/colony_truth_match.hpp"

namespace im = assay::protocols::imaging;
namespace sim = assay::drivers::sim;

namespace {

double relative_error(int count, std::size_t truth) {
  return std::abs(count - static_cast<double>(truth)) / std::max<std::size_t>(1, truth);
}

// A plain light-on-dark image without a dish, for shape tests.
cv::Mat plain_field() { return cv::Mat(400, 400, CV_8UC3, cv::Scalar(40, 45, 50)); }

im::ColonyCountParams no_dish() {
  im::ColonyCountParams p;
  p.find_dish = false;
  p.pixel_size_um = 40.0;
  return p;
}

}  // namespace

// A guard at the level measured, not the goal: the counter still merges small colonies pressed
// into clusters and misses some small dim ones on the dense scenes (measured: 0-11.6 % per
// scene, 5.3 % mean; the goal is under 2.5 % mean). Any change that counts worse fails here.
TEST_CASE("colony counts of synthetic plates stay close to the truth from 10 to 600 colonies") {
  // Every scene has what real photos have: domed colonies with soft edges over a 10x size range
  // (small ones dimmer), touching clusters of 2-5, uneven light and vignetting, agar texture,
  // dust, a bright rim with glare arcs, lamp reflections, a label and marker writing, noise.
  // The old counter undercounted dense plates by 7-11 %; these limits would have caught it.
  struct Case {
    const char* what;
    int colonies;
    bool light;
    int jpeg;
    double min_d, max_d;
    double cluster_fraction = 0.25;
    double gradient = 0.35, vignetting = 0.25, blur = 0.0, noise = 3.0;
    double dish_radius = 0.46, dish_offset = 0.03;
    // Marker strokes on a light medium are dark blobs like dark colonies; telling letters from
    // colonies is a known limit (docs/counting.md), so the dark plate carries no writing.
    bool writing = true;
  };
  const Case cases[] = {
      {"sparse", 10, true, 0, 10, 100},
      {"JPEG and defocus", 120, true, 80, 10, 100, 0.25, 0.35, 0.25, 0.8},
      {"dark colonies on a light medium", 300, false, 0, 10, 80, 0.25, 0.35, 0.25, 0.0, 3.0, 0.46, 0.03, false},
      {"dense, JPEG, noisy", 600, true, 85, 8, 48, 0.25, 0.35, 0.25, 0.0, 4.0},
      {"mostly touching clusters", 250, true, 90, 10, 60, 0.6},
      {"strongly uneven light", 200, true, 90, 10, 80, 0.25, 0.7, 0.45},
      {"dish off-centre and cut by the frame", 200, true, 90, 10, 80, 0.25, 0.35, 0.25, 0.0, 3.0, 0.5, 0.08},
  };
  double total_error = 0.0;
  for (const Case& c : cases) {
    sim::ColonySceneSpec spec;
    spec.colonies = c.colonies;
    spec.light_colonies = c.light;
    spec.jpeg_quality = c.jpeg;
    spec.min_diameter_px = c.min_d;
    spec.max_diameter_px = c.max_d;
    spec.cluster_fraction = c.cluster_fraction;
    spec.illumination_gradient = c.gradient;
    spec.vignetting = c.vignetting;
    spec.blur_sigma_px = c.blur;
    spec.noise_sigma = c.noise;
    spec.dish_radius_fraction = c.dish_radius;
    spec.dish_offset_fraction = c.dish_offset;
    spec.label_and_writing = c.writing;
    spec.seed = 1000 + c.colonies;
    const auto scene = sim::render_colony_scene(spec);
    const im::ColonyCountParams params;
    const auto count = im::count_colonies(scene.image, params);
    const auto match = imaging_test::match_to_truth(scene.colonies, count, params);
    const double truth = static_cast<double>(scene.colonies.size());
    INFO(c.what << ": truth " << scene.colonies.size() << " counted " << count.count << "; missed "
                << match.missed() << " (merged " << match.merged << ", rim " << match.at_rim << ", small "
                << match.too_small << ", not detected " << match.not_detected << "), extra " << match.extra()
                << " (split " << match.split << ", spurious " << match.spurious << ")");
    CHECK(count.dish.found);
    CHECK(cv::norm(count.dish.centre_px - scene.dish_centre_px) < 0.02 * scene.dish_radius_px);
    CHECK(count.polarity_used == (c.light ? im::Polarity::light : im::Polarity::dark));
    CHECK(relative_error(count.count, scene.colonies.size()) <= 0.12 + 1.0 / truth);
    // Right for the right reasons: the colonies found are the true ones, errors do not cancel.
    CHECK(match.missed() <= 0.13 * truth + 1);
    CHECK(match.extra() <= 0.08 * truth + 1);
    total_error += relative_error(count.count, scene.colonies.size());
  }
  CHECK(total_error / std::size(cases) < 0.06);
}

TEST_CASE("touching pairs of round colonies are counted as two each") {
  cv::Mat img = plain_field();
  const int pairs = 6;
  for (int i = 0; i < pairs; ++i) {
    const cv::Point a(60 + (i % 3) * 120, 100 + (i / 3) * 180);
    const int r1 = 14 + 3 * i, r2 = 12 + 2 * i;
    cv::circle(img, a, r1, cv::Scalar(200, 210, 220), cv::FILLED, cv::LINE_AA);
    cv::circle(img, a + cv::Point(static_cast<int>(0.92 * (r1 + r2)), 0), r2, cv::Scalar(190, 200, 210),
               cv::FILLED, cv::LINE_AA);
  }
  cv::GaussianBlur(img, img, cv::Size(0, 0), 1.0);
  const auto count = im::count_colonies(img, no_dish());
  CHECK(count.count == 2 * pairs);
}

TEST_CASE("round colonies overlapping by a radius count as two, an oval among ovals counts as one") {
  // Twelve round colonies, four of them pairs whose centres are one radius apart: no notch and
  // no neck remain once blurred, only a solid oval as wide as one colony.
  cv::Mat round_plate = plain_field();
  for (int i = 0; i < 12; ++i) {
    const cv::Point at(50 + (i % 4) * 95, 60 + (i / 4) * 130);
    const int r = 13 + i % 3;
    cv::circle(round_plate, at, r, cv::Scalar(200, 210, 220), cv::FILLED, cv::LINE_AA);
    if (i % 3 == 1) cv::circle(round_plate, at + cv::Point(0, r), r, cv::Scalar(200, 210, 220), cv::FILLED, cv::LINE_AA);
  }
  cv::GaussianBlur(round_plate, round_plate, cv::Size(0, 0), 1.5);
  auto params = no_dish();
  CHECK(im::count_colonies(round_plate, params).count == 16);
  params.pair_min_elongation = 0.0;  // the rule off: each pair is one oval
  CHECK(im::count_colonies(round_plate, params).count == 12);

  // Twelve ovals of the same length and width: a plate of oval colonies, none a pair.
  cv::Mat oval_plate = plain_field();
  for (int i = 0; i < 12; ++i) {
    cv::ellipse(oval_plate, cv::Point(50 + (i % 4) * 95, 60 + (i / 4) * 130), cv::Size(14, 21), 15 * i, 0, 360,
                cv::Scalar(200, 210, 220), cv::FILLED, cv::LINE_AA);
  }
  cv::GaussianBlur(oval_plate, oval_plate, cv::Size(0, 0), 1.5);
  CHECK(im::count_colonies(oval_plate, no_dish()).count == 12);
}

TEST_CASE("an irregular colony with shallow lobes is not split") {
  cv::Mat img = plain_field();
  const cv::Point c(200, 200);
  cv::circle(img, c, 45, cv::Scalar(200, 210, 220), cv::FILLED, cv::LINE_AA);
  for (int k = 0; k < 7; ++k) {
    const double a = k * 2 * CV_PI / 7;
    cv::circle(img, c + cv::Point(static_cast<int>(38 * std::cos(a)), static_cast<int>(38 * std::sin(a))), 16,
               cv::Scalar(200, 210, 220), cv::FILLED, cv::LINE_AA);
  }
  cv::GaussianBlur(img, img, cv::Size(0, 0), 1.0);
  CHECK(im::count_colonies(img, no_dish()).count == 1);
}

// No dip, no neck and a round joint outline: only the widened flank tells (shoulder_split.hpp).
TEST_CASE("a small dim colony pressed against a large bright one is counted as two") {
  cv::Mat img = plain_field();
  const int pairs = 4;
  for (int i = 0; i < pairs; ++i) {
    const cv::Point big(90 + (i % 2) * 200, 100 + (i / 2) * 200);
    const int r_big = 36 - 4 * i, r_small = 11 + i % 2;  // a third to a half of the big one
    // The small one's centre just outside the big one: no neck worth the name, no dip between
    // them (the big one's edge is brighter than the small one's top), only two notches.
    const cv::Point small = big + cv::Point(static_cast<int>(r_big + 0.55 * r_small), 0);
    cv::circle(img, small, r_small, cv::Scalar(120, 125, 130), cv::FILLED, cv::LINE_AA);
    cv::circle(img, big, r_big, cv::Scalar(210, 220, 230), cv::FILLED, cv::LINE_AA);
  }
  cv::GaussianBlur(img, img, cv::Size(0, 0), 1.5);
  CHECK(im::count_colonies(img, no_dish()).count == 2 * pairs);
}

TEST_CASE("a colony with a dim halo all round, or a glow off to one side, is one colony") {
  // The flank of each is wide, but evenly (halo) or as a thin crescent (glow): no lump.
  cv::Mat img = plain_field();
  cv::circle(img, {110, 110}, 48, cv::Scalar(90, 95, 100), cv::FILLED, cv::LINE_AA);
  cv::circle(img, {110, 110}, 30, cv::Scalar(210, 220, 230), cv::FILLED, cv::LINE_AA);
  cv::ellipse(img, {290, 290}, {44, 40}, 0, 0, 360, cv::Scalar(90, 95, 100), cv::FILLED, cv::LINE_AA);
  cv::circle(img, {282, 290}, 32, cv::Scalar(210, 220, 230), cv::FILLED, cv::LINE_AA);
  cv::GaussianBlur(img, img, cv::Size(0, 0), 2.0);
  CHECK(im::count_colonies(img, no_dish()).count == 2);
}

// Relief on a large colony's dome stands out near its top as small parts, which together cover
// little of the colony; two colonies stand out as large parts (the tests of touching pairs).
TEST_CASE("a large colony with a glint and bumps on its dome is one colony") {
  cv::Mat img = plain_field();
  const cv::Point c(200, 200);
  cv::circle(img, c, 80, cv::Scalar(150, 155, 160), cv::FILLED, cv::LINE_AA);
  cv::GaussianBlur(img, img, cv::Size(0, 0), 6.0);  // a dome: brighter to the centre
  cv::circle(img, c + cv::Point(14, -12), 7, cv::Scalar(250, 250, 250), cv::FILLED, cv::LINE_AA);  // the glint
  cv::circle(img, c + cv::Point(-18, 10), 8, cv::Scalar(185, 190, 195), cv::FILLED, cv::LINE_AA);
  cv::circle(img, c + cv::Point(20, 22), 8, cv::Scalar(185, 190, 195), cv::FILLED, cv::LINE_AA);
  cv::GaussianBlur(img, img, cv::Size(0, 0), 1.5);
  const auto count = im::count_colonies(img, no_dish());
  INFO("counted " << count.count);
  CHECK(count.count == 1);
}

TEST_CASE("an elongated single colony is not split") {
  cv::Mat img = plain_field();
  cv::ellipse(img, cv::Point(200, 200), cv::Size(60, 30), 30, 0, 360, cv::Scalar(200, 210, 220), cv::FILLED, cv::LINE_AA);
  cv::GaussianBlur(img, img, cv::Size(0, 0), 2.0);
  CHECK(im::count_colonies(img, no_dish()).count == 1);
}

// An empty plate of a dilution series: specks and glare on the wall have no colony inside to be
// compared with, so none is counted, and the dish says why.
TEST_CASE("rim reflections, glare, lamp reflections, dust and writing on an empty dish are not counted") {
  sim::ColonySceneSpec spec;
  spec.width_px = spec.height_px = 1200;
  spec.colonies = 0;
  spec.glare = 1.5;
  spec.seed = 5;
  const auto scene = sim::render_colony_scene(spec);
  const auto count = im::count_colonies(scene.image, im::ColonyCountParams{});
  CHECK(count.dish.found);
  CHECK(count.count <= 1);
  CHECK(std::find(count.flags.begin(), count.flags.end(), "wall_parts_not_counted") != count.flags.end());
}

TEST_CASE("CFU per 1e5 plated cells and the too-many-to-count flag follow the parameters") {
  sim::ColonySceneSpec spec;
  spec.width_px = spec.height_px = 1200;
  spec.colonies = 40;
  spec.min_diameter_px = 8;
  spec.max_diameter_px = 40;
  spec.seed = 9;
  const auto scene = sim::render_colony_scene(spec);
  im::ColonyCountParams p;
  p.cells_plated = 20000;
  auto count = im::count_colonies(scene.image, p);
  CHECK(count.cfu_per_1e5_cells == Approx(count.count / 20000.0 * 1e5));
  CHECK_FALSE(count.too_many_to_count);
  p.too_many_per_cm2 = 0.1;  // 40 colonies on a 90 mm dish is far above this
  count = im::count_colonies(scene.image, p);
  CHECK(count.too_many_to_count);
  CHECK(im::to_json(count).at("flags").dump().find("too_many_to_count") != std::string::npos);
}

TEST_CASE("haematopoietic colonies are typed CFU-GM, BFU-E or CFU-GEMM by the stated rules") {
  sim::ColonySceneSpec spec;
  spec.width_px = spec.height_px = 1400;
  spec.colonies = 40;
  spec.haematopoietic = true;
  spec.min_diameter_px = 20;
  spec.max_diameter_px = 90;
  spec.seed = 21;
  const auto scene = sim::render_colony_scene(spec);
  im::ColonyCountParams p;
  p.dish_diameter_mm = 35.0;
  p.classes.enabled = true;
  const auto count = im::count_colonies(scene.image, p);
  int matched = 0, compared = 0;
  for (const auto& truth : scene.colonies) {
    if (truth.cluster >= 0) continue;  // isolated colonies only: no ambiguity of matching
    for (const auto& c : count.colonies) {
      if (cv::norm(c.centre_px - truth.centre_px) < 0.4 * truth.diameter_px) {
        ++compared;
        if (im::to_string(c.cls) == truth.cls) ++matched;
      }
    }
  }
  INFO("matched " << matched << " of " << compared);
  REQUIRE(compared >= 10);
  CHECK(matched >= 0.6 * compared);
  CHECK(count.count_of(im::ColonyClass::cfu_gm) > 0);
  CHECK(count.count_of(im::ColonyClass::bfu_e) > 0);
}

TEST_CASE("grey and 16-bit photographs are counted like colour ones") {
  sim::ColonySceneSpec spec;
  spec.width_px = spec.height_px = 1000;
  spec.colonies = 50;
  spec.min_diameter_px = 8;
  spec.max_diameter_px = 40;
  spec.seed = 3;
  const auto scene = sim::render_colony_scene(spec);
  const int colour = im::count_colonies(scene.image, {}).count;
  cv::Mat grey, deep;
  cv::cvtColor(scene.image, grey, cv::COLOR_BGR2GRAY);
  grey.convertTo(deep, CV_16U, 257.0);
  CHECK(std::abs(im::count_colonies(grey, {}).count - colour) <= 2);
  const auto counted16 = im::count_colonies(deep, {});
  CHECK(std::abs(counted16.count - colour) <= 2);
  CHECK_FALSE(counted16.flags.empty());  // says it rescaled the input
}

TEST_CASE("bad colony inputs and parameters are refused with the field named") {
  CHECK_THROWS_WITH(im::count_colonies(cv::Mat(), {}), Catch::Contains("empty"));
  CHECK_THROWS_WITH(im::colony_count_params_from_json({{"split_neck_ratoi", 0.5}}), Catch::Contains("split_neck_ratoi"));
  auto p = im::colony_count_params_from_json({{"split_neck_ratio", 2.0}});
  CHECK_THROWS_WITH(im::count_colonies(plain_field(), p), Catch::Contains("split_neck_ratio"));
  CHECK_THROWS_WITH(im::polarity_from_string("bright"), Catch::Contains("auto, light or dark"));
}

TEST_CASE("white and red haematopoietic colonies on one dish are all counted, small ones pressed against large ones too") {
  // Methylcellulose dishes hold white CFU-GM and red BFU-E at once: on the grey level the red
  // ones are a third as bright as the white ones and were dropped as faint (93 of 160 counted).
  double total_error = 0.0;
  const std::pair<int, std::uint64_t> dishes[] = {{160, 1}, {90, 2}, {90, 3}};
  for (const auto& [colonies, seed] : dishes) {
    assay::drivers::sim::ColonySceneSpec spec;
    const double px = 20.0, dish_px = 35000.0 / px;
    spec.width_px = spec.height_px = static_cast<int>(dish_px * 1.12);
    spec.dish_radius_fraction = 0.5 * dish_px / spec.width_px;
    spec.colonies = colonies;
    spec.haematopoietic = true;
    spec.min_diameter_px = 200.0 / px;
    spec.max_diameter_px = 1500.0 / px;
    spec.noise_sigma = 2.5;
    spec.glare = 0.6;
    spec.seed = seed;
    const auto scene = assay::drivers::sim::render_colony_scene(spec);
    im::ColonyCountParams params;
    params.pixel_size_um = px;
    params.classes.enabled = true;
    const auto count = im::count_colonies(scene.image, params);
    const double error = std::abs(count.count - static_cast<double>(scene.colonies.size())) / scene.colonies.size();
    INFO("seed " << seed << ": truth " << scene.colonies.size() << ", counted " << count.count << " on " << count.contrast);
    CHECK(count.contrast == "strongest_channel");
    CHECK(error <= 0.10);
    total_error += error;
  }
  CHECK(total_error / std::size(dishes) <= 0.07);
}
