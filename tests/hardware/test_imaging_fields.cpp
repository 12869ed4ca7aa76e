// Fields of view per well: grids covering the well, centre-and-four, and offset lists.
#include <catch2/catch.hpp>

#include <cmath>

#include "assay/protocols/imaging_fields.hpp"
#include "assay/protocols/protocol.hpp"

using namespace assay::protocols;

namespace {

std::string error_of(const nlohmann::json& fields, double well_mm = 6.4,
                     cv::Size2d fov = {2.0, 1.5}) {
  try {
    parse_field_plan(fields, "params.fields", well_mm, fov);
  } catch (const ProtocolError& e) {
    CHECK(e.code() == "invalid_params");
    return e.what();
  }
  return "";
}

// Fraction of the well's disc covered by at least one field, by sampling a fine lattice.
double covered_fraction(const std::vector<FieldOffset>& fields, double well_mm, cv::Size2d fov,
                        double lattice_mm = 0.02) {
  int inside = 0, covered = 0;
  double r = well_mm / 2.0;
  for (double y = -r; y <= r; y += lattice_mm) {
    for (double x = -r; x <= r; x += lattice_mm) {
      if (x * x + y * y > r * r) continue;
      ++inside;
      for (const auto& f : fields) {
        if (std::abs(x - f.x_mm) <= fov.width / 2 && std::abs(y - f.y_mm) <= fov.height / 2) {
          ++covered;
          break;
        }
      }
    }
  }
  return static_cast<double>(covered) / inside;
}

}  // namespace

TEST_CASE("a field grid covers the whole well and skips corners outside it") {
  cv::Size2d fov{2.0, 1.5};
  auto fields = grid_fields(6.4, fov);  // 96-well well, 10 % overlap
  CHECK(covered_fraction(fields, 6.4, fov) == Approx(1.0));
  // A 35 mm dish: the 10 x 13 rectangle of fields would include corners outside the dish.
  auto dish = grid_fields(35.0, {4.0, 3.0});
  CHECK(dish.size() < 120);
  CHECK(covered_fraction(dish, 35.0, {4.0, 3.0}, 0.1) == Approx(1.0));
  for (const auto& f : fields) {
    double dx = std::max(0.0, std::abs(f.x_mm) - 1.0);
    double dy = std::max(0.0, std::abs(f.y_mm) - 0.75);
    CHECK(std::hypot(dx, dy) < 3.2);
  }
}

TEST_CASE("neighbouring grid fields overlap by the requested fraction") {
  FieldGridSettings settings;
  settings.overlap_fraction = 0.25;
  auto fields = grid_fields(35.0, {4.0, 4.0}, settings);
  // Consecutive fields in a row are one step apart: 4 mm x (1 - 0.25).
  CHECK(std::abs(fields[1].x_mm - fields[0].x_mm) == Approx(3.0));
}

TEST_CASE("a grid runs as a serpentine so the stage never jumps back across the well") {
  auto fields = grid_fields(10.0, {2.0, 2.0});
  double longest = 0.0;
  for (std::size_t i = 1; i < fields.size(); ++i) {
    longest = std::max(longest, std::hypot(fields[i].x_mm - fields[i - 1].x_mm,
                                           fields[i].y_mm - fields[i - 1].y_mm));
  }
  CHECK(longest < 4.0);
}

TEST_CASE("a field larger than the well is a single centre field") {
  auto fields = grid_fields(3.0, {4.0, 4.0});
  REQUIRE(fields.size() == 1);
  CHECK(fields[0] == FieldOffset{0.0, 0.0});
}

TEST_CASE("centre and four puts four fields on a ring around the centre") {
  auto plan = parse_field_plan({{"pattern", "centre_and_four"}, {"radius_mm", 1.5}},
                               "params.fields", 6.5, {1.0, 1.0});
  REQUIRE(plan.offsets.size() == 5);
  CHECK(plan.offsets[0] == FieldOffset{0.0, 0.0});
  CHECK(plan.offsets[1].x_mm == Approx(1.5));
  CHECK(plan.offsets[2].y_mm == Approx(1.5));
  CHECK(plan.offsets[3].x_mm == Approx(-1.5));
  CHECK(plan.to_json()["count"] == 5);
  auto by_name = parse_field_plan("centre_and_four", "params.fields", 6.4, {1.0, 1.0});
  CHECK(by_name.offsets[1].x_mm == Approx(1.6));  // half way to the edge by default
}

TEST_CASE("a list of offsets is taken as given and null means the centre") {
  auto plan = parse_field_plan(nlohmann::json::parse(R"([[0, 0], {"x_mm": 1.0, "y_mm": -0.5}])"),
                               "params.fields", 6.4, {1.0, 1.0});
  REQUIRE(plan.offsets.size() == 2);
  CHECK(plan.pattern == "list");
  CHECK(plan.offsets[1] == FieldOffset{1.0, -0.5});
  CHECK(parse_field_plan(nullptr, "params.fields", 6.4, {1, 1}).offsets.size() == 1);
}

TEST_CASE("field plan errors name the field and the value at fault") {
  CHECK_THAT(error_of(nlohmann::json::parse(R"([[0, 0], [4.0, 0]])")),
             Catch::Contains("params.fields[1]: offset (4 mm, 0 mm) puts the field centre "
                             "outside the 6.4 mm well"));
  CHECK_THAT(error_of(nlohmann::json::parse(R"([[0, "a"]])")),
             Catch::Contains("params.fields[0][1]: must be a number"));
  CHECK_THAT(error_of({{"pattern", "grid"}, {"overlap", 0.8}}),
             Catch::Contains("params.fields.overlap: must be a fraction from 0 to 0.5"));
  CHECK_THAT(error_of({{"pattern", "grid"}, {"radius_mm", 1}}),
             Catch::Contains("params.fields.radius_mm: is not an option of pattern \"grid\""));
  CHECK_THAT(error_of("spiral"), Catch::Contains("unknown pattern 'spiral'"));
  CHECK_THAT(error_of("grid", 35.0, {0.2, 0.2}),
             Catch::Contains("needs") && Catch::Contains("more than max_fields (1000)"));
  CHECK_THAT(error_of("grid", 6.4, {0.0, 0.0}), Catch::Contains("no field of view"));
}
